-- +goose Up
-- The credit office's workflows (T1–T3, T11, T14–T24, T28). Every
-- transition writes its state, a workflow_history row and its effects in
-- one transaction (workflow/*.go).

-- One history for every workflow: who moved what, when, from which state to
-- which, why.
CREATE TABLE workflow_history (
    id         bigserial PRIMARY KEY,
    workflow   text NOT NULL,
    object_id  bigint NOT NULL,
    action     text NOT NULL,
    from_state text NOT NULL,
    to_state   text NOT NULL,
    actor      text NOT NULL,
    actor_org  text NOT NULL,
    at         timestamptz NOT NULL,
    reason     text NOT NULL DEFAULT ''
);
CREATE INDEX workflow_history_object ON workflow_history (workflow, object_id, at);

-- Deadlines and rules, as data with their sources (they change).
CREATE TABLE workflow_rule (
    code         text PRIMARY KEY,
    description  text NOT NULL,
    working_days int,
    source       text NOT NULL
);
INSERT INTO workflow_rule VALUES
 ('DISCLOSURE', 'Licensing, penalty and other administrative decisions are published within 7 working days of the decision', 7,
  '《黑河市加快推进社会信用体系建设构建以信用为基础的新型监管机制的若干措施》第四条第（二）项（T26）'),
 ('OBJECTION_CHECK', 'The credit platform checks an objection and passes it to the providing department', 1,
  '《深圳经济特区社会信用条例》第三十六条（异议核查时限）, as the strictest local rule'),
 ('OBJECTION_DECIDE', 'The providing department decides an objection after the platform''s check', 2,
  '《深圳经济特区社会信用条例》第三十六条'),
 ('OBJECTION_EXTEND', 'Extension of the providing department''s deadline, once, with approval', 3,
  '《深圳经济特区社会信用条例》第三十六条'),
 ('REPAIR_ACCEPT', 'The application window answers a repair application', 10,
  '《信用修复管理办法》（国家发展改革委令第36号，2026年4月1日施行）'),
 ('REPAIR_DECIDE', 'The identifying department decides a repair after receiving it', 3,
  '《信用修复管理办法》（国家发展改革委令第36号）'),
 ('PUSH_FEEDBACK', 'A department answers a pushed joint-punishment case with its execution feedback', 5,
  '黑河市联合奖惩信用信息管理系统运行规则（T18–T20: 发起响应、信息推送、执行反馈）; local rule'),
 ('INTERVIEW_AFTER', 'An interview may be held once the rectification deadline of a listing has passed', 0,
  '《若干措施》第三条第（一）项（T16）: 整改不到位的，由认定部门启动提示约谈或警示约谈'),
 ('RECHECK_SHARE', 'Share of repaired cases re-checked each period, in percent', NULL,
  '《若干措施》第三条第（五）项（T24）: 定期对已修复案例实施核查复查');

-- Cases that cannot be repaired (refuseRepair names one).
CREATE TABLE repair_rule (
    code        text PRIMARY KEY,
    description text NOT NULL,
    source      text NOT NULL
);
INSERT INTO repair_rule VALUES
 ('BEFORE_MINIMUM', 'The minimum publication period of the record''s class has not passed (minor: none, general: 3 months, serious: 1 year)',
  '《信用修复管理办法》（国家发展改革委令第36号）'),
 ('OBLIGATIONS_UNFULFILLED', 'The obligations of the decision (fine, rectification) are not fulfilled',
  '《信用修复管理办法》（国家发展改革委令第36号）'),
 ('NOT_REPAIRABLE_BY_LAW', 'Laws, regulations or the State Council exclude repair for this information',
  '《信用修复管理办法》（国家发展改革委令第36号）；国办发〔2025〕22号'),
 ('REPEATED_DISHONESTY', 'The same dishonest conduct again within the repair''s look-back period, or a repair obtained by fraud before',
  '《信用修复管理办法》（国家发展改革委令第36号）'),
 ('COURT_LIST', 'Court lists (dishonest judgment debtors, false litigation) are removed by the court, not repaired by the hub',
  '《最高人民法院关于公布失信被执行人名单信息的若干规定》');

-- The items that accept a credit commitment (T1–T2), kept by the
-- business-environment bureau.
CREATE TABLE commitment_item (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    domain      text NOT NULL,
    department  text NOT NULL,
    legal_basis text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    updated_by  text NOT NULL DEFAULT 'migration',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO commitment_item (code, name, domain, department, legal_basis) VALUES
 ('MA-001', '企业设立登记（告知承诺制）', 'market access', 'market', '《中华人民共和国市场主体登记管理条例》；国办发〔2020〕42号'),
 ('MA-002', '食品经营许可（告知承诺制）', 'food production licence', 'market', '《食品经营许可和备案管理办法》'),
 ('FP-001', '食品生产许可延续（告知承诺制）', 'food production licence', 'market', '《食品生产许可管理办法》'),
 ('IC-001', '企业投资项目核准（承诺制）', 'investment construction', 'housing', '《企业投资项目核准和备案管理条例》'),
 ('IC-002', '建筑工程施工许可（告知承诺制）', 'investment construction', 'housing', '《建筑工程施工许可管理办法》'),
 ('FS-001', '公众聚集场所投入使用、营业前消防安全检查（告知承诺）', 'fire', 'fire', '《中华人民共和国消防法》第十五条'),
 ('EP-001', '排污许可证申请（承诺制）', 'environment', 'environment', '《排污许可管理条例》'),
 ('EP-002', '建设项目环境影响评价审批（告知承诺制）', 'environment', 'environment', '《中华人民共和国环境影响评价法》');

CREATE TABLE commitment (
    id          bigserial PRIMARY KEY,
    item_code   text NOT NULL REFERENCES commitment_item (code),
    uscc        text NOT NULL,
    content     text NOT NULL,
    department  text NOT NULL,
    state       text NOT NULL CHECK (state IN ('SIGNED', 'FULFILLED', 'BREACHED', 'FOUND_FALSE')),
    severity    text CHECK (severity IN ('MINOR', 'GENERAL', 'SERIOUS')),
    signed_at   timestamptz NOT NULL,
    record_id   bigint NOT NULL DEFAULT 0
);
CREATE INDEX commitment_uscc ON commitment (uscc, id DESC);

-- The measures catalogue of joint reward and punishment (T19).
CREATE TABLE measure (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('RESTRICTION', 'REWARD')),
    department  text NOT NULL,
    legal_basis text NOT NULL,
    list_types  text[] NOT NULL
);
INSERT INTO measure VALUES
 ('M-MKT-01', '限制担任企业法定代表人、董事、监事、高级管理人员', 'RESTRICTION', 'market', '《中华人民共和国公司法》第一百七十八条；发改财金〔2016〕141号', '{JOINT_PUNISHMENT,MARKET_BAN}'),
 ('M-MKT-02', '在行政许可中列为重点审查对象，不适用告知承诺制', 'RESTRICTION', 'market', '国办发〔2020〕49号', '{JOINT_PUNISHMENT,KEY_ATTENTION}'),
 ('M-MKT-03', '提高双随机抽查比例和频次', 'RESTRICTION', 'market', '国办发〔2019〕35号', '{JOINT_PUNISHMENT,KEY_ATTENTION}'),
 ('M-ENV-01', '限制新增排污许可、从严审批环评', 'RESTRICTION', 'environment', '发改财金〔2016〕1580号', '{JOINT_PUNISHMENT}'),
 ('M-FIRE-01', '列为消防监督检查重点对象', 'RESTRICTION', 'fire', '《消防监督检查规定》', '{JOINT_PUNISHMENT,KEY_ATTENTION}'),
 ('M-HSG-01', '限制参加工程招标投标、资质升级', 'RESTRICTION', 'housing', '《建筑市场信用管理暂行办法》第十四条', '{JOINT_PUNISHMENT,MARKET_BAN}'),
 ('M-CRT-01', '限制高消费及非生活和工作必需的消费', 'RESTRICTION', 'court', '《最高人民法院关于限制被执行人高消费及有关消费的若干规定》', '{JOINT_PUNISHMENT}'),
 ('M-MKT-R1', '守信激励：行政审批绿色通道、容缺受理', 'REWARD', 'market', '国发〔2016〕33号', '{}');

-- List entries (T14, T15, T21).
CREATE TABLE list_entry (
    id             bigserial PRIMARY KEY,
    list_type      text NOT NULL CHECK (list_type IN ('JOINT_PUNISHMENT', 'KEY_ATTENTION', 'MARKET_BAN')),
    domain         text,
    uscc           text NOT NULL,
    department     text NOT NULL,
    basis          text NOT NULL,
    linked_records text[] NOT NULL DEFAULT '{}',
    entered_on     date NOT NULL,
    rectify_by     date,
    ban_start      date,
    ban_end        date,
    permanent      boolean NOT NULL DEFAULT false,
    state          text NOT NULL CHECK (state IN ('LISTED', 'REMOVED')),
    removed_on     date,
    removal_reason text CHECK (removal_reason IN ('REPAIRED', 'EXPIRED', 'REVOKED')),
    CHECK (list_type <> 'MARKET_BAN' OR (ban_start IS NOT NULL AND (permanent OR ban_end IS NOT NULL))),
    CHECK (list_type <> 'KEY_ATTENTION' OR domain IS NOT NULL)
);
CREATE INDEX list_entry_uscc ON list_entry (uscc, id DESC);

CREATE TABLE interview (
    id            bigserial PRIMARY KEY,
    list_entry_id bigint NOT NULL REFERENCES list_entry (id),
    uscc          text NOT NULL,
    type          text NOT NULL CHECK (type IN ('PROMPT', 'WARNING')),
    held_on       date NOT NULL,
    department    text NOT NULL,
    notes         text NOT NULL
);

-- Joint-punishment cases and their pushes (T18–T20).
CREATE TABLE joint_case (
    id            bigserial PRIMARY KEY,
    list_entry_id bigint NOT NULL REFERENCES list_entry (id),
    uscc          text NOT NULL,
    state         text NOT NULL CHECK (state IN ('OPEN', 'CLOSED')),
    opened_at     timestamptz NOT NULL,
    closed_at     timestamptz
);
CREATE UNIQUE INDEX joint_case_one_open ON joint_case (list_entry_id) WHERE state = 'OPEN';

CREATE TABLE case_push (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES joint_case (id),
    uscc            text NOT NULL,
    department      text NOT NULL,
    measures        text[] NOT NULL,
    pushed_at       timestamptz NOT NULL,
    due_date        date NOT NULL,
    state           text NOT NULL CHECK (state IN ('PUSHED', 'ANSWERED')),
    measure_applied text,
    applied_on      date,
    answered_by     text,
    UNIQUE (case_id, department)
);

-- Objections (T28).
CREATE TABLE objection (
    id              bigserial PRIMARY KEY,
    record_id       text NOT NULL,
    department      text NOT NULL,
    subject_uscc    text NOT NULL DEFAULT '',
    subject_id_no   text NOT NULL DEFAULT '',
    filed_by        text NOT NULL,
    filed_at        timestamptz NOT NULL,
    reason          text NOT NULL,
    state           text NOT NULL CHECK (state IN ('FILED', 'CHECKED', 'UPHELD', 'REJECTED')),
    check_due       date NOT NULL,
    decision_due    date,
    extended        boolean NOT NULL DEFAULT false,
    outcome         text CHECK (outcome IN ('CORRECT', 'REVOKE')),
    decision_reason text
);
CREATE UNIQUE INDEX objection_one_open ON objection (record_id) WHERE state IN ('FILED', 'CHECKED');

-- Repairs (T24).
CREATE TABLE repair (
    id                    bigserial PRIMARY KEY,
    record_id             text NOT NULL,
    department            text NOT NULL,
    uscc                  text NOT NULL,
    applied_at            timestamptz NOT NULL,
    commitment            text NOT NULL,
    obligations_fulfilled boolean NOT NULL,
    state                 text NOT NULL CHECK (state IN ('APPLIED', 'ACCEPTED', 'REFUSED', 'REPAIRED', 'DENIED', 'REVERSED')),
    accept_due            date NOT NULL,
    decision_due          date,
    refusal_rule          text REFERENCES repair_rule (code),
    decision_reason       text,
    last_recheck_at       timestamptz
);
CREATE UNIQUE INDEX repair_one_open ON repair (record_id) WHERE state IN ('APPLIED', 'ACCEPTED', 'REPAIRED');

-- Records the hub itself creates (a breach, an interview, a listing of the
-- entity and of its responsible persons, T22). Their source is the
-- identifying department.
CREATE TABLE hub_record (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION')),
    subject_uscc  text NOT NULL DEFAULT '',
    subject_id_no text NOT NULL DEFAULT '',
    subject_name  text NOT NULL DEFAULT '',
    department    text NOT NULL,
    decision_no   text,
    decision_date date NOT NULL,
    summary       text NOT NULL,
    severity      text CHECK (severity IN ('MINOR', 'GENERAL', 'SERIOUS')),
    status        text NOT NULL DEFAULT 'EFFECTIVE',
    detail        jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((subject_uscc = '') <> (subject_id_no = ''))
);

-- What the hub applies on top of a department's record, by the record's
-- global id: UNDER_OBJECTION, CORRECTED (with the corrected fields),
-- REVOKED, REPAIRED. The department's database is never written. Inactive
-- overlays are kept as history.
CREATE TABLE record_overlay (
    id          bigserial PRIMARY KEY,
    record_id   text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('UNDER_OBJECTION', 'CORRECTED', 'REVOKED', 'REPAIRED')),
    fields      jsonb NOT NULL DEFAULT '{}',
    source      text NOT NULL,
    source_id   bigint NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL
);
CREATE INDEX record_overlay_active ON record_overlay (record_id) WHERE active;

INSERT INTO info_catalogue (kind, name, sources, entity_publicity, person_publicity, disclosure_required, legal_basis, position, period_applies) VALUES
 ('COMMITMENT_BREACH', '违背信用承诺', '{market,environment,fire,housing}', 'PUBLIC', 'PERSONAL', false,
  '《若干措施》第一条第（一）项（T3）：承诺履约情况记入承诺人信用记录…对违背承诺、虚假承诺的，视情节严重程度实施信用约束', 14, true),
 ('INTERVIEW', '约谈记录', '{market,environment,fire,housing,court}', 'SHARED', 'PERSONAL', false,
  '《若干措施》第三条第（一）项（T16）：约谈记录记入失信市场主体信用记录', 15, false),
 ('LISTING', '联合惩戒对象名单、市场和行业禁入', '{market,environment,fire,housing,court}', 'PUBLIC', 'PERSONAL', false,
  '《若干措施》第三条第（一）（三）（四）项（T14、T21、T22）', 16, false),
 ('KEY_ATTENTION', '重点关注对象名单', '{market,environment,fire,housing,court}', 'SHARED', 'PERSONAL', false,
  '《若干措施》第三条第（一）项（T15）', 17, false);

-- Writers notify every hub instance that the hub's state (records and
-- overlays) changed.
-- (pg_notify('credithub_state', …) is sent by the workflows' transactions.)

-- +goose Down
DELETE FROM info_catalogue WHERE kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION');
DROP TABLE record_overlay;
DROP TABLE hub_record;
DROP TABLE repair;
DROP TABLE objection;
DROP TABLE case_push;
DROP TABLE joint_case;
DROP TABLE interview;
DROP TABLE list_entry;
DROP TABLE measure;
DROP TABLE commitment;
DROP TABLE commitment_item;
DROP TABLE repair_rule;
DROP TABLE workflow_rule;
DROP TABLE workflow_history;
