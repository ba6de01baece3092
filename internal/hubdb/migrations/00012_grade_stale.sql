-- +goose Up
-- Entities whose grade facts changed since their stored grade was computed:
-- marked in the transaction that changed them (a workflow transition, the
-- warning scan reading a department's new records), and regraded by the
-- grade worker of whichever instance takes them (FOR UPDATE SKIP LOCKED).
CREATE TABLE grade_stale (
    uscc  text PRIMARY KEY,
    since timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE grade_stale;
