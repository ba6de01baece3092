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
	"credithub/internal/sqldb"
)

// RateLimiter gives every client a budget of points per hour, as GitHub's
// API does: a query is charged its points (Limits.Measure) before it runs.
//
// The budget is shared by every hub instance through the hub's database
// (rate_window) and never overspent, without a statement per request: an
// instance leases a client's points from the window — what the request
// needs and a share of what is left (a sixteenth of the budget at most, a
// quarter of the rest as it runs low) — and spends the lease locally. The
// window's total never passes the budget, whatever the number of
// instances; an instance that restarts or dies loses its unspent lease, so
// a client can be refused early by at most what other instances still
// hold for it, never served past its budget. While the hub's database does
// not answer, each instance allows a client at most a sixteenth of its
// budget from an allowance of its own, rather than refusing everyone or
// serving unmetered: the one way past the budget, bounded and logged.
type RateLimiter struct {
	// Windows is where the instances' leases meet (rate_window); nil keeps
	// them in this instance alone.
	Windows hubdb.RateWindowStore
	// PerHour is the budget of an authenticated client; Anonymous that of
	// one anonymous address.
	PerHour   int
	Anonymous int
	Logger    *slog.Logger
	Now       func() time.Time

	mu     sync.Mutex
	window time.Time
	leases map[string]*rateLease
	local  localWindows
	outage localWindows
}

// rateLease is what this instance holds of a client's window: points
// leased and not yet spent, and the window's use (every instance's leases)
// at its latest grant.
type rateLease struct{ left, used int64 }

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

// roll starts a new hourly window when the hour has turned; the old
// window's leases lapse with it. Call with mu.
func (rl *RateLimiter) roll(t time.Time) {
	start := t.UTC().Truncate(time.Hour)
	if !start.Equal(rl.window) || rl.leases == nil {
		rl.window, rl.leases = start, map[string]*rateLease{}
	}
}

// Charge takes points from the client's budget, or says it is spent (and
// takes nothing). It reaches the shared window only when this instance's
// lease does not cover the points.
func (rl *RateLimiter) Charge(ctx context.Context, r *http.Request, points int) Budget {
	who, anonymous := client(ctx, r)
	limit := int64(rl.PerHour)
	if anonymous {
		limit = int64(rl.Anonymous)
	}
	need := int64(max(points, 1))
	rl.mu.Lock()
	rl.roll(rl.now())
	window := rl.window
	b := Budget{Limit: int(limit), Reset: window.Add(time.Hour)}
	l := rl.leases[who]
	if l == nil {
		l = &rateLease{}
		rl.leases[who] = l
	}
	if l.left >= need {
		l.left -= need
		b.Remaining = int(limit - l.used + l.left)
		rl.mu.Unlock()
		return b
	}
	// Lease the rest of what this request needs, and a share more.
	short := need - l.left
	rl.mu.Unlock()
	var store hubdb.RateWindowStore = &rl.local
	if rl.Windows != nil {
		store = rl.Windows
	}
	// A lease serves many requests: it is not what this query costs, so
	// it counts toward no request's statements.
	granted, used, err := store.Lease(sqldb.WithoutRequestStats(ctx), who, window, short, max(limit/16, 1), limit)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if err != nil {
		if rl.Logger != nil {
			rl.Logger.Error("leasing a client's rate-limit points; charging this instance's outage allowance", "client", who, "err", err)
		}
		allowance := max(limit/16, 1)
		if g, used, _ := rl.outage.Lease(ctx, who, window, need, need, allowance); g == 0 {
			b.Exceeded, b.Remaining = true, 0
		} else {
			b.Remaining = int(allowance - used)
		}
		return b
	}
	if !rl.window.Equal(window) {
		// The hour turned meanwhile: the lease is of a window gone.
		rl.roll(rl.now())
		b.Remaining = 0
		b.Exceeded = granted == 0
		return b
	}
	l = rl.leases[who]
	if granted == 0 {
		b.Exceeded = true
		b.Remaining = int(min(l.left, limit))
		return b
	}
	l.left += granted - need
	l.used = max(l.used, used)
	b.Remaining = int(max(limit-l.used+l.left, 0))
	return b
}

// localWindows is the shared windows of an instance alone (no database):
// the same leases, kept in memory.
type localWindows struct {
	mu   sync.Mutex
	used map[[2]string]int64
}

func (w *localWindows) Lease(_ context.Context, client string, start time.Time, need, chunk, limit int64) (int64, int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.used == nil {
		w.used = map[[2]string]int64{}
	}
	k := [2]string{client, start.Format(time.RFC3339)}
	used := w.used[k]
	if used+need > limit {
		return 0, used, nil
	}
	g := min(max(need, min(chunk, (limit-used)/4)), limit-used)
	w.used[k] = used + g
	return g, used + g, nil
}

// setHeaders writes the budget into the response, like GitHub's API.
func (b Budget) setHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.Reset.Unix(), 10))
}
