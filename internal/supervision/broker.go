package supervision

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

// Broker is a hub instance's one listener on hubdb.WarningChannel: each
// announced warning is read once and fanned out to the instance's
// subscribers whose filter it matches, whichever instance raised it
// (sqldb.Fanout does the listening, catching up and queueing).
type Broker struct {
	// DB is the hub's database.
	DB     *hubdb.DB
	Logger *slog.Logger
	// Buffer is each subscriber's queue (default 64); a subscriber that
	// falls that far behind is dropped (its subscription completes).
	Buffer int

	once sync.Once
	f    *sqldb.Fanout[*Warning]
}

func (b *Broker) fanout() *sqldb.Fanout[*Warning] {
	b.once.Do(func() {
		b.f = &sqldb.Fanout[*Warning]{Channel: hubdb.WarningChannel, Every: 90 * time.Second, What: "warnings",
			Logger: b.Logger, Buffer: b.Buffer,
			LastID: func(ctx context.Context) (int64, error) { return b.DB.Warnings().LastID(ctx) },
			Read: func(ctx context.Context, ids []int64, after int64) ([]*Warning, error) {
				rows, err := b.DB.Warnings().Announced(ctx, ids, after)
				return warningsOf(rows), err
			},
			ID: func(w *Warning) int64 { return w.ID }}
	})
	return b.f
}

// Ready is closed once the broker listens.
func (b *Broker) Ready() <-chan struct{} { return b.fanout().Ready() }

// Subscribers returns how many subscriptions are open.
func (b *Broker) Subscribers() int { return b.fanout().Subscribers() }

// Subscribe returns the warnings matching f raised from now on, until ctx
// ends (the client went away), the subscriber falls too far behind, or the
// broker stops; then the channel is closed.
func (b *Broker) Subscribe(ctx context.Context, f Filter) <-chan *Warning {
	return b.fanout().Subscribe(ctx, f.Matches)
}

// Listen listens on hubdb.WarningChannel with one connection until ctx ends,
// then closes every subscription.
func (b *Broker) Listen(ctx context.Context, dsn string) { b.fanout().Listen(ctx, dsn) }
