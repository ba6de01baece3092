// Package loadgen is the closed loop the benchmarks share: N clients, each
// sending its next request as soon as the previous one answered, a warm-up
// and then a measured window in which only the requests that start and end
// inside it count; exact medians and percentiles; and the CPU time of the
// processes under test (/proc) and of PostgreSQL's.
package loadgen

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Request sends one request; seq numbers the requests of a run across all
// clients, so that clients rotate over a scenario's inputs together. T is
// what the caller wants kept of each answer (statement counts, nothing).
type Request[T any] func(ctx context.Context, seq uint64) (T, error)

// Sample is one request of the measured window.
type Sample[T any] struct {
	Latency time.Duration
	Value   T
}

// Loop says how to run.
type Loop struct {
	Clients          int
	Warmup, Duration time.Duration
	// StopOnError stops the run at the first error, which Run returns;
	// otherwise the window's errors are counted in Window.Errors.
	StopOnError bool
	// During, when set, runs beside the clients with the measured window
	// (CPU meters, samplers); Run waits for it to return.
	During func(ctx context.Context, from, to time.Time)
}

// Window is what a run measured.
type Window[T any] struct {
	Samples []Sample[T] // the successful requests, in no particular order
	Errors  int         // failed requests inside the window (without StopOnError)
	// FirstError is the first failed request's error, window or not.
	FirstError error
}

// Run runs l with one Request per client from newRequest.
func Run[T any](ctx context.Context, l Loop, newRequest func(client int) (Request[T], error)) (Window[T], error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	reqs := make([]Request[T], l.Clients)
	for i := range reqs {
		r, err := newRequest(i)
		if err != nil {
			return Window[T]{}, err
		}
		reqs[i] = r
	}
	start := time.Now()
	from, to := start.Add(l.Warmup), start.Add(l.Warmup+l.Duration)
	var seq atomic.Uint64
	perClient := make([][]Sample[T], l.Clients)
	errs := make([]int, l.Clients)
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	for c := range l.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []Sample[T]
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(to) {
					break
				}
				v, err := reqs[c](ctx, seq.Add(1)-1)
				t1 := time.Now()
				inside := !t0.Before(from) && !t1.After(to)
				if err != nil {
					if l.StopOnError {
						cancel(err)
						break
					}
					firstErr.CompareAndSwap(nil, &err)
					if inside {
						errs[c]++
					}
					continue
				}
				if inside {
					mine = append(mine, Sample[T]{t1.Sub(t0), v})
				}
			}
			perClient[c] = mine
		}()
	}
	if l.During != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.During(ctx, from, to)
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return Window[T]{}, err
	}
	var w Window[T]
	for c, s := range perClient {
		w.Samples = append(w.Samples, s...)
		w.Errors += errs[c]
	}
	if p := firstErr.Load(); p != nil {
		w.FirstError = *p
	}
	if len(w.Samples) == 0 && w.Errors == 0 {
		return w, fmt.Errorf("no request completed within %s", l.Duration)
	}
	return w, nil
}

// Latencies returns the samples' latencies, sorted.
func Latencies[T any](samples []Sample[T]) []time.Duration {
	lats := make([]time.Duration, len(samples))
	for i, s := range samples {
		lats[i] = s.Latency
	}
	slices.Sort(lats)
	return lats
}

// Median of sorted values: the mean of the two middle values for an even
// count.
func Median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Percentile of sorted values by nearest rank (the ⌈p·n⌉-th smallest).
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(k, len(sorted)-1))]
}

// SleepUntil waits for t; false when ctx ended first.
func SleepUntil(ctx context.Context, t time.Time) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(time.Until(t)):
		return true
	}
}
