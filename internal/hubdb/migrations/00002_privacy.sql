-- +goose Up
-- The query log (查询使用登记, T28): one row per answer that carried personal
-- data, written and committed before the answer leaves. Append-only, enforced
-- here and not only in the code: no UPDATE, DELETE or TRUNCATE. Each row
-- carries the hash of the previous one (prev_hash) and its own (row_hash),
-- so `credithub audit verify` finds any edit. Rows are kept at least five
-- years (Shenzhen credit regulation art. 44–45); nothing in the hub deletes
-- them.
CREATE TABLE query_log (
    id             bigint PRIMARY KEY,
    logged_at      timestamptz NOT NULL,
    request_id     text NOT NULL,
    subject        text NOT NULL,
    org            text NOT NULL,
    kind           text NOT NULL,
    token_id       text NOT NULL,
    purpose        text NOT NULL,
    operation      text NOT NULL,
    query_hash     text NOT NULL,
    -- Keyed hashes (HMAC-SHA256) of the ID numbers whose data was returned:
    -- reviewers look a person up by ID number without the log storing it.
    persons        text[] NOT NULL,
    persons_masked text[] NOT NULL,
    entities       text[] NOT NULL,
    fields         text[] NOT NULL,
    prev_hash      text NOT NULL,
    row_hash       text NOT NULL
);
CREATE INDEX query_log_persons ON query_log USING gin (persons);
CREATE INDEX query_log_entities ON query_log USING gin (entities);
CREATE INDEX query_log_logged_at ON query_log (logged_at);

-- The head of the chain. Writers lock it (SELECT … FOR UPDATE), so rows from
-- any number of hub instances form one gapless chain.
CREATE TABLE query_log_head (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_id   bigint NOT NULL,
    last_hash text NOT NULL
);
INSERT INTO query_log_head VALUES (true, 0, repeat('0', 64));

-- +goose StatementBegin
CREATE FUNCTION query_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'query_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER query_log_no_update BEFORE UPDATE OR DELETE ON query_log
    FOR EACH ROW EXECUTE FUNCTION query_log_append_only();
CREATE TRIGGER query_log_no_truncate BEFORE TRUNCATE ON query_log
    FOR EACH STATEMENT EXECUTE FUNCTION query_log_append_only();

-- A person's written authorisation of a credit service agency (T28, T30):
-- which agency, for what purpose, from when to when, and its revocation.
-- The person is stored as the same keyed hash the log uses.
CREATE TABLE person_authorization (
    id          bigserial PRIMARY KEY,
    agency      text NOT NULL,
    person_ref  text NOT NULL,
    person_masked text NOT NULL,
    purpose     text NOT NULL,
    valid_from  date NOT NULL,
    valid_to    date NOT NULL,
    document_no text NOT NULL,
    recorded_by text NOT NULL,
    recorded_org text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    revoked_by  text,
    CHECK (valid_from <= valid_to)
);
CREATE INDEX person_authorization_lookup ON person_authorization (agency, person_ref);

-- Idempotency of mutations: a retried request with the same key returns the
-- first answer and writes nothing again.
CREATE TABLE idempotency (
    principal   text NOT NULL,
    key         text NOT NULL,
    operation   text NOT NULL,
    response    jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);

-- +goose Down
DROP TABLE idempotency;
DROP TABLE person_authorization;
DROP TABLE query_log_head;
DROP TABLE query_log;
DROP FUNCTION query_log_append_only();
