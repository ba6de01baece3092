-- +goose Up
-- Issue #16: the rate limit is leased, never overspent. An instance takes
-- a client's points from its window in leases (the points a request needs
-- and a share of what is left), so the window's used never passes the
-- budget whatever the number of instances, and an instance killed or
-- restarted loses only its unspent lease. last_grant is what the latest
-- lease took, for the instance that took it.
ALTER TABLE rate_window ADD COLUMN last_grant bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE rate_window DROP COLUMN last_grant;
