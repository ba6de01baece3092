package workflow

// The application items that accept a credit commitment (T1–T2): kept by
// the business-environment bureau and edited through the graph; a
// commitment is signed for one of them (commitment.go).

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
)

// ItemKeeper is the department code of the business-environment bureau
// (营商环境局), which keeps the commitment items.
const ItemKeeper = "bizenv"

// itemKeeper lets the business-environment bureau (or an administrator)
// edit the items; the scope is checked by the caller.
func itemKeeper(p *auth.Principal, _ string) error {
	if p.Kind() == auth.KindAdmin || (p.Kind() == auth.KindDepartment && p.Org() == ItemKeeper) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only the business-environment bureau (%s) keeps the catalogue of commitment items", ItemKeeper).
		With("owner", ItemKeeper)
}

// itemCode is the shape of an item's code: "MA-001", "FS-001".
var itemCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,31}$`)

// CommitmentItems returns the items in code order; activeOnly leaves out
// the withdrawn ones.
func (s *Service) CommitmentItems(ctx context.Context, activeOnly bool) ([]*CommitmentItem, error) {
	rows, err := s.DB.CommitmentItems().List(ctx, activeOnly)
	return mapRows(rows, func(r *hubdb.CommitmentItemRow) *CommitmentItem { return (*CommitmentItem)(r) }), err
}

// CommitmentItem returns the item with the given code; nil when none.
func (s *Service) CommitmentItem(ctx context.Context, code string) (*CommitmentItem, error) {
	it, err := s.DB.CommitmentItems().Get(ctx, code)
	if errors.Is(err, hubdb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return (*CommitmentItem)(&it), nil
}

// UpsertCommitmentItem adds an item or edits it (found by its code).
// Withdrawing an item (active false) keeps the commitments already signed
// for it; new ones are refused. The item's last editor and the time are
// kept on the row.
func (s *Service) UpsertCommitmentItem(ctx context.Context, in CommitmentItem, key hubdb.Key) (*CommitmentItem, error) {
	p := auth.FromContext(ctx)
	if !p.HasScope(auth.ScopeCommitmentWrite) {
		return nil, apperr.New(apperr.Forbidden, "editing the catalogue of commitment items needs the %s scope", auth.ScopeCommitmentWrite).
			With("requiredScopes", []string{auth.ScopeCommitmentWrite})
	}
	if err := itemKeeper(p, ItemKeeper); err != nil {
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
	return transact(ctx, s, key, "upsertCommitmentItem", func(tx *hubdb.DB, now time.Time) (*CommitmentItem, error) {
		out, err := tx.CommitmentItems().Put(ctx, hubdb.CommitmentItemRow(in), actorName(ctx), now)
		return (*CommitmentItem)(&out), err
	})
}

func departmentCodes() string {
	codes := make([]string, len(datasources.Departments))
	for i, d := range datasources.Departments {
		codes[i] = d.Code
	}
	return strings.Join(codes, ", ")
}
