package server

import (
	"context"
	"sync/atomic"
	"time"
)

// Admission bounds how many GraphQL operations one instance executes at
// once. Under load a hub that starts every request it is sent does not
// answer more: two cores and ten connections per department are shared by
// all of them, so each waits longer, and meanwhile every one holds its
// goroutines (one per list element and per resolver field), its rows and
// its half-built answer. Its memory then grows with the number of clients
// (339 MiB and 4,406 goroutines at 64 clients, issue #16). Admitted
// requests run at full speed; the others wait their turn holding only the
// connection's goroutine and the parsed document, and are refused with
// OVERLOADED (503, Retry-After) if no turn comes within the wait, so that a
// load balancer or client tries another instance instead of queueing for
// ever.
//
// Subscriptions are not counted: each holds a WebSocket for as long as the
// client wants, and its events are small and few.
type Admission struct {
	slots   chan struct{}
	wait    time.Duration
	waiting atomic.Int64
	// onWait, when set, is told how long an admitted request waited.
	onWait func(time.Duration)
}

// NewAdmission admits limit operations at once, the others waiting at most
// wait for a turn. A limit of 0 or less admits everything at once.
func NewAdmission(limit int, wait time.Duration) *Admission {
	if limit <= 0 {
		return nil
	}
	return &Admission{slots: make(chan struct{}, limit), wait: wait}
}

// Limit is the number of operations run at once (0: unbounded).
func (a *Admission) Limit() int {
	if a == nil {
		return 0
	}
	return cap(a.slots)
}

// Waiting is how many requests wait for a turn now.
func (a *Admission) Waiting() int {
	if a == nil {
		return 0
	}
	return int(a.waiting.Load())
}

// Enter waits for a turn, for at most the admission's wait and no longer
// than ctx lives. On ok the caller must call release once it has answered.
func (a *Admission) Enter(ctx context.Context) (release func(), ok bool) {
	if a == nil {
		return func() {}, true
	}
	release = func() { <-a.slots }
	select {
	case a.slots <- struct{}{}:
		return release, true
	default:
	}
	a.waiting.Add(1)
	defer a.waiting.Add(-1)
	start := time.Now()
	timer := time.NewTimer(a.wait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
		if a.onWait != nil {
			a.onWait(time.Since(start))
		}
		return release, true
	case <-timer.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}
