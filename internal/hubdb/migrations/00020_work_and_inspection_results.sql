-- +goose Up
-- Issue #15: a department's work pushed to it, the deadlines of an entity
-- and of a department read in one statement each, and the results of
-- double-random inspections recorded against a plan's drawn entities.

-- What reached a department's desk, one row per arrival, written by the
-- transaction that made it: a case pushed to it (T18–T20), an objection
-- filed against one of its records (and, for the credit office, one to
-- check), an objection passed to it after the platform's check (T28), a
-- repair application for one of its records (T24). Each is announced on
-- the credithub_work channel at commit; every hub instance delivers it to
-- that department's subscribers, and catches up from here after a lost
-- connection.
CREATE TABLE work_event (
    id         bigserial PRIMARY KEY,
    department text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('CASE_PUSHED', 'OBJECTION_FILED', 'OBJECTION_TO_CHECK', 'OBJECTION_CHECKED', 'REPAIR_APPLIED')),
    object_id  bigint NOT NULL,
    at         timestamptz NOT NULL
);

-- The result of inspecting one entity a plan drew (T13, 双随机、一公开):
-- once per drawn entity, by the plan's department. The finding is a credit
-- record of the entity held by the hub (hub_record, kind INSPECTION),
-- written in the same transaction.
CREATE TABLE inspection_result (
    plan_id      bigint NOT NULL,
    uscc         text NOT NULL,
    department   text NOT NULL,
    result       text NOT NULL CHECK (result IN ('NO_PROBLEM', 'PROBLEM_ORDERED_CORRECTED', 'INFORMATION_NOT_DISCLOSED',
                                                 'ACTIVITY_NOT_FOUND', 'UNREACHABLE_AT_ADDRESS')),
    passed       boolean NOT NULL,
    inspected_on date NOT NULL,
    decision_no  text,
    findings     jsonb NOT NULL DEFAULT '[]',
    record_id    bigint NOT NULL REFERENCES hub_record (id),
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL,
    PRIMARY KEY (plan_id, uscc),
    FOREIGN KEY (plan_id, uscc) REFERENCES plan_sample (plan_id, uscc)
);

ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION', 'INSPECTION'));

-- Inspection results reach the hub from every department that draws
-- double-random plans, besides the market regulator's and the fire
-- brigade's own databases.
UPDATE info_catalogue SET sources = '{market,environment,fire,housing}' WHERE kind = 'INSPECTION';

-- The open objects by department (a department's work) and by entity (an
-- entity's deadlines), whatever the size of their tables.
CREATE INDEX case_push_open ON case_push (department, due_date) WHERE state = 'PUSHED';
CREATE INDEX objection_open_department ON objection (department, id) WHERE state IN ('FILED', 'CHECKED');
CREATE INDEX objection_open_subject ON objection (subject_uscc) WHERE state IN ('FILED', 'CHECKED');
CREATE INDEX repair_open_department ON repair (department, id) WHERE state IN ('APPLIED', 'ACCEPTED');
CREATE INDEX repair_open_uscc ON repair (uscc) WHERE state IN ('APPLIED', 'ACCEPTED');
CREATE INDEX list_entry_rectify ON list_entry (department, rectify_by) WHERE state = 'LISTED' AND rectify_by IS NOT NULL;

-- +goose Down
DROP INDEX list_entry_rectify;
DROP INDEX repair_open_uscc;
DROP INDEX repair_open_department;
DROP INDEX objection_open_subject;
DROP INDEX objection_open_department;
DROP INDEX case_push_open;
UPDATE info_catalogue SET sources = '{market,fire}' WHERE kind = 'INSPECTION';
DROP TABLE inspection_result;
DELETE FROM hub_record WHERE kind = 'INSPECTION';
ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION'));
DROP TABLE work_event;
