// Command listbench measures the hub and PostGraphile side by side on the
// same two list queries over the market department's database (issue #16
// point 6): a page of 100 entities and a page of 100 penalties, each a
// closed loop (dev/bench/loadgen) of N clients, a warm-up then a measured
// window, the two systems alternating from round to round. Before it
// measures, it checks that both answer the same identifiers in the same
// order. dev/bench/postgraphile/run.sh starts both systems and runs it;
// dev/bench/postgraphile/README.md has the figures.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"credithub/dev/bench/loadgen"
)

type config struct {
	HubURL, PGLURL   string
	HubPID, PGLPID   int
	Token            string
	Clients          []int
	Rounds           int
	Lists            []string
	Warmup, Duration time.Duration
	PGCPUPrefix      string
	Verify           bool
	Out              string
	ProfileDir       string
	ProfileSeconds   int
}

func main() {
	var cfg config
	fs := flag.NewFlagSet("listbench", flag.ExitOnError)
	fs.StringVar(&cfg.HubURL, "hub", "http://127.0.0.1:8120/graphql", "the hub's GraphQL endpoint")
	fs.StringVar(&cfg.PGLURL, "postgraphile", "http://127.0.0.1:8121/graphql", "PostGraphile's GraphQL endpoint")
	fs.IntVar(&cfg.HubPID, "hub-pid", 0, "the hub's process, for its CPU per request (0: not measured)")
	fs.IntVar(&cfg.PGLPID, "postgraphile-pid", 0, "PostGraphile's node process, for its CPU per request (0: not measured)")
	fs.StringVar(&cfg.Token, "token", os.Getenv("TOKEN"), "the hub's bearer token (default $TOKEN)")
	clients := fs.String("clients", "1,32", "client counts, comma-separated")
	lists := fs.String("lists", "entities,records", "which lists, comma-separated")
	fs.IntVar(&cfg.Rounds, "rounds", 2, "rounds; the systems' order alternates from round to round")
	fs.DurationVar(&cfg.Warmup, "warmup", 3*time.Second, "warm-up before each cell")
	fs.DurationVar(&cfg.Duration, "duration", 15*time.Second, "measured time per cell")
	fs.StringVar(&cfg.PGCPUPrefix, "pg-cpu-prefix", "", "count PostgreSQL CPU only for the backends of databases with this prefix; default: every postgres process")
	fs.BoolVar(&cfg.Verify, "verify", true, "check before measuring that both systems answer the same identifiers in the same order")
	fs.StringVar(&cfg.Out, "out", "", "also write the table to this file")
	fs.StringVar(&cfg.ProfileDir, "cpuprofile-dir", "", "after the rounds, take a CPU profile of the hub under 32 clients on each list into this directory (needs the hub in development, where /debug/pprof is served)")
	fs.IntVar(&cfg.ProfileSeconds, "profile-seconds", 10, "length of each CPU profile")
	_ = fs.Parse(os.Args[1:])
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fatalf("-clients: %q is not a positive whole number", s)
		}
		cfg.Clients = append(cfg.Clients, n)
	}
	cfg.Lists = strings.Split(*lists, ",")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "listbench: "+format+"\n", args...)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().UTC().Format("15:04:05")+" "+format+"\n", args...)
}

// A system is one GraphQL server under test.
type system struct {
	name    string
	url     string
	headers http.Header
	pid     int
	query   func(l list) string
	ids     func(l list) func(json.RawMessage) ([]string, error)
}

var client = &http.Client{
	Timeout: 60 * time.Second,
	Transport: &http.Transport{
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     90 * time.Second,
	},
}

func run(ctx context.Context, cfg config) error {
	hub := system{name: "hub", url: cfg.HubURL, headers: http.Header{"Content-Type": {"application/json"}}, pid: cfg.HubPID,
		query: func(l list) string { return l.hub }, ids: func(l list) func(json.RawMessage) ([]string, error) { return l.hubIDs }}
	if cfg.Token != "" {
		hub.headers.Set("Authorization", "Bearer "+cfg.Token)
	}
	pgl := system{name: "PostGraphile", url: cfg.PGLURL, headers: http.Header{"Content-Type": {"application/json"}}, pid: cfg.PGLPID,
		query: func(l list) string { return l.pgl }, ids: func(l list) func(json.RawMessage) ([]string, error) { return l.pglIDs }}
	var chosen []list
	for _, name := range cfg.Lists {
		found := false
		for _, l := range lists {
			if l.name == strings.TrimSpace(name) {
				chosen, found = append(chosen, l), true
			}
		}
		if !found {
			return fmt.Errorf("-lists: no list %q (entities, records)", name)
		}
	}
	for _, l := range chosen {
		if cfg.Verify {
			if err := verify(ctx, l, hub, pgl); err != nil {
				return err
			}
		}
	}
	var rows []row
	for r := 1; r <= cfg.Rounds; r++ {
		order := []system{hub, pgl}
		if r%2 == 0 {
			order = []system{pgl, hub}
		}
		for _, n := range cfg.Clients {
			for _, l := range chosen {
				for _, s := range order {
					res, err := cell(ctx, cfg, s, l, n)
					if err != nil {
						return fmt.Errorf("round %d, %s, %d clients, %s: %w", r, l.name, n, s.name, err)
					}
					res.Round = r
					logf("round %d %s ×%d %s: %s", r, l.name, n, s.name, res.summary())
					rows = append(rows, res)
				}
			}
		}
	}
	table := render(cfg, chosen, rows)
	fmt.Print(table)
	if cfg.Out != "" {
		if err := os.WriteFile(cfg.Out, []byte(table), 0o644); err != nil {
			return err
		}
	}
	if cfg.ProfileDir != "" {
		for _, l := range chosen {
			if err := profile(ctx, cfg, hub, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// post sends one query and reads the whole answer. A status other than 200,
// or an answer with errors, is an error.
func post(ctx context.Context, s system, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = s.headers
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %.300s", resp.StatusCode, b)
	}
	// Inside a JSON string a quote is escaped, so `"errors":[` can only be a
	// key; only then is the answer decoded, to tell a top-level error.
	if bytes.Contains(b, []byte(`"errors":[`)) {
		var g struct{ Errors json.RawMessage }
		if err := json.Unmarshal(b, &g); err != nil || len(g.Errors) > 0 {
			return nil, fmt.Errorf("answer with errors: %.300s", b)
		}
	}
	return b, nil
}

func body(query string) []byte {
	b, _ := json.Marshal(map[string]string{"query": query})
	return b
}

// verify asks both systems for the list once and compares their
// identifiers, naming the first place where they differ.
func verify(ctx context.Context, l list, a, b system) error {
	var got [2][]string
	for i, s := range []system{a, b} {
		raw, err := post(ctx, s, body(s.query(l)))
		if err != nil {
			return fmt.Errorf("verify %s on %s: %w", l.name, s.name, err)
		}
		var g struct{ Data json.RawMessage }
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("verify %s on %s: %w", l.name, s.name, err)
		}
		if got[i], err = s.ids(l)(g.Data); err != nil {
			return fmt.Errorf("verify %s on %s: %w", l.name, s.name, err)
		}
	}
	if d := firstDifference(got[0], got[1]); d != "" {
		return fmt.Errorf("verify %s: %s and %s answer different pages: %s", l.name, a.name, b.name, d)
	}
	logf("verified %s: both answer the same %d identifiers in the same order (%s … %s)", l.name, len(got[0]), got[0][0], got[0][len(got[0])-1])
	return nil
}

// firstDifference says where two lists of identifiers first differ, or "".
func firstDifference(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("at position %d: %s against %s", i+1, a[i], b[i])
		}
	}
	if len(a) != len(b) {
		return fmt.Sprintf("%d identifiers against %d", len(a), len(b))
	}
	if len(a) == 0 {
		return "both pages are empty"
	}
	return ""
}

// row is one measured cell.
type row struct {
	Round       int
	List        string
	System      string
	Clients     int
	Requests    int
	Errors      int
	FirstError  error
	Throughput  float64
	Median, P99 time.Duration
	// CPU per request of the system's process and of PostgreSQL's; -1 when
	// not measured.
	CPU, PGCPU       time.Duration
	LoadFrom, LoadTo string
}

func (r row) summary() string {
	s := fmt.Sprintf("%d requests, %.1f req/s, %d errors, median %s, p99 %s, CPU %s + PostgreSQL %s, load %s → %s",
		r.Requests, r.Throughput, r.Errors, ms(r.Median), ms(r.P99), msOrDash(r.CPU), msOrDash(r.PGCPU), r.LoadFrom, r.LoadTo)
	if r.FirstError != nil {
		s += fmt.Sprintf(" (first error: %.200v)", r.FirstError)
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/1e6) }

func msOrDash(d time.Duration) string {
	if d < 0 {
		return "—"
	}
	return ms(d)
}

// cell runs one closed loop of n clients on one system and list.
func cell(ctx context.Context, cfg config, s system, l list, n int) (row, error) {
	q := body(s.query(l))
	type use struct {
		proc time.Duration
		pg   map[int]time.Duration
	}
	meter := func() (use, error) {
		var u use
		var err error
		if s.pid > 0 {
			if u.proc, err = loadgen.ProcCPU(s.pid); err != nil {
				return u, err
			}
		}
		u.pg, err = loadgen.PostgresCPUByPID(cfg.PGCPUPrefix)
		return u, err
	}
	var cpu0, cpu1 use
	cpuErr := errors.New("not measured")
	loop := loadgen.Loop{Clients: n, Warmup: cfg.Warmup, Duration: cfg.Duration,
		During: func(ctx context.Context, from, to time.Time) {
			if !loadgen.SleepUntil(ctx, from) {
				return
			}
			if cpu0, cpuErr = meter(); cpuErr != nil || !loadgen.SleepUntil(ctx, to) {
				return
			}
			cpu1, cpuErr = meter()
		}}
	loadFrom := loadgen.LoadAverage()
	w, err := loadgen.Run(ctx, loop, func(int) (loadgen.Request[struct{}], error) {
		return func(ctx context.Context, _ uint64) (struct{}, error) {
			_, err := post(ctx, s, q)
			return struct{}{}, err
		}, nil
	})
	if err != nil {
		return row{}, err
	}
	lats := loadgen.Latencies(w.Samples)
	r := row{List: l.name, System: s.name, Clients: n, Requests: len(lats), Errors: w.Errors, FirstError: w.FirstError,
		Throughput: float64(len(lats)) / cfg.Duration.Seconds(), Median: loadgen.Median(lats), P99: loadgen.Percentile(lats, 0.99),
		CPU: -1, PGCPU: -1, LoadFrom: loadFrom, LoadTo: loadgen.LoadAverage()}
	if cpuErr == nil && len(lats) > 0 {
		k := time.Duration(len(lats))
		if s.pid > 0 {
			r.CPU = (cpu1.proc - cpu0.proc) / k
		}
		r.PGCPU = loadgen.CPUSince(cpu0.pg, cpu1.pg) / k
	} else if cpuErr != nil {
		logf("warning: CPU not measured: %v", cpuErr)
	}
	return r, nil
}

// render prints the rows as one markdown table, the hub's throughput over
// PostGraphile's of the same round, list and clients on the hub's row.
func render(cfg config, chosen []list, rows []row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s UTC; %d clients' counts (%v), warm-up %s, measured %s per cell; CPU per request: the system's process and PostgreSQL's backends%s.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04"), len(cfg.Clients), cfg.Clients, cfg.Warmup, cfg.Duration, pgWhat(cfg))
	for _, l := range chosen {
		fmt.Fprintf(&b, "- **%s**: %s\n", l.name, l.description)
	}
	b.WriteString("\n| round | list | clients | system | requests | req/s | errors | median ms | p99 ms | hub ÷ PostGraphile req/s | process CPU ms / request | PostgreSQL CPU ms / request | load avg |\n")
	b.WriteString("|--:|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, r := range rows {
		ratio := "—"
		if r.System == "hub" {
			for _, o := range rows {
				if o.System != "hub" && o.Round == r.Round && o.List == r.List && o.Clients == r.Clients && o.Throughput > 0 {
					ratio = fmt.Sprintf("**%.2f×**", r.Throughput/o.Throughput)
				}
			}
		}
		fmt.Fprintf(&b, "| %d | %s | %d | %s | %d | %.1f | %d | %s | %s | %s | %s | %s | %s → %s |\n",
			r.Round, r.List, r.Clients, r.System, r.Requests, r.Throughput, r.Errors, ms(r.Median), ms(r.P99), ratio, msOrDash(r.CPU), msOrDash(r.PGCPU), r.LoadFrom, r.LoadTo)
	}
	return b.String()
}

func pgWhat(cfg config) string {
	if cfg.PGCPUPrefix == "" {
		return " (every postgres process)"
	}
	return " (of the " + cfg.PGCPUPrefix + "* databases)"
}

// profile takes a CPU profile of the hub while 32 clients ask it for l.
func profile(ctx context.Context, cfg config, hub system, l list) error {
	if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
		return err
	}
	base := strings.TrimSuffix(hub.url, "/graphql")
	path := fmt.Sprintf("%s/hub-%s-32c.pprof", cfg.ProfileDir, l.name)
	q := body(hub.query(l))
	done := make(chan error, 1)
	go func() {
		loop := loadgen.Loop{Clients: 32, Duration: time.Duration(cfg.ProfileSeconds+2) * time.Second}
		_, err := loadgen.Run(ctx, loop, func(int) (loadgen.Request[struct{}], error) {
			return func(ctx context.Context, _ uint64) (struct{}, error) {
				_, err := post(ctx, hub, q)
				return struct{}{}, err
			}, nil
		})
		done <- err
	}()
	time.Sleep(time.Second)
	resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, cfg.ProfileSeconds))
	if err != nil {
		return fmt.Errorf("CPU profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("CPU profile: status %d (is the hub in development?)", resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := <-done; err != nil {
		return fmt.Errorf("load under the profile: %w", err)
	}
	logf("CPU profile of the hub on %s: %s", l.name, path)
	return nil
}
