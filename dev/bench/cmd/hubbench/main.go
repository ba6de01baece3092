// Command hubbench measures the running hub against a large synthetic world
// (issue #2) and compares it with a baseline: a plain Go program that
// fetches the same data straight from the five departmental databases with
// the fewest SQL round trips it can, and marshals it to the same JSON.
//
// Three scenarios:
//
//	S1  one entity's full profile with records from all five departments
//	    (rotating over the world's showcase entities);
//	S2  a page of 100 entities, each with its newest 5 records (rotating over
//	    the first pages of the entities connection);
//	D1  the dashboard's overview, every figure of cityStats (issue #13), hub only
//	C50 the batch credit check of 50 bidders (issue #5), hub only: rotating
//	    over batches of 50 consecutive entities of the world.
//
// Each (scenario, clients) cell is a closed loop: N clients each send the
// next request as soon as the previous one answered. The tool reports
// throughput, median and p99 latency, SQL statements per request (the hub's
// from extensions.sqlStatements, the baseline's from its own counters), the
// hub's resident memory and goroutine count under load, and the ratio hub
// median ÷ baseline median. Any GraphQL error, non-200 status or mismatch
// between the hub's and the baseline's data stops the run with a non-zero
// exit: a benchmark of errors is worthless.
//
// See bench/README.md for the commands and the figures of the last run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"time"

	"credithub/dev/world"
)

// config is the command line.
type config struct {
	URL         string
	PID         int
	Duration    time.Duration
	Warmup      time.Duration
	Clients     []int
	Scenarios   []string
	DSN         string
	Prefix      string
	HubDatabase string
	Seed        uint64
	Entities    int
	Pages       int
	Out         string
	Headers     headerFlag
	Label       string
	Mode        string
	Conns       int
	Verify      bool
	ProfileDir  string
	ProfileSecs int
	// S1Access selects the S1 document of the access comparison (issue #3).
	S1Access bool
	// AllowErrors are GraphQL error codes a measured answer may carry.
	AllowErrors []string
	// CheckBatches is how many batches of 50 entities C50 rotates over.
	CheckBatches int
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "hubbench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "hubbench: FAILED:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("hubbench", flag.ContinueOnError)
	fs.StringVar(&c.URL, "url", "http://127.0.0.1:8090", "the running hub (development mode: extensions.sqlStatements and /debug/pprof/)")
	fs.IntVar(&c.PID, "pid", 0, "the hub's process id, for its resident memory; 0 looks for `credithub dev` serving -url")
	fs.DurationVar(&c.Duration, "duration", 15*time.Second, "measured time per cell")
	fs.DurationVar(&c.Warmup, "warmup", 3*time.Second, "unmeasured load before each cell")
	clients := fs.String("clients", "1,32", "concurrent clients, comma-separated")
	scenarios := fs.String("scenarios", "S1,S2", "scenarios, comma-separated (S1, S2, C50, D1; C50 and D1 have no baseline)")
	fs.StringVar(&c.DSN, "dsn", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server URL for the baseline (the database name is replaced)")
	fs.StringVar(&c.Prefix, "prefix", "bench_", "database name prefix the hub was started with (CREDITHUB_DB_PREFIX)")
	fs.StringVar(&c.HubDatabase, "hub-database", "", "the hub's own database, where the baseline reads the information catalogue (default: -prefix + credithub)")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed the databases were generated from")
	fs.IntVar(&c.Entities, "entities", 100000, "entities the databases were generated with")
	fs.IntVar(&c.Pages, "pages", 50, "S2 rotates over this many pages of 100 entities")
	fs.IntVar(&c.CheckBatches, "check-batches", 20, "C50 rotates over this many batches of 50 entities")
	fs.StringVar(&c.Out, "out", "", "also write the markdown table to this file")
	fs.Var(&c.Headers, "H", "extra request header for the hub, \"Name: value\" (repeatable), e.g. -H \"Authorization: Bearer …\"")
	fs.StringVar(&c.Label, "label", "anonymous", "a name for this run, printed in the table")
	fs.StringVar(&c.Mode, "mode", "both", "what to measure: both, hub or baseline")
	fs.IntVar(&c.Conns, "baseline-conns", 16, "baseline pool size per database (PostgreSQL's max_connections bounds 5 pools)")
	fs.BoolVar(&c.Verify, "verify", true, "before measuring, check that the hub and the baseline return the same data")
	fs.StringVar(&c.ProfileDir, "cpuprofile-dir", "", "after each scenario's largest hub cell, take a CPU profile of the hub under the same load into this directory")
	fs.IntVar(&c.ProfileSecs, "cpuprofile-seconds", 10, "length of each CPU profile")
	fs.BoolVar(&c.S1Access, "s1-access", false, "S1 as the access comparison asks it: personal fields (idNumber) instead of record counts; the same document for every caller (implies -mode hub, -verify=false)")
	fs.StringVar(&pgDatabasePrefix, "pg-cpu-prefix", "", "count PostgreSQL CPU only for the backends of databases with this prefix (a server shared with other work); default: every postgres process")
	allow := fs.String("allow-errors", "", "GraphQL error codes an answer may carry and still count (e.g. FORBIDDEN for callers without person:read)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if *allow != "" {
		c.AllowErrors = strings.Split(*allow, ",")
	}
	if c.S1Access {
		c.Mode, c.Verify = "hub", false
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c.URL = strings.TrimRight(c.URL, "/")
	for _, s := range strings.Split(*clients, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(s), &n); err != nil || n < 1 || n > 1024 {
			return c, fmt.Errorf("-clients: %q is not a number of clients from 1 to 1024", s)
		}
		c.Clients = append(c.Clients, n)
	}
	for _, s := range strings.Split(*scenarios, ",") {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s != "S1" && s != "S2" && s != "C50" && s != "D1" {
			return c, fmt.Errorf("-scenarios: unknown scenario %q; the scenarios are S1, S2, C50 and D1", s)
		}
		c.Scenarios = append(c.Scenarios, s)
	}
	switch c.Mode {
	case "both", "hub", "baseline":
	default:
		return c, fmt.Errorf("-mode must be both, hub or baseline, got %q", c.Mode)
	}
	if c.Duration <= 0 || c.Warmup < 0 {
		return c, errors.New("-duration must be positive and -warmup not negative")
	}
	if c.Entities < world.ShowcaseCount || c.Pages < 1 || c.Pages*pageSize > c.Entities {
		return c, fmt.Errorf("-pages × %d must not exceed -entities", pageSize)
	}
	if c.CheckBatches < 1 || c.CheckBatches*checkBatch > c.Entities-world.ShowcaseCount {
		return c, fmt.Errorf("-check-batches × %d must not exceed -entities less the %d showcase entities", checkBatch, world.ShowcaseCount)
	}
	if c.HubDatabase == "" {
		c.HubDatabase = c.Prefix + "credithub"
	}
	if c.Conns < 1 {
		return c, errors.New("-baseline-conns must be at least 1")
	}
	return c, nil
}

// headerFlag collects repeated -H "Name: value" flags.
type headerFlag [][2]string

func (h *headerFlag) String() string {
	var parts []string
	for _, kv := range *h {
		parts = append(parts, kv[0]+": "+kv[1])
	}
	return strings.Join(parts, "; ")
}

func (h *headerFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("header must be written \"Name: value\", got %q", s)
	}
	*h = append(*h, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	return nil
}

func (c config) hub() bool      { return c.Mode != "baseline" }
func (c config) baseline() bool { return c.Mode != "hub" }

func run(ctx context.Context, cfg config) error {
	logf("generating the synthetic world (seed %d, %d entities)", cfg.Seed, cfg.Entities)
	w := world.New(cfg.Seed, cfg.Entities)
	var showcase []string
	for _, e := range w.Entities[:world.ShowcaseCount] {
		showcase = append(showcase, e.USCC)
	}
	pages := pageStarts(w, cfg.Pages)
	batches := checkBatches(w, cfg.CheckBatches)

	rep := &report{Label: cfg.Label, Started: time.Now(), Config: cfg, GOMAXPROCS: runtime.GOMAXPROCS(0)}

	var hub *hubClient
	if cfg.hub() {
		var err error
		if hub, err = newHubClient(ctx, cfg); err != nil {
			return err
		}
		rep.HubPID = hub.pid
		// S2's cursors come from walking the hub's connection, as a client
		// would; they must be the pages the world says.
		cursors, err := hub.walkCursors(ctx, cfg.Pages)
		if err != nil {
			return err
		}
		for i := range pages {
			if cursors[i] != entityCursor(pages[i]) {
				return fmt.Errorf("page %d: the hub's cursor %v is not the world's (after %q): are the %s databases seeded with -seed %d -entities %d?",
					i, cursors[i], pages[i], cfg.Prefix, cfg.Seed, cfg.Entities)
			}
		}
		if rep.HTTPFloor, err = hub.httpFloor(ctx, 2*time.Second); err != nil {
			return err
		}
	}
	var base *baseline
	if cfg.baseline() {
		var err error
		if base, err = openBaseline(ctx, cfg); err != nil {
			return err
		}
		defer base.Close()
	}

	if cfg.Verify && hub != nil && base != nil {
		if err := verify(ctx, hub, base, cfg.Scenarios, showcase, pages); err != nil {
			return err
		}
		logf("verified: the hub and the baseline return the same data (%s)", strings.Join(cfg.Scenarios, ", "))
	}

	targets := func(s string) (hubDo, baseDo func(int) (requester, error)) {
		switch s {
		case "S1":
			return func(int) (requester, error) { return hub.s1Requester(showcase), nil },
				func(int) (requester, error) { return base.s1Requester(showcase), nil }
		case "C50":
			return func(int) (requester, error) { return hub.c50Requester(batches), nil }, nil
		case "D1":
			return func(int) (requester, error) { return hub.d1Requester(), nil }, nil
		default:
			return func(int) (requester, error) { return hub.s2Requester(pages), nil },
				func(int) (requester, error) { return base.s2Requester(pages), nil }
		}
	}

	// Cells run by client count: the baseline's cells for every scenario,
	// then the hub's, so that each pair is measured about a minute apart.
	// PostgreSQL's max_connections (100 here) cannot hold the baseline's
	// pools and the hub's at once, so the baseline's idle connections are
	// closed after its cells; the hub keeps its own (up to 10 per database
	// for 5 minutes), which is why the hub must be freshly started.
	if hub != nil {
		rep.IdleGoroutines, _ = hub.goroutines(ctx)
	}
	for _, n := range cfg.Clients {
		if base != nil {
			if err := base.checkRoom(ctx); err != nil {
				return err
			}
			for _, s := range cfg.Scenarios {
				_, mk := targets(s)
				if mk == nil {
					continue // the baseline has no credit check
				}
				logf("baseline %s, %d clients: %s warm-up + %s", s, n, cfg.Warmup, cfg.Duration)
				res, err := runCell(ctx, n, cfg.Warmup, cfg.Duration, mk, nil, selfMeter)
				if err != nil {
					return fmt.Errorf("baseline %s with %d clients: %w", s, n, err)
				}
				rep.add(cellResult{Scenario: s, Clients: n, System: "baseline", stats: res})
				logf("  %s", res.summary())
			}
			base.releaseIdle()
		}
		if hub != nil {
			for _, s := range cfg.Scenarios {
				mk, _ := targets(s)
				logf("hub %s, %d clients: %s warm-up + %s", s, n, cfg.Warmup, cfg.Duration)
				res, err := runCell(ctx, n, cfg.Warmup, cfg.Duration, mk, hub.sampler(), hub.meter())
				if err != nil {
					return fmt.Errorf("hub %s with %d clients: %w", s, n, err)
				}
				res.HWMKiB = hub.hwm()
				rep.add(cellResult{Scenario: s, Clients: n, System: "hub", stats: res})
				logf("  %s", res.summary())
			}
		}
	}
	if hub != nil && cfg.ProfileDir != "" {
		n := slices.Max(cfg.Clients)
		for _, s := range cfg.Scenarios {
			mk, _ := targets(s)
			path, err := hub.profileUnderLoad(ctx, cfg, s, n, mk)
			if err != nil {
				return err
			}
			rep.Profiles = append(rep.Profiles, path)
		}
	}
	md := rep.markdown()
	fmt.Print("\n" + md)
	if cfg.Out != "" {
		if err := os.WriteFile(cfg.Out, []byte(md), 0o644); err != nil {
			return err
		}
		logf("wrote %s", cfg.Out)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}
