package hubdb

import (
	"context"
	"time"
)

// CommitmentItemRow is a row of commitment_item: an application item that
// accepts a credit commitment (T1–T2), kept by the business-environment
// bureau.
type CommitmentItemRow struct {
	Code           string `db:"code"`
	Name           string `db:"name"`
	Domain         string `db:"domain"`
	DepartmentCode string `db:"department"`
	LegalBasis     string `db:"legal_basis"`
	Active         bool   `db:"active"`
}

const itemColumns = `code, name, domain, department, legal_basis, active`

// CommitmentItemStore keeps the items that accept a commitment.
type CommitmentItemStore interface {
	// List returns the items in code order; activeOnly leaves out the
	// withdrawn ones.
	List(ctx context.Context, activeOnly bool) ([]CommitmentItemRow, error)
	// Get returns the item with code; ErrNotFound when there is none.
	Get(ctx context.Context, code string) (CommitmentItemRow, error)
	// Put adds the item, or edits the one with its code, keeping on the
	// row who did it (by) and when.
	Put(ctx context.Context, it CommitmentItemRow, by string, at time.Time) (CommitmentItemRow, error)
}

// CommitmentItems returns the items that accept a commitment.
func (d *DB) CommitmentItems() CommitmentItemStore { return items{d} }

type items struct{ d *DB }

func (s items) List(ctx context.Context, activeOnly bool) ([]CommitmentItemRow, error) {
	rows := []CommitmentItemRow{}
	err := s.d.sel(ctx, &rows, `SELECT `+itemColumns+` FROM commitment_item WHERE active OR NOT $1 ORDER BY code`, activeOnly)
	return rows, err
}

func (s items) Get(ctx context.Context, code string) (CommitmentItemRow, error) {
	var it CommitmentItemRow
	err := s.d.getRow(ctx, &it, `SELECT `+itemColumns+` FROM commitment_item WHERE code = $1`, code)
	return it, err
}

func (s items) Put(ctx context.Context, it CommitmentItemRow, by string, at time.Time) (CommitmentItemRow, error) {
	var out CommitmentItemRow
	err := s.d.get(ctx, &out, `INSERT INTO commitment_item (code, name, domain, department, legal_basis, active, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, domain = EXCLUDED.domain, department = EXCLUDED.department,
			legal_basis = EXCLUDED.legal_basis, active = EXCLUDED.active, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
		RETURNING `+itemColumns,
		it.Code, it.Name, it.Domain, it.DepartmentCode, it.LegalBasis, it.Active, by, at)
	return out, err
}
