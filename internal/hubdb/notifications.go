package hubdb

import (
	"context"
	"fmt"
	"time"
)

// Notifications to superior bodies (T23): when an organ, a public
// institution or a state-owned enterprise (the registry's org_type) has a
// serious dishonesty record, a joint-punishment listing or a
// dishonest-debtor record, its superior body and the audit bodies are
// notified; when a public employee (public_employee) has one, their unit
// and the discipline-inspection and personnel bodies are. One row per
// cause and recipient (a second Notify of the same cause writes nothing).

// The causes of a notification.
const (
	CauseSeriousDishonesty = "SERIOUS_DISHONESTY"
	CauseJointPunishment   = "JOINT_PUNISHMENT"
	CauseDishonestDebtor   = "DISHONEST_DEBTOR"
)

// NotificationRow is a row of notification.
type NotificationRow struct {
	ID             int64      `db:"id"`
	Recipient      string     `db:"recipient"`
	Cause          string     `db:"cause"`
	CauseID        string     `db:"cause_id"`
	About          string     `db:"about"`
	USCC           *string    `db:"uscc"`
	IDNo           *string    `db:"id_no"`
	SubjectName    string     `db:"subject_name"`
	AsRole         string     `db:"as_role"`
	Message        string     `db:"message"`
	CreatedAt      time.Time  `db:"created_at"`
	AcknowledgedAt *time.Time `db:"acknowledged_at"`
	AcknowledgedBy *string    `db:"acknowledged_by"`
}

const notificationColumns = `id, recipient, cause, cause_id, about, uscc, id_no, subject_name, as_role, message,
	created_at, acknowledged_at, acknowledged_by`

// NotifyCause is one cause of notifications: a record or a listing
// against an entity (USCC, with the registry's OrgType and SuperiorCode)
// or against a person (IDNo).
type NotifyCause struct {
	Cause        string
	CauseID      string
	USCC         string
	OrgType      string
	SuperiorCode string
	IDNo         string
	Name         string
	Message      string
}

// NotificationFilter selects a recipient's notifications.
type NotificationFilter struct {
	Recipient string
	// Acknowledged: nil both, else only those acknowledged or not.
	Acknowledged *bool
	// CreatedBefore keeps those written before it (zero: all): the
	// overdue ones are the unacknowledged written before a deadline.
	CreatedBefore time.Time
	After         int64
	Limit         int
}

// NotificationStore is the notifications' SQL.
type NotificationStore interface {
	// Notify writes the notifications of c, unless written before, and
	// returns the ids of those it wrote, each announced to its recipient's
	// inbox subscribers at commit (a work event NOTIFICATION_RECEIVED). An
	// entity of type OTHER or a person who is no public employee gets none.
	Notify(ctx context.Context, c NotifyCause, at time.Time) ([]int64, error)
	// List returns a recipient's notifications, newest first.
	List(ctx context.Context, f NotificationFilter) ([]*NotificationRow, error)
	// ByID returns the notifications with these ids, in one statement.
	ByID(ctx context.Context, ids []int64) ([]NotificationRow, error)
	// Get reads notification id (ErrNotFound when none).
	Get(ctx context.Context, id int64) (NotificationRow, error)
	// LockForDecision reads and locks it; CONFLICT when another
	// transition holds it.
	LockForDecision(ctx context.Context, id int64) (NotificationRow, error)
	// Acknowledge records who acknowledged it and when.
	Acknowledge(ctx context.Context, id int64, by string, at time.Time) error
	// BodyName is the name of a body (ok false for an unknown code).
	BodyName(ctx context.Context, code string) (string, bool, error)
	// All returns every notification, oldest first (the seed's).
	All(ctx context.Context) ([]*NotificationRow, error)
	// AddEmployee adds or updates a public employee's unit.
	AddEmployee(ctx context.Context, idNo, name, unitUSCC, unitName string) error
}

// Notifications returns the notifications' store.
func (d *DB) Notifications() NotificationStore { return notifications{d} }

type notifications struct{ d *DB }

// Public-sector organisation types (the registry's org_type).
var notifiedOrgTypes = []string{"ORGAN", "PUBLIC_INSTITUTION", "STATE_OWNED_ENTERPRISE"}

func (n notifications) Notify(ctx context.Context, c NotifyCause, at time.Time) ([]int64, error) {
	var written []struct {
		ID        int64  `db:"id"`
		Recipient string `db:"recipient"`
	}
	switch {
	case c.USCC != "":
		notified := false
		for _, t := range notifiedOrgTypes {
			notified = notified || c.OrgType == t
		}
		if !notified {
			return nil, nil
		}
		// The superior body (when the registry names one) and the audit bodies.
		err := n.d.sel(ctx, &written, `INSERT INTO notification (recipient, cause, cause_id, about, uscc, subject_name, as_role, message, created_at)
			SELECT r.code, $1, $2, 'ENTITY', $3, $4, r.role, $5, $6
			FROM (SELECT code, 'AUDIT' AS role FROM notify_body WHERE role = 'AUDIT'
			      UNION SELECT $7, 'SUPERIOR' WHERE $7 <> '') r
			ON CONFLICT (cause_id, recipient) DO NOTHING RETURNING id, recipient`,
			c.Cause, c.CauseID, c.USCC, c.Name, c.Message, at, c.SuperiorCode)
		if err != nil {
			return nil, fmt.Errorf("notifying about %s: %w", c.USCC, err)
		}
	case c.IDNo != "":
		// The employee's unit and the discipline-inspection and personnel bodies.
		err := n.d.sel(ctx, &written, `INSERT INTO notification (recipient, cause, cause_id, about, id_no, subject_name, as_role, message, created_at)
			SELECT r.code, $1, $2, 'EMPLOYEE', e.id_no, e.name, r.role, $4, $5
			FROM public_employee e,
			     LATERAL (SELECT code, role FROM notify_body WHERE role IN ('DISCIPLINE', 'PERSONNEL')
			              UNION SELECT e.unit_uscc, 'UNIT') r
			WHERE e.id_no = $3
			ON CONFLICT (cause_id, recipient) DO NOTHING RETURNING id, recipient`,
			c.Cause, c.CauseID, c.IDNo, c.Message, at)
		if err != nil {
			return nil, fmt.Errorf("notifying about a person: %w", err)
		}
	}
	ids := make([]int64, len(written))
	events := make([]WorkEvent, len(written))
	for i, w := range written {
		ids[i] = w.ID
		events[i] = WorkEvent{Department: w.Recipient, Kind: WorkNotificationReceived, ObjectID: w.ID, At: at}
	}
	if err := n.d.Work().Announce(ctx, events); err != nil {
		return nil, err
	}
	return ids, nil
}

func (n notifications) ByID(ctx context.Context, ids []int64) ([]NotificationRow, error) {
	return rowsByID[NotificationRow](ctx, n.d, notificationColumns, "notification", ids)
}

func (n notifications) List(ctx context.Context, f NotificationFilter) ([]*NotificationRow, error) {
	args := []any{f.Recipient}
	where := `recipient = $1`
	if f.Acknowledged != nil {
		if *f.Acknowledged {
			where += ` AND acknowledged_at IS NOT NULL`
		} else {
			where += ` AND acknowledged_at IS NULL`
		}
	}
	if !f.CreatedBefore.IsZero() {
		args = append(args, f.CreatedBefore)
		where += fmt.Sprintf(` AND created_at < $%d`, len(args))
	}
	if f.After > 0 {
		args = append(args, f.After)
		where += fmt.Sprintf(` AND id < $%d`, len(args))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	args = append(args, limit)
	var rows []*NotificationRow
	err := n.d.sel(ctx, &rows, `SELECT `+notificationColumns+` FROM notification WHERE `+where+
		fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)), args...)
	return rows, err
}

func (n notifications) Get(ctx context.Context, id int64) (NotificationRow, error) {
	return rowByID[NotificationRow](ctx, n.d, notificationColumns, "notification", id)
}

func (n notifications) LockForDecision(ctx context.Context, id int64) (NotificationRow, error) {
	return lockByID[NotificationRow](ctx, n.d, notificationColumns, "notification", id)
}

func (n notifications) Acknowledge(ctx context.Context, id int64, by string, at time.Time) error {
	_, err := n.d.exec(ctx, `UPDATE notification SET acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1`, id, at, by)
	return err
}

func (n notifications) BodyName(ctx context.Context, code string) (string, bool, error) {
	var names []string
	if err := n.d.sel(ctx, &names, `SELECT name FROM notify_body WHERE code = $1
		UNION ALL SELECT unit_name FROM public_employee WHERE unit_uscc = $1 LIMIT 1`, code); err != nil {
		return "", false, err
	}
	if len(names) == 0 {
		return "", false, nil
	}
	return names[0], true, nil
}

func (n notifications) AddEmployee(ctx context.Context, idNo, name, unitUSCC, unitName string) error {
	_, err := n.d.exec(ctx, `INSERT INTO public_employee (id_no, name, unit_uscc, unit_name) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id_no) DO UPDATE SET name = $2, unit_uscc = $3, unit_name = $4`, idNo, name, unitUSCC, unitName)
	return err
}

func (n notifications) All(ctx context.Context) ([]*NotificationRow, error) {
	var rows []*NotificationRow
	err := n.d.sel(ctx, &rows, `SELECT `+notificationColumns+` FROM notification ORDER BY id`)
	return rows, err
}
