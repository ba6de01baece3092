package seed

// Objections (workflow/objection.go): the entity objects to one of its
// records, the credit office checks the objection and passes it to the
// providing department, which may extend its deadline once and decides.

import (
	"context"
	"slices"
	"time"

	"credithub/auth"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/workflow"
)

var objectionReasons = []string{
	"记录所载违法事实与处罚决定书不一致", "决定文号登记有误", "该处罚决定已被复议机关撤销，平台仍在公示",
	"罚款已全部缴纳，记录未反映履行情况", "检查发现的问题已整改合格，记录未反映复查结论", "本单位并非该决定的当事人，主体登记错误",
}

// objectionDecisions are the reasons of a decision, by outcome (upheld) or
// state (rejected).
var objectionDecisions = map[string][]string{
	string(workflow.OutcomeCorrect):    {"经核实，原记录内容登记有误，予以更正", "经核实，决定文号录入错误，予以更正"},
	string(workflow.OutcomeRevoke):     {"经核实，该决定已被依法撤销，撤销该记录", "经核实，记录主体登记错误，撤销该记录"},
	string(workflow.ObjectionRejected): {"经核实，原记录与决定书一致，异议不成立", "经核实，异议所述情况不属实，维持原记录"},
}

// objectionRoom is how long before an earlier objection against the same
// record a decided one is filed, at least: it is decided by then.
const objectionRoom = 30 * 24 * time.Hour

// objection plans an objection of e that ends as op plans, against one of
// its records no repair is under way or granted for: one no objection was
// filed against, or for a decided objection an earlier one against a
// record objected to since. Nothing when there is no such record.
func (s *seeder) objection(t *timeline, e *world.Entity, op objectionPlan, records []credit.Record) {
	r := s.r
	rec := s.pick(records, func(rec credit.Record) bool {
		id := rec.Common().ID
		return len(s.objected[id]) == 0 && !s.held[id]
	})
	if rec == nil && op.decided() {
		rec = s.pick(records, func(rec credit.Record) bool { return !s.held[rec.Common().ID] })
	}
	if rec == nil {
		return
	}
	b := rec.Common()
	lo, hi := s.ago(360), s.ago(20)
	switch op.state {
	case workflow.ObjectionFiled:
		lo, hi = s.ago(4), s.ago(0)
	case workflow.ObjectionChecked:
		lo, hi = s.ago(10), s.ago(3)
	}
	// The day is drawn in the window, as ever; an objection against a
	// record objected to since moves before those, with room to be decided.
	day := earliest(s.day(lo, hi), latest(lo, before(s.objected[b.ID], objectionRoom, hi)))
	filed := s.office(day)
	reason := synth.Pick(r, objectionReasons)
	open := span{filed, s.now}

	var checked, extendedAt, decided time.Time
	var checker, clerk *auth.Principal
	var approver, why string
	var fields *hubdb.Correction
	if op.state != workflow.ObjectionFiled {
		checked = s.later(filed, r.IntN(2))
		checker, clerk = s.clerk(workflow.CreditOfficeOrg), s.clerk(workflow.Provider(rec))
		last := checked
		if op.extended {
			extendedAt, approver = s.later(checked, 1), synth.PersonName(r)
			last = extendedAt
		}
		if op.decided() {
			decided = s.later(last, 1+r.IntN(2))
			open.to = decided
			key := string(op.state)
			if op.state == workflow.ObjectionUpheld {
				key = string(op.outcome)
			}
			why = synth.Pick(r, objectionDecisions[key])
			if op.outcome == workflow.OutcomeCorrect {
				fields = &hubdb.Correction{}
				if b.DecisionNo != nil {
					no := *b.DecisionNo + "（更正）"
					fields.DecisionNo = &no
				} else {
					sum := b.Summary + "（经异议核实更正）"
					fields.Summary = &sum
				}
			}
		}
	}
	if open.overlaps(s.objected[b.ID]) {
		return // one objection against a record is open at a time
	}
	if op.outcome == workflow.OutcomeRevoke && slices.ContainsFunc(s.repaired[b.ID], func(sp span) bool { return sp.from.After(decided) }) {
		return // no repair is applied for once the record was revoked
	}
	s.objected[b.ID] = append(s.objected[b.ID], open)
	s.looksUp(b.ID)

	var id int64
	t.add(filed, self(e), "filing an objection of", func(ctx context.Context, wf *workflow.Service) error {
		o, err := wf.FileObjection(ctx, s.lookup, b.ID, reason, noKey)
		if err == nil {
			id = o.DBID
		}
		return err
	})
	if op.state == workflow.ObjectionFiled {
		return
	}
	t.add(checked, checker, "checking an objection of", func(ctx context.Context, wf *workflow.Service) error {
		_, err := wf.CheckObjection(ctx, id, noKey)
		return err
	})
	if op.extended {
		t.add(extendedAt, clerk, "extending an objection of", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.ExtendObjection(ctx, id, approver, "需调取原始执法档案核实", noKey)
			return err
		})
	}
	switch op.state {
	case workflow.ObjectionUpheld:
		t.add(decided, clerk, "upholding an objection of", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.UpholdObjection(ctx, id, op.outcome, fields, why, noKey)
			return err
		})
	case workflow.ObjectionRejected:
		t.add(decided, clerk, "rejecting an objection of", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.RejectObjection(ctx, id, why, noKey)
			return err
		})
	}
}
