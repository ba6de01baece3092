-- +goose Up
-- Self-declared information (自我声明, issue #14 point 3, T11): an entity
-- declares qualifications, licences held elsewhere, contract performance,
-- public-welfare activity or honours about itself, each under a signed
-- truthfulness commitment (公开作出信用承诺). The department it names may
-- verify the declaration or find it false; a false one is a false
-- commitment (COMMITMENT_BREACH, through the commitment machinery).
--
-- The truthfulness commitment is a row of commitment on an item of its
-- own per verifying department. The items are inactive: they take no
-- commitment through signCommitment, only through a declaration.
INSERT INTO commitment_item (code, name, domain, department, legal_basis, active) VALUES
 ('SD-MARKET', '自我声明信息真实性承诺（市场监管）', 'self-declared information', 'market', '《若干措施》（T11）：鼓励市场主体自愿注册资质证照、市场经营、合同履约、社会公益等信用信息，并公开作出信用承诺', false),
 ('SD-ENVIRONMENT', '自我声明信息真实性承诺（生态环境）', 'self-declared information', 'environment', '《若干措施》（T11）：鼓励市场主体自愿注册资质证照、市场经营、合同履约、社会公益等信用信息，并公开作出信用承诺', false),
 ('SD-FIRE', '自我声明信息真实性承诺（消防救援）', 'self-declared information', 'fire', '《若干措施》（T11）：鼓励市场主体自愿注册资质证照、市场经营、合同履约、社会公益等信用信息，并公开作出信用承诺', false),
 ('SD-HOUSING', '自我声明信息真实性承诺（住房城乡建设）', 'self-declared information', 'housing', '《若干措施》（T11）：鼓励市场主体自愿注册资质证照、市场经营、合同履约、社会公益等信用信息，并公开作出信用承诺', false);

CREATE TABLE declaration (
    id              bigserial PRIMARY KEY,
    uscc            text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('QUALIFICATION', 'LICENCE', 'CONTRACT_PERFORMANCE', 'PUBLIC_WELFARE', 'HONOUR')),
    title           text NOT NULL,
    content         text NOT NULL,
    -- The department asked to verify it, which holds the commitment.
    department      text NOT NULL,
    commitment_id   bigint NOT NULL REFERENCES commitment (id),
    -- The SELF_DECLARATION record the declaration is.
    hub_record_id   bigint NOT NULL REFERENCES hub_record (id),
    declared_at     timestamptz NOT NULL,
    declared_by     text NOT NULL,
    state           text NOT NULL CHECK (state IN ('DECLARED', 'VERIFIED', 'FOUND_FALSE')),
    decided_at      timestamptz,
    decided_by      text,
    decision_reason text,
    CHECK ((state = 'DECLARED') = (decided_at IS NULL))
);
CREATE INDEX declaration_uscc ON declaration (uscc, id);
CREATE INDEX declaration_department ON declaration (department, state, id);

ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION', 'INSPECTION', 'MONITORING_FINDING', 'SELF_DECLARATION'));

INSERT INTO info_catalogue (kind, name, sources, entity_publicity, person_publicity, person_publicity_ceiling, disclosure_required, legal_basis, position, period_applies) VALUES
 ('SELF_DECLARATION', '自我声明信息（资质证照、市场经营、合同履约、社会公益）', '{market,environment,fire,housing}', 'PUBLIC', 'PERSONAL', 'PERSONAL', false,
  '《若干措施》（T11）：鼓励市场主体自愿注册资质证照、市场经营、合同履约、社会公益等信用信息，并公开作出信用承诺', 19, false);

-- +goose Down
DELETE FROM info_catalogue WHERE kind = 'SELF_DECLARATION';
DROP TABLE declaration;
DELETE FROM hub_record WHERE kind = 'SELF_DECLARATION';
ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION', 'INSPECTION', 'MONITORING_FINDING'));
DELETE FROM workflow_history WHERE workflow = 'declaration';
DELETE FROM commitment_item WHERE code LIKE 'SD-%' AND NOT EXISTS (SELECT 1 FROM commitment WHERE item_code = commitment_item.code);
