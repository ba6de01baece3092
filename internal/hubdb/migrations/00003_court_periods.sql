-- +goose Up
-- The publication periods of NDRC Order No. 36 govern administrative
-- dishonesty information. The courts' lists follow the courts' own rules
-- (the Supreme People's Court's provisions on dishonest judgment debtors):
-- an entry leaves the list when the court removes it, which the court's
-- database records; the hub does not expire it by a period of its own.
ALTER TABLE info_catalogue ADD COLUMN period_applies boolean NOT NULL DEFAULT true;
UPDATE info_catalogue SET period_applies = false
 WHERE kind IN ('DISHONEST_DEBTOR', 'CONSUMPTION_RESTRICTION', 'FALSE_LITIGATION');

-- +goose Down
ALTER TABLE info_catalogue DROP COLUMN period_applies;
