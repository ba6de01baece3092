-- +goose Up
-- An idempotency key is bound to the request's arguments: the same key with
-- other arguments is refused, not answered with the first result.
ALTER TABLE idempotency ADD COLUMN fingerprint text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE idempotency DROP COLUMN fingerprint;
