package seed

// Findings (workflow/finding.go): credit service agencies send back case
// verifications and monitoring findings, which the departments accept or
// reject. They are planned after every other workflow, from a stream of
// their own ("findings"), so that the other plans keep the moments, the
// clerks and the records they always had. The agencies hold record:read
// (the departments share records with them); a verification is of a
// dishonesty record they may read that no objection or repair touches, and
// leaves the record as it was (a confirmed case accepted, a disputed one
// waiting or rejected).

import (
	"context"
	"fmt"
	"reflect"
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

// The agencies that send findings back (agency-001 is the development
// sign-in's agency).
var findingAgencies = []string{"agency-001", "agency-002", "agency-003"}

var monitoringSummaries = []string{
	"跟踪监测发现其在整改期内仍承接同类业务", "监测发现其经营场所与登记住所不一致且无法联系",
	"监测发现其网店仍在销售已被责令停售的产品", "回访发现整改承诺事项未落实",
}

var verificationSummaries = map[workflow.FindingVerdict][]string{
	workflow.VerdictConfirmed: {"经核查，案件所涉违法事实属实，当事人尚未履行完毕", "经实地核查，失信情形属实"},
	workflow.VerdictDisputed:  {"核查发现当事人已于决定前完成整改，案件事实存疑", "核查发现决定书载明的主体信息与实际经营者不一致"},
}

var findingEvidence = []string{"现场走访记录及照片", "公开渠道信息比对截图", "当事人提供的履行凭证复印件", "相关合同及票据复印件"}

// findingPlan is one finding and where it ends.
type findingPlan struct {
	kind    workflow.FindingKind
	state   workflow.FindingState
	verdict workflow.FindingVerdict
}

// showcaseFindings are the first showcase entity's: one of each kind in
// every state.
var showcaseFindings = []findingPlan{
	{workflow.FindingMonitoring, workflow.FindingSubmitted, ""},
	{workflow.FindingMonitoring, workflow.FindingAccepted, ""},
	{workflow.FindingMonitoring, workflow.FindingRejected, ""},
	{workflow.FindingCaseVerification, workflow.FindingSubmitted, workflow.VerdictDisputed},
	{workflow.FindingCaseVerification, workflow.FindingAccepted, workflow.VerdictConfirmed},
	{workflow.FindingCaseVerification, workflow.FindingRejected, workflow.VerdictDisputed},
}

// findings plans the agencies' findings on the planned entities (work[i]
// is plans[i]'s timeline): the first showcase entity one of each kind in
// every state, a troubled entity now and then one.
func (s *seeder) findings(plans []plan, work []*timeline, records map[string][]credit.Record) {
	fc := clock{r: synth.New(s.w.Seed, "findings"), cal: s.cal, now: s.now}
	for i, p := range plans {
		var fps []findingPlan
		switch {
		case p.e.Index == 0:
			fps = showcaseFindings
		case p.e.Profile == world.Troubled && fc.r.IntN(100) < 20:
			fps = []findingPlan{synth.Pick(fc.r, showcaseFindings)}
		}
		for _, fp := range fps {
			s.finding(fc, work[i], p.e, fp, records[p.e.USCC])
		}
	}
}

// finding plans one finding of fp on e; a verification is of one of
// records (several agencies may verify one case). Nothing when there is no
// record for it.
func (s *seeder) finding(fc clock, t *timeline, e *world.Entity, fp findingPlan, records []credit.Record) {
	r := fc.r
	lo, hi := fc.ago(120), fc.ago(15)
	if fp.state == workflow.FindingSubmitted {
		lo, hi = fc.ago(6), fc.ago(0)
	}
	agency := synth.Pick(r, findingAgencies)
	in := workflow.FindingInput{Kind: fp.kind, USCC: e.USCC, Evidence: synth.Pick(r, findingEvidence)}
	dept := ""
	if fp.kind == workflow.FindingMonitoring {
		dept = datasources.Departments[r.IntN(len(datasources.Departments))].Code
		if e.Index == 0 {
			dept = datasources.Market
		}
		in.Department, in.Summary = dept, synth.Pick(r, monitoringSummaries)
	} else {
		var candidates []credit.Record
		for _, rec := range records {
			if s.verifiable(rec, hi) {
				candidates = append(candidates, rec)
			}
		}
		if len(candidates) == 0 {
			return
		}
		rec := candidates[r.IntN(len(candidates))]
		verdict := fp.verdict
		in.RecordID, in.Verdict, in.Summary = rec.Common().ID, &verdict, synth.Pick(r, verificationSummaries[verdict])
		s.looksUp(in.RecordID)
		dept = workflow.Provider(rec)
		// Verified after its decision.
		lo = latest(lo, rec.Common().DecisionDate.Time().AddDate(0, 0, 1))
	}
	submitted := fc.office(fc.day(lo, hi))
	by := auth.NewPrincipal(synth.PersonName(r), agency, auth.KindAgency, []string{auth.ScopeFindingSubmit, auth.ScopeRecordRead}, "")
	var id int64
	t.add(submitted, by, "submitting a finding on", func(ctx context.Context, wf *workflow.Service) error {
		f, err := wf.SubmitFinding(ctx, s.findingLookup, in, noKey)
		if err == nil {
			id = f.DBID
		}
		return err
	})
	if fp.state == workflow.FindingSubmitted {
		return
	}
	decided := fc.later(submitted, 1+r.IntN(5))
	clerk := auth.NewPrincipal(synth.PersonName(r), dept, auth.KindDepartment, []string{auth.ScopeFindingHandle}, "")
	switch fp.state {
	case workflow.FindingAccepted:
		t.add(decided, clerk, "accepting a finding on", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.AcceptFinding(ctx, id, nil, nil, "经研判，采纳该结果", noKey)
			return err
		})
	case workflow.FindingRejected:
		t.add(decided, clerk, "rejecting a finding on", func(ctx context.Context, wf *workflow.Service) error {
			_, err := wf.RejectFinding(ctx, id, "经复核，所附证据不足以支持该结论", noKey)
			return err
		})
	}
}

// verifiable reports whether an agency may verify rec at moment at: a
// dishonesty record of the entity itself (filed under its code), public or
// shared as it stands today, not revoked or repaired, decided before, that
// no objection or repair touches.
func (s *seeder) verifiable(rec credit.Record, at time.Time) bool {
	c, err := s.annotated(rec)
	if err != nil {
		return false
	}
	b := c.Common()
	id := b.ID
	return (b.Publicity == credit.Public || b.Publicity == credit.Shared) && b.Subject.USCC != "" && b.Party == (credit.Subject{}) &&
		(b.Severity != nil || slices.Contains(workflow.CourtLists, b.Kind)) && b.Status != credit.Revoked && b.Status != credit.Repaired &&
		b.DecisionDate.Time().Before(at) && len(s.objected[id]) == 0 && len(s.repaired[id]) == 0 && !s.held[id]
}

// findingLookup is the findings' RecordLookup: the department's record as
// the seed read it, annotated as the graph shows it today (annotated).
func (s *seeder) findingLookup(_ context.Context, ref credit.Ref) (credit.Record, error) {
	rec := s.records[ref]
	if rec == nil {
		return nil, nil
	}
	return s.annotated(rec)
}

// annotated is a copy of a department's record with what the catalogue
// says of it as of the world's present (its openness, its publication
// period), which the copy keeps to itself: the other plans read the
// records as the seed read them.
func (s *seeder) annotated(rec credit.Record) (credit.Record, error) {
	v := reflect.ValueOf(rec)
	if v.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("record %s is a %T, not a pointer", rec.Common().ID, rec)
	}
	c := reflect.New(v.Elem().Type())
	c.Elem().Set(v.Elem())
	out := c.Interface().(credit.Record)
	s.cat.Annotate(out, scalars.DateOf(s.now))
	return out, nil
}
