-- +goose Up
-- The information catalogue (信用信息目录, T8): every kind of credit record the
-- hub gathers, who provides it, how open it is and whether it falls under the
-- 7-working-day publication duty of T26. The schema's openness markings are
-- checked against these rows.
CREATE TABLE info_catalogue (
    kind                text PRIMARY KEY,
    name                text NOT NULL,
    sources             text[] NOT NULL,
    -- Openness of a record about an organisation, and about a natural person.
    entity_publicity    text NOT NULL CHECK (entity_publicity IN ('PUBLIC', 'SHARED', 'PERSONAL')),
    person_publicity    text NOT NULL CHECK (person_publicity IN ('PUBLIC', 'SHARED', 'PERSONAL')),
    disclosure_required boolean NOT NULL,
    legal_basis         text NOT NULL,
    position            int NOT NULL
);

INSERT INTO info_catalogue VALUES
 ('LICENCE', '行政许可', '{market}', 'PUBLIC', 'PERSONAL', true,
  '《黑河市加快推进社会信用体系建设构建以信用为基础的新型监管机制的若干措施》第四条第（二）项；《中华人民共和国行政许可法》第四十条', 1),
 ('PENALTY', '行政处罚', '{market,environment,fire}', 'PUBLIC', 'PERSONAL', true,
  '《中华人民共和国行政处罚法》第四十八条；《若干措施》第四条第（二）项', 2),
 ('INSPECTION', '监督检查结果', '{market,fire}', 'PUBLIC', 'PERSONAL', true,
  '国办发〔2019〕5号（双随机、一公开）；《若干措施》第四条第（二）项（行政监督检查）', 3),
 ('COMPLAINT', '12315投诉举报', '{market}', 'SHARED', 'PERSONAL', false,
  '《市场监督管理投诉举报处理暂行办法》；《若干措施》第二条第（一）项', 4),
 ('ABNORMAL_OPERATION', '经营异常名录', '{market}', 'PUBLIC', 'PERSONAL', true,
  '《企业信息公示暂行条例》第十七条；《企业经营异常名录管理暂行办法》', 5),
 ('DISCHARGE_PERMIT', '排污许可', '{environment}', 'PUBLIC', 'PERSONAL', true,
  '《排污许可管理条例》第二十三条', 6),
 ('ENVIRONMENTAL_CREDIT_RATING', '企业环境信用评价', '{environment}', 'SHARED', 'PERSONAL', false,
  '《企业环境信用评价办法（试行）》（环发〔2013〕150号）', 7),
 ('QUALIFICATION', '建筑业企业资质', '{housing}', 'PUBLIC', 'PERSONAL', true,
  '《建筑业企业资质管理规定》第三十五条', 8),
 ('ACCIDENT', '质量安全事故', '{housing}', 'SHARED', 'PERSONAL', false,
  '《生产安全事故报告和调查处理条例》第三条', 9),
 ('BAD_CONDUCT', '建筑市场不良行为', '{housing}', 'PUBLIC', 'PERSONAL', true,
  '《建筑市场信用管理暂行办法》（建市〔2017〕241号）第十二条', 10),
 ('DISHONEST_DEBTOR', '失信被执行人', '{court}', 'PUBLIC', 'PUBLIC', false,
  '《最高人民法院关于公布失信被执行人名单信息的若干规定》第六条、第七条', 11),
 ('CONSUMPTION_RESTRICTION', '限制消费令', '{court}', 'SHARED', 'PERSONAL', false,
  '《最高人民法院关于限制被执行人高消费及有关消费的若干规定》', 12),
 ('FALSE_LITIGATION', '虚假诉讼失信人', '{court}', 'PUBLIC', 'PUBLIC', false,
  '《若干措施》第四条第（二）项（T27）；最高人民法院关于防范和制裁虚假诉讼的规定', 13);

-- Publication periods of dishonesty information (失信信息公示期限), counted
-- from the decision. Repair may be asked for after the minimum; publication
-- stops by itself at the maximum. Kept as data because the rules change.
CREATE TABLE publication_period (
    severity            text PRIMARY KEY CHECK (severity IN ('MINOR', 'GENERAL', 'SERIOUS')),
    published           boolean NOT NULL,
    min_months          int NOT NULL,
    max_months          int NOT NULL,
    source              text NOT NULL,
    CHECK (min_months <= max_months)
);

INSERT INTO publication_period VALUES
 ('MINOR', false, 0, 3,
  '《信用修复管理办法》（国家发展改革委令第36号，2026年4月1日施行）；国办发〔2025〕22号：轻微失信信息原则上不公示，最长3个月'),
 ('GENERAL', true, 3, 12,
  '《信用修复管理办法》（国家发展改革委令第36号，2026年4月1日施行）；国办发〔2025〕22号：一般失信信息最短3个月，最长1年'),
 ('SERIOUS', true, 12, 36,
  '《信用修复管理办法》（国家发展改革委令第36号，2026年4月1日施行）；国办发〔2025〕22号：严重失信信息最短1年，最长3年');

-- +goose Down
DROP TABLE publication_period;
DROP TABLE info_catalogue;
