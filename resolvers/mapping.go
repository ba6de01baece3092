package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/graph/model"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
)

// entityModel maps a registry row to the graph's MarketEntity (without the
// fields resolved from other sources).
func entityModel(e *market.Entity) *model.MarketEntity {
	kind := e.Kind()
	registeredAt := scalars.DateOf(e.EstablishedOn)
	m := &model.MarketEntity{
		ID:                gid.Entity(e.USCC),
		Uscc:              e.USCC,
		LegacyCode:        e.USCCLegacy,
		OrganizationCode:  ident.OrgCodeOf(e.USCC),
		Name:              &e.Name,
		Kind:              &kind,
		Status:            e.RegistrationStatus(),
		Division:          divisionModel(e.DivisionCode),
		RegisteredAt:      &registeredAt,
		RegisteredCapital: e.RegisteredCapital(),
		Address:           &e.Address,
		Industry:          e.IndustryLabel(),
	}
	if e.RegNo.Valid {
		m.RegistrationNumber = &e.RegNo.String
	}
	return m
}

// divisionModel returns the graph's Division for a code, nil when unknown.
func divisionModel(code string) *model.Division {
	for _, d := range ident.Divisions {
		if d.Code == code {
			return &model.Division{Code: d.Code, Name: d.Name, Pilot: d.Pilot}
		}
	}
	return nil
}

// entitySubject is every key the departments may file the entity under.
func entitySubject(e *model.MarketEntity) datasources.Subject {
	s := datasources.Subject{USCC: e.Uscc, OrgCode: e.OrganizationCode}
	if e.RegistrationNumber != nil {
		s.RegNo = *e.RegistrationNumber
	}
	return s
}

// person maps a registry member to the graph's Person.
func (r *Resolver) person(m market.Member) *model.Person {
	id := m.IDNo
	p := &model.Person{ID: r.Sealer.Person(m.IDNo), Name: m.Name, IDNumber: &id}
	if m.Mobile.Valid {
		p.Mobile = &m.Mobile.String
	}
	return p
}

// recordsConnection answers a records(...) field: one page merged from every
// department concerned. A department that did not answer is named in
// missingSources and in an error with code SOURCE_UNAVAILABLE; the others'
// records are still returned.
func (r *Resolver) recordsConnection(ctx context.Context, sub datasources.Subject, filter *model.RecordFilter, first *int, after *string) (*model.CreditRecordConnection, error) {
	req, err := r.recordsRequest(ctx, sub, filter, first, after)
	if err != nil {
		return nil, err
	}
	page := loaders.For(ctx).Records(ctx, req)
	conn := &model.CreditRecordConnection{
		Edges:          make([]*model.CreditRecordEdge, 0, len(page.Records)),
		PageInfo:       &model.PageInfo{HasNextPage: page.HasNext, HasPreviousPage: after != nil},
		Complete:       len(page.Failed) == 0,
		MissingSources: []*credit.Department{},
	}
	for _, f := range page.Failed {
		d := f.Department
		conn.MissingSources = append(conn.MissingSources, &d)
		graphql.AddError(ctx, f.Err)
	}
	for _, rec := range page.Records {
		c := recordCursor(datasources.CursorOf(rec))
		conn.Edges = append(conn.Edges, &model.CreditRecordEdge{Cursor: c, Node: rec})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	if page.End != (datasources.Cursor{}) {
		end := recordCursor(page.End)
		conn.PageInfo.EndCursor = &end
	}
	return conn, nil
}

// sourceStatuses maps the loaders' answer to the graph; a negative count
// means it was not asked for.
func sourceStatuses(ss []loaders.SourceStatus) []*model.SourceStatus {
	out := make([]*model.SourceStatus, len(ss))
	for i, s := range ss {
		d := s.Department
		st := &model.SourceStatus{Department: &d, Ok: s.Err == nil}
		if s.Err != nil {
			msg := s.Err.Error()
			if ae := asAppErr(s.Err); ae != nil {
				msg = ae.Message // never the driver's words: they may name hosts
			}
			st.Error = &msg
		} else if s.Count >= 0 {
			n := s.Count
			st.RecordCount = &n
		}
		out[i] = st
	}
	return out
}

// sources answers MarketEntity.sources. Whether a department answered is
// known without asking it again when the same query fetches the entity's
// records: the records' fan-out is that question's answer (its loads are
// cached for the request). Only departments the records did not ask, and
// record counts, cost a statement of their own.
func (r *Resolver) sources(ctx context.Context, obj *model.MarketEntity) ([]*model.SourceStatus, error) {
	l := loaders.For(ctx)
	sub := entitySubject(obj)
	if wantsField(ctx, "recordCount") {
		return sourceStatuses(l.Sources(ctx, sub)), nil
	}
	records := siblingField(ctx, "records")
	if records == nil {
		return sourceStatuses(l.Sources(ctx, sub)), nil
	}
	req, ok := r.requestFromField(ctx, sub, *records)
	if !ok {
		return sourceStatuses(l.Sources(ctx, sub)), nil
	}
	return sourceStatuses(l.SourcesOf(ctx, req)), nil
}

// wantsField reports whether the field being resolved selects name.
func wantsField(ctx context.Context, name string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// siblingField returns the first field named name selected beside the one
// being resolved, on the same object.
func siblingField(ctx context.Context, name string) *graphql.CollectedField {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Parent == nil {
		return nil
	}
	opCtx := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(opCtx, fc.Parent.Field.Selections, []string{fc.Object, "Node"}) {
		if f.Name == name {
			return &f
		}
	}
	return nil
}

// SubjectOf tells auth whose data the graph's entity and person objects
// are (auth.Rules.Subjects).
func SubjectOf(obj any) (auth.Subject, bool) {
	switch v := obj.(type) {
	case *model.MarketEntity:
		return auth.Subject{USCC: v.Uscc}, true
	case *model.Person:
		if v.IDNumber != nil {
			return auth.Subject{IDNumber: *v.IDNumber}, true
		}
		return auth.Subject{}, true
	}
	return auth.Subject{}, false
}
