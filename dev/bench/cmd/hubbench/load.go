package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"credithub/dev/bench/loadgen"
)

// dbNames are the databases whose statements are counted, in the order the
// breakdown is printed.
var dbNames = []string{"hub", "market", "environment", "fire", "housing", "court"}

// stmts counts one request's SQL statements per database (dbNames order).
type stmts [6]int32

func (s stmts) total() int {
	n := 0
	for _, v := range s {
		n += int(v)
	}
	return n
}

func (s stmts) String() string {
	var parts []string
	for i, v := range s {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", dbNames[i], v))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func dbIndex(name string) (int, bool) {
	i := slices.Index(dbNames, name)
	return i, i >= 0
}

// requester sends one request; seq numbers the requests of a cell across
// all clients, so that clients rotate over the scenario's inputs together.
type requester func(ctx context.Context, seq uint64) (stmts, error)

// sampler watches the system under test while a cell is measured.
type sampler interface {
	// sample runs until to, from from on, and returns the maxima seen.
	sample(ctx context.Context, from, to time.Time) (rssMaxKiB, goroutinesMax int64)
}

type sample struct {
	lat time.Duration
	st  stmts
}

// stats is one measured cell.
type stats struct {
	Clients       int
	Duration      time.Duration
	Count         int
	Throughput    float64 // requests per second
	Median, P99   time.Duration
	StmtMin       int
	StmtMedian    int
	StmtMax       int
	StmtBreakdown stmts // of the median request (by total statements)
	RSSMaxKiB     int64 // 0: not sampled
	HWMKiB        int64
	GoroutinesMax int64
	// CPU per request over the measured window: the Go program answering
	// (the hub's process, or this one running the baseline) and every
	// PostgreSQL process; negative when it could not be measured.
	CPUPerReq, PGCPUPerReq time.Duration
}

func (s stats) summary() string {
	out := fmt.Sprintf("%d requests, %.1f req/s, median %s, p99 %s, statements %d/%d/%d (%s)",
		s.Count, s.Throughput, ms(s.Median), ms(s.P99), s.StmtMin, s.StmtMedian, s.StmtMax, s.StmtBreakdown)
	if s.RSSMaxKiB > 0 {
		out += fmt.Sprintf(", RSS max %.1f MiB", float64(s.RSSMaxKiB)/1024)
	}
	if s.GoroutinesMax > 0 {
		out += fmt.Sprintf(", goroutines max %d", s.GoroutinesMax)
	}
	if s.CPUPerReq >= 0 {
		out += fmt.Sprintf(", CPU per request %s + PostgreSQL %s", ms(s.CPUPerReq), ms(s.PGCPUPerReq))
	}
	return out
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

// runCell runs a closed loop (loadgen.Run): clients goroutines, each with
// its own requester, send the next request as soon as the previous one
// answered, for warmup and then duration. Only requests that start and
// finish within the measured window are recorded. The first error stops the
// cell.
func runCell(ctx context.Context, clients int, warmup, duration time.Duration, newRequester func(client int) (requester, error), smp sampler, meter cpuMeter) (stats, error) {
	var cpu0, cpu1 cpuUse
	cpuErr := errNotMeasured
	var rss, gor int64
	during := func(ctx context.Context, from, to time.Time) {
		var wg sync.WaitGroup
		if meter != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if !loadgen.SleepUntil(ctx, from) {
					return
				}
				cpu0, cpuErr = meter()
				if cpuErr != nil || !loadgen.SleepUntil(ctx, to) {
					return
				}
				cpu1, cpuErr = meter()
			}()
		}
		if smp != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rss, gor = smp.sample(ctx, from, to)
			}()
		}
		wg.Wait()
	}
	loop := loadgen.Loop{Clients: clients, Warmup: warmup, Duration: duration, StopOnError: true, During: during}
	w, err := loadgen.Run(ctx, loop, func(c int) (loadgen.Request[stmts], error) {
		r, err := newRequester(c)
		return loadgen.Request[stmts](r), err
	})
	if err != nil {
		return stats{}, err
	}
	all := make([]sample, len(w.Samples))
	for i, s := range w.Samples {
		all[i] = sample{s.Latency, s.Value}
	}
	if len(all) == 0 {
		return stats{}, fmt.Errorf("no request completed within %s", duration)
	}
	res := summarise(all, duration)
	res.Clients = clients
	res.RSSMaxKiB, res.GoroutinesMax = rss, gor
	res.CPUPerReq, res.PGCPUPerReq = -1, -1
	if cpuErr == nil {
		n := time.Duration(res.Count)
		res.CPUPerReq, res.PGCPUPerReq = (cpu1.proc-cpu0.proc)/n, (cpu1.pg-cpu0.pg)/n
	} else if meter != nil {
		logf("warning: CPU not measured: %v", cpuErr)
	}
	return res, nil
}

// summarise computes the cell's figures exactly from its samples: the
// median (the mean of the two middle values for an even count) and the p99
// by nearest rank (the ⌈0.99·n⌉-th smallest latency).
func summarise(all []sample, duration time.Duration) stats {
	lats := make([]time.Duration, len(all))
	for i, s := range all {
		lats[i] = s.lat
	}
	slices.Sort(lats)
	byStmts := slices.Clone(all)
	slices.SortStableFunc(byStmts, func(a, b sample) int { return a.st.total() - b.st.total() })
	mid := byStmts[(len(byStmts)-1)/2]
	return stats{
		Duration:      duration,
		Count:         len(all),
		Throughput:    float64(len(all)) / duration.Seconds(),
		Median:        median(lats),
		P99:           percentile(lats, 0.99),
		StmtMin:       byStmts[0].st.total(),
		StmtMedian:    mid.st.total(),
		StmtMax:       byStmts[len(byStmts)-1].st.total(),
		StmtBreakdown: mid.st,
	}
}

// median of sorted values (loadgen.Median).
func median(sorted []time.Duration) time.Duration { return loadgen.Median(sorted) }

// percentile of sorted values by nearest rank (loadgen.Percentile).
func percentile(sorted []time.Duration, p float64) time.Duration {
	return loadgen.Percentile(sorted, p)
}
