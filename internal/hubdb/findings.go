package hubdb

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// FindingRow is a row of finding: a credit service agency's verification
// of a dishonesty case or monitoring finding on an entity (T30), and the
// owning department's decision on it.
type FindingRow struct {
	ID             int64      `db:"id"`
	Kind           string     `db:"kind"`
	Agency         string     `db:"agency"`
	SubmittedBy    string     `db:"submitted_by"`
	USCC           string     `db:"uscc"`
	RecordID       *string    `db:"record_id"`
	DepartmentCode string     `db:"department"`
	Verdict        *string    `db:"verdict"`
	Summary        string     `db:"summary"`
	Evidence       string     `db:"evidence"`
	SubmittedAt    time.Time  `db:"submitted_at"`
	State          string     `db:"state"`
	Outcome        *string    `db:"outcome"`
	DecidedAt      *time.Time `db:"decided_at"`
	DecidedBy      *string    `db:"decided_by"`
	DecisionReason *string    `db:"decision_reason"`
	HubRecordID    *int64     `db:"hub_record_id"`
}

const findingColumns = `id, kind, agency, submitted_by, uscc, record_id, department, verdict, summary, evidence,
	submitted_at, state, outcome, decided_at, decided_by, decision_reason, hub_record_id`

// FindingDecision is what a department's decision writes on a finding.
type FindingDecision struct {
	State     string
	Outcome   *string
	DecidedAt time.Time
	DecidedBy string
	Reason    string
	// HubRecordID is the record accepting created (nil: none).
	HubRecordID *int64
}

// FindingFilter selects findings; zero fields select everything. Agency
// and Department are who may list them: the submitting agency's own, the
// owning department's own.
type FindingFilter struct {
	Agency     string
	Department string
	State      string
	Kind       string
	USCC       string
	// After keeps the ids below it (0: from the newest); Limit bounds the
	// rows (at most 1,000).
	After int64
	Limit int
}

// FindingStore keeps the agencies' findings.
type FindingStore interface {
	// Submit writes a new finding (its ID, decision fields ignored) and
	// returns it as stored; ErrAlreadyOpen when the agency has a
	// verification of the same record SUBMITTED.
	Submit(ctx context.Context, f FindingRow) (FindingRow, error)
	// Get reads finding id without a lock; ErrNotFound when there is none.
	Get(ctx context.Context, id int64) (FindingRow, error)
	// LockForDecision reads finding id and locks it for a decision;
	// ErrNotFound when there is none, CONFLICT when another decision holds
	// it.
	LockForDecision(ctx context.Context, id int64) (FindingRow, error)
	// Decide writes the owning department's decision.
	Decide(ctx context.Context, id int64, d FindingDecision) (FindingRow, error)
	// Find returns a page of the findings matching f, newest first, in one
	// statement.
	Find(ctx context.Context, f FindingFilter) ([]FindingRow, error)
}

// Findings returns the agencies' findings.
func (d *DB) Findings() FindingStore { return findings{d} }

type findings struct{ d *DB }

func (s findings) Submit(ctx context.Context, f FindingRow) (FindingRow, error) {
	var out FindingRow
	err := s.d.insertOpen(ctx, &out, "finding_one_open", `INSERT INTO finding
		(kind, agency, submitted_by, uscc, record_id, department, verdict, summary, evidence, submitted_at, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+findingColumns,
		f.Kind, f.Agency, f.SubmittedBy, f.USCC, f.RecordID, f.DepartmentCode, f.Verdict, f.Summary, f.Evidence, f.SubmittedAt, f.State)
	return out, err
}

func (s findings) Get(ctx context.Context, id int64) (FindingRow, error) {
	return rowByID[FindingRow](ctx, s.d, findingColumns, "finding", id)
}

func (s findings) LockForDecision(ctx context.Context, id int64) (FindingRow, error) {
	return lockByID[FindingRow](ctx, s.d, findingColumns, "finding", id)
}

func (s findings) Decide(ctx context.Context, id int64, d FindingDecision) (FindingRow, error) {
	var out FindingRow
	err := s.d.get(ctx, &out, `UPDATE finding SET state = $2, outcome = $3, decided_at = $4, decided_by = $5,
		decision_reason = $6, hub_record_id = $7 WHERE id = $1 RETURNING `+findingColumns,
		id, d.State, d.Outcome, d.DecidedAt, d.DecidedBy, d.Reason, d.HubRecordID)
	return out, err
}

func (s findings) Find(ctx context.Context, f FindingFilter) ([]FindingRow, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	for _, c := range []struct{ column, value string }{
		{"agency", f.Agency}, {"department", f.Department}, {"state", f.State}, {"kind", f.Kind}, {"uscc", f.USCC},
	} {
		if c.value != "" {
			where = append(where, c.column+" = "+arg(c.value))
		}
	}
	if f.After > 0 {
		where = append(where, "id < "+arg(f.After))
	}
	q := `SELECT ` + findingColumns + ` FROM finding`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + arg(pageLimit(f.Limit))
	rows := []FindingRow{}
	err := s.d.sel(ctx, &rows, q, args...)
	return rows, err
}
