-- +goose Up
-- The records the hub holds itself are read like a department's
-- (hubdb.RecordSource) instead of being held in every instance's memory:
-- an entity's or a person's newest first, in the record order, for a batch
-- of subjects in one statement, with their counts; the city-wide stream
-- newest first. Each read walks one of these indexes in the order it
-- returns rows (kinds compared byte-wise, as the record order does).
CREATE INDEX hub_record_entity ON hub_record (subject_uscc, decision_date DESC, kind COLLATE "C", id DESC);
CREATE INDEX hub_record_person ON hub_record (subject_id_no, decision_date DESC, kind COLLATE "C", id DESC);
CREATE INDEX hub_record_order ON hub_record (decision_date DESC, kind COLLATE "C", id DESC);

-- +goose Down
DROP INDEX hub_record_order;
DROP INDEX hub_record_person;
DROP INDEX hub_record_entity;
