package seed

// What each entity gets: how many objects of each workflow, in which
// states, drawn by the entity's profile; the first showcase entity gets
// one in every state.

import (
	"slices"

	"credithub/datasources/market"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/workflow"
)

// plan is what one entity gets.
type plan struct {
	e           *world.Entity
	commitments []workflow.CommitmentState
	listings    []listingPlan
	objections  []objectionPlan
	repairs     []workflow.RepairState
}

func (p plan) needsRecords() bool {
	return len(p.listings) > 0 || len(p.objections) > 0 || len(p.repairs) > 0
}

type listingPlan struct {
	listType credit.ListType
	state    workflow.ListEntryState
	reason   workflow.RemovalReason
	// overdue: the rectification deadline has passed (interviews follow).
	overdue bool
	// interviews held after the missed deadline.
	interviews []credit.InterviewType
	// caseState is the joint-punishment case's state ("": no case).
	caseState workflow.JointCaseState
	// overduePush: an open case has a push past its deadline.
	overduePush bool
}

type objectionPlan struct {
	state    workflow.ObjectionState
	outcome  workflow.ObjectionOutcome
	extended bool
}

// decided: the objection ends in a decision.
func (op objectionPlan) decided() bool {
	return op.state == workflow.ObjectionUpheld || op.state == workflow.ObjectionRejected
}

var (
	commitmentStates = synth.NewWeighted([]synth.Choice[workflow.CommitmentState]{
		{Value: workflow.CommitmentSigned, Weight: 30}, {Value: workflow.CommitmentFulfilled, Weight: 45},
		{Value: workflow.CommitmentBreached, Weight: 15}, {Value: workflow.CommitmentFoundFalse, Weight: 10},
	})
	listTypes = synth.NewWeighted([]synth.Choice[credit.ListType]{
		{Value: credit.ListJointPunishment, Weight: 40}, {Value: credit.ListKeyAttention, Weight: 35}, {Value: credit.ListMarketBan, Weight: 25},
	})
	objectionPlans = synth.NewWeighted([]synth.Choice[objectionPlan]{
		{Value: objectionPlan{state: workflow.ObjectionFiled}, Weight: 15},
		{Value: objectionPlan{state: workflow.ObjectionChecked}, Weight: 12},
		{Value: objectionPlan{state: workflow.ObjectionChecked, extended: true}, Weight: 5},
		{Value: objectionPlan{state: workflow.ObjectionUpheld, outcome: workflow.OutcomeCorrect}, Weight: 15},
		{Value: objectionPlan{state: workflow.ObjectionUpheld, outcome: workflow.OutcomeRevoke}, Weight: 10},
		{Value: objectionPlan{state: workflow.ObjectionRejected}, Weight: 33},
		{Value: objectionPlan{state: workflow.ObjectionRejected, extended: true}, Weight: 10},
	})
	repairStates = synth.NewWeighted([]synth.Choice[workflow.RepairState]{
		{Value: workflow.RepairApplied, Weight: 15}, {Value: workflow.RepairAccepted, Weight: 12}, {Value: workflow.RepairRefused, Weight: 15},
		{Value: workflow.RepairRepaired, Weight: 35}, {Value: workflow.RepairDenied, Weight: 13}, {Value: workflow.RepairReversed, Weight: 10},
	})
	removalReasons = []workflow.RemovalReason{workflow.RemovedRepaired, workflow.RemovedExpired, workflow.RemovedRevoked}
)

// plan decides what every entity gets. The rates give a few hundred
// workflow objects for the default 2000 entities, and as many per entity
// at any size.
//
// The one walk of the world (which may be streamed) also finds its public
// employees (s.employees).
func (s *seeder) plan() ([]plan, error) {
	var out []plan
	r := s.r
	err := s.w.Each(func(e *world.Entity) error {
		if t, _ := market.SeedOrg(e); (t == market.OrgOrgan || t == market.OrgPublicInstitution) && e.LegalRep != nil {
			s.employees = append(s.employees, employee{e.LegalRep.IDNo, e.LegalRep.Name, e.USCC, e.Name})
		}
		p := plan{e: e}
		if e.Index == 0 {
			out = append(out, showcasePlan(e))
			return nil
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
		return nil
	})
	return out, err
}

func (s *seeder) randomListing(t credit.ListType) listingPlan {
	r := s.r
	lp := listingPlan{listType: t, state: workflow.Listed}
	if r.IntN(100) < 40 {
		lp.state, lp.reason = workflow.Removed, synth.Pick(r, removalReasons)
	}
	if t == credit.ListMarketBan && lp.state == workflow.Removed && r.IntN(2) == 0 {
		lp.reason = workflow.RemovedExpired
	}
	if lp.state == workflow.Listed && t != credit.ListMarketBan && r.IntN(100) < 50 {
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
		case lp.state == workflow.Removed:
			lp.caseState = workflow.CaseClosed
		case r.IntN(100) < 50:
			lp.caseState, lp.overduePush = workflow.CaseOpen, r.IntN(100) < 60
		case r.IntN(100) < 70:
			lp.caseState = workflow.CaseClosed
		}
	}
	return lp
}

// showcasePlan gives the first showcase entity an item in every state of
// every workflow.
func showcasePlan(e *world.Entity) plan {
	return plan{
		e: e,
		commitments: []workflow.CommitmentState{workflow.CommitmentSigned, workflow.CommitmentFulfilled, workflow.CommitmentBreached,
			workflow.CommitmentFoundFalse},
		listings: []listingPlan{
			{listType: credit.ListJointPunishment, state: workflow.Listed, overdue: true,
				interviews: []credit.InterviewType{credit.InterviewPrompt, credit.InterviewWarning}, caseState: workflow.CaseOpen, overduePush: true},
			{listType: credit.ListJointPunishment, state: workflow.Removed, reason: workflow.RemovedRepaired, caseState: workflow.CaseClosed},
			{listType: credit.ListKeyAttention, state: workflow.Listed, overdue: true, interviews: []credit.InterviewType{credit.InterviewPrompt}},
			{listType: credit.ListKeyAttention, state: workflow.Removed, reason: workflow.RemovedRevoked},
			{listType: credit.ListMarketBan, state: workflow.Listed},
			{listType: credit.ListMarketBan, state: workflow.Removed, reason: workflow.RemovedExpired},
		},
		objections: []objectionPlan{
			{state: workflow.ObjectionFiled}, {state: workflow.ObjectionChecked, extended: true},
			{state: workflow.ObjectionUpheld, outcome: workflow.OutcomeCorrect}, {state: workflow.ObjectionUpheld, outcome: workflow.OutcomeRevoke},
			{state: workflow.ObjectionRejected},
		},
		repairs: []workflow.RepairState{workflow.RepairApplied, workflow.RepairAccepted, workflow.RepairRefused, workflow.RepairRepaired,
			workflow.RepairDenied, workflow.RepairReversed},
	}
}

// entity plans the transitions p plans for its entity, on the entity's
// records.
func (s *seeder) entity(p plan, records []credit.Record) *timeline {
	t := &timeline{uscc: p.e.USCC}
	for _, st := range p.commitments {
		s.commitment(t, p.e, st)
	}
	for _, lp := range p.listings {
		s.listing(t, p.e, lp, records)
	}
	// Repairs first: they need the dishonesty records still in their
	// publication period, which are few; objections take the records no
	// repair was asked for. Those that keep a record under way or repaired
	// come first, since a record has at most one of them; a refused,
	// denied or reversed repair may be an earlier attempt on the same
	// record.
	states := slices.Clone(p.repairs)
	slices.SortStableFunc(states, func(a, b workflow.RepairState) int { return boolRank(keepsRecord(a)) - boolRank(keepsRecord(b)) })
	for _, st := range states {
		s.repair(t, p.e, st, records)
	}
	for _, op := range p.objections {
		s.objection(t, p.e, op, records)
	}
	return t
}

func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
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
