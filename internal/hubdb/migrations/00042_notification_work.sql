-- +goose Up
-- T23: a notification reaching a body is announced like any work (its
-- inbox's subscription, notificationArrived), written in the notification's
-- own transaction.
ALTER TABLE work_event DROP CONSTRAINT work_event_kind_check;
ALTER TABLE work_event ADD CONSTRAINT work_event_kind_check
    CHECK (kind IN ('CASE_PUSHED', 'OBJECTION_FILED', 'OBJECTION_TO_CHECK', 'OBJECTION_CHECKED', 'REPAIR_APPLIED',
                    'NOTIFICATION_RECEIVED'));

-- +goose Down
DELETE FROM work_event WHERE kind = 'NOTIFICATION_RECEIVED';
ALTER TABLE work_event DROP CONSTRAINT work_event_kind_check;
ALTER TABLE work_event ADD CONSTRAINT work_event_kind_check
    CHECK (kind IN ('CASE_PUSHED', 'OBJECTION_FILED', 'OBJECTION_TO_CHECK', 'OBJECTION_CHECKED', 'REPAIR_APPLIED'));
