package sqldb

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// Fanout is a hub instance's one LISTEN on a channel whose notices carry
// the ids of rows written in the announcing transaction (warnings, work
// events): it reads each announced row once and hands it to the instance's
// subscribers whose match accepts it. Every instance runs one, so every
// subscriber hears of every row, whichever instance wrote it. After a lost
// connection (and every Every, which also notices a dead connection
// sooner) it catches up with the rows written since the last it announced.
type Fanout[T any] struct {
	// Channel is the LISTEN channel; Every the catch-up interval.
	Channel string
	Every   time.Duration
	// What names the rows in logs ("warnings", "work").
	What string
	// LastID returns the highest id written so far: where listening starts.
	LastID func(ctx context.Context) (int64, error)
	// Read returns the rows with these ids and, catching up, every row
	// after after, in id order.
	Read func(ctx context.Context, ids []int64, after int64) ([]T, error)
	// ID is a row's id.
	ID     func(T) int64
	Logger *slog.Logger
	// Buffer is each subscriber's queue (default 64). A subscriber that
	// falls that far behind is dropped (its subscription completes) rather
	// than slow the others or hold rows without bound.
	Buffer int

	mu     sync.Mutex
	subs   map[*fanoutSub[T]]struct{}
	last   int64 // the highest id announced so far
	closed bool
	ready  chan struct{}
	once   sync.Once
}

type fanoutSub[T any] struct {
	match func(T) bool
	ch    chan T
}

func (f *Fanout[T]) init() {
	f.once.Do(func() {
		f.ready = make(chan struct{})
		f.subs = map[*fanoutSub[T]]struct{}{}
	})
}

// Ready is closed once the fan-out listens.
func (f *Fanout[T]) Ready() <-chan struct{} {
	f.init()
	return f.ready
}

// Subscribers returns how many subscriptions are open.
func (f *Fanout[T]) Subscribers() int {
	f.init()
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// Subscribe returns the rows match accepts, announced from now on, until
// ctx ends (the client went away), the subscriber falls too far behind, or
// the fan-out stops; then the channel is closed.
func (f *Fanout[T]) Subscribe(ctx context.Context, match func(T) bool) <-chan T {
	f.init()
	n := f.Buffer
	if n <= 0 {
		n = 64
	}
	s := &fanoutSub[T]{match: match, ch: make(chan T, n)}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		close(s.ch)
		return s.ch
	}
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		defer f.mu.Unlock()
		f.drop(s)
	}()
	return s.ch
}

// drop removes a subscriber and closes its channel; f.mu is held.
func (f *Fanout[T]) drop(s *fanoutSub[T]) {
	if _, ok := f.subs[s]; ok {
		delete(f.subs, s)
		close(s.ch)
	}
}

func (f *Fanout[T]) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Listen listens on the channel with one connection until ctx ends, then
// closes every subscription.
func (f *Fanout[T]) Listen(ctx context.Context, dsn string) {
	f.init()
	defer func() {
		f.mu.Lock()
		f.closed = true
		for s := range f.subs {
			f.drop(s)
		}
		f.mu.Unlock()
	}()
	l := &Listener{DSN: dsn, Channel: f.Channel, Every: f.Every, Logger: f.logger(),
		Ready: func(ctx context.Context) {
			last, err := f.LastID(ctx)
			if err != nil && ctx.Err() == nil {
				f.logger().Error("reading the last of "+f.What, "err", err)
			}
			f.mu.Lock()
			f.last = last
			f.mu.Unlock()
			close(f.ready)
		},
		Handle: func(ctx context.Context, payloads []string, missed bool) {
			var ids []int64
			for _, p := range payloads {
				if id, err := strconv.ParseInt(p, 10, 64); err == nil {
					ids = append(ids, id)
				}
			}
			if err := f.deliver(ctx, ids, missed); err != nil && ctx.Err() == nil {
				f.logger().Error("delivering "+f.What, "err", err)
			}
		}}
	l.Run(ctx)
}

// deliver reads the announced rows (and, catching up, every one after the
// last announced) and queues each for the subscribers it matches.
func (f *Fanout[T]) deliver(ctx context.Context, ids []int64, catchUp bool) error {
	f.mu.Lock()
	after, idle := int64(0), len(f.subs) == 0
	if catchUp {
		after = f.last
	}
	for _, id := range ids {
		f.last = max(f.last, id)
	}
	f.mu.Unlock()
	if idle || (len(ids) == 0 && !catchUp) {
		return nil
	}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rows, err := f.Read(qctx, ids, after)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range rows {
		f.last = max(f.last, f.ID(r))
		for s := range f.subs {
			if !s.match(r) {
				continue
			}
			select {
			case s.ch <- r:
			default:
				f.logger().Warn("a subscriber to "+f.What+" fell behind and was dropped", "buffer", cap(s.ch))
				f.drop(s)
			}
		}
	}
	return nil
}
