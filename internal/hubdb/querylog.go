package hubdb

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
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
// the row's id and its payload, one per line. Append computes it for the
// rows it writes and a verifier recomputes it, both here.
func (r *QueryLogRow) Hash() string {
	return r.HashAs(r.ID)
}

// HashAs is Hash as if the row had id: a verifier that finds a row whose
// hash does not match asks which id it was written under (a moved row).
func (r *QueryLogRow) HashAs(id int64) string {
	h := sha256.Sum256([]byte(r.PrevHash + "\n" + strconv.FormatInt(id, 10) + "\n" + r.Payload()))
	return hex.EncodeToString(h[:])
}

// ZeroHash is the hash before the first row, and the previous seal of the
// first month's seal.
var ZeroHash = strings.Repeat("0", 64)

// QueryLogHead is the chain head: the last row's id and hash, signed by the
// batch that wrote that row, and the floor of the next rows' logged_at.
type QueryLogHead struct {
	LastID   int64     `db:"last_id"`
	LastHash string    `db:"last_hash"`
	LastAt   time.Time `db:"last_at"`
	// Signature is the hub's Ed25519 signature of Statement (nil until the
	// first batch after migration 00038).
	Signature []byte `db:"signature"`
}

// Statement is what the head's signature signs.
func (h QueryLogHead) Statement() []byte {
	return []byte("credithub query log head\n" + strconv.FormatInt(h.LastID, 10) + "\n" + h.LastHash)
}

// QueryLogSeal is a month's seal: the month's rows are ids FirstID to
// LastID (Rows of them; none when LastID = FirstID-1), the first links to
// PrevHash and the last hashes to LastHash. Seals are chained (PrevSeal is
// the hash of the month before's seal) and signed by the hub.
type QueryLogSeal struct {
	Month     time.Time `db:"month"`
	FirstID   int64     `db:"first_id"`
	LastID    int64     `db:"last_id"`
	Rows      int64     `db:"rows"`
	PrevHash  string    `db:"prev_hash"`
	LastHash  string    `db:"last_hash"`
	PrevSeal  string    `db:"prev_seal"`
	SealedAt  time.Time `db:"sealed_at"`
	Signature []byte    `db:"signature"`
}

// MonthName is the seal's month as YYYY-MM.
func (s QueryLogSeal) MonthName() string { return s.Month.Format("2006-01") }

// Statement is what the seal's signature signs: every field but the time
// it was made and the signature.
func (s QueryLogSeal) Statement() []byte {
	return []byte(fmt.Sprintf("credithub query log seal\n%s\n%d\n%d\n%d\n%s\n%s\n%s",
		s.MonthName(), s.FirstID, s.LastID, s.Rows, s.PrevHash, s.LastHash, s.PrevSeal))
}

// Hash is the seal's link: the next month's seal carries it as PrevSeal.
func (s QueryLogSeal) Hash() string {
	h := sha256.Sum256(s.Statement())
	return hex.EncodeToString(h[:])
}

// QueryLogMonth returns the month that holds t in the city's time, as
// midnight of its first day in UTC (the query_log_seal.month date); the
// partition of that month holds the rows logged from its first day 00:00
// to the next month's, Asia/Shanghai.
func QueryLogMonth(t time.Time) time.Time {
	c := t.In(cstZone)
	return time.Date(c.Year(), c.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// QueryLogMonthSpan returns the instants a month's partition runs from and
// to (the next month's start).
func QueryLogMonthSpan(month time.Time) (from, to time.Time) {
	from = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, cstZone)
	return from, from.AddDate(0, 1, 0)
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
// hashed with its predecessor's hash (Hash), partitioned by month, under a
// signed head row that every batch of writers locks, and the months' seals.
type QueryLogStore interface {
	// Append writes a batch as the next rows of the chain, in its order,
	// in one transaction that holds the head's lock: b.Take is called once
	// the lock is held (so the rows that queued while the transaction
	// waited for it go in too) and returns the batch; each row is stamped
	// with b.Now(), or the head's LastAt if that is later, and given its
	// id, PrevHash and RowHash; the head moves to the last and carries
	// b.Sign's signature of it. Append returns the rows as written and the
	// new head: when it returns without error every row is committed and
	// on disk; otherwise none is reported written (they may be committed:
	// logged, never answered). The month's partition is created if it is
	// missing (and the same rows written again). LoggedAt is stored, and
	// hashed, to the microsecond.
	Append(ctx context.Context, b QueryLogBatch) ([]QueryLogRow, QueryLogHead, error)
	// Walk calls fn with every row in id order (with since not zero: the
	// rows of since's month and later), and stops at fn's first error,
	// which it returns.
	Walk(ctx context.Context, since time.Time, fn func(QueryLogRow) error) error
	// WalkMonth calls fn with the rows of one month in id order.
	WalkMonth(ctx context.Context, month time.Time, fn func(QueryLogRow) error) error
	// FirstAfter returns the first row after id (sql.ErrNoRows: none).
	FirstAfter(ctx context.Context, id int64) (QueryLogRow, error)
	// Head returns the chain head (sql.ErrNoRows when the head row is
	// missing).
	Head(ctx context.Context) (QueryLogHead, error)
	// CloseMonth makes sure no row is stamped before end from now on (it
	// raises the head's LastAt, under the head's lock).
	CloseMonth(ctx context.Context, end time.Time) error
	// Seals returns every month's seal, oldest first.
	Seals(ctx context.Context) ([]QueryLogSeal, error)
	// AddSeal stores a seal; false when the month was sealed already.
	AddSeal(ctx context.Context, s QueryLogSeal) (bool, error)
	// Months returns the months whose partitions are attached, oldest
	// first.
	Months(ctx context.Context) ([]time.Time, error)
	// CreateMonths creates the partitions of the months from from to to
	// that are missing.
	CreateMonths(ctx context.Context, from, to time.Time) error
	// Detach detaches a month's partition and returns its table's name.
	Detach(ctx context.Context, month time.Time) (string, error)
	// List returns up to limit rows matching f, newest first, after the
	// row with id before (0: from the newest).
	List(ctx context.Context, f QueryLogFilter, before int64, limit int) ([]QueryLogRow, error)
}

// QueryLog returns the query log's store.
func (d *DB) QueryLog() QueryLogStore { return queryLog{d} }

type queryLog struct{ d *DB }

var _ QueryLogStore = queryLog{}

// insertQueryLogRows writes a batch's rows (one JSON literal of records
// named after the columns) and moves the head, in one statement; its
// values are filled in as quoted literals (append).
const insertQueryLogRows = `WITH ins AS (
	INSERT INTO query_log (id, logged_at, request_id, subject, org, kind, token_id, purpose, operation, query_hash,
		persons, persons_masked, entities, fields, prev_hash, row_hash)
	SELECT id, logged_at, request_id, subject, org, kind, token_id, purpose, operation, query_hash,
		persons, persons_masked, entities, fields, prev_hash, row_hash
	FROM json_populate_recordset(NULL::query_log, %s)
)
UPDATE query_log_head SET last_id = %d, last_hash = %s, last_at = %s, signature = %s::bytea`

// storedRow is a row as insertQueryLogRows reads it.
type storedRow struct {
	ID            int64     `json:"id"`
	LoggedAt      time.Time `json:"logged_at"`
	RequestID     string    `json:"request_id"`
	Subject       string    `json:"subject"`
	Org           string    `json:"org"`
	Kind          string    `json:"kind"`
	TokenID       string    `json:"token_id"`
	Purpose       string    `json:"purpose"`
	Operation     string    `json:"operation"`
	QueryHash     string    `json:"query_hash"`
	Persons       []string  `json:"persons"`
	PersonsMasked []string  `json:"persons_masked"`
	Entities      []string  `json:"entities"`
	Fields        []string  `json:"fields"`
	PrevHash      string    `json:"prev_hash"`
	RowHash       string    `json:"row_hash"`
}

// QueryLogBatch is one batch for QueryLogStore.Append.
type QueryLogBatch struct {
	Take func() []QueryLogRow
	Now  func() time.Time
	Sign func(QueryLogHead) []byte
	// After is the head's LastID as this writer's previous batch left it.
	// When the head is still there, no other writer came in between and
	// the batch commits waiting for the disk itself; otherwise others are
	// about, and it commits without waiting, so that the head's lock is
	// not held across a disk flush, and is flushed afterwards (a one-row
	// synchronous write: a synchronous commit flushes the WAL up to its
	// own record, the batch's included).
	After int64
}

// flushSlots is the number of query_log_flush rows (migration 00038).
const flushSlots = 64

func (q queryLog) Append(ctx context.Context, b QueryLogBatch) ([]QueryLogRow, QueryLogHead, error) {
	var rows []QueryLogRow
	taken := false
	batch := func() []QueryLogRow {
		if !taken {
			rows, taken = b.Take(), true
		}
		return rows
	}
	head, flush, err := q.append(ctx, b, batch)
	if isMissingPartition(err) {
		if err := q.CreateMonths(ctx, head.LastAt, head.LastAt); err != nil {
			return nil, head, fmt.Errorf("writing the query log: creating the month's partition: %w", err)
		}
		head, flush, err = q.append(ctx, b, batch)
	}
	if err == nil && flush {
		_, err = q.d.exec(ctx, `UPDATE query_log_flush SET n = n + 1 WHERE slot = $1`, rand.IntN(flushSlots))
	}
	if err != nil {
		return nil, head, fmt.Errorf("writing the query log: %w", err)
	}
	return rows, head, nil
}

// append writes one batch in two round trips on one connection: BEGIN
// and the head read under its lock, then the rows, the head moved and
// COMMIT, as one text (the rows inlined as one JSON literal), so that the
// lock is held for the batch's own statements and one round trip. It
// reports whether the batch still has to be flushed to disk.
func (q queryLog) append(ctx context.Context, b QueryLogBatch, batch func() []QueryLogRow) (h QueryLogHead, flush bool, err error) {
	if q.d.tx != nil {
		return h, false, errors.New("a query log batch is its own transaction")
	}
	conn, err := q.d.pool.Connx(ctx)
	if err != nil {
		return h, false, sqldb.MapError(err)
	}
	open := false
	defer func() {
		if open {
			// A failed batch leaves its transaction open, or aborted: end
			// it, or drop the connection rather than hand it back so.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if _, rerr := conn.ExecContext(rctx, `ROLLBACK`); rerr != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			cancel()
		}
		conn.Close()
	}()
	open = true
	if err = conn.QueryRowxContext(ctx, `BEGIN; SELECT last_id, last_hash, last_at, signature FROM query_log_head FOR UPDATE`).StructScan(&h); err != nil {
		return h, false, sqldb.MapError(err)
	}
	rows := batch()
	if len(rows) == 0 {
		return h, false, nil // rolled back
	}
	flush = h.LastID != b.After
	at := b.Now().UTC().Truncate(time.Microsecond)
	if h.LastAt.After(at) {
		at = h.LastAt.UTC()
	}
	recs := make([]storedRow, len(rows))
	for i := range rows {
		r := &rows[i]
		// Hash what will be stored: an empty list comes back as [], never null.
		for _, s := range []*pq.StringArray{&r.Persons, &r.PersonsMasked, &r.Entities, &r.Fields} {
			if *s == nil {
				*s = pq.StringArray{}
			}
		}
		r.ID, r.LoggedAt, r.PrevHash = h.LastID+int64(i)+1, at, h.LastHash
		if i > 0 {
			r.PrevHash = rows[i-1].RowHash
		}
		r.RowHash = r.Hash()
		recs[i] = storedRow{r.ID, r.LoggedAt, r.RequestID, r.Subject, r.Org, r.Kind, r.TokenID, r.Purpose, r.Operation,
			r.QueryHash, r.Persons, r.PersonsMasked, r.Entities, r.Fields, r.PrevHash, r.RowHash}
	}
	last := rows[len(rows)-1]
	next := QueryLogHead{LastID: last.ID, LastHash: last.RowHash, LastAt: at}
	next.Signature = b.Sign(next)
	js, err := json.Marshal(recs)
	if err != nil {
		return h, false, err
	}
	sync := ""
	if flush {
		sync = "SET LOCAL synchronous_commit = off;\n"
	}
	// Every value is ours: JSON of cleaned text, numbers, hex; quoted
	// all the same.
	stmt := sync + fmt.Sprintf(insertQueryLogRows+";\nCOMMIT", pq.QuoteLiteral(string(js)), next.LastID, pq.QuoteLiteral(next.LastHash),
		pq.QuoteLiteral(at.Format(time.RFC3339Nano)), pq.QuoteLiteral(`\x`+hex.EncodeToString(next.Signature)))
	if _, err = conn.ExecContext(ctx, stmt); err != nil {
		next.LastAt = at
		return next, false, sqldb.MapError(err)
	}
	open = false
	return next, flush, nil
}

// isMissingPartition reports whether err is PostgreSQL's "no partition of
// relation found for row" (a check violation on the partitioned table).
func isMissingPartition(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23514" && strings.Contains(pqErr.Message, "no partition")
}

const queryLogColumns = `id, logged_at, request_id, subject, org, kind, token_id, purpose, operation, query_hash,
	persons, persons_masked, entities, fields, prev_hash, row_hash`

func (q queryLog) Walk(ctx context.Context, since time.Time, fn func(QueryLogRow) error) error {
	if since.IsZero() {
		return q.walk(ctx, fn, `SELECT `+queryLogColumns+` FROM query_log ORDER BY id`)
	}
	from, _ := QueryLogMonthSpan(QueryLogMonth(since))
	return q.walk(ctx, fn, `SELECT `+queryLogColumns+` FROM query_log WHERE logged_at >= $1 ORDER BY id`, from)
}

func (q queryLog) WalkMonth(ctx context.Context, month time.Time, fn func(QueryLogRow) error) error {
	from, to := QueryLogMonthSpan(month)
	return q.walk(ctx, fn, `SELECT `+queryLogColumns+` FROM query_log WHERE logged_at >= $1 AND logged_at < $2 ORDER BY id`, from, to)
}

func (q queryLog) walk(ctx context.Context, fn func(QueryLogRow) error, query string, args ...any) error {
	rows, err := q.d.x.QueryxContext(ctx, query, args...)
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

func (q queryLog) FirstAfter(ctx context.Context, id int64) (QueryLogRow, error) {
	var r QueryLogRow
	err := q.d.get(ctx, &r, `SELECT `+queryLogColumns+` FROM query_log WHERE id > $1 ORDER BY id LIMIT 1`, id)
	r.LoggedAt = r.LoggedAt.UTC()
	return r, err
}

func (q queryLog) Head(ctx context.Context) (QueryLogHead, error) {
	var h QueryLogHead
	err := q.d.get(ctx, &h, `SELECT last_id, last_hash, last_at, signature FROM query_log_head`)
	h.LastAt = h.LastAt.UTC()
	return h, err
}

func (q queryLog) CloseMonth(ctx context.Context, end time.Time) error {
	_, err := q.d.exec(ctx, `UPDATE query_log_head SET last_at = greatest(last_at, $1)`, end)
	return err
}

func (q queryLog) Seals(ctx context.Context) ([]QueryLogSeal, error) {
	var out []QueryLogSeal
	err := q.d.sel(ctx, &out, `SELECT month, first_id, last_id, rows, prev_hash, last_hash, prev_seal, sealed_at, signature
		FROM query_log_seal ORDER BY month`)
	for i := range out {
		out[i].Month = monthOf(out[i].Month)
	}
	return out, err
}

func (q queryLog) AddSeal(ctx context.Context, s QueryLogSeal) (bool, error) {
	n, err := q.d.exec(ctx, `INSERT INTO query_log_seal (month, first_id, last_id, rows, prev_hash, last_hash, prev_seal, sealed_at, signature)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (month) DO NOTHING`,
		s.Month.Format(time.DateOnly), s.FirstID, s.LastID, s.Rows, s.PrevHash, s.LastHash, s.PrevSeal, s.SealedAt, s.Signature)
	return n == 1, err
}

// monthOf normalises a date read back from PostgreSQL to the month's first
// day, midnight UTC (QueryLogMonth's form).
func monthOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// partitionName is the table of a month's rows (query_log_partition).
func partitionName(month time.Time) string { return "query_log_" + month.Format("2006_01") }

func (q queryLog) Months(ctx context.Context) ([]time.Time, error) {
	var names []string
	if err := q.d.sel(ctx, &names, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'query_log'::regclass ORDER BY c.relname`); err != nil {
		return nil, err
	}
	var out []time.Time
	for _, n := range names {
		m, err := time.Parse("2006_01", strings.TrimPrefix(n, "query_log_"))
		if err != nil {
			return nil, fmt.Errorf("query log partition %q is not named query_log_YYYY_MM", n)
		}
		out = append(out, m)
	}
	return out, nil
}

func (q queryLog) CreateMonths(ctx context.Context, from, to time.Time) error {
	for m := QueryLogMonth(from); !m.After(QueryLogMonth(to)); m = m.AddDate(0, 1, 0) {
		if _, err := q.d.exec(ctx, `SELECT query_log_partition($1::date)`, m.Format(time.DateOnly)); err != nil {
			return err
		}
	}
	return nil
}

func (q queryLog) Detach(ctx context.Context, month time.Time) (string, error) {
	name := partitionName(monthOf(month))
	_, err := q.d.exec(ctx, `ALTER TABLE query_log DETACH PARTITION `+pq.QuoteIdentifier(name))
	return name, err
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
