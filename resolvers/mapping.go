package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"credithub/credit"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/gid"
	"credithub/graph/model"
	"credithub/loaders"
)

// entityModel maps a registry row to the graph.
func entityModel(e *market.Entity) *model.MarketEntity {
	return e.ToModel(gid.Entity(e.USCC))
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

// sourceStatuses maps the loaders' answer to the graph.
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
		} else {
			n := s.Count
			st.RecordCount = &n
		}
		out[i] = st
	}
	return out
}
