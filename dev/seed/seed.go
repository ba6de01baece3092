// Package seed seeds the hub's workflows in the local set-up: the synthetic
// city's commitments, list entries with their interviews and
// joint-punishment cases, objections, repairs, agencies' findings,
// entities' self-declared information and industry associations with
// their members' records in
// every state, so that a
// dashboard team sees realistic cases on first start.
//
// Every seeded state is reached through the state machines of package
// workflow, by the methods the mutations call — the same state checks, the
// same history rows, the same effects (hub records, overlays, pushes) — so
// that a seeded state is always one a user could reach. Each transition
// runs at its planned moment and by its planned actor: the entity itself,
// a clerk of the identifying department, the credit office. The history
// reads as if the people had done it then, and what a transition checks
// against "today" (a deadline passed, a minimum publication period over)
// holds as of that moment.
//
// Objections, repairs and listings are about real records of the
// departments, read from their databases after they were seeded, as they
// stand on the world's reference day; everything is deterministic from the
// world's seed. The first showcase entity (entity 0) has an item in
// every state of every workflow, for the README's examples; the showcases'
// most recent warnings are one in each state of their handling.
//
// The plans draw from the world's "hub" stream in the order the hub's seed
// always drew, so that a world keeps the timeline, the clerks and the
// records it always had (tests and examples count on some of them). Where
// that timeline had two repairs, or two objections, of one record open at
// once, which the state machines refuse, the one planned later moves before
// the other or, when it cannot end in time, is left out; so is an objection
// that would revoke a record before a repair of it was applied for.
package seed

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/dev/world"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
	"credithub/internal/workflow"
)

// Probe is the hub's table that is empty exactly when its workflows need
// seeding (datasources.Setup.SeedAfterProbe).
const Probe = "workflow_history"

// recordYears is how far back the workflows reach for records: a listing
// rests on recent decisions, objections are filed soon after publication,
// and no dishonesty information is published (or repaired) for longer.
const recordYears = 4

// Workflows seeds the hub's workflows into db (migrated, its workflows
// empty) from w and the departments' records (sources, already seeded): it
// plans what every entity gets, then makes the transitions in batches
// (workflow.Service.Batch) of consecutive entities side by side (write),
// each entity's in the order of their moments, and announces the change
// once. A batch's few kinds of statements are prepared once
// (hubdb.DB.TransactPrepared).
func Workflows(ctx context.Context, db *sqldb.DB, w *world.World, sources []datasources.Source) error {
	hub := hubdb.New(db.DB)
	s, err := newSeeder(ctx, hub, w)
	if err != nil {
		return err
	}
	plans, err := s.plan()
	if err != nil {
		return err
	}
	var subjects []datasources.Subject
	for _, p := range plans {
		s.entities[p.e.USCC] = p.e
		if p.needsRecords() {
			subjects = append(subjects, datasources.Subject{USCC: p.e.USCC, OrgCode: p.e.OrgCode, RegNo: p.e.RegNo})
		}
	}
	since := scalars.DateOf(w.RefDate.AddDate(-recordYears, 0, 0)).String()
	records, err := departmentRecords(ctx, sources, subjects, datasources.Query{From: since, Kinds: workflowKinds()})
	if err != nil {
		return fmt.Errorf("reading the departments' records for the hub's workflows: %w", err)
	}
	for _, rs := range records {
		for _, r := range rs {
			s.records[r.Common().Ref] = r
		}
	}
	if err := s.publicEmployees(ctx, hub); err != nil {
		return fmt.Errorf("the public employees: %w", err)
	}
	work := make([]*timeline, 0, len(plans))
	for _, p := range plans {
		work = append(work, s.entity(p, records[p.e.USCC]))
	}
	s.findings(plans, work, records)
	s.declarations(plans, work)
	var showcases []credit.Record
	for _, e := range w.Showcases() {
		showcases = append(showcases, records[e.USCC]...)
	}
	s.prune()
	if err := s.write(ctx, db, hub, work); err != nil {
		return err
	}
	if err := s.showcaseWarnings(ctx, hub, showcases); err != nil {
		return fmt.Errorf("the showcase's warnings: %w", err)
	}
	if err := s.acknowledgeNotifications(ctx, hub); err != nil {
		return fmt.Errorf("the notifications' acknowledgements: %w", err)
	}
	if err := s.associations(ctx, hub); err != nil {
		return fmt.Errorf("the industry associations: %w", err)
	}
	return s.flows.Announce(ctx)
}

// workflowKinds are the kinds of record the workflows are planned on:
// every kind but the decisions T26 added (coercion, confirmation, levy,
// benefit, adjudication, compensation, reward), which came later, so that
// the objections, repairs and listings keep the records they always had.
func workflowKinds() datasources.KindSet {
	later := []credit.Kind{credit.KindCoercion, credit.KindConfirmation, credit.KindLevy, credit.KindBenefit,
		credit.KindAdjudication, credit.KindCompensation, credit.KindReward}
	var ks []credit.Kind
	for _, k := range credit.Kinds {
		if !slices.Contains(later, k) {
			ks = append(ks, k)
		}
	}
	return datasources.KindSetOf(ks...)
}

// departmentRecords reads the subjects' records from every department,
// in batches, a few at a time per department; the result lists each
// subject's records department by department in the contract's order.
func departmentRecords(ctx context.Context, sources []datasources.Source, subjects []datasources.Subject, q datasources.Query) (map[string][]credit.Record, error) {
	const batch, perDepartment = 500, 4
	nBatches := (len(subjects) + batch - 1) / batch
	found := make([][]map[string][]credit.Record, len(sources))
	g, gctx := errgroup.WithContext(ctx)
	for i, src := range sources {
		found[i] = make([]map[string][]credit.Record, nBatches)
		sem := make(chan struct{}, perDepartment)
		for b := range nBatches {
			g.Go(func() error {
				sem <- struct{}{}
				defer func() { <-sem }()
				part := subjects[b*batch : min((b+1)*batch, len(subjects))]
				keys := make([]datasources.Subject, len(part))
				for j, sub := range part {
					keys[j] = src.Key(sub)
				}
				var err error
				if found[i][b], err = src.Records(gctx, keys, q); err != nil {
					return fmt.Errorf("%s: %w", src.Department().Code, err)
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	per := make([]map[string][]credit.Record, len(sources))
	for i := range sources {
		per[i] = map[string][]credit.Record{}
		for _, part := range found[i] {
			for k, rs := range part {
				per[i][k] = append(per[i][k], rs...)
			}
		}
	}
	order := make([]int, len(sources))
	for i := range order {
		order[i] = i
	}
	rank := func(code string) int {
		for j, d := range datasources.Departments {
			if d.Code == code {
				return j
			}
		}
		return len(datasources.Departments)
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return rank(sources[a].Department().Code) - rank(sources[b].Department().Code)
	})
	out := map[string][]credit.Record{}
	for _, i := range order {
		for k, rs := range per[i] {
			out[k] = append(out[k], rs...)
		}
	}
	return out, nil
}

// newSeeder reads what the plans draw on: the commitment items, the
// workflow rules, the measures a joint-punishment case is pushed with and
// the publication periods.
func newSeeder(ctx context.Context, hub *hubdb.DB, w *world.World) (*seeder, error) {
	measures, err := catalogue.LoadMeasures(ctx, hub.Catalogues())
	if err != nil {
		return nil, err
	}
	s := &seeder{
		w: w, clock: newClock(w), entities: map[string]*world.Entity{}, records: map[credit.Ref]credit.Record{},
		periods: map[credit.Severity]hubdb.PeriodRow{}, objected: map[string][]span{}, repaired: map[string][]span{},
		held: map[string]bool{}, looked: map[string]bool{},
	}
	s.flows = &workflow.Service{DB: hub, Measures: measures, Calendar: s.clock.cal, Persons: s.persons, Org: s.org}
	rules, err := s.flows.Rules(ctx)
	if err != nil {
		return nil, err
	}
	s.days = map[string]int{}
	for _, code := range []string{workflow.RulePushFeedback, workflow.RuleRepairAccept, workflow.RuleRepairDecide} {
		r, ok := rules[code]
		if !ok || r.WorkingDays == nil {
			return nil, fmt.Errorf("workflow rule %s has no working days", code)
		}
		s.days[code] = *r.WorkingDays
	}
	if s.items, err = s.flows.CommitmentItems(ctx, true); err != nil {
		return nil, err
	}
	if len(s.items) == 0 {
		return nil, fmt.Errorf("the commitment catalogue is empty")
	}
	s.depts, _ = measures.ForList(credit.ListJointPunishment)
	if s.cat, err = catalogue.Load(ctx, hub.Catalogues(), s.clock.cal); err != nil {
		return nil, err
	}
	periods, err := hub.Catalogues().PublicationPeriods(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range periods {
		s.periods[credit.Severity(p.Severity)] = p
	}
	return s, nil
}

// seeder plans every entity's transitions.
type seeder struct {
	w *world.World
	clock
	flows *workflow.Service
	// entities are the planned entities, by code: the world may be
	// streamed (world.Stream), and only these are kept.
	entities map[string]*world.Entity
	// employees are the legal representatives of the world's organs and
	// public institutions, found as the plans walk the world.
	employees []employee
	// records are the departments' records the workflows are about, as
	// the transitions look them up (lookup): every record of the planned
	// entities while the plans are made, then only those a transition
	// looks up (looked, prune).
	records map[credit.Ref]credit.Record
	// looked are the global IDs of the records the planned transitions
	// look up.
	looked map[string]bool
	items  []*workflow.CommitmentItem
	// days are the working days of the workflow rules the plans time
	// their answers by.
	days map[string]int
	// depts are the departments a joint-punishment case is pushed to.
	depts   []string
	periods map[credit.Severity]hubdb.PeriodRow
	// objected and repaired are, by record, when objections and repair
	// applications against it were open (from filing or applying to the
	// decision; to the present for one still open or granted): a record
	// has at most one open at a time.
	objected, repaired map[string][]span
	// held are the records with a repair under way or granted.
	held map[string]bool
	// cat is the information catalogue: how open each kind is.
	cat *catalogue.Catalogue
}

// employee is a public employee and the organ or institution they head.
type employee struct{ idNo, name, uscc, unit string }

// persons gives an entity's responsible persons, as the registry the
// world seeded has them, for the personal records of a joint-punishment
// listing.
func (s *seeder) persons(_ context.Context, uscc string) ([]workflow.Person, error) {
	e := s.entities[uscc]
	if e == nil {
		return nil, fmt.Errorf("no entity %s in the world", uscc)
	}
	var out []workflow.Person
	for i, p := range []*world.Person{e.LegalRep, e.Principal, e.Controller} {
		if p != nil {
			out = append(out, workflow.Person{Role: credit.Roles[i], Name: p.Name, IDNo: p.IDNo})
		}
	}
	return out, nil
}

// org gives an entity's organisation type and superior body as the
// market regulator's seed has them (T23).
func (s *seeder) org(_ context.Context, uscc string) (string, string, error) {
	e := s.entities[uscc]
	if e == nil {
		return "", "", fmt.Errorf("no entity %s in the world", uscc)
	}
	t, sup := market.SeedOrg(e)
	return t, sup.String, nil
}

// looksUp notes that a planned transition looks up the records of ids.
func (s *seeder) looksUp(ids ...string) {
	for _, id := range ids {
		s.looked[id] = true
	}
}

// prune keeps of the records read only those a planned transition looks
// up: at a million entities the others are most of what the plans hold,
// and the transitions are made with the memory they leave to the
// collector.
func (s *seeder) prune() {
	for ref, r := range s.records {
		if !s.looked[r.Common().ID] {
			delete(s.records, ref)
		}
	}
	s.looked = nil
}

// lookup is the transitions' RecordLookup: the departments' records as
// the seed read them.
func (s *seeder) lookup(_ context.Context, ref credit.Ref) (credit.Record, error) {
	return s.records[ref], nil
}

// step is one transition: made at a planned moment by a planned actor,
// through a method of the workflow service (a batch's: run).
type step struct {
	at   time.Time
	by   *auth.Principal
	what string
	do   func(ctx context.Context, wf *workflow.Service) error
}

// timeline is one entity's transitions.
type timeline struct {
	uscc  string
	steps []step
}

func (t *timeline) add(at time.Time, by *auth.Principal, what string, do func(ctx context.Context, wf *workflow.Service) error) {
	t.steps = append(t.steps, step{at: at, by: by, what: what, do: do})
}

// noKey is the idempotency key of a transition in a batch, which reads
// none.
var noKey hubdb.Key

// run makes the entities' transitions on tx, a batch of flows (one
// transaction, no idempotency rows): entity by entity, each entity's in
// the order of their moments (a plan's own order for the same moment), each
// at its moment and as its actor.
func run(ctx context.Context, flows *workflow.Service, tx *hubdb.DB, work []*timeline) error {
	var now time.Time
	wf := flows.Batch(tx, func() time.Time { return now })
	for _, t := range work {
		slices.SortStableFunc(t.steps, func(a, b step) int { return a.at.Compare(b.at) })
		for _, st := range t.steps {
			now = st.at
			if err := st.do(auth.NewContext(ctx, st.by), wf); err != nil {
				return fmt.Errorf("%s %s as %s at %s: %w", st.what, t.uscc, st.by, st.at.Format(time.DateTime), err)
			}
		}
	}
	return nil
}
