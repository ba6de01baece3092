-- +goose Up
-- Built after the tables so that a bulk load (COPY) into an empty database
-- can drop and rebuild them; the hub looks records up by the credit code,
-- newest first.
CREATE INDEX qualification_cert_credit_no ON qualification_cert (social_credit_no, issued_on DESC, id DESC);
CREATE INDEX quality_safety_accident_credit_no ON quality_safety_accident (social_credit_no, decided_on DESC, id DESC);
CREATE INDEX bad_conduct_credit_no ON bad_conduct (social_credit_no, decided_on DESC, id DESC);

-- +goose Down
DROP INDEX bad_conduct_credit_no;
DROP INDEX quality_safety_accident_credit_no;
DROP INDEX qualification_cert_credit_no;
