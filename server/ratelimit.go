package server

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"credithub/auth"
)

// RateLimiter gives every client a budget of cost points per hour, as
// GitHub's API does: a query is charged its static cost before it runs.
// The budget lives in the hub's database (rate_window), so every hub
// instance behind a load balancer draws from the same one; charging is one
// statement per request.
type RateLimiter struct {
	DB *sqlx.DB
	// PerHour is the budget of an authenticated client; Anonymous that of
	// one anonymous address.
	PerHour   int
	Anonymous int
	Now       func() time.Time
}

// Budget is what a charge left.
type Budget struct {
	Limit     int
	Remaining int
	Reset     time.Time
	Exceeded  bool
}

// client names whose budget a request draws from: the token's subject and
// org, or for the public its address.
func client(ctx context.Context, r *http.Request) (string, bool) {
	p := auth.FromContext(ctx)
	if !p.IsAnonymous() {
		return string(p.Kind()) + ":" + p.Org() + ":" + p.Subject(), false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + host, true
}

// Charge adds cost to the client's window and says what is left. A charge
// that would go over the budget is refused and not counted.
func (rl *RateLimiter) Charge(ctx context.Context, r *http.Request, cost int) (Budget, error) {
	now := time.Now
	if rl.Now != nil {
		now = rl.Now
	}
	t := now().UTC()
	start := t.Truncate(time.Hour)
	who, anonymous := client(ctx, r)
	limit := rl.PerHour
	if anonymous {
		limit = rl.Anonymous
	}
	b := Budget{Limit: limit, Reset: start.Add(time.Hour)}
	if cost < 1 {
		cost = 1
	}
	if cost > limit {
		b.Exceeded = true
		return b, nil
	}
	// One statement on the common path: add the cost unless it would go
	// over the budget. No row back means it would have.
	var used int64
	err := rl.DB.QueryRowxContext(ctx, `INSERT INTO rate_window (client, window_start, used) VALUES ($1, $2, $3)
		ON CONFLICT (client, window_start) DO UPDATE SET used = rate_window.used + EXCLUDED.used
		WHERE rate_window.used + EXCLUDED.used <= $4
		RETURNING used`, who, start, cost, limit).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		b.Exceeded = true
		err = rl.DB.QueryRowxContext(ctx, `SELECT used FROM rate_window WHERE client = $1 AND window_start = $2`, who, start).Scan(&used)
	}
	if err != nil {
		return b, err
	}
	b.Remaining = max(limit-int(used), 0)
	return b, nil
}

// setHeaders writes the budget into the response, like GitHub's API.
func (b Budget) setHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.Reset.Unix(), 10))
}
