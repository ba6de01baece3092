package loadgen

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMedianAndPercentile(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		sorted      []time.Duration
		median, p99 time.Duration
	}{
		{"empty", nil, 0, 0},
		{"one", ms(7), 7 * time.Millisecond, 7 * time.Millisecond},
		{"even", ms(1, 2, 3, 10), 2500 * time.Microsecond, 10 * time.Millisecond},
		{"odd", ms(1, 2, 30), 2 * time.Millisecond, 30 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Median(tc.sorted); got != tc.median {
				t.Errorf("Median = %v, want %v", got, tc.median)
			}
			if got := Percentile(tc.sorted, 0.99); got != tc.p99 {
				t.Errorf("Percentile(0.99) = %v, want %v", got, tc.p99)
			}
		})
	}
	// Nearest rank over 1..1000 ms: the 990th value.
	var many []time.Duration
	for i := 1; i <= 1000; i++ {
		many = append(many, time.Duration(i)*time.Millisecond)
	}
	if got := Percentile(many, 0.99); got != 990*time.Millisecond {
		t.Errorf("p99 of 1..1000 ms = %v, want 990ms", got)
	}
}

// A run that does not stop on errors counts them, keeps the successes and
// remembers the first error; one that does returns it.
func TestRunCountsOrStopsOnErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	newReq := func(int) (Request[int], error) {
		return func(ctx context.Context, seq uint64) (int, error) {
			time.Sleep(time.Millisecond)
			if seq%2 == 1 {
				return 0, boom
			}
			return int(seq), nil
		}, nil
	}
	var window [2]time.Time
	loop := Loop{Clients: 2, Warmup: 20 * time.Millisecond, Duration: 100 * time.Millisecond,
		During: func(_ context.Context, from, to time.Time) { window = [2]time.Time{from, to} }}
	w, err := Run(context.Background(), loop, newReq)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Samples) == 0 || w.Errors == 0 || !errors.Is(w.FirstError, boom) {
		t.Errorf("got %d samples, %d errors, first error %v; want both counted and boom", len(w.Samples), w.Errors, w.FirstError)
	}
	if got := window[1].Sub(window[0]); got != loop.Duration {
		t.Errorf("During saw a window of %v, want %v", got, loop.Duration)
	}
	for _, s := range w.Samples {
		if s.Value%2 != 0 {
			t.Errorf("an odd (failed) request was kept as a sample: %d", s.Value)
		}
	}
	loop.StopOnError, loop.During = true, nil
	if _, err := Run(context.Background(), loop, newReq); !errors.Is(err, boom) {
		t.Errorf("with StopOnError, Run returned %v, want boom", err)
	}
}
