// Package loaders fans the graph's questions out to the departments.
//
// A Loaders value is built per request (Middleware) and read with For(ctx):
// it holds one dataloader per department and question, so that the records
// of a hundred entities listed in one query cost one statement per
// department, and it never outlives the request, because what it caches is
// what one caller asked for. The departments are asked concurrently; each
// batch runs under its department's own timeout, and a department that fails
// fails alone (SOURCE_UNAVAILABLE naming it) while the others answer.
//
// The workflows' lists on the hub's own database (an entity's listings, a
// listing's cases, any object's history, …) are batched here too, one
// typed loader per question (workflows.go): the loaders read the hub's rows
// (internal/hubdb) and the resolvers map them to the workflows' objects,
// so that nothing here knows the services above.
package loaders

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/graph-gophers/dataloader/v7"
	"github.com/vektah/gqlparser/v2/ast"

	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/obs"
	"credithub/internal/scalars"
)

// Department is a department's record source with its time budget.
type Department struct {
	Source  datasources.Source
	Timeout time.Duration
	// Internal is the hub's own database (hubdb.RecordSource): read like a
	// department's and listed in `sources`, but its records are shown
	// under the department that decided them, so a filter on sources
	// selects its rows one by one (the city-wide stream), and it owes no
	// publication of its own (T26) and counts its records for cityStats in
	// the hub's one statement.
	Internal bool
	// Breaker fails the department fast while it is down (nil: none).
	Breaker *Breaker
}

// Deps are what the loaders fan out to. One Deps is shared by all requests.
type Deps struct {
	Registry        market.Registry
	RegistryTimeout time.Duration
	Departments     []Department
	Catalogue       *catalogue.Catalogue
	// Overlays applies the hub's overlays (objections, repairs) to a record.
	Overlays func(credit.Record)
	Now      func() time.Time
	Logger   *slog.Logger
	// Wait is how long a loader collects keys before it sends a batch.
	Wait time.Duration
	// Metrics records batches (nil: none).
	Metrics *obs.Metrics
	// Hub is the hub's own database: the workflows' rows, and the facts of
	// grades the hub itself keeps (fulfilled commitments).
	Hub *hubdb.DB
}

// BatchCapacity bounds the keys of one batch: well below PostgreSQL's 65535
// parameters (each batch sends a handful of arrays, so this is about
// statement size and per-subject LIMIT work, not parameters).
const BatchCapacity = 500

// RecordsKey asks one department for one subject's records.
type RecordsKey struct {
	Subject datasources.Subject
	Query   datasources.Query
}

// Loaders are one request's dataloaders.
type Loaders struct {
	deps   *Deps
	today  scalars.Date
	Entity *Batched[string, *market.Entity]
	// EntityByKey finds entities by any of their keys (entityByKey); what it
	// finds primes Entity.
	EntityByKey *Batched[market.Key, *market.Entity]
	Members     *Batched[string, []market.Member]
	Roles       *Batched[string, []market.Member]
	records     map[string]*Batched[RecordsKey, []*datasources.Row]
	counts      map[string]*Batched[datasources.Subject, int]
	byRef       map[string]*Batched[credit.Ref, credit.Record]
	// Fulfilled counts entities' fulfilled commitments (a fact of their
	// grades) on the hub's database.
	Fulfilled *Batched[string, int]

	// The workflows' lists and objects, on the hub's database, one loader
	// per question (workflows.go). Listings, Objections, Repairs and
	// Commitments are entities' lists.
	Listings    *Batched[ListingsKey, []hubdb.ListEntryRow]
	Objections  *Batched[EntityObjectsKey, []hubdb.ObjectionRow]
	Repairs     *Batched[EntityObjectsKey, []hubdb.RepairRow]
	Commitments *Batched[CommitmentsKey, []hubdb.CommitmentRow]
	// Interviews and Cases are listings' lists (by list entry id); Pushes,
	// a case's (by case id); History, any object's.
	Interviews *Batched[int64, []hubdb.InterviewRow]
	Cases      *Batched[CasesKey, []hubdb.JointCaseRow]
	Pushes     *Batched[int64, []hubdb.CasePushRow]
	History    *Batched[HistoryKey, []hubdb.EventRow]
	// The ByID loaders read objects by row id (nil when there is none):
	// node(id) asked many times in a query, a router's _entities, a page
	// of cases' list entries.
	CommitmentByID *Batched[int64, *hubdb.CommitmentRow]
	ListEntryByID  *Batched[int64, *hubdb.ListEntryRow]
	JointCaseByID  *Batched[int64, *hubdb.JointCaseRow]
	ObjectionByID  *Batched[int64, *hubdb.ObjectionRow]
	RepairByID     *Batched[int64, *hubdb.RepairRow]

	wait time.Duration

	// entityIDs are the registry row ids of the entities this request has
	// read, by code: batchMembers reads the members of those by id.
	idsMu     sync.Mutex
	entityIDs map[string]int64
}

type ctxKey struct{}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the request's loaders. It panics when the middleware did not
// run: that is a wiring bug, and the server's recover turns it into an
// internal error.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loaders.For: no loaders in context; is loaders.Middleware installed?")
	}
	return l
}

// New builds the loaders for one request.
func New(d *Deps) *Loaders {
	// List resolvers batch a whole level with LoadAll, so the wait window
	// only has to gather the fields of one object, resolved within
	// microseconds of each other; every microsecond of it is latency.
	wait := d.Wait
	if wait <= 0 {
		wait = 250 * time.Microsecond
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	l := &Loaders{
		deps:    d,
		today:   scalars.DateOf(now()),
		records: map[string]*Batched[RecordsKey, []*datasources.Row]{},
		counts:  map[string]*Batched[datasources.Subject, int]{},
		byRef:   map[string]*Batched[credit.Ref, credit.Record]{},
	}
	l.wait = wait
	l.Entity = NewBatched(wait, l.batchEntities)
	l.EntityByKey = NewBatched(wait, l.batchEntitiesByKey)
	l.Members = NewBatched(wait, l.batchMembers)
	l.Roles = NewBatched(wait, l.batchRoles)
	l.Fulfilled = NewBatched(wait, l.batchFulfilled)
	for _, dep := range d.Departments {
		code := dep.Source.Department().Code
		l.records[code] = NewBatched(wait, l.batchRecords(dep))
		l.counts[code] = NewBatched(wait, l.batchCounts(dep))
		l.byRef[code] = NewBatched(wait, l.batchByRef(dep))
	}
	l.newWorkflowLoaders()
	return l
}

// inMutation reports whether ctx is a mutation's: the hub's workflow
// loaders cache nothing there (Batched.Load).
func inMutation(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	return op != nil && op.Operation == ast.Mutation
}

// Today is the date the request is answered on.
func (l *Loaders) Today() scalars.Date { return l.today }

// Catalogue returns the information catalogue.
func (l *Loaders) Catalogue() *catalogue.Catalogue { return l.deps.Catalogue }

// Departments returns the departments the hub fans out to.
func (l *Loaders) Departments() []Department { return l.deps.Departments }

// fail gives every key the same error.
func fail[V any](n int, err error) []*dataloader.Result[V] {
	out := make([]*dataloader.Result[V], n)
	for i := range out {
		out[i] = &dataloader.Result[V]{Error: err}
	}
	return out
}

// unavailable wraps a department's failure for clients and logs its cause.
func (l *Loaders) unavailable(ctx context.Context, source string, err error) error {
	if l.deps.Logger != nil {
		l.deps.Logger.WarnContext(ctx, "department did not answer", "source", source, "err", err)
	}
	return apperr.Unavailable(source, err)
}

// registry is the market regulator's department entry: the registry lives
// in its database, behind its breaker and timeout.
func (l *Loaders) registry() Department {
	for _, d := range l.deps.Departments {
		if d.Source.Department().Code == datasources.Market {
			return d
		}
	}
	return Department{Source: registrySource{}, Timeout: l.deps.RegistryTimeout}
}

// registrySource names the registry when no market department is wired
// (tests of the loaders alone).
type registrySource struct{ datasources.Source }

func (registrySource) Department() credit.Department {
	d, _ := datasources.DepartmentByCode(datasources.Market)
	return *d
}

func (l *Loaders) batchEntities(ctx context.Context, usccs []string) []*dataloader.Result[*market.Entity] {
	var found map[string]*market.Entity
	err := l.call(ctx, l.registry(), "entities", len(usccs), func(ctx context.Context) (err error) {
		found, err = l.deps.Registry.EntitiesByUSCC(ctx, usccs)
		return err
	})
	if err != nil {
		return fail[*market.Entity](len(usccs), err)
	}
	l.knowEntities(maps.Values(found))
	out := make([]*dataloader.Result[*market.Entity], len(usccs))
	for i, u := range usccs {
		// An unknown entity is not an error: the graph answers null.
		out[i] = &dataloader.Result[*market.Entity]{Data: found[u]}
	}
	return out
}

func (l *Loaders) batchEntitiesByKey(ctx context.Context, keys []market.Key) []*dataloader.Result[*market.Entity] {
	var found map[market.Key]*market.Entity
	err := l.call(ctx, l.registry(), "entitiesByKey", len(keys), func(ctx context.Context) (err error) {
		found, err = l.deps.Registry.EntitiesByKey(ctx, keys)
		return err
	})
	if err != nil {
		return fail[*market.Entity](len(keys), err)
	}
	l.knowEntities(maps.Values(found))
	out := make([]*dataloader.Result[*market.Entity], len(keys))
	for i, k := range keys {
		// An unknown key is not an error: the graph answers null.
		out[i] = &dataloader.Result[*market.Entity]{Data: found[k]}
		if e := found[k]; e != nil {
			l.Entity.Prime(ctx, e.USCC, e) // the entity's fields find the row without asking again
		}
	}
	return out
}

// PrimeEntity files an entity row the caller has read itself (a page of
// the registry): its fields find it without asking again, and its members
// are read by its id.
func (l *Loaders) PrimeEntity(ctx context.Context, e *market.Entity) {
	l.knowEntities(slices.Values([]*market.Entity{e}))
	l.Entity.Prime(ctx, e.USCC, e)
}

// knowEntities records the row ids of entities read in this request.
func (l *Loaders) knowEntities(es iter.Seq[*market.Entity]) {
	l.idsMu.Lock()
	defer l.idsMu.Unlock()
	if l.entityIDs == nil {
		l.entityIDs = map[string]int64{}
	}
	for e := range es {
		if e != nil {
			l.entityIDs[e.USCC] = e.ID
		}
	}
}

// knownIDs returns the row id of every code, or nil unless this request
// has read every one of them.
func (l *Loaders) knownIDs(usccs []string) map[int64]string {
	l.idsMu.Lock()
	defer l.idsMu.Unlock()
	codes := make(map[int64]string, len(usccs))
	for _, u := range usccs {
		id, ok := l.entityIDs[u]
		if !ok {
			return nil
		}
		codes[id] = u
	}
	return codes
}

// batchMembers reads the members of a batch of entities in one statement:
// by their row ids when the request has read every one of them (a page of
// the registry, entityByKey, _entities), which spares the join back to
// registry_entity; by code otherwise (entity(uscc) asks for them while
// its row is being read).
func (l *Loaders) batchMembers(ctx context.Context, usccs []string) []*dataloader.Result[[]market.Member] {
	var found map[string][]market.Member
	codes := l.knownIDs(usccs)
	err := l.call(ctx, l.registry(), "members", len(usccs), func(ctx context.Context) (err error) {
		if codes != nil {
			found, err = l.deps.Registry.MembersByEntityID(ctx, codes)
			return err
		}
		found, err = l.deps.Registry.MembersByUSCC(ctx, usccs)
		return err
	})
	if err != nil {
		return fail[[]market.Member](len(usccs), err)
	}
	out := make([]*dataloader.Result[[]market.Member], len(usccs))
	for i, u := range usccs {
		out[i] = &dataloader.Result[[]market.Member]{Data: found[u]}
	}
	return out
}

func (l *Loaders) batchRoles(ctx context.Context, idNos []string) []*dataloader.Result[[]market.Member] {
	var found map[string][]market.Member
	err := l.call(ctx, l.registry(), "roles", len(idNos), func(ctx context.Context) (err error) {
		found, err = l.deps.Registry.MembersByIDNumber(ctx, idNos)
		return err
	})
	if err != nil {
		return fail[[]market.Member](len(idNos), err)
	}
	out := make([]*dataloader.Result[[]market.Member], len(idNos))
	for i, id := range idNos {
		out[i] = &dataloader.Result[[]market.Member]{Data: found[id]}
	}
	return out
}

// batchFulfilled counts fulfilled commitments on the hub's database, in
// one statement. The hub's database is not a department: no breaker or
// department budget applies.
func (l *Loaders) batchFulfilled(ctx context.Context, usccs []string) []*dataloader.Result[int] {
	if l.deps.Hub == nil {
		return fail[int](len(usccs), errNoHub)
	}
	counts, err := l.deps.Hub.Grades().FulfilledCommitments(ctx, usccs)
	out := make([]*dataloader.Result[int], len(usccs))
	for i, u := range usccs {
		out[i] = &dataloader.Result[int]{Data: counts[u], Error: err}
	}
	return out
}

// batchRecords sends one statement per distinct query shape; a page of
// entities asking the same thing shares one. Rows are decoded (and
// annotated) only when the merge puts them on a page.
func (l *Loaders) batchRecords(dep Department) dataloader.BatchFunc[RecordsKey, []*datasources.Row] {
	return func(ctx context.Context, keys []RecordsKey) []*dataloader.Result[[]*datasources.Row] {
		out := make([]*dataloader.Result[[]*datasources.Row], len(keys))
		groups := map[datasources.Query][]int{}
		var order []datasources.Query
		for i, k := range keys {
			if _, ok := groups[k.Query]; !ok {
				order = append(order, k.Query)
			}
			groups[k.Query] = append(groups[k.Query], i)
		}
		for _, q := range order {
			idx := groups[q]
			subjects := make([]datasources.Subject, len(idx))
			for j, i := range idx {
				subjects[j] = keys[i].Subject
			}
			var found map[string][]*datasources.Row
			err := l.call(ctx, dep, "records", len(subjects), func(ctx context.Context) (err error) {
				found, err = dep.Source.Rows(ctx, subjects, q)
				return err
			})
			for j, i := range idx {
				if err != nil {
					out[i] = &dataloader.Result[[]*datasources.Row]{Error: err}
					continue
				}
				rows := found[subjects[j].Key()]
				for _, r := range rows {
					r.Then = l.annotate
				}
				out[i] = &dataloader.Result[[]*datasources.Row]{Data: rows}
			}
		}
		return out
	}
}

func (l *Loaders) batchCounts(dep Department) dataloader.BatchFunc[datasources.Subject, int] {
	return func(ctx context.Context, subjects []datasources.Subject) []*dataloader.Result[int] {
		var found map[string]int
		err := l.call(ctx, dep, "counts", len(subjects), func(ctx context.Context) (err error) {
			found, err = dep.Source.Counts(ctx, subjects)
			return err
		})
		if err != nil {
			return fail[int](len(subjects), err)
		}
		out := make([]*dataloader.Result[int], len(subjects))
		for i, s := range subjects {
			out[i] = &dataloader.Result[int]{Data: found[s.Key()]}
		}
		return out
	}
}

func (l *Loaders) batchByRef(dep Department) dataloader.BatchFunc[credit.Ref, credit.Record] {
	return func(ctx context.Context, refs []credit.Ref) []*dataloader.Result[credit.Record] {
		var found map[credit.Ref]credit.Record
		err := l.call(ctx, dep, "byRef", len(refs), func(ctx context.Context) (err error) {
			found, err = dep.Source.ByRef(ctx, refs)
			return err
		})
		if err != nil {
			return fail[credit.Record](len(refs), err)
		}
		out := make([]*dataloader.Result[credit.Record], len(refs))
		for i, ref := range refs {
			r := found[ref]
			if r != nil {
				l.annotate(r)
			}
			out[i] = &dataloader.Result[credit.Record]{Data: r}
		}
		return out
	}
}

// annotate applies what the hub knows on top of a department's record: the
// catalogue (publicity, disclosure, expiry), then its own overlays.
func (l *Loaders) annotate(r credit.Record) {
	l.deps.Catalogue.Annotate(r, l.today)
	if l.deps.Overlays != nil {
		l.deps.Overlays(r)
	}
}

// Record fetches one record by reference; nil when it does not exist.
func (l *Loaders) Record(ctx context.Context, ref credit.Ref) (credit.Record, error) {
	ld, ok := l.byRef[ref.Source]
	if !ok {
		return nil, nil
	}
	return ld.Load(ctx, ref)()
}

// StartRecords starts one batch per department for the records refs
// (Record's loads, by reference), without waiting: a level that shows
// many records by reference reads each department once.
func (l *Loaders) StartRecords(ctx context.Context, refs []credit.Ref) {
	bySource := map[string][]credit.Ref{}
	for _, ref := range refs {
		bySource[ref.Source] = append(bySource[ref.Source], ref)
	}
	for source, rs := range bySource {
		if ld, ok := l.byRef[source]; ok {
			ld.LoadAll(ctx, rs)
		}
	}
}

// SourceStatus is whether one department answered for one subject.
type SourceStatus struct {
	Department credit.Department
	Count      int
	Err        error
}

// Sources asks every department that may hold the subject's records how many
// it has, concurrently, and reports who answered.
func (l *Loaders) Sources(ctx context.Context, s datasources.Subject) []SourceStatus {
	type pending struct {
		dept  credit.Department
		thunk dataloader.Thunk[int]
	}
	var ps []pending
	for _, dep := range l.deps.Departments {
		if s.IsPerson() && !dep.Source.HoldsPersons() {
			continue
		}
		d := dep.Source.Department()
		ps = append(ps, pending{d, l.counts[d.Code].Load(ctx, dep.Source.Key(s))})
	}
	out := make([]SourceStatus, len(ps))
	for i, p := range ps {
		n, err := p.thunk()
		out[i] = SourceStatus{Department: p.dept, Count: n, Err: err}
	}
	return out
}

// String describes a key in logs.
func (k RecordsKey) String() string { return fmt.Sprintf("%s %+v", k.Subject.Key(), k.Query) }

// RegistryTimeout is the registry's time budget.
func (l *Loaders) RegistryTimeout() time.Duration { return l.deps.RegistryTimeout }
