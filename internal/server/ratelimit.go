package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"credithub/auth"
	"credithub/internal/hubdb"
)

// RateLimiter gives every client a budget of points per hour, as GitHub's
// API does: a query is charged its points (Limits.Measure) before it runs.
//
// The budget is shared by every hub instance through the hub's database
// (rate_window) without a statement per request: each instance counts
// locally and, every SyncEvery, adds what it counted to the shared window
// and reads back what all instances used (one statement for all clients).
// A client can therefore overspend by what other instances served it since
// their last sync — at most SyncEvery's worth of its traffic per instance.
type RateLimiter struct {
	// Windows is where the instances' counts meet (rate_window).
	Windows hubdb.RateWindowStore
	// PerHour is the budget of an authenticated client; Anonymous that of
	// one anonymous address.
	PerHour   int
	Anonymous int
	// SyncEvery is how often counts are shared (default 1s).
	SyncEvery time.Duration
	Logger    *slog.Logger
	Now       func() time.Time

	mu     sync.Mutex
	window time.Time
	local  map[string]int64 // charged here, not yet shared
	shared map[string]int64 // every instance's use at the last sync
}

// Budget is what a charge left.
type Budget struct {
	Limit     int
	Remaining int
	Reset     time.Time
	Exceeded  bool
}

func (rl *RateLimiter) now() time.Time {
	if rl.Now != nil {
		return rl.Now()
	}
	return time.Now()
}

// client names whose budget a request draws from: the token's subject and
// org, or for the public its address.
func client(ctx context.Context, r *http.Request) (string, bool) {
	p := auth.FromContext(ctx)
	if !p.IsAnonymous() {
		return p.Key(), false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + host, true
}

// roll starts a new hourly window when the hour has turned. Call with mu.
func (rl *RateLimiter) roll(t time.Time) {
	start := t.UTC().Truncate(time.Hour)
	if !start.Equal(rl.window) || rl.local == nil {
		rl.window, rl.local, rl.shared = start, map[string]int64{}, map[string]int64{}
	}
}

// Charge takes points from the client's budget, or says it is spent (and
// takes nothing).
func (rl *RateLimiter) Charge(ctx context.Context, r *http.Request, points int) Budget {
	who, anonymous := client(ctx, r)
	limit := rl.PerHour
	if anonymous {
		limit = rl.Anonymous
	}
	points = max(points, 1)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	rl.roll(rl.now())
	b := Budget{Limit: limit, Reset: rl.window.Add(time.Hour)}
	used := rl.shared[who] + rl.local[who]
	if used+int64(points) > int64(limit) {
		b.Exceeded = true
		b.Remaining = max(limit-int(used), 0)
		return b
	}
	rl.local[who] += int64(points)
	b.Remaining = limit - int(used) - points
	return b
}

// Sync adds this instance's counts to the shared windows and reads back
// every instance's use of the clients it has seen, in one statement.
func (rl *RateLimiter) Sync(ctx context.Context) error {
	rl.mu.Lock()
	rl.roll(rl.now())
	window := rl.window
	points := make(map[string]int64, len(rl.shared)+len(rl.local))
	for c := range rl.shared {
		points[c] = 0
	}
	for c, n := range rl.local {
		points[c] = n
	}
	pending := rl.local
	rl.local = map[string]int64{}
	rl.mu.Unlock()
	if len(points) == 0 {
		return nil
	}
	used, err := rl.Windows.Add(ctx, window, points)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if !rl.window.Equal(window) {
		return err
	}
	if err != nil {
		// Keep the counts for the next sync.
		for c, n := range pending {
			rl.local[c] += n
		}
		return err
	}
	for c, n := range used {
		rl.shared[c] = n
	}
	return nil
}

// SyncPeriod is how often the instance shares its counts: SyncEvery, 1s by
// default.
func (rl *RateLimiter) SyncPeriod() time.Duration {
	if rl.SyncEvery <= 0 {
		return time.Second
	}
	return rl.SyncEvery
}

// setHeaders writes the budget into the response, like GitHub's API.
func (b Budget) setHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.Reset.Unix(), 10))
}
