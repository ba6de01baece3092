-- +goose Up
-- Built after the tables so that a bulk load (COPY) into an empty database
-- can drop and rebuild them; the hub looks records up by entity key, newest
-- first.
CREATE INDEX admin_licence_uscc ON admin_licence (uscc, decision_date DESC, id DESC) WHERE uscc IS NOT NULL;
CREATE INDEX admin_licence_reg_no ON admin_licence (reg_no, decision_date DESC, id DESC) WHERE reg_no IS NOT NULL;
CREATE INDEX admin_penalty_uscc ON admin_penalty (uscc, decision_date DESC, id DESC) WHERE uscc IS NOT NULL;
CREATE INDEX admin_penalty_reg_no ON admin_penalty (reg_no, decision_date DESC, id DESC) WHERE reg_no IS NOT NULL;
CREATE INDEX random_inspection_uscc ON random_inspection (uscc, inspected_on DESC, id DESC);
CREATE INDEX complaint_12315_uscc ON complaint_12315 (uscc, received_at DESC, id DESC);
CREATE INDEX abnormal_operation_uscc ON abnormal_operation (uscc, listed_on DESC, id DESC);

-- +goose Down
DROP INDEX abnormal_operation_uscc;
DROP INDEX complaint_12315_uscc;
DROP INDEX random_inspection_uscc;
DROP INDEX admin_penalty_reg_no;
DROP INDEX admin_penalty_uscc;
DROP INDEX admin_licence_reg_no;
DROP INDEX admin_licence_uscc;
