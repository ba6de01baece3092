package hubdb

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// RepairRow is a row of repair: an entity's application to repair one of
// its records (T24). Its DATE columns read and write as ListEntryRow's do.
type RepairRow struct {
	ID                   int64      `db:"id"`
	RecordID             string     `db:"record_id"`
	DepartmentCode       string     `db:"department"`
	USCC                 string     `db:"uscc"`
	AppliedAt            time.Time  `db:"applied_at"`
	Commitment           string     `db:"commitment"`
	ObligationsFulfilled bool       `db:"obligations_fulfilled"`
	State                string     `db:"state"`
	AcceptDue            time.Time  `db:"accept_due"`
	DecisionDue          *time.Time `db:"decision_due"`
	RefusalRule          *string    `db:"refusal_rule"`
	DecisionReason       *string    `db:"decision_reason"`
	LastRecheckAt        *time.Time `db:"last_recheck_at"`
}

const repairColumns = `id, record_id, department, uscc, applied_at, commitment, obligations_fulfilled, state,
	accept_due, decision_due, refusal_rule, decision_reason, last_recheck_at`

// RepairStore keeps the repairs and the rules a refusal names.
type RepairStore interface {
	// Apply writes a new application (its ID is ignored) and returns it as
	// stored; ErrAlreadyOpen when the record has a repair APPLIED, ACCEPTED
	// or REPAIRED.
	Apply(ctx context.Context, r RepairRow) (RepairRow, error)
	// Get reads repair id without a lock; ErrNotFound when there is none.
	Get(ctx context.Context, id int64) (RepairRow, error)
	// LockForDecision reads repair id and locks it for a decision;
	// ErrNotFound when there is none, CONFLICT when another decision holds
	// it.
	LockForDecision(ctx context.Context, id int64) (RepairRow, error)
	// Accept writes the window's acceptance: the state and the
	// department's deadline.
	Accept(ctx context.Context, id int64, state string, decisionDue time.Time) (RepairRow, error)
	// Refuse writes a refusal naming the rule (a code of repair_rule).
	Refuse(ctx context.Context, id int64, state, rule, reason string) (RepairRow, error)
	// Decide writes the department's decision and its reason.
	Decide(ctx context.Context, id int64, state, reason string) (RepairRow, error)
	// Recheck writes the outcome of a re-check made at.
	Recheck(ctx context.Context, id int64, state string, at time.Time) (RepairRow, error)
	// DrawForRecheck draws count REPAIRED repairs (of department, or of
	// all when it is empty) in the order of SHA-256 of "seed:id", locks
	// them, and marks them re-checked at.
	DrawForRecheck(ctx context.Context, department, seed string, count int, at time.Time) ([]RepairRow, error)
	// RefusalRules returns the codes of repair_rule in order.
	RefusalRules(ctx context.Context) ([]string, error)
	// Find returns the repairs matching f, newest first. Its Overdue keeps
	// an APPLIED repair past its accept date, an ACCEPTED one past its
	// decision date (workflow.RepairOverdue).
	Find(ctx context.Context, f DeadlineFilter) ([]RepairRow, error)
	// ByID returns the repairs with these ids, in one statement.
	ByID(ctx context.Context, ids []int64) ([]RepairRow, error)
}

// Repairs returns the repairs.
func (d *DB) Repairs() RepairStore { return repairs{d} }

type repairs struct{ d *DB }

func (s repairs) Apply(ctx context.Context, r RepairRow) (RepairRow, error) {
	var out RepairRow
	err := s.d.insertOpen(ctx, &out, "repair_one_open", `INSERT INTO repair
		(record_id, department, uscc, applied_at, commitment, obligations_fulfilled, state, accept_due)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+repairColumns,
		r.RecordID, r.DepartmentCode, r.USCC, r.AppliedAt, r.Commitment, r.ObligationsFulfilled, r.State, day(r.AcceptDue))
	return out, err
}

func (s repairs) Get(ctx context.Context, id int64) (RepairRow, error) {
	return rowByID[RepairRow](ctx, s.d, repairColumns, "repair", id)
}

func (s repairs) LockForDecision(ctx context.Context, id int64) (RepairRow, error) {
	return lockByID[RepairRow](ctx, s.d, repairColumns, "repair", id)
}

func (s repairs) Accept(ctx context.Context, id int64, state string, decisionDue time.Time) (RepairRow, error) {
	var r RepairRow
	err := s.d.get(ctx, &r, `UPDATE repair SET state = $2, decision_due = $3 WHERE id = $1 RETURNING `+repairColumns,
		id, state, day(decisionDue))
	return r, err
}

func (s repairs) Refuse(ctx context.Context, id int64, state, rule, reason string) (RepairRow, error) {
	var r RepairRow
	err := s.d.get(ctx, &r, `UPDATE repair SET state = $2, refusal_rule = $3, decision_reason = $4 WHERE id = $1 RETURNING `+repairColumns,
		id, state, rule, reason)
	return r, err
}

func (s repairs) Decide(ctx context.Context, id int64, state, reason string) (RepairRow, error) {
	var r RepairRow
	err := s.d.get(ctx, &r, `UPDATE repair SET state = $2, decision_reason = $3 WHERE id = $1 RETURNING `+repairColumns,
		id, state, reason)
	return r, err
}

func (s repairs) Recheck(ctx context.Context, id int64, state string, at time.Time) (RepairRow, error) {
	var r RepairRow
	err := s.d.get(ctx, &r, `UPDATE repair SET state = $2, last_recheck_at = $3 WHERE id = $1 RETURNING `+repairColumns,
		id, state, at)
	return r, err
}

func (s repairs) DrawForRecheck(ctx context.Context, department, seed string, count int, at time.Time) ([]RepairRow, error) {
	var rows []RepairRow
	err := s.d.sel(ctx, &rows, `SELECT `+repairColumns+` FROM repair
		WHERE state = 'REPAIRED' AND ($1 = '' OR department = $1)
		ORDER BY sha256(convert_to($2 || ':' || id::text, 'UTF8')), id
		LIMIT $3 FOR UPDATE`, department, seed, count)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
		rows[i].LastRecheckAt = &at
	}
	if _, err := s.d.exec(ctx, `UPDATE repair SET last_recheck_at = $2 WHERE id = ANY($1)`, pq.Array(ids), at); err != nil {
		return nil, err
	}
	return rows, nil
}

func (s repairs) RefusalRules(ctx context.Context) ([]string, error) {
	var codes []string
	err := s.d.sel(ctx, &codes, `SELECT code FROM repair_rule ORDER BY code`)
	return codes, err
}

// repairOverdue is the repairs' overdue condition; %[1]s is the day.
const repairOverdue = `((state = 'APPLIED' AND accept_due < %[1]s) OR (state = 'ACCEPTED' AND decision_due < %[1]s))`

func (s repairs) Find(ctx context.Context, f DeadlineFilter) ([]RepairRow, error) {
	return findByDeadline[RepairRow](ctx, s.d, repairColumns, "repair", "uscc", repairOverdue, f)
}

func (s repairs) ByID(ctx context.Context, ids []int64) ([]RepairRow, error) {
	return rowsByID[RepairRow](ctx, s.d, repairColumns, "repair", ids)
}
