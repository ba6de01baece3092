-- +goose Up
-- Credit reports and warnings (T7, T25, T30), beside 00005_supervision.sql.

-- Report numbers (CR-YYYYMMDD-NNNNNN): the sequence makes them unique
-- across hub instances; the date is the issue day in China.
CREATE SEQUENCE credit_report_seq;

-- MarketEntity.warnings and warnings(filter: {uscc}) read an entity's
-- warnings newest first; the unique key (rule, uscc, record_id) starts with
-- the rule and does not serve them.
CREATE INDEX warning_uscc ON warning (uscc, id DESC);

-- +goose Down
DROP INDEX warning_uscc;
DROP SEQUENCE credit_report_seq;
