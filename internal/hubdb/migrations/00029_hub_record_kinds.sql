-- +goose Up
-- The hub's own records, every kind: 00020 (inspection results) and 00024
-- (agencies' monitoring findings) each widened the check on their own.
ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION', 'INSPECTION', 'MONITORING_FINDING'));

-- +goose Down
ALTER TABLE hub_record DROP CONSTRAINT hub_record_kind_check;
ALTER TABLE hub_record ADD CONSTRAINT hub_record_kind_check
    CHECK (kind IN ('COMMITMENT_BREACH', 'INTERVIEW', 'LISTING', 'KEY_ATTENTION', 'MONITORING_FINDING'));
