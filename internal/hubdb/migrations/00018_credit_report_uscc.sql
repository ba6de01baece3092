-- +goose Up
-- Reports issued on an entity (issue #15), newest first, a page at a time.
CREATE INDEX credit_report_uscc ON credit_report (uscc, issued_at, number);

-- +goose Down
DROP INDEX credit_report_uscc;
