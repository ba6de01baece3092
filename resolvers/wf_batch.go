package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/graph-gophers/dataloader/v7"

	"credithub/auth"
	"credithub/graph/model"
	"credithub/loaders"
	"credithub/workflow"
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

func (r *Resolver) listingsLoader(ctx context.Context) *loaders.Batched[string, []*workflow.ListEntry] {
	return loaders.Local(ctx, "workflow.listings", func(ctx context.Context, usccs []string) []*dataloader.Result[[]*workflow.ListEntry] {
		f := workflow.ListEntryFilter{USCCs: usccs}
		keyAttentionView(ctx, &f)
		rows, err := r.Workflows.ListEntries(ctx, f)
		return groupByEntity(usccs, rows, err, func(e *workflow.ListEntry) string { return e.USCC })
	})
}

func (r *Resolver) objectionsLoader(ctx context.Context) *loaders.Batched[string, []*workflow.Objection] {
	return loaders.Local(ctx, "workflow.objections", func(ctx context.Context, usccs []string) []*dataloader.Result[[]*workflow.Objection] {
		rows, err := r.Workflows.Objections(ctx, workflow.ObjectionFilter{USCCs: usccs}, 0, 0)
		return groupByEntity(usccs, rows, err, func(o *workflow.Objection) string { return o.SubjectUSCC })
	})
}

func (r *Resolver) repairsLoader(ctx context.Context) *loaders.Batched[string, []*workflow.Repair] {
	return loaders.Local(ctx, "workflow.repairs", func(ctx context.Context, usccs []string) []*dataloader.Result[[]*workflow.Repair] {
		rows, err := r.Workflows.Repairs(ctx, workflow.RepairFilter{USCCs: usccs}, 0, 0)
		return groupByEntity(usccs, rows, err, func(p *workflow.Repair) string { return p.USCC })
	})
}

func (r *Resolver) commitmentsLoader(ctx context.Context) *loaders.Batched[commitmentsKey, []*workflow.Commitment] {
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
		r.listingsLoader(ctx).LoadAll(ctx, usccs)
	case "objections":
		if auth.Decide(ctx, auth.Shared, auth.ScopeRecordRead, auth.Subject{}) == nil {
			r.objectionsLoader(ctx).LoadAll(ctx, usccs)
		}
	case "repairs":
		if auth.Decide(ctx, auth.Shared, auth.ScopeRecordRead, auth.Subject{}) == nil {
			r.repairsLoader(ctx).LoadAll(ctx, usccs)
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
		r.commitmentsLoader(ctx).LoadAll(ctx, keys)
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
	rows, err := r.commitmentsLoader(ctx).Load(ctx, commitmentsKey{obj.Uscc, n + 1})()
	if err != nil {
		return nil, err
	}
	return commitmentConnection(rows, n, nil), nil
}
