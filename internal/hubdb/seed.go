package hubdb

// The local set-up's workflows: commitments, list entries with their
// interviews and joint-punishment cases, objections and repairs in every
// state, with the records, overlays and history a real hub would have
// written, so that a dashboard team sees realistic cases on first start.
//
// Objections and repairs are about real records of the departments, read
// from their databases after they were seeded; everything is deterministic
// from the world's seed. The first showcase entity (w.Entities[0]) has an
// item in every state of every workflow, for the README's examples.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/sync/errgroup"

	"credithub/datasources"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
	"credithub/internal/workday"
)

func init() {
	// Setup is declared with the catalogue (catalogue.go); its workflows
	// are seeded here, after the departments.
	Setup.SeedAfter = SeedWorkflows
	Setup.SeedAfterProbe = "workflow_history"
}

// The machines' names in workflow_history.workflow, as the state machines
// (workflow/*.go) write and read them; the package cannot import them (it
// imports this one), so a test checks that the two agree. The actions are
// theirs too.
const (
	WorkflowCommitment = "commitment"
	WorkflowListing    = "listing"
	WorkflowCase       = "case"
	WorkflowPush       = "push"
	WorkflowObjection  = "objection"
	WorkflowRepair     = "repair"
)

// CreditOfficeOrg is the org of the credit office's tokens
// (workflow.CreditOfficeOrg): it checks objections.
const CreditOfficeOrg = "credit-office"

// The global ID type names of the workflow objects (workflow.Type…): a hub
// record's detail, and the history, refer to them by global ID.
const (
	typeCommitment = "Commitment"
	typeListEntry  = "ListEntry"
	typeJointCase  = "JointCase"
)

// recordYears is how far back the workflows reach for records.
const recordYears = 4

func objectID(typ string, id int64) string { return gid.Encode(typ, strconv.FormatInt(id, 10)) }

// SeedWorkflows fills the hub's workflow tables from w and the departments'
// records (sources, already seeded), in one transaction.
func SeedWorkflows(ctx context.Context, db *sqldb.DB, w *world.World, sources []datasources.Source) error {
	s, err := newSeeder(ctx, db, w)
	if err != nil {
		return err
	}
	plans := s.plan()
	var subjects []datasources.Subject
	for _, p := range plans {
		if p.needsRecords() {
			subjects = append(subjects, datasources.Subject{USCC: p.e.USCC, OrgCode: p.e.OrgCode, RegNo: p.e.RegNo})
		}
	}
	// The workflows are about the last few years' records: a listing rests
	// on recent decisions, objections are filed soon after publication, and
	// no dishonesty information is published (or repaired) for longer.
	since := scalars.DateOf(w.RefDate.AddDate(-recordYears, 0, 0)).String()
	records, err := departmentRecords(ctx, sources, subjects, datasources.Query{From: since})
	if err != nil {
		return fmt.Errorf("reading the departments' records for the hub's workflows: %w", err)
	}
	for _, p := range plans {
		s.entity(p, records[p.e.USCC])
	}
	return s.write(ctx, db)
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

// seeder accumulates the rows of every workflow table.
type seeder struct {
	r   *rand.Rand
	w   *world.World
	cal *workday.Calendar
	// now is the world's present: the evening of its reference day. Every
	// transition happened before it.
	now      time.Time
	rules    map[string]int
	items    []seedItem
	measures map[string][]string // department → codes of its measures for the joint-punishment list
	depts    []string            // departments with such measures, in code order (as a case pushes)
	periods  map[credit.Severity]PeriodRow
	next     map[string]int64 // last id used, per table
	// objected and repaired are the records already under an objection, and
	// under a repair that is open or granted (at most one such per record).
	objected, repaired map[string]bool

	rows map[string][][]any
}

type seedItem struct {
	Code       string `db:"code"`
	Name       string `db:"name"`
	Department string `db:"department"`
}

// The tables written, in the order of their foreign keys, with their
// columns.
var seedTables = []struct {
	name string
	cols []string
}{
	{"commitment", []string{"id", "item_code", "uscc", "content", "department", "state", "severity", "signed_at", "record_id"}},
	{"list_entry", []string{"id", "list_type", "domain", "uscc", "department", "basis", "linked_records", "entered_on", "rectify_by",
		"ban_start", "ban_end", "permanent", "state", "removed_on", "removal_reason"}},
	{"interview", []string{"id", "list_entry_id", "uscc", "type", "held_on", "department", "notes"}},
	{"joint_case", []string{"id", "list_entry_id", "uscc", "state", "opened_at", "closed_at"}},
	{"case_push", []string{"id", "case_id", "uscc", "department", "measures", "pushed_at", "due_date", "state", "measure_applied",
		"applied_on", "answered_by"}},
	{"objection", []string{"id", "record_id", "department", "subject_uscc", "subject_id_no", "filed_by", "filed_at", "reason", "state",
		"check_due", "decision_due", "extended", "outcome", "decision_reason"}},
	{"repair", []string{"id", "record_id", "department", "uscc", "applied_at", "commitment", "obligations_fulfilled", "state",
		"accept_due", "decision_due", "refusal_rule", "decision_reason", "last_recheck_at"}},
	{"hub_record", []string{"id", "kind", "subject_uscc", "subject_id_no", "subject_name", "department", "decision_no", "decision_date",
		"summary", "severity", "status", "detail", "created_at"}},
	{"record_overlay", []string{"id", "record_id", "kind", "fields", "source", "source_id", "active", "created_at", "created_by"}},
	{"workflow_history", []string{"id", "workflow", "object_id", "action", "from_state", "to_state", "actor", "actor_org", "at", "reason"}},
}

func newSeeder(ctx context.Context, db *sqldb.DB, w *world.World) (*seeder, error) {
	ref := w.RefDate.In(scalars.CST)
	s := &seeder{
		r: synth.New(w.Seed, "hub"), w: w, cal: workday.Default(),
		now:   time.Date(ref.Year(), ref.Month(), ref.Day(), 18, 0, 0, 0, scalars.CST),
		rules: map[string]int{}, measures: map[string][]string{}, periods: map[credit.Severity]PeriodRow{},
		next: map[string]int64{}, objected: map[string]bool{}, repaired: map[string]bool{}, rows: map[string][][]any{},
	}
	var rules []struct {
		Code string `db:"code"`
		Days *int   `db:"working_days"`
	}
	if err := db.SelectContext(ctx, &rules, `SELECT code, working_days FROM workflow_rule`); err != nil {
		return nil, err
	}
	for _, r := range rules {
		if r.Days != nil {
			s.rules[r.Code] = *r.Days
		}
	}
	for _, code := range []string{"OBJECTION_CHECK", "OBJECTION_DECIDE", "OBJECTION_EXTEND", "REPAIR_ACCEPT", "REPAIR_DECIDE", "PUSH_FEEDBACK"} {
		if _, ok := s.rules[code]; !ok {
			return nil, fmt.Errorf("workflow rule %s has no working days", code)
		}
	}
	if err := db.SelectContext(ctx, &s.items, `SELECT code, name, department FROM commitment_item WHERE active ORDER BY code`); err != nil {
		return nil, err
	}
	if len(s.items) == 0 {
		return nil, fmt.Errorf("the commitment catalogue is empty")
	}
	// A case is pushed to every department with a measure for the
	// joint-punishment list, with those measures (workflow.OpenJointCase).
	var measures []struct {
		Department string         `db:"department"`
		Codes      pq.StringArray `db:"codes"`
	}
	if err := db.SelectContext(ctx, &measures, `SELECT department, array_agg(code ORDER BY code) AS codes FROM measure
		WHERE 'JOINT_PUNISHMENT' = ANY (list_types) GROUP BY department ORDER BY department`); err != nil {
		return nil, err
	}
	for _, m := range measures {
		s.measures[m.Department] = m.Codes
		s.depts = append(s.depts, m.Department)
	}
	var periods []PeriodRow
	if err := db.SelectContext(ctx, &periods, `SELECT severity, published, min_months, max_months, source FROM publication_period`); err != nil {
		return nil, err
	}
	for _, p := range periods {
		s.periods[credit.Severity(p.Severity)] = p
	}
	for _, t := range seedTables {
		var max int64
		if err := db.GetContext(ctx, &max, `SELECT coalesce(max(id), 0) FROM `+t.name); err != nil {
			return nil, err
		}
		s.next[t.name] = max
	}
	return s, nil
}

func (s *seeder) id(table string) int64 {
	s.next[table]++
	return s.next[table]
}

func (s *seeder) add(table string, values ...any) { s.rows[table] = append(s.rows[table], values) }

// history writes one transition's row.
func (s *seeder) history(workflow string, id int64, action, from, to string, a actor, at time.Time, reason string) {
	s.add("workflow_history", s.id("workflow_history"), workflow, id, action, from, to, a.subject, a.org, at, reason)
}

// actor is who made a transition: the subject and organisation of their
// token.
type actor struct{ subject, org string }

// name is how overlays name who created them (org:subject).
func (a actor) name() string { return a.org + ":" + a.subject }

// clerk is a department's (or the credit office's) officer.
func (s *seeder) clerk(org string) actor { return actor{synth.PersonName(s.r), org} }

// self is the entity acting for itself, as its own token names it.
func self(e *world.Entity) actor { return actor{"entity:" + e.USCC, e.USCC} }

// --- time -------------------------------------------------------------------

// day returns a day between from and to (CST midnight), at random.
func (s *seeder) day(from, to time.Time) time.Time {
	f, t := civil(from), civil(to)
	if !t.After(f) {
		return f
	}
	return f.AddDate(0, 0, s.r.IntN(int(t.Sub(f).Hours()/24)+1))
}

func civil(t time.Time) time.Time {
	y, m, d := t.In(scalars.CST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, scalars.CST)
}

// office returns a time of office hours on day d's working day (the next
// one when d is not).
func (s *seeder) office(d time.Time) time.Time {
	d = s.cal.AddWorkingDays(civil(d), 0)
	return earlier(d.Add(time.Duration(8*60+30+s.r.IntN(9*60))*time.Minute), s.now)
}

// later returns a time within office hours n working days after t (the same
// day, later, for n = 0), never after the present.
func (s *seeder) later(t time.Time, n int) time.Time {
	d := s.cal.AddWorkingDays(t, n)
	var out time.Time
	if n == 0 {
		out = t.Add(time.Duration(10+s.r.IntN(120)) * time.Minute)
	} else {
		out = d.Add(time.Duration(8*60+30+s.r.IntN(9*60)) * time.Minute)
	}
	if out.After(s.now) {
		out = s.now
	}
	return out
}

// ago is the day n calendar days before the present.
func (s *seeder) ago(n int) time.Time { return civil(s.now).AddDate(0, 0, -n) }

func (s *seeder) due(t time.Time, rule string) scalars.Date {
	return scalars.DateOf(s.cal.AddWorkingDays(t, s.rules[rule]))
}

func dateText(t time.Time) string { return civil(t).Format(time.DateOnly) }

// --- what each entity gets --------------------------------------------------

// plan is what one entity gets.
type plan struct {
	e           *world.Entity
	commitments []string // states
	listings    []listingPlan
	objections  []objectionPlan
	repairs     []string // states
}

func (p plan) needsRecords() bool {
	return len(p.listings) > 0 || len(p.objections) > 0 || len(p.repairs) > 0
}

type listingPlan struct {
	listType credit.ListType
	state    string // LISTED or REMOVED
	reason   string // removal reason
	// overdue: the rectification deadline has passed (interviews follow).
	overdue bool
	// interviews held after the missed deadline.
	interviews []credit.InterviewType
	// caseState is the joint-punishment case's state ("": no case).
	caseState string
	// overduePush: an open case has a push past its deadline.
	overduePush bool
}

type objectionPlan struct {
	state, outcome string
	extended       bool
}

var (
	commitmentStates = synth.NewWeighted([]synth.Choice[string]{
		{Value: "SIGNED", Weight: 30}, {Value: "FULFILLED", Weight: 45}, {Value: "BREACHED", Weight: 15}, {Value: "FOUND_FALSE", Weight: 10},
	})
	listTypes = synth.NewWeighted([]synth.Choice[credit.ListType]{
		{Value: credit.ListJointPunishment, Weight: 40}, {Value: credit.ListKeyAttention, Weight: 35}, {Value: credit.ListMarketBan, Weight: 25},
	})
	objectionPlans = synth.NewWeighted([]synth.Choice[objectionPlan]{
		{Value: objectionPlan{state: "FILED"}, Weight: 15},
		{Value: objectionPlan{state: "CHECKED"}, Weight: 12},
		{Value: objectionPlan{state: "CHECKED", extended: true}, Weight: 5},
		{Value: objectionPlan{state: "UPHELD", outcome: "CORRECT"}, Weight: 15},
		{Value: objectionPlan{state: "UPHELD", outcome: "REVOKE"}, Weight: 10},
		{Value: objectionPlan{state: "REJECTED"}, Weight: 33},
		{Value: objectionPlan{state: "REJECTED", extended: true}, Weight: 10},
	})
	repairStates = synth.NewWeighted([]synth.Choice[string]{
		{Value: "APPLIED", Weight: 15}, {Value: "ACCEPTED", Weight: 12}, {Value: "REFUSED", Weight: 15},
		{Value: "REPAIRED", Weight: 35}, {Value: "DENIED", Weight: 13}, {Value: "REVERSED", Weight: 10},
	})
	removalReasons = []string{"REPAIRED", "EXPIRED", "REVOKED"}
)

// plan decides what every entity gets. The rates give a few hundred
// workflow objects for the default 2000 entities, and as many per entity
// at any size.
func (s *seeder) plan() []plan {
	var out []plan
	r := s.r
	for _, e := range s.w.Entities {
		p := plan{e: e}
		if e.Index == 0 {
			out = append(out, showcasePlan(e))
			continue
		}
		pct := map[world.Profile][4]int{ // commitment, listing, objection, repair
			world.Clean:    {3, 0, 1, 0},
			world.Ordinary: {5, 1, 2, 1},
			world.Troubled: {10, 25, 12, 30},
		}[e.Profile]
		if e.Showcase {
			pct = [4]int{100, 100, 100, 100}
		}
		if r.IntN(100) < pct[0] {
			for range 1 + r.IntN(2) {
				p.commitments = append(p.commitments, commitmentStates.Pick(r))
			}
		}
		if r.IntN(100) < pct[1] {
			p.listings = append(p.listings, s.randomListing(listTypes.Pick(r)))
		}
		if r.IntN(100) < pct[2] {
			p.objections = append(p.objections, objectionPlans.Pick(r))
		}
		if r.IntN(100) < pct[3] {
			p.repairs = append(p.repairs, repairStates.Pick(r))
		}
		if len(p.commitments)+len(p.listings)+len(p.objections)+len(p.repairs) > 0 {
			out = append(out, p)
		}
	}
	return out
}

func (s *seeder) randomListing(t credit.ListType) listingPlan {
	r := s.r
	lp := listingPlan{listType: t, state: "LISTED"}
	if r.IntN(100) < 40 {
		lp.state, lp.reason = "REMOVED", synth.Pick(r, removalReasons)
	}
	if t == credit.ListMarketBan && lp.state == "REMOVED" && r.IntN(2) == 0 {
		lp.reason = "EXPIRED"
	}
	if lp.state == "LISTED" && t != credit.ListMarketBan && r.IntN(100) < 50 {
		lp.overdue = true
		switch p := r.IntN(100); {
		case p < 35:
			lp.interviews = []credit.InterviewType{credit.InterviewPrompt}
		case p < 60:
			lp.interviews = []credit.InterviewType{credit.InterviewPrompt, credit.InterviewWarning}
		}
	}
	if t == credit.ListJointPunishment {
		switch {
		case lp.state == "REMOVED":
			lp.caseState = "CLOSED"
		case r.IntN(100) < 50:
			lp.caseState, lp.overduePush = "OPEN", r.IntN(100) < 60
		case r.IntN(100) < 70:
			lp.caseState = "CLOSED"
		}
	}
	return lp
}

// showcasePlan gives the first showcase entity an item in every state of
// every workflow.
func showcasePlan(e *world.Entity) plan {
	return plan{
		e:           e,
		commitments: []string{"SIGNED", "FULFILLED", "BREACHED", "FOUND_FALSE"},
		listings: []listingPlan{
			{listType: credit.ListJointPunishment, state: "LISTED", overdue: true,
				interviews: []credit.InterviewType{credit.InterviewPrompt, credit.InterviewWarning}, caseState: "OPEN", overduePush: true},
			{listType: credit.ListJointPunishment, state: "REMOVED", reason: "REPAIRED", caseState: "CLOSED"},
			{listType: credit.ListKeyAttention, state: "LISTED", overdue: true, interviews: []credit.InterviewType{credit.InterviewPrompt}},
			{listType: credit.ListKeyAttention, state: "REMOVED", reason: "REVOKED"},
			{listType: credit.ListMarketBan, state: "LISTED"},
			{listType: credit.ListMarketBan, state: "REMOVED", reason: "EXPIRED"},
		},
		objections: []objectionPlan{
			{state: "FILED"}, {state: "CHECKED", extended: true}, {state: "UPHELD", outcome: "CORRECT"},
			{state: "UPHELD", outcome: "REVOKE"}, {state: "REJECTED"},
		},
		repairs: []string{"APPLIED", "ACCEPTED", "REFUSED", "REPAIRED", "DENIED", "REVERSED"},
	}
}

// entity writes what p plans for its entity, on the entity's records.
func (s *seeder) entity(p plan, records []credit.Record) {
	for _, st := range p.commitments {
		s.commitment(p.e, st)
	}
	for _, lp := range p.listings {
		s.listing(p.e, lp, records)
	}
	// Repairs first: they need the dishonesty records still in their
	// publication period, which are few; objections take any other record.
	// Those that keep a record under way or repaired come first, since a
	// record has at most one of them; a refused, denied or reversed repair
	// may be an earlier attempt on the same record.
	states := slices.Clone(p.repairs)
	slices.SortStableFunc(states, func(a, b string) int { return boolRank(openRepair(a)) - boolRank(openRepair(b)) })
	for _, st := range states {
		s.repair(p.e, st, records)
	}
	for _, op := range p.objections {
		rec := s.pick(records, func(r credit.Record) bool {
			return !s.objected[r.Common().ID] && !s.repaired[r.Common().ID]
		})
		if rec == nil && op.state != "FILED" && op.state != "CHECKED" {
			// A decided objection may be an earlier one against a record.
			rec = s.pick(records, func(r credit.Record) bool { return !s.repaired[r.Common().ID] })
		}
		if rec != nil {
			s.objected[rec.Common().ID] = true
			s.objection(p.e, op, rec)
		}
	}
}

func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
}

// openRepair: a repair in this state keeps its record (repair_one_open).
func openRepair(state string) bool {
	return state == "APPLIED" || state == "ACCEPTED" || state == "REPAIRED"
}

// pick returns one of the records that ok accepts, at random; nil when
// there is none.
func (s *seeder) pick(records []credit.Record, ok func(credit.Record) bool) credit.Record {
	var candidates []credit.Record
	for _, r := range records {
		if ok(r) {
			candidates = append(candidates, r)
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	return candidates[s.r.IntN(len(candidates))]
}

// adverse: a record a listing may rest on.
func adverse(r credit.Record) bool {
	b := r.Common()
	return b.Severity != nil && *b.Severity != credit.Minor
}

var courtKinds = []credit.Kind{credit.KindDishonestDebtor, credit.KindConsumptionRestriction, credit.KindFalseLitigation}

// --- commitments ------------------------------------------------------------

var breachReasons = []string{
	"承诺期限届满未补齐申请材料", "现场核查发现实际经营条件与承诺不符", "未按承诺时限完成整改",
	"承诺的消防安全条件未落实", "未按承诺时限取得环评批复即开工建设",
}

var falseReasons = []string{
	"核查发现提交的场所使用证明系伪造", "承诺具备的专业技术人员实际未在岗", "承诺的生产设备不存在",
}

func (s *seeder) commitment(e *world.Entity, state string) {
	r := s.r
	item := synth.Pick(r, s.items)
	id := s.id("commitment")
	signed := s.office(s.day(s.ago(720), s.ago(200)))
	if state == "SIGNED" {
		signed = s.office(s.day(s.ago(120), s.ago(1)))
	}
	content := fmt.Sprintf("本单位申请办理%s，承诺所提交的材料真实有效，已知悉并符合办理条件、标准和要求，将在约定期限内补齐材料、落实承诺事项；如有不实或违反承诺，愿意承担相应法律责任，并同意将履约情况记入信用记录、依法公开。", item.Name)
	s.history(WorkflowCommitment, id, "sign", "", "SIGNED", self(e), signed, "")
	var severity any
	var recordID int64
	if state != "SIGNED" {
		decided := s.later(signed, 20+r.IntN(100))
		dept := s.clerk(item.Department)
		switch state {
		case "FULFILLED":
			s.history(WorkflowCommitment, id, "fulfil", "SIGNED", state, dept, decided, "经核查，承诺事项已全部履行")
		case "BREACHED", "FOUND_FALSE":
			sev, action, reason := synth.Pick(r, []credit.Severity{credit.Minor, credit.General, credit.General, credit.Serious}), "breach", synth.Pick(r, breachReasons)
			summary := fmt.Sprintf("违背信用承诺（%s）：%s", item.Name, reason)
			if state == "FOUND_FALSE" {
				sev, action, reason = credit.Serious, "findFalse", synth.Pick(r, falseReasons)
				summary = fmt.Sprintf("虚假信用承诺（%s）：%s", item.Name, reason)
			}
			severity = string(sev)
			recordID = s.hubRecord(hubRow{kind: credit.KindCommitmentBreach, uscc: e.USCC, dept: item.Department,
				date: decided, summary: summary, severity: &sev,
				detail: Detail{CommitmentID: objectID(typeCommitment, id), Item: item.Code, FalseCommitment: state == "FOUND_FALSE"}})
			s.history(WorkflowCommitment, id, action, "SIGNED", state, dept, decided, reason)
		}
	}
	s.add("commitment", id, item.Code, e.USCC, content, item.Department, state, severity, signed, recordID)
}

// hubRow is a record the hub creates.
type hubRow struct {
	kind       credit.Kind
	uscc       string
	idNo, name string
	dept       string
	decisionNo string
	date       time.Time
	summary    string
	severity   *credit.Severity
	status     credit.Status
	detail     Detail
}

func (s *seeder) hubRecord(h hubRow) int64 {
	id := s.id("hub_record")
	detail, _ := json.Marshal(h.detail) // a struct of strings: cannot fail
	var sev, no any
	if h.severity != nil {
		sev = string(*h.severity)
	}
	if h.decisionNo != "" {
		no = h.decisionNo
	}
	status := h.status
	if status == "" {
		status = credit.Effective
	}
	s.add("hub_record", id, string(h.kind), h.uscc, h.idNo, h.name, h.dept, no, dateText(h.date), h.summary, sev,
		string(status), string(detail), h.date)
	return id
}

// --- lists, interviews and joint-punishment cases ----------------------------

var keyAttentionDomains = []string{"finance", "elderly care", "pre-school", "housekeeping", "food and drugs",
	"tourism and culture", "sports", "agricultural inputs"}

var keyAttentionNames = map[string]string{"finance": "金融", "elderly care": "养老", "pre-school": "幼教", "housekeeping": "家政",
	"food and drugs": "食品药品", "tourism and culture": "旅游文化", "sports": "体育", "agricultural inputs": "农资化肥"}

var roleNames = map[credit.Role]string{
	credit.RoleLegalRepresentative: "法定代表人", credit.RolePrincipal: "主要负责人", credit.RoleActualController: "实际控制人",
}

var deptAbbrev = map[string]string{
	datasources.Market: "黑市监", datasources.Environment: "黑环", datasources.Fire: "黑消",
	datasources.Housing: "黑建", datasources.Court: "黑中法",
}

var interviewNames = map[credit.InterviewType]string{credit.InterviewPrompt: "提示约谈", credit.InterviewWarning: "警示约谈"}

var interviewNotes = map[credit.InterviewType][]string{
	credit.InterviewPrompt: {
		"告知整改期限已届满，提示尽快完成整改并报送整改报告，逾期将升级为警示约谈",
		"法定代表人到场，说明未按期整改的原因，承诺十个工作日内整改到位",
	},
	credit.InterviewWarning: {
		"警示继续不整改将提请实施联合惩戒，责令五个工作日内提交整改方案",
		"主要负责人到场，签署整改承诺书，约定复查时间",
	},
}

func (s *seeder) listing(e *world.Entity, lp listingPlan, records []credit.Record) {
	r := s.r
	// When: early enough for what follows.
	lo, hi := s.ago(1000), s.ago(200)
	switch {
	case lp.caseState == "OPEN":
		lo, hi = s.ago(260), s.ago(120)
	case lp.listType == credit.ListMarketBan && lp.reason == "EXPIRED":
		lo, hi = s.ago(3*365), s.ago(400) // a one-year ban, run out
	case lp.state == "LISTED" && !lp.overdue && lp.caseState == "":
		lo, hi = s.ago(60), s.ago(5)
	}
	// The basis: the entity's weightiest records decided before; their
	// department identifies the listing. An entity without such records is
	// not listed.
	const settle = 7 // days from a decision to a listing on it, at least
	var serious []credit.Record
	for _, rec := range records {
		if adverse(rec) && !rec.Common().DecisionDate.Time().AddDate(0, 0, settle).After(hi) {
			serious = append(serious, rec)
		}
	}
	if len(serious) == 0 {
		return
	}
	first := serious[r.IntN(len(serious))].Common()
	lo = later(lo, first.DecisionDate.Time().AddDate(0, 0, settle))
	dept, linked := first.Source.Code, []string{first.ID}
	basis := first.Summary
	if first.DecisionNo != nil {
		basis += "（" + *first.DecisionNo + "）"
	}
	for _, rec := range serious {
		b := rec.Common()
		if len(linked) < 3 && b.Source.Code == dept && !slices.Contains(linked, b.ID) && !b.DecisionDate.Time().After(first.DecisionDate.Time()) && r.IntN(2) == 0 {
			linked = append(linked, b.ID)
		}
	}
	if lp.listType == credit.ListKeyAttention && dept == datasources.Court {
		dept = datasources.Market // the courts keep their own lists
	}
	id := s.id("list_entry")
	entryID := objectID(typeListEntry, id)

	entered := s.day(lo, hi)
	var rectify, banStart, banEnd any
	var rectifyBy time.Time
	permanent := false
	var domain any
	switch lp.listType {
	case credit.ListJointPunishment, credit.ListKeyAttention:
		rectifyBy = entered.AddDate(0, 0, synth.Pick(r, []int{30, 60, 90}))
		if lp.state == "LISTED" && !lp.overdue && !rectifyBy.After(civil(s.now)) {
			rectifyBy = civil(s.now).AddDate(0, 0, 10+r.IntN(60))
		}
		rectify = dateText(rectifyBy)
		if lp.listType == credit.ListKeyAttention {
			d := synth.Pick(r, keyAttentionDomains)
			domain = d
		}
	case credit.ListMarketBan:
		years := 1 + r.IntN(5)
		end := entered.AddDate(years, 0, 0)
		switch {
		case lp.state == "REMOVED" && lp.reason == "EXPIRED":
			banEnd = dateText(entered.AddDate(1, 0, 0))
		case lp.state == "LISTED" && r.IntN(100) < 15:
			permanent = true
		default:
			if !end.After(civil(s.now)) {
				end = civil(s.now).AddDate(1+r.IntN(3), 0, 0)
			}
			banEnd = dateText(end)
		}
		if e.Industry != "" {
			domain = e.Industry
		}
	}
	enteredAt := s.office(entered)
	entered = civil(enteredAt)
	if lp.listType == credit.ListMarketBan {
		banStart = dateText(entered) // the ban starts on entry
	}
	clerk := s.clerk(dept)
	s.history(WorkflowListing, id, "enter", "", "LISTED", clerk, enteredAt, basis)

	// The records the listing writes: the entity's, and for the
	// joint-punishment list each responsible person's (T22).
	kind := credit.KindListing
	if lp.listType == credit.ListKeyAttention {
		kind = credit.KindKeyAttention
	}
	var summary string
	switch lp.listType {
	case credit.ListKeyAttention:
		summary = fmt.Sprintf("列入%s领域重点关注对象名单：%s", keyAttentionNames[domain.(string)], basis)
	case credit.ListMarketBan:
		period := dateText(entered) + "起永久禁入"
		if !permanent {
			period = dateText(entered) + "至" + banEnd.(string)
		}
		if domain != nil {
			period = domain.(string) + "，" + period
		}
		summary = fmt.Sprintf("市场和行业禁入（%s）：%s", period, basis)
	default:
		summary = "列入联合惩戒对象名单：" + basis
	}
	status := credit.Effective
	if lp.state == "REMOVED" {
		status = credit.Expired
		if lp.reason == "REVOKED" {
			status = credit.Revoked
		}
	}
	decisionNo := synth.DecisionNo(r, deptAbbrev[dept], entered.Year(), "信认")
	detail := Detail{ListType: lp.listType, ListEntryID: entryID}
	if d, ok := domain.(string); ok {
		detail.Domain = d
	}
	s.hubRecord(hubRow{kind: kind, uscc: e.USCC, dept: dept, decisionNo: decisionNo, date: enteredAt, summary: summary,
		status: status, detail: detail})
	if lp.listType == credit.ListJointPunishment {
		seen := map[string]bool{}
		for i, p := range []*world.Person{e.LegalRep, e.Principal, e.Controller} {
			if p == nil || seen[p.IDNo] {
				continue
			}
			seen[p.IDNo] = true
			role := credit.Roles[i]
			s.hubRecord(hubRow{kind: credit.KindListing, idNo: p.IDNo, name: p.Name, dept: dept, decisionNo: decisionNo, date: enteredAt,
				summary: fmt.Sprintf("作为市场主体（%s）的%s，随其列入联合惩戒对象名单：%s", e.USCC, roleNames[role], basis),
				status:  status, detail: Detail{ListType: lp.listType, ListEntryID: entryID, Role: &role}})
		}
	}

	// Interviews after the missed deadline (谁认定、谁约谈).
	last := enteredAt
	if lp.overdue {
		held := rectifyBy
		for _, typ := range lp.interviews {
			held = s.day(held.AddDate(0, 0, 3), held.AddDate(0, 0, 25))
			if held.After(civil(s.now)) {
				held = civil(s.now)
			}
			at := s.office(held)
			if at.After(s.now) {
				at = s.now
			}
			held = civil(at)
			notes := synth.Pick(r, interviewNotes[typ])
			s.add("interview", s.id("interview"), id, e.USCC, string(typ), dateText(held), dept, notes)
			s.hubRecord(hubRow{kind: credit.KindInterview, uscc: e.USCC, dept: dept, date: held,
				summary: fmt.Sprintf("%s（整改期限%s届满未整改到位）：%s", interviewNames[typ], dateText(rectifyBy), notes),
				detail:  Detail{InterviewType: typ, ListEntryID: entryID}})
			s.history(WorkflowListing, id, "interview", "LISTED", "LISTED", clerk, at, string(typ)+" "+dateText(held))
			last = at
		}
	}

	// The joint-punishment case.
	if lp.caseState != "" {
		opened := s.later(enteredAt, 2+r.IntN(10))
		switch {
		case lp.caseState == "OPEN" && lp.overduePush:
			opened = s.office(s.day(s.ago(40), s.ago(12)))
		case lp.caseState == "OPEN":
			opened = s.office(s.day(s.ago(3), s.ago(0)))
		}
		if opened.Before(enteredAt) {
			opened = s.later(enteredAt, 1)
		}
		end := s.jointCase(e, id, lp, opened, clerk)
		if end.After(last) {
			last = end
		}
	}

	// Removal.
	var removedOn, removal any
	if lp.state == "REMOVED" {
		var at time.Time
		if lp.listType == credit.ListMarketBan && lp.reason == "EXPIRED" && banEnd != nil {
			end, _ := time.ParseInLocation(time.DateOnly, banEnd.(string), scalars.CST)
			at = s.office(end)
		} else {
			at = s.later(last, 20+r.IntN(150))
		}
		if at.Before(last) {
			at = s.later(last, 1)
		}
		removedOn, removal = dateText(at), lp.reason
		notes := map[string]string{"REPAIRED": "已完成信用修复", "EXPIRED": "列入期限届满", "REVOKED": "认定依据已被撤销"}
		s.history(WorkflowListing, id, "remove", "LISTED", "REMOVED", clerk, at, lp.reason+": "+notes[lp.reason])
	}
	s.add("list_entry", id, string(lp.listType), domain, e.USCC, dept, basis, pq.Array(linked), dateText(entered), rectify,
		banStart, banEnd, permanent, lp.state, removedOn, removal)
}

var appliedMeasures = []string{"已在本部门业务系统中标注并实施限制", "已纳入重点监管对象，提高抽查比例和频次", "已在审批环节实施限制，不适用告知承诺制"}

// jointCase writes a case on list entry entryID, opened at opened by
// opener, with a push to every department whose measures apply and their
// answers; it returns when the case last changed.
func (s *seeder) jointCase(e *world.Entity, entryID int64, lp listingPlan, opened time.Time, opener actor) time.Time {
	r := s.r
	id := s.id("joint_case")
	due := s.due(opened, "PUSH_FEEDBACK")
	pushedTo := "pushed to " + strings.Join(s.depts, ", ")
	s.history(WorkflowCase, id, "open", "", "OPEN", opener, opened, pushedTo)
	s.history(WorkflowListing, entryID, "openCase", "LISTED", "LISTED", opener, opened,
		"case "+objectID(typeJointCase, id)+" "+pushedTo)
	var lastAt time.Time
	var lastBy actor
	waiting := 0
	for i, dept := range s.depts {
		pid := s.id("case_push")
		s.history(WorkflowPush, pid, "push", "", "PUSHED", opener, opened,
			fmt.Sprintf("%s: %s, due %s", dept, strings.Join(s.measures[dept], " "), due))
		answered := lp.caseState == "CLOSED" || r.IntN(100) < 50
		if lp.caseState == "OPEN" && i == len(s.depts)-1 {
			answered = false // an open case waits for at least one answer
		}
		var applied, appliedOn, by any
		state := "PUSHED"
		if answered {
			// Most answer within the deadline; some late.
			at := s.later(opened, 1+r.IntN(s.rules["PUSH_FEEDBACK"]+3))
			clerk := s.clerk(dept)
			m := synth.Pick(r, appliedMeasures)
			state, applied, appliedOn, by = "ANSWERED", m, dateText(at), clerk.subject
			s.history(WorkflowPush, pid, "answer", "PUSHED", "ANSWERED", clerk, at, m)
			if at.After(lastAt) {
				lastAt, lastBy = at, clerk
			}
		} else {
			waiting++
		}
		s.add("case_push", pid, id, e.USCC, dept, pq.Array(s.measures[dept]), opened, due.String(), state, applied, appliedOn, by)
	}
	last := opened
	if lastAt.After(last) {
		last = lastAt
	}
	var closed any
	state := "OPEN"
	if waiting == 0 {
		// The last answer closes the case, in its transaction.
		state, closed = "CLOSED", last
		s.history(WorkflowCase, id, "close", "OPEN", "CLOSED", lastBy, last, fmt.Sprintf("all %d departments answered", len(s.depts)))
	}
	s.add("joint_case", id, entryID, e.USCC, state, opened, closed)
	return last
}

// --- objections -------------------------------------------------------------

var objectionReasons = []string{
	"记录所载违法事实与处罚决定书不一致", "决定文号登记有误", "该处罚决定已被复议机关撤销，平台仍在公示",
	"罚款已全部缴纳，记录未反映履行情况", "检查发现的问题已整改合格，记录未反映复查结论", "本单位并非该决定的当事人，主体登记错误",
}

var objectionDecisions = map[string][]string{
	"CORRECT":  {"经核实，原记录内容登记有误，予以更正", "经核实，决定文号录入错误，予以更正"},
	"REVOKE":   {"经核实，该决定已被依法撤销，撤销该记录", "经核实，记录主体登记错误，撤销该记录"},
	"REJECTED": {"经核实，原记录与决定书一致，异议不成立", "经核实，异议所述情况不属实，维持原记录"},
}

func (s *seeder) objection(e *world.Entity, op objectionPlan, rec credit.Record) {
	r := s.r
	b := rec.Common()
	id := s.id("objection")
	dept := b.Source.Code
	var filed time.Time
	switch op.state {
	case "FILED":
		filed = s.office(s.day(s.ago(4), s.ago(0)))
	case "CHECKED":
		filed = s.office(s.day(s.ago(10), s.ago(3)))
	default:
		filed = s.office(s.day(s.ago(360), s.ago(20)))
	}
	if filed.After(s.now) {
		filed = s.now.Add(-time.Hour)
	}
	reason := synth.Pick(r, objectionReasons)
	filer := self(e)
	checkDue := s.due(filed, "OBJECTION_CHECK")
	s.history(WorkflowObjection, id, "file", "", "FILED", filer, filed, reason)
	flag := s.overlay(b.ID, credit.UnderObjection, nil, WorkflowObjection, id, filed, filer)
	var decisionDue, outcome, decisionReason any
	if op.state != "FILED" {
		checked := s.later(filed, r.IntN(2))
		due := s.due(checked, "OBJECTION_DECIDE")
		s.history(WorkflowObjection, id, "check", "FILED", "CHECKED", s.clerk(CreditOfficeOrg), checked,
			"passed to "+dept+", decision due "+due.String())
		last := checked
		clerk := s.clerk(dept)
		if op.extended {
			extendedAt := s.later(checked, 1)
			was := due
			due = s.due(due.Time(), "OBJECTION_EXTEND")
			approver := synth.PersonName(r)
			s.history(WorkflowObjection, id, "extend", "CHECKED", "CHECKED", clerk, extendedAt,
				fmt.Sprintf("需调取原始执法档案核实 (approved by %s; decision due %s instead of %s)", approver, due, was))
			last = extendedAt
		}
		decisionDue = due.String()
		if op.state == "UPHELD" || op.state == "REJECTED" {
			decided := s.later(last, 1+r.IntN(2))
			key, action := op.state, "reject"
			if op.state == "UPHELD" {
				key, action, outcome = op.outcome, "uphold", op.outcome
			}
			why := synth.Pick(r, objectionDecisions[key])
			decisionReason = why
			if op.state == "UPHELD" {
				if op.outcome == "CORRECT" {
					var fields Correction
					if b.DecisionNo != nil {
						no := *b.DecisionNo + "（更正）"
						fields.DecisionNo = &no
					} else {
						sum := b.Summary + "（经异议核实更正）"
						fields.Summary = &sum
					}
					s.overlay(b.ID, credit.Corrected, fields, WorkflowObjection, id, decided, clerk)
				} else {
					s.overlay(b.ID, credit.Revoked, nil, WorkflowObjection, id, decided, clerk)
				}
				why = op.outcome + ": " + why
			}
			s.history(WorkflowObjection, id, action, "CHECKED", op.state, clerk, decided, why)
			s.deactivate(flag)
		}
	}
	s.add("objection", id, b.ID, dept, e.USCC, "", filer.org, filed, reason, op.state, checkDue.String(), decisionDue,
		op.extended, outcome, decisionReason)
}

// overlay writes an active overlay and returns its row's index, so that a
// later decision can deactivate it.
func (s *seeder) overlay(recordID string, kind credit.Status, fields any, source string, sourceID int64, at time.Time, by actor) int {
	text := "{}"
	if fields != nil {
		b, _ := json.Marshal(fields) // a struct of strings: cannot fail
		text = string(b)
	}
	s.add("record_overlay", s.id("record_overlay"), recordID, string(kind), text, source, sourceID, true, at, by.name())
	return len(s.rows["record_overlay"]) - 1
}

// deactivate ends an overlay: it stays as history.
func (s *seeder) deactivate(i int) { s.rows["record_overlay"][i][6] = false }

// --- repairs ----------------------------------------------------------------

var repairDecisions = map[string][]string{
	"REPAIRED": {"已履行行政处罚决定规定的义务，整改到位并作出信用承诺，准予修复，停止公示", "申请材料齐全，符合修复条件，准予修复"},
	"DENIED":   {"经核查，申请人仍存在未整改到位的问题，不予修复", "经现场核查，整改情况与申请材料不符，不予修复"},
}

// refusals are the cases a department refuses after an application was
// recorded (the others, such as a court list or a minimum period not
// passed, are refused before anything is written).
var refusals = []struct{ rule, reason string }{
	{"OBLIGATIONS_UNFULFILLED", "罚款尚未缴纳，未履行行政处罚决定规定的义务"},
	{"OBLIGATIONS_UNFULFILLED", "责令改正事项尚未整改到位"},
	{"REPEATED_DISHONESTY", "修复后一年内再次发生同类失信行为"},
}

// repairWindow is when a repair of rec may be asked for: from the end of
// its minimum publication period to the end of its maximum one, when
// publication stops by itself; ok is false for a record that is no
// dishonesty information or is not repaired by the hub.
func (s *seeder) repairWindow(rec credit.Record) (from, to time.Time, ok bool) {
	b := rec.Common()
	if b.Severity == nil || b.Status != credit.Effective || slices.Contains(courtKinds, b.Kind) || b.Ref.Source == Source {
		return from, to, false
	}
	p, ok := s.periods[*b.Severity]
	if !ok || !p.Published {
		return from, to, false
	}
	d := b.DecisionDate.Time()
	return d.AddDate(0, p.MinMonths, 0), d.AddDate(0, p.MaxMonths, 0), true
}

// repair writes a repair in state of one of the entity's records that may be
// repaired at a time that suits the state; nothing when there is none.
func (s *seeder) repair(e *world.Entity, state string, records []credit.Record) {
	r := s.r
	// The days the application may have been made on, for its state.
	lo, hi := s.ago(300), s.ago(20)
	switch state {
	case "APPLIED":
		lo, hi = s.ago(10), s.ago(0)
	case "ACCEPTED":
		lo, hi = s.ago(18), s.ago(6)
	case "REVERSED":
		lo, hi = s.ago(330), s.ago(120)
	}
	suits := func(rec credit.Record) (time.Time, time.Time, bool) {
		from, to, ok := s.repairWindow(rec)
		if !ok || s.objected[rec.Common().ID] {
			return lo, hi, false
		}
		a, b := later(lo, civil(from)), earlier(hi, civil(to).AddDate(0, 0, -1))
		if openRepair(state) && state != "REPAIRED" && !to.After(s.now) {
			return a, b, false // still under way: its publication has not ended
		}
		return a, b, !b.Before(a)
	}
	rec := s.pick(records, func(rec credit.Record) bool {
		_, _, ok := suits(rec)
		return ok && !s.repaired[rec.Common().ID]
	})
	if rec == nil && !openRepair(state) {
		// A refused, denied or reversed repair: an earlier attempt on a
		// record repaired since, or under way again.
		rec = s.pick(records, func(rec credit.Record) bool { _, _, ok := suits(rec); return ok })
	}
	if rec == nil {
		return
	}
	b := rec.Common()
	if openRepair(state) {
		s.repaired[b.ID] = true
	}
	from, to, _ := suits(rec)
	applied := s.office(s.day(from, to))
	if applied.After(s.now) {
		applied = s.now.Add(-time.Hour)
	}
	id := s.id("repair")
	dept := b.Source.Code
	refusal := refusals[r.IntN(len(refusals))]
	fulfilled := state != "REFUSED" || refusal.rule != "OBLIGATIONS_UNFULFILLED"
	commitment := "本单位已纠正失信行为、履行相关义务，承诺今后严格遵守法律法规和行业规范，如再次失信，愿意接受相应惩戒。"
	applicant := self(e)
	acceptDue := s.due(applied, "REPAIR_ACCEPT")
	why := "obligations declared fulfilled"
	if !fulfilled {
		why = "obligations declared NOT fulfilled"
	}
	s.history(WorkflowRepair, id, "apply", "", "APPLIED", applicant, applied, why)
	var decisionDue, rule, reason, recheck any
	clerk := s.clerk(dept)
	switch state {
	case "REFUSED":
		at := s.later(applied, 1+r.IntN(s.rules["REPAIR_ACCEPT"]))
		rule, reason = refusal.rule, refusal.reason
		s.history(WorkflowRepair, id, "refuse", "APPLIED", "REFUSED", clerk, at, refusal.rule+": "+refusal.reason)
	case "ACCEPTED", "REPAIRED", "DENIED", "REVERSED":
		accepted := s.later(applied, 1+r.IntN(s.rules["REPAIR_ACCEPT"]-2))
		due := s.due(accepted, "REPAIR_DECIDE")
		decisionDue = due.String()
		s.history(WorkflowRepair, id, "accept", "APPLIED", "ACCEPTED", clerk, accepted, "decision due "+due.String())
		if state == "ACCEPTED" {
			break
		}
		decided := s.later(accepted, 1+r.IntN(s.rules["REPAIR_DECIDE"]))
		if state == "DENIED" {
			reason = synth.Pick(r, repairDecisions["DENIED"])
			s.history(WorkflowRepair, id, "deny", "ACCEPTED", "DENIED", clerk, decided, reason.(string))
			break
		}
		reason = synth.Pick(r, repairDecisions["REPAIRED"])
		s.history(WorkflowRepair, id, "grant", "ACCEPTED", "REPAIRED", clerk, decided, reason.(string))
		flag := s.overlay(b.ID, credit.Repaired, nil, WorkflowRepair, id, decided, clerk)
		// Repaired cases are re-checked now and then (T24); a wrong repair
		// is reversed and the record is public again.
		if state == "REVERSED" || r.IntN(100) < 30 {
			at := s.later(decided, 20+r.IntN(40))
			recheck = at
			reviewer := s.clerk(CreditOfficeOrg)
			if state == "REVERSED" {
				s.history(WorkflowRepair, id, "reverse", "REPAIRED", "REVERSED", reviewer, at, "复查发现申请人提交的整改材料不实，撤销修复决定，恢复公示")
				s.deactivate(flag)
			} else {
				s.history(WorkflowRepair, id, "recheck", "REPAIRED", "REPAIRED", reviewer, at, "复查确认修复条件成立")
			}
		}
	}
	s.add("repair", id, b.ID, dept, e.USCC, applied, commitment, fulfilled, state, acceptDue.String(), decisionDue,
		rule, reason, recheck)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// --- writing ----------------------------------------------------------------

// write loads every table in one transaction (COPY), moves the id sequences
// past the ids used and tells running hubs that the state changed.
func (s *seeder) write(ctx context.Context, db *sqldb.DB) (err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err = tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return err
	}
	for _, t := range seedTables {
		if err = copyRows(ctx, tx, t.name, t.cols, s.rows[t.name]); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), greatest(max(id), 1), max(id) IS NOT NULL) FROM %s`,
			t.name, t.name)); err != nil {
			return err
		}
	}
	if _, err = tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, NotifyChannel); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return err
	}
	names := make([]string, len(seedTables))
	for i, t := range seedTables {
		names[i] = t.name
	}
	_, err = db.ExecContext(ctx, `ANALYZE `+strings.Join(names, ", "))
	return err
}

func copyRows(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	defer stmt.Close()
	for _, row := range rows {
		if _, err := stmt.ExecContext(ctx, row...); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	return nil
}
