-- +goose Up
-- A person's own reads (issue #15, Query.me): the authorisations they
-- gave, newest first, and the objections against their records. (Who read
-- their data is found through query_log_persons, the GIN index on the
-- query log's keyed person hashes.)
CREATE INDEX person_authorization_person ON person_authorization (person_ref, id);
CREATE INDEX objection_subject_id_no ON objection (subject_id_no, id) WHERE subject_id_no <> '';

-- +goose Down
DROP INDEX objection_subject_id_no;
DROP INDEX person_authorization_person;
