-- +goose Up
-- Supervision on top of the graph (T7, T12–T13, T19–T20, T25, T30).

-- Scenarios a credit check is asked for, and what triggers a measure: a
-- list the entity is on, or an effective record of a kind at or above a
-- severity. A measure with neither is a reward for entities with no
-- adverse record in force.
ALTER TABLE measure ADD COLUMN scenarios text[] NOT NULL DEFAULT '{}';
ALTER TABLE measure ADD COLUMN record_kinds text[] NOT NULL DEFAULT '{}';
ALTER TABLE measure ADD COLUMN min_severity text CHECK (min_severity IN ('MINOR', 'GENERAL', 'SERIOUS'));
UPDATE measure SET scenarios = '{ADMINISTRATIVE_APPROVAL,QUALIFICATION_REVIEW,MARKET_ACCESS}' WHERE code IN ('M-MKT-01', 'M-MKT-02');
UPDATE measure SET scenarios = '{ADMINISTRATIVE_APPROVAL,MARKET_ACCESS}' WHERE code = 'M-MKT-03';
UPDATE measure SET scenarios = '{ADMINISTRATIVE_APPROVAL,STATE_FUNDING}' WHERE code = 'M-ENV-01';
UPDATE measure SET scenarios = '{ADMINISTRATIVE_APPROVAL}' WHERE code = 'M-FIRE-01';
UPDATE measure SET scenarios = '{BIDDING,PUBLIC_PROCUREMENT,QUALIFICATION_REVIEW}' WHERE code = 'M-HSG-01';
UPDATE measure SET scenarios = '{PUBLIC_PROCUREMENT,BIDDING,STATE_FUNDING}' WHERE code = 'M-CRT-01';
UPDATE measure SET scenarios = '{ADMINISTRATIVE_APPROVAL,MARKET_ACCESS,STATE_FUNDING}' WHERE code = 'M-MKT-R1';
INSERT INTO measure (code, name, kind, department, legal_basis, list_types, scenarios, record_kinds, min_severity) VALUES
 ('M-PRC-01', '限制参加政府采购活动', 'RESTRICTION', 'market',
  '《中华人民共和国政府采购法》第二十二条；财库〔2016〕125号', '{JOINT_PUNISHMENT}', '{PUBLIC_PROCUREMENT,BIDDING}',
  '{DISHONEST_DEBTOR,FALSE_LITIGATION}', 'SERIOUS'),
 ('M-FND-01', '限制申请财政性资金项目', 'RESTRICTION', 'market',
  '发改财金〔2016〕141号', '{JOINT_PUNISHMENT}', '{STATE_FUNDING}',
  '{DISHONEST_DEBTOR,PENALTY,ACCIDENT}', 'SERIOUS'),
 ('M-BID-01', '在招标投标中依法限制或作为评标扣分因素', 'RESTRICTION', 'housing',
  '《招标投标法实施条例》；《建筑市场信用管理暂行办法》', '{}', '{BIDDING}',
  '{ACCIDENT,BAD_CONDUCT,PENALTY}', 'GENERAL'),
 ('M-APR-01', '审批中列为重点核查对象，不适用告知承诺', 'RESTRICTION', 'market',
  '国办发〔2020〕42号', '{}', '{ADMINISTRATIVE_APPROVAL,MARKET_ACCESS}',
  '{COMMITMENT_BREACH,PENALTY,ABNORMAL_OPERATION}', 'GENERAL');

-- Every credit check, as asked: who, for what scenario, the answer.
CREATE TABLE credit_check (
    id          bigserial PRIMARY KEY,
    uscc        text NOT NULL,
    scenario    text NOT NULL,
    asked_by    text NOT NULL,
    asked_org   text NOT NULL,
    asked_at    timestamptz NOT NULL,
    complete    boolean NOT NULL,
    missing     text[] NOT NULL,
    measures    text[] NOT NULL,
    result      jsonb NOT NULL
);
CREATE INDEX credit_check_org ON credit_check (asked_org, asked_at);

-- What the asking system did with a check: the measure it applied (应查必查、奖惩到位).
CREATE TABLE measure_application (
    id          bigserial PRIMARY KEY,
    check_id    bigint NOT NULL REFERENCES credit_check (id),
    measure     text NOT NULL REFERENCES measure (code),
    applied     boolean NOT NULL,
    note        text NOT NULL DEFAULT '',
    reported_by text NOT NULL,
    reported_org text NOT NULL,
    reported_at timestamptz NOT NULL,
    UNIQUE (check_id, measure)
);

-- The grading model (T12), as data: each factor's weight in points
-- deducted (positive) or added (negative), and the grade thresholds.
CREATE TABLE grade_factor (
    code        text PRIMARY KEY,
    description text NOT NULL,
    points      int NOT NULL,
    source      text NOT NULL
);
INSERT INTO grade_factor VALUES
 ('JOINT_PUNISHMENT_LISTING', 'On the joint-punishment list', 60, '《若干措施》（T14）；市场监管总局2022年企业信用风险分类管理'),
 ('MARKET_BAN', 'Under a market or industry ban', 60, '《若干措施》（T21）'),
 ('KEY_ATTENTION_LISTING', 'On a key-attention list', 25, '《若干措施》（T15）'),
 ('SERIOUS_RECORD', 'Each serious dishonesty record in force', 30, '《信用修复管理办法》（发改委令第36号）严重失信信息'),
 ('GENERAL_RECORD', 'Each general dishonesty record in force', 12, '发改委令第36号 一般失信信息'),
 ('MINOR_RECORD', 'Each minor dishonesty record in force', 4, '发改委令第36号 轻微失信信息'),
 ('ABNORMAL_OPERATION', 'In the abnormal-operation directory', 10, '《企业经营异常名录管理暂行办法》'),
 ('COMMITMENT_BREACHED', 'A breached or false credit commitment', 15, '《若干措施》（T3）'),
 ('COMMITMENT_FULFILLED', 'A fulfilled credit commitment', -3, '《若干措施》（T3）守信激励'),
 ('ENV_TRUSTWORTHY', 'Environmental credit: 环保诚信企业', -5, '《企业环境信用评价办法（试行）》'),
 ('ENV_WARNED', 'Environmental credit: 环保警示企业', 10, '《企业环境信用评价办法（试行）》'),
 ('ENV_BAD', 'Environmental credit: 环保不良企业', 25, '《企业环境信用评价办法（试行）》'),
 ('COMPLAINTS', 'Each 12315 complaint in the last 12 months beyond the second', 2, '《市场监督管理投诉举报处理暂行办法》');

CREATE TABLE grade_threshold (
    grade      text PRIMARY KEY CHECK (grade IN ('A', 'B', 'C', 'D')),
    max_points int,
    meaning    text NOT NULL,
    source     text NOT NULL
);
INSERT INTO grade_threshold VALUES
 ('A', 0, 'low risk (信用风险低)', '市场监管总局《企业信用风险分类管理》（2022）'),
 ('B', 20, 'normal risk (信用风险一般)', '市场监管总局《企业信用风险分类管理》（2022）'),
 ('C', 59, 'higher risk (信用风险较高)', '市场监管总局《企业信用风险分类管理》（2022）'),
 ('D', NULL, 'high risk (信用风险高)', '市场监管总局《企业信用风险分类管理》（2022）');

-- Grades as last computed, with the facts that produced them, for the
-- distribution and for random inspection.
CREATE TABLE entity_grade (
    uscc        text PRIMARY KEY,
    grade       text NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    points      int NOT NULL,
    reasons     jsonb NOT NULL,
    division    text NOT NULL,
    kind        text NOT NULL,
    complete    boolean NOT NULL,
    computed_at timestamptz NOT NULL
);
CREATE INDEX entity_grade_dist ON entity_grade (division, kind, grade);

-- Double-random inspection (T13): the plan, its published seed, the ratio
-- per grade, and the sample drawn.
CREATE TABLE inspector (
    id         bigserial PRIMARY KEY,
    department text NOT NULL,
    name       text NOT NULL,
    badge_no   text NOT NULL UNIQUE,
    active     boolean NOT NULL DEFAULT true
);

CREATE TABLE inspection_plan (
    id          bigserial PRIMARY KEY,
    department  text NOT NULL,
    title       text NOT NULL,
    seed        text NOT NULL,
    population  jsonb NOT NULL,
    ratios      jsonb NOT NULL,
    inspectors_per_entity int NOT NULL,
    population_size int NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE plan_sample (
    plan_id    bigint NOT NULL REFERENCES inspection_plan (id),
    uscc       text NOT NULL,
    grade      text NOT NULL,
    inspectors bigint[] NOT NULL,
    PRIMARY KEY (plan_id, uscc)
);

-- Credit reports (T7, T30): what was issued, its content hash and signature.
CREATE TABLE credit_report (
    number      text PRIMARY KEY,
    uscc        text NOT NULL,
    purpose     text NOT NULL,
    issued_at   timestamptz NOT NULL,
    issued_to   text NOT NULL,
    content     jsonb NOT NULL,
    content_sha256 text NOT NULL,
    signature   text NOT NULL,
    key_id      text NOT NULL
);

-- Warnings (T25): rules as data, warnings raised, and how far each
-- department's tables were scanned.
CREATE TABLE warning_rule (
    code        text PRIMARY KEY,
    description text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('NEW_PENALTY_ABOVE', 'COURT_LISTING', 'COMPLAINTS_IN_30_DAYS', 'RECTIFICATION_DEADLINE_NEAR')),
    threshold   numeric NOT NULL,
    level       text NOT NULL CHECK (level IN ('NOTICE', 'WARNING', 'ALERT')),
    active      boolean NOT NULL DEFAULT true,
    source      text NOT NULL
);
INSERT INTO warning_rule VALUES
 ('W-PEN-100K', 'A new administrative penalty with a fine of 100,000 yuan or more', 'NEW_PENALTY_ABOVE', 100000, 'WARNING', true, '《若干措施》第四条第（一）项（T25）：建立健全市场主体信用分析预警机制'),
 ('W-COURT', 'A new court listing (dishonest judgment debtor, false litigation, consumption restriction)', 'COURT_LISTING', 0, 'ALERT', true, '《若干措施》（T25、T27）'),
 ('W-12315', 'Three or more 12315 complaints within 30 days', 'COMPLAINTS_IN_30_DAYS', 3, 'NOTICE', true, '《若干措施》（T10、T25）'),
 ('W-RECTIFY', 'A listing''s rectification deadline within 5 days', 'RECTIFICATION_DEADLINE_NEAR', 5, 'NOTICE', true, '《若干措施》（T16、T25）');

CREATE TABLE warning (
    id          bigserial PRIMARY KEY,
    rule        text NOT NULL REFERENCES warning_rule (code),
    uscc        text NOT NULL,
    level       text NOT NULL,
    message     text NOT NULL,
    record_id   text NOT NULL DEFAULT '',
    raised_at   timestamptz NOT NULL,
    UNIQUE (rule, uscc, record_id)
);
CREATE INDEX warning_raised ON warning (raised_at DESC);

CREATE TABLE scan_watermark (
    source      text NOT NULL,
    kind        text NOT NULL,
    last_id     bigint NOT NULL,
    PRIMARY KEY (source, kind)
);

-- +goose Down
DROP TABLE scan_watermark;
DROP TABLE warning;
DROP TABLE warning_rule;
DROP TABLE credit_report;
DROP TABLE plan_sample;
DROP TABLE inspection_plan;
DROP TABLE inspector;
DROP TABLE entity_grade;
DROP TABLE grade_threshold;
DROP TABLE grade_factor;
DROP TABLE measure_application;
DROP TABLE credit_check;
DELETE FROM measure WHERE code IN ('M-PRC-01', 'M-FND-01', 'M-BID-01', 'M-APR-01');
ALTER TABLE measure DROP COLUMN min_severity;
ALTER TABLE measure DROP COLUMN record_kinds;
ALTER TABLE measure DROP COLUMN scenarios;
