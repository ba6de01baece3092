package supervision

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

// A Broker is each hub instance's one LISTEN on hubdb.WarningChannel: it
// reads every announced warning once and fans it out to that instance's
// subscribers, so every instance's subscribers see every warning,
// whichever instance raised it.

// Broker is a hub instance's one listener on hubdb.WarningChannel, fanning
// each announced warning out to the instance's subscribers.
type Broker struct {
	// DB is the hub's database.
	DB     *hubdb.DB
	Logger *slog.Logger
	// Buffer is each subscriber's queue (default 64). A subscriber that
	// falls that far behind is dropped (its subscription completes) rather
	// than slow the others or hold warnings without bound.
	Buffer int

	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	last   int64 // the highest warning id announced so far
	closed bool
	ready  chan struct{}
	once   sync.Once
}

type subscriber struct {
	f  Filter
	ch chan *Warning
}

func (b *Broker) init() {
	b.once.Do(func() {
		b.ready = make(chan struct{})
		b.subs = map[*subscriber]struct{}{}
	})
}

// Ready is closed once the broker listens.
func (b *Broker) Ready() <-chan struct{} {
	b.init()
	return b.ready
}

// Subscribers returns how many subscriptions are open.
func (b *Broker) Subscribers() int {
	b.init()
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Subscribe returns the warnings matching f raised from now on, until ctx
// ends (the client went away), the subscriber falls too far behind, or the
// broker stops; then the channel is closed.
func (b *Broker) Subscribe(ctx context.Context, f Filter) <-chan *Warning {
	b.init()
	n := b.Buffer
	if n <= 0 {
		n = 64
	}
	s := &subscriber{f: f, ch: make(chan *Warning, n)}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		close(s.ch)
		return s.ch
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		defer b.mu.Unlock()
		b.drop(s)
	}()
	return s.ch
}

// drop removes a subscriber and closes its channel; b.mu is held.
func (b *Broker) drop(s *subscriber) {
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.ch)
	}
}

func (b *Broker) logger() *slog.Logger {
	if b.Logger != nil {
		return b.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Listen listens on hubdb.WarningChannel with one connection until ctx ends,
// then closes every subscription. After a lost connection (and every 90
// s, which also notices a dead connection sooner) it catches up with the
// warnings raised since the last one it announced.
func (b *Broker) Listen(ctx context.Context, dsn string) {
	b.init()
	defer func() {
		b.mu.Lock()
		b.closed = true
		for s := range b.subs {
			b.drop(s)
		}
		b.mu.Unlock()
	}()
	l := &sqldb.Listener{DSN: dsn, Channel: hubdb.WarningChannel, Every: 90 * time.Second, Logger: b.logger(),
		Ready: func(ctx context.Context) {
			last, err := b.DB.Warnings().LastID(ctx)
			if err != nil && ctx.Err() == nil {
				b.logger().Error("reading the last warning", "err", err)
			}
			b.mu.Lock()
			b.last = last
			b.mu.Unlock()
			close(b.ready)
		},
		Handle: func(ctx context.Context, payloads []string, missed bool) {
			var ids []int64
			for _, p := range payloads {
				if id, err := strconv.ParseInt(p, 10, 64); err == nil {
					ids = append(ids, id)
				}
			}
			if err := b.deliver(ctx, ids, missed); err != nil && ctx.Err() == nil {
				b.logger().Error("delivering warnings", "err", err)
			}
		}}
	l.Run(ctx)
}

// deliver reads the announced warnings (and, catching up, every one after
// the last announced) and queues each for the subscribers it matches.
func (b *Broker) deliver(ctx context.Context, ids []int64, catchUp bool) error {
	b.mu.Lock()
	after, idle := int64(0), len(b.subs) == 0
	if catchUp {
		after = b.last
	}
	for _, id := range ids {
		b.last = max(b.last, id)
	}
	b.mu.Unlock()
	if idle || (len(ids) == 0 && !catchUp) {
		return nil
	}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rows, err := b.DB.Warnings().Announced(qctx, ids, after)
	if err != nil {
		return err
	}
	ws := warningsOf(rows)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range ws {
		b.last = max(b.last, w.ID)
		for s := range b.subs {
			if !s.f.Matches(w) {
				continue
			}
			select {
			case s.ch <- w:
			default:
				b.logger().Warn("a warning subscriber fell behind and was dropped", "buffer", cap(s.ch))
				b.drop(s)
			}
		}
	}
	return nil
}
