package workflow

// The catalogues the workflows read: the application items that accept a
// credit commitment (T1–T2, kept by the business-environment bureau), the
// measures of joint reward and punishment (T19) and the workflow rules
// (deadlines with their sources). Only the commitment items are edited
// through the graph; measures and rules change by migration, with their
// legal source.

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/auth"
	"credithub/datasources"
	"credithub/internal/apperr"
	"credithub/internal/credit"
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
func (s *Service) UpsertCommitmentItem(ctx context.Context, in CommitmentItem, key string) (*CommitmentItem, error) {
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
	if in.Name, err = text("input.name", in.Name, 200); err != nil {
		return nil, err
	}
	if in.Domain, err = text("input.domain", in.Domain, 64); err != nil {
		return nil, err
	}
	if in.LegalBasis, err = text("input.legalBasis", in.LegalBasis, 1000); err != nil {
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

// measureRow is a measure as stored: its list types are a text array.
type measureRow struct {
	Measure
	Lists pq.StringArray `db:"list_types"`
}

func (r *measureRow) measure() *Measure {
	m := r.Measure
	m.ListTypes = make([]credit.ListType, len(r.Lists))
	for i, l := range r.Lists {
		m.ListTypes[i] = credit.ListType(l)
	}
	return &m
}

const measureColumns = `code, name, kind, department, legal_basis, list_types`

// Measures returns the measures catalogue in code order.
func (s *Service) Measures(ctx context.Context) ([]*Measure, error) {
	var rows []measureRow
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+measureColumns+` FROM measure ORDER BY code`); err != nil {
		return nil, sqldb.MapError(err)
	}
	out := make([]*Measure, len(rows))
	for i := range rows {
		out[i] = rows[i].measure()
	}
	return out, nil
}

// MeasuresByCode returns the measures with the given codes, in the order of
// codes; codes the catalogue no longer has are left out.
func (s *Service) MeasuresByCode(ctx context.Context, codes []string) ([]*Measure, error) {
	var rows []measureRow
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+measureColumns+` FROM measure WHERE code = ANY($1)`, pq.Array(codes)); err != nil {
		return nil, sqldb.MapError(err)
	}
	out := make([]*Measure, 0, len(rows))
	for _, c := range codes {
		if i := slices.IndexFunc(rows, func(r measureRow) bool { return r.Code == c }); i >= 0 {
			out = append(out, rows[i].measure())
		}
	}
	return out, nil
}

// RuleList returns the workflow rules in code order, read afresh.
func (s *Service) RuleList(ctx context.Context) ([]*Rule, error) {
	out := []*Rule{}
	err := s.DB.SelectContext(ctx, &out, `SELECT code, description, working_days, source FROM workflow_rule ORDER BY code`)
	return out, sqldb.MapError(err)
}

// text trims a free-text argument and checks it is present and not longer
// than max characters.
func text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", apperr.BadInput(field, "%s must not be empty", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", apperr.BadInput(field, "%s must be at most %d characters, got %d", field, max, n)
	}
	return s, nil
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
