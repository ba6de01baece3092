package hubdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"credithub/internal/credit"
)

// DeclarationRow is a row of declaration: information an entity declared
// about itself (T11) under a truthfulness commitment (CommitmentID), the
// SELF_DECLARATION record it is (HubRecordID), and the named department's
// decision on it.
type DeclarationRow struct {
	ID             int64      `db:"id"`
	USCC           string     `db:"uscc"`
	Kind           string     `db:"kind"`
	Title          string     `db:"title"`
	Content        string     `db:"content"`
	DepartmentCode string     `db:"department"`
	CommitmentID   int64      `db:"commitment_id"`
	HubRecordID    int64      `db:"hub_record_id"`
	DeclaredAt     time.Time  `db:"declared_at"`
	DeclaredBy     string     `db:"declared_by"`
	State          string     `db:"state"`
	DecidedAt      *time.Time `db:"decided_at"`
	DecidedBy      *string    `db:"decided_by"`
	DecisionReason *string    `db:"decision_reason"`
}

const declarationColumns = `id, uscc, kind, title, content, department, commitment_id, hub_record_id,
	declared_at, declared_by, state, decided_at, decided_by, decision_reason`

// DeclarationFilter selects declarations; zero fields select everything.
type DeclarationFilter struct {
	USCC       string
	Department string
	State      string
	Kind       string
	// After keeps the ids below it (0: from the newest); Limit bounds the
	// rows (at most 1,000).
	After int64
	Limit int
}

// DeclarationStore keeps the entities' declarations.
type DeclarationStore interface {
	// Add writes a new declaration (its ID and decision fields ignored)
	// and returns it as stored.
	Add(ctx context.Context, d DeclarationRow) (DeclarationRow, error)
	// Get reads declaration id without a lock; ErrNotFound when none.
	Get(ctx context.Context, id int64) (DeclarationRow, error)
	// LockForDecision reads declaration id and locks it; ErrNotFound when
	// there is none, CONFLICT when another decision holds it.
	LockForDecision(ctx context.Context, id int64) (DeclarationRow, error)
	// Decide writes the department's decision and returns the row.
	Decide(ctx context.Context, id int64, state string, at time.Time, by, reason string) (DeclarationRow, error)
	// Find returns a page of the declarations matching f, newest first,
	// in one statement.
	Find(ctx context.Context, f DeclarationFilter) ([]DeclarationRow, error)
}

// Declarations returns the entities' declarations.
func (d *DB) Declarations() DeclarationStore { return declarations{d} }

type declarations struct{ d *DB }

func (s declarations) Add(ctx context.Context, r DeclarationRow) (DeclarationRow, error) {
	var out DeclarationRow
	err := s.d.get(ctx, &out, `INSERT INTO declaration (uscc, kind, title, content, department, commitment_id, hub_record_id,
			declared_at, declared_by, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+declarationColumns,
		r.USCC, r.Kind, r.Title, r.Content, r.DepartmentCode, r.CommitmentID, r.HubRecordID, r.DeclaredAt, r.DeclaredBy, r.State)
	return out, err
}

func (s declarations) Get(ctx context.Context, id int64) (DeclarationRow, error) {
	return rowByID[DeclarationRow](ctx, s.d, declarationColumns, "declaration", id)
}

func (s declarations) LockForDecision(ctx context.Context, id int64) (DeclarationRow, error) {
	return lockByID[DeclarationRow](ctx, s.d, declarationColumns, "declaration", id)
}

func (s declarations) Decide(ctx context.Context, id int64, state string, at time.Time, by, reason string) (DeclarationRow, error) {
	var out DeclarationRow
	err := s.d.get(ctx, &out, `UPDATE declaration SET state = $2, decided_at = $3, decided_by = $4, decision_reason = $5
		WHERE id = $1 RETURNING `+declarationColumns, id, state, at, by, reason)
	return out, err
}

func (s declarations) Find(ctx context.Context, f DeclarationFilter) ([]DeclarationRow, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	for _, c := range []struct{ column, value string }{
		{"uscc", f.USCC}, {"department", f.Department}, {"state", f.State}, {"kind", f.Kind},
	} {
		if c.value != "" {
			where = append(where, c.column+" = "+arg(c.value))
		}
	}
	if f.After > 0 {
		where = append(where, "id < "+arg(f.After))
	}
	q := `SELECT ` + declarationColumns + ` FROM declaration`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + arg(pageLimit(f.Limit))
	rows := []DeclarationRow{}
	err := s.d.sel(ctx, &rows, q, args...)
	return rows, err
}

// SetVerification writes a SELF_DECLARATION record's verification (the
// department's decision on the declaration) and its status.
func (s hubRecords) SetVerification(ctx context.Context, id int64, verification string, status credit.Status) error {
	_, err := s.d.exec(ctx, `UPDATE hub_record SET status = $3,
			detail = jsonb_set(detail, '{verification}', to_jsonb($2::text))
		WHERE id = $1 AND kind = 'SELF_DECLARATION'`, id, verification, status)
	return err
}

// SetDeclaration writes the declaration's global ID on its
// SELF_DECLARATION record.
func (s hubRecords) SetDeclaration(ctx context.Context, id int64, declarationID string) error {
	_, err := s.d.exec(ctx, `UPDATE hub_record SET detail = jsonb_set(detail, '{declarationId}', to_jsonb($2::text))
		WHERE id = $1 AND kind = 'SELF_DECLARATION'`, id, declarationID)
	return err
}
