-- +goose Up
-- The hub looks records up by unit, newest China-time day first. The day is
-- an expression of the timestamptz (timezone(text, timestamptz) is
-- immutable), so the index serves both the unit's rows and their order.
-- Built after the tables so that a bulk load into an empty database can drop
-- and rebuild them. insp_finding's primary key serves the findings lookup.
CREATE INDEX fire_inspection_unit ON fire_inspection
    (unit_code, ((inspected_at AT TIME ZONE 'Asia/Shanghai')::date) DESC, id DESC);
CREATE INDEX fire_penalty_unit ON fire_penalty
    (unit_code, ((decided_at AT TIME ZONE 'Asia/Shanghai')::date) DESC, id DESC);
CREATE INDEX fire_penalty_insp ON fire_penalty (insp_id) WHERE insp_id IS NOT NULL;

-- +goose Down
DROP INDEX fire_penalty_insp;
DROP INDEX fire_penalty_unit;
DROP INDEX fire_inspection_unit;
