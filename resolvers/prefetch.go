package resolvers

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/graph"
	"credithub/graph/model"
	"credithub/internal/ident"
	"credithub/internal/loaders"
)

// prefetchEntities looks ahead at what a list of entities will be asked
// (records, sources, principal persons) and starts those loads for every
// entity as one batch per department. gqlgen resolves the entities' fields
// in goroutines of their own; left to the dataloaders' wait window, the late
// ones can miss it on a busy machine and cost a second statement. Started
// here, each department gets the whole level in one statement, and the
// fields' own loads wait for it.
func (r *Resolver) prefetchEntities(ctx context.Context, ents []*model.MarketEntity, fields []graphql.CollectedField, registryKnown bool) {
	l := loaders.For(ctx)
	for _, f := range fields {
		switch f.Name {
		case "records":
			var reqs []loaders.RecordsRequest
			for _, e := range ents {
				if req, ok := r.requestFromField(ctx, entitySubject(e), f); ok {
					reqs = append(reqs, req)
				}
			}
			l.Prefetch(ctx, reqs, registryKnown)
		case "sources":
			if !sourcesNeedCounts(ctx, f, fields) {
				continue // answered by the records' fan-out, prefetched above
			}
			subjects := make([]datasources.Subject, len(ents))
			for i, e := range ents {
				subjects[i] = entitySubject(e)
			}
			l.PrefetchSources(ctx, subjects, registryKnown)
		case "rating":
			// The supervisors' grade needs every department's records and
			// the hub's fulfilled commitments: one batch each for the page.
			if !registryKnown || auth.Decide(ctx, auth.Shared, auth.ScopeEntityRead, auth.Subject{}) != nil || auth.ForSupervisors(ctx) != nil {
				continue // refused field by field; nothing to prepare
			}
			subjects := make([]datasources.Subject, len(ents))
			for i, e := range ents {
				subjects[i] = entitySubject(e)
			}
			r.Supervision.PrefetchRatings(ctx, subjects)
		case "listings", "objections", "repairs", "commitments":
			usccs := make([]string, len(ents))
			for i, e := range ents {
				usccs[i] = e.Uscc
			}
			r.prefetchWorkflows(ctx, usccs, f)
		case "legalRepresentative", "responsiblePersons":
			usccs := make([]string, len(ents))
			for i, e := range ents {
				usccs[i] = e.Uscc
			}
			l.Members.LoadAll(ctx, usccs)
		}
	}
}

// entityFieldsUnderEdges returns the fields selected on edges.node of the
// entities connection being resolved in ctx.
func entityFieldsUnderEdges(ctx context.Context) []graphql.CollectedField {
	return fieldsUnderEdges(ctx, "MarketEntityEdge", "MarketEntity")
}

// fieldsUnderEdges returns the fields selected on edges.node of the
// connection being resolved in ctx, whose edges are of type edgeType and
// nodes of type nodeType.
func fieldsUnderEdges(ctx context.Context, edgeType, nodeType string) []graphql.CollectedField {
	opCtx := graphql.GetOperationContext(ctx)
	var out []graphql.CollectedField
	for _, edges := range graphql.CollectFieldsCtx(ctx, nil) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range graphql.CollectFields(opCtx, edges.Selections, []string{edgeType}) {
			if node.Name == "node" {
				out = append(out, graphql.CollectFields(opCtx, node.Selections, []string{nodeType, "Node"})...)
			}
		}
	}
	return out
}

// intArg reads an Int argument however it arrived (literal, variable,
// default); absent means the default, nil.
func intArg(v any) (*int, bool) {
	var n int64
	switch x := v.(type) {
	case nil:
		return nil, true
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		n = int64(x)
	case json.Number:
		var err error
		if n, err = x.Int64(); err != nil {
			return nil, false
		}
	default:
		return nil, false
	}
	i := int(n)
	return &i, true
}

// requestFromField is the records request a records(...) field selected
// elsewhere in the query will make for sub; false when its arguments are
// invalid (the field itself reports that).
func (r *Resolver) requestFromField(ctx context.Context, sub datasources.Subject, f graphql.CollectedField) (loaders.RecordsRequest, bool) {
	args := f.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	var filter *model.RecordFilter
	if raw := args["filter"]; raw != nil {
		v, err := graph.UnmarshalRecordFilter(ctx, raw)
		if err != nil {
			return loaders.RecordsRequest{}, false
		}
		filter = &v
	}
	first, ok := intArg(args["first"])
	if !ok {
		return loaders.RecordsRequest{}, false
	}
	var after *string
	if s, ok := args["after"].(string); ok {
		after = &s
	}
	req, err := r.recordsRequest(ctx, sub, filter, first, after)
	return req, err == nil
}

// sourcesNeedCounts mirrors Resolver.sources: counts are asked for when
// recordCount is selected or no records field answers the question.
func sourcesNeedCounts(ctx context.Context, sources graphql.CollectedField, siblings []graphql.CollectedField) bool {
	opCtx := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(opCtx, sources.Selections, []string{"SourceStatus"}) {
		if f.Name == "recordCount" {
			return true
		}
	}
	for _, f := range siblings {
		if f.Name == "records" {
			return false
		}
	}
	return true
}

// prefetchEntity starts what a single entity's fields will ask of the
// departments that do not need its registry row, while that row is being
// read: the registry and the other departments are then asked side by side
// instead of one after the other.
func (r *Resolver) prefetchEntity(ctx context.Context, uscc string) {
	shell := &model.MarketEntity{Uscc: uscc, OrganizationCode: ident.OrgCodeOf(uscc)}
	fields := graphql.CollectFieldsCtx(ctx, []string{"MarketEntity", "Node"})
	r.prefetchEntities(ctx, []*model.MarketEntity{shell}, fields, false)
}
