-- +goose Up
-- Warnings handled (T25, issue #13): a warning is OPEN when raised, then
-- ACKNOWLEDGED, ASSIGNED (to a department, a person, or both) and CLOSED
-- with a note (internal/workflow/warning.go). Each transition also writes
-- a workflow_history row (workflow 'warning'). The timestamps are the
-- latest of each transition (a re-assignment moves assigned_at).
ALTER TABLE warning
    ADD COLUMN state               text NOT NULL DEFAULT 'OPEN'
        CHECK (state IN ('OPEN', 'ACKNOWLEDGED', 'ASSIGNED', 'CLOSED')),
    ADD COLUMN assignee_department text,
    ADD COLUMN assignee_person     text,
    ADD COLUMN closed_note         text,
    ADD COLUMN acknowledged_at     timestamptz,
    ADD COLUMN assigned_at         timestamptz,
    ADD COLUMN closed_at           timestamptz;

-- Worklists read the open warnings (by state, newest first), and the
-- dashboards count them by rule (WarningStore.OpenCounts).
CREATE INDEX warning_state ON warning (state, id DESC);
CREATE INDEX warning_open_rule ON warning (rule, uscc) WHERE state <> 'CLOSED';

-- +goose Down
DROP INDEX warning_open_rule;
DROP INDEX warning_state;
ALTER TABLE warning
    DROP COLUMN closed_at,
    DROP COLUMN assigned_at,
    DROP COLUMN acknowledged_at,
    DROP COLUMN closed_note,
    DROP COLUMN assignee_person,
    DROP COLUMN assignee_department,
    DROP COLUMN state;
