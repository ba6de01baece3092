package hubdb

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// RateWindowStore holds the rate limit's shared counts: the points each
// client used in each hourly window, summed over every hub instance.
type RateWindowStore interface {
	// Add adds each client's points (0 to only read) to its window starting
	// at start, and returns every one of those clients' use of the window
	// by all instances, in one statement.
	Add(ctx context.Context, start time.Time, points map[string]int64) (map[string]int64, error)
}

// RateWindows returns the rate windows' store.
func (d *DB) RateWindows() RateWindowStore { return rateWindows{d} }

type rateWindows struct{ d *DB }

func (s rateWindows) Add(ctx context.Context, start time.Time, points map[string]int64) (map[string]int64, error) {
	clients := make([]string, 0, len(points))
	adds := make([]int64, 0, len(points))
	for c, n := range points {
		clients, adds = append(clients, c), append(adds, n)
	}
	var rows []struct {
		Client string `db:"client"`
		Used   int64  `db:"used"`
	}
	err := s.d.sel(ctx, &rows, `INSERT INTO rate_window (client, window_start, used)
		SELECT c, $2, n FROM unnest($1::text[], $3::bigint[]) AS u(c, n)
		ON CONFLICT (client, window_start) DO UPDATE SET used = rate_window.used + EXCLUDED.used
		RETURNING client, used`, pq.Array(clients), start, pq.Array(adds))
	if err != nil {
		return nil, err
	}
	used := make(map[string]int64, len(rows))
	for _, r := range rows {
		used[r.Client] = r.Used
	}
	return used, nil
}
