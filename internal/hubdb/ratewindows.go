package hubdb

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// RateWindowStore holds the rate limit's shared windows: the points each
// client's instances have leased in each hourly window, summed over every
// hub instance, never more than the client's budget.
type RateWindowStore interface {
	// Lease takes from client's window starting at start at least need
	// points and at most chunk (or a quarter of what is left, if less),
	// never taking the window past limit, in one statement. It returns the
	// points granted and the window's use after the grant; granted is 0
	// when need does not fit.
	Lease(ctx context.Context, client string, start time.Time, need, chunk, limit int64) (granted, used int64, err error)
}

// RateWindows returns the rate windows' store.
func (d *DB) RateWindows() RateWindowStore { return rateWindows{d} }

type rateWindows struct{ d *DB }

func (s rateWindows) Lease(ctx context.Context, client string, start time.Time, need, chunk, limit int64) (int64, int64, error) {
	var row struct {
		Used  int64 `db:"used"`
		Grant int64 `db:"last_grant"`
	}
	// The grant is the same expression of the row's use before it in
	// both places; the row lock of ON CONFLICT serialises instances.
	err := s.d.get(ctx, &row, `INSERT INTO rate_window AS w (client, window_start, used, last_grant)
		SELECT $1, $2, g, g FROM (SELECT LEAST(GREATEST($3::bigint, LEAST($4::bigint, $5::bigint / 4)), $5::bigint) AS g) x
		WHERE $3::bigint <= $5::bigint
		ON CONFLICT (client, window_start) DO UPDATE
		SET used = w.used + LEAST(GREATEST($3::bigint, LEAST($4::bigint, ($5::bigint - w.used) / 4)), $5::bigint - w.used),
		    last_grant = LEAST(GREATEST($3::bigint, LEAST($4::bigint, ($5::bigint - w.used) / 4)), $5::bigint - w.used)
		WHERE w.used + $3::bigint <= $5::bigint
		RETURNING used, last_grant`, client, start, need, chunk, limit)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	return row.Grant, row.Used, nil
}
