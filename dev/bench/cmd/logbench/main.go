// Command logbench measures the query log's write rate across several hub
// instances (issue #16): each instance is the log as one hub process has
// it (auth.QueryLog over a pool of its own), and many requests of each
// append at once, each waiting for its row's commit as an answer does. It
// reports the rows committed per second, the time an append waits, the
// rows per batch, and what verifying the log then costs.
//
//	go run ./dev/bench/cmd/logbench -instances 3 -writers 32 -duration 15s
//
// By default it creates a throwaway hub database (logbench_…), migrates
// it and drops it at the end. -mode row writes as the log did before issue
// #16 (one statement per row under the head's lock), for comparison on the
// same machine at the same time; its chain has no signed head and is not
// verified.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lib/pq"

	"credithub/auth"
	"credithub/dev/bench/loadgen"
	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "logbench:", err)
		os.Exit(1)
	}
}

type config struct {
	dsn        string
	database   string
	keep       bool
	instances  int
	writers    int
	conns      int
	maxBatch   int
	duration   time.Duration
	warmup     time.Duration
	mode       string
	verify     bool
	label      string
	cpuProfile string
}

func run(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("logbench", flag.ContinueOnError)
	fs.StringVar(&c.dsn, "dsn", envOr("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "the PostgreSQL server (its database is replaced)")
	fs.StringVar(&c.database, "database", "", "an existing hub database to append to (default: a throwaway one, created, migrated and dropped)")
	fs.BoolVar(&c.keep, "keep", false, "keep the throwaway database")
	fs.IntVar(&c.instances, "instances", 3, "hub instances, each with its own pool and batches")
	fs.IntVar(&c.writers, "writers", 32, "concurrent requests appending, per instance")
	fs.IntVar(&c.conns, "conns", 4, "connections of each instance's pool")
	fs.IntVar(&c.maxBatch, "max-batch", 0, "rows per batch at most (0: auth.DefaultMaxBatch)")
	fs.DurationVar(&c.duration, "duration", 15*time.Second, "measured time")
	fs.DurationVar(&c.warmup, "warmup", 3*time.Second, "time before measuring")
	fs.StringVar(&c.mode, "mode", "batch", "batch (the log as it is) or row (one statement per row, as before issue #16)")
	fs.BoolVar(&c.verify, "verify", true, "verify the whole log at the end and time it")
	fs.StringVar(&c.label, "label", "", "the run's name in the table")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.mode != "batch" && c.mode != "row" {
		return fmt.Errorf("-mode must be batch or row, got %q", c.mode)
	}
	if c.label == "" {
		c.label = c.mode
	}
	ctx := context.Background()
	name := c.database
	if name == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		name = "logbench_" + hex.EncodeToString(b)
		if err := sqldb.CreateDatabase(ctx, c.dsn, name); err != nil {
			return err
		}
		if !c.keep {
			defer func() { _ = sqldb.DropDatabase(context.Background(), c.dsn, name) }()
		}
	}
	dsn, err := sqldb.WithDatabase(c.dsn, name)
	if err != nil {
		return err
	}
	// The writers' sessions are named, so that their backends' CPU time
	// can be told from everybody else's on a shared server.
	appName := "logbench-" + name
	writerDSN, err := sqldb.WithParams(dsn, map[string]string{"application_name": appName})
	if err != nil {
		return err
	}
	admin, err := sqldb.Open(sqldb.Config{Name: "hub", DSN: dsn, MaxOpenConns: 2, Timeout: time.Minute})
	if err != nil {
		return err
	}
	defer admin.Close()
	if c.database == "" {
		if err := sqldb.Migrate(ctx, admin, hubdb.Setup.Migrations); err != nil {
			return err
		}
	}
	key := ed25519.NewKeyFromSeed(sum("logbench's query log key"))
	type instance struct {
		db *sqldb.DB
		ql *auth.QueryLog
	}
	insts := make([]instance, c.instances)
	for i := range insts {
		db, err := sqldb.Open(sqldb.Config{Name: "hub", DSN: writerDSN, MaxOpenConns: c.conns, Timeout: 10 * time.Second})
		if err != nil {
			return err
		}
		defer db.Close()
		insts[i] = instance{db, &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog(), Key: key, MaxBatch: c.maxBatch}}
	}
	var before int64
	if err := admin.Get(&before, `SELECT last_id FROM query_log_head`); err != nil {
		return err
	}

	load0 := loadgen.LoadAverage()
	var measuring, stop atomic.Bool
	var mu sync.Mutex
	var lat []time.Duration
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for i, in := range insts {
		for w := 0; w < c.writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				for n := 0; !stop.Load(); n++ {
					e := sample(i, w, n)
					t0 := time.Now()
					var err error
					if c.mode == "row" {
						err = appendRow(ctx, in.db, e)
					} else {
						_, err = in.ql.Append(ctx, e)
					}
					d := time.Since(t0)
					if err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, err)
						continue
					}
					if measuring.Load() && !stop.Load() {
						mine = append(mine, d)
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
	}
	time.Sleep(c.warmup)
	written := func() (b, r int64) {
		for _, in := range insts {
			x, y := in.ql.Written()
			b, r = b+x, r+y
		}
		return
	}
	b0, r0 := written()
	cpu0, err := cpuNow(ctx, admin, appName)
	if err != nil {
		return err
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	measuring.Store(true)
	start := time.Now()
	time.Sleep(c.duration)
	stop.Store(true)
	if c.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	elapsed := time.Since(start)
	b1, r1 := written()
	cpu1, err := cpuNow(ctx, admin, appName)
	if err != nil {
		return err
	}
	wg.Wait()
	load1 := loadgen.LoadAverage()
	if err, _ := firstErr.Load().(error); err != nil {
		return fmt.Errorf("%d appends failed, the first: %w", failed.Load(), err)
	}
	slices.Sort(lat)
	rows := len(lat)
	perBatch := "—"
	if b1 > b0 {
		perBatch = fmt.Sprintf("%.1f", float64(r1-r0)/float64(b1-b0))
	}
	verified := "—"
	if c.verify && c.mode == "batch" {
		t0 := time.Now()
		v, err := (&auth.QueryLog{Store: hubdb.New(admin.DB).QueryLog(), Key: key}).Verify(ctx, time.Time{})
		if err != nil {
			return fmt.Errorf("verifying the log after the run: %w", err)
		}
		if c.database == "" && v.Rows != v.LastID {
			return fmt.Errorf("verified %d rows, but the head is at %d", v.Rows, v.LastID)
		}
		d := time.Since(t0)
		verified = fmt.Sprintf("%d rows in %.2f s (%.0f rows/s)", v.Rows, d.Seconds(), float64(v.Rows)/d.Seconds())
	}
	var after int64
	if err := admin.Get(&after, `SELECT last_id FROM query_log_head`); err != nil {
		return err
	}
	perRow := func(d time.Duration) string {
		if rows == 0 {
			return "—"
		}
		return fmt.Sprintf("%.0f", float64(d.Microseconds())/float64(rows))
	}
	fmt.Fprintln(out, "| run | mode | instances × writers | rows in the window | rows / s | append median ms | append p99 ms | rows / batch | Go CPU µs / row | PostgreSQL CPU µs / row | load avg (1 min) before → after | verify |")
	fmt.Fprintln(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|")
	fmt.Fprintf(out, "| %s | %s | %d × %d | %d | %.0f | %.2f | %.2f | %s | %s | %s | %s → %s | %s |\n",
		c.label, c.mode, c.instances, c.writers, rows, float64(rows)/elapsed.Seconds(),
		ms(loadgen.Percentile(lat, 0.5)), ms(loadgen.Percentile(lat, 0.99)), perBatch, perRow(cpu1.self-cpu0.self), perRow(cpu1.pg-cpu0.pg),
		load0, load1, verified)
	fmt.Fprintf(out, "\n%d rows written in all (warm-up and the appends in flight at the end included), database %s\n", after-before, name)
	return nil
}

// sample is a row as a personal read of S1 writes it: two persons, one
// entity, two fields.
func sample(inst, writer, n int) hubdb.QueryLogRow {
	ref := func(s string) string { return hex.EncodeToString(sum(s)) }
	return hubdb.QueryLogRow{
		RequestID: fmt.Sprintf("lb-%d-%d-%d", inst, writer, n), Subject: "bench", Org: "market", Kind: "department",
		TokenID: "logbench", Purpose: "LAW_ENFORCEMENT", Operation: "S1", QueryHash: ref("S1"),
		Persons:       pq.StringArray{ref(fmt.Sprint("p", n%1000)), ref(fmt.Sprint("q", n%977))},
		PersonsMasked: pq.StringArray{"230102********1234", "230102********4321"},
		Entities:      pq.StringArray{fmt.Sprintf("91231100MA1%07d", n%100000)},
		Fields:        pq.StringArray{"Person.idNumber", "Person.mobile"},
	}
}

// appendV1 is the log's statement before issue #16: the head read under its
// lock, the row inserted and the head moved, one row per commit.
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

func appendRow(ctx context.Context, db *sqldb.DB, r hubdb.QueryLogRow) error {
	r.LoggedAt = time.Now().UTC().Truncate(time.Microsecond)
	var id int64
	err := db.GetContext(ctx, &id, appendV1, r.Payload(), r.LoggedAt, r.RequestID, r.Subject, r.Org, r.Kind, r.TokenID,
		r.Purpose, r.Operation, r.QueryHash, r.Persons, r.PersonsMasked, r.Entities, r.Fields)
	if err != nil && strings.Contains(err.Error(), "no partition") {
		return errors.New("no partition for this month: run -mode batch once first")
	}
	return err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sum(s string) []byte {
	b := sha256.Sum256([]byte(s))
	return b[:]
}

// cpuUse is CPU time used so far: this process's (the instances' Go
// side, and the writers that drive them), and that of the PostgreSQL
// backends serving the writers' sessions (application_name appName).
type cpuUse struct{ self, pg time.Duration }

func cpuNow(ctx context.Context, admin *sqldb.DB, appName string) (cpuUse, error) {
	var u cpuUse
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return u, err
	}
	u.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	var pids []int
	if err := admin.SelectContext(ctx, &pids, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, appName); err != nil {
		return u, err
	}
	for _, pid := range pids {
		t, err := loadgen.ProcCPU(pid)
		if err != nil {
			continue // a backend that ended, or another machine's
		}
		u.pg += t
	}
	return u, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
