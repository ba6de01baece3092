package resolvers

// Look-ahead: what the query will ask of the objects a list resolver has
// just read, started for the whole level at once through the request's
// loaders, so that each department and each of the hub's lists gets the
// level in one statement whatever the scheduler does.

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/graph"
	"credithub/graph/model"
	"credithub/internal/catalogue"
	"credithub/internal/gid"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/workflow"
)

// prefetchEntities looks ahead at what a list of entities will be asked
// (records, sources, principal persons, workflow lists) and starts those
// loads for every entity as one batch per department and list. gqlgen
// resolves the entities' fields in goroutines of their own; left to the
// dataloaders' wait window, the late ones can miss it on a busy machine and
// cost a second statement. Started here, each department gets the whole
// level in one statement, and the fields' own loads wait for it.
func (r *Resolver) prefetchEntities(ctx context.Context, ents []*model.MarketEntity, fields []graphql.CollectedField, registryKnown bool) {
	l := loaders.For(ctx)
	var lists []graphql.CollectedField
	for _, f := range fields {
		switch f.Name {
		case "records":
			var reqs []loaders.RecordsRequest
			for _, e := range ents {
				if req, ok := requestFromField(ctx, r.Catalogue, entitySubject(e), f); ok {
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
			lists = append(lists, f)
		case "legalRepresentative", "responsiblePersons":
			l.Members.LoadAll(ctx, usccsOf(ents))
		}
	}
	if len(lists) > 0 {
		prefetchWorkflows(ctx, usccsOf(ents), lists)
	}
}

// prefetchWorkflows starts the workflow lists a page of entities asks for
// (fields, the entities' listings, objections, repairs and commitments),
// one batch per list, with what the query asks of the lists' objects;
// aliases of one list share its batch. Lists the caller may not read are
// left to their fields, which refuse them.
func prefetchWorkflows(ctx context.Context, usccs []string, fields []graphql.CollectedField) {
	l := loaders.For(ctx)
	asked := map[string][]graphql.CollectedField{}
	commitments := map[int][]graphql.CollectedField{} // the nodes asked for, by page size
	for _, f := range fields {
		switch f.Name {
		case "listings":
			asked[f.Name] = append(asked[f.Name], selected(ctx, f, "ListEntry")...)
		case "objections":
			asked[f.Name] = append(asked[f.Name], selected(ctx, f, "Objection")...)
		case "repairs":
			asked[f.Name] = append(asked[f.Name], selected(ctx, f, "Repair")...)
		case "commitments":
			args := f.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
			if args["after"] != nil {
				continue // a later page: asked entity by entity
			}
			first, ok := intArg(args["first"])
			if !ok {
				continue
			}
			n, err := pageSize(first)
			if err != nil {
				continue // the field reports it
			}
			commitments[n] = append(commitments[n], nodesOf(ctx, f, "CommitmentEdge", "Commitment")...)
		}
	}
	if sel, ok := asked["listings"]; ok {
		keys := make([]loaders.ListingsKey, len(usccs))
		for i, u := range usccs {
			keys[i] = loaders.ListingsKey{USCC: u, View: listingsView(ctx), Then: listEntryLists(ctx, sel)}
		}
		l.Listings.LoadAll(ctx, keys)
	}
	mayReadRecords := auth.Decide(ctx, auth.Shared, auth.ScopeRecordRead, auth.Subject{}) == nil
	if sel, ok := asked["objections"]; ok && mayReadRecords {
		l.Objections.LoadAll(ctx, entityObjectsKeys(usccs, historyHint(sel, workflow.WorkflowObjection)))
	}
	if sel, ok := asked["repairs"]; ok && mayReadRecords {
		l.Repairs.LoadAll(ctx, entityObjectsKeys(usccs, historyHint(sel, workflow.WorkflowRepair)))
	}
	for n, sel := range commitments {
		keys := make([]loaders.CommitmentsKey, len(usccs))
		for i, u := range usccs {
			keys[i] = loaders.CommitmentsKey{USCC: u, Limit: n + 1, ThenHistory: historyHint(sel, workflow.WorkflowCommitment)}
		}
		l.Commitments.LoadAll(ctx, keys)
	}
}

func entityObjectsKeys(usccs []string, thenHistory string) []loaders.EntityObjectsKey {
	keys := make([]loaders.EntityObjectsKey, len(usccs))
	for i, u := range usccs {
		keys[i] = loaders.EntityObjectsKey{USCC: u, ThenHistory: thenHistory}
	}
	return keys
}

// listEntryLists is what the query asks of list entries whose selected
// fields are sel: the lists to start as soon as they are read.
func listEntryLists(ctx context.Context, sel []graphql.CollectedField) loaders.ListEntryLists {
	var then loaders.ListEntryLists
	var cases []graphql.CollectedField
	for _, f := range sel {
		switch f.Name {
		case "interviews":
			then.Interviews = true
		case "cases":
			then.Cases = true
			cases = append(cases, selected(ctx, f, "JointCase")...)
		}
	}
	then.CaseLists = caseLists(cases)
	then.History = historyHint(sel, workflow.WorkflowListing)
	return then
}

// caseLists is what the query asks of joint-punishment cases whose
// selected fields are sel.
func caseLists(sel []graphql.CollectedField) loaders.CaseLists {
	var then loaders.CaseLists
	for _, f := range sel {
		switch f.Name {
		case "listEntry":
			then.ListEntry = true
		case "pushes":
			then.Pushes = true
		}
	}
	then.History = historyHint(sel, workflow.WorkflowCase)
	return then
}

// historyHint is machine when sel, the fields asked of its objects, holds
// their history; empty otherwise.
func historyHint(sel []graphql.CollectedField, machine string) string {
	for _, f := range sel {
		if f.Name == "history" {
			return machine
		}
	}
	return ""
}

// startNodes starts, for a batch of global IDs about to be resolved one by
// one (a router's _entities), the loads of the workflow objects among
// them: one statement per type whatever the scheduler does. IDs that do
// not decode are left to the resolution, which refuses them.
func startNodes(ctx context.Context, ids []string) {
	byType := map[string][]int64{}
	for _, id := range ids {
		typ, _, err := gid.Decode(id)
		if err != nil {
			continue
		}
		if n, ok := workflow.DecodeID(typ, id); ok {
			byType[typ] = append(byType[typ], n)
		}
	}
	l := loaders.For(ctx)
	for typ, ns := range byType {
		switch typ {
		case workflow.TypeCommitment:
			l.CommitmentByID.LoadAll(ctx, ns)
		case workflow.TypeListEntry:
			l.ListEntryByID.LoadAll(ctx, ns)
		case workflow.TypeJointCase:
			l.JointCaseByID.LoadAll(ctx, ns)
		case workflow.TypeObjection:
			l.ObjectionByID.LoadAll(ctx, ns)
		case workflow.TypeRepair:
			l.RepairByID.LoadAll(ctx, ns)
		}
	}
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

// prefetchEntityKeys starts, as one batch, the registry look-ups of every
// entityByKey at the root of the operation, however many aliases ask:
// left to the dataloader's wait window, root fields resolved in goroutines
// of their own can miss it on a busy machine and cost a statement each.
// Keys already loading are not asked again, so the fields after the first
// start nothing.
func prefetchEntityKeys(ctx context.Context) {
	opCtx := graphql.GetOperationContext(ctx)
	var keys []market.Key
	for _, f := range graphql.CollectFields(opCtx, opCtx.Operation.SelectionSet, []string{"Query"}) {
		if f.Name != "entityByKey" {
			continue
		}
		s, ok := f.ArgumentMap(opCtx.Variables)["key"].(string)
		if !ok {
			continue
		}
		if k, _, err := entityKey("key", s); err == nil {
			keys = append(keys, k)
		}
	}
	loaders.For(ctx).EntityByKey.LoadAll(ctx, keys)
}

// matchedEntityFields is the fields asked of the entity of the EntityMatch
// being resolved in ctx.
func matchedEntityFields(ctx context.Context) []graphql.CollectedField {
	opCtx := graphql.GetOperationContext(ctx)
	var out []graphql.CollectedField
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{"EntityMatch"}) {
		if f.Name == "entity" {
			out = append(out, graphql.CollectFields(opCtx, f.Selections, []string{"MarketEntity", "Node"})...)
		}
	}
	return out
}

// requestFromField is the records request a records(...) field selected
// elsewhere in the query will make for sub; false when its arguments are
// invalid (the field itself reports that).
func requestFromField(ctx context.Context, cat *catalogue.Catalogue, sub datasources.Subject, f graphql.CollectedField) (loaders.RecordsRequest, bool) {
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
	req, err := recordsRequest(ctx, cat, sub, filter, first, after)
	return req, err == nil
}

// sourcesNeedCounts mirrors MarketEntity.sources: counts are asked for
// when recordCount is selected or no records field answers the question.
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
	return nodeFields(opCtx, graphql.CollectFieldsCtx(ctx, nil), edgeType, nodeType)
}

// nodesOf is the fields asked of the nodes of connection field f.
func nodesOf(ctx context.Context, f graphql.CollectedField, edgeType, nodeType string) []graphql.CollectedField {
	opCtx := graphql.GetOperationContext(ctx)
	return nodeFields(opCtx, graphql.CollectFields(opCtx, f.Selections, nil), edgeType, nodeType)
}

// nodeFields is the fields asked of edges.node among a connection's
// selected fields.
func nodeFields(opCtx *graphql.OperationContext, conn []graphql.CollectedField, edgeType, nodeType string) []graphql.CollectedField {
	var out []graphql.CollectedField
	for _, edges := range conn {
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

// selected is the fields asked of f's objects of type typ.
func selected(ctx context.Context, f graphql.CollectedField, typ string) []graphql.CollectedField {
	return graphql.CollectFields(graphql.GetOperationContext(ctx), f.Selections, []string{typ})
}

// selectedHere is the fields asked of the objects the field being resolved
// in ctx returns.
func selectedHere(ctx context.Context, typ string) []graphql.CollectedField {
	if !graphql.HasOperationContext(ctx) || graphql.GetFieldContext(ctx) == nil {
		return nil
	}
	return graphql.CollectFieldsCtx(ctx, []string{typ})
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

func usccsOf(ents []*model.MarketEntity) []string {
	out := make([]string, len(ents))
	for i, e := range ents {
		out[i] = e.Uscc
	}
	return out
}

// rowIDs is the row ids of workflow objects; id gives an object's.
func rowIDs[T any](objs []T, id func(T) int64) []int64 {
	out := make([]int64, len(objs))
	for i, o := range objs {
		out[i] = id(o)
	}
	return out
}
