-- +goose Up
-- Roster upkeep through the API (T13): a retired inspector keeps their row
-- (past plans name them) with when and why they left; active = false means
-- they are never drawn again.
ALTER TABLE inspector ADD COLUMN retired_at timestamptz, ADD COLUMN retire_reason text;

-- +goose Down
ALTER TABLE inspector DROP COLUMN retire_reason, DROP COLUMN retired_at;
