package sqldb

import (
	"context"
	"log/slog"
	"time"

	"github.com/lib/pq"
)

// Listener is the hub's one LISTEN loop: a single connection listening on
// one channel, which hands each burst of notices to Handle. Every instance
// runs one per channel it follows (the hub state, the warnings); lib/pq's
// listener re-establishes a lost connection, after which Handle is told
// that notices may have been missed.
type Listener struct {
	// DSN is the connection URL of the database to listen on.
	DSN string
	// Channel is the NOTIFY channel.
	Channel string
	// Every is how often Handle runs with missed set even when nothing
	// arrived (and the connection is pinged, which notices a dead one
	// sooner); default 5 minutes.
	Every  time.Duration
	Logger *slog.Logger
	// Ready, if set, runs once the connection listens, before any notice
	// is handled: what is read then cannot miss a later notice.
	Ready func(ctx context.Context)
	// Handle receives the payloads of the notices that arrived together
	// (folded while the previous call ran). missed is true after a
	// reconnection or on the periodic call: the handler must then catch up
	// rather than trust the payloads alone.
	Handle func(ctx context.Context, payloads []string, missed bool)
}

// Run listens until ctx ends. It returns at once, logging why, when the
// channel cannot be listened on.
func (l *Listener) Run(ctx context.Context) {
	logger := l.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	every := l.Every
	if every <= 0 {
		every = 5 * time.Minute
	}
	report := func(ev pq.ListenerEventType, err error) {
		if err != nil {
			logger.Warn("listener", "channel", l.Channel, "event", ev, "err", err)
		}
	}
	pl := pq.NewListener(l.DSN, time.Second, time.Minute, report)
	stop := context.AfterFunc(ctx, func() { _ = pl.Close() })
	defer stop()
	defer pl.Close()
	if err := pl.Listen(l.Channel); err != nil {
		if ctx.Err() == nil {
			logger.Error("listening", "channel", l.Channel, "err", err)
		}
		return
	}
	if l.Ready != nil {
		l.Ready(ctx)
	}
	timer := time.NewTimer(every)
	defer timer.Stop()
	for {
		var payloads []string
		missed := false
		add := func(n *pq.Notification) {
			if n == nil { // a reconnection: notices may be lost
				missed = true
				return
			}
			payloads = append(payloads, n.Extra)
		}
		// pq closes Notify when the listener is closed (ctx ended): a
		// closed channel is always ready, so each receive checks for it,
		// or the drain below would spin for good and Close would wait on
		// this runner for ever.
		select {
		case <-ctx.Done():
			return
		case n, open := <-pl.Notify:
			if !open {
				return
			}
			add(n)
		case <-timer.C:
			missed = true
			go func() { _ = pl.Ping() }()
		}
	drain:
		for {
			select {
			case n, open := <-pl.Notify:
				if !open {
					return
				}
				add(n)
			default:
				break drain
			}
		}
		l.Handle(ctx, payloads, missed)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(every)
	}
}
