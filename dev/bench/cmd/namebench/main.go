// Command namebench measures the registry's name search at benchmark size
// (issue #16): the first and the next page of 20 entities (the GraphQL
// default, asked as 21 to know whether a next page exists) and the capped
// count, through market.RegistryStore, the statements the hub sends, for
// the terms people type: two-character place and trade words, and a few
// of three and four characters.
//
//	go run ./dev/bench/cmd/namebench -build -to 7     # nm_market at 1M, as main had it
//	go run ./dev/bench/cmd/namebench -runs 15         # the table
//	go run ./dev/bench/cmd/namebench -build           # the later migrations
//	go run ./dev/bench/cmd/namebench -drop
//
// dev/bench/namesearch.sh runs the whole comparison (dev/bench/namesearch.md).
//
// -build creates the database (default nm_market) unless it exists,
// migrates it (up to -to when given) and, when its registry is empty,
// loads -entities entities of the synthetic world (dev/world: names made
// from its place and trade words, codes in its order) with their GIN
// indexes dropped during the load and rebuilt after, then ANALYZEs. It
// loads only registry_entity: the name search reads nothing else.
//
// The table gives, per term, the entities matching it (a scan with
// strpos), the median and 95th percentile of each statement over -runs
// rounds (the terms interleaved, so that the machine's load falls on all
// of them alike), and the shape of the first page's plan from EXPLAIN
// (ANALYZE, BUFFERS) of the very statement the store sent. The load
// average is printed before and after.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"

	"credithub/datasources/market"
	"credithub/dev/bench/loadgen"
	"credithub/dev/world"
	"credithub/internal/sqldb"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "namebench:", err)
		os.Exit(1)
	}
}

// defaultTerms are what people type: places of the city (dev/synth's
// divisions and their short forms), trade and industry words of its names,
// words its names never hold (贸易, 北京, 哈尔), and longer terms.
var defaultTerms = []string{
	// places
	"黑河", "爱辉", "北安", "嫩江", "逊克", "孙吴", "五大", "连池", "龙江", "哈尔", "北京",
	// trade and industry words
	"五金", "种植", "科技", "贸易", "餐饮", "建筑", "商贸", "物流", "超市", "鑫源", "对俄", "张记", "养殖", "有限",
	// three and four characters
	"黑河市", "合作社", "小吃店", "黑龙江", "有限公司", "大豆种植", "五大连池", "鑫源商贸", "北京科技",
}

type config struct {
	dsn, database, terms, explainDir string
	build, drop                      bool
	to                               int64
	entities, runs, page             int
	seed                             uint64
}

func run(args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("namebench", flag.ContinueOnError)
	fs.StringVar(&c.dsn, "dsn", envOr("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "the PostgreSQL server")
	fs.StringVar(&c.database, "database", "nm_market", "the market database to build or measure")
	fs.BoolVar(&c.build, "build", false, "create, migrate and (when empty) load the database, then measure")
	fs.BoolVar(&c.drop, "drop", false, "drop the database and exit")
	fs.Int64Var(&c.to, "to", 0, "with -build: migrate up to this version only (0: all)")
	fs.IntVar(&c.entities, "entities", 1_000_000, "with -build: entities to load into an empty registry")
	fs.Uint64Var(&c.seed, "seed", 1, "with -build: seed of the synthetic world")
	fs.IntVar(&c.runs, "runs", 15, "rounds over the terms (0: build only)")
	fs.IntVar(&c.page, "first", 20, "page size (the GraphQL default)")
	fs.StringVar(&c.terms, "terms", strings.Join(defaultTerms, ","), "comma-separated terms")
	fs.StringVar(&c.explainDir, "explain-dir", "", "write each term's EXPLAIN (ANALYZE, BUFFERS) of the first page there")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	if c.drop {
		return sqldb.DropDatabase(ctx, c.dsn, c.database)
	}
	dsn, err := sqldb.WithDatabase(c.dsn, c.database)
	if err != nil {
		return err
	}
	if c.build {
		if err := sqldb.CreateDatabase(ctx, c.dsn, c.database); err != nil {
			return err
		}
	}
	db, err := sqldb.Open(sqldb.Config{Name: "market", DSN: dsn, MaxOpenConns: 2, Timeout: time.Hour})
	if err != nil {
		return err
	}
	defer db.Close()
	if c.build {
		if err := build(ctx, db, c, out); err != nil {
			return err
		}
	}
	if c.runs <= 0 {
		return nil
	}
	var version int64
	if err := db.GetContext(ctx, &version, `SELECT max(version_id) FROM goose_db_version WHERE is_applied`); err != nil {
		return err
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM registry_entity`); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d entities, market migrations up to %05d; %d rounds; load average %s\n\n", c.database, n, version, c.runs, loadavg())
	return measure(ctx, db, c, strings.Split(c.terms, ","), out)
}

// build migrates the database and loads an empty registry.
func build(ctx context.Context, db *sqldb.DB, c config, out io.Writer) error {
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB.DB, market.Setup.Migrations, goose.WithAllowOutofOrder(true))
	if err != nil {
		return err
	}
	if c.to > 0 {
		_, err = p.UpTo(ctx, c.to)
	} else {
		_, err = p.Up(ctx)
	}
	if err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	var empty bool
	if err := db.GetContext(ctx, &empty, `SELECT NOT EXISTS (SELECT 1 FROM registry_entity)`); err != nil {
		return err
	}
	if !empty {
		fmt.Fprintf(out, "%s: migrated; its registry has rows, none loaded; vacuumed and analyzed\n", c.database)
		_, err := db.ExecContext(ctx, `VACUUM ANALYZE`)
		return err
	}
	start := time.Now()
	w := world.New(c.seed, c.entities)
	fmt.Fprintf(out, "world of %d entities made in %s\n", len(w.Entities), time.Since(start).Round(time.Millisecond))
	// The GIN indexes are rebuilt once after the load rather than row by row.
	var defs []struct {
		Name string `db:"indexname"`
		Def  string `db:"indexdef"`
	}
	if err := db.SelectContext(ctx, &defs, `SELECT indexname, indexdef FROM pg_indexes
		WHERE tablename = 'registry_entity' AND indexdef LIKE '%USING gin%'`); err != nil {
		return err
	}
	for _, d := range defs {
		if _, err := db.ExecContext(ctx, `DROP INDEX `+d.Name); err != nil {
			return err
		}
	}
	start = time.Now()
	if _, err := sqldb.CopyIn(ctx, db, "registry_entity",
		[]string{"id", "uscc", "uscc_legacy", "reg_no", "name", "entity_type", "status", "reg_capital_wan",
			"established_on", "address", "division_code", "industry_code", "industry", "legal_rep_name", "org_type", "superior_code"},
		func(put func(...any) error) error {
			for _, e := range w.Entities {
				orgType, superior := market.SeedOrg(e)
				if err := put(e.Index+1, e.USCC, e.LegacyUSCC, null(e.RegNo), e.Name, e.EntityType, e.Status,
					e.CapitalWan, e.Established, e.Address, e.Division, null(e.IndustryCode), null(e.Industry),
					e.LegalRep.Name, orgType, superior); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	fmt.Fprintf(out, "loaded in %s\n", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET maintenance_work_mem = '256MB'`); err != nil {
		return err
	}
	for _, d := range defs {
		if _, err := conn.ExecContext(ctx, d.Def); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, `SELECT setval('registry_entity_id_seq', (SELECT max(id) FROM registry_entity))`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return err
	}
	fmt.Fprintf(out, "indexes rebuilt, vacuumed and analyzed in %s (load average %s)\n", time.Since(start).Round(time.Millisecond), loadavg())
	return nil
}

func null(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// recorder is the store's handle: it passes every statement on and keeps
// the last one, so that the very statement the store sent can be
// EXPLAINed.
type recorder struct {
	sqlx.ExtContext
	query string
	args  []any
}

func (r *recorder) QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error) {
	r.query, r.args = q, args
	return r.ExtContext.QueryxContext(ctx, q, args...)
}

// QueryContext is how the store's entity reads, scanned by position,
// send their statement.
func (r *recorder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.query, r.args = q, args
	return r.ExtContext.QueryContext(ctx, q, args...)
}

func (r *recorder) QueryRowxContext(ctx context.Context, q string, args ...any) *sqlx.Row {
	r.query, r.args = q, args
	return r.ExtContext.QueryRowxContext(ctx, q, args...)
}

type timings struct {
	page1, page2, count []time.Duration
	matched             int
	countShown          string
	plan1, plan2        string
}

func measure(ctx context.Context, db *sqldb.DB, c config, terms []string, out io.Writer) error {
	rec := &recorder{ExtContext: db}
	reg := &market.RegistryStore{DB: rec}
	res := make([]*timings, len(terms))
	for i, term := range terms {
		t := &timings{}
		res[i] = t
		if err := db.GetContext(ctx, &t.matched, `SELECT count(*) FROM registry_entity WHERE strpos(lower(name), lower($1)) > 0`, term); err != nil {
			return err
		}
		// Plans first, once each, warm.
		f := market.ListFilter{NameContains: term}
		rows, err := reg.ListEntities(ctx, f, "", c.page+1)
		if err != nil {
			return err
		}
		if t.plan1, err = explain(ctx, db, rec, c.explainDir, term, "page1"); err != nil {
			return err
		}
		t.plan2 = "—"
		if len(rows) > c.page {
			if _, err := reg.ListEntities(ctx, f, rows[c.page-1].USCC, c.page+1); err != nil {
				return err
			}
			if t.plan2, err = explain(ctx, db, rec, c.explainDir, term, "page2"); err != nil {
				return err
			}
		}
		n, exact, err := reg.CountEntities(ctx, f)
		if err != nil {
			return err
		}
		t.countShown = fmt.Sprint(n)
		if !exact {
			t.countShown = fmt.Sprintf("~%d", n)
		}
	}
	for range c.runs {
		for i, term := range terms {
			t := res[i]
			f := market.ListFilter{NameContains: term}
			start := time.Now()
			rows, err := reg.ListEntities(ctx, f, "", c.page+1)
			if err != nil {
				return err
			}
			t.page1 = append(t.page1, time.Since(start))
			if len(rows) > c.page {
				start = time.Now()
				if _, err := reg.ListEntities(ctx, f, rows[c.page-1].USCC, c.page+1); err != nil {
					return err
				}
				t.page2 = append(t.page2, time.Since(start))
			}
			start = time.Now()
			if _, _, err := reg.CountEntities(ctx, f); err != nil {
				return err
			}
			t.count = append(t.count, time.Since(start))
		}
	}
	fmt.Fprintln(out, "| term | matched | page 1 median / p95 (ms) | page 2 median / p95 (ms) | totalCount median / p95 (ms) | totalCount | page 1 plan; its scans' rows and buffers |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: | ---: | ---: | --- |")
	var worst time.Duration
	for i, term := range terms {
		t := res[i]
		fmt.Fprintf(out, "| %s | %d | %s | %s | %s | %s | %s |\n", term, t.matched,
			stat(t.page1), stat(t.page2), stat(t.count), t.countShown, t.plan1)
		worst = max(worst, pct(t.page1, 50), pct(t.page2, 50))
	}
	fmt.Fprintf(out, "\nslowest page median %.1f ms; load average after %s\n", ms(worst), loadavg())
	return nil
}

// explain runs EXPLAIN (ANALYZE, BUFFERS) of the statement the store last
// sent and returns its shape: the statement's own nodes, outermost first,
// with the index each scans (a subquery choosing the bigram to walk is
// shown as "rarest bigram"), then the rows its scans read (returned or
// removed by a filter or a recheck, the subquery's aside) and the buffers
// it touched.
func explain(ctx context.Context, db *sqldb.DB, rec *recorder, dir, term, page string) (string, error) {
	if dir != "" {
		var lines []string
		if err := db.SelectContext(ctx, &lines, `EXPLAIN (ANALYZE, BUFFERS) `+rec.query, rec.args...); err != nil {
			return "", err
		}
		text := rec.query + "\n" + fmt.Sprint(rec.args) + "\n\n" + strings.Join(lines, "\n") + "\n"
		if err := os.WriteFile(fmt.Sprintf("%s/%s-%s.txt", dir, term, page), []byte(text), 0o644); err != nil {
			return "", err
		}
	}
	var js string
	if err := db.GetContext(ctx, &js, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+rec.query, rec.args...); err != nil {
		return "", err
	}
	var p []struct{ Plan node }
	if err := json.Unmarshal([]byte(js), &p); err != nil || len(p) == 0 {
		return "", fmt.Errorf("reading a plan: %v", err)
	}
	var parts []string
	var read float64
	p[0].Plan.walk(func(n *node) bool {
		if n.Parent == "InitPlan" || n.Parent == "SubPlan" {
			if !slices.Contains(parts, "(rarest bigram)") && strings.Contains(js, "pg_statistic") {
				parts = append(parts, "(rarest bigram)")
			}
			return false
		}
		switch n.Type {
		case "Limit", "Result", "Aggregate", "Subquery Scan", "Materialize", "Memoize":
			return true
		}
		if strings.HasSuffix(n.Type, "Scan") && !strings.HasPrefix(n.Type, "Bitmap Index") {
			read += (n.Rows + n.Removed + n.Rechecked) * n.Loops
		}
		s := n.Type
		if n.Index != "" {
			s += " " + n.Index
		} else if n.Relation != "" {
			s += " " + n.Relation
		}
		if !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
		return true
	})
	return fmt.Sprintf("%s; %.0f rows read, %d buffers", strings.Join(parts, " → "), read,
		p[0].Plan.SharedHit+p[0].Plan.SharedRead), nil
}

type node struct {
	Type       string  `json:"Node Type"`
	Parent     string  `json:"Parent Relationship"`
	Relation   string  `json:"Relation Name"`
	Index      string  `json:"Index Name"`
	Rows       float64 `json:"Actual Rows"`
	Loops      float64 `json:"Actual Loops"`
	Removed    float64 `json:"Rows Removed by Filter"`
	Rechecked  float64 `json:"Rows Removed by Index Recheck"`
	SharedHit  int     `json:"Shared Hit Blocks"`
	SharedRead int     `json:"Shared Read Blocks"`
	Plans      []node  `json:"Plans"`
}

// walk calls f on n and, while f says so, on its children.
func (n *node) walk(f func(*node) bool) {
	if !f(n) {
		return
	}
	for i := range n.Plans {
		n.Plans[i].walk(f)
	}
}

func stat(d []time.Duration) string {
	if len(d) == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f / %.1f", ms(pct(d, 50)), ms(pct(d, 95)))
}

// pct is the p-th percentile (nearest rank, loadgen's) of unsorted d.
func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return loadgen.Percentile(s, float64(p)/100)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
