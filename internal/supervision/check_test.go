package supervision

import (
	"fmt"
	"slices"
	"testing"

	"credithub/internal/catalogue"
	"credithub/internal/credit"
)

// measures is the seeded measures catalogue (migrations 00004 and 00005)
// that these cases need.
func measures() []*catalogue.Measure {
	serious, general := credit.Serious, credit.General
	return []*catalogue.Measure{
		{Code: "M-APR-01", Kind: catalogue.Restriction, Scenarios: []credit.Scenario{credit.ScenarioAdministrativeApproval, credit.ScenarioMarketAccess},
			RecordKinds: []credit.Kind{credit.KindCommitmentBreach, credit.KindPenalty, credit.KindAbnormalOperation}, MinSeverity: &general},
		{Code: "M-CRT-01", Kind: catalogue.Restriction, ListTypes: []credit.ListType{credit.ListJointPunishment},
			Scenarios: []credit.Scenario{credit.ScenarioPublicProcurement, credit.ScenarioBidding, credit.ScenarioStateFunding}},
		{Code: "M-MKT-02", Kind: catalogue.Restriction, ListTypes: []credit.ListType{credit.ListJointPunishment, credit.ListKeyAttention},
			Scenarios: []credit.Scenario{credit.ScenarioAdministrativeApproval, credit.ScenarioQualificationReview, credit.ScenarioMarketAccess}},
		{Code: "M-PRC-01", Kind: catalogue.Restriction, ListTypes: []credit.ListType{credit.ListJointPunishment},
			Scenarios:   []credit.Scenario{credit.ScenarioPublicProcurement, credit.ScenarioBidding},
			RecordKinds: []credit.Kind{credit.KindDishonestDebtor, credit.KindFalseLitigation}, MinSeverity: &serious},
		{Code: "M-MKT-R1", Kind: catalogue.Reward,
			Scenarios: []credit.Scenario{credit.ScenarioAdministrativeApproval, credit.ScenarioMarketAccess, credit.ScenarioStateFunding}},
	}
}

func rec(id string, kind credit.Kind, s *credit.Severity, st credit.Status) credit.Record {
	return &credit.Penalty{Base: credit.Base{ID: id, Kind: kind, Severity: s, Status: st, Summary: id}}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	minor, general, serious := sev(credit.Minor), sev(credit.General), sev(credit.Serious)
	debtor := &credit.DishonestDebtor{Base: credit.Base{ID: "d1", Kind: credit.KindDishonestDebtor, Severity: serious, Status: credit.Effective}}
	listing := &credit.Listing{Base: credit.Base{ID: "l1", Kind: credit.KindListing, Status: credit.Effective}, ListType: credit.ListJointPunishment}
	keyAttention := &credit.KeyAttention{Base: credit.Base{ID: "k1", Kind: credit.KindKeyAttention, Status: credit.Effective}, Domain: "food and drugs"}
	type want map[string][]string // measure → trigger ids
	tests := []struct {
		name     string
		scenario credit.Scenario
		records  []credit.Record
		complete bool
		want     want
	}{
		{"a dishonest debtor cannot take part in procurement", credit.ScenarioPublicProcurement,
			[]credit.Record{debtor, rec("p1", credit.KindPenalty, general, credit.Effective)}, true, want{"M-PRC-01": {"d1"}}},
		{"an expired or repaired court listing triggers nothing", credit.ScenarioPublicProcurement,
			[]credit.Record{rec("d2", credit.KindDishonestDebtor, serious, credit.Expired), rec("d3", credit.KindFalseLitigation, serious, credit.Repaired)}, true, want{}},
		{"under objection still counts", credit.ScenarioPublicProcurement,
			[]credit.Record{rec("d4", credit.KindFalseLitigation, serious, credit.UnderObjection)}, true, want{"M-PRC-01": {"d4"}}},
		{"a joint-punishment listing triggers every measure naming the list", credit.ScenarioPublicProcurement,
			[]credit.Record{listing}, true, want{"M-CRT-01": {"l1"}, "M-PRC-01": {"l1"}}},
		{"a key-attention entry is a list of its own", credit.ScenarioAdministrativeApproval,
			[]credit.Record{keyAttention}, true, want{"M-MKT-02": {"k1"}}},
		{"severity below the measure's minimum", credit.ScenarioAdministrativeApproval,
			[]credit.Record{rec("p2", credit.KindPenalty, minor, credit.Effective)}, true, want{"M-MKT-R1": nil}},
		{"at the minimum", credit.ScenarioAdministrativeApproval,
			[]credit.Record{rec("p3", credit.KindPenalty, general, credit.Effective), rec("p4", credit.KindPenalty, serious, credit.Effective)}, true,
			want{"M-APR-01": {"p3", "p4"}}},
		{"a clean entity gets the reward", credit.ScenarioStateFunding, nil, true, want{"M-MKT-R1": nil}},
		{"no reward when a department did not answer", credit.ScenarioStateFunding, nil, false, want{}},
		{"no reward with a general record in force the scenario's restrictions ignore", credit.ScenarioStateFunding,
			[]credit.Record{rec("a1", credit.KindAccident, general, credit.Effective)}, true, want{}},
		{"a scenario without a reward", credit.ScenarioPublicProcurement, nil, true, want{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := want{}
			for _, a := range Evaluate(measures(), tc.scenario, tc.records, tc.complete) {
				var ids []string
				for _, tr := range a.Triggers {
					ids = append(ids, tr.RecordID)
				}
				got[a.Code] = ids
			}
			if len(got) != len(tc.want) {
				t.Fatalf("measures %v, want %v", got, tc.want)
			}
			for code, ids := range tc.want {
				if g, ok := got[code]; !ok || !slices.Equal(g, ids) {
					t.Fatalf("measures %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// A listing trigger names its list; the catalogue's kinds are always read.
func TestTriggerDetailsAndFactKinds(t *testing.T) {
	t.Parallel()
	l := &credit.Listing{Base: credit.Base{ID: "l1", Kind: credit.KindListing, Status: credit.Effective, Summary: "列入联合惩戒对象名单"}, ListType: credit.ListJointPunishment}
	a := Evaluate(measures(), credit.ScenarioBidding, []credit.Record{l}, true)
	if len(a) != 2 || a[0].Triggers[0].ListType == nil || *a[0].Triggers[0].ListType != credit.ListJointPunishment || a[0].Triggers[0].Summary != l.Summary {
		t.Fatalf("triggers %+v", a)
	}
	kinds := factKinds(append(measures(), &catalogue.Measure{Code: "X", Kind: catalogue.Restriction, RecordKinds: []credit.Kind{credit.KindLicence}}))
	if !slices.Contains(kinds, credit.KindLicence) || slices.Contains(factKinds(measures()), credit.KindLicence) {
		t.Fatalf("a kind a measure names must be read, and licences otherwise not: %v", kinds)
	}
	for _, k := range []credit.Kind{credit.KindComplaint, credit.KindEnvironmentalRating, credit.KindListing, credit.KindKeyAttention, credit.KindInspection} {
		if !slices.Contains(factKinds(measures()), k) {
			t.Errorf("the grade reads %s, but it is not fetched", k)
		}
	}
}

// rewardMeasures are the reward measures of migration 00034: M-MKT-R1 and
// M-MKT-R2 rest on a reward, a verified honour or an A grade, M-FND-R1 on
// a reward or a verified honour only.
func rewardMeasures() []*catalogue.Measure {
	general := credit.General
	rewarding := []credit.Kind{credit.KindReward, credit.KindSelfDeclaration}
	return []*catalogue.Measure{
		{Code: "M-APR-01", Kind: catalogue.Restriction, Scenarios: []credit.Scenario{credit.ScenarioAdministrativeApproval},
			RecordKinds: []credit.Kind{credit.KindPenalty}, MinSeverity: &general},
		{Code: "M-FND-R1", Kind: catalogue.Reward, Scenarios: []credit.Scenario{credit.ScenarioStateFunding}, RecordKinds: rewarding},
		{Code: "M-MKT-R1", Kind: catalogue.Reward, Scenarios: []credit.Scenario{credit.ScenarioAdministrativeApproval, credit.ScenarioMarketAccess},
			RecordKinds: rewarding, Grades: []string{"A"}},
		{Code: "M-MKT-R2", Kind: catalogue.Reward, Scenarios: []credit.Scenario{credit.ScenarioAdministrativeApproval},
			RecordKinds: rewarding, Grades: []string{"A"}},
	}
}

// Rewards (守信激励) rest on what earns them, named as their triggers: an
// administrative reward in force, an honour the entity declared and a
// department verified, an A grade. Nothing else rests them, and nothing
// rewards a dishonest entity.
func TestRewardsRestOnTheirTriggers(t *testing.T) {
	t.Parallel()
	minor, general, serious := sev(credit.Minor), sev(credit.General), sev(credit.Serious)
	reward := func(id string, st credit.Status) credit.Record {
		return &credit.Reward{Base: credit.Base{ID: id, Kind: credit.KindReward, Status: st, Summary: "获黑河市政府质量奖"}, RewardName: "黑河市政府质量奖"}
	}
	declared := func(id, kind, verification string, st credit.Status) credit.Record {
		return &credit.SelfDeclaration{Base: credit.Base{ID: id, Kind: credit.KindSelfDeclaration, Status: st},
			DeclarationKind: kind, Verification: verification}
	}
	a, b := &GradeTrigger{Grade: "A", Points: -3}, &GradeTrigger{Grade: "B", Points: 4}
	type want map[string]string // measure → trigger ids, then "+A" for a grade trigger
	tests := []struct {
		name     string
		scenario credit.Scenario
		records  []credit.Record
		grade    *GradeTrigger
		complete bool
		want     want
	}{
		{"a reward in force rests every reward of the scenario", credit.ScenarioAdministrativeApproval,
			[]credit.Record{reward("r1", credit.Effective)}, b, true, want{"M-MKT-R1": "r1", "M-MKT-R2": "r1"}},
		{"a verified honour", credit.ScenarioStateFunding,
			[]credit.Record{declared("s1", "HONOUR", "VERIFIED", credit.Effective)}, nil, true, want{"M-FND-R1": "s1"}},
		{"an honour not yet verified rests nothing", credit.ScenarioStateFunding,
			[]credit.Record{declared("s2", "HONOUR", "DECLARED", credit.Effective)}, nil, true, want{}},
		{"a verified declaration of another kind rests nothing", credit.ScenarioStateFunding,
			[]credit.Record{declared("s3", "PUBLIC_WELFARE", "VERIFIED", credit.Effective)}, nil, true, want{}},
		{"an A grade rests the rewards that name it", credit.ScenarioAdministrativeApproval,
			nil, a, true, want{"M-MKT-R1": "+A", "M-MKT-R2": "+A"}},
		{"an A grade does not rest a reward that names none", credit.ScenarioStateFunding, nil, a, true, want{}},
		{"a reward and the grade together", credit.ScenarioMarketAccess,
			[]credit.Record{reward("r2", credit.Effective), rec("p1", credit.KindPenalty, minor, credit.Effective)}, a, true,
			want{"M-MKT-R1": "r2+A"}},
		{"a reward past its publication period, revoked or repaired rests nothing", credit.ScenarioAdministrativeApproval,
			[]credit.Record{reward("r3", credit.Expired), reward("r4", credit.Revoked), reward("r5", credit.Repaired)}, b, true, want{}},
		{"under objection it still counts", credit.ScenarioStateFunding,
			[]credit.Record{reward("r6", credit.UnderObjection)}, nil, true, want{"M-FND-R1": "r6"}},
		{"失信 excludes 守信激励: a serious record", credit.ScenarioStateFunding,
			[]credit.Record{reward("r7", credit.Effective), rec("d1", credit.KindDishonestDebtor, serious, credit.Effective)}, a, true, want{}},
		{"a restriction applies: only it", credit.ScenarioAdministrativeApproval,
			[]credit.Record{reward("r8", credit.Effective), rec("p2", credit.KindPenalty, general, credit.Effective)}, a, true,
			want{"M-APR-01": "p2"}},
		{"a listing", credit.ScenarioMarketAccess,
			[]credit.Record{reward("r9", credit.Effective), &credit.Listing{Base: credit.Base{ID: "l1", Kind: credit.KindListing, Status: credit.Effective},
				ListType: credit.ListMarketBan}}, a, true, want{}},
		{"a department did not answer", credit.ScenarioAdministrativeApproval,
			[]credit.Record{reward("r10", credit.Effective)}, a, false, want{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := want{}
			for _, ap := range EvaluateGraded(rewardMeasures(), tc.scenario, tc.records, tc.grade, tc.complete) {
				s := ""
				for _, tr := range ap.Triggers {
					s += tr.RecordID
				}
				if ap.Grade != nil {
					s += "+" + ap.Grade.Grade
				}
				got[ap.Code] = s
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("measures %v, want %v", got, tc.want)
			}
		})
	}
	// A reward trigger carries the record's summary and publicity, so that
	// a caller sees only the triggers it may see.
	r := reward("r11", credit.Effective)
	r.Common().Publicity = credit.Public
	ap := EvaluateGraded(rewardMeasures(), credit.ScenarioStateFunding, []credit.Record{r}, nil, true)
	if len(ap) != 1 || ap[0].Triggers[0].Summary != "获黑河市政府质量奖" || ap[0].Triggers[0].Publicity != credit.Public ||
		ap[0].Triggers[0].Kind != credit.KindReward || ap[0].Triggers[0].Severity != nil {
		t.Fatalf("trigger %+v", ap)
	}
	if !NeedsGrade(rewardMeasures(), credit.ScenarioAdministrativeApproval) || NeedsGrade(rewardMeasures(), credit.ScenarioStateFunding) {
		t.Error("a check computes the grade only where a reward names one")
	}
	// The decisions without a dishonesty class are never read for a check.
	for _, k := range []credit.Kind{credit.KindConfirmation, credit.KindLevy, credit.KindBenefit, credit.KindAdjudication, credit.KindCompensation} {
		if slices.Contains(factKinds(rewardMeasures()), k) {
			t.Errorf("a check reads %s records", k)
		}
	}
	for _, k := range []credit.Kind{credit.KindReward, credit.KindSelfDeclaration, credit.KindCoercion} {
		if !slices.Contains(factKinds(rewardMeasures()), k) {
			t.Errorf("a check does not read %s records", k)
		}
	}
}
