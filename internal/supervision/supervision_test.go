package supervision

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"credithub/internal/credit"
	"credithub/internal/scalars"
)

func intp(n int) *int { return &n }

func model(t *testing.T) *Model {
	t.Helper()
	m, err := NewModel([]Factor{
		{Code: "JOINT_PUNISHMENT_LISTING", Points: 60}, {Code: "MARKET_BAN", Points: 60}, {Code: "KEY_ATTENTION_LISTING", Points: 25},
		{Code: "SERIOUS_RECORD", Points: 30}, {Code: "GENERAL_RECORD", Points: 12}, {Code: "MINOR_RECORD", Points: 4},
		{Code: "ABNORMAL_OPERATION", Points: 10}, {Code: "COMMITMENT_BREACHED", Points: 15}, {Code: "COMMITMENT_FULFILLED", Points: -3},
		{Code: "ENV_TRUSTWORTHY", Points: -5}, {Code: "ENV_WARNED", Points: 10}, {Code: "ENV_BAD", Points: 25}, {Code: "COMPLAINTS", Points: 2},
	}, []Threshold{{Grade: "A", MaxPoints: intp(0)}, {Grade: "B", MaxPoints: intp(20)}, {Grade: "C", MaxPoints: intp(59)}, {Grade: "D"}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sev(s credit.Severity) *credit.Severity { return &s }

func penalty(id string, s credit.Severity, st credit.Status) credit.Record {
	return &credit.Penalty{Base: credit.Base{ID: id, Kind: credit.KindPenalty, Severity: sev(s), Status: st}}
}

func TestGradeFromFacts(t *testing.T) {
	t.Parallel()
	m := model(t)
	today := scalars.NewDate(2026, 11, 30)
	recent := today.Time().AddDate(0, -2, 0)
	complaint := func(id string) credit.Record {
		return &credit.Complaint{Base: credit.Base{ID: id, Kind: credit.KindComplaint, Status: credit.Effective}, ReceivedAt: recent}
	}
	tests := []struct {
		name    string
		facts   Facts
		grade   string
		points  int
		factors []string
	}{
		{"clean", Facts{Today: today}, "A", 0, nil},
		{"fulfilled commitments and a green rating", Facts{Today: today, CommitmentsFulfilled: 2, Records: []credit.Record{
			&credit.EnvironmentalRating{Base: credit.Base{ID: "e1", Status: credit.Effective}, Year: 2025, Level: credit.EnvTrustworthy}}},
			"A", -11, []string{"COMMITMENT_FULFILLED", "ENV_TRUSTWORTHY"}},
		{"one general penalty", Facts{Today: today, Records: []credit.Record{penalty("p1", credit.General, credit.Effective)}}, "B", 12, []string{"GENERAL_RECORD"}},
		{"repaired and expired records do not count", Facts{Today: today, Records: []credit.Record{
			penalty("p1", credit.Serious, credit.Repaired), penalty("p2", credit.Serious, credit.Expired), penalty("p3", credit.Serious, credit.Revoked)}},
			"A", 0, nil},
		{"a serious record", Facts{Today: today, Records: []credit.Record{penalty("p1", credit.Serious, credit.UnderObjection)}}, "C", 30, []string{"SERIOUS_RECORD"}},
		{"joint punishment", Facts{Today: today, Records: []credit.Record{
			&credit.Listing{Base: credit.Base{ID: "l1", Status: credit.Effective}, ListType: credit.ListJointPunishment}}}, "D", 60, []string{"JOINT_PUNISHMENT_LISTING"}},
		{"latest environmental rating wins", Facts{Today: today, Records: []credit.Record{
			&credit.EnvironmentalRating{Base: credit.Base{ID: "e1", Status: credit.Effective}, Year: 2023, Level: credit.EnvBad},
			&credit.EnvironmentalRating{Base: credit.Base{ID: "e2", Status: credit.Effective}, Year: 2025, Level: credit.EnvWarned}}},
			"B", 10, []string{"ENV_WARNED"}},
		{"complaints beyond the second", Facts{Today: today, Records: []credit.Record{complaint("c1"), complaint("c2"), complaint("c3"), complaint("c4"),
			&credit.Complaint{Base: credit.Base{ID: "old", Status: credit.Effective}, ReceivedAt: today.Time().AddDate(-2, 0, 0)}}},
			"B", 4, []string{"COMPLAINTS"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := m.Grade(tc.facts)
			var got []string
			sum := 0
			for _, r := range g.Reasons {
				got = append(got, r.Factor)
				sum += r.Points
			}
			slices.Sort(got)
			if g.Grade != tc.grade || g.Points != tc.points || !slices.Equal(got, tc.factors) || sum != g.Points {
				t.Fatalf("Grade = %s %d %v (reasons sum %d), want %s %d %v", g.Grade, g.Points, got, sum, tc.grade, tc.points, tc.factors)
			}
		})
	}
}

// The same seed and population give the same draw, in any order; another
// seed gives another.
func TestDrawIsReproducible(t *testing.T) {
	t.Parallel()
	var pop []Candidate
	for i := 0; i < 5000; i++ {
		pop = append(pop, Candidate{USCC: fmt.Sprintf("E%05d", i), Grade: "ABCD"[i%4 : i%4+1]})
	}
	r := DefaultRatios(0.1)
	a := Draw("plan-2026-12", pop, r)
	shuffled := slices.Clone(pop)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if b := Draw("plan-2026-12", shuffled, r); !slices.Equal(a, b) {
		t.Fatal("the draw depends on the population's order")
	}
	if c := Draw("plan-2026-13", pop, r); slices.Equal(a, c) {
		t.Fatal("another seed gave the same draw")
	}
	ins := Inspectors("plan-2026-12", "E00001", []int64{5, 3, 9, 1, 7}, 2)
	if !slices.Equal(ins, Inspectors("plan-2026-12", "E00001", []int64{9, 7, 5, 3, 1}, 2)) || len(ins) != 2 || ins[0] == ins[1] {
		t.Fatalf("inspectors %v are not a reproducible pair", ins)
	}
}

// Over a large draw, each grade's share is its ratio (within four binomial
// standard deviations).
func TestDrawRatioPerGrade(t *testing.T) {
	t.Parallel()
	const n = 200000
	var pop []Candidate
	for i := 0; i < n; i++ {
		pop = append(pop, Candidate{USCC: fmt.Sprintf("9123%014d", i), Grade: "ABCD"[i%4 : i%4+1]})
	}
	r := DefaultRatios(0.08)
	got := map[string]int{}
	for _, c := range Draw("seed-T13", pop, r) {
		got[c.Grade]++
	}
	for _, g := range []string{"A", "B", "C", "D"} {
		size := float64(n / 4)
		want := r[g] * size
		sd := math.Sqrt(size * r[g] * (1 - r[g]))
		if math.Abs(float64(got[g])-want) > 4*sd {
			t.Errorf("grade %s: drew %d of %.0f, want %.0f ± %.0f", g, got[g], size, want, 4*sd)
		}
	}
	if got["A"] >= got["B"] || got["B"] >= got["C"] || got["C"] >= got["D"] {
		t.Errorf("ratios do not rise from A to D: %v", got)
	}
}

// SECURITY: a report whose content, number, time or signature changed does
// not verify.
func TestReportTampering(t *testing.T) {
	t.Parallel()
	s, err := NewSigner("k1", bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	content := []byte(`{"entity":{"name":"黑河市鑫源商贸有限公司"},"records":[]}`)
	hash, sig := s.Sign("CR-20261130-000001", at, content)
	if hash != ContentHash(content) {
		t.Fatal("hash mismatch")
	}
	if err := Verify(s.Public(), "CR-20261130-000001", at, content, sig); err != nil {
		t.Fatalf("genuine report refused: %v", err)
	}
	changed := bytes.Replace(content, []byte("鑫源"), []byte("鑫圆"), 1)
	other, _ := NewSigner("k2", bytes.Repeat([]byte{8}, 32))
	for name, check := range map[string]error{
		"content":   Verify(s.Public(), "CR-20261130-000001", at, changed, sig),
		"number":    Verify(s.Public(), "CR-20261130-000002", at, content, sig),
		"time":      Verify(s.Public(), "CR-20261130-000001", at.Add(time.Second), content, sig),
		"signature": Verify(s.Public(), "CR-20261130-000001", at, content, sig[:10]+"A"+sig[11:]),
		"other key": Verify(other.Public(), "CR-20261130-000001", at, content, sig),
		"garbage":   Verify(s.Public(), "CR-20261130-000001", at, content, "!!"),
	} {
		if !errors.Is(check, ErrTampered) {
			t.Errorf("%s changed: Verify = %v, want ErrTampered", name, check)
		}
	}
}
