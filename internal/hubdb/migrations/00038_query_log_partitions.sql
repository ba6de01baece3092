-- +goose Up
-- The query log keeps up (issue #16, point 2).
--
-- 1. Partitioned by month (PostgreSQL declarative partitioning on
--    logged_at, months of the city's time, Asia/Shanghai): appending touches
--    one small partition and its indexes, whatever the years behind it, and
--    a month that is over can be sealed, detached and archived.
-- 2. Rows are written in batches (group commit, auth.QueryLog): one
--    transaction takes the chain head's lock, stamps the batch's rows no
--    earlier than the head's last_at (so logged_at never goes back along
--    the chain, and every month is one run of ids), chains them in order
--    and moves the head, which it signs (Ed25519, CREDITHUB_QUERY_LOG_KEY);
--    it is flushed to disk before anyone is answered (query_log_flush).
-- 3. A month that is over is sealed (query_log_seal): its first and last
--    ids, its row count, the hash before it and its last row's hash,
--    chained to the month before's seal and signed. What remains after a
--    month is archived is still proven from that seal.
--
-- The rows already written keep their ids and hashes: the chain goes on.
ALTER TABLE query_log RENAME TO query_log_unpartitioned;
ALTER INDEX query_log_pkey RENAME TO query_log_unpartitioned_pkey;
ALTER INDEX query_log_persons RENAME TO query_log_unpartitioned_persons;
ALTER INDEX query_log_entities RENAME TO query_log_unpartitioned_entities;
DROP INDEX query_log_logged_at;

CREATE TABLE query_log (
    id             bigint NOT NULL,
    logged_at      timestamptz NOT NULL,
    request_id     text NOT NULL,
    subject        text NOT NULL,
    org            text NOT NULL,
    kind           text NOT NULL,
    token_id       text NOT NULL,
    purpose        text NOT NULL,
    operation      text NOT NULL,
    query_hash     text NOT NULL,
    persons        text[] NOT NULL,
    persons_masked text[] NOT NULL,
    entities       text[] NOT NULL,
    fields         text[] NOT NULL,
    prev_hash      text NOT NULL,
    row_hash       text NOT NULL,
    -- A partitioned table's keys include its partition key; the chain
    -- (and audit verify) keeps ids unique.
    PRIMARY KEY (id, logged_at)
) PARTITION BY RANGE (logged_at);
-- A time window is a partition's pruning; no index on logged_at to keep up.
CREATE INDEX query_log_persons ON query_log USING gin (persons);
CREATE INDEX query_log_entities ON query_log USING gin (entities);
CREATE TRIGGER query_log_no_update BEFORE UPDATE OR DELETE ON query_log
    FOR EACH ROW EXECUTE FUNCTION query_log_append_only();
CREATE TRIGGER query_log_no_truncate BEFORE TRUNCATE ON query_log
    FOR EACH STATEMENT EXECUTE FUNCTION query_log_append_only();

-- query_log_partition creates the partition of the month that holds day
-- (query_log_YYYY_MM, from the first of the month 00:00 in Asia/Shanghai to
-- the next), unless a table of that name exists (attached, or detached to
-- be archived), and returns its name. A row-level trigger is cloned to every
-- partition by PostgreSQL; the TRUNCATE trigger is not, so it is added here.
-- +goose StatementBegin
CREATE FUNCTION query_log_partition(day date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', day)::date;
    name text := 'query_log_' || to_char(m, 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NULL THEN
        BEGIN
            EXECUTE format('CREATE TABLE %I PARTITION OF query_log FOR VALUES FROM (%L) TO (%L)', name,
                make_timestamptz(extract(year FROM m)::int, extract(month FROM m)::int, 1, 0, 0, 0, 'Asia/Shanghai'),
                make_timestamptz(extract(year FROM m + interval '1 month')::int, extract(month FROM m + interval '1 month')::int, 1, 0, 0, 0, 'Asia/Shanghai'));
            EXECUTE format('CREATE TRIGGER query_log_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION query_log_append_only()', name);
        EXCEPTION WHEN duplicate_table OR duplicate_object THEN
            NULL; -- another instance created it meanwhile
        END;
    END IF;
    RETURN name;
END;
$$;
-- +goose StatementEnd

SELECT query_log_partition(m::date) FROM generate_series(
    date_trunc('month', least((SELECT min(logged_at) FROM query_log_unpartitioned), now()) AT TIME ZONE 'Asia/Shanghai'),
    date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '2 months',
    interval '1 month') AS m;

INSERT INTO query_log SELECT * FROM query_log_unpartitioned;
DROP TABLE query_log_unpartitioned;

-- The head: last_at is the floor of the next rows' logged_at; signature is
-- the hub's Ed25519 signature of (last_id, last_hash), made by the batch
-- that moved it (NULL until the first batch after this migration).
ALTER TABLE query_log_head
    ADD COLUMN last_at timestamptz NOT NULL DEFAULT '1970-01-01 00:00:00+00',
    ADD COLUMN signature bytea;
UPDATE query_log_head SET last_at = coalesce((SELECT max(logged_at) FROM query_log), last_at);

-- One seal per month that is over, made by the runner "query log months"
-- (auth.QueryLog.SealMonths) under the head's lock.
CREATE TABLE query_log_seal (
    month     date PRIMARY KEY CHECK (month = date_trunc('month', month)),
    first_id  bigint NOT NULL,
    last_id   bigint NOT NULL,
    rows      bigint NOT NULL CHECK (rows = last_id - first_id + 1),
    prev_hash text NOT NULL,
    last_hash text NOT NULL,
    prev_seal text NOT NULL,
    sealed_at timestamptz NOT NULL,
    signature bytea NOT NULL
);
CREATE TRIGGER query_log_seal_no_update BEFORE UPDATE OR DELETE ON query_log_seal
    FOR EACH ROW EXECUTE FUNCTION query_log_append_only();
CREATE TRIGGER query_log_seal_no_truncate BEFORE TRUNCATE ON query_log_seal
    FOR EACH STATEMENT EXECUTE FUNCTION query_log_append_only();

-- A batch commits without waiting for its WAL to reach the disk (the
-- head's lock is then held for the batch's statements only, not for a
-- disk flush: instances stop queueing on each other's fsync), and is made
-- durable before any of its requests is answered by a one-row synchronous
-- write here: a synchronous commit flushes the WAL up to its own commit
-- record, the batch's included. Slots spread the writers over rows.
CREATE TABLE query_log_flush (
    slot smallint PRIMARY KEY,
    n    bigint NOT NULL
);
INSERT INTO query_log_flush SELECT generate_series(0, 63), 0;

-- +goose Down
DROP TABLE query_log_flush;
DROP TABLE query_log_seal;
ALTER TABLE query_log_head DROP COLUMN signature, DROP COLUMN last_at;
CREATE TABLE query_log_unpartitioned (LIKE query_log);
INSERT INTO query_log_unpartitioned SELECT * FROM query_log;
DROP TABLE query_log;
DROP FUNCTION query_log_partition(date);
ALTER TABLE query_log_unpartitioned RENAME TO query_log;
ALTER TABLE query_log ADD PRIMARY KEY (id);
CREATE INDEX query_log_persons ON query_log USING gin (persons);
CREATE INDEX query_log_entities ON query_log USING gin (entities);
CREATE INDEX query_log_logged_at ON query_log (logged_at);
CREATE TRIGGER query_log_no_update BEFORE UPDATE OR DELETE ON query_log
    FOR EACH ROW EXECUTE FUNCTION query_log_append_only();
CREATE TRIGGER query_log_no_truncate BEFORE TRUNCATE ON query_log
    FOR EACH STATEMENT EXECUTE FUNCTION query_log_append_only();
