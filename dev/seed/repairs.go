package seed

// Repairs (workflow/repair.go): the entity applies to repair a record
// whose minimum publication period has passed; the department refuses the
// application, or accepts it and grants or denies the repair; the credit
// office re-checks some repaired cases and reverses a wrong one.

import (
	"context"
	"slices"
	"time"

	"credithub/auth"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/workflow"
)

var repairDecisions = map[workflow.RepairState][]string{
	workflow.RepairRepaired: {"已履行行政处罚决定规定的义务，整改到位并作出信用承诺，准予修复，停止公示", "申请材料齐全，符合修复条件，准予修复"},
	workflow.RepairDenied:   {"经核查，申请人仍存在未整改到位的问题，不予修复", "经现场核查，整改情况与申请材料不符，不予修复"},
}

// refusals are the cases a department refuses after an application was
// recorded (the others, such as a court list or a minimum period not
// passed, are refused before anything is written).
var refusals = []struct{ rule, reason string }{
	{workflow.RepairObligationsUnfulfilled, "罚款尚未缴纳，未履行行政处罚决定规定的义务"},
	{workflow.RepairObligationsUnfulfilled, "责令改正事项尚未整改到位"},
	{"REPEATED_DISHONESTY", "修复后一年内再次发生同类失信行为"},
}

const repairCommitment = "本单位已纠正失信行为、履行相关义务，承诺今后严格遵守法律法规和行业规范，如再次失信，愿意接受相应惩戒。"

// repairRoom is how long before an earlier repair of the same record an
// attempt ending in state is applied for, at least: it has ended by then.
var repairRoom = map[workflow.RepairState]time.Duration{
	workflow.RepairRefused:  30 * 24 * time.Hour,
	workflow.RepairDenied:   30 * 24 * time.Hour,
	workflow.RepairReversed: 150 * 24 * time.Hour,
}

// keepsRecord: a repair in this state keeps its record, none other may be
// applied for (repair_one_open).
func keepsRecord(state workflow.RepairState) bool {
	return state == workflow.RepairApplied || state == workflow.RepairAccepted || state == workflow.RepairRepaired
}

// repairWindow is when a repair of rec may be asked for: from the end of
// its minimum publication period to the end of its maximum one, when
// publication stops by itself; ok is false for a record that is no
// dishonesty information or that the hub does not repair.
func (s *seeder) repairWindow(rec credit.Record) (from, to time.Time, ok bool) {
	b := rec.Common()
	if b.Severity == nil || b.Status != credit.Effective || slices.Contains(workflow.CourtLists, b.Kind) {
		return from, to, false
	}
	p, ok := s.periods[*b.Severity]
	if !ok || !p.Published {
		return from, to, false
	}
	return workflow.RepairableFrom(b.DecisionDate, p.MinMonths).Time(), b.DecisionDate.Time().AddDate(0, p.MaxMonths, 0), true
}

// repair plans a repair of e that ends in state, of one of its records
// that may be repaired at a time that suits the state; nothing when there
// is none.
func (s *seeder) repair(t *timeline, e *world.Entity, state workflow.RepairState, records []credit.Record) {
	r := s.r
	// The days the application may have been made on, for its state.
	lo, hi := s.ago(300), s.ago(20)
	switch state {
	case workflow.RepairApplied:
		lo, hi = s.ago(10), s.ago(0)
	case workflow.RepairAccepted:
		lo, hi = s.ago(18), s.ago(6)
	case workflow.RepairReversed:
		lo, hi = s.ago(330), s.ago(120)
	}
	suits := func(rec credit.Record) (time.Time, time.Time, bool) {
		from, to, ok := s.repairWindow(rec)
		if !ok {
			return lo, hi, false
		}
		a, b := latest(lo, civil(from)), earliest(hi, civil(to).AddDate(0, 0, -1))
		if keepsRecord(state) && state != workflow.RepairRepaired && !to.After(s.now) {
			return a, b, false // still under way: its publication has not ended
		}
		return a, b, !b.Before(a)
	}
	rec := s.pick(records, func(rec credit.Record) bool {
		_, _, ok := suits(rec)
		return ok && !s.held[rec.Common().ID]
	})
	if rec == nil && !keepsRecord(state) {
		// A refused, denied or reversed repair: an earlier attempt on a
		// record repaired since, or under way again.
		rec = s.pick(records, func(rec credit.Record) bool { _, _, ok := suits(rec); return ok })
	}
	if rec == nil {
		return
	}
	b := rec.Common()
	from, to, _ := suits(rec)
	// The day is drawn in the window, as ever; an attempt on a record that
	// has others moves before them, with room to end first.
	day := earliest(s.day(from, to), latest(from, before(s.repaired[b.ID], repairRoom[state], to)))
	applied := s.office(day)
	refusal := refusals[r.IntN(len(refusals))]
	fulfilled := state != workflow.RepairRefused || refusal.rule != workflow.RepairObligationsUnfulfilled
	clerk := s.clerk(workflow.Provider(rec))
	open := span{applied, s.now}

	var accepted, decided, rechecked time.Time
	var reason string
	var reviewer *auth.Principal
	switch state {
	case workflow.RepairRefused:
		decided = s.later(applied, 1+r.IntN(s.days[workflow.RuleRepairAccept]))
		open.to = decided
	case workflow.RepairAccepted, workflow.RepairRepaired, workflow.RepairDenied, workflow.RepairReversed:
		accepted = s.later(applied, 1+r.IntN(s.days[workflow.RuleRepairAccept]-2))
		if state == workflow.RepairAccepted {
			break
		}
		decided = s.later(accepted, 1+r.IntN(s.days[workflow.RuleRepairDecide]))
		if state == workflow.RepairDenied {
			reason = synth.Pick(r, repairDecisions[workflow.RepairDenied])
			open.to = decided
			break
		}
		reason = synth.Pick(r, repairDecisions[workflow.RepairRepaired])
		// Repaired cases are re-checked now and then (T24); a wrong repair
		// is reversed and the record is public again.
		if state == workflow.RepairReversed || r.IntN(100) < 30 {
			rechecked, reviewer = s.later(decided, 20+r.IntN(40)), s.clerk(workflow.CreditOfficeOrg)
			if state == workflow.RepairReversed {
				open.to = rechecked
			}
		}
	}
	if open.overlaps(s.repaired[b.ID]) {
		return // one repair of a record is under way or granted at a time
	}
	s.repaired[b.ID] = append(s.repaired[b.ID], open)
	s.looksUp(b.ID)
	s.held[b.ID] = s.held[b.ID] || keepsRecord(state)

	var id int64
	t.add(applied, self(e), "applying for a repair of", func(ctx context.Context, wf *workflow.Service) error {
		rp, err := wf.ApplyRepair(ctx, s.lookup, b.ID, repairCommitment, fulfilled, noKey)
		if err == nil {
			id = rp.DBID
		}
		return err
	})
	switch {
	case state == workflow.RepairRefused:
		t.add(decided, clerk, "refusing a repair of", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.RefuseRepair(ctx, id, refusal.rule, refusal.reason, noKey)
			return err
		})
		return
	case state == workflow.RepairApplied:
		return
	}
	t.add(accepted, clerk, "accepting a repair of", func(ctx context.Context, wf *workflow.Service) error {
		_, err := wf.AcceptRepair(ctx, s.lookup, id, noKey)
		return err
	})
	if state == workflow.RepairAccepted {
		return
	}
	t.add(decided, clerk, "deciding a repair of", func(ctx context.Context, wf *workflow.Service) error {
		_, err := wf.DecideRepair(ctx, id, state != workflow.RepairDenied, reason, noKey)
		return err
	})
	if rechecked.IsZero() {
		return
	}
	reverse := state == workflow.RepairReversed
	t.add(rechecked, reviewer, "re-checking a repair of", func(ctx context.Context, wf *workflow.Service) error {
		why := "复查确认修复条件成立"
		if reverse {
			why = "复查发现申请人提交的整改材料不实，撤销修复决定，恢复公示"
		}
		_, err := wf.RecheckRepair(ctx, id, !reverse, why, noKey)
		return err
	})
}
