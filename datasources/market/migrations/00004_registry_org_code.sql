-- +goose Up
-- The registry is asked for entities by organisation code (positions 9–17
-- of the code: entityByKey, and the records departments file under it) as
-- well as by code and registration number, which have their unique indexes.
CREATE INDEX registry_entity_org_code ON registry_entity (substr(uscc, 9, 9));

-- +goose Down
DROP INDEX registry_entity_org_code;
