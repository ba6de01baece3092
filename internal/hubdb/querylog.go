package hubdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"

	"credithub/internal/sqldb"
)

// QueryLogRow is one row of the query log: who read whose personal data,
// when, for what purpose and through which operation, chained to the row
// before it.
type QueryLogRow struct {
	ID            int64          `db:"id" json:"-"`
	LoggedAt      time.Time      `db:"logged_at" json:"loggedAt"`
	RequestID     string         `db:"request_id" json:"requestId"`
	Subject       string         `db:"subject" json:"subject"`
	Org           string         `db:"org" json:"org"`
	Kind          string         `db:"kind" json:"kind"`
	TokenID       string         `db:"token_id" json:"tokenId"`
	Purpose       string         `db:"purpose" json:"purpose"`
	Operation     string         `db:"operation" json:"operation"`
	QueryHash     string         `db:"query_hash" json:"queryHash"`
	Persons       pq.StringArray `db:"persons" json:"persons"`
	PersonsMasked pq.StringArray `db:"persons_masked" json:"personsMasked"`
	Entities      pq.StringArray `db:"entities" json:"entities"`
	Fields        pq.StringArray `db:"fields" json:"fields"`
	PrevHash      string         `db:"prev_hash" json:"-"`
	RowHash       string         `db:"row_hash" json:"-"`
}

// Payload is the row's content as the chain hashes it: its canonical JSON
// (every column but the id and the hashes).
func (r *QueryLogRow) Payload() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// Hash is the row's link in the chain: SHA-256 of the previous row's hash,
// the row's id and its payload, one per line. appendQueryLogRow has
// PostgreSQL compute the same (sha256 of the same text), so that the chain
// head is read and advanced in one statement; a verifier recomputes it here.
func (r *QueryLogRow) Hash() string {
	h := sha256.Sum256([]byte(r.PrevHash + "\n" + strconv.FormatInt(r.ID, 10) + "\n" + r.Payload()))
	return hex.EncodeToString(h[:])
}

// QueryLogFilter selects query log rows; zero fields do not restrict.
type QueryLogFilter struct {
	PersonRef string
	USCC      string
	Org       string
	From, To  time.Time
	// ExceptKind and ExceptOrg leave out the rows of that caller (a
	// person's own reads, when they ask who else looked).
	ExceptKind, ExceptOrg string
}

// QueryLogStore keeps the query log: an append-only chain of rows, each
// hashed with its predecessor's hash (Hash), under a head row that every
// writer locks.
type QueryLogStore interface {
	// Append writes r as the next row of the chain and returns its id; when
	// it returns without error, the row is committed (outside a
	// transaction). LoggedAt is stored, and hashed, to the microsecond.
	Append(ctx context.Context, r QueryLogRow) (int64, error)
	// Walk calls fn with every row in id order, and stops at fn's first
	// error, which it returns.
	Walk(ctx context.Context, fn func(QueryLogRow) error) error
	// Head returns the chain head: the last row's id and hash
	// (sql.ErrNoRows when the head row is missing).
	Head(ctx context.Context) (lastID int64, lastHash string, err error)
	// List returns up to limit rows matching f, newest first, after the
	// row with id before (0: from the newest).
	List(ctx context.Context, f QueryLogFilter, before int64, limit int) ([]QueryLogRow, error)
}

// QueryLog returns the query log's store.
func (d *DB) QueryLog() QueryLogStore { return queryLog{d} }

type queryLog struct{ d *DB }

// appendQueryLogRow reads the chain head under its row lock, inserts the
// next row with its hash (Hash, computed by PostgreSQL) and moves the head,
// in one statement: one round trip and one commit, with the lock held only
// for that statement. Concurrent writers, from any number of hub instances,
// queue on the head, so the chain stays gapless and verifiable.
const appendQueryLogRow = `WITH head AS (
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

func (q queryLog) Append(ctx context.Context, r QueryLogRow) (int64, error) {
	// Hash what will be stored: PostgreSQL keeps microseconds, and an empty
	// list comes back as [], never null.
	r.LoggedAt = r.LoggedAt.UTC().Truncate(time.Microsecond)
	for _, s := range []*pq.StringArray{&r.Persons, &r.PersonsMasked, &r.Entities, &r.Fields} {
		if *s == nil {
			*s = pq.StringArray{}
		}
	}
	var id int64
	err := q.d.get(ctx, &id, appendQueryLogRow, r.Payload(),
		r.LoggedAt, r.RequestID, r.Subject, r.Org, r.Kind, r.TokenID, r.Purpose, r.Operation, r.QueryHash,
		r.Persons, r.PersonsMasked, r.Entities, r.Fields)
	if err != nil {
		return 0, fmt.Errorf("writing the query log: %w", err)
	}
	return id, nil
}

const queryLogColumns = `id, logged_at, request_id, subject, org, kind, token_id, purpose, operation, query_hash,
	persons, persons_masked, entities, fields, prev_hash, row_hash`

func (q queryLog) Walk(ctx context.Context, fn func(QueryLogRow) error) error {
	rows, err := q.d.x.QueryxContext(ctx, `SELECT `+queryLogColumns+` FROM query_log ORDER BY id`)
	if err != nil {
		return sqldb.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r QueryLogRow
		if err := rows.StructScan(&r); err != nil {
			return sqldb.MapError(err)
		}
		r.LoggedAt = r.LoggedAt.UTC()
		if err := fn(r); err != nil {
			return err
		}
	}
	return sqldb.MapError(rows.Err())
}

func (q queryLog) Head(ctx context.Context) (int64, string, error) {
	var head struct {
		LastID   int64  `db:"last_id"`
		LastHash string `db:"last_hash"`
	}
	err := q.d.get(ctx, &head, `SELECT last_id, last_hash FROM query_log_head`)
	return head.LastID, head.LastHash, err
}

func (q queryLog) List(ctx context.Context, f QueryLogFilter, before int64, limit int) ([]QueryLogRow, error) {
	query := `SELECT ` + queryLogColumns + ` FROM query_log WHERE true`
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		query += fmt.Sprintf(" AND "+cond, len(args))
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
	if f.ExceptKind != "" {
		args = append(args, f.ExceptKind, f.ExceptOrg)
		query += fmt.Sprintf(" AND NOT (kind = $%d AND org = $%d)", len(args)-1, len(args))
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
	query += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	var out []QueryLogRow
	if err := q.d.sel(ctx, &out, query, args...); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].LoggedAt = out[i].LoggedAt.UTC()
	}
	return out, nil
}
