package hubdb

import (
	"context"
	"time"

	"github.com/lib/pq"

	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// JointCaseRow is a row of joint_case: a joint-punishment case opened from
// a listing (T18–T20).
type JointCaseRow struct {
	ID          int64      `db:"id"`
	ListEntryID int64      `db:"list_entry_id"`
	USCC        string     `db:"uscc"`
	State       string     `db:"state"`
	OpenedAt    time.Time  `db:"opened_at"`
	ClosedAt    *time.Time `db:"closed_at"`
}

const jointCaseColumns = `id, list_entry_id, uscc, state, opened_at, closed_at`

// CasePushRow is a row of case_push: a case pushed to one department, with
// the measures that apply and, once answered, its execution feedback. Its
// DATE columns read and write as ListEntryRow's do.
type CasePushRow struct {
	ID             int64          `db:"id"`
	CaseID         int64          `db:"case_id"`
	USCC           string         `db:"uscc"`
	DepartmentCode string         `db:"department"`
	Measures       pq.StringArray `db:"measures"`
	PushedAt       time.Time      `db:"pushed_at"`
	DueDate        time.Time      `db:"due_date"`
	State          string         `db:"state"`
	MeasureApplied *string        `db:"measure_applied"`
	AppliedOn      *time.Time     `db:"applied_on"`
	AnsweredBy     *string        `db:"answered_by"`
	// Outcome is set once answered: APPLIED, NOT_APPLICABLE or DECLINED;
	// Reason goes with the last two.
	Outcome *string `db:"outcome"`
	Reason  *string `db:"reason"`
}

const pushColumns = `id, case_id, uscc, department, measures, pushed_at, due_date, state, measure_applied, applied_on, answered_by, outcome, reason`

// JointCaseFilter selects cases; zero fields select all. The page is
// keyset by id, newest first: Before is the last id of the previous page.
type JointCaseFilter struct {
	State string
	// Department keeps the cases pushed to that department.
	Department string
	Before     int64
	Limit      int
}

// CaseProgress is a case's state, how many of its pushes there are, how
// many still wait for an answer, and how many were answered NOT_APPLICABLE
// or DECLINED.
type CaseProgress struct {
	State         string
	Pending       int
	All           int
	NotApplicable int
	Declined      int
}

// JointCaseStore keeps the joint-punishment cases and their pushes.
type JointCaseStore interface {
	// OpenOf returns the id of the listing's open case; ErrNotFound when
	// it has none.
	OpenOf(ctx context.Context, entryID int64) (int64, error)
	// Open writes a new case (its ID is ignored) and returns its id.
	Open(ctx context.Context, c JointCaseRow) (int64, error)
	// Push writes a push of a case (its ID is ignored) and returns its id.
	Push(ctx context.Context, p CasePushRow) (int64, error)
	// LockPushForAnswer reads push id and locks it for its answer;
	// ErrNotFound when there is none, CONFLICT when another answer holds
	// it.
	LockPushForAnswer(ctx context.Context, id int64) (CasePushRow, error)
	// Answer writes a push's state, outcome and feedback.
	Answer(ctx context.Context, p CasePushRow) error
	// LockForClosing locks case id until the transaction ends, waiting for
	// the answers to its other pushes that hold it, and returns its
	// progress as they left it: the last answer sees every other one.
	LockForClosing(ctx context.Context, id int64) (CaseProgress, error)
	// Close writes the case's state and when it closed.
	Close(ctx context.Context, id int64, state string, at time.Time) error
	// Find returns a page of cases, newest first.
	Find(ctx context.Context, f JointCaseFilter) ([]JointCaseRow, error)
	// ByID returns the cases with these ids, in one statement.
	ByID(ctx context.Context, ids []int64) ([]JointCaseRow, error)
	// OfEntries returns the cases opened from the listings, oldest first,
	// in one statement.
	OfEntries(ctx context.Context, entryIDs []int64) ([]JointCaseRow, error)
	// PushesOf returns the cases' pushes in the order they were made, in
	// one statement.
	PushesOf(ctx context.Context, caseIDs []int64) ([]CasePushRow, error)
	// OverduePushes returns the pushes still unanswered whose due date is
	// before today, the longest overdue first; department, when not empty,
	// keeps that department's.
	OverduePushes(ctx context.Context, today scalars.Date, department string) ([]CasePushRow, error)
}

// JointCases returns the joint-punishment cases and their pushes.
func (d *DB) JointCases() JointCaseStore { return jointCases{d} }

type jointCases struct{ d *DB }

func (s jointCases) OpenOf(ctx context.Context, entryID int64) (int64, error) {
	var id int64
	err := s.d.getRow(ctx, &id, `SELECT id FROM joint_case WHERE list_entry_id = $1 AND state = 'OPEN'`, entryID)
	return id, err
}

func (s jointCases) Open(ctx context.Context, c JointCaseRow) (int64, error) {
	var id int64
	err := s.d.get(ctx, &id, `INSERT INTO joint_case (list_entry_id, uscc, state, opened_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		c.ListEntryID, c.USCC, c.State, c.OpenedAt)
	return id, err
}

func (s jointCases) Push(ctx context.Context, p CasePushRow) (int64, error) {
	var id int64
	err := s.d.get(ctx, &id, `INSERT INTO case_push (case_id, uscc, department, measures, pushed_at, due_date, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		p.CaseID, p.USCC, p.DepartmentCode, p.Measures, p.PushedAt, day(p.DueDate), p.State)
	return id, err
}

func (s jointCases) LockPushForAnswer(ctx context.Context, id int64) (CasePushRow, error) {
	return lockByID[CasePushRow](ctx, s.d, pushColumns, "case_push", id)
}

func (s jointCases) Answer(ctx context.Context, p CasePushRow) error {
	_, err := s.d.exec(ctx, `UPDATE case_push SET state = $2, measure_applied = $3, applied_on = $4, answered_by = $5,
		outcome = $6, reason = $7 WHERE id = $1`,
		p.ID, p.State, p.MeasureApplied, dayOrNull(p.AppliedOn), p.AnsweredBy, p.Outcome, p.Reason)
	return err
}

func (s jointCases) LockForClosing(ctx context.Context, id int64) (CaseProgress, error) {
	var p CaseProgress
	if err := s.d.get(ctx, &p.State, `SELECT state FROM joint_case WHERE id = $1 FOR UPDATE`, id); err != nil {
		return p, err
	}
	err := s.d.x.QueryRowxContext(ctx, `SELECT count(*) FILTER (WHERE state = 'PUSHED'), count(*),
		count(*) FILTER (WHERE outcome = 'NOT_APPLICABLE'), count(*) FILTER (WHERE outcome = 'DECLINED')
		FROM case_push WHERE case_id = $1`,
		id).Scan(&p.Pending, &p.All, &p.NotApplicable, &p.Declined)
	return p, sqldb.MapError(err)
}

func (s jointCases) Close(ctx context.Context, id int64, state string, at time.Time) error {
	_, err := s.d.exec(ctx, `UPDATE joint_case SET state = $2, closed_at = $3 WHERE id = $1`, id, state, at)
	return err
}

func (s jointCases) Find(ctx context.Context, f JointCaseFilter) ([]JointCaseRow, error) {
	var rows []JointCaseRow
	err := s.d.sel(ctx, &rows, `SELECT `+jointCaseColumns+` FROM joint_case c
		WHERE ($1 = '' OR state = $1)
		  AND ($2 = '' OR EXISTS (SELECT 1 FROM case_push p WHERE p.case_id = c.id AND p.department = $2))
		  AND ($3 = 0 OR id < $3)
		ORDER BY id DESC LIMIT $4`, f.State, f.Department, f.Before, pageLimit(f.Limit))
	return rows, err
}

func (s jointCases) ByID(ctx context.Context, ids []int64) ([]JointCaseRow, error) {
	return rowsByID[JointCaseRow](ctx, s.d, jointCaseColumns, "joint_case", ids)
}

func (s jointCases) OfEntries(ctx context.Context, entryIDs []int64) ([]JointCaseRow, error) {
	var rows []JointCaseRow
	err := s.d.sel(ctx, &rows, `SELECT `+jointCaseColumns+` FROM joint_case WHERE list_entry_id = ANY($1) ORDER BY id`, pq.Array(entryIDs))
	return rows, err
}

func (s jointCases) PushesOf(ctx context.Context, caseIDs []int64) ([]CasePushRow, error) {
	var rows []CasePushRow
	err := s.d.sel(ctx, &rows, `SELECT `+pushColumns+` FROM case_push WHERE case_id = ANY($1) ORDER BY id`, pq.Array(caseIDs))
	return rows, err
}

func (s jointCases) OverduePushes(ctx context.Context, today scalars.Date, department string) ([]CasePushRow, error) {
	var rows []CasePushRow
	err := s.d.sel(ctx, &rows, `SELECT `+pushColumns+` FROM case_push
		WHERE state = 'PUSHED' AND due_date < $1::date AND ($2 = '' OR department = $2)
		ORDER BY due_date, id`, today.String(), department)
	return rows, err
}
