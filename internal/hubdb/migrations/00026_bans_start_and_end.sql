-- +goose Up
-- T21: a market ban restricts from its start to its end. Its records carry
-- the days (detail.banStart, detail.banEnd) so that every path sees the
-- same window; the bans job records in a ban's history the day it started
-- (ban_started_on) and ends it on its end date.
UPDATE hub_record h
   SET detail = h.detail || jsonb_strip_nulls(jsonb_build_object('banStart', le.ban_start, 'banEnd', le.ban_end))
  FROM list_entry le
 WHERE le.list_type = 'MARKET_BAN' AND h.kind = 'LISTING'
   AND h.detail->>'listEntryId' = rtrim(translate(encode(convert_to('ListEntry:' || le.id, 'UTF8'), 'base64'), '+/', '-_'), '=');

ALTER TABLE list_entry ADD COLUMN ban_started_on date;
-- Bans already running when this migration ran started before it.
UPDATE list_entry SET ban_started_on = ban_start
 WHERE list_type = 'MARKET_BAN' AND state = 'LISTED' AND ban_start <= current_date;

-- The job's two questions: bans whose end has come, bans whose start has.
CREATE INDEX list_entry_ban_due ON list_entry (ban_end) WHERE list_type = 'MARKET_BAN' AND state = 'LISTED' AND NOT permanent;
CREATE INDEX list_entry_ban_starting ON list_entry (ban_start) WHERE list_type = 'MARKET_BAN' AND state = 'LISTED' AND ban_started_on IS NULL;

-- +goose Down
DROP INDEX list_entry_ban_starting;
DROP INDEX list_entry_ban_due;
ALTER TABLE list_entry DROP COLUMN ban_started_on;
UPDATE hub_record SET detail = detail - 'banStart' - 'banEnd' WHERE kind = 'LISTING';
