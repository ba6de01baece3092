package workflow

// What the workflows keep besides their objects: the catalogue of
// application items that accept a credit commitment (T1–T2, kept by the
// business-environment bureau, edited through the graph) and the workflow
// rules (deadlines with their sources, changed by migration). The measures
// of joint reward and punishment are the catalogue package's.

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"credithub/auth"
	"credithub/datasources"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

// CatalogueKeeper is the department code of the business-environment
// bureau (营商环境局), which keeps the catalogue of commitment items.
const CatalogueKeeper = "bizenv"

// itemKeeper lets the business-environment bureau (or an administrator)
// edit the catalogue; the scope is checked by the caller.
func itemKeeper(p *auth.Principal, _ string) error {
	if p.Kind() == auth.KindAdmin || (p.Kind() == auth.KindDepartment && p.Org() == CatalogueKeeper) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only the business-environment bureau (%s) keeps the catalogue of commitment items", CatalogueKeeper).
		With("owner", CatalogueKeeper)
}

// itemCode is the shape of an item's code: "MA-001", "FS-001".
var itemCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,31}$`)

const itemColumns = `code, name, domain, department, legal_basis, active`

// CommitmentItems returns the catalogue's items in code order; activeOnly
// leaves out the withdrawn ones.
func (s *Service) CommitmentItems(ctx context.Context, activeOnly bool) ([]*CommitmentItem, error) {
	out := []*CommitmentItem{}
	err := s.DB.SelectContext(ctx, &out, `SELECT `+itemColumns+` FROM commitment_item WHERE active OR NOT $1 ORDER BY code`, activeOnly)
	return out, sqldb.MapError(err)
}

// CommitmentItem returns the item with the given code; nil when none.
func (s *Service) CommitmentItem(ctx context.Context, code string) (*CommitmentItem, error) {
	return commitmentItem(ctx, s.DB, code)
}

func commitmentItem(ctx context.Context, q sqlx.QueryerContext, code string) (*CommitmentItem, error) {
	var it CommitmentItem
	err := sqlx.GetContext(ctx, q, &it, `SELECT `+itemColumns+` FROM commitment_item WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	return &it, nil
}

// UpsertCommitmentItem adds an item to the catalogue or edits it (found by
// its code). Withdrawing an item (active false) keeps the commitments
// already signed for it; new ones are refused. The item's last editor and
// the time are kept on the row.
func (s *Service) UpsertCommitmentItem(ctx context.Context, in CommitmentItem, key hubdb.Key) (*CommitmentItem, error) {
	p := auth.FromContext(ctx)
	if !p.HasScope(auth.ScopeCommitmentWrite) {
		return nil, apperr.New(apperr.Forbidden, "editing the catalogue of commitment items needs the %s scope", auth.ScopeCommitmentWrite).
			With("requiredScopes", []string{auth.ScopeCommitmentWrite})
	}
	if err := itemKeeper(p, CatalogueKeeper); err != nil {
		return nil, err
	}
	in.Code = strings.TrimSpace(in.Code)
	if !itemCode.MatchString(in.Code) {
		return nil, apperr.BadInput("input.code", "code must be 1 to 32 capital letters, digits and hyphens, such as MA-001")
	}
	var err error
	if in.Name, err = needText("input.name", in.Name, 200); err != nil {
		return nil, err
	}
	if in.Domain, err = needText("input.domain", in.Domain, 64); err != nil {
		return nil, err
	}
	if in.LegalBasis, err = needText("input.legalBasis", in.LegalBasis, 1000); err != nil {
		return nil, err
	}
	if _, ok := datasources.DepartmentByCode(in.DepartmentCode); !ok {
		return nil, apperr.BadInput("input.department", "department must be the code of the department receiving the applications: %s", departmentCodes())
	}
	return transact(ctx, s, key, "upsertCommitmentItem", func(tx *sqlx.Tx, now time.Time) (*CommitmentItem, error) {
		var out CommitmentItem
		err := tx.GetContext(ctx, &out, `INSERT INTO commitment_item (code, name, domain, department, legal_basis, active, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, domain = EXCLUDED.domain, department = EXCLUDED.department,
				legal_basis = EXCLUDED.legal_basis, active = EXCLUDED.active, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
			RETURNING `+itemColumns,
			in.Code, in.Name, in.Domain, in.DepartmentCode, in.LegalBasis, in.Active, p.Org()+":"+p.Subject(), now)
		return &out, sqldb.MapError(err)
	})
}

// RuleList returns the workflow rules in code order, read afresh.
func (s *Service) RuleList(ctx context.Context) ([]*Rule, error) {
	out := []*Rule{}
	err := s.DB.SelectContext(ctx, &out, `SELECT code, description, working_days, source FROM workflow_rule ORDER BY code`)
	return out, sqldb.MapError(err)
}

func departmentCodes() string {
	codes := make([]string, len(datasources.Departments))
	for i, d := range datasources.Departments {
		codes[i] = d.Code
	}
	return strings.Join(codes, ", ")
}

// notFound is the error of an object that does not exist.
func notFound(field, what string) error {
	return apperr.New(apperr.NotFound, "there is no %s with this id", what).With("field", field)
}
