package resolvers

// The dashboards' figures (cityStats): arguments, openness, mapping.

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/ident"
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

// countableKinds are the kinds whose records the caller may count or list
// city-wide: of an entity, those whose publicity its view of any entity
// holds (auth.ViewOf, as an entity's records filter by kind); of a natural
// person, public ones, shared ones with record:read, personal ones with
// person:read and a declared purpose (not for an agency).
func countableKinds(ctx context.Context, l *loaders.Loaders) (entity, person []credit.Kind) {
	view := auth.ViewOf(ctx, auth.Subject{})
	p := auth.FromContext(ctx)
	for _, e := range l.Catalogue().Entries() {
		if view.Publicities.Has(e.EntityPublicity) {
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
			// What reading a person's data needs, short of the person:
			// an agency reads only the persons who authorised it, so
			// never a city-wide list of them.
			if _, declared := auth.PurposeFrom(ctx); declared && p.HasScope(auth.ScopePersonRead) && p.Kind() != auth.KindAgency {
				person = append(person, e.Kind)
			}
		}
	}
	return entity, person
}

// hubModels maps the hub's figures; the sections the caller was not
// given stay nil (their fields are refused by the openness middleware).
func hubModels(h *stats.HubFigures, out *model.CityStats) {
	if h == nil {
		return
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	for _, f := range h.Flows {
		out.ListingFlows = append(out.ListingFlows, &model.ListingFlow{Month: f.Month, ListType: credit.ListType(f.ListType),
			Domain: opt(f.Domain), Entered: f.Entered, Removed: f.Removed})
	}
	for _, l := range h.Listed {
		out.ListedNow = append(out.ListedNow, &model.ListedCount{ListType: credit.ListType(l.ListType), Domain: opt(l.Domain),
			Division: divisionModel(l.Division), Entities: l.Entities})
	}
	if h.Commitments != nil {
		out.Commitments = []*model.CommitmentCount{}
	}
	for _, c := range h.Commitments {
		out.Commitments = append(out.Commitments, &model.CommitmentCount{Month: c.Month, Department: departmentOf(c.Department),
			Signed: c.Signed, Kept: c.Kept, Breached: c.Breached, FoundFalse: c.FoundFalse})
	}
	out.Objections, out.Repairs = timelinessModel(h.Objections), timelinessModel(h.Repairs)
	if h.Grades != nil {
		out.Grades = []*model.GradeMonth{}
	}
	if h.Checks != nil {
		out.Checks = []*model.CheckCount{}
	}
	if h.Warnings != nil {
		out.OpenWarnings = []*model.WarningCount{}
	}
	for _, g := range h.Grades {
		out.Grades = append(out.Grades, &model.GradeMonth{Month: opt(g.Month), Division: divisionModel(g.Division), Grade: model.Grade(g.Grade), Count: g.Count})
	}
	for _, c := range h.Checks {
		out.Checks = append(out.Checks, &model.CheckCount{Month: c.Month, Department: departmentOf(c.Department),
			Checks: c.Checks, MeasuresApplied: c.Applied, MeasuresNotApplied: c.NotApplied})
	}
	for _, w := range h.Warnings {
		out.OpenWarnings = append(out.OpenWarnings, &model.WarningCount{Rule: &model.WarningRule{Code: w.Rule.Code, Description: w.Rule.Description,
			Kind: w.Rule.Kind, Threshold: w.Rule.Threshold, Level: model.WarningLevel(w.Rule.Level), Active: w.Rule.Active, Source: w.Rule.Source}, Division: divisionModel(w.Division), Open: w.Open})
	}
	if h.Entities != nil {
		for _, d := range ident.Divisions {
			if d.CityLevel {
				continue
			}
			n, bad := h.Entities[d.Code], h.Dishonest[d.Code]
			if n == 0 && bad == 0 {
				continue
			}
			s := &model.DivisionShare{Division: divisionModel(d.Code), Entities: n, Dishonest: bad}
			if n > 0 {
				share := float64(bad) / float64(n)
				s.Share = &share
			}
			out.DishonestShare = append(out.DishonestShare, s)
		}
	}
}

func timelinessModel(t *stats.Timeliness) *model.WorkflowTimeliness {
	if t == nil {
		return nil
	}
	out := &model.WorkflowTimeliness{ByState: []*model.StateCount{}, MedianWorkingDays: t.Median, P90WorkingDays: t.P90,
		OverdueNow: t.OverdueNow, DueSoon: t.DueSoon}
	for _, s := range t.ByState {
		out.ByState = append(out.ByState, &model.StateCount{State: s.State, Count: s.Count})
	}
	return out
}

// cityRecordsRequest validates Query.records' arguments and narrows them to
// what the caller may read, as an entity's records do: openness is a kind
// filter applied in SQL, and callers who see only public records see them
// only inside their publicity period (dropped row by row).
func cityRecordsRequest(ctx context.Context, filter *model.CityRecordFilter, first *int, after *string) (stats.RecordsRequest, error) {
	n, err := pageSize(first)
	if err != nil {
		return stats.RecordsRequest{}, err
	}
	req := stats.RecordsRequest{First: n}
	if after != nil {
		if req.After, err = parseRecordCursor(*after); err != nil {
			return req, err
		}
	}
	entity, person := countableKinds(ctx, loaders.For(ctx))
	if filter != nil {
		for _, code := range filter.Sources {
			if err := checkDepartment("filter.sources", code); err != nil {
				return req, err
			}
		}
		req.Sources = filter.Sources
		if filter.Divisions != nil {
			req.Divisions = []string{}
			for _, code := range filter.Divisions {
				d, err := checkDivision("filter.divisions", code)
				if err != nil {
					return req, err
				}
				if d == "" {
					req.Divisions = nil
					break
				}
				req.Divisions = append(req.Divisions, d)
			}
		}
		if filter.DecidedFrom != nil {
			req.From = filter.DecidedFrom.String()
		}
		if filter.DecidedTo != nil {
			req.To = filter.DecidedTo.String()
		}
		if filter.DecidedFrom != nil && filter.DecidedTo != nil && filter.DecidedTo.Before(*filter.DecidedFrom) {
			return req, apperr.BadInput("filter.decidedTo", "decidedTo (%s) is before decidedFrom (%s)", req.To, req.From)
		}
		if filter.Kinds != nil {
			keep := func(k credit.Kind) bool { return !slices.Contains(filter.Kinds, k) }
			entity, person = slices.DeleteFunc(entity, keep), slices.DeleteFunc(person, keep)
		}
	}
	req.EntityKinds, req.PersonKinds = entity, person
	if p := auth.FromContext(ctx); p.Kind() == auth.KindEntity && p.Org() != "" {
		// The entity itself reads its own shared records, as on its
		// profile: they are selected in SQL by its keys.
		own := auth.ViewOf(ctx, auth.Subject{USCC: p.Org()})
		for _, e := range loaders.For(ctx).Catalogue().Entries() {
			if own.Publicities.Has(e.EntityPublicity) && !slices.Contains(entity, e.Kind) &&
				(filter == nil || filter.Kinds == nil || slices.Contains(filter.Kinds, e.Kind)) {
				req.OwnKinds = append(req.OwnKinds, e.Kind)
			}
		}
		// Its old registration number is the registry's to say: the
		// stream finds it in the registry's map it reads anyway.
		req.Own = datasources.Subject{USCC: p.Org(), OrgCode: ident.OrgCodeOf(p.Org())}
	}
	if auth.ViewOf(ctx, auth.Subject{}).PublicOnly {
		// Row by row, the records' one rule (auth.SeesRecord), as every
		// other path applies it: a public record only in its publicity
		// period, except to the entity it is about; a person's record of
		// the kinds selected to whoever may read that person's data.
		req.Visible = func(rec credit.Record) bool { return auth.SeesRecord(ctx, rec) }
	}
	return req, nil
}
