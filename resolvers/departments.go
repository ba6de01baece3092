package resolvers

// The departments, as the resolvers pick them and report those that did
// not answer.

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"credithub/datasources"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/loaders"
)

// reportMissing adds one SOURCE_UNAVAILABLE error per department that did
// not answer, as every answer missing a department's data does.
func reportMissing(ctx context.Context, missing map[string]bool) {
	for _, d := range datasources.Departments {
		if missing[d.Code] {
			graphql.AddError(ctx, apperr.Unavailable(d.Code, nil))
		}
	}
}

// unavailable reports a department that did not answer as an error of the
// field being resolved, and logs its cause.
func (r *Resolver) unavailable(ctx context.Context, code string, err error) {
	if r.Logger != nil {
		r.Logger.WarnContext(ctx, "department did not answer", "source", code, "err", err)
	}
	graphql.AddError(ctx, apperr.Unavailable(code, err))
}

// disclosureKinds are the kinds the information catalogue says must be
// published within 7 working days.
func disclosureKinds(cat *catalogue.Catalogue) []credit.Kind {
	var ks []credit.Kind
	for _, e := range cat.Entries() {
		if e.DisclosureRequired {
			ks = append(ks, e.Kind)
		}
	}
	return ks
}

// disclosingDepartments are the departments that provide a kind of record
// with a publication duty, in the contract's order, with that set of kinds.
// The hub's own records have no such duty; neither have the court's lists.
func disclosingDepartments(l *loaders.Loaders) ([]loaders.Department, datasources.KindSet) {
	required := datasources.KindSetOf(disclosureKinds(l.Catalogue())...)
	var out []loaders.Department
	for _, dep := range l.Departments() {
		if dep.Internal {
			continue
		}
		for _, k := range dep.Source.Kinds() {
			if required.Has(k) {
				out = append(out, dep)
				break
			}
		}
	}
	return out, required
}
