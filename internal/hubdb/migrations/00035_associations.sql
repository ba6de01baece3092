-- +goose Up
-- Industry associations and chambers of commerce (行业协会商会, T29:
-- 支持有关部门授权的行业协会商会协助开展行业信用建设和信用监管。鼓励行业协会
-- 商会建立会员信用记录，开展信用承诺、信用培训、诚信宣传、诚信倡议等).
--
-- An association signs in with a token of kind association whose org is
-- its unified social credit code (51…: a social organisation registered by
-- civil affairs). The hub knows it once a department authorised it for an
-- industry (a GB/T 4754 section, A–T); it may then register members of
-- that industry and record their self-discipline measures, commitments,
-- training and honours, which are credit records of the members with a
-- source of their own (the association, never a department). A revoked
-- authorisation ends all of that for the industry's members.
CREATE TABLE association (
    code       varchar(18) PRIMARY KEY,
    name       text NOT NULL,
    -- The first authorisation's moment and department.
    created_at timestamptz NOT NULL,
    created_by text NOT NULL
);

CREATE TABLE association_authorization (
    id            bigserial PRIMARY KEY,
    association   varchar(18) NOT NULL REFERENCES association (code),
    -- GB/T 4754-2017 section letter, as the registry's industry_code.
    industry      char(1) NOT NULL CHECK (industry BETWEEN 'A' AND 'T'),
    department    text NOT NULL,
    basis         text NOT NULL,
    state         text NOT NULL CHECK (state IN ('GRANTED', 'REVOKED')),
    granted_at    timestamptz NOT NULL,
    granted_by    text NOT NULL,
    revoked_at    timestamptz,
    revoked_by    text,
    revoke_reason text,
    CHECK ((state = 'REVOKED') = (revoked_at IS NOT NULL))
);
-- One live authorisation per association, industry and department.
CREATE UNIQUE INDEX association_authorization_live ON association_authorization (association, industry, department) WHERE state = 'GRANTED';
CREATE INDEX association_authorization_of ON association_authorization (association, id);
CREATE INDEX association_authorization_department ON association_authorization (department, id);

-- The member registry: an entity is a member of an association from
-- joined_on until left_on (inclusive of neither after it). Its industry is
-- the registry's when it was registered: the authorisation that covers it.
CREATE TABLE association_member (
    id            bigserial PRIMARY KEY,
    association   varchar(18) NOT NULL REFERENCES association (code),
    uscc          varchar(18) NOT NULL,
    entity_name   text NOT NULL,
    industry      char(1) NOT NULL CHECK (industry BETWEEN 'A' AND 'T'),
    joined_on     date NOT NULL,
    left_on       date,
    state         text NOT NULL CHECK (state IN ('MEMBER', 'LEFT')),
    registered_at timestamptz NOT NULL,
    registered_by text NOT NULL,
    left_at       timestamptz,
    left_by       text,
    left_reason   text,
    CHECK ((state = 'LEFT') = (left_on IS NOT NULL)),
    CHECK (left_on IS NULL OR left_on >= joined_on)
);
-- An entity is a member of an association once at a time.
CREATE UNIQUE INDEX association_member_live ON association_member (association, uscc) WHERE state = 'MEMBER';
CREATE INDEX association_member_of ON association_member (association, id);
CREATE INDEX association_member_uscc ON association_member (uscc, id);

-- The members' records: hub records whose department column is the
-- association's code.
ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION', 'INSPECTION', 'MONITORING_FINDING', 'SELF_DECLARATION',
                    'ASSOCIATION_DISCIPLINE', 'ASSOCIATION_RECORD'));

-- Their openness. A self-discipline measure (警告, 通报批评, 公开谴责,
-- 取消会员资格) is the association's, not an administrative decision: shared
-- with the departments and the member's association; the credit office may
-- open it up to the schema's PUBLIC (T8). Commitments, training and honours
-- are public, as commitments are (T3). Members are market entities; a
-- natural person's would stay personal.
INSERT INTO info_catalogue (kind, name, sources, entity_publicity, person_publicity, person_publicity_ceiling, disclosure_required, legal_basis, position, period_applies) VALUES
 ('ASSOCIATION_DISCIPLINE', '行业协会商会自律惩戒（警告、通报批评、公开谴责、取消会员资格）', '{market,environment,fire,housing}', 'SHARED', 'PERSONAL', 'PERSONAL', false,
  '《若干措施》第二十九项（T29）：支持有关部门授权的行业协会商会协助开展行业信用建设和信用监管；《关于推进行业协会商会诚信自律建设工作的意见》（民发〔2014〕225号）', 27, false),
 ('ASSOCIATION_RECORD', '行业协会商会会员信用记录（信用承诺、信用培训、诚信荣誉）', '{market,environment,fire,housing}', 'PUBLIC', 'PERSONAL', 'PERSONAL', false,
  '《若干措施》第二十九项（T29）：鼓励行业协会商会建立会员信用记录，开展信用承诺、信用培训、诚信宣传、诚信倡议等', 28, false);

-- +goose Down
DELETE FROM info_catalogue WHERE kind IN ('ASSOCIATION_DISCIPLINE', 'ASSOCIATION_RECORD');
DELETE FROM hub_record WHERE kind IN ('ASSOCIATION_DISCIPLINE', 'ASSOCIATION_RECORD');
ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION', 'INSPECTION', 'MONITORING_FINDING', 'SELF_DECLARATION'));
DELETE FROM workflow_history WHERE workflow IN ('associationAuthorization', 'membership');
DROP TABLE association_member;
DROP TABLE association_authorization;
DROP TABLE association;
