-- +goose Up
-- Issue #15's read paths, newest first, a page at a time: who checked an
-- entity (MarketEntity.checksOnIt), the reports issued on it
-- (reportsOnIt) and an agency's reports (issuedReports, T30).
CREATE INDEX credit_check_uscc ON credit_check (uscc, id);
CREATE INDEX credit_report_uscc ON credit_report (uscc, issued_at, number);
CREATE INDEX credit_report_issued_to ON credit_report (issued_to, issued_at, number);

-- +goose Down
DROP INDEX credit_report_issued_to;
DROP INDEX credit_report_uscc;
DROP INDEX credit_check_uscc;
