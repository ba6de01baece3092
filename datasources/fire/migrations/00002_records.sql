-- +goose Up
-- 消防监督检查: one row per inspection; its findings are child rows.
CREATE TABLE fire_inspection (
    id            bigserial PRIMARY KEY,
    unit_code     varchar(18) NOT NULL REFERENCES fire_unit (unit_code),
    -- code_dict ORG
    org_cd        text NOT NULL,
    -- 检查记录编号, e.g. 北安消监检字〔2024〕0123号
    insp_no       text NOT NULL,
    -- code_dict INSP
    insp_type_cd  text NOT NULL,
    inspected_at  timestamptz NOT NULL,
    inspectors    text NOT NULL,
    -- code_dict RESULT: 01 合格, 02 责令限期改正, 03 临时查封, 04 责令停止使用
    result_cd     char(2) NOT NULL,
    published_at  timestamptz
);

-- 检查发现的火灾隐患: the hazards an inspection found, numbered from 1.
CREATE TABLE insp_finding (
    insp_id          bigint NOT NULL REFERENCES fire_inspection (id),
    seq              smallint NOT NULL,
    -- code_dict HAZARD
    hazard_cd        text NOT NULL,
    rectify_deadline date,
    -- when the follow-up inspection (复查) found it rectified
    rectified_at     timestamptz,
    PRIMARY KEY (insp_id, seq)
);

-- 消防行政处罚.
CREATE TABLE fire_penalty (
    id            bigserial PRIMARY KEY,
    unit_code     varchar(18) NOT NULL REFERENCES fire_unit (unit_code),
    -- the inspection that found the offence, when there was one
    insp_id       bigint REFERENCES fire_inspection (id),
    -- code_dict ORG
    org_cd        text NOT NULL,
    -- 行政处罚决定书文号, e.g. 黑消行罚决字〔2024〕0032号
    decision_no   text NOT NULL,
    decided_at    timestamptz NOT NULL,
    -- code_dict HAZARD: the offence
    hazard_cd     text NOT NULL,
    basis         text,
    -- code_dict PENALTY, in the order the decision lists them
    penalty_cds   text[] NOT NULL,
    fine_yuan     numeric(12, 2),
    published_at  timestamptz,
    -- set when the decision was revoked (行政复议 or court)
    revoked_at    timestamptz
);

-- +goose Down
DROP TABLE fire_penalty;
DROP TABLE insp_finding;
DROP TABLE fire_inspection;
