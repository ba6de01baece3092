-- +goose Up
-- Who checked it (issue #15): an entity's checks, newest first, a page at
-- a time.
CREATE INDEX credit_check_uscc ON credit_check (uscc, id);

-- +goose Down
DROP INDEX credit_check_uscc;
