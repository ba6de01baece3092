package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

func entry(i int) hubdb.QueryLogRow {
	return hubdb.QueryLogRow{
		RequestID: fmt.Sprintf("req-%d", i), Subject: "u", Org: "market", Kind: "department", TokenID: "t",
		Purpose: "LAW_ENFORCEMENT", Operation: "Q", QueryHash: "h", Persons: []string{"ref"},
		PersonsMasked: []string{"230102********1234"}, Entities: []string{}, Fields: []string{"Person.idNumber"},
	}
}

// logKey is the test's query log key; otherKey is an attacker's.
var (
	logKey   = ed25519.NewKeyFromSeed(seed("the hub's query log key"))
	otherKey = ed25519.NewKeyFromSeed(seed("somebody else's key"))
)

func seed(s string) []byte {
	b := sha256.Sum256([]byte(s))
	return b[:]
}

// clock is a settable time for a log's stamps and seals.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// cst is the city's time, in which the log's months run.
var cst = time.FixedZone("CST", 8*3600)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, cst) }

// instance is one hub instance's query log: its own pool over the hub's
// database and its own batches.
func instance(t testing.TB, dsn string, now func() time.Time) *auth.QueryLog {
	t.Helper()
	db, err := sqldb.Open(sqldb.Config{Name: "hub", DSN: dsn, MaxOpenConns: 2, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog(), Key: logKey, Now: now}
}

// Three hub instances, each with its own pool and batches, write at once
// from many requests: the log is one chain, every row once, no gap, no
// fork, and it verifies.
func TestQueryLogConcurrentInstances(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	dsn := dstest.DSN(t, db.Name)
	const instances, writers, each = 3, 12, 30
	logs := make([]*auth.QueryLog, instances)
	for i := range logs {
		logs[i] = instance(t, dsn, nil)
	}
	var mu sync.Mutex
	var ids []int64
	var wg sync.WaitGroup
	errs := make(chan error, instances*writers*each)
	for i, ql := range logs {
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; n < each; n++ {
					id, err := ql.Append(context.Background(), entry(i*100000+w*1000+n))
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					ids = append(ids, id)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	const total = instances * writers * each
	slices.Sort(ids)
	for i, id := range ids {
		if id != int64(i+1) {
			t.Fatalf("the appends' ids are not 1…%d, each once: position %d holds %d", total, i, id)
		}
	}
	v, err := logs[0].Verify(context.Background(), time.Time{})
	if err != nil || v.Rows != total || v.LastID != total {
		t.Fatalf("Verify = %+v, %v; want %d rows intact", v, err, total)
	}
	var rows, links int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT prev_hash) FROM query_log`).Scan(&rows, &links); err != nil || rows != total || links != total {
		t.Fatalf("%d rows, %d distinct links (%v): a fork", rows, links, err)
	}
	var batches int64
	for _, ql := range logs {
		b, _ := ql.Written()
		batches += b
	}
	t.Logf("%d rows in %d batches", total, batches)
}

// A log across months: each month in its partition, the months that are
// over sealed (once, whichever instance seals), no row stamped in a sealed
// month, a sealed month archived and the rest still proven from its seal.
func TestQueryLogMonthsSealedAndArchived(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	dsn := dstest.DSN(t, db.Name)
	c := &clock{}
	a, b := instance(t, dsn, c.Now), instance(t, dsn, c.Now)
	ctx := context.Background()
	write := func(ql *auth.QueryLog, at time.Time, n int) {
		t.Helper()
		c.Set(at)
		for i := 0; i < n; i++ {
			if _, err := ql.Append(ctx, entry(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(a, day(2026, 1, 10), 10)
	write(b, day(2026, 2, 10), 10)
	write(a, day(2026, 3, 10), 5)
	// Both instances run the runner's turn at once: each month is sealed once.
	var wg sync.WaitGroup
	made := make([][]hubdb.QueryLogSeal, 2)
	for i, ql := range []*auth.QueryLog{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if made[i], err = ql.SealMonths(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(made[0]) + len(made[1]); n != 2 {
		t.Fatalf("%d seals made by two instances; want January's and February's, once each", n)
	}
	seals, err := a.Store.Seals(ctx)
	if err != nil || len(seals) != 2 || seals[0].MonthName() != "2026-01" || seals[0].FirstID != 1 || seals[0].LastID != 10 ||
		seals[1].MonthName() != "2026-02" || seals[1].FirstID != 11 || seals[1].LastID != 20 || seals[1].PrevSeal != seals[0].Hash() {
		t.Fatalf("seals: %+v, %v", seals, err)
	}
	// An instance whose clock is behind writes after February's seal:
	// its row is stamped in March, never in a sealed month.
	write(b, day(2026, 2, 27), 1)
	if rows, err := a.Store.List(ctx, hubdb.QueryLogFilter{}, 0, 1); err != nil || hubdb.QueryLogMonth(rows[0].LoggedAt).Format("2006-01") != "2026-03" {
		t.Fatalf("a row written with February's clock after February's seal: %+v, %v", rows, err)
	}
	v, err := a.Verify(ctx, time.Time{})
	if err != nil || v.Rows != 26 || len(v.Sealed) != 2 || len(v.Archived) != 0 {
		t.Fatalf("Verify = %+v, %v; want 26 rows, 2 months sealed", v, err)
	}
	if _, err := a.Archive(ctx, day(2026, 3, 1)); err == nil || !strings.Contains(err.Error(), "2026-03 has no seal") {
		t.Fatalf("archiving the month under way: %v", err)
	}
	table, err := a.Archive(ctx, day(2026, 1, 1))
	if err != nil || table != "query_log_2026_01" {
		t.Fatalf("Archive(2026-01) = %q, %v", table, err)
	}
	if _, err := a.Archive(ctx, day(2026, 1, 1)); err == nil || !strings.Contains(err.Error(), "not attached") {
		t.Fatalf("archiving January twice: %v", err)
	}
	if _, err := db.Exec(`DROP TABLE query_log_2026_01`); err != nil {
		t.Fatal(err)
	}
	v, err = a.Verify(ctx, time.Time{})
	if err != nil || v.Rows != 16 || v.FirstID != 1 || v.LastID != 26 || len(v.Archived) != 1 || v.Archived[0].MonthName() != "2026-01" {
		t.Fatalf("Verify after archiving January = %+v, %v; want rows 11–26 proven, January archived", v, err)
	}
	// From March on: February's seal is where the walk starts.
	v, err = a.Verify(ctx, day(2026, 3, 1))
	if err != nil || v.Rows != 6 || v.FirstID != 21 || v.LastID != 26 {
		t.Fatalf("Verify since 2026-03 = %+v, %v; want rows 21–26", v, err)
	}
	if _, err := a.Verify(ctx, day(2026, 4, 1)); err == nil || !strings.Contains(err.Error(), "(2026-03) is not sealed") {
		t.Fatalf("Verify since a month whose predecessor has no seal: %v", err)
	}
	// More months pass with no reads: they are sealed empty, and the
	// next row links across them.
	c.Set(day(2026, 6, 2))
	if made, err := a.SealMonths(ctx); err != nil || len(made) != 3 || made[2].MonthName() != "2026-05" || made[2].Rows != 0 {
		t.Fatalf("SealMonths in June = %+v, %v; want March, April and an empty May", made, err)
	}
	write(a, day(2026, 6, 2), 1)
	if v, err := a.Verify(ctx, time.Time{}); err != nil || v.LastID != 27 || len(v.Sealed) != 5 {
		t.Fatalf("Verify in June = %+v, %v", v, err)
	}
}

// tampered is a log with rows in January (1–10), February (11–20) and
// March (21–30), January sealed, February over but not yet sealed.
func tampered(t *testing.T) (template string) {
	t.Helper()
	db := dstest.Open(t, hubdb.Setup, nil)
	c := &clock{}
	ql := &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog(), Key: logKey, Now: c.Now}
	ctx := context.Background()
	for _, m := range []time.Month{1, 2, 3} {
		c.Set(day(2026, m, 10))
		if m == 2 {
			if made, err := ql.SealMonths(ctx); err != nil || len(made) != 1 {
				t.Fatalf("sealing January: %v, %v", made, err)
			}
		}
		for i := 0; i < 10; i++ {
			if _, err := ql.Append(ctx, entry(int(m)*100+i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Close()
	return db.Name
}

// clone copies the template database for one attack; the returned pool has
// one connection on which triggers are off (a superuser behind the hub's
// back), and the log over it.
func clone(t *testing.T, template string) (*sqlx.DB, *auth.QueryLog) {
	t.Helper()
	admin, err := sqlx.Open("postgres", dstest.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := dstest.UniqueName("tamper")
	if _, err := admin.Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(name) + ` TEMPLATE ` + pq.QuoteIdentifier(template)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = sqldb.DropDatabase(ctx, dstest.ServerURL(), name)
	})
	db, err := sqlx.Open("postgres", dstest.DSN(t, name))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	return db, &auth.QueryLog{Store: hubdb.New(db).QueryLog(), Key: logKey}
}

// row reads one row of the log.
func row(t *testing.T, db *sqlx.DB, id int64) hubdb.QueryLogRow {
	t.Helper()
	var r hubdb.QueryLogRow
	if err := db.Get(&r, `SELECT id, logged_at, request_id, subject, org, kind, token_id, purpose, operation, query_hash,
		persons, persons_masked, entities, fields, prev_hash, row_hash FROM query_log WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	r.LoggedAt = r.LoggedAt.UTC()
	return r
}

func insertRow(t *testing.T, db *sqlx.DB, r hubdb.QueryLogRow) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO query_log (id, logged_at, request_id, subject, org, kind, token_id, purpose, operation, query_hash,
		persons, persons_masked, entities, fields, prev_hash, row_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		r.ID, r.LoggedAt, r.RequestID, r.Subject, r.Org, r.Kind, r.TokenID, r.Purpose, r.Operation, r.QueryHash,
		r.Persons, r.PersonsMasked, r.Entities, r.Fields, r.PrevHash, r.RowHash); err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, db *sqlx.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// sealOf re-signs a seal with key.
func sealOf(s hubdb.QueryLogSeal, key ed25519.PrivateKey) hubdb.QueryLogSeal {
	s.Signature = ed25519.Sign(key, s.Statement())
	return s
}

// SECURITY: whoever edits, deletes, reorders or inserts rows, removes a
// month, moves the head or forges a seal behind the hub's back (triggers
// off, as a superuser can) is caught by Verify, which names the place and
// the fault. Dropping a sealed month is archiving it: the rest still
// verifies.
func TestQueryLogTamperingIsCaught(t *testing.T) {
	t.Parallel()
	template := tampered(t)
	ctx := context.Background()
	type want struct {
		id     int64
		month  string
		reason string
	}
	for _, tc := range []struct {
		name   string
		attack func(t *testing.T, db *sqlx.DB, ql *auth.QueryLog)
		want   *want // nil: the log verifies
	}{
		{"nothing", func(*testing.T, *sqlx.DB, *auth.QueryLog) {}, nil},
		{"edit a row", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `UPDATE query_log SET purpose = 'AUTHORIZED_QUERY' WHERE id = 25`)
		}, &want{25, "", "its content does not match its hash (edited after it was written)"}},
		{"edit a row and hash it again", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			r := row(t, db, 25)
			r.Org = "someone-else"
			exec(t, db, `UPDATE query_log SET org = $1, row_hash = $2 WHERE id = 25`, r.Org, r.Hash())
		}, &want{26, "", "it does not link to row 25 (the row before it was replaced, or rows were reordered or inserted)"}},
		{"edit a sealed month's row", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `UPDATE query_log SET fields = '{}' WHERE id = 3`)
		}, &want{3, "", "its content does not match its hash (edited after it was written)"}},
		{"delete a row", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `DELETE FROM query_log WHERE id = 25`)
		}, &want{25, "", "row 25 is missing, and no month's seal accounts for it (rows deleted, or a month's partition removed without being sealed)"}},
		{"delete rows of a sealed month", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `DELETE FROM query_log WHERE id BETWEEN 4 AND 6`)
		}, &want{4, "", "rows 4–6 of the sealed month 2026-01 are missing, but its partition is attached: rows were deleted, not archived"}},
		{"delete a sealed month's rows, its partition kept", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `DELETE FROM query_log_2026_01`)
		}, &want{1, "", "rows 1–10 of the sealed month 2026-01 are missing, but its partition is attached: rows were deleted, not archived"}},
		{"delete the newest rows", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `DELETE FROM query_log WHERE id >= 28`)
		}, &want{28, "", "rows 28–30 are missing, and no month's seal accounts for them (rows deleted, or a month's partition removed without being sealed); the signed head names row 30"}},
		{"delete the newest rows and move the head back", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `DELETE FROM query_log WHERE id >= 28`)
			exec(t, db, `UPDATE query_log_head SET last_id = 27, last_hash = $1`, row(t, db, 27).RowHash)
		}, &want{27, "", "the chain head's signature is not the hub's: the head was moved or forged"}},
		{"move the head back, signed with another key", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `DELETE FROM query_log WHERE id >= 28`)
			h := hubdb.QueryLogHead{LastID: 27, LastHash: row(t, db, 27).RowHash}
			exec(t, db, `UPDATE query_log_head SET last_id = $1, last_hash = $2, signature = $3`, h.LastID, h.LastHash, ed25519.Sign(otherKey, h.Statement()))
		}, &want{27, "", "the chain head's signature is not the hub's: the head was moved or forged"}},
		{"remove the head's signature", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `UPDATE query_log_head SET signature = NULL`)
		}, &want{30, "", "the chain head is not signed (no row has been written since migration 00038, or its signature was removed)"}},
		{"reorder two rows", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `UPDATE query_log SET id = -24 WHERE id = 24`)
			exec(t, db, `UPDATE query_log SET id = 24 WHERE id = 25`)
			exec(t, db, `UPDATE query_log SET id = 25 WHERE id = -24`)
		}, &want{24, "", "it holds the row written as row 25 (rows reordered, or ids changed)"}},
		{"insert a second row 25 (a fork)", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			r := row(t, db, 25)
			r.LoggedAt, r.Subject = r.LoggedAt.Add(time.Microsecond), "forger"
			r.RowHash = r.Hash()
			insertRow(t, db, r)
		}, &want{25, "", "a second row 25 comes after row 25: two rows claim one place in the chain (a fork, or a row inserted)"}},
		{"add a row after the head", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			last := row(t, db, 30)
			r := entry(999)
			r.ID, r.LoggedAt, r.PrevHash = 31, last.LoggedAt, last.RowHash
			r.Persons, r.PersonsMasked, r.Entities, r.Fields = pq.StringArray{"ref"}, pq.StringArray{"230102********1234"}, pq.StringArray{}, pq.StringArray{"Person.idNumber"}
			r.RowHash = r.Hash()
			insertRow(t, db, r)
		}, &want{31, "", "row 31 is past the signed head (row 30): rows were added behind the hub's back"}},
		{"drop a month that is not sealed", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `DROP TABLE query_log_2026_02`)
		}, &want{11, "", "rows 11–20 are missing, and no month's seal accounts for them (rows deleted, or a month's partition removed without being sealed)"}},
		{"detach the month under way", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `ALTER TABLE query_log DETACH PARTITION query_log_2026_03`)
		}, &want{21, "", "rows 21–30 are missing, and no month's seal accounts for them (rows deleted, or a month's partition removed without being sealed); the signed head names row 30"}},
		{"drop a sealed month (archiving it)", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `DROP TABLE query_log_2026_01`)
		}, nil},
		{"drop a month and forge its seal", func(t *testing.T, db *sqlx.DB, ql *auth.QueryLog) {
			seals, _ := ql.Store.Seals(ctx)
			last := row(t, db, 20)
			forged := sealOf(hubdb.QueryLogSeal{Month: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), FirstID: 11, LastID: 20, Rows: 10,
				PrevHash: seals[0].LastHash, LastHash: last.RowHash, PrevSeal: seals[0].Hash(), SealedAt: time.Now()}, otherKey)
			exec(t, db, `DROP TABLE query_log_2026_02`)
			if _, err := ql.Store.AddSeal(ctx, forged); err != nil {
				t.Fatal(err)
			}
		}, &want{0, "2026-02", "its signature is not the hub's: the seal was forged or edited"}},
		{"edit a seal", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `UPDATE query_log_seal SET last_id = 9, rows = 9`)
		}, &want{0, "2026-01", "its signature is not the hub's: the seal was forged or edited"}},
		{"archive a month and delete its seal", func(t *testing.T, db *sqlx.DB, _ *auth.QueryLog) {
			exec(t, db, `DROP TABLE query_log_2026_01`)
			exec(t, db, `DELETE FROM query_log_seal`)
		}, &want{1, "", "rows 1–10 are missing, and no month's seal accounts for them (rows deleted, or a month's partition removed without being sealed)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, ql := clone(t, template)
			tc.attack(t, db, ql)
			v, err := ql.Verify(ctx, time.Time{})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v; want the log to verify", err)
				}
				return
			}
			var b *auth.Broken
			if !errors.As(err, &b) {
				t.Fatalf("Verify = %+v, %v; want it broken at row %d / seal %q: %s", v, err, tc.want.id, tc.want.month, tc.want.reason)
			}
			if b.ID != tc.want.id || b.Month != tc.want.month || b.Reason != tc.want.reason {
				t.Errorf("Verify found %q (row %d, seal %q);\nwant %q (row %d, seal %q)", b.Reason, b.ID, b.Month, tc.want.reason, tc.want.id, tc.want.month)
			}
		})
	}
	// With the triggers on, nobody edits, deletes or truncates, not even
	// one partition or the seals.
	db, _ := clone(t, template)
	exec(t, db, `SET session_replication_role = origin`)
	for _, stmt := range []string{
		`UPDATE query_log SET purpose = 'X' WHERE id = 2`, `DELETE FROM query_log_2026_01`, `TRUNCATE query_log_2026_02`,
		`TRUNCATE query_log`, `UPDATE query_log_seal SET rows = 0`, `DELETE FROM query_log_seal`, `TRUNCATE query_log_seal`,
	} {
		if _, err := db.Exec(stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}

// A row the database cannot store fails alone: the other requests of its
// batch get their rows; hostile text (NUL, broken UTF-8) is stored as
// hashed, and the log verifies.
func TestQueryLogBadRowFailsAlone(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	ql := instance(t, dstest.DSN(t, db.Name), nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := entry(i)
			switch i {
			case 7: // past what a GIN index entry holds
				e.Persons = []string{strings.Repeat("x", 1<<20)}
			case 8:
				e.Operation, e.Subject = "Q\x00uery", "s\xff\xfe"
			case 9: // SECURITY: the batch's rows travel as one quoted literal
				e.Subject, e.Org = `o'; COMMIT; DROP TABLE query_log; --`, `\'$$ E'\\x00' "}]`
				e.Fields = []string{`a"b`, `c'd`, `{e,f}`}
			}
			_, errs[i] = ql.Append(ctx, e)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 7) {
			t.Errorf("row %d: %v", i, err)
		}
	}
	v, err := ql.Verify(ctx, time.Time{})
	if err != nil || v.Rows != 39 {
		t.Fatalf("Verify = %+v, %v; want 39 rows", v, err)
	}
	var op string
	if err := db.Get(&op, `SELECT operation FROM query_log WHERE request_id = 'req-8'`); err != nil || op != "Q\uFFFDuery" {
		t.Fatalf("hostile operation stored as %q, %v", op, err)
	}
	var r hubdb.QueryLogRow
	if err := db.Get(&r, `SELECT subject, org, fields FROM query_log WHERE request_id = 'req-9'`); err != nil ||
		r.Subject != `o'; COMMIT; DROP TABLE query_log; --` || r.Org != `\'$$ E'\\x00' "}]` || !slices.Equal(r.Fields, []string{`a"b`, `c'd`, `{e,f}`}) {
		t.Fatalf("hostile text stored as %q %q %q, %v", r.Subject, r.Org, r.Fields, err)
	}
}

// SECURITY: without its key the log writes nothing (and so every answer
// with personal data is refused), and a log signed with another key does
// not verify.
func TestQueryLogNeedsItsKey(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	store := hubdb.New(db.DB).QueryLog()
	if _, err := (&auth.QueryLog{Store: store}).Append(context.Background(), entry(1)); err == nil {
		t.Fatal("a log without its key wrote a row")
	}
	if _, err := (&auth.QueryLog{Store: store, Key: otherKey}).Append(context.Background(), entry(1)); err != nil {
		t.Fatal(err)
	}
	_, err := (&auth.QueryLog{Store: store, Public: logKey.Public().(ed25519.PublicKey)}).Verify(context.Background(), time.Time{})
	var b *auth.Broken
	if !errors.As(err, &b) || b.Reason != "the chain head's signature is not the hub's: the head was moved or forged" {
		t.Fatalf("a log signed with another key: %v", err)
	}
}

// BenchmarkQueryLogAppend measures the log's write rate with as many
// concurrent writers as GOMAXPROCS × -cpu × 16 (dev/bench/README.md; the
// load across instances is dev/bench/cmd/logbench).
func BenchmarkQueryLogAppend(b *testing.B) {
	db := dstest.Open(b, hubdb.Setup, nil)
	db.SetMaxOpenConns(4)
	ql := &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog(), Key: logKey}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := ql.Append(context.Background(), entry(i)); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	batches, rows := ql.Written()
	b.ReportMetric(float64(rows)/float64(max(batches, 1)), "rows/batch")
}

// appendV1 is how rows were written before migration 00038: one statement
// that locked the head and hashed in PostgreSQL.
const appendV1 = `WITH head AS (
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

// The rows of the unpartitioned log keep their ids and hashes through
// migration 00038: the chain goes on from them, across the months they
// fall in, and the months that are over are sealed from the first.
func TestQueryLogMigratedFromOneTable(t *testing.T) {
	t.Parallel()
	name, dsn := dstest.NewDatabase(t, "hub")
	db, err := sqldb.Open(sqldb.Config{Name: name, DSN: dsn, MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB.DB, hubdb.Setup.Migrations, goose.WithAllowOutofOrder(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 37); err != nil {
		t.Fatal(err)
	}
	for i, at := range []time.Time{day(2025, 11, 5), day(2025, 11, 30), day(2025, 12, 3)} {
		r := entry(i)
		r.LoggedAt = at.UTC()
		if _, err := db.Exec(appendV1, r.Payload(), r.LoggedAt, r.RequestID, r.Subject, r.Org, r.Kind, r.TokenID, r.Purpose,
			r.Operation, r.QueryHash, r.Persons, r.PersonsMasked, r.Entities, r.Fields); err != nil {
			t.Fatal(err)
		}
	}
	if err := sqldb.Migrate(ctx, db, hubdb.Setup.Migrations); err != nil {
		t.Fatal(err)
	}
	ql := &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog(), Key: logKey}
	var b *auth.Broken
	if _, err := ql.Verify(ctx, time.Time{}); !errors.As(err, &b) || b.ID != 3 || !strings.Contains(b.Reason, "not signed") {
		t.Fatalf("Verify before the first signed batch = %v; want the unsigned head named", err)
	}
	months, err := ql.Store.Months(ctx)
	if err != nil || len(months) < 2 || months[0].Format("2006-01") != "2025-11" || months[1].Format("2006-01") != "2025-12" {
		t.Fatalf("partitions after the migration: %v, %v", months, err)
	}
	if id, err := ql.Append(ctx, entry(9)); err != nil || id != 4 {
		t.Fatalf("the first row after the migration: %d, %v", id, err)
	}
	sealed, err := ql.SealMonths(ctx)
	if err != nil || len(sealed) < 2 || sealed[0].MonthName() != "2025-11" || sealed[0].LastID != 2 || sealed[1].FirstID != 3 || sealed[1].LastID != 3 {
		t.Fatalf("SealMonths = %+v, %v; want 2025-11 (rows 1–2), 2025-12 (row 3), …", sealed, err)
	}
	if v, err := ql.Verify(ctx, time.Time{}); err != nil || v.Rows != 4 {
		t.Fatalf("Verify = %+v, %v; want 4 rows", v, err)
	}
	// And back: the migration's Down keeps the rows.
	if _, err := p.DownTo(ctx, 37); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM query_log`); err != nil || n != 4 {
		t.Fatalf("rows after migrating down: %d, %v", n, err)
	}
}

// A batch that another instance's batch came before commits without
// waiting for the disk (the head's lock is not held across a flush) and is
// flushed before its requests are answered; when the flush fails, they are
// not answered (the rows stay in the chain: logged and not answered, never
// the other way round).
func TestQueryLogUnflushedIsNotAnswered(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	dsn := dstest.DSN(t, db.Name)
	a, b := instance(t, dsn, nil), instance(t, dsn, nil)
	ctx := context.Background()
	for _, ql := range []*auth.QueryLog{a, b} {
		if _, err := ql.Append(ctx, entry(1)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`ALTER TABLE query_log_flush RENAME TO query_log_flush_gone`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, entry(2)); err == nil {
		t.Fatal("a row whose flush failed was reported written")
	}
	if _, err := db.Exec(`ALTER TABLE query_log_flush_gone RENAME TO query_log_flush`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, entry(3)); err != nil {
		t.Fatal(err)
	}
	// Alone (nobody wrote since its last batch), a writer's batch commits
	// waiting for the disk itself: it needs no flush.
	if _, err := db.Exec(`ALTER TABLE query_log_flush RENAME TO query_log_flush_gone`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, entry(4)); err != nil {
		t.Fatal(err)
	}
	if v, err := a.Verify(ctx, time.Time{}); err != nil || v.Rows != 5 {
		t.Fatalf("Verify = %+v, %v; want every row chained", v, err)
	}
}
