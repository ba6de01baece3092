-- +goose Up
-- Reports issued on an entity (issue #15), newest first, a page at a time.
CREATE INDEX credit_report_uscc ON credit_report (uscc, issued_at, number);
-- An agency's reports (T30), newest first.
CREATE INDEX credit_report_issued_to ON credit_report (issued_to, issued_at, number);

-- +goose Down
DROP INDEX credit_report_issued_to;
DROP INDEX credit_report_uscc;
