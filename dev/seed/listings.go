package seed

// Lists, interviews and joint-punishment cases (workflow/listing.go,
// jointcase.go): an identifying department lists an entity on its
// weightiest recent records, holds interviews once the rectification
// deadline passed, opens a joint-punishment case that the departments
// answer, and removes the listing in the end.

import (
	"context"
	"slices"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/scalars"
	"credithub/internal/workflow"
)

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

var removalNotes = map[workflow.RemovalReason]string{
	workflow.RemovedRepaired: "已完成信用修复", workflow.RemovedExpired: "列入期限届满", workflow.RemovedRevoked: "认定依据已被撤销",
}

// deptAbbrev are the departments' abbreviations in their documents' numbers.
var deptAbbrev = map[string]string{
	datasources.Market: "黑市监", datasources.Environment: "黑环", datasources.Fire: "黑消",
	datasources.Housing: "黑建", datasources.Court: "黑中法",
}

var appliedMeasures = []string{"已在本部门业务系统中标注并实施限制", "已纳入重点监管对象，提高抽查比例和频次", "已在审批环节实施限制，不适用告知承诺制"}

// adverse: a record a listing may rest on.
func adverse(r credit.Record) bool {
	b := r.Common()
	return b.Severity != nil && *b.Severity != credit.Minor
}

// settle is how many days a listing follows the decision it rests on, at
// least.
const settle = 7

// listing plans a listing of e as lp plans it, on e's weightiest records;
// none when e has no such record.
func (s *seeder) listing(t *timeline, e *world.Entity, lp listingPlan, records []credit.Record) {
	r := s.r
	// When: early enough for what follows.
	lo, hi := s.ago(1000), s.ago(200)
	switch {
	case lp.caseState == workflow.CaseOpen:
		lo, hi = s.ago(260), s.ago(120)
	case lp.listType == credit.ListMarketBan && lp.reason == workflow.RemovedExpired:
		lo, hi = s.ago(3*365), s.ago(400) // a one-year ban, run out
	case lp.state == workflow.Listed && !lp.overdue && lp.caseState == "":
		lo, hi = s.ago(60), s.ago(5)
	}
	// The basis: the entity's weightiest records decided before; their
	// department identifies the listing.
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
	lo = latest(lo, first.DecisionDate.Time().AddDate(0, 0, settle))
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
	s.looksUp(linked...)
	in := workflow.ListingInput{ListType: lp.listType, USCC: e.USCC, Basis: basis, LinkedRecordIDs: linked}
	for _, k := range []string{e.OrgCode, e.RegNo} {
		if k != "" {
			in.LegacyKeys = append(in.LegacyKeys, k)
		}
	}

	entered := s.day(lo, hi)
	var rectifyBy time.Time
	var banEnd *scalars.Date
	switch lp.listType {
	case credit.ListJointPunishment, credit.ListKeyAttention:
		rectifyBy = entered.AddDate(0, 0, synth.Pick(r, []int{30, 60, 90}))
		if lp.state == workflow.Listed && !lp.overdue && !rectifyBy.After(civil(s.now)) {
			rectifyBy = civil(s.now).AddDate(0, 0, 10+r.IntN(60))
		}
		rectify := scalars.DateOf(rectifyBy)
		in.RectifyBy = &rectify
		if lp.listType == credit.ListKeyAttention {
			d := synth.Pick(r, workflow.KeyAttentionDomains).Code
			in.Domain = &d
		}
	case credit.ListMarketBan:
		end := entered.AddDate(1+r.IntN(5), 0, 0)
		switch {
		case lp.state == workflow.Removed && lp.reason == workflow.RemovedExpired:
			end = entered.AddDate(1, 0, 0)
		case lp.state == workflow.Listed && r.IntN(100) < 15:
			in.Permanent = true
		case !end.After(civil(s.now)):
			end = civil(s.now).AddDate(1+r.IntN(3), 0, 0)
		}
		if !in.Permanent {
			d := scalars.DateOf(end)
			banEnd, in.BanEnd = &d, &d
		}
		if e.Industry != "" {
			in.Domain = &e.Industry
		}
	}
	enteredAt := s.office(entered)
	if lp.listType == credit.ListMarketBan {
		start := scalars.DateOf(enteredAt) // the ban starts on entry
		in.BanStart = &start
	}
	clerk := s.clerk(dept)
	// The basis names the identifying department's decision to list.
	in.Basis += "；认定文书" + synth.DecisionNo(r, deptAbbrev[dept], civil(enteredAt).Year(), "信认")
	var entry int64
	t.add(enteredAt, clerk, "listing", func(ctx context.Context, wf *workflow.Service) error {
		le, err := wf.EnterListing(ctx, in, s.lookup, noKey)
		if err == nil {
			entry = le.DBID
		}
		return err
	})
	if lp.listType == credit.ListMarketBan {
		// The bans job records the ban's first day (T21), the day it is
		// entered here.
		t.add(enteredAt, workflow.BanJob, "starting the ban of", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.StartBan(ctx, entry)
			return err
		})
	}

	// Interviews after the missed deadline (谁认定、谁约谈).
	last := enteredAt
	if lp.overdue {
		held := rectifyBy
		for _, typ := range lp.interviews {
			held = earliest(s.day(held.AddDate(0, 0, 3), held.AddDate(0, 0, 25)), civil(s.now))
			at := s.office(held)
			held = civil(at)
			heldOn, notes := scalars.DateOf(at), synth.Pick(r, interviewNotes[typ])
			t.add(at, clerk, "interviewing", func(ctx context.Context, wf *workflow.Service) error {
				_, err := wf.RecordInterview(ctx, entry, typ, heldOn, notes, noKey)
				return err
			})
			last = at
		}
	}

	// The joint-punishment case.
	if lp.caseState != "" {
		opened := s.later(enteredAt, 2+r.IntN(10))
		switch {
		case lp.caseState == workflow.CaseOpen && lp.overduePush:
			opened = s.office(s.day(s.ago(40), s.ago(12)))
		case lp.caseState == workflow.CaseOpen:
			opened = s.office(s.day(s.ago(3), s.ago(0)))
		}
		if opened.Before(enteredAt) {
			opened = s.later(enteredAt, 1)
		}
		last = latest(last, s.jointCase(t, &entry, lp, opened, clerk))
	}

	// Removal.
	if lp.state == workflow.Removed {
		var at time.Time
		if lp.listType == credit.ListMarketBan && lp.reason == workflow.RemovedExpired && banEnd != nil {
			at = s.office(banEnd.Time())
		} else {
			at = s.later(last, 20+r.IntN(150))
		}
		if at.Before(last) {
			at = s.later(last, 1)
		}
		if lp.listType == credit.ListMarketBan && lp.reason == workflow.RemovedExpired && banEnd != nil {
			// A ban runs out by itself: the bans job ends it on its day.
			t.add(at, workflow.BanJob, "ending the ban of", func(ctx context.Context, wf *workflow.Service) error {
				_, err := wf.EndBan(ctx, entry)
				return err
			})
		} else {
			t.add(at, clerk, "removing a listing of", func(ctx context.Context, wf *workflow.Service) error {
				_, err := wf.RemoveListing(ctx, entry, lp.reason, removalNotes[lp.reason], noKey)
				return err
			})
		}
	}
}

// jointCase plans a case on the list entry *entry, opened at opened by
// opener and pushed to every department whose measures apply, and those
// departments' answers (the last closes the case); it returns when the case
// last changed.
func (s *seeder) jointCase(t *timeline, entry *int64, lp listingPlan, opened time.Time, opener *auth.Principal) time.Time {
	r := s.r
	pushes := map[string]int64{} // department → its push, once the case is open
	t.add(opened, opener, "opening a joint-punishment case of", func(ctx context.Context, wf *workflow.Service) error {
		c, err := wf.OpenJointCase(ctx, *entry, noKey)
		if err != nil {
			return err
		}
		made, err := wf.PushesOf(ctx, []int64{c.DBID})
		for _, p := range made[c.DBID] {
			pushes[p.DepartmentCode] = p.DBID
		}
		return err
	})
	last := opened
	for i, dept := range s.depts {
		answered := lp.caseState == workflow.CaseClosed || r.IntN(100) < 50
		if lp.caseState == workflow.CaseOpen && i == len(s.depts)-1 {
			answered = false // an open case waits for at least one answer
		}
		if !answered {
			continue
		}
		// Most answer within the deadline; some late.
		at := s.later(opened, 1+r.IntN(s.days[workflow.RulePushFeedback]+3))
		clerk := s.clerk(dept)
		measure := synth.Pick(r, appliedMeasures)
		t.add(at, clerk, "answering a case pushed about", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.AnswerPush(ctx, pushes[dept], measure, scalars.DateOf(at), noKey)
			return err
		})
		last = latest(last, at)
	}
	return last
}
