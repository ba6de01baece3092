package workflow

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// WorkKind is what arrived at a department's desk.
type WorkKind string

// The kinds of work (hubdb's work events).
const (
	WorkCasePushed       WorkKind = hubdb.WorkCasePushed
	WorkObjectionFiled   WorkKind = hubdb.WorkObjectionFiled
	WorkObjectionToCheck WorkKind = hubdb.WorkObjectionToCheck
	WorkObjectionChecked WorkKind = hubdb.WorkObjectionChecked
	WorkRepairApplied    WorkKind = hubdb.WorkRepairApplied
)

func (k WorkKind) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(k)) }
func (k *WorkKind) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "WorkKind",
		[]WorkKind{WorkCasePushed, WorkObjectionFiled, WorkObjectionToCheck, WorkObjectionChecked, WorkRepairApplied}, k)
}

// WorkItem is one arrival of work at a department: the push, objection or
// repair application, as it stood when it was delivered.
type WorkItem struct {
	ID             int64
	Kind           WorkKind
	DepartmentCode string
	At             time.Time
	Push           *CasePush
	Objection      *Objection
	Repair         *Repair
}

// Department is the department the work reached.
func (w *WorkItem) Department() *credit.Department { return department(w.DepartmentCode) }

// WorkBroker is a hub instance's one listener on hubdb.WorkChannel: it
// reads each announced work event once, with its object, and hands it to
// the instance's subscribers of that event's department. Every instance
// runs one, so a department's subscribers hear of its work whichever
// instance's transaction brought it.
type WorkBroker struct {
	// Flows reads the events' objects and knows today.
	Flows  *Service
	Logger *slog.Logger
	// Buffer is each subscriber's queue (default 64); a subscriber that
	// falls that far behind is dropped (its subscription completes).
	Buffer int

	mu     sync.Mutex
	subs   map[*workSubscriber]struct{}
	last   int64
	closed bool
	ready  chan struct{}
	once   sync.Once
}

type workSubscriber struct {
	department  string
	withPersons bool
	ch          chan *WorkItem
}

func (b *WorkBroker) init() {
	b.once.Do(func() {
		b.ready = make(chan struct{})
		b.subs = map[*workSubscriber]struct{}{}
	})
}

// Ready is closed once the broker listens.
func (b *WorkBroker) Ready() <-chan struct{} {
	b.init()
	return b.ready
}

// Subscribers returns how many subscriptions are open.
func (b *WorkBroker) Subscribers() int {
	b.init()
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Subscribe returns the work that reaches department from now on — with
// objections against natural persons' records only when withPersons —
// until ctx ends, the subscriber falls too far behind, or the broker
// stops; then the channel is closed. The department is the caller's own
// (its token's org): the subscription takes no argument naming another.
func (b *WorkBroker) Subscribe(ctx context.Context, department string, withPersons bool) <-chan *WorkItem {
	b.init()
	n := b.Buffer
	if n <= 0 {
		n = 64
	}
	s := &workSubscriber{department: department, withPersons: withPersons, ch: make(chan *WorkItem, n)}
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
func (b *WorkBroker) drop(s *workSubscriber) {
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.ch)
	}
}

func (b *WorkBroker) logger() *slog.Logger {
	if b.Logger != nil {
		return b.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Listen listens on hubdb.WorkChannel with one connection until ctx ends,
// then closes every subscription. After a lost connection (and every 90 s)
// it catches up with the events written since the last one it announced.
func (b *WorkBroker) Listen(ctx context.Context, dsn string) {
	b.init()
	defer func() {
		b.mu.Lock()
		b.closed = true
		for s := range b.subs {
			b.drop(s)
		}
		b.mu.Unlock()
	}()
	l := &sqldb.Listener{DSN: dsn, Channel: hubdb.WorkChannel, Every: 90 * time.Second, Logger: b.logger(),
		Ready: func(ctx context.Context) {
			last, err := b.Flows.DB.Work().LastID(ctx)
			if err != nil && ctx.Err() == nil {
				b.logger().Error("reading the last work event", "err", err)
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
				b.logger().Error("delivering work", "err", err)
			}
		}}
	l.Run(ctx)
}

// deliver reads the announced events (and, catching up, every one after
// the last announced) with their objects, and queues each for the
// subscribers of its department.
func (b *WorkBroker) deliver(ctx context.Context, ids []int64, catchUp bool) error {
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
	items, err := b.read(qctx, ids, after)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, it := range items {
		b.last = max(b.last, it.ID)
		person := it.Objection != nil && it.Objection.SubjectIDNo != ""
		for s := range b.subs {
			if s.department != it.DepartmentCode || (person && !s.withPersons) {
				continue
			}
			select {
			case s.ch <- it:
			default:
				b.logger().Warn("a work subscriber fell behind and was dropped", "buffer", cap(s.ch))
				b.drop(s)
			}
		}
	}
	return nil
}

// read returns the work events with these ids (and after after), each
// with its object, in id order: one statement for the events and one for
// each kind of object among them.
func (b *WorkBroker) read(ctx context.Context, ids []int64, after int64) ([]*WorkItem, error) {
	db := b.Flows.DB
	events, err := db.Work().Announced(ctx, ids, after)
	if err != nil || len(events) == 0 {
		return nil, err
	}
	var pushIDs, objectionIDs, repairIDs []int64
	for _, e := range events {
		switch e.Kind {
		case hubdb.WorkCasePushed:
			pushIDs = append(pushIDs, e.ObjectID)
		case hubdb.WorkRepairApplied:
			repairIDs = append(repairIDs, e.ObjectID)
		default:
			objectionIDs = append(objectionIDs, e.ObjectID)
		}
	}
	today := b.Flows.Today()
	pushes, objections, repairs := map[int64]*CasePush{}, map[int64]*Objection{}, map[int64]*Repair{}
	if len(pushIDs) > 0 {
		rows, err := db.Work().PushesByID(ctx, pushIDs)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			pushes[rows[i].ID] = PushOf(&rows[i], today)
		}
	}
	if len(objectionIDs) > 0 {
		rows, err := db.Objections().ByID(ctx, objectionIDs)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			objections[rows[i].ID] = ObjectionOf(&rows[i], today)
		}
	}
	if len(repairIDs) > 0 {
		rows, err := db.Repairs().ByID(ctx, repairIDs)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			repairs[rows[i].ID] = RepairOf(&rows[i], today)
		}
	}
	out := make([]*WorkItem, 0, len(events))
	for _, e := range events {
		it := &WorkItem{ID: e.ID, Kind: WorkKind(e.Kind), DepartmentCode: e.Department, At: e.At}
		switch e.Kind {
		case hubdb.WorkCasePushed:
			it.Push = pushes[e.ObjectID]
		case hubdb.WorkRepairApplied:
			it.Repair = repairs[e.ObjectID]
		default:
			it.Objection = objections[e.ObjectID]
		}
		if it.Push == nil && it.Objection == nil && it.Repair == nil {
			continue // its object is gone
		}
		out = append(out, it)
	}
	return out, nil
}
