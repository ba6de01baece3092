package resolvers

import (
	"context"
	"errors"
	"slices"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/gid"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/supervision"
	"credithub/internal/workflow"
)

// entities answers Query.entities from the registry, in code order.
func (r *Resolver) entities(ctx context.Context, filter *model.EntityFilter, first *int, after *string) (*model.MarketEntityConnection, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	var from string
	if after != nil {
		if from, err = parseEntityCursor(*after); err != nil {
			return nil, err
		}
	}
	f, err := listFilter(filter)
	if err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	// The registry's budget bounds these two statements only: the loads
	// started below outlive this resolver and must not inherit its deadline.
	qctx, cancel := context.WithTimeout(ctx, l.RegistryTimeout())
	defer cancel()
	rows, err := r.Registry.ListEntities(qctx, f, from, n+1)
	if err != nil {
		return nil, apperr.Unavailable(datasources.Market, err)
	}
	conn := &model.MarketEntityConnection{
		Edges:    make([]*model.MarketEntityEdge, 0, len(rows)),
		PageInfo: &model.PageInfo{HasPreviousPage: after != nil},
	}
	if len(rows) > n {
		rows, conn.PageInfo.HasNextPage = rows[:n], true
	}
	ents := make([]*model.MarketEntity, len(rows))
	for i, e := range rows {
		l.Entity.Prime(ctx, e.USCC, e) // nested fields find the row without asking again
		ents[i] = entityModel(e)
		conn.Edges = append(conn.Edges, &model.MarketEntityEdge{Cursor: entityCursor(e.USCC), Node: ents[i]})
	}
	r.prefetchEntities(ctx, ents, entityFieldsUnderEdges(ctx), true)
	if k := len(conn.Edges); k > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[k-1].Cursor
	}
	// Counting is a statement of its own: only when the client asked.
	if slices.Contains(graphql.CollectAllFields(ctx), "totalCount") {
		if conn.TotalCount, err = r.Registry.CountEntities(qctx, f); err != nil {
			return nil, apperr.Unavailable(datasources.Market, err)
		}
	}
	return conn, nil
}

// listFilter validates an EntityFilter.
func listFilter(filter *model.EntityFilter) (market.ListFilter, error) {
	var f market.ListFilter
	if filter == nil {
		return f, nil
	}
	if filter.Division != nil {
		d := *filter.Division
		if _, ok := ident.DivisionName(d); !ok {
			return f, apperr.BadInput("filter.division", "unknown division %q; Heihe's divisions are 231100 (the whole city), 231102, 231123, 231124, 231181, 231182, 231183 and 231199 (the free trade zone)", truncate(d))
		}
		if d != "231100" {
			f.Division = d
		}
	}
	if filter.Kind != nil {
		f.EntityTypes = market.EntityTypesOf(*filter.Kind)
	}
	if filter.Status != nil {
		f.Status = market.StatusWord(*filter.Status)
	}
	if filter.NameContains != nil {
		s := *filter.NameContains
		if n := utf8.RuneCountInString(s); n < 2 || n > 50 {
			return f, apperr.BadInput("filter.nameContains", "nameContains must be 2 to 50 characters, got %d", n)
		}
		f.NameContains = s
	}
	return f, nil
}

// personByIDNumber finds a natural person known to the registry (as a
// principal person of an entity) or to a department holding persons' records.
func (r *Resolver) personByIDNumber(ctx context.Context, field, idNo string) (*model.Person, error) {
	if err := ident.ValidateResidentID(idNo); err != nil {
		return nil, identError(field, err)
	}
	l := loaders.For(ctx)
	members, err := l.Roles.Load(ctx, idNo)()
	if err == nil && len(members) > 0 {
		return r.person(members[0]), nil
	}
	// Not a principal person, or the registry is down: the court may know
	// the person from its lists.
	page := l.Records(ctx, loaders.RecordsRequest{Subject: datasources.Subject{IDNumber: idNo}, First: 1})
	if len(page.Records) > 0 {
		name := page.Records[0].Common().SubjectName
		return &model.Person{ID: r.Sealer.Person(idNo), Name: name, IDNumber: &idNo}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(page.Failed) > 0 {
		return nil, page.Failed[0].Err
	}
	return nil, nil
}

// node resolves a global ID.
func (r *Resolver) node(ctx context.Context, id string) (model.Node, error) {
	bad := apperr.BadInput("id", "id is not an ID issued by this graph")
	typ, payload, err := gid.Decode(id)
	if err != nil {
		return nil, bad
	}
	switch typ {
	case gid.TypeEntity:
		if err := checkUSCC(ctx, "id", payload); err != nil {
			return nil, bad
		}
		e, err := loaders.For(ctx).Entity.Load(ctx, payload)()
		if err != nil || e == nil {
			return nil, err
		}
		return entityModel(e), nil
	case gid.TypePerson:
		idNo, err := r.Sealer.OpenPerson(payload)
		if err != nil {
			return nil, bad
		}
		p, err := r.personByIDNumber(ctx, "id", idNo)
		if err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) && ae.Code == apperr.BadUserInput {
				return nil, bad
			}
			return nil, err
		}
		if p == nil {
			return nil, nil
		}
		return p, nil
	case workflow.TypeCommitment, workflow.TypeListEntry, workflow.TypeJointCase, workflow.TypeObjection, workflow.TypeRepair:
		n, ok := workflow.DecodeID(typ, id)
		if !ok {
			return nil, bad
		}
		switch typ {
		case workflow.TypeCommitment:
			return r.commitmentNode(ctx, n)
		case workflow.TypeListEntry:
			return r.listEntryNode(ctx, n)
		case workflow.TypeJointCase:
			return r.jointCaseNode(ctx, n)
		case workflow.TypeObjection:
			return r.objectionNode(ctx, n)
		}
		return r.repairNode(ctx, n)
	case supervision.TypePlan:
		n, ok := supervision.ParsePlanID(id)
		if !ok {
			return nil, bad
		}
		p, err := r.Supervision.Plan(ctx, n)
		if err != nil || p == nil {
			return nil, err
		}
		return svPlanModel(p), nil
	case gid.TypeRecord:
		ref, err := gid.ParseRecord(payload)
		if err != nil {
			return nil, bad
		}
		rec, err := loaders.For(ctx).Record(ctx, ref)
		if err != nil || rec == nil {
			return nil, err
		}
		seen, err := auth.SeeRecord(ctx, rec)
		if err != nil || seen == nil {
			return nil, err // a nil record in a non-nil interface would be a bug
		}
		return seen, nil
	}
	return nil, bad
}
