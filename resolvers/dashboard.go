package resolvers

// The dashboards' figures (cityStats): arguments, openness, mapping.

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/stats"
)

// statsRequest validates cityStats' filter and turns the caller's
// openness into what internal/stats counts: the record kinds it may read
// (of entities, of persons) and whether it may read the shared figures.
func (r *Resolver) statsRequest(ctx context.Context, filter *model.StatsFilter) (stats.Request, error) {
	l := loaders.For(ctx)
	req := stats.Request{Today: l.Today(), To: l.Today()}
	if filter != nil && filter.To != nil {
		req.To = *filter.To
	}
	if filter != nil && filter.From != nil {
		req.From = *filter.From
	} else {
		t := req.To.Time()
		req.From = scalars.DateOf(t.AddDate(0, 0, 1-t.Day()).AddDate(0, -11, 0))
	}
	if req.To.Before(req.From) {
		return req, apperr.BadInput("filter.to", "to (%s) is before from (%s)", req.To, req.From)
	}
	if err := checkCovered("filter.from", req.From); err != nil {
		return req, err
	}
	if err := checkCovered("filter.to", req.To); err != nil {
		return req, err
	}
	if filter != nil && filter.Divisions != nil {
		req.Divisions = []string{}
		for _, code := range filter.Divisions {
			d, err := checkDivision("filter.divisions", code)
			if err != nil {
				return req, err
			}
			if d == "" { // the whole city
				req.Divisions = nil
				break
			}
			if !slices.Contains(req.Divisions, d) {
				req.Divisions = append(req.Divisions, d)
			}
		}
	}
	req.EntityKinds, req.PersonKinds = countableKinds(ctx, l)
	req.Shared = auth.Decide(ctx, auth.Shared, auth.ScopeEntityRead, auth.Subject{}) == nil
	sel := selectedHere(ctx, "CityStats")
	has := func(name string) bool {
		return slices.ContainsFunc(sel, func(f graphql.CollectedField) bool { return f.Name == name })
	}
	req.Want = stats.Sections{
		ListingFlows: has("listingFlows"), ListedNow: has("listedNow"), DishonestShare: has("dishonestShare"),
		Commitments: req.Shared && has("commitments"), Objections: req.Shared && has("objections"),
		Repairs: req.Shared && has("repairs"), Grades: req.Shared && has("grades"),
		Checks: req.Shared && has("checks"), Warnings: req.Shared && has("openWarnings"),
	}
	return req, nil
}

// countableKinds are the kinds whose records the caller may count: of an
// entity, those whose publicity its view of any entity holds (auth.ViewOf,
// as an entity's records filter by kind); of a natural person, public
// ones, shared ones with record:read, personal ones with person:read.
func countableKinds(ctx context.Context, l *loaders.Loaders) (entity, person []credit.Kind) {
	view := auth.ViewOf(ctx, auth.Subject{})
	p := auth.FromContext(ctx)
	for _, e := range l.Catalogue().Entries() {
		if slices.Contains(view.Publicities, e.EntityPublicity) {
			entity = append(entity, e.Kind)
		}
		switch e.PersonPublicity {
		case credit.Public:
			person = append(person, e.Kind)
		case credit.Shared:
			if p.HasScope(auth.ScopeRecordRead) {
				person = append(person, e.Kind)
			}
		case credit.Personal:
			if p.HasScope(auth.ScopePersonRead) {
				person = append(person, e.Kind)
			}
		}
	}
	return entity, person
}

// hubModels maps the hub's figures.
func hubModels(h *stats.HubFigures, out *model.CityStats) {
	if h == nil {
		return
	}
}
