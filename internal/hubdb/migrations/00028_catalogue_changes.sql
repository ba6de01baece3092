-- +goose Up
-- T8, 动态管理: the credit office changes the information catalogue as data.
-- Each change names the kind, carries the whole of what may change (its
-- openness for entities and for persons, its publication duty, whether the
-- publication periods apply to it, its legal basis, its providing
-- departments), the day it takes effect and why, and
-- who made it. info_catalogue keeps the catalogue as the migrations set it;
-- a kind's entry on a day is its latest change effective by then, or that
-- row. Nothing is updated or deleted: the history is the table.
CREATE TABLE catalogue_change (
    id                  bigserial PRIMARY KEY,
    kind                text NOT NULL REFERENCES info_catalogue (kind),
    entity_publicity    text NOT NULL CHECK (entity_publicity IN ('PUBLIC', 'SHARED', 'PERSONAL')),
    person_publicity    text NOT NULL CHECK (person_publicity IN ('PUBLIC', 'SHARED', 'PERSONAL')),
    disclosure_required boolean NOT NULL,
    -- Whether the publication periods of dishonesty information
    -- (publication_period) end the kind's records.
    period_applies      boolean NOT NULL,
    legal_basis         text NOT NULL,
    sources             text[] NOT NULL,
    effective_from      date NOT NULL,
    reason              text NOT NULL,
    changed_by          text NOT NULL,
    changed_org         text NOT NULL,
    changed_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalogue_change_kind ON catalogue_change (kind, effective_from, id);

-- How open a natural person's records of a kind may ever be: the law's
-- (the courts publish their lists; everything else about a person is
-- personal). The schema's @open marking is the ceiling for organisations.
ALTER TABLE info_catalogue ADD COLUMN person_publicity_ceiling text;
UPDATE info_catalogue SET person_publicity_ceiling = person_publicity;
ALTER TABLE info_catalogue ALTER COLUMN person_publicity_ceiling SET NOT NULL;

-- +goose Down
ALTER TABLE info_catalogue DROP COLUMN person_publicity_ceiling;
DROP TABLE catalogue_change;
