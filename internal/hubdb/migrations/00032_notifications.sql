-- +goose Up
-- T23: the bodies the hub notifies when an organ, a public institution, a
-- state-owned enterprise or a public employee breaks the law or breaks
-- faith, as data. Each signs in with a department token whose org is its
-- code. Superior bodies are named by the registry (superior_code); the
-- audit, discipline-inspection and personnel bodies are notified of every
-- such cause.
CREATE TABLE notify_body (
    code text PRIMARY KEY,
    name text NOT NULL,
    -- AUDIT (审计), DISCIPLINE (纪检监察), PERSONNEL (组织人事), SUPERIOR (上级主管部门)
    role text NOT NULL CHECK (role IN ('AUDIT', 'DISCIPLINE', 'PERSONNEL', 'SUPERIOR'))
);
INSERT INTO notify_body (code, name, role) VALUES
    ('SJJ', '黑河市审计局', 'AUDIT'),
    ('JWJW', '中共黑河市纪律检查委员会 黑河市监察委员会', 'DISCIPLINE'),
    ('ZZB', '中共黑河市委组织部', 'PERSONNEL'),
    ('RSJ', '黑河市人力资源和社会保障局', 'PERSONNEL'),
    ('ZFB', '黑河市人民政府办公室', 'SUPERIOR'),
    ('JYJ', '黑河市教育局', 'SUPERIOR'),
    ('WJW', '黑河市卫生健康委员会', 'SUPERIOR'),
    ('GZW', '黑河市人民政府国有资产监督管理委员会', 'SUPERIOR');

-- Public employees (公职人员) and their units: the registry knows no such
-- thing, so the hub keeps it (the personnel bodies' roster). A record
-- against one of them notifies the unit (signed in with a department
-- token whose org is the unit's code) and the discipline-inspection and
-- personnel bodies.
CREATE TABLE public_employee (
    id_no     varchar(18) PRIMARY KEY,
    name      text NOT NULL,
    unit_uscc varchar(18) NOT NULL,
    unit_name text NOT NULL
);

-- One notification per cause and recipient: a rescan or a retried
-- listing writes nothing twice.
CREATE TABLE notification (
    id              bigserial PRIMARY KEY,
    recipient       text NOT NULL,
    -- SERIOUS_DISHONESTY, JOINT_PUNISHMENT, DISHONEST_DEBTOR
    cause           text NOT NULL CHECK (cause IN ('SERIOUS_DISHONESTY', 'JOINT_PUNISHMENT', 'DISHONEST_DEBTOR')),
    -- The record (its global id) or the list entry that caused it.
    cause_id        text NOT NULL,
    -- ENTITY (an organ, public institution or state-owned enterprise) or EMPLOYEE
    about           text NOT NULL CHECK (about IN ('ENTITY', 'EMPLOYEE')),
    uscc            varchar(18),
    id_no           varchar(18),
    subject_name    text NOT NULL,
    -- Why this recipient: SUPERIOR, AUDIT, UNIT, DISCIPLINE, PERSONNEL
    as_role         text NOT NULL,
    message         text NOT NULL,
    created_at      timestamptz NOT NULL,
    acknowledged_at timestamptz,
    acknowledged_by text,
    UNIQUE (cause_id, recipient),
    CHECK ((about = 'ENTITY') = (uscc IS NOT NULL))
);
CREATE INDEX notification_inbox ON notification (recipient, id DESC);

-- +goose Down
DROP TABLE notification;
DROP TABLE public_employee;
DROP TABLE notify_body;
