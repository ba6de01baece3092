package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LogEntry is one row of the query log.
type LogEntry struct {
	ID            int64     `db:"id" json:"-"`
	LoggedAt      time.Time `db:"logged_at" json:"loggedAt"`
	RequestID     string    `db:"request_id" json:"requestId"`
	Subject       string    `db:"subject" json:"subject"`
	Org           string    `db:"org" json:"org"`
	Kind          string    `db:"kind" json:"kind"`
	TokenID       string    `db:"token_id" json:"tokenId"`
	Purpose       string    `db:"purpose" json:"purpose"`
	Operation     string    `db:"operation" json:"operation"`
	QueryHash     string    `db:"query_hash" json:"queryHash"`
	Persons       []string  `db:"-" json:"persons"`
	PersonsMasked []string  `db:"-" json:"personsMasked"`
	Entities      []string  `db:"-" json:"entities"`
	Fields        []string  `db:"-" json:"fields"`
	PrevHash      string    `db:"prev_hash" json:"-"`
	RowHash       string    `db:"row_hash" json:"-"`
}

// payload is the row's content as the chain hashes it: its canonical JSON
// (every column but the id and the hashes).
func (e *LogEntry) payload() string {
	b, _ := json.Marshal(e)
	return string(b)
}

// hash is the row's link in the chain: SHA-256 of the previous row's hash,
// the row's id and its payload, one per line. Append has PostgreSQL compute
// the same (sha256 of the same text), so that the chain head is read and
// advanced in one statement.
func (e *LogEntry) hash() string {
	h := sha256.Sum256([]byte(e.PrevHash + "\n" + strconv.FormatInt(e.ID, 10) + "\n" + e.payload()))
	return hex.EncodeToString(h[:])
}

// QueryLog appends to and verifies the query log in the hub's database.
type QueryLog struct {
	DB  *sqlx.DB
	Now func() time.Time
}

// appendRow reads the chain head under its row lock, inserts the next row
// with its hash and moves the head, in one statement: one round trip and
// one commit, with the lock held only for that statement. Concurrent
// writers, from any number of hub instances, queue on the head, so the
// chain stays gapless and verifiable.
const appendRow = `WITH head AS (
	SELECT last_id + 1 AS id, last_hash AS prev FROM query_log_head FOR UPDATE
), next AS (
	SELECT id, prev, encode(sha256(convert_to(prev || E'\n' || id::text || E'\n' || $1, 'UTF8')), 'hex') AS hash FROM head
), ins AS (
	INSERT INTO query_log (id, logged_at, request_id, subject, org, kind, token_id, purpose, operation, query_hash,
		persons, persons_masked, entities, fields, prev_hash, row_hash)
	SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, prev, hash FROM next
	RETURNING id, row_hash
)
UPDATE query_log_head SET last_id = ins.id, last_hash = ins.row_hash FROM ins RETURNING ins.id`

// Append writes e as the next row of the chain; when it returns without
// error, the row is committed.
func (l *QueryLog) Append(ctx context.Context, e LogEntry) (int64, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	// PostgreSQL keeps microseconds; hash what will be stored.
	e.LoggedAt = now().UTC().Truncate(time.Microsecond)
	for _, s := range []*[]string{&e.Persons, &e.PersonsMasked, &e.Entities, &e.Fields} {
		if *s == nil {
			*s = []string{}
		}
	}
	var id int64
	err := l.DB.QueryRowxContext(ctx, appendRow, e.payload(),
		e.LoggedAt, e.RequestID, e.Subject, e.Org, e.Kind, e.TokenID, e.Purpose, e.Operation, e.QueryHash,
		pq.Array(e.Persons), pq.Array(e.PersonsMasked), pq.Array(e.Entities), pq.Array(e.Fields)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("writing the query log: %w", err)
	}
	return id, nil
}

const logColumns = `id, logged_at, request_id, subject, org, kind, token_id, purpose, operation, query_hash,
	persons, persons_masked, entities, fields, prev_hash, row_hash`

func scanEntry(rows *sqlx.Rows) (LogEntry, error) {
	var e LogEntry
	var persons, masked, entities, fields pq.StringArray
	err := rows.Scan(&e.ID, &e.LoggedAt, &e.RequestID, &e.Subject, &e.Org, &e.Kind, &e.TokenID, &e.Purpose,
		&e.Operation, &e.QueryHash, &persons, &masked, &entities, &fields, &e.PrevHash, &e.RowHash)
	e.LoggedAt = e.LoggedAt.UTC()
	e.Persons, e.PersonsMasked, e.Entities, e.Fields = persons, masked, entities, fields
	return e, err
}

// Broken says where the chain breaks.
type Broken struct {
	ID     int64
	Reason string
}

func (b *Broken) Error() string { return fmt.Sprintf("query log broken at row %d: %s", b.ID, b.Reason) }

// Verify walks the whole chain and returns the number of rows checked, or a
// *Broken naming the first row that does not verify: a row whose content
// changed, a missing row, a row that does not link to its predecessor, or a
// head that does not match the last row.
func (l *QueryLog) Verify(ctx context.Context) (int64, error) {
	rows, err := l.DB.QueryxContext(ctx, `SELECT `+logColumns+` FROM query_log ORDER BY id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	prev := fmt.Sprintf("%064d", 0)
	var n, expect int64 = 0, 1
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return n, err
		}
		switch {
		case e.ID != expect:
			return n, &Broken{ID: expect, Reason: fmt.Sprintf("row is missing (next row is %d)", e.ID)}
		case e.PrevHash != prev:
			return n, &Broken{ID: e.ID, Reason: "does not link to the previous row"}
		case e.hash() != e.RowHash:
			return n, &Broken{ID: e.ID, Reason: "content does not match its hash (edited)"}
		}
		prev, expect, n = e.RowHash, e.ID+1, n+1
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	var headID int64
	var headHash string
	err = l.DB.QueryRowxContext(ctx, `SELECT last_id, last_hash FROM query_log_head`).Scan(&headID, &headHash)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (headID != expect-1 || headHash != prev)) {
		return n, &Broken{ID: expect - 1, Reason: "the chain head does not match the last row (rows removed at the end?)"}
	}
	return n, err
}

// LogFilter selects query log rows.
type LogFilter struct {
	PersonRef string
	USCC      string
	Org       string
	From, To  time.Time
}

// List returns rows matching f, newest first, after the row with id before
// (0: from the newest).
func (l *QueryLog) List(ctx context.Context, f LogFilter, before int64, limit int) ([]LogEntry, error) {
	q := `SELECT ` + logColumns + ` FROM query_log WHERE true`
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		q += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.PersonRef != "" {
		add("persons @> ARRAY[$%d]", f.PersonRef)
	}
	if f.USCC != "" {
		add("entities @> ARRAY[$%d]", f.USCC)
	}
	if f.Org != "" {
		add("org = $%d", f.Org)
	}
	if !f.From.IsZero() {
		add("logged_at >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("logged_at < $%d", f.To)
	}
	if before > 0 {
		add("id < $%d", before)
	}
	args = append(args, limit)
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	rows, err := l.DB.QueryxContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
