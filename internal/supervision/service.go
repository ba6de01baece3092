package supervision

// The supervision service and how it reads the departments: through the
// Departments interface (a request's loaders, wired in internal/app), under
// its own principal (SystemContext) for a check or a grade, under the
// caller's for a report.

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/scalars"
)

// Service applies the supervision models (measures, grades, inspection
// ratios) to the unified record. The models are read from the hub's
// database once, at start-up: they change by migration, with their legal
// source. One Service serves every request.
type Service struct {
	// DB is the hub's database.
	DB *hubdb.DB
	// Registry is the market regulator's registry (the population of
	// grades and inspection plans).
	Registry market.Registry
	// RegistryTimeout bounds a read of the registry (default 10s).
	RegistryTimeout time.Duration
	// Departments returns the departments as ctx's request reads them (its
	// loaders): the checks and grades of one request share their
	// statements.
	Departments func(ctx context.Context) Departments
	// BatchDepartments returns a reader of the departments of its own, for
	// a batch outside any request's cache (the grade jobs, a recompute,
	// the grades a plan lacks): nothing it reads outlives the batch.
	BatchDepartments func() Departments
	Logger           *slog.Logger
	Now              func() time.Time

	// Measures is the measures catalogue the checks apply.
	Measures *catalogue.Measures

	model *Model
	kinds []credit.Kind
}

// Departments is what supervision reads of the departments, the hub's
// records and the registry, through one request's loaders.
type Departments interface {
	// Catalogue is the information catalogue.
	Catalogue() *catalogue.Catalogue
	// Today is the date the request is answered on.
	Today() scalars.Date
	// Records returns one page of a subject's records across the
	// departments and the hub, in the graph's order, with the departments
	// that did not answer.
	Records(ctx context.Context, q RecordsQuery) RecordsPage
	// Prefetch starts the first page of each query as one batch per
	// department, without waiting; Records then finds its loads under way.
	// The subjects' registry rows must be known (their old keys are in
	// the subjects).
	Prefetch(ctx context.Context, qs []RecordsQuery)
	// Entity returns the registered entity with a code; nil when the
	// registry holds none.
	Entity(ctx context.Context, uscc string) (*market.Entity, error)
	// PrefetchEntities starts the registry rows of usccs as one statement,
	// without waiting.
	PrefetchEntities(ctx context.Context, usccs []string)
	// Members returns an entity's responsible persons.
	Members(ctx context.Context, uscc string) ([]market.Member, error)
	// FulfilledCommitments counts an entity's fulfilled commitments.
	FulfilledCommitments(ctx context.Context, uscc string) (int, error)
	// PrefetchFulfilledCommitments starts the counts of usccs as one
	// statement, without waiting.
	PrefetchFulfilledCommitments(ctx context.Context, usccs []string)
}

// RecordsQuery asks for one page of a subject's records.
type RecordsQuery struct {
	Subject datasources.Subject
	// Kinds are the kinds read; none reads nothing.
	Kinds []credit.Kind
	First int
	// After is the last record of the previous page; zero from the start.
	After datasources.Cursor
	// Visible, when set, drops records row by row (what SQL cannot tell,
	// such as a publicity period that ran out).
	Visible func(credit.Record) bool
}

// RecordsPage is one page of a subject's records.
type RecordsPage struct {
	Records []credit.Record
	HasNext bool
	// End is where the next page starts when it is not after the page's
	// last record; zero otherwise.
	End datasources.Cursor
	// Failed are the departments that did not answer, with why.
	Failed []Unavailable
}

// Unavailable is a department that did not answer, with why.
type Unavailable struct {
	Department credit.Department
	Err        error
}

// LoadModels reads the grading model; call it once, before the service
// answers, with Measures set.
func (s *Service) LoadModels(ctx context.Context) error {
	m, err := LoadModel(ctx, s.DB.Grades())
	if err != nil {
		return err
	}
	s.model = m
	s.kinds = factKinds(s.Measures.All())
	return nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Model returns the grading model.
func (s *Service) Model() *Model { return s.model }

// factKinds are the record kinds a check or a grade reads: every kind that
// can count against an entity (it carries a severity, or it is a listing),
// the industry rating and complaints the grade reads, and whatever a
// measure names. Licences, discharge permits and qualification
// certificates, the bulk of the departments' rows, never count, nor do the
// decisions that carry no dishonesty class (confirmations, levies,
// benefits, adjudications, compensations); rewards count as the reward
// measures name them.
func factKinds(ms []*catalogue.Measure) []credit.Kind {
	never := []credit.Kind{credit.KindLicence, credit.KindDischargePermit, credit.KindQualification,
		credit.KindConfirmation, credit.KindLevy, credit.KindBenefit, credit.KindAdjudication, credit.KindCompensation}
	var out []credit.Kind
	for _, k := range credit.Kinds {
		named := false
		for _, m := range ms {
			named = named || slices.Contains(m.RecordKinds, k)
		}
		if named || !slices.Contains(never, k) {
			out = append(out, k)
		}
	}
	return out
}

// SystemContext returns ctx (the request's, with its loaders, deadline and
// statement counters) acting as the supervision itself: a check and a grade
// read every record of an entity whoever asks, and the caller sees only the
// answer. The principal reads shared entity data and records, nothing
// personal.
func SystemContext(ctx context.Context) context.Context {
	return systemContext(ctx, auth.ScopeEntityRead, auth.ScopeRecordRead)
}

// personSystemContext is SystemContext for a person check: it reads the
// person's personal records too, under the purpose the caller declared
// (the graph has checked the caller may read the person and logs what
// leaves).
func personSystemContext(ctx context.Context) context.Context {
	return systemContext(ctx, auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopePersonRead)
}

func systemContext(ctx context.Context, scopes ...string) context.Context {
	asker := auth.FromContext(ctx)
	p := auth.NewPrincipal("supervision", hubdb.Source, auth.KindDepartment, scopes, asker.TokenID())
	return auth.NewContext(ctx, p)
}

// maxRecords bounds one read of an entity's records; an entity with more
// is read in further pages.
const maxRecords = 5000

// Fetched is one subject's records and the departments that did not answer.
type Fetched struct {
	Records []credit.Record
	Failed  []credit.Department
}

// Complete reports whether every department answered.
func (f Fetched) Complete() bool { return len(f.Failed) == 0 }

// viewQuery is the first page of sub's records of the kinds read wants
// that ctx's principal may see, first records long.
func viewQuery(ctx context.Context, cat *catalogue.Catalogue, sub datasources.Subject, read func(credit.Kind) bool, first int) RecordsQuery {
	view := auth.ViewOf(ctx, auth.Subject{USCC: sub.USCC, IDNumber: sub.IDNumber})
	q := RecordsQuery{Subject: sub, First: first}
	for _, e := range cat.Entries() {
		p := e.EntityPublicity
		if sub.IsPerson() {
			p = e.PersonPublicity
		}
		if view.Publicities.Has(p) && read(e.Kind) {
			q.Kinds = append(q.Kinds, e.Kind)
		}
	}
	if view.PublicOnly {
		q.Visible = view.Sees
	}
	return q
}

// factsQuery is the records query of a check or grade for sub, under the
// view of ctx's principal (the system's, see SystemContext).
func (s *Service) factsQuery(ctx context.Context, d Departments, sub datasources.Subject) RecordsQuery {
	return viewQuery(ctx, d.Catalogue(), sub, func(k credit.Kind) bool { return slices.Contains(s.kinds, k) }, maxRecords)
}

// fetch reads the records of every subject from every department and the
// hub, under ctx's principal (SystemContext), as one batch per department
// when prefetch is set (the subjects' registry rows must then be known:
// their old keys are in the subjects). Without prefetch, concurrent calls
// are batched by the loaders' wait.
func (s *Service) fetch(ctx context.Context, d Departments, subjects []datasources.Subject, prefetch bool) []Fetched {
	qs := make([]RecordsQuery, len(subjects))
	for i, sub := range subjects {
		qs[i] = s.factsQuery(ctx, d, sub)
	}
	if prefetch {
		d.Prefetch(ctx, qs)
	}
	out := make([]Fetched, len(subjects))
	for i, q := range qs {
		failed := map[string]credit.Department{}
		for {
			page := d.Records(ctx, q)
			out[i].Records = append(out[i].Records, page.Records...)
			for _, f := range page.Failed {
				failed[f.Department.Code] = f.Department
			}
			if !page.HasNext {
				break
			}
			if page.End != (datasources.Cursor{}) {
				q.After = page.End
			} else if n := len(page.Records); n > 0 {
				q.After = datasources.CursorOf(page.Records[n-1])
			} else {
				break
			}
		}
		out[i].Failed = sortedDepartments(failed)
	}
	return out
}

func sortedDepartments(m map[string]credit.Department) []credit.Department {
	out := make([]credit.Department, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return departmentRank(out[i].Code) < departmentRank(out[j].Code) })
	return out
}

func departmentRank(code string) int {
	for i, d := range datasources.Departments {
		if d.Code == code {
			return i
		}
	}
	return len(datasources.Departments)
}

// SubjectOf is every key the departments may file a registered entity
// under.
func SubjectOf(e *market.Entity) datasources.Subject {
	s := datasources.Subject{USCC: e.USCC, OrgCode: ident.OrgCodeOf(e.USCC)}
	if e.RegNo.Valid {
		s.RegNo = e.RegNo.String
	}
	return s
}

// registryCtx bounds a read of the registry by the registry's budget.
func (s *Service) registryCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	timeout := 10 * time.Second
	if s.RegistryTimeout > 0 {
		timeout = s.RegistryTimeout
	}
	return context.WithTimeout(ctx, timeout)
}

// listEntities reads a page of the registry within the registry's budget.
func (s *Service) listEntities(ctx context.Context, f market.ListFilter, after string, limit int) ([]*market.Entity, error) {
	rctx, cancel := s.registryCtx(ctx)
	defer cancel()
	page, err := s.Registry.ListEntities(rctx, f, after, limit)
	if err != nil {
		return nil, apperr.Unavailable(datasources.Market, err)
	}
	return page, nil
}

// entitiesByUSCC reads the registry rows of usccs, in their order (the
// order in which gradeBatch's upsert locks their rows), within the
// registry's budget; codes the registry does not know are left out.
func (s *Service) entitiesByUSCC(ctx context.Context, usccs []string) ([]*market.Entity, error) {
	rctx, cancel := s.registryCtx(ctx)
	defer cancel()
	found, err := s.Registry.EntitiesByUSCC(rctx, usccs)
	if err != nil {
		return nil, apperr.Unavailable(datasources.Market, err)
	}
	out := make([]*market.Entity, 0, len(found))
	for _, u := range usccs {
		if e, ok := found[u]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}
