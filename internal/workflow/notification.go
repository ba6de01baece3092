package workflow

// Notifications to superior bodies (T23, issue #14). When an organ, a
// public institution or a state-owned enterprise has a serious dishonesty
// record, a joint-punishment listing or a dishonest-debtor record, its
// superior body and the audit bodies are notified; when a public employee
// has one, their unit and the discipline-inspection and personnel bodies
// are. The hub writes them in the transaction of their cause (EnterListing
// here) or within one warning scan of a department's record
// (supervision.Scanner); one per cause and recipient.
//
//	notify       —            → UNACKNOWLEDGED  the cause's transaction
//	acknowledge  UNACKNOWLEDGED → ACKNOWLEDGED  notification:ack, the recipient
//
// The recipient is a department token whose org is the body's code (a
// public employee's unit: its unified code). A notification not
// acknowledged within AckWorkingDays working days of its writing is
// overdue.

import (
	"context"
	"time"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// WorkflowNotification names the notifications' machine in
// workflow_history.
const WorkflowNotification = "notification"

// NotificationState is a notification's state.
type NotificationState State

// The notifications' states.
const (
	NotificationUnacknowledged NotificationState = "UNACKNOWLEDGED"
	NotificationAcknowledged   NotificationState = "ACKNOWLEDGED"
)

// AckWorkingDays is how many working days after its writing a recipient
// has to acknowledge a notification.
const AckWorkingDays = 5

const notificationAcknowledge = "acknowledge"

var notificationMachine = Machine{Name: WorkflowNotification, Transitions: []Transition{
	{Action: notificationAcknowledge, From: []State{State(NotificationUnacknowledged)}, To: State(NotificationAcknowledged),
		Scope: auth.ScopeNotificationAck, Owner: notificationRecipient},
}}

// notificationRecipient lets only the recipient (a department token whose
// org is the recipient's code) acknowledge.
func notificationRecipient(p *auth.Principal, owner string) error {
	if p.Kind() == auth.KindDepartment && p.Org() == owner {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only its recipient acknowledges a notification; a %s token of %s may not", p.Kind(), orgOr(p))
}

// Notification is a notification as the graph shows it.
type Notification struct {
	hubdb.NotificationRow
	// DueOn is the last day to acknowledge it on time.
	DueOn scalars.Date
	// Overdue: not acknowledged and DueOn has passed.
	Overdue bool
}

// State is the notification's state.
func (n *Notification) State() NotificationState {
	if n.AcknowledgedAt != nil {
		return NotificationAcknowledged
	}
	return NotificationUnacknowledged
}

// DataSubject is whom it is about: the entity, or the public employee.
func (n *Notification) DataSubject() (string, string) {
	var u, id string
	if n.USCC != nil {
		u = *n.USCC
	}
	if n.IDNo != nil {
		id = *n.IDNo
	}
	return u, id
}

func (s *Service) notificationOf(r hubdb.NotificationRow) *Notification {
	due := scalars.DateOf(s.Calendar.AddWorkingDays(r.CreatedAt, AckWorkingDays))
	return &Notification{NotificationRow: r, DueOn: due,
		Overdue: r.AcknowledgedAt == nil && s.Today().Time().After(due.Time())}
}

// NotificationFilter selects the caller's notifications.
type NotificationFilter struct {
	Acknowledged *bool
	// Overdue: only the overdue ones (unacknowledged, due before today).
	Overdue bool
	After   int64
	Limit   int
}

// Notifications lists the caller's body's notifications (its org),
// newest first, in one statement.
func (s *Service) Notifications(ctx context.Context, f NotificationFilter) ([]*Notification, error) {
	hf := hubdb.NotificationFilter{Recipient: auth.FromContext(ctx).Org(), Acknowledged: f.Acknowledged, After: f.After, Limit: f.Limit}
	if f.Overdue {
		no := false
		hf.Acknowledged = &no
		hf.CreatedBefore = s.overdueCutoff()
		if f.Acknowledged != nil && *f.Acknowledged {
			return nil, nil
		}
	}
	rows, err := s.DB.Notifications().List(ctx, hf)
	if err != nil {
		return nil, err
	}
	out := make([]*Notification, len(rows))
	for i, r := range rows {
		out[i] = s.notificationOf(*r)
	}
	return out, nil
}

// overdueCutoff is the instant before which an unacknowledged notification
// is overdue today: the start (CST) of the day after the last day D whose
// due date, AckWorkingDays working days on, is before today.
func (s *Service) overdueCutoff() time.Time {
	today := s.Today().Time()
	d := today
	for i := 0; i < 60 && !s.Calendar.AddWorkingDays(d, AckWorkingDays).Before(today); i++ {
		d = d.AddDate(0, 0, -1)
	}
	return d.AddDate(0, 0, 1)
}

// AcknowledgeNotification records that the recipient received it.
func (s *Service) AcknowledgeNotification(ctx context.Context, id int64, key hubdb.Key) (*Notification, error) {
	return transact(ctx, s, key, "acknowledgeNotification", func(tx *hubdb.DB, now time.Time) (*Notification, error) {
		row, t, err := deciding(ctx, &notificationMachine, notificationAcknowledge, tx.Notifications(), "notification", id,
			func(n hubdb.NotificationRow) (State, string) {
				return State((&Notification{NotificationRow: n}).State()), n.Recipient
			})
		if err != nil {
			return nil, err
		}
		if err := tx.Notifications().Acknowledge(ctx, id, actorName(ctx), now); err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowNotification, id, notificationAcknowledge, State(NotificationUnacknowledged), t.To, "", now); err != nil {
			return nil, err
		}
		row.AcknowledgedAt, row.AcknowledgedBy = &now, ptr(actorName(ctx))
		return s.notificationOf(row), nil
	})
}

func ptr[T any](v T) *T { return &v }
