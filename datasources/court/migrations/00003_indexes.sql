-- +goose Up
-- Built after the tables so that a bulk load (COPY) into an empty database
-- can drop and rebuild them; the hub looks entries up by party, newest
-- first, and a consumption restriction also by the person it binds.
CREATE INDEX dishonest_debtor_party ON dishonest_debtor (party_id_no, decided_on DESC, id DESC);
CREATE INDEX consumption_restriction_party ON consumption_restriction (party_id_no, decided_on DESC, id DESC);
CREATE INDEX consumption_restriction_person ON consumption_restriction (restricted_person_id_no, decided_on DESC, id DESC)
    WHERE restricted_person_id_no IS NOT NULL;
CREATE INDEX false_litigation_party ON false_litigation (party_id_no, decided_on DESC, id DESC);

-- +goose Down
DROP INDEX false_litigation_party;
DROP INDEX consumption_restriction_person;
DROP INDEX consumption_restriction_party;
DROP INDEX dishonest_debtor_party;
