package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LogEntry is one row of the query log.
type LogEntry struct {
	ID            int64     `db:"id" json:"id"`
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
	PrevHash      string    `db:"prev_hash" json:"prevHash"`
	RowHash       string    `db:"row_hash" json:"-"`
}

// hash is the row's link in the chain: SHA-256 over the previous row's hash
// and the row's canonical JSON (every field but its own hash).
func (e *LogEntry) hash() string {
	b, _ := json.Marshal(e) // RowHash is excluded by its tag
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte{'\n'})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// QueryLog appends to and verifies the query log in the hub's database.
type QueryLog struct {
	DB  *sqlx.DB
	Now func() time.Time
}

// Append writes e as the next row of the chain and commits. The head row is
// locked for the transaction, so concurrent writers, from any number of hub
// instances, queue up and the chain stays gapless and verifiable.
func (l *QueryLog) Append(ctx context.Context, e LogEntry) (int64, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	tx, err := l.DB.BeginTxx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var head struct {
		LastID   int64  `db:"last_id"`
		LastHash string `db:"last_hash"`
	}
	if err := tx.GetContext(ctx, &head, `SELECT last_id, last_hash FROM query_log_head FOR UPDATE`); err != nil {
		return 0, fmt.Errorf("locking the query log head: %w", err)
	}
	e.ID = head.LastID + 1
	e.PrevHash = head.LastHash
	// PostgreSQL keeps microseconds; hash what will be stored.
	e.LoggedAt = now().UTC().Truncate(time.Microsecond)
	for _, s := range []*[]string{&e.Persons, &e.PersonsMasked, &e.Entities, &e.Fields} {
		if *s == nil {
			*s = []string{}
		}
	}
	e.RowHash = e.hash()
	if _, err := tx.ExecContext(ctx, `INSERT INTO query_log (id, logged_at, request_id, subject, org, kind, token_id,
		purpose, operation, query_hash, persons, persons_masked, entities, fields, prev_hash, row_hash)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
		e.ID, e.LoggedAt, e.RequestID, e.Subject, e.Org, e.Kind, e.TokenID, e.Purpose, e.Operation, e.QueryHash,
		pq.Array(e.Persons), pq.Array(e.PersonsMasked), pq.Array(e.Entities), pq.Array(e.Fields),
		e.PrevHash, e.RowHash); err != nil {
		return 0, fmt.Errorf("writing the query log: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE query_log_head SET last_id = $1, last_hash = $2`, e.ID, e.RowHash); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("committing the query log: %w", err)
	}
	return e.ID, nil
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
