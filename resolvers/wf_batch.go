package resolvers

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/graph-gophers/dataloader/v7"

	"credithub/auth"
	"credithub/graph/model"
	"credithub/internal/gid"
	"credithub/internal/loaders"
	"credithub/internal/workflow"
)

// A page of entities asking for their workflows (a dashboard listing
// entities with their listings and objections, say) would send the hub's
// database one statement per entity and list. These loaders gather a
// level's entities into one statement per list, the way the departments'
// loaders do, and prefetchEntities starts them for the whole page at once.

// commitmentsKey asks for an entity's newest n commitments.
type commitmentsKey struct {
	uscc string
	n    int
}

// listingsLoader reads entities' list entries; sel, the ListEntry fields
// the query asks for (of whichever caller makes the loader first), says
// which of the entries' own lists to start loading with them.
func (r *Resolver) listingsLoader(ctx context.Context, sel []graphql.CollectedField) *loaders.Batched[string, []*workflow.ListEntry] {
	return loaders.Local(ctx, "workflow.listings", func(ctx context.Context, usccs []string) []*dataloader.Result[[]*workflow.ListEntry] {
		f := workflow.ListEntryFilter{USCCs: usccs}
		keyAttentionView(ctx, &f)
		rows, err := r.Workflows.ListEntries(ctx, f)
		if err == nil {
			r.primeListEntries(ctx, sel, rows)
		}
		return groupByEntity(usccs, rows, err, func(e *workflow.ListEntry) string { return e.USCC })
	})
}

// objectionsLoader reads entities' objections; sel as for listingsLoader.
func (r *Resolver) objectionsLoader(ctx context.Context, sel []graphql.CollectedField) *loaders.Batched[string, []*workflow.Objection] {
	return loaders.Local(ctx, "workflow.objections", func(ctx context.Context, usccs []string) []*dataloader.Result[[]*workflow.Objection] {
		rows, err := r.Workflows.Objections(ctx, workflow.ObjectionFilter{USCCs: usccs}, 0, 0)
		if err == nil {
			primeHistory(ctx, r, sel, workflow.WorkflowObjection, rows, func(o *workflow.Objection) int64 { return o.DBID })
		}
		return groupByEntity(usccs, rows, err, func(o *workflow.Objection) string { return o.SubjectUSCC })
	})
}

// repairsLoader reads entities' repairs; sel as for listingsLoader.
func (r *Resolver) repairsLoader(ctx context.Context, sel []graphql.CollectedField) *loaders.Batched[string, []*workflow.Repair] {
	return loaders.Local(ctx, "workflow.repairs", func(ctx context.Context, usccs []string) []*dataloader.Result[[]*workflow.Repair] {
		rows, err := r.Workflows.Repairs(ctx, workflow.RepairFilter{USCCs: usccs}, 0, 0)
		if err == nil {
			primeHistory(ctx, r, sel, workflow.WorkflowRepair, rows, func(o *workflow.Repair) int64 { return o.DBID })
		}
		return groupByEntity(usccs, rows, err, func(p *workflow.Repair) string { return p.USCC })
	})
}

// commitmentsLoader reads entities' first pages of commitments; sel, the
// Commitment fields asked for, as for listingsLoader.
func (r *Resolver) commitmentsLoader(ctx context.Context, sel []graphql.CollectedField) *loaders.Batched[commitmentsKey, []*workflow.Commitment] {
	return loaders.Local(ctx, "workflow.commitments", func(ctx context.Context, keys []commitmentsKey) []*dataloader.Result[[]*workflow.Commitment] {
		// One statement per page size asked for: a query asks one.
		bySize := map[int][]string{}
		for _, k := range keys {
			bySize[k.n] = append(bySize[k.n], k.uscc)
		}
		found := map[commitmentsKey][]*workflow.Commitment{}
		for n, usccs := range bySize {
			rows, err := r.Workflows.CommitmentsOf(ctx, usccs, n)
			if err != nil {
				return failAll[[]*workflow.Commitment](len(keys), err)
			}
			primeHistory(ctx, r, sel, workflow.WorkflowCommitment, rows, func(c *workflow.Commitment) int64 { return c.DBID })
			for _, c := range rows {
				k := commitmentsKey{c.USCC, n}
				found[k] = append(found[k], c)
			}
		}
		out := make([]*dataloader.Result[[]*workflow.Commitment], len(keys))
		for i, k := range keys {
			out[i] = &dataloader.Result[[]*workflow.Commitment]{Data: nonNil(found[k])}
		}
		return out
	})
}

// groupByEntity answers each key with its rows, in the order the statement
// gave them (newest first).
func groupByEntity[V any](usccs []string, rows []V, err error, uscc func(V) string) []*dataloader.Result[[]V] {
	if err != nil {
		return failAll[[]V](len(usccs), err)
	}
	by := map[string][]V{}
	for _, v := range rows {
		by[uscc(v)] = append(by[uscc(v)], v)
	}
	out := make([]*dataloader.Result[[]V], len(usccs))
	for i, u := range usccs {
		out[i] = &dataloader.Result[[]V]{Data: nonNil(by[u])}
	}
	return out
}

func failAll[V any](n int, err error) []*dataloader.Result[V] {
	out := make([]*dataloader.Result[V], n)
	for i := range out {
		out[i] = &dataloader.Result[V]{Error: err}
	}
	return out
}

// nonNil keeps an entity without rows an empty list, not null.
func nonNil[V any](s []V) []V {
	if s == nil {
		return []V{}
	}
	return s
}

// prefetchWorkflows starts the workflow lists a page of entities asks for,
// one batch each (see prefetchEntities). Lists the caller may not read are
// left to their fields, which refuse them.
func (r *Resolver) prefetchWorkflows(ctx context.Context, usccs []string, f graphql.CollectedField) {
	switch f.Name {
	case "listings":
		r.listingsLoader(ctx, selected(ctx, f, "ListEntry")).LoadAll(ctx, usccs)
	case "objections":
		if auth.Decide(ctx, auth.Shared, auth.ScopeRecordRead, auth.Subject{}) == nil {
			r.objectionsLoader(ctx, selected(ctx, f, "Objection")).LoadAll(ctx, usccs)
		}
	case "repairs":
		if auth.Decide(ctx, auth.Shared, auth.ScopeRecordRead, auth.Subject{}) == nil {
			r.repairsLoader(ctx, selected(ctx, f, "Repair")).LoadAll(ctx, usccs)
		}
	case "commitments":
		args := f.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
		if args["after"] != nil {
			return // a later page: asked entity by entity
		}
		first, ok := intArg(args["first"])
		if !ok {
			return
		}
		n, err := pageSize(first)
		if err != nil {
			return // the field reports it
		}
		keys := make([]commitmentsKey, len(usccs))
		for i, u := range usccs {
			keys[i] = commitmentsKey{u, n + 1}
		}
		r.commitmentsLoader(ctx, nodesOf(ctx, f, "CommitmentEdge", "Commitment")).LoadAll(ctx, keys)
	}
}

// entityCommitments is an entity's commitments connection: the first page
// through the batch, later pages by themselves.
func (r *Resolver) entityCommitments(ctx context.Context, obj *model.MarketEntity, first *int, after *string) (*model.CommitmentConnection, error) {
	if after != nil {
		return r.commitmentsConnection(ctx, workflow.CommitmentFilter{USCC: obj.Uscc}, first, after)
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	rows, err := r.commitmentsLoader(ctx, fieldsUnderEdges(ctx, "CommitmentEdge", "Commitment")).Load(ctx, commitmentsKey{obj.Uscc, n + 1})()
	if err != nil {
		return nil, err
	}
	return commitmentConnection(rows, n, nil), nil
}

// Below a list of workflow objects (a page of listings, an entity's cases),
// each object's own lists are batched the same way: one statement per list
// for a level's objects. Gqlgen resolves each object's fields in its own
// goroutine, and left to the wait window the late ones can miss the batch;
// so when a level is read, the loads of what the query asks of it are
// started at once for all its objects (primeListEntries, primeCases), and
// the fields' own loads wait for those.

// byObject is a request's loader of one list per workflow object, keyed by
// the object's row id, fetched in one statement per batch; then, when set,
// starts what is asked of the objects it read.
func byObject[V any](ctx context.Context, name string, fetch func(ctx context.Context, ids []int64) (map[int64][]V, error), then func(ctx context.Context, read []V)) *loaders.Batched[int64, []V] {
	return loaders.Local(ctx, name, func(ctx context.Context, ids []int64) []*dataloader.Result[[]V] {
		by, err := fetch(ctx, ids)
		if err != nil {
			return failAll[[]V](len(ids), err)
		}
		if then != nil {
			var read []V
			for _, id := range ids {
				read = append(read, by[id]...)
			}
			then(ctx, read)
		}
		out := make([]*dataloader.Result[[]V], len(ids))
		for i, id := range ids {
			out[i] = &dataloader.Result[[]V]{Data: nonNil(by[id])}
		}
		return out
	})
}

// selected is the fields asked of f's objects of type typ.
func selected(ctx context.Context, f graphql.CollectedField, typ string) []graphql.CollectedField {
	return graphql.CollectFields(graphql.GetOperationContext(ctx), f.Selections, []string{typ})
}

// nodesOf is the fields asked of the nodes of connection field f.
func nodesOf(ctx context.Context, f graphql.CollectedField, edgeType, nodeType string) []graphql.CollectedField {
	opCtx := graphql.GetOperationContext(ctx)
	var out []graphql.CollectedField
	for _, edges := range graphql.CollectFields(opCtx, f.Selections, nil) {
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

// selectedHere is the fields asked of the objects the field being resolved
// in ctx returns.
func selectedHere(ctx context.Context, typ string) []graphql.CollectedField {
	if !graphql.HasOperationContext(ctx) || graphql.GetFieldContext(ctx) == nil {
		return nil
	}
	return graphql.CollectFieldsCtx(ctx, []string{typ})
}

func (r *Resolver) interviewsLoader(ctx context.Context) *loaders.Batched[int64, []*workflow.Interview] {
	return byObject(ctx, "workflow.interviews", r.Workflows.InterviewsOf, nil)
}

// casesLoader reads listings' cases; sel as for listingsLoader.
func (r *Resolver) casesLoader(ctx context.Context, sel []graphql.CollectedField) *loaders.Batched[int64, []*workflow.JointCase] {
	return byObject(ctx, "workflow.cases", r.Workflows.CasesOfEntries, func(ctx context.Context, cases []*workflow.JointCase) {
		r.primeCases(ctx, sel, cases)
	})
}

func (r *Resolver) pushesLoader(ctx context.Context) *loaders.Batched[int64, []*workflow.CasePush] {
	return byObject(ctx, "workflow.pushes", r.Workflows.PushesOf, nil)
}

func (r *Resolver) historyLoader(ctx context.Context, machine string) *loaders.Batched[int64, []*workflow.Event] {
	return byObject(ctx, "workflow.history."+machine, func(ctx context.Context, ids []int64) (map[int64][]*workflow.Event, error) {
		return r.Workflows.History(ctx, machine, ids)
	}, nil)
}

// primeListEntries starts, for entries just read, the loads of their lists
// that sel asks for.
func (r *Resolver) primeListEntries(ctx context.Context, sel []graphql.CollectedField, entries []*workflow.ListEntry) {
	if len(entries) == 0 {
		return
	}
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.DBID
	}
	for _, f := range sel {
		switch f.Name {
		case "interviews":
			r.interviewsLoader(ctx).LoadAll(ctx, ids)
		case "history":
			r.historyLoader(ctx, workflow.WorkflowListing).LoadAll(ctx, ids)
		case "cases":
			r.casesLoader(ctx, selected(ctx, f, "JointCase")).LoadAll(ctx, ids)
		}
	}
}

// primeHistory starts the history of workflow objects just read when sel
// asks for it; id gives an object's row id.
func primeHistory[T any](ctx context.Context, r *Resolver, sel []graphql.CollectedField, machine string, objs []T, id func(T) int64) {
	if len(objs) == 0 || !slices.ContainsFunc(sel, func(f graphql.CollectedField) bool { return f.Name == "history" }) {
		return
	}
	ids := make([]int64, len(objs))
	for i, o := range objs {
		ids[i] = id(o)
	}
	r.historyLoader(ctx, machine).LoadAll(ctx, ids)
}

// primeCases starts, for cases just read, the loads of their lists that
// sel asks for.
func (r *Resolver) primeCases(ctx context.Context, sel []graphql.CollectedField, cases []*workflow.JointCase) {
	if len(cases) == 0 {
		return
	}
	ids := make([]int64, len(cases))
	for i, c := range cases {
		ids[i] = c.DBID
	}
	for _, f := range sel {
		switch f.Name {
		case "listEntry":
			entries := make([]int64, len(cases))
			for i, c := range cases {
				entries[i] = c.ListEntryDBID
			}
			r.listEntryByID(ctx).LoadAll(ctx, entries)
		case "pushes":
			r.pushesLoader(ctx).LoadAll(ctx, ids)
		case "history":
			r.historyLoader(ctx, workflow.WorkflowCase).LoadAll(ctx, ids)
		}
	}
}

func (r *Resolver) interviewsOf(ctx context.Context, entryID int64) ([]*workflow.Interview, error) {
	return r.interviewsLoader(ctx).Load(ctx, entryID)()
}

func (r *Resolver) casesOf(ctx context.Context, entryID int64) ([]*workflow.JointCase, error) {
	return r.casesLoader(ctx, selectedHere(ctx, "JointCase")).Load(ctx, entryID)()
}

func (r *Resolver) pushesOf(ctx context.Context, caseID int64) ([]*workflow.CasePush, error) {
	return r.pushesLoader(ctx).Load(ctx, caseID)()
}

// history is a workflow object's events, oldest first.
func (r *Resolver) history(ctx context.Context, machine string, id int64) ([]*workflow.Event, error) {
	return r.historyLoader(ctx, machine).Load(ctx, id)()
}

// byID is a request's loader of one workflow object per row id (nil when
// there is none), fetched in one statement per batch: node(id) asked many
// times in a query, a router's _entities, a page of cases' list entries.
func byID[V any](ctx context.Context, name string, fetch func(ctx context.Context, ids []int64) (map[int64]*V, error)) *loaders.Batched[int64, *V] {
	return loaders.Local(ctx, name, func(ctx context.Context, ids []int64) []*dataloader.Result[*V] {
		found, err := fetch(ctx, ids)
		if err != nil {
			return failAll[*V](len(ids), err)
		}
		out := make([]*dataloader.Result[*V], len(ids))
		for i, id := range ids {
			out[i] = &dataloader.Result[*V]{Data: found[id]}
		}
		return out
	})
}

func (r *Resolver) commitmentByID(ctx context.Context) *loaders.Batched[int64, *workflow.Commitment] {
	return byID(ctx, "workflow.commitment", r.Workflows.CommitmentsByID)
}

func (r *Resolver) listEntryByID(ctx context.Context) *loaders.Batched[int64, *workflow.ListEntry] {
	return byID(ctx, "workflow.listEntry", r.Workflows.ListEntriesByID)
}

func (r *Resolver) jointCaseByID(ctx context.Context) *loaders.Batched[int64, *workflow.JointCase] {
	return byID(ctx, "workflow.jointCase", r.Workflows.JointCasesByID)
}

func (r *Resolver) objectionByID(ctx context.Context) *loaders.Batched[int64, *workflow.Objection] {
	return byID(ctx, "workflow.objection", r.Workflows.ObjectionsByID)
}

func (r *Resolver) repairByID(ctx context.Context) *loaders.Batched[int64, *workflow.Repair] {
	return byID(ctx, "workflow.repair", r.Workflows.RepairsByID)
}

// primeNodes starts, for a batch of global IDs about to be resolved one by
// one (a router's _entities), the loads of the workflow objects among
// them: one statement per type whatever the scheduler does. IDs that do
// not decode are left to the resolution, which refuses them.
func (r *Resolver) primeNodes(ctx context.Context, ids []string) {
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
	for typ, ns := range byType {
		switch typ {
		case workflow.TypeCommitment:
			r.commitmentByID(ctx).LoadAll(ctx, ns)
		case workflow.TypeListEntry:
			r.listEntryByID(ctx).LoadAll(ctx, ns)
		case workflow.TypeJointCase:
			r.jointCaseByID(ctx).LoadAll(ctx, ns)
		case workflow.TypeObjection:
			r.objectionByID(ctx).LoadAll(ctx, ns)
		case workflow.TypeRepair:
			r.repairByID(ctx).LoadAll(ctx, ns)
		}
	}
}
