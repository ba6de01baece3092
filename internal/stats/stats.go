// Package stats answers the city-wide figures of dashboards (cityStats,
// issue #13): each department counts its records in one grouped statement,
// and the hub's own records and its workflows in one statement of the
// hub's database. Openness is decided by the caller
// (the resolver) and arrives here as the kinds and sections it may count.
package stats

import (
	"context"
	"slices"
	"sync"
	"time"

	"credithub/datasources"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
)

// DivisionReader is the registry's map of entities to divisions.
type DivisionReader interface {
	Divisions(ctx context.Context) (datasources.EntityDivisions, error)
}

// Service computes cityStats.
type Service struct {
	Registry DivisionReader
	// RegistryTimeout bounds the registry's answer.
	RegistryTimeout time.Duration
	// State applies the overlays to the records of the city-wide stream.
	State *hubdb.State
	Hub   *hubdb.DB
	// MapTTL is how long the map of entities to divisions is kept before
	// the registry is read again (default 5 minutes). An entity registered
	// since is counted under no division until then.
	MapTTL time.Duration
	// Now is the clock (tests set it).
	Now func() time.Time

	mu       sync.Mutex
	divs     datasources.EntityDivisions
	byUSCC   map[string]string
	usccOf   map[string]string // an old registration number or organisation code → the unified code
	loadedAt time.Time
}

// Request is what a caller asks.
type Request struct {
	From, To, Today scalars.Date
	// Divisions restricts the figures to entities of these (nil: all).
	Divisions []string
	// EntityKinds and PersonKinds are the kinds the caller may read among
	// records about entities and about natural persons.
	EntityKinds, PersonKinds []credit.Kind
	// Shared says the caller may read the shared figures (entity:read);
	// Want names the hub's sections asked for.
	Shared bool
	Want   Sections
}

// Sections are the hub's figures a request asks for.
type Sections struct {
	ListingFlows, ListedNow, Commitments, Objections, Repairs, Grades, Checks, Warnings, DishonestShare bool
}

// RecordCount is a cell of the records figure.
type RecordCount struct {
	Month      string
	Department string
	Division   string
	Kind       credit.Kind
	Count      int
}

// DisclosureCount is a cell of the disclosure figure (T26).
type DisclosureCount struct {
	Department                                string
	Kind                                      credit.Kind
	Division                                  string
	Decisions, OnTime, Late, Overdue, Pending int
}

// Failure is a department that did not answer.
type Failure struct {
	Department credit.Department
	Err        error
}

// Result is the figures.
type Result struct {
	Records    []RecordCount
	Disclosure []DisclosureCount
	Hub        *HubFigures
	Failed     []Failure
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// divisions returns the registry's map, read again when older than MapTTL.
func (s *Service) divisions(ctx context.Context) (datasources.EntityDivisions, map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ttl := s.MapTTL
	if ttl == 0 {
		ttl = 5 * time.Minute
	}
	if s.byUSCC != nil && s.now().Sub(s.loadedAt) < ttl {
		return s.divs, s.byUSCC, nil
	}
	if s.RegistryTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.RegistryTimeout)
		defer cancel()
	}
	d, err := s.Registry.Divisions(ctx)
	if err != nil {
		// An old map is better than none; no map at all places every
		// record in no division.
		return s.divs, s.byUSCC, err
	}
	s.divs, s.loadedAt = d, s.now()
	s.byUSCC = make(map[string]string, d.Len())
	s.usccOf = make(map[string]string, 2*d.Len())
	for i, u := range d.USCCs {
		s.byUSCC[u] = d.Divisions[i]
		if len(u) == 18 {
			s.usccOf[u[8:17]] = u
		}
		if d.RegNos[i] != "" {
			s.usccOf[d.RegNos[i]] = u
		}
	}
	return s.divs, s.byUSCC, nil
}

// only keeps the entities of divisions (all when nil).
func only(d datasources.EntityDivisions, divisions []string) datasources.EntityDivisions {
	if divisions == nil {
		return d
	}
	var out datasources.EntityDivisions
	for i, div := range d.Divisions {
		if slices.Contains(divisions, div) {
			out.USCCs = append(out.USCCs, d.USCCs[i])
			out.RegNos = append(out.RegNos, d.RegNos[i])
			out.Divisions = append(out.Divisions, div)
		}
	}
	return out
}

// City computes the figures: one statement per department (and one for the
// map of divisions when it is stale), and one of the hub's database for
// the sections asked and the hub's own records.
func (s *Service) City(ctx context.Context, req Request) (*Result, error) {
	l := loaders.For(ctx)
	cat := l.Catalogue()
	res := &Result{}
	divs, byUSCC, derr := s.divisions(ctx)
	if derr != nil {
		if d, ok := datasources.DepartmentByCode(datasources.Market); ok {
			res.Failed = append(res.Failed, Failure{Department: *d, Err: derr})
		}
	}
	q := datasources.StatsQuery{
		From: req.From.String(), To: req.To.String(), Today: req.Today.String(),
		EntityKinds: req.EntityKinds, PersonKinds: req.PersonKinds, Disclosing: disclosing(cat),
	}
	s.mu.Lock()
	usccOf := s.usccOf
	s.mu.Unlock()
	// divisionOf places a department's key: a unified code, or an old
	// registration number or organisation code the registry maps to one.
	divisionOf := func(key string) string {
		if d, ok := byUSCC[key]; ok {
			return d
		}
		return byUSCC[usccOf[key]]
	}
	cal := cat.Calendar()
	for d := req.From.Time(); !d.After(req.To.Time()); d = d.AddDate(0, 0, 1) {
		q.DueDays = append(q.DueDays, scalars.DateOf(d).String())
		q.DueDates = append(q.DueDates, scalars.DateOf(cal.AddWorkingDays(d, catalogue.DisclosureWorkingDays)).String())
	}

	type answer struct {
		dept   credit.Department
		counts []datasources.StatsCount
		err    error
	}
	var answers []*answer
	var wg sync.WaitGroup
	for _, dep := range l.Departments() {
		sc, ok := dep.Source.(datasources.StatsCounter)
		if dep.Internal || !ok {
			continue
		}
		a := &answer{dept: dep.Source.Department()}
		answers = append(answers, a)
		wg.Go(func() {
			ctx := ctx
			if dep.Timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, dep.Timeout)
				defer cancel()
			}
			a.counts, a.err = sc.Stats(ctx, q)
		})
	}
	// The hub's figures and its own records, in the one statement of its
	// database.
	var hubErr error
	var held []hubdb.CityRow
	if req.Want != (Sections{}) || len(req.EntityKinds) > 0 || len(req.PersonKinds) > 0 {
		wg.Go(func() { res.Hub, held, hubErr = s.hub(ctx, req, only(divs, req.Divisions), divisionOf) })
	}
	wg.Wait()
	if hubErr != nil {
		return nil, hubErr
	}

	recs := map[RecordCount]int{}
	discs := map[DisclosureCount]*DisclosureCount{}
	for _, a := range answers {
		if a.err != nil {
			if !slices.ContainsFunc(res.Failed, func(f Failure) bool { return f.Department.Code == a.dept.Code }) {
				res.Failed = append(res.Failed, Failure{Department: a.dept, Err: a.err})
			}
			continue
		}
		for _, c := range a.counts {
			div := ""
			if c.Key != "" {
				div = divisionOf(c.Key)
			}
			if req.Divisions != nil && !slices.Contains(req.Divisions, div) {
				continue
			}
			recs[RecordCount{Month: c.Month, Department: a.dept.Code, Division: div, Kind: c.Kind}] += c.Count
			if c.Disclosure == "" {
				continue
			}
			key := DisclosureCount{Department: a.dept.Code, Kind: c.Kind, Division: div}
			d := discs[key]
			if d == nil {
				d = &key
				discs[key] = d
			}
			d.Decisions += c.Count
			switch c.Disclosure {
			case datasources.DisclosedOnTime:
				d.OnTime += c.Count
			case datasources.DisclosedLate:
				d.Late += c.Count
			case datasources.DisclosureDue:
				d.Overdue += c.Count
			default:
				d.Pending += c.Count
			}
		}
	}
	// The hub's own records, each under the source it is shown under.
	for _, c := range held {
		div := ""
		if c.C != "" {
			div = divisionOf(c.C)
		}
		if req.Divisions != nil && !slices.Contains(req.Divisions, div) {
			continue
		}
		recs[RecordCount{Month: c.A, Department: c.D, Division: div, Kind: credit.Kind(c.B)}] += c.N
	}
	for k, n := range recs {
		k.Count = n
		res.Records = append(res.Records, k)
	}
	slices.SortFunc(res.Records, func(a, b RecordCount) int {
		return cmpAll(cmpStr(a.Month, b.Month), deptRank(a.Department)-deptRank(b.Department), cmpStr(a.Division, b.Division), cmpStr(string(a.Kind), string(b.Kind)))
	})
	for _, d := range discs {
		res.Disclosure = append(res.Disclosure, *d)
	}
	slices.SortFunc(res.Disclosure, func(a, b DisclosureCount) int {
		return cmpAll(deptRank(a.Department)-deptRank(b.Department), cmpStr(string(a.Kind), string(b.Kind)), cmpStr(a.Division, b.Division))
	})
	slices.SortFunc(res.Failed, func(a, b Failure) int { return deptRank(a.Department.Code) - deptRank(b.Department.Code) })
	return res, nil
}

func disclosing(cat *catalogue.Catalogue) []credit.Kind {
	var ks []credit.Kind
	for _, e := range cat.Entries() {
		if e.DisclosureRequired {
			ks = append(ks, e.Kind)
		}
	}
	return ks
}

func kindSet(ks []credit.Kind) map[credit.Kind]bool {
	m := make(map[credit.Kind]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m
}

func deptRank(code string) int {
	for i, d := range datasources.Departments {
		if d.Code == code {
			return i
		}
	}
	return len(datasources.Departments)
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpAll(cs ...int) int {
	for _, c := range cs {
		if c != 0 {
			return c
		}
	}
	return 0
}
