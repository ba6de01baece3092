package fire_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"credithub/datasources"
	"credithub/datasources/dstest"
	"credithub/datasources/fire"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// organs are the signatures of code_dict ORG by the division of the unit.
var organs = map[string]string{
	"231102": "黑河市消防救援支队", "231199": "黑河市消防救援支队",
	"231181": "北安市消防救援大队", "231182": "五大连池市消防救援大队", "231183": "嫩江市消防救援大队",
	"231123": "逊克县消防救援大队", "231124": "孙吴县消防救援大队",
}

var hazardCode = regexp.MustCompile(`^H\d\d$`)

// checkBase checks the fields every record of the fire service must carry.
func checkBase(t *testing.T, r credit.Record, authority string) {
	t.Helper()
	b := r.Common()
	if b.ID == "" || b.Source == nil || b.Source.Code != datasources.Fire {
		t.Errorf("record %+v: no id or wrong source", b.Ref)
	}
	if b.Ref.Source != datasources.Fire || b.Ref.Kind != b.Kind || b.Ref.LocalID == 0 {
		t.Errorf("record %s: ref %+v", b.ID, b.Ref)
	}
	if b.DecisionNo == nil || !strings.Contains(*b.DecisionNo, "消") || !strings.HasSuffix(*b.DecisionNo, "号") {
		t.Errorf("record %s: decision number %v", b.ID, b.DecisionNo)
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
	if b.Authority == nil || *b.Authority != authority {
		t.Errorf("record %s: authority %v, want %s", b.ID, b.Authority, authority)
	}
	if b.PublishedOn != nil && b.PublishedOn.Before(b.DecisionDate) {
		t.Errorf("record %s: published %s before decided %s", b.ID, b.PublishedOn, b.DecisionDate)
	}
	if b.LegacyKey != nil {
		t.Errorf("record %s: legacy key %q, but the fire service has none", b.ID, *b.LegacyKey)
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
	db := dstest.Open(t, fire.Setup, w)
	src := fire.NewSource(db)
	ctx := context.Background()

	e := w.Entities[0]
	got, err := src.Records(ctx, []datasources.Subject{{USCC: e.USCC, OrgCode: e.OrgCode, RegNo: e.RegNo}}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	recs := got[e.USCC]
	checkOrder(t, e.USCC, recs)
	seen := map[credit.Kind]int{}
	var withFindings int
	for _, r := range recs {
		checkBase(t, r, organs[e.Division])
		b := r.Common()
		seen[b.Kind]++
		if b.Subject.USCC != e.USCC {
			t.Errorf("record %s: subject %q, want %q", b.ID, b.Subject.USCC, e.USCC)
		}
		switch rec := r.(type) {
		case *credit.Inspection:
			if b.Kind != credit.KindInspection || rec.InspectionType != "FIRE_SAFETY" || rec.Result == "" {
				t.Errorf("inspection %s: %+v", b.ID, rec)
			}
			if !b.DecisionDate.Equal(scalars.DateOf(rec.InspectedAt)) {
				t.Errorf("inspection %s at %s dated %s", b.ID, rec.InspectedAt, b.DecisionDate)
			}
			if rec.Passed != (len(rec.Findings) == 0) || rec.Passed != (b.Severity == nil) {
				t.Errorf("inspection %s: passed %v with %d findings and severity %v", b.ID, rec.Passed, len(rec.Findings), b.Severity)
			}
			if len(rec.Findings) > 0 {
				withFindings++
			}
			for _, f := range rec.Findings {
				if !hazardCode.MatchString(f.Code) || f.Description == "" || f.RectifyBy == nil || f.RectifyBy.Before(b.DecisionDate) {
					t.Errorf("inspection %s: finding %+v", b.ID, f)
				}
			}
		case *credit.Penalty:
			if b.Kind != credit.KindPenalty || rec.Violation == "" || len(rec.PenaltyTypes) == 0 || b.Severity == nil || rec.Basis == nil {
				t.Errorf("penalty %s: %+v", b.ID, rec)
			}
		case *credit.Coercion:
			if b.Kind != credit.KindCoercion || rec.CoercionType == "" || rec.Basis == nil || rec.Enforcement != (b.Severity != nil) {
				t.Errorf("coercion %s: %+v", b.ID, rec)
			}
			if (rec.LiftedOn != nil) != (b.Status == credit.Expired) {
				t.Errorf("coercion %s: lifted %v, status %s", b.ID, rec.LiftedOn, b.Status)
			}
		default:
			t.Errorf("record %s: unexpected type %T", b.ID, r)
		}
	}
	for _, k := range src.Kinds() {
		if seen[k] == 0 {
			t.Errorf("showcase %s has no %s record; got %v", e.USCC, k, seen)
		}
	}
	if withFindings == 0 {
		t.Errorf("showcase %s: no inspection with findings", e.USCC)
	}
}

// testUnit registers a unit of its own for a test that inserts rows by hand.
func testUnit(t *testing.T, db *sqldb.DB, code string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), `INSERT INTO fire_unit (unit_code, unit_name, address, risk_class, org_cd)
		VALUES ($1, '黑河市测试娱乐有限公司', '黑龙江省黑河市爱辉区中央街1号', '重点单位', '231100')`, code); err != nil {
		t.Fatal(err)
	}
}

func TestDecisionDatesAreChinaTimeAndFindingsHaveLabels(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, fire.Setup, nil)
	src := fire.NewSource(db)
	ctx := context.Background()

	const unit = "91231100MA1TEST01X"
	testUnit(t, db, unit)
	var inspID, penID int64
	if err := db.QueryRowxContext(ctx, `INSERT INTO fire_inspection (unit_code, org_cd, insp_no, insp_type_cd, inspected_at, inspectors, result_cd)
		VALUES ($1, '231100', '黑消监检字〔2024〕0101号', '5', '2024-03-01T17:30:00Z', '张伟、李娜', '02') RETURNING id`, unit).Scan(&inspID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO insp_finding (insp_id, seq, hazard_cd, rectify_deadline, rectified_at) VALUES
		($1, 2, 'H03', '2024-03-17', NULL),
		($1, 1, 'H01', '2024-03-09', '2024-03-05T02:00:00Z')`, inspID); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowxContext(ctx, `INSERT INTO fire_penalty (unit_code, insp_id, org_cd, decision_no, decided_at, hazard_cd, basis, penalty_cds, fine_yuan, published_at)
		VALUES ($1, $2, '231100', '黑消行罚决字〔2024〕0032号', '2024-03-01T16:10:00Z', 'H01', '《中华人民共和国消防法》第六十条第一款第三项', '{2}', 5000, '2024-03-07T01:00:00Z')
		RETURNING id`, unit, inspID).Scan(&penID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		from, to string
		want     int
	}{
		{"all", "", "", 2},
		{"the China-time day", "2024-03-02", "2024-03-02", 2},
		{"not the UTC day", "2024-03-01", "2024-03-01", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := src.Records(ctx, []datasources.Subject{{USCC: unit}}, datasources.Query{From: tc.from, To: tc.to})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(got[unit]); n != tc.want {
				t.Fatalf("%d records between %q and %q, want %d", n, tc.from, tc.to, tc.want)
			}
		})
	}

	got, err := src.Records(ctx, []datasources.Subject{{USCC: unit}}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got[unit] {
		checkBase(t, r, fire.Authority)
		b := r.Common()
		if b.DecisionDate.String() != "2024-03-02" {
			t.Errorf("%s %d: decision date %s, want 2024-03-02 (China time)", b.Kind, b.Ref.LocalID, b.DecisionDate)
		}
		switch rec := r.(type) {
		case *credit.Inspection:
			if b.Ref.LocalID != inspID || !rec.InspectedAt.Equal(time.Date(2024, 3, 1, 17, 30, 0, 0, time.UTC)) {
				t.Errorf("inspection %d at %s", b.Ref.LocalID, rec.InspectedAt)
			}
			if rec.Passed || rec.Result != "责令限期改正" || b.Severity == nil || *b.Severity != credit.Minor {
				t.Errorf("inspection: passed %v, result %q, severity %v", rec.Passed, rec.Result, b.Severity)
			}
			var fs []string
			for _, f := range rec.Findings {
				s := f.Code + " " + f.Description + " " + f.RectifyBy.String()
				if f.RectifiedAt != nil {
					s += " " + scalars.DateOf(*f.RectifiedAt).String()
				}
				fs = append(fs, s)
			}
			want := []string{"H01 疏散通道堵塞 2024-03-09 2024-03-05", "H03 消防设施未保持完好有效 2024-03-17"}
			if !slices.Equal(fs, want) {
				t.Errorf("findings %q, want %q", fs, want)
			}
			if !strings.Contains(b.Summary, "发现火灾隐患2处") {
				t.Errorf("summary %q does not count the findings", b.Summary)
			}
		case *credit.Penalty:
			if b.Ref.LocalID != penID || rec.Violation != "疏散通道堵塞" || !slices.Equal(rec.PenaltyTypes, []string{"罚款"}) ||
				rec.FineAmount == nil || *rec.FineAmount != "5000.00" || b.Severity == nil || *b.Severity != credit.General {
				t.Errorf("penalty %+v", rec)
			}
			if b.PublishedOn == nil || b.PublishedOn.String() != "2024-03-07" {
				t.Errorf("penalty published on %v, want 2024-03-07", b.PublishedOn)
			}
		default:
			t.Errorf("unexpected %T", r)
		}
	}

	// A code the dictionary does not know is a decode error, not a guess.
	const odd = "91231100MA1TEST02X"
	testUnit(t, db, odd)
	if _, err := db.ExecContext(ctx, `INSERT INTO fire_inspection (unit_code, org_cd, insp_no, insp_type_cd, inspected_at, inspectors, result_cd)
		VALUES ($1, '231100', '黑消监检字〔2024〕0102号', '1', '2024-03-04T02:00:00Z', '张伟', '09')`, odd); err != nil {
		t.Fatal(err)
	}
	_, err = src.Records(ctx, []datasources.Subject{{USCC: odd}}, datasources.Query{})
	var de *datasources.DecodeError
	if !errors.As(err, &de) || de.Kind != credit.KindInspection {
		t.Errorf("unknown result code: error %v, want a DecodeError", err)
	}
}

func TestFiftySubjectsOneStatement(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, fire.Setup, w)
	src := fire.NewSource(db)
	ctx := context.Background()

	var subs []datasources.Subject
	for _, e := range w.Entities {
		if e.FireRisk && len(subs) < 50 {
			subs = append(subs, datasources.Subject{USCC: e.USCC, OrgCode: e.OrgCode, RegNo: e.RegNo})
		}
	}
	if len(subs) < 50 {
		t.Fatalf("world changed: only %d units at fire risk", len(subs))
	}
	before := db.Statements()
	page, err := src.Records(ctx, subs, datasources.Query{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("50 subjects cost %d statements, want 1", n)
	}
	if len(page) != 50 {
		t.Errorf("records for %d of 50 units; every unit at fire risk was inspected", len(page))
	}
	for key, rs := range page {
		if len(rs) > 2 {
			t.Errorf("%s: %d records, limit 2", key, len(rs))
		}
		checkOrder(t, key, rs)
	}
	before = db.Statements()
	if _, err := src.Counts(ctx, subs); err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("counting 50 subjects cost %d statements, want 1", n)
	}
}

// TestViewsUseTheBaseTablesIndexes checks that a lookup through a view by
// unit reaches the base table's index: the views are flattened into the
// query. Sequential scans are disabled so that the tiny test tables do not
// make a scan the cheaper plan.
func TestViewsUseTheBaseTablesIndexes(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, fire.Setup, w)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ANALYZE; SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ table, index string }{
		{fire.Tables[0].Table, "fire_inspection_unit"},
		{fire.Tables[1].Table, "fire_penalty_unit"},
	} {
		rt := fire.Tables[slices.IndexFunc(fire.Tables, func(rt datasources.RecordTable) bool { return rt.Table == tc.table })]
		query := fmt.Sprintf(`EXPLAIN SELECT k.i, to_jsonb(t) FROM unnest($1::text[]) WITH ORDINALITY AS k(uscc, i)
			CROSS JOIN LATERAL (SELECT * FROM %s t WHERE %s ORDER BY %s DESC, %s DESC LIMIT 5) t`,
			rt.Table, rt.EntityMatch, rt.Date, rt.ID)
		rows, err := conn.QueryContext(ctx, query, "{"+w.Entities[0].USCC+"}")
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, " "+tc.index+" ") || strings.Contains(text, "Seq Scan") {
			t.Errorf("%s: the lookup by unit does not use %s:\n%s", tc.table, tc.index, text)
		}
	}
}

var tables = []string{"fire_unit", "fire_inspection", "insp_finding", "fire_penalty"}

// fingerprint returns each table's row count and the md5 of its rows in
// text order.
func fingerprint(t *testing.T, db *sqldb.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range tables {
		var n int
		var sum string
		if err := db.QueryRowxContext(context.Background(),
			`SELECT count(*), coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '') FROM `+table+` t`).Scan(&n, &sum); err != nil {
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
	a := fingerprint(t, dstest.Open(t, fire.Setup, world.New(11, 400)))
	b := fingerprint(t, dstest.Open(t, fire.Setup, world.New(11, 400)))
	for _, table := range tables {
		if a[table] != b[table] {
			t.Errorf("%s: %s, then %s", table, a[table], b[table])
		}
	}
	t.Logf("%v", a)
}
