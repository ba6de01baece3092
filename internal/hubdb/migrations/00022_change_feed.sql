-- +goose Up
-- The licensed credit agencies' change feed (T30, issue #15 point 4a):
-- one row per change an agency may follow — a department's new record, a
-- hub record added or changed, a listing's transition, an objection's or a
-- repair's outcome, an authorisation granted, revoked or expired. Hub
-- transitions write their row in their own transaction; the departments'
-- new records are appended by the feed's follower (internal/feed).
--
-- The feed is read in (xid, id) order, and only below the oldest
-- transaction still running in the reader's snapshot (other databases'
-- left aside, hubdb/changes.go): every row there is final, so a cursor
-- (the last (xid, id) delivered) resumes with no gap, whatever order
-- concurrent writers commit in.
CREATE TABLE feed_change (
    id          bigserial PRIMARY KEY,
    -- The writing transaction (its top-level id, epoch-extended: it never
    -- wraps around).
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at          timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL CHECK (kind IN ('RECORD', 'LISTING', 'OBJECTION', 'REPAIR', 'AUTHORIZATION')),
    action      text NOT NULL,
    -- Whom it is about: an entity (uscc), or a person (the keyed hash the
    -- authorisations store, person_ref, and the sealed person ID) — never
    -- the ID number itself.
    uscc        text NOT NULL DEFAULT '',
    person_ref  text NOT NULL DEFAULT '',
    person_id   text NOT NULL DEFAULT '',
    -- An authorisation's change is its agency's alone.
    agency      text NOT NULL DEFAULT '',
    -- The record it is about or changed (a global record ID) and its kind;
    -- the list type of a listing; the row id of the listing, objection,
    -- repair or authorisation.
    record_id   text NOT NULL DEFAULT '',
    record_kind text NOT NULL DEFAULT '',
    list_type   text NOT NULL DEFAULT '',
    object_id   bigint NOT NULL DEFAULT 0,
    CHECK ((person_ref = '') = (person_id = '')),
    CHECK (kind = 'AUTHORIZATION' OR agency = '')
);
CREATE INDEX feed_change_order ON feed_change (xid, id);

-- Where the follower stands in each department's record table (as the
-- warning scanner's scan_watermark, of its own: the feed follows every
-- kind, the scanner only the watched ones).
CREATE TABLE feed_watermark (
    source  text NOT NULL,
    kind    text NOT NULL,
    last_id bigint NOT NULL,
    PRIMARY KEY (source, kind)
);

-- When an authorisation's end went into the feed (revoked, or expired and
-- noted by the follower): each ends once. Those that ended before the
-- feed existed are not announced.
ALTER TABLE person_authorization ADD COLUMN ended_at timestamptz;
UPDATE person_authorization SET ended_at = coalesce(revoked_at, now())
    WHERE revoked_at IS NOT NULL OR valid_to < current_date;
CREATE INDEX person_authorization_unended ON person_authorization (valid_to) WHERE ended_at IS NULL;

-- +goose Down
DROP INDEX person_authorization_unended;
ALTER TABLE person_authorization DROP COLUMN ended_at;
DROP TABLE feed_watermark;
DROP TABLE feed_change;
