package hubdb

import (
	"context"
	"time"
)

// ObjectionRow is a row of objection: an objection to a record (T28). Its
// DATE columns read and write as ListEntryRow's do.
type ObjectionRow struct {
	ID             int64      `db:"id"`
	RecordID       string     `db:"record_id"`
	DepartmentCode string     `db:"department"`
	SubjectUSCC    string     `db:"subject_uscc"`
	SubjectIDNo    string     `db:"subject_id_no"`
	FiledBy        string     `db:"filed_by"`
	FiledAt        time.Time  `db:"filed_at"`
	Reason         string     `db:"reason"`
	State          string     `db:"state"`
	CheckDue       time.Time  `db:"check_due"`
	DecisionDue    *time.Time `db:"decision_due"`
	Extended       bool       `db:"extended"`
	Outcome        *string    `db:"outcome"`
	DecisionReason *string    `db:"decision_reason"`
}

const objectionColumns = `id, record_id, department, subject_uscc, subject_id_no, filed_by, filed_at, reason,
	state, check_due, decision_due, extended, outcome, decision_reason`

// ObjectionFilter selects objections.
type ObjectionFilter struct {
	// DeadlineFilter's Overdue keeps a FILED objection past its check date,
	// a CHECKED one past its decision date (workflow.ObjectionOverdue).
	DeadlineFilter
	// WithPersons includes objections against natural persons' records.
	WithPersons bool
}

// ObjectionStore keeps the objections.
type ObjectionStore interface {
	// File writes a new objection (its ID is ignored) and returns it as
	// stored; ErrAlreadyOpen when the record has one FILED or CHECKED.
	File(ctx context.Context, o ObjectionRow) (ObjectionRow, error)
	// Get reads objection id without a lock; ErrNotFound when there is none.
	Get(ctx context.Context, id int64) (ObjectionRow, error)
	// LockForDecision reads objection id and locks it for a decision;
	// ErrNotFound when there is none, CONFLICT when another decision holds
	// it.
	LockForDecision(ctx context.Context, id int64) (ObjectionRow, error)
	// Check writes the credit platform's check: the state and the
	// providing department's deadline.
	Check(ctx context.Context, id int64, state string, decisionDue time.Time) (ObjectionRow, error)
	// Extend writes the department's one extension of its deadline.
	Extend(ctx context.Context, id int64, decisionDue time.Time) (ObjectionRow, error)
	// Decide writes the department's decision: the state, the outcome of
	// an upheld objection (nil for a rejected one) and the reason.
	Decide(ctx context.Context, id int64, state string, outcome *string, reason string) (ObjectionRow, error)
	// Find returns the objections matching f, newest first.
	Find(ctx context.Context, f ObjectionFilter) ([]ObjectionRow, error)
	// ByID returns the objections with these ids, in one statement.
	ByID(ctx context.Context, ids []int64) ([]ObjectionRow, error)
	// OfPerson returns the objections against the records of the person
	// with ID number idNo, newest first, in one statement.
	OfPerson(ctx context.Context, idNo string) ([]ObjectionRow, error)
}

// Objections returns the objections.
func (d *DB) Objections() ObjectionStore { return objections{d} }

type objections struct{ d *DB }

func (s objections) File(ctx context.Context, o ObjectionRow) (ObjectionRow, error) {
	var out ObjectionRow
	err := s.d.insertOpen(ctx, &out, "objection_one_open", `INSERT INTO objection
		(record_id, department, subject_uscc, subject_id_no, filed_by, filed_at, reason, state, check_due)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+objectionColumns,
		o.RecordID, o.DepartmentCode, o.SubjectUSCC, o.SubjectIDNo, o.FiledBy, o.FiledAt, o.Reason, o.State, day(o.CheckDue))
	return out, err
}

func (s objections) Get(ctx context.Context, id int64) (ObjectionRow, error) {
	return rowByID[ObjectionRow](ctx, s.d, objectionColumns, "objection", id)
}

func (s objections) LockForDecision(ctx context.Context, id int64) (ObjectionRow, error) {
	return lockByID[ObjectionRow](ctx, s.d, objectionColumns, "objection", id)
}

func (s objections) Check(ctx context.Context, id int64, state string, decisionDue time.Time) (ObjectionRow, error) {
	var o ObjectionRow
	err := s.d.get(ctx, &o, `UPDATE objection SET state = $2, decision_due = $3 WHERE id = $1 RETURNING `+objectionColumns,
		id, state, day(decisionDue))
	return o, err
}

func (s objections) Extend(ctx context.Context, id int64, decisionDue time.Time) (ObjectionRow, error) {
	var o ObjectionRow
	err := s.d.get(ctx, &o, `UPDATE objection SET decision_due = $2, extended = true WHERE id = $1 RETURNING `+objectionColumns,
		id, day(decisionDue))
	return o, err
}

func (s objections) Decide(ctx context.Context, id int64, state string, outcome *string, reason string) (ObjectionRow, error) {
	var o ObjectionRow
	err := s.d.get(ctx, &o, `UPDATE objection SET state = $2, outcome = $3, decision_reason = $4 WHERE id = $1 RETURNING `+objectionColumns,
		id, state, outcome, reason)
	return o, err
}

// objectionOverdue is ObjectionFilter's overdue condition; %[1]s is the
// day.
const objectionOverdue = `((state = 'FILED' AND check_due < %[1]s) OR (state = 'CHECKED' AND decision_due < %[1]s))`

func (s objections) Find(ctx context.Context, f ObjectionFilter) ([]ObjectionRow, error) {
	var persons []string
	if !f.WithPersons {
		persons = append(persons, "subject_id_no = ''")
	}
	return findByDeadline[ObjectionRow](ctx, s.d, objectionColumns, "objection", "subject_uscc", objectionOverdue, f.DeadlineFilter, persons...)
}

func (s objections) ByID(ctx context.Context, ids []int64) ([]ObjectionRow, error) {
	return rowsByID[ObjectionRow](ctx, s.d, objectionColumns, "objection", ids)
}

func (s objections) OfPerson(ctx context.Context, idNo string) ([]ObjectionRow, error) {
	out := []ObjectionRow{}
	err := s.d.sel(ctx, &out, `SELECT `+objectionColumns+` FROM objection WHERE subject_id_no = $1 AND subject_id_no <> '' ORDER BY id DESC`, idNo)
	return out, err
}
