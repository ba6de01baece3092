package supervision

import (
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
