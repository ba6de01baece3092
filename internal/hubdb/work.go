package hubdb

// A department's work and an entity's deadlines (issue #15): what is
// waiting on whom, read across the workflows' tables in one statement per
// list; and the work events that announce each arrival to the department's
// subscribers (work_event, WorkChannel).

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// WorkChannel is the PostgreSQL channel on which the transaction that
// brings a department new work announces it (the work_event ids): every
// hub instance listens and delivers it to that department's subscribers.
const WorkChannel = "credithub_work"

// The kinds of work events.
const (
	// WorkCasePushed: a joint-punishment case was pushed to the
	// department (object: the push).
	WorkCasePushed = "CASE_PUSHED"
	// WorkObjectionFiled: an objection was filed against one of the
	// department's records, which shows UNDER_OBJECTION at once (object:
	// the objection).
	WorkObjectionFiled = "OBJECTION_FILED"
	// WorkObjectionToCheck: an objection for the credit office to check.
	WorkObjectionToCheck = "OBJECTION_TO_CHECK"
	// WorkObjectionChecked: the platform checked an objection and passed
	// it to the department, whose decision is now due.
	WorkObjectionChecked = "OBJECTION_CHECKED"
	// WorkRepairApplied: an entity applied to repair one of the
	// department's records.
	WorkRepairApplied = "REPAIR_APPLIED"
	// WorkNotificationReceived: a notification reached a body (T23; the
	// department is the recipient's code, the object the notification).
	// Only its inbox's subscription delivers it, not workArrived.
	WorkNotificationReceived = "NOTIFICATION_RECEIVED"
)

// WorkEvent is an arrival of work at a department's desk.
type WorkEvent struct {
	ID         int64     `db:"id"`
	Department string    `db:"department"`
	Kind       string    `db:"kind"`
	ObjectID   int64     `db:"object_id"`
	At         time.Time `db:"at"`
}

// The parties a deadline waits on.
const (
	AwaitingEntity       = "ENTITY"
	AwaitingDepartment   = "DEPARTMENT"
	AwaitingCreditOffice = "CREDIT_OFFICE"
)

// The kinds of deadlines.
const (
	DeadlineCommitment    = "COMMITMENT"
	DeadlineRectification = "RECTIFICATION"
	DeadlineObjection     = "OBJECTION"
	DeadlineRepair        = "REPAIR"
	DeadlineCasePush      = "CASE_PUSH"
)

// DeadlineRow is one open object of a workflow with its running deadline:
// a commitment kept (no date), a listing's rectification, an objection's
// check or decision, a repair's answer or decision, a push's feedback.
// Due reads as midnight UTC of the day (as ListEntryRow's dates); nil
// for a commitment, which runs until the department checks it.
type DeadlineRow struct {
	Kind        string     `db:"kind"`
	ObjectID    int64      `db:"object_id"`
	USCC        string     `db:"uscc"`
	SubjectIDNo string     `db:"subject_id_no"`
	Department  string     `db:"department"`
	State       string     `db:"state"`
	Due         *time.Time `db:"due"`
	Awaiting    string     `db:"awaiting"`
	// Detail names what is due: the commitment item, the list type, the
	// objected or repaired record's global ID, the push's measures.
	Detail string `db:"detail"`
}

// WorkFilter selects a department's open work.
type WorkFilter struct {
	Department string
	// CreditOffice adds the objections every department's records have
	// waiting for the platform's check (FILED): the credit office's work.
	CreditOffice bool
	// WithPersons includes objections against natural persons' records.
	WithPersons bool
	// Through keeps the deadlines due on or before this day (YYYY-MM-DD);
	// "" keeps all. Only Deadlines reads it.
	Through string
	Limit   int
}

// WorkStore keeps the work events and reads what waits on a department
// or an entity.
type WorkStore interface {
	// Announce writes work events and announces each on WorkChannel,
	// within the transaction: the announcements go out when it commits,
	// and not at all if it rolls back.
	Announce(ctx context.Context, events []WorkEvent) error
	// Announced returns the work events with these ids and, when after is
	// positive, every one after it (catching up), in id order.
	Announced(ctx context.Context, ids []int64, after int64) ([]WorkEvent, error)
	// LastID returns the id of the newest work event (0: none).
	LastID(ctx context.Context) (int64, error)
	// PushesByID returns the pushes with these ids, in one statement.
	PushesByID(ctx context.Context, ids []int64) ([]CasePushRow, error)
	// OpenPushes returns the pushes waiting for f.Department's answer,
	// soonest due first, in one statement.
	OpenPushes(ctx context.Context, f WorkFilter) ([]CasePushRow, error)
	// OpenObjections returns the open (FILED or CHECKED) objections
	// against f.Department's records — and for the credit office every
	// FILED one — soonest due first, in one statement.
	OpenObjections(ctx context.Context, f WorkFilter) ([]ObjectionRow, error)
	// OpenRepairs returns the repair applications for f.Department's
	// records waiting for its answer or decision (APPLIED, ACCEPTED),
	// soonest due first, in one statement.
	OpenRepairs(ctx context.Context, f WorkFilter) ([]RepairRow, error)
	// DepartmentDeadlines returns the deadlines of f.Department's work —
	// its pushes, objections, repairs, and the rectification deadlines of
	// the listings it identified — due by f.Through, soonest first, in
	// one statement.
	DepartmentDeadlines(ctx context.Context, f WorkFilter) ([]DeadlineRow, error)
	// EntityDeadlines returns an entity's open deadlines — its commitments
	// in force, its listings' rectifications, its objections and repair
	// applications — due by through ("" for all, commitments included),
	// soonest first and undated last, at most limit, in one statement.
	EntityDeadlines(ctx context.Context, uscc, through string, limit int) ([]DeadlineRow, error)
}

// Work returns the work store.
func (d *DB) Work() WorkStore { return work{d} }

type work struct{ d *DB }

func (w work) Announce(ctx context.Context, events []WorkEvent) error {
	if len(events) == 0 {
		return nil
	}
	depts, kinds := make([]string, len(events)), make([]string, len(events))
	objects := make([]int64, len(events))
	ats := make([]time.Time, len(events))
	for i, e := range events {
		depts[i], kinds[i], objects[i], ats[i] = e.Department, e.Kind, e.ObjectID, e.At
	}
	if _, err := w.d.exec(ctx, `WITH e AS (
			INSERT INTO work_event (department, kind, object_id, at)
			SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[])
			RETURNING id)
		SELECT pg_notify($5, id::text) FROM e`,
		pq.Array(depts), pq.Array(kinds), pq.Array(objects), pq.Array(ats), WorkChannel); err != nil {
		return fmt.Errorf("announcing work: %w", err)
	}
	return nil
}

func (w work) Announced(ctx context.Context, ids []int64, after int64) ([]WorkEvent, error) {
	var out []WorkEvent
	err := w.d.sel(ctx, &out, `SELECT id, department, kind, object_id, at FROM work_event
		WHERE id = ANY($1) OR ($2::bigint > 0 AND id > $2::bigint) ORDER BY id LIMIT 10000`, pq.Array(ids), after)
	return out, err
}

func (w work) LastID(ctx context.Context) (int64, error) {
	var last int64
	err := w.d.get(ctx, &last, `SELECT coalesce(max(id), 0) FROM work_event`)
	return last, err
}

func (w work) PushesByID(ctx context.Context, ids []int64) ([]CasePushRow, error) {
	return rowsByID[CasePushRow](ctx, w.d, pushColumns, "case_push", ids)
}

func (w work) OpenPushes(ctx context.Context, f WorkFilter) ([]CasePushRow, error) {
	out := []CasePushRow{}
	err := w.d.sel(ctx, &out, `SELECT `+pushColumns+` FROM case_push
		WHERE department = $1 AND state = 'PUSHED' ORDER BY due_date, id LIMIT $2`, f.Department, pageLimit(f.Limit))
	return out, err
}

// openObjections are the open objections of $1's work: against its
// records, and for the credit office ($2) every one to check; against
// persons' records only with $3.
const openObjections = `state IN ('FILED', 'CHECKED') AND (department = $1 OR ($2 AND state = 'FILED')) AND ($3 OR subject_id_no = '')`

func (w work) OpenObjections(ctx context.Context, f WorkFilter) ([]ObjectionRow, error) {
	out := []ObjectionRow{}
	err := w.d.sel(ctx, &out, `SELECT `+objectionColumns+` FROM objection WHERE `+openObjections+`
		ORDER BY CASE WHEN state = 'FILED' THEN check_due ELSE decision_due END, id LIMIT $4`,
		f.Department, f.CreditOffice, f.WithPersons, pageLimit(f.Limit))
	return out, err
}

func (w work) OpenRepairs(ctx context.Context, f WorkFilter) ([]RepairRow, error) {
	out := []RepairRow{}
	err := w.d.sel(ctx, &out, `SELECT `+repairColumns+` FROM repair
		WHERE department = $1 AND state IN ('APPLIED', 'ACCEPTED')
		ORDER BY CASE WHEN state = 'APPLIED' THEN accept_due ELSE decision_due END, id LIMIT $2`, f.Department, pageLimit(f.Limit))
	return out, err
}

// The deadlines of each workflow, as DeadlineRow's columns.
const (
	objectionDeadline = `SELECT 'OBJECTION' AS kind, id AS object_id, subject_uscc AS uscc, subject_id_no, department, state,
		CASE WHEN state = 'FILED' THEN check_due ELSE decision_due END AS due,
		CASE WHEN state = 'FILED' THEN 'CREDIT_OFFICE' ELSE 'DEPARTMENT' END AS awaiting, record_id AS detail FROM objection`
	repairDeadline = `SELECT 'REPAIR', id, uscc, '', department, state,
		CASE WHEN state = 'APPLIED' THEN accept_due ELSE decision_due END, 'DEPARTMENT', record_id FROM repair`
	rectificationDeadline = `SELECT 'RECTIFICATION', id, uscc, '', department, state, rectify_by, 'ENTITY', list_type FROM list_entry`
)

func (w work) DepartmentDeadlines(ctx context.Context, f WorkFilter) ([]DeadlineRow, error) {
	out := []DeadlineRow{}
	err := w.d.sel(ctx, &out, `SELECT * FROM (
			SELECT 'CASE_PUSH' AS kind, id AS object_id, uscc, '' AS subject_id_no, department, state, due_date AS due,
				'DEPARTMENT' AS awaiting, array_to_string(measures, ' ') AS detail
			FROM case_push WHERE department = $1 AND state = 'PUSHED'
			UNION ALL `+objectionDeadline+` WHERE `+openObjections+`
			UNION ALL `+repairDeadline+` WHERE department = $1 AND state IN ('APPLIED', 'ACCEPTED')
			UNION ALL `+rectificationDeadline+` WHERE department = $1 AND state = 'LISTED' AND rectify_by IS NOT NULL
		) d WHERE d.due <= $4::date
		ORDER BY d.due, d.kind, d.object_id LIMIT $5`,
		f.Department, f.CreditOffice, f.WithPersons, f.Through, pageLimit(f.Limit))
	return out, err
}

func (w work) EntityDeadlines(ctx context.Context, uscc, through string, limit int) ([]DeadlineRow, error) {
	var until any
	if through != "" {
		until = through
	}
	out := []DeadlineRow{}
	err := w.d.sel(ctx, &out, `SELECT * FROM (
			SELECT 'COMMITMENT' AS kind, id AS object_id, uscc, '' AS subject_id_no, department, state, NULL::date AS due,
				'ENTITY' AS awaiting, item_code AS detail
			FROM commitment WHERE uscc = $1 AND state = 'SIGNED'
			UNION ALL `+rectificationDeadline+` WHERE uscc = $1 AND state = 'LISTED' AND rectify_by IS NOT NULL
			UNION ALL `+objectionDeadline+` WHERE subject_uscc = $1 AND state IN ('FILED', 'CHECKED')
			UNION ALL `+repairDeadline+` WHERE uscc = $1 AND state IN ('APPLIED', 'ACCEPTED')
		) d WHERE $2::date IS NULL OR d.due <= $2::date
		ORDER BY d.due NULLS LAST, d.kind, d.object_id LIMIT $3`, uscc, until, pageLimit(limit))
	return out, err
}
