-- +goose Up
-- Findings (issue #15, T30: 失信案例核查、失信行为跟踪监测): a credit service
-- agency sends back what the departments asked it to help with — the
-- verification of a dishonesty case (one record) or a monitoring finding on
-- an entity — and the department that owns the matter accepts or rejects
-- it. A verification is owned by the record's department, a monitoring
-- finding by the department the agency chose.
CREATE TABLE finding (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('CASE_VERIFICATION', 'MONITORING')),
    -- The submitting agency (its token's org) and who at it (sub).
    agency          text NOT NULL,
    submitted_by    text NOT NULL,
    uscc            text NOT NULL,
    -- The record verified, or the record a monitoring finding follows up
    -- (a record's global id).
    record_id       text,
    department      text NOT NULL,
    -- A verification's conclusion: the case holds, or the agency finds it
    -- wrong.
    verdict         text CHECK (verdict IN ('CONFIRMED', 'DISPUTED')),
    summary         text NOT NULL,
    evidence        text NOT NULL,
    submitted_at    timestamptz NOT NULL,
    state           text NOT NULL CHECK (state IN ('SUBMITTED', 'ACCEPTED', 'REJECTED')),
    -- What accepting a disputed verification did to the record.
    outcome         text CHECK (outcome IN ('CORRECT', 'REVOKE')),
    decided_at      timestamptz,
    decided_by      text,
    decision_reason text,
    -- The MONITORING_FINDING record accepting a monitoring finding created.
    hub_record_id   bigint REFERENCES hub_record (id),
    CHECK ((kind = 'CASE_VERIFICATION') = (verdict IS NOT NULL)),
    CHECK (kind <> 'CASE_VERIFICATION' OR record_id IS NOT NULL),
    CHECK ((state = 'SUBMITTED') = (decided_at IS NULL))
);
-- One open verification of a record per agency: a second is a CONFLICT.
CREATE UNIQUE INDEX finding_one_open ON finding (agency, record_id) WHERE state = 'SUBMITTED' AND kind = 'CASE_VERIFICATION';
-- The agency's own list and a department's, newest first, a page at a time.
CREATE INDEX finding_agency ON finding (agency, id);
CREATE INDEX finding_department ON finding (department, state, id);

-- An accepted monitoring finding is a credit record the hub holds.
ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION', 'MONITORING_FINDING'));

INSERT INTO info_catalogue (kind, name, sources, entity_publicity, person_publicity, disclosure_required, legal_basis, position, period_applies) VALUES
 ('MONITORING_FINDING', '失信行为跟踪监测结果', '{market,environment,fire,housing,court}', 'SHARED', 'PERSONAL', false,
  '《若干措施》第四条第（四）项（T30）：鼓励相关部门与第三方信用服务机构在失信案例核查、失信行为跟踪监测等方面开展合作', 18, false);

-- +goose Down
DELETE FROM info_catalogue WHERE kind = 'MONITORING_FINDING';
DELETE FROM record_overlay WHERE source = 'finding';
DELETE FROM workflow_history WHERE workflow = 'finding';
ALTER TABLE finding DROP CONSTRAINT finding_hub_record_id_fkey;
DELETE FROM hub_record WHERE kind = 'MONITORING_FINDING';
ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION'));
DROP TABLE finding;
