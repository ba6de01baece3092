package environment_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"credithub/datasources"
	"credithub/datasources/dstest"
	"credithub/datasources/environment"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/ident"
	"credithub/internal/sqldb"
)

func subjectOf(e *world.Entity) datasources.Subject {
	return datasources.Subject{USCC: e.USCC, OrgCode: e.OrgCode, RegNo: e.RegNo}
}

// checkBase checks the fields every record of the bureau must carry.
func checkBase(t *testing.T, r credit.Record) {
	t.Helper()
	b := r.Common()
	if b.ID == "" || b.Source == nil || b.Source.Code != datasources.Environment {
		t.Errorf("record %+v: no id or wrong source", b.Ref)
	}
	if b.Ref.Source != datasources.Environment || b.Ref.Kind != b.Kind || b.Ref.LocalID == 0 {
		t.Errorf("record %s: ref %+v", b.ID, b.Ref)
	}
	if b.DecisionNo == nil || *b.DecisionNo == "" {
		t.Errorf("record %s: no decision number", b.ID)
	}
	if b.DecisionDate.IsZero() {
		t.Errorf("record %s: no decision date", b.ID)
	}
	if b.Summary == "" || strings.ContainsAny(b.Summary, "\r\n") || !strings.ContainsFunc(b.Summary, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Errorf("record %s: summary %q is not one line of Chinese", b.ID, b.Summary)
	}
	if !slices.Contains(credit.Statuses, b.Status) {
		t.Errorf("record %s: status %q", b.ID, b.Status)
	}
	if b.Authority == nil || (*b.Authority != environment.Authority && !(b.Kind == credit.KindReward && *b.Authority == environment.ProvinceAuthority)) {
		t.Errorf("record %s: authority %v", b.ID, b.Authority)
	}
	if b.PublishedOn != nil && b.PublishedOn.Before(b.DecisionDate) {
		t.Errorf("record %s: published %s before decided %s", b.ID, b.PublishedOn, b.DecisionDate)
	}
}

func checkOrder(t *testing.T, key string, rs []credit.Record) {
	t.Helper()
	for i := 1; i < len(rs); i++ {
		if datasources.Less(datasources.CursorOf(rs[i]), datasources.CursorOf(rs[i-1])) {
			t.Errorf("%s: record %d (%s) comes before record %d (%s) in record order",
				key, i, rs[i].Common().DecisionDate, i-1, rs[i-1].Common().DecisionDate)
		}
	}
}

func TestShowcaseHasEveryKind(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, environment.Setup, w)
	src := environment.NewSource(db)
	ctx := context.Background()

	e := w.Entities[0]
	got, err := src.Records(ctx, []datasources.Subject{subjectOf(e)}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	recs := got[e.USCC]
	checkOrder(t, e.USCC, recs)
	seen := map[credit.Kind]int{}
	var refs []credit.Ref
	for _, r := range recs {
		checkBase(t, r)
		b := r.Common()
		seen[b.Kind]++
		refs = append(refs, b.Ref)
		if b.Subject.USCC != e.USCC {
			t.Errorf("record %s: subject %q, want %q", b.ID, b.Subject.USCC, e.USCC)
		}
		if b.LegacyKey != nil && *b.LegacyKey != e.OrgCode {
			t.Errorf("record %s: legacy key %q is not the organisation code %q", b.ID, *b.LegacyKey, e.OrgCode)
		}
		switch rec := r.(type) {
		case *credit.DischargePermit:
			if b.Kind != credit.KindDischargePermit || rec.PermitNo == "" || len(rec.Pollutants) == 0 ||
				rec.ValidFrom == nil || rec.ValidTo == nil || !rec.ValidTo.After(*rec.ValidFrom) {
				t.Errorf("permit %s: %+v", b.ID, rec)
			}
			if b.Severity != nil {
				t.Errorf("permit %s has a severity", b.ID)
			}
		case *credit.Penalty:
			if b.Kind != credit.KindPenalty || rec.Violation == "" || len(rec.PenaltyTypes) == 0 || b.Severity == nil {
				t.Errorf("penalty %s: %+v", b.ID, rec)
			}
			if rec.FineAmount != nil && rec.FineAmount.Rat().Sign() <= 0 {
				t.Errorf("penalty %s: fine %s", b.ID, *rec.FineAmount)
			}
		case *credit.EnvironmentalRating:
			if b.Kind != credit.KindEnvironmentalRating || rec.Year < 2019 || rec.Year > 2025 ||
				!slices.Contains(credit.EnvLevels, rec.Level) || b.DecisionDate.Time().Year() != rec.Year+1 {
				t.Errorf("rating %s: %+v", b.ID, rec)
			}
			if (b.Severity != nil) != (rec.Level == credit.EnvWarned || rec.Level == credit.EnvBad) {
				t.Errorf("rating %s: level %s with severity %v", b.ID, rec.Level, b.Severity)
			}
		case *credit.Coercion:
			if b.Kind != credit.KindCoercion || rec.CoercionType == "" || rec.Basis == nil ||
				rec.Enforcement != (rec.CoercionType == environment.PerformanceByProxy) || rec.Enforcement != (b.Severity != nil) {
				t.Errorf("coercion %s: %+v", b.ID, rec)
			}
			if (rec.LiftedOn != nil) != (b.Status == credit.Expired) || (rec.LiftedOn != nil && rec.LiftedOn.Before(b.DecisionDate)) {
				t.Errorf("coercion %s: lifted %v, status %s", b.ID, rec.LiftedOn, b.Status)
			}
		case *credit.Levy:
			if b.Kind != credit.KindLevy || !strings.HasPrefix(rec.LevyItem, "排污费（") || rec.Period == nil ||
				rec.Amount == nil || rec.Amount.Rat().Sign() <= 0 || b.Severity != nil || b.DecisionDate.Time().Year() >= 2018 {
				t.Errorf("levy %s: %+v", b.ID, rec)
			}
		case *credit.Reward:
			if b.Kind != credit.KindReward || rec.RewardName == "" || len(rec.Forms) == 0 || rec.RewardLevel == nil || b.Severity != nil {
				t.Errorf("reward %s: %+v", b.ID, rec)
			}
		default:
			t.Errorf("record %s: unexpected type %T", b.ID, r)
		}
	}
	for _, k := range src.Kinds() {
		if k == credit.KindLevy && e.Established.Year() >= 2018 {
			continue // the fee ended with 2017: a younger unit never paid it
		}
		if seen[k] == 0 {
			t.Errorf("showcase %s has no %s record; got %v", e.USCC, k, seen)
		}
	}

	// The same records come back by reference.
	byRef, err := src.ByRef(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(byRef) != len(recs) {
		t.Fatalf("ByRef returned %d of %d records", len(byRef), len(recs))
	}
	for _, r := range recs {
		b := r.Common()
		again, ok := byRef[b.Ref]
		if !ok || again.Common().Summary != b.Summary || *again.Common().DecisionNo != *b.DecisionNo {
			t.Errorf("ByRef(%+v) = %+v, want %+v", b.Ref, again, r)
		}
	}
}

// orgKeyed mirrors the seed: only entities with a real organisation code can
// have rows filed under it.
func orgKeyed(e *world.Entity) bool {
	return e.Category != ident.CategoryIndividualBusiness && ident.ValidateOrgCode(e.OrgCode) == nil
}

func TestRowsFiledUnderOrganisationCodes(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, environment.Setup, w)
	src := environment.NewSource(db)
	ctx := context.Background()

	var legacy []*world.Entity
	var subs []datasources.Subject
	for _, e := range w.Entities {
		if e.Polluter {
			subs = append(subs, subjectOf(e))
			if e.LegacyKeys && orgKeyed(e) {
				legacy = append(legacy, e)
			}
		}
	}
	if len(legacy) == 0 {
		t.Fatal("world changed: no polluter with legacy keys")
	}
	all, err := src.Records(ctx, subs, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}

	// A re-keyed entity's rows are all under the organisation code: found
	// with it, not with the unified code alone.
	var found int
	for _, e := range legacy {
		recs := all[e.USCC]
		if len(recs) == 0 {
			continue
		}
		found++
		for _, r := range recs {
			b := r.Common()
			if b.LegacyKey == nil || *b.LegacyKey != e.OrgCode {
				t.Errorf("%s record %s: legacy key %v, want the organisation code %s", e.USCC, b.ID, b.LegacyKey, e.OrgCode)
			}
			if b.Subject.USCC != e.USCC {
				t.Errorf("%s record %s: subject %q", e.USCC, b.ID, b.Subject.USCC)
			}
		}
		bare, err := src.Records(ctx, []datasources.Subject{{USCC: e.USCC}}, datasources.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(bare[e.USCC]); n != 0 {
			t.Errorf("%s: the unified code alone found %d rows filed under the organisation code", e.USCC, n)
		}
		counts, err := src.Counts(ctx, []datasources.Subject{subjectOf(e)})
		if err != nil {
			t.Fatal(err)
		}
		if counts[e.USCC] != len(recs) {
			t.Errorf("%s: count %d, records %d", e.USCC, counts[e.USCC], len(recs))
		}
	}
	if found == 0 {
		t.Fatalf("none of the %d legacy-keyed polluters has records", len(legacy))
	}

	// Everyone else: rows before 2016 are under the organisation code, rows
	// since 2018 under the unified code, and the unified code alone finds
	// exactly the rows that are not legacy-keyed.
	var old int
	for _, sub := range subs {
		e := w.Entities[slices.IndexFunc(w.Entities, func(e *world.Entity) bool { return e.USCC == sub.USCC })]
		if e.LegacyKeys {
			continue
		}
		var legacyRows int
		for _, r := range all[e.USCC] {
			b := r.Common()
			year := b.DecisionDate.Time().Year()
			switch {
			case b.LegacyKey != nil:
				legacyRows++
				if year >= 2016 {
					t.Errorf("%s record %s of %s is filed under the organisation code", e.USCC, b.ID, b.DecisionDate)
				}
			case year < 2016 && orgKeyed(e):
				t.Errorf("%s record %s of %s is not filed under the organisation code", e.USCC, b.ID, b.DecisionDate)
			}
		}
		old += legacyRows
		if legacyRows == 0 {
			continue
		}
		bare, err := src.Records(ctx, []datasources.Subject{{USCC: e.USCC}}, datasources.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(bare[e.USCC]) != len(all[e.USCC])-legacyRows {
			t.Errorf("%s: by code alone %d records, want %d", e.USCC, len(bare[e.USCC]), len(all[e.USCC])-legacyRows)
		}
	}
	if old == 0 {
		t.Error("no record from before 2016 filed under an organisation code")
	}
}

func TestAmountsInWanComeBackInYuan(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, environment.Setup, nil)
	src := environment.NewSource(db)
	ctx := context.Background()

	const uscc = "91231100MA1B2C3D4E"
	tests := []struct {
		name            string
		kinds           string
		fineWan         any // nil: no fine
		confiscatedWan  any
		wantFine        string
		wantConfiscated string
		wantKinds       []string
		wantSeverity    credit.Severity
	}{
		{"three thousand five hundred", "罚款", "0.35", nil, "3500.00", "", []string{"罚款"}, credit.General},
		{"the minor limit", "罚款", "0.3", nil, "3000.00", "", []string{"罚款"}, credit.Minor},
		{"the serious threshold", "罚款", "20", nil, "200000.00", "", []string{"罚款"}, credit.Serious},
		{"fen are kept", "罚款,没收违法所得", "12.345678", "1.37", "123456.78", "13700.00", []string{"罚款", "没收违法所得"}, credit.General},
		{"one fen", "罚款", "0.000001", nil, "0.01", "", []string{"罚款"}, credit.Minor},
		{"full-width commas", "罚款，吊销排污许可证", "5", nil, "50000.00", "", []string{"罚款", "吊销排污许可证"}, credit.Serious},
		{"a warning", "警告", nil, nil, "", "", []string{"警告"}, credit.Minor},
	}
	ids := make([]int64, len(tests))
	for i, tc := range tests {
		err := db.QueryRowxContext(ctx, `INSERT INTO hb_xzcf (tyshxydm, dwmc, cfjdswh, wfxw, cflb, fkje_wy, mswfsdje_wy, cfrq, cfjg)
			VALUES ($1, '黑河市测试化工有限公司', $2, '超过水污染物排放标准排放水污染物', $3, $4, $5, $6, $7) RETURNING id`,
			uscc, fmt.Sprintf("黑环罚〔2024〕%d号", i+1), tc.kinds, tc.fineWan, tc.confiscatedWan,
			fmt.Sprintf("2024-05-%02d", i+1), environment.Authority).Scan(&ids[i])
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := src.Records(ctx, []datasources.Subject{{USCC: uscc}}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]*credit.Penalty{}
	for _, r := range got[uscc] {
		byID[r.Common().Ref.LocalID] = r.(*credit.Penalty)
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := byID[ids[i]]
			if p == nil {
				t.Fatalf("row %d not returned", ids[i])
			}
			if s := decimal(p.FineAmount); s != tc.wantFine {
				t.Errorf("fine = %q, want %q", s, tc.wantFine)
			}
			if s := decimal(p.ConfiscatedAmount); s != tc.wantConfiscated {
				t.Errorf("confiscated = %q, want %q", s, tc.wantConfiscated)
			}
			if !slices.Equal(p.PenaltyTypes, tc.wantKinds) {
				t.Errorf("penalty types = %q, want %q", p.PenaltyTypes, tc.wantKinds)
			}
			if p.Severity == nil || *p.Severity != tc.wantSeverity {
				t.Errorf("severity = %v, want %s", p.Severity, tc.wantSeverity)
			}
			if tc.wantFine != "" && !strings.Contains(p.Summary, "罚款"+tc.wantFine+"元") {
				t.Errorf("summary %q does not state the fine in yuan", p.Summary)
			}
		})
	}
}

func decimal[T ~string](d *T) string {
	if d == nil {
		return ""
	}
	return string(*d)
}

func TestFiftySubjectsOneStatement(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, environment.Setup, w)
	src := environment.NewSource(db)
	ctx := context.Background()

	var subs []datasources.Subject
	for _, e := range w.Entities {
		if e.Polluter && len(subs) < 50 {
			subs = append(subs, subjectOf(e))
		}
	}
	if len(subs) < 50 {
		t.Fatalf("world changed: only %d polluters", len(subs))
	}
	before := db.Statements()
	page, err := src.Records(ctx, subs, datasources.Query{Limit: 2, Kinds: datasources.KindSetOf(credit.KindPenalty, credit.KindEnvironmentalRating)})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("50 subjects cost %d statements, want 1", n)
	}
	for key, rs := range page {
		if len(rs) > 2 {
			t.Errorf("%s: %d records, limit 2", key, len(rs))
		}
		checkOrder(t, key, rs)
		for _, r := range rs {
			if k := r.Common().Kind; k != credit.KindPenalty && k != credit.KindEnvironmentalRating {
				t.Errorf("kind filter let %s through", k)
			}
		}
	}
	before = db.Statements()
	if _, err := src.Counts(ctx, subs); err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("counting 50 subjects cost %d statements, want 1", n)
	}
}

var tables = []string{"hb_pwxk", "hb_xzcf", "hb_xypj"}

// fingerprint returns each table's row count and the md5 of its rows in id
// order.
func fingerprint(t *testing.T, db *sqldb.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range tables {
		var n int
		var sum string
		if err := db.QueryRowxContext(context.Background(),
			`SELECT count(*), coalesce(md5(string_agg(t::text, E'\n' ORDER BY t.id)), '') FROM `+table+` t`).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("%s is empty", table)
		}
		out[table] = fmt.Sprintf("%d rows, md5 %s", n, sum)
	}
	return out
}

func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	w := world.New(11, 400)
	a := fingerprint(t, dstest.Open(t, environment.Setup, w))
	b := fingerprint(t, dstest.Open(t, environment.Setup, world.New(11, 400)))
	for _, table := range tables {
		if a[table] != b[table] {
			t.Errorf("%s: %s, then %s", table, a[table], b[table])
		}
	}
	t.Logf("%v", a)
}
