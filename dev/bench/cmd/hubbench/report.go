package main

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

type cellResult struct {
	Scenario string
	Clients  int
	System   string // hub or baseline
	stats
}

type report struct {
	Label          string
	Started        time.Time
	Config         config
	GOMAXPROCS     int
	HubPID         int
	HTTPFloor      time.Duration
	IdleGoroutines int64
	Profiles       []string
	cells          []cellResult
}

func (r *report) add(c cellResult) { r.cells = append(r.cells, c) }

func (r *report) find(scenario string, clients int, system string) (cellResult, bool) {
	for _, c := range r.cells {
		if c.Scenario == scenario && c.Clients == clients && c.System == system {
			return c, true
		}
	}
	return cellResult{}, false
}

// markdown renders the run: a line on its settings, then one row per cell,
// the hub's above the baseline's.
func (r *report) markdown() string {
	var b strings.Builder
	c := r.Config
	fmt.Fprintf(&b, "#### Run %q, %s\n\n", r.Label, r.Started.UTC().Format("2006-01-02 15:04 MST"))
	var notes []string
	if c.hub() {
		pid := "pid unknown"
		if r.HubPID != 0 {
			pid = fmt.Sprintf("pid %d", r.HubPID)
		}
		notes = append(notes, fmt.Sprintf("hub %s (%s)", c.URL, pid))
		if len(c.Headers) > 0 {
			var names []string
			for _, kv := range c.Headers {
				names = append(names, kv[0])
			}
			notes = append(notes, "request headers: "+strings.Join(names, ", "))
		}
	}
	if c.baseline() {
		notes = append(notes, fmt.Sprintf("baseline on %s databases at %s, %d connections per database", c.Prefix+"*", redact(c.DSN), c.Conns))
	}
	notes = append(notes,
		fmt.Sprintf("world seed %d, %d entities; S1 rotates over the %d showcase entities, S2 over %d pages of 100, C50 over %d batches of 50", c.Seed, c.Entities, 10, c.Pages, c.CheckBatches),
		fmt.Sprintf("%s measured per cell after %s warm-up, closed loop", c.Duration, c.Warmup),
		fmt.Sprintf("GOMAXPROCS of the tool %d", r.GOMAXPROCS))
	b.WriteString(strings.Join(notes, "; ") + ".\n\n")

	b.WriteString("| run | scenario | clients | system | requests | req/s | median ms | p99 ms | SQL statements / request (min/med/max) | statements of the median request | hub ÷ baseline median | hub ÷ baseline p99 | Go CPU ms / request | PostgreSQL CPU ms / request | hub RSS max MiB | hub goroutines max |\n")
	b.WriteString("|---|---|--:|---|--:|--:|--:|--:|:-:|---|--:|--:|--:|--:|--:|--:|\n")
	for _, s := range c.Scenarios {
		for _, n := range c.Clients {
			for _, sys := range []string{"hub", "baseline"} {
				x, ok := r.find(s, n, sys)
				if !ok {
					continue
				}
				ratio, ratio99 := "—", "—"
				if sys == "hub" {
					if base, ok := r.find(s, n, "baseline"); ok {
						ratio = fmt.Sprintf("%.2f×", float64(x.Median)/float64(base.Median))
						ratio99 = fmt.Sprintf("%.2f×", float64(x.P99)/float64(base.P99))
					}
				}
				rss, gor := "—", "—"
				if x.RSSMaxKiB > 0 {
					rss = fmt.Sprintf("%.1f", float64(x.RSSMaxKiB)/1024)
				}
				if x.GoroutinesMax > 0 {
					gor = fmt.Sprint(x.GoroutinesMax)
				}
				cpu, pg := "—", "—"
				if x.CPUPerReq >= 0 {
					cpu, pg = fmt.Sprintf("%.1f", msf(x.CPUPerReq)), fmt.Sprintf("%.1f", msf(x.PGCPUPerReq))
				}
				fmt.Fprintf(&b, "| %s | %s | %d | %s | %d | %.1f | %.2f | %.2f | %d / %d / %d | %s | %s | %s | %s | %s | %s | %s |\n",
					r.Label, s, n, sys, x.Count, x.Throughput, msf(x.Median), msf(x.P99),
					x.StmtMin, x.StmtMedian, x.StmtMax, x.StmtBreakdown, ratio, ratio99, cpu, pg, rss, gor)
			}
		}
	}
	b.WriteString("\n")
	pgWhat := "all postgres processes"
	if pgDatabasePrefix != "" {
		pgWhat = "the backends of the " + pgDatabasePrefix + "* databases"
	}
	after := []string{"Go CPU is the hub's process on hub rows and this program (the baseline) on baseline rows, PostgreSQL CPU " + pgWhat + ", both over the measured window divided by its requests"}
	if r.HTTPFloor > 0 {
		after = append(after, fmt.Sprintf("HTTP floor (GET /healthz from one client, median): %.3f ms", msf(r.HTTPFloor)))
	}
	if r.IdleGoroutines > 0 {
		after = append(after, fmt.Sprintf("hub goroutines at rest before the hub cells: %d", r.IdleGoroutines))
	}
	var hwm int64
	for _, x := range r.cells {
		hwm = max(hwm, x.HWMKiB)
	}
	if hwm > 0 {
		after = append(after, fmt.Sprintf("hub peak resident memory since start (VmHWM): %.1f MiB", float64(hwm)/1024))
	}
	if len(r.Profiles) > 0 {
		after = append(after, "CPU profiles: "+strings.Join(r.Profiles, ", "))
	}
	b.WriteString(strings.Join(after, "; ") + ".\n")
	return b.String()
}

func msf(d time.Duration) float64 { return float64(d) / 1e6 }

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable -dsn)"
	}
	u.Path = ""
	u.RawQuery = ""
	return u.Redacted()
}
