package housing_test

import (
	"context"
	"testing"

	"credithub/datasources"
	"credithub/datasources/dstest"
	"credithub/datasources/housing"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/scalars"
)

func entitySubject(e *world.Entity) datasources.Subject {
	return datasources.Subject{USCC: e.USCC, OrgCode: e.OrgCode, RegNo: e.RegNo}
}

// checkOrder fails when recs are not in the graph's record order.
func checkOrder(t *testing.T, key string, recs []credit.Record) {
	t.Helper()
	for i := 1; i < len(recs); i++ {
		if datasources.Less(datasources.CursorOf(recs[i]), datasources.CursorOf(recs[i-1])) {
			t.Errorf("%s: record %d (%s) comes before record %d (%s)", key, i, recs[i].Common().DecisionDate, i-1, recs[i-1].Common().DecisionDate)
		}
	}
}

func TestShowcaseEntitiesHaveEveryKind(t *testing.T) {
	t.Parallel()
	w := world.New(11, 300)
	db := dstest.Open(t, housing.Setup, w)
	src := housing.NewSource(db)
	ctx := context.Background()

	var subs []datasources.Subject
	for _, e := range w.Entities[:world.ShowcaseCount] {
		subs = append(subs, entitySubject(e))
	}
	got, err := src.Records(ctx, subs, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	counts, err := src.Counts(ctx, subs)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range w.Entities[:world.ShowcaseCount] {
		recs := got[e.USCC]
		if counts[e.USCC] != len(recs) {
			t.Errorf("%s: Counts says %d, Records returned %d", e.USCC, counts[e.USCC], len(recs))
		}
		checkOrder(t, e.USCC, recs)
		seen := map[credit.Kind]int{}
		var refs []credit.Ref
		for _, r := range recs {
			b := r.Common()
			seen[b.Kind]++
			refs = append(refs, b.Ref)
			if b.ID == "" || b.Source == nil || b.Source.Code != datasources.Housing || b.Ref.Source != datasources.Housing {
				t.Errorf("%s: record without id or source: %+v", e.USCC, b)
			}
			if b.DecisionDate.IsZero() || b.Summary == "" || b.Authority == nil || *b.Authority == "" {
				t.Errorf("%s %s: date %v, summary %q, authority %v", e.USCC, b.Kind, b.DecisionDate, b.Summary, b.Authority)
			}
			if b.Status != credit.Effective && b.Status != credit.Expired {
				t.Errorf("%s %s: status %s", e.USCC, b.Kind, b.Status)
			}
			if b.Subject != (credit.Subject{USCC: e.USCC}) || b.SubjectName != e.Name {
				t.Errorf("%s %s: subject %+v %q", e.USCC, b.Kind, b.Subject, b.SubjectName)
			}
			switch rec := r.(type) {
			case *credit.Qualification:
				if b.Kind != credit.KindQualification || rec.CertificateNo == "" || rec.Qualification == "" || rec.ValidTo == nil {
					t.Errorf("%s: qualification %+v", e.USCC, rec)
				}
				if b.Severity != nil {
					t.Errorf("%s: a qualification counts against its holder (%s)", e.USCC, *b.Severity)
				}
			case *credit.Accident:
				if b.Kind != credit.KindAccident || rec.Project == "" || rec.OccurredOn.After(b.DecisionDate) || rec.DirectLoss == nil {
					t.Errorf("%s: accident %+v", e.USCC, rec)
				}
				if b.DecisionNo == nil || b.Severity == nil || *b.Severity != housing.AccidentSeverity(rec.Level) {
					t.Errorf("%s: accident decision %v severity %v level %s", e.USCC, b.DecisionNo, b.Severity, rec.Level)
				}
			case *credit.BadConduct:
				if b.Kind != credit.KindBadConduct || rec.ConductCode == "" || rec.PublishedUntil == nil {
					t.Errorf("%s: bad conduct %+v", e.USCC, rec)
				}
				if b.DecisionNo == nil || b.Severity == nil || *b.Severity != housing.ConductSeverity(rec.ConductCode) {
					t.Errorf("%s: bad conduct decision %v severity %v", e.USCC, b.DecisionNo, b.Severity)
				}
			case *credit.Confirmation:
				if b.Kind != credit.KindConfirmation || rec.FilingNo == "" || rec.Project == nil || b.Severity != nil ||
					(rec.ConfirmationType != "竣工验收备案" && rec.ConfirmationType != "消防验收备案") {
					t.Errorf("%s: confirmation %+v", e.USCC, rec)
				}
			case *credit.Levy:
				if b.Kind != credit.KindLevy || rec.LevyItem != housing.InfrastructureFee || rec.Amount == nil ||
					rec.Amount.Rat().Sign() <= 0 || b.Severity != nil {
					t.Errorf("%s: levy %+v", e.USCC, rec)
				}
			case *credit.Benefit:
				if b.Kind != credit.KindBenefit || rec.BenefitType == "" || rec.Amount == nil || b.Severity != nil {
					t.Errorf("%s: benefit %+v", e.USCC, rec)
				}
			case *credit.Compensation:
				if b.Kind != credit.KindCompensation || rec.Project == "" || b.Severity != nil || b.PublishedOn != nil ||
					(rec.CompensationForm == "货币补偿") != (rec.Amount != nil) {
					t.Errorf("%s: compensation %+v", e.USCC, rec)
				}
			default:
				t.Errorf("%s: unexpected record type %T for kind %s", e.USCC, r, b.Kind)
			}
		}
		want := []credit.Kind{credit.KindQualification, credit.KindAccident, credit.KindBadConduct,
			credit.KindConfirmation, credit.KindLevy, credit.KindBenefit}
		if e.Index == 2 {
			want = append(want, credit.KindCompensation)
		}
		for _, k := range want {
			if seen[k] == 0 {
				t.Errorf("showcase %s (entity %d) has no %s record; has %v", e.USCC, e.Index, k, seen)
			}
		}

		// Fetched by reference, a record names its subject from the row.
		byRef, err := src.ByRef(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		if len(byRef) != len(refs) {
			t.Errorf("%s: ByRef found %d of %d", e.USCC, len(byRef), len(refs))
		}
		for ref, r := range byRef {
			if r.Common().Subject != (credit.Subject{USCC: e.USCC}) || r.Common().Ref != ref {
				t.Errorf("%s: by reference %v: subject %+v ref %v", e.USCC, ref, r.Common().Subject, r.Common().Ref)
			}
		}
	}
}

func TestAccidentLevelsAndLossesInYuan(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, housing.Setup, nil)
	src := housing.NewSource(db)
	ctx := context.Background()
	const uscc = "91110000600037341L"

	cases := []struct {
		decisionNo string
		level      int
		lossWan    any // numeric text or nil
		want       credit.AccidentLevel
		severity   credit.Severity
		yuan       string // "" for no loss recorded
	}{
		{"黑建罚〔2024〕1号", 1, "12.3456", credit.AccidentOrdinary, credit.General, "123456.00"},
		{"黑建罚〔2024〕2号", 2, "1234.5678", credit.AccidentLarger, credit.Serious, "12345678.00"},
		{"黑建罚〔2024〕3号", 3, "0.0001", credit.AccidentMajor, credit.Serious, "1.00"},
		{"黑建罚〔2024〕4号", 4, "99999.9999", credit.AccidentEspeciallyMajor, credit.Serious, "999999999.00"},
		{"黑建罚〔2024〕5号", 1, "0.1", credit.AccidentOrdinary, credit.General, "1000.00"},
		{"黑建罚〔2024〕6号", 1, nil, credit.AccidentOrdinary, credit.General, ""},
	}
	for i, c := range cases {
		if _, err := db.ExecContext(ctx, `INSERT INTO quality_safety_accident
			(social_credit_no, enterprise_name, project_name, category, accident_type, occurred_on, accident_level,
			 deaths, injuries, direct_loss_wan, decision_no, decided_on, authority)
			VALUES ($1, '黑河市测试建筑有限公司', '测试工程', '安全事故', '坍塌', $2::date - 60, $3, $4, 1, $5, $6, $2::date, $7)`,
			uscc, scalars.NewDate(2024, 1, 1+i).String(), c.level, c.level, c.lossWan, c.decisionNo, housing.Authority); err != nil {
			t.Fatal(err)
		}
	}
	got, err := src.Records(ctx, []datasources.Subject{{USCC: uscc}}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	recs := got[uscc]
	if len(recs) != len(cases) {
		t.Fatalf("%d records, want %d", len(recs), len(cases))
	}
	checkOrder(t, uscc, recs)
	byNo := map[string]*credit.Accident{}
	for _, r := range recs {
		a, ok := r.(*credit.Accident)
		if !ok {
			t.Fatalf("record of type %T", r)
		}
		byNo[*a.DecisionNo] = a
	}
	for _, c := range cases {
		t.Run(c.decisionNo, func(t *testing.T) {
			a := byNo[c.decisionNo]
			if a == nil {
				t.Fatal("not returned")
			}
			if a.Level != c.want || a.Severity == nil || *a.Severity != c.severity || a.Deaths != c.level {
				t.Errorf("level %d: got %s, severity %v, deaths %d; want %s, %s", c.level, a.Level, a.Severity, a.Deaths, c.want, c.severity)
			}
			switch {
			case c.yuan == "" && a.DirectLoss != nil:
				t.Errorf("no loss recorded, got %s", *a.DirectLoss)
			case c.yuan != "" && (a.DirectLoss == nil || string(*a.DirectLoss) != c.yuan):
				t.Errorf("loss %v 万元: got %v, want %s yuan", c.lossWan, a.DirectLoss, c.yuan)
			}
		})
	}

	// A grade outside the regulation's four is the department's error, not
	// something to guess.
	for _, tab := range housing.Tables {
		if tab.Kind != credit.KindAccident {
			continue
		}
		if _, err := tab.Decode([]byte(`{"social_credit_no":"` + uscc + `","accident_level":5,"decided_on":"2024-01-01","occurred_on":"2024-01-01"}`)); err == nil {
			t.Error("accident level 5 decoded without an error")
		}
	}
}

func TestFiftyEntitiesCostOneStatement(t *testing.T) {
	t.Parallel()
	w := world.New(5, 400)
	db := dstest.Open(t, housing.Setup, w)
	src := housing.NewSource(db)
	ctx := context.Background()

	var subs []datasources.Subject
	for _, e := range w.Entities[:50] {
		subs = append(subs, entitySubject(e))
	}
	before := db.Statements()
	got, err := src.Records(ctx, subs, datasources.Query{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("50 subjects cost %d statements, want 1", n)
	}
	before = db.Statements()
	counts, err := src.Counts(ctx, subs)
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("counting 50 subjects cost %d statements, want 1", n)
	}
	var with int
	for _, e := range w.Entities[:50] {
		recs := got[e.USCC]
		if len(recs) > 3 {
			t.Errorf("%s: %d records, limit 3", e.USCC, len(recs))
		}
		if len(recs) > 0 {
			with++
		}
		if !e.Construction {
			// Only the compensation of expropriated premises (one at
			// most) is about entities of any trade.
			if counts[e.USCC] != len(recs) || len(recs) > 1 {
				t.Errorf("%s is no builder but has %d housing records (%d returned)", e.USCC, counts[e.USCC], len(recs))
			}
			for _, r := range recs {
				if r.Common().Kind != credit.KindCompensation {
					t.Errorf("%s is no builder but has a %s housing record", e.USCC, r.Common().Kind)
				}
			}
		}
		checkOrder(t, e.USCC, recs)
		for _, r := range recs {
			if r.Common().Subject.USCC != e.USCC {
				t.Errorf("%s: record of %+v", e.USCC, r.Common().Subject)
			}
		}
	}
	if with < world.ShowcaseCount {
		t.Errorf("only %d of 50 entities have housing records", with)
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	w := world.New(3, 500)
	a := dstest.Open(t, housing.Setup, w)
	b := dstest.Open(t, housing.Setup, w)
	ctx := context.Background()
	for _, table := range []string{"qualification_cert", "quality_safety_accident", "bad_conduct"} {
		q := `SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM ` + table + ` t`
		var na, nb int
		var sa, sb string
		if err := a.QueryRowxContext(ctx, q).Scan(&na, &sa); err != nil {
			t.Fatal(err)
		}
		if err := b.QueryRowxContext(ctx, q).Scan(&nb, &sb); err != nil {
			t.Fatal(err)
		}
		if na != nb || sa != sb {
			t.Errorf("%s: %d rows (%s) and %d rows (%s) from the same world", table, na, sa, nb, sb)
		}
		if na == 0 {
			t.Errorf("%s: empty after seeding", table)
		}
	}
}
