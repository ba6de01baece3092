-- +goose Up
-- 质量安全事故: accidents on the sites of construction enterprises, entered
-- once the investigation is concluded and the bureau has decided on the
-- enterprise (decision_no, decided_on).
CREATE TABLE quality_safety_accident (
    id               bigserial PRIMARY KEY,
    social_credit_no varchar(18) NOT NULL,
    enterprise_name  text NOT NULL,
    project_name     text NOT NULL,
    -- 质量事故, 安全事故
    category         text NOT NULL,
    -- 高处坠落, 物体打击, 坍塌, 起重伤害, 机械伤害, 触电, 主体结构质量缺陷 …
    accident_type    text NOT NULL,
    occurred_on      date NOT NULL,
    -- 生产安全事故报告和调查处理条例 第三条: 1 一般事故, 2 较大事故,
    -- 3 重大事故, 4 特别重大事故.
    accident_level   smallint NOT NULL CHECK (accident_level BETWEEN 1 AND 4),
    deaths           integer NOT NULL DEFAULT 0 CHECK (deaths >= 0),
    injuries         integer NOT NULL DEFAULT 0 CHECK (injuries >= 0),
    -- 直接经济损失, in 万元.
    direct_loss_wan  numeric(14, 4) CHECK (direct_loss_wan >= 0),
    decision_no      text NOT NULL,
    decided_on       date NOT NULL,
    authority        text NOT NULL,
    published_on     date,
    CHECK (decided_on >= occurred_on)
);

-- 建筑市场不良行为记录, coded after 全国建筑市场各方主体不良行为记录认定标准.
CREATE TABLE bad_conduct (
    id               bigserial PRIMARY KEY,
    social_credit_no varchar(18) NOT NULL,
    enterprise_name  text NOT NULL,
    -- A1-1 … A5-1 (施工单位); the letter names the party, the digit the group
    -- (1 资质, 2 承揽业务, 3 工程质量, 4 工程安全, 5 拖欠工程款或工人工资).
    conduct_code     varchar(8) NOT NULL,
    conduct          text NOT NULL,
    project_name     text,
    -- The decision the record rests on (行政处罚决定书 or 认定书).
    decision_no      text NOT NULL,
    decided_on       date NOT NULL,
    authority        text NOT NULL,
    published_on     date,
    -- 公布期限: 6 months to 3 years from the decision.
    publish_until    date,
    -- 公布中; 期满撤下 once the publication period has ended.
    state            text NOT NULL DEFAULT '公布中' CHECK (state IN ('公布中', '期满撤下'))
);

-- +goose Down
DROP TABLE bad_conduct;
DROP TABLE quality_safety_accident;
