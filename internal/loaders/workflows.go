package loaders

import (
	"cmp"
	"context"
	"errors"

	"github.com/graph-gophers/dataloader/v7"

	"credithub/internal/hubdb"
)

// The workflows' lists live on the hub's own database: an entity's
// listings, objections, repairs and commitments, a listing's interviews and
// cases, a case's pushes, any object's history. A page of entities asking
// for them would cost one statement per entity and list; these loaders
// gather a level into one statement per list, as the departments' loaders
// do. They answer the hub's rows (hubdb): the resolvers map them to the
// workflows' objects, so that the loaders stay below the workflows.
//
// Below a list of workflow objects, the objects' own lists are batched the
// same way, and a level's children cost one statement per list whatever
// the scheduler does: gqlgen resolves each object's fields in a goroutine
// of its own, and left to the wait window the late ones could miss the
// batch. So a key carries what its caller will ask of the objects it reads
// (its Then), and the batch function starts those loads for the whole
// level as soon as it has read it, before any of the objects' fields is
// resolved; the fields' own loads then wait for them. What a key asks to
// start is a hint, not part of what it names: keys that differ only in it
// share one answer, and one batch starts what any of its keys asks.
//
// A mutation's steps change what the previous ones read: inside a mutation
// these loaders cache nothing (Batched.fresh), so that no step is answered
// with what an earlier one read.

// ListingsKey asks for an entity's list entries, as the caller may see
// them.
type ListingsKey struct {
	USCC string
	View ListingsView
	Then ListEntryLists
}

// ListingsView is what the caller may see of key-attention entries, which
// are shared among departments (T15): when HideKeyAttention is set, only
// those of the entity SeenBy (the caller itself), if any.
type ListingsView struct {
	HideKeyAttention bool
	SeenBy           string
}

// ListEntryLists are the lists to start loading for list entries as soon
// as they are read.
type ListEntryLists struct {
	Interviews bool
	// Cases starts the entries' joint-punishment cases, and with them what
	// CaseLists asks of the cases.
	Cases     bool
	CaseLists CaseLists
	// History names the workflow whose events to start for the entries
	// (the listings'); empty, none.
	History string
}

// CaseLists are the lists to start loading for joint-punishment cases as
// soon as they are read.
type CaseLists struct {
	// ListEntry starts the listings the cases were opened from.
	ListEntry bool
	Pushes    bool
	// History names the workflow whose events to start (the cases');
	// empty, none.
	History string
}

// EntityObjectsKey asks for an entity's objects of one workflow (its
// objections, its repairs).
type EntityObjectsKey struct {
	USCC string
	// ThenHistory names the workflow whose events to start for the objects
	// read; empty, none.
	ThenHistory string
}

// CommitmentsKey asks for an entity's newest commitments, at most Limit.
type CommitmentsKey struct {
	USCC  string
	Limit int
	// ThenHistory as for EntityObjectsKey.
	ThenHistory string
}

// CasesKey asks for the joint-punishment cases opened from a listing.
type CasesKey struct {
	ListEntry int64
	Then      CaseLists
}

// HistoryKey asks for the events of one object of a workflow.
type HistoryKey struct {
	Workflow string
	ID       int64
}

// newWorkflowLoaders builds the loaders of the workflows' rows.
func (l *Loaders) newWorkflowLoaders() {
	l.Listings = hubLoader(l, l.batchListings, func(k ListingsKey) ListingsKey { k.Then = ListEntryLists{}; return k })
	l.Objections = hubLoader(l, entityObjects(l, func(ctx context.Context, usccs []string) ([]hubdb.ObjectionRow, error) {
		return l.deps.Hub.Objections().Find(ctx, hubdb.ObjectionFilter{DeadlineFilter: hubdb.DeadlineFilter{USCCs: usccs}})
	}, func(o *hubdb.ObjectionRow) (string, int64) { return o.SubjectUSCC, o.ID }), withoutThenHistory)
	l.Repairs = hubLoader(l, entityObjects(l, func(ctx context.Context, usccs []string) ([]hubdb.RepairRow, error) {
		return l.deps.Hub.Repairs().Find(ctx, hubdb.DeadlineFilter{USCCs: usccs})
	}, func(r *hubdb.RepairRow) (string, int64) { return r.USCC, r.ID }), withoutThenHistory)
	l.Commitments = hubLoader(l, l.batchCommitments, func(k CommitmentsKey) CommitmentsKey { k.ThenHistory = ""; return k })
	l.Interviews = hubLoader(l, byParent(l.deps.Hub.ListEntries().InterviewsOf, func(iv *hubdb.InterviewRow) int64 { return iv.ListEntryID }), nil)
	l.Cases = hubLoader(l, l.batchCases, func(k CasesKey) CasesKey { k.Then = CaseLists{}; return k })
	l.Pushes = hubLoader(l, byParent(l.deps.Hub.JointCases().PushesOf, func(p *hubdb.CasePushRow) int64 { return p.CaseID }), nil)
	l.History = hubLoader(l, l.batchHistory, nil)
	l.CommitmentByID = hubLoader(l, byID(l.deps.Hub.Commitments().ByID, func(r *hubdb.CommitmentRow) int64 { return r.ID }), nil)
	l.ListEntryByID = hubLoader(l, byID(l.deps.Hub.ListEntries().ByID, func(r *hubdb.ListEntryRow) int64 { return r.ID }), nil)
	l.JointCaseByID = hubLoader(l, byID(l.deps.Hub.JointCases().ByID, func(r *hubdb.JointCaseRow) int64 { return r.ID }), nil)
	l.ObjectionByID = hubLoader(l, byID(l.deps.Hub.Objections().ByID, func(r *hubdb.ObjectionRow) int64 { return r.ID }), nil)
	l.RepairByID = hubLoader(l, byID(l.deps.Hub.Repairs().ByID, func(r *hubdb.RepairRow) int64 { return r.ID }), nil)
}

func withoutThenHistory(k EntityObjectsKey) EntityObjectsKey { k.ThenHistory = ""; return k }

// hubLoader is a loader of the hub's workflow rows: fresh inside a
// mutation (see Batched.Load); identity strips its keys' hints (nil: they
// carry none).
func hubLoader[K comparable, V any](l *Loaders, fn dataloader.BatchFunc[K, V], identity func(K) K) *Batched[K, V] {
	b := newBatched(l.wait, func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		if l.deps.Hub == nil {
			return fail[V](len(keys), errNoHub)
		}
		return fn(ctx, keys)
	}, identity)
	b.fresh = true
	return b
}

// errNoHub is the answer of every workflow loader when the loaders were
// built without the hub's database (tests of the departments alone).
var errNoHub = errors.New("loaders: no hub database to read the workflows from")

// StartListEntryLists starts, for list entries just read (by id), the
// loads of their lists that then asks for: one batch per list.
func (l *Loaders) StartListEntryLists(ctx context.Context, ids []int64, then ListEntryLists) {
	if len(ids) == 0 {
		return
	}
	if then.Interviews {
		l.Interviews.LoadAll(ctx, ids)
	}
	if then.Cases {
		keys := make([]CasesKey, len(ids))
		for i, id := range ids {
			keys[i] = CasesKey{ListEntry: id, Then: then.CaseLists}
		}
		l.Cases.LoadAll(ctx, keys)
	}
	l.StartHistory(ctx, then.History, ids)
}

// StartCaseLists starts, for cases just read (by id, with the ids of the
// listings they were opened from), the loads of their lists that then
// asks for.
func (l *Loaders) StartCaseLists(ctx context.Context, ids, entryIDs []int64, then CaseLists) {
	if len(ids) == 0 {
		return
	}
	if then.ListEntry {
		l.ListEntryByID.LoadAll(ctx, entryIDs)
	}
	if then.Pushes {
		l.Pushes.LoadAll(ctx, ids)
	}
	l.StartHistory(ctx, then.History, ids)
}

// StartHistory starts the events of objects of workflow just read; an
// empty workflow starts nothing.
func (l *Loaders) StartHistory(ctx context.Context, workflow string, ids []int64) {
	if workflow == "" || len(ids) == 0 {
		return
	}
	keys := make([]HistoryKey, len(ids))
	for i, id := range ids {
		keys[i] = HistoryKey{Workflow: workflow, ID: id}
	}
	l.History.LoadAll(ctx, keys)
}

// batchListings reads the entities' list entries in one statement per
// view (a request has one), newest first, and starts what the keys ask of
// them.
func (l *Loaders) batchListings(ctx context.Context, keys []ListingsKey) []*dataloader.Result[[]hubdb.ListEntryRow] {
	out := make([]*dataloader.Result[[]hubdb.ListEntryRow], len(keys))
	for view, idx := range groupKeys(keys, func(k ListingsKey) ListingsView { return k.View }) {
		usccs := make([]string, len(idx))
		var then ListEntryLists
		for j, i := range idx {
			usccs[j] = keys[i].USCC
			then = then.union(keys[i].Then)
		}
		rows, err := l.deps.Hub.ListEntries().Find(ctx, hubdb.ListEntryFilter{USCCs: usccs, Today: l.today,
			HideKeyAttention: view.HideKeyAttention, SeenBy: view.SeenBy})
		if err == nil {
			l.StartListEntryLists(ctx, idsOf(rows, func(r *hubdb.ListEntryRow) int64 { return r.ID }), then)
		}
		answer(out, idx, usccs, rows, err, func(r *hubdb.ListEntryRow) string { return r.USCC })
	}
	return out
}

// batchCommitments reads the entities' newest commitments in one
// statement per page size (a query asks one), and starts their history
// when a key asks for it.
func (l *Loaders) batchCommitments(ctx context.Context, keys []CommitmentsKey) []*dataloader.Result[[]hubdb.CommitmentRow] {
	out := make([]*dataloader.Result[[]hubdb.CommitmentRow], len(keys))
	for limit, idx := range groupKeys(keys, func(k CommitmentsKey) int { return k.Limit }) {
		usccs := make([]string, len(idx))
		history := ""
		for j, i := range idx {
			usccs[j] = keys[i].USCC
			history = cmp.Or(history, keys[i].ThenHistory)
		}
		rows, err := l.deps.Hub.Commitments().Of(ctx, usccs, limit)
		if err == nil {
			l.StartHistory(ctx, history, idsOf(rows, func(c *hubdb.CommitmentRow) int64 { return c.ID }))
		}
		answer(out, idx, usccs, rows, err, func(c *hubdb.CommitmentRow) string { return c.USCC })
	}
	return out
}

// entityObjects is the batch function of an entity-keyed list of one
// workflow's objects: find reads the entities' objects in one statement,
// newest first; of gives an object's entity and id.
func entityObjects[R any](l *Loaders, find func(ctx context.Context, usccs []string) ([]R, error), of func(*R) (string, int64)) dataloader.BatchFunc[EntityObjectsKey, []R] {
	return func(ctx context.Context, keys []EntityObjectsKey) []*dataloader.Result[[]R] {
		usccs := make([]string, len(keys))
		history := ""
		for i, k := range keys {
			usccs[i] = k.USCC
			history = cmp.Or(history, k.ThenHistory)
		}
		rows, err := find(ctx, usccs)
		if err == nil {
			l.StartHistory(ctx, history, idsOf(rows, func(r *R) int64 { _, id := of(r); return id }))
		}
		out := make([]*dataloader.Result[[]R], len(keys))
		answer(out, indexes(len(keys)), usccs, rows, err, func(r *R) string { u, _ := of(r); return u })
		return out
	}
}

// batchCases reads the listings' cases in one statement and starts what
// the keys ask of them.
func (l *Loaders) batchCases(ctx context.Context, keys []CasesKey) []*dataloader.Result[[]hubdb.JointCaseRow] {
	entries := make([]int64, len(keys))
	var then CaseLists
	for i, k := range keys {
		entries[i] = k.ListEntry
		then = then.union(k.Then)
	}
	rows, err := l.deps.Hub.JointCases().OfEntries(ctx, entries)
	if err == nil {
		l.StartCaseLists(ctx, idsOf(rows, func(c *hubdb.JointCaseRow) int64 { return c.ID }),
			idsOf(rows, func(c *hubdb.JointCaseRow) int64 { return c.ListEntryID }), then)
	}
	out := make([]*dataloader.Result[[]hubdb.JointCaseRow], len(keys))
	answer(out, indexes(len(keys)), entries, rows, err, func(c *hubdb.JointCaseRow) int64 { return c.ListEntryID })
	return out
}

// batchHistory reads the objects' events in one statement per workflow (a
// batch usually holds one), oldest first.
func (l *Loaders) batchHistory(ctx context.Context, keys []HistoryKey) []*dataloader.Result[[]hubdb.EventRow] {
	out := make([]*dataloader.Result[[]hubdb.EventRow], len(keys))
	for workflow, idx := range groupKeys(keys, func(k HistoryKey) string { return k.Workflow }) {
		ids := make([]int64, len(idx))
		for j, i := range idx {
			ids[j] = keys[i].ID
		}
		found, err := l.deps.Hub.History().Of(ctx, workflow, ids)
		for j, i := range idx {
			out[i] = &dataloader.Result[[]hubdb.EventRow]{Data: nonNil(found[ids[j]]), Error: err}
		}
	}
	return out
}

// byParent is the batch function of a list per parent object (a listing's
// interviews, a case's pushes), read in one statement: parent gives a
// row's parent id.
func byParent[R any](read func(ctx context.Context, ids []int64) ([]R, error), parent func(*R) int64) dataloader.BatchFunc[int64, []R] {
	return func(ctx context.Context, ids []int64) []*dataloader.Result[[]R] {
		rows, err := read(ctx, ids)
		out := make([]*dataloader.Result[[]R], len(ids))
		answer(out, indexes(len(ids)), ids, rows, err, parent)
		return out
	}
}

// byID is the batch function of objects by row id, read in one statement:
// a missing id is nil, not an error.
func byID[R any](read func(ctx context.Context, ids []int64) ([]R, error), id func(*R) int64) dataloader.BatchFunc[int64, *R] {
	return func(ctx context.Context, ids []int64) []*dataloader.Result[*R] {
		rows, err := read(ctx, ids)
		if err != nil {
			return fail[*R](len(ids), err)
		}
		found := make(map[int64]*R, len(rows))
		for i := range rows {
			found[id(&rows[i])] = &rows[i]
		}
		out := make([]*dataloader.Result[*R], len(ids))
		for i, n := range ids {
			out[i] = &dataloader.Result[*R]{Data: found[n]}
		}
		return out
	}
}

// answer fills out at idx, whose keys are keys, with each key's rows in
// the order the statement gave them; owner gives a row's key. A key
// without rows is an empty list, not null.
func answer[K comparable, R any](out []*dataloader.Result[[]R], idx []int, keys []K, rows []R, err error, owner func(*R) K) {
	by := map[K][]R{}
	for i := range rows {
		k := owner(&rows[i])
		by[k] = append(by[k], rows[i])
	}
	for j, i := range idx {
		out[i] = &dataloader.Result[[]R]{Data: nonNil(by[keys[j]]), Error: err}
	}
}

// groupKeys gives the indexes of keys by what group says of them.
func groupKeys[K any, G comparable](keys []K, group func(K) G) map[G][]int {
	out := map[G][]int{}
	for i, k := range keys {
		g := group(k)
		out[g] = append(out[g], i)
	}
	return out
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func idsOf[R any](rows []R, id func(*R) int64) []int64 {
	out := make([]int64, len(rows))
	for i := range rows {
		out[i] = id(&rows[i])
	}
	return out
}

// nonNil keeps an object without rows an empty list, not null.
func nonNil[V any](s []V) []V {
	if s == nil {
		return []V{}
	}
	return s
}

// union is what either of t and u asks to start.
func (t ListEntryLists) union(u ListEntryLists) ListEntryLists {
	return ListEntryLists{Interviews: t.Interviews || u.Interviews, Cases: t.Cases || u.Cases,
		CaseLists: t.CaseLists.union(u.CaseLists), History: cmp.Or(t.History, u.History)}
}

// union is what either of t and u asks to start.
func (t CaseLists) union(u CaseLists) CaseLists {
	return CaseLists{ListEntry: t.ListEntry || u.ListEntry, Pushes: t.Pushes || u.Pushes, History: cmp.Or(t.History, u.History)}
}
