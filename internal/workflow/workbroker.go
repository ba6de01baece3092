package workflow

import (
	"context"
	"io"
	"log/slog"
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
	// WorkNotificationReceived reaches a body's inbox (notificationArrived),
	// never workArrived.
	WorkNotificationReceived WorkKind = hubdb.WorkNotificationReceived
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
	Notification   *Notification
}

// Department is the department the work reached.
func (w *WorkItem) Department() *credit.Department { return department(w.DepartmentCode) }

// WorkBroker is a hub instance's one listener on hubdb.WorkChannel: it
// reads each announced work event once, with its object, and hands it to
// the instance's subscribers of that event's department. Every instance
// runs one, so a department's subscribers hear of its work whichever
// instance's transaction brought it (sqldb.Fanout does the listening,
// catching up and queueing).
type WorkBroker struct {
	// Flows reads the events' objects and knows today.
	Flows  *Service
	Logger *slog.Logger
	// Buffer is each subscriber's queue (default 64); a subscriber that
	// falls that far behind is dropped (its subscription completes).
	Buffer int

	once sync.Once
	f    *sqldb.Fanout[*WorkItem]
}

func (b *WorkBroker) fanout() *sqldb.Fanout[*WorkItem] {
	b.once.Do(func() {
		b.f = &sqldb.Fanout[*WorkItem]{Channel: hubdb.WorkChannel, Every: 90 * time.Second, What: "work",
			Logger: b.Logger, Buffer: b.Buffer,
			LastID: func(ctx context.Context) (int64, error) { return b.Flows.DB.Work().LastID(ctx) },
			Read:   b.read,
			ID:     func(w *WorkItem) int64 { return w.ID }}
	})
	return b.f
}

// Ready is closed once the broker listens.
func (b *WorkBroker) Ready() <-chan struct{} { return b.fanout().Ready() }

// Subscribers returns how many subscriptions are open.
func (b *WorkBroker) Subscribers() int { return b.fanout().Subscribers() }

// Subscribe returns the work that reaches department from now on — with
// objections against natural persons' records only when withPersons —
// until ctx ends, the subscriber falls too far behind, or the broker
// stops; then the channel is closed. The department is the caller's own
// (its token's org): the subscription takes no argument naming another.
func (b *WorkBroker) Subscribe(ctx context.Context, department string, withPersons bool) <-chan *WorkItem {
	return b.fanout().Subscribe(ctx, func(it *WorkItem) bool {
		person := it.Objection != nil && it.Objection.SubjectIDNo != ""
		return it.DepartmentCode == department && it.Notification == nil && (!person || withPersons)
	})
}

// SubscribeNotifications returns the work items carrying the notifications
// that reach recipient's inbox from now on (T23), on the same terms as
// Subscribe. Every one is delivered, a public employee's too: as in the
// notifications query, whom it is about is for the field markings to show
// or refuse.
func (b *WorkBroker) SubscribeNotifications(ctx context.Context, recipient string) <-chan *WorkItem {
	return b.fanout().Subscribe(ctx, func(it *WorkItem) bool {
		return it.DepartmentCode == recipient && it.Notification != nil
	})
}

// Listen listens on hubdb.WorkChannel with one connection until ctx ends,
// then closes every subscription.
func (b *WorkBroker) Listen(ctx context.Context, dsn string) { b.fanout().Listen(ctx, dsn) }

// read returns the work events with these ids (and after after), each
// with its object, in id order: one statement for the events and one for
// each kind of object among them.
func (b *WorkBroker) read(ctx context.Context, ids []int64, after int64) ([]*WorkItem, error) {
	db := b.Flows.DB
	events, err := db.Work().Announced(ctx, ids, after)
	if err != nil || len(events) == 0 {
		return nil, err
	}
	var pushIDs, objectionIDs, repairIDs, notificationIDs []int64
	for _, e := range events {
		switch e.Kind {
		case hubdb.WorkCasePushed:
			pushIDs = append(pushIDs, e.ObjectID)
		case hubdb.WorkRepairApplied:
			repairIDs = append(repairIDs, e.ObjectID)
		case hubdb.WorkNotificationReceived:
			notificationIDs = append(notificationIDs, e.ObjectID)
		default:
			objectionIDs = append(objectionIDs, e.ObjectID)
		}
	}
	today := b.Flows.Today()
	pushes, objections, repairs := map[int64]*CasePush{}, map[int64]*Objection{}, map[int64]*Repair{}
	notifications := map[int64]*Notification{}
	if len(notificationIDs) > 0 {
		rows, err := db.Notifications().ByID(ctx, notificationIDs)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			notifications[rows[i].ID] = b.Flows.notificationOf(rows[i])
		}
	}
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
		case hubdb.WorkNotificationReceived:
			it.Notification = notifications[e.ObjectID]
		default:
			it.Objection = objections[e.ObjectID]
		}
		if it.Push == nil && it.Objection == nil && it.Repair == nil && it.Notification == nil {
			continue // its object is gone
		}
		out = append(out, it)
	}
	return out, nil
}
