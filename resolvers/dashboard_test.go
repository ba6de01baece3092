package resolvers_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"credithub/internal/app/apptest"
)

// cityRow is a department's record as the test reads it from its tables:
// its kind, decision month, the keys it was filed under and whether it is
// about a natural person.
type cityRow struct {
	kind, month string
	keys        []string // unified code, then a legacy key ("" when none)
	orgCode     bool     // the legacy key is an organisation code
	person      bool
}

// cityTables are the departments' record tables, as their migrations name
// the columns: kind, decision day, entity keys, person flag.
var cityTables = map[string]string{
	"market": `SELECT 'LICENCE', decision_date, uscc, reg_no, false FROM admin_licence
		UNION ALL SELECT 'PENALTY', decision_date, uscc, reg_no, false FROM admin_penalty
		UNION ALL SELECT 'INSPECTION', inspected_on, uscc, NULL, false FROM random_inspection
		UNION ALL SELECT 'COMPLAINT', (received_at AT TIME ZONE 'Asia/Shanghai')::date, uscc, NULL, false FROM complaint_12315
		UNION ALL SELECT 'ABNORMAL_OPERATION', listed_on, uscc, NULL, false FROM abnormal_operation`,
	"environment": `SELECT 'DISCHARGE_PERMIT', fzrq, tyshxydm, zzjgdm, false FROM hb_pwxk
		UNION ALL SELECT 'PENALTY', cfrq, tyshxydm, zzjgdm, false FROM hb_xzcf
		UNION ALL SELECT 'ENVIRONMENTAL_CREDIT_RATING', pjrq, tyshxydm, zzjgdm, false FROM hb_xypj`,
	"fire": `SELECT 'INSPECTION', (inspected_at AT TIME ZONE 'Asia/Shanghai')::date, unit_code, NULL, false FROM fire_inspection
		UNION ALL SELECT 'PENALTY', (decided_at AT TIME ZONE 'Asia/Shanghai')::date, unit_code, NULL, false FROM fire_penalty`,
	"housing": `SELECT 'QUALIFICATION', issued_on, social_credit_no, NULL, false FROM qualification_cert
		UNION ALL SELECT 'ACCIDENT', decided_on, social_credit_no, NULL, false FROM quality_safety_accident
		UNION ALL SELECT 'BAD_CONDUCT', decided_on, social_credit_no, NULL, false FROM bad_conduct`,
	"court": `SELECT 'DISHONEST_DEBTOR', decided_on, party_id_no, NULL, party_type = 'P' FROM dishonest_debtor_v
		UNION ALL SELECT 'CONSUMPTION_RESTRICTION', decided_on, party_id_no, NULL, party_type = 'P' FROM consumption_restriction_v
		UNION ALL SELECT 'FALSE_LITIGATION', decided_on, party_id_no, NULL, party_type = 'P' FROM false_litigation_v`,
}

// expectedRecordCounts counts, straight from the departments' and the hub's
// tables, the records decided in [from, to] per "month dept division kind"
// that a caller seeing the publicities in sees counts.
func expectedRecordCounts(t *testing.T, h *apptest.Hub, from, to string, sees func(publicity string) bool) map[string]int {
	t.Helper()
	ctx := context.Background()
	q := func(db, query string, args ...any) [][]any {
		rows, err := h.DBs[db].QueryContext(ctx, query, args...)
		if err != nil {
			t.Fatalf("%s: %v", db, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out [][]any
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, vals)
		}
		return out
	}
	str := func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case []byte:
			return string(x)
		}
		return fmt.Sprint(v)
	}
	division := map[string]string{}
	for _, r := range q("market", `SELECT uscc, coalesce(reg_no, ''), division_code FROM registry_entity`) {
		u, reg, d := str(r[0]), str(r[1]), str(r[2])
		division[u], division["org:"+u[8:17]] = d, d
		if reg != "" {
			division[reg] = d
		}
	}
	entityPub, personPub := map[string]string{}, map[string]string{}
	for _, r := range q("hub", `SELECT kind, entity_publicity, person_publicity FROM info_catalogue`) {
		entityPub[str(r[0])], personPub[str(r[0])] = str(r[1]), str(r[2])
	}
	out := map[string]int{}
	add := func(month, dept, div, kind string) { out[strings.Join([]string{month, dept, div, kind}, " ")]++ }
	for dept, tables := range cityTables {
		rows := q(dept, `SELECT kind, to_char(d, 'YYYY-MM'), k1, k2, p FROM (`+tables+`) u(kind, d, k1, k2, p) WHERE d BETWEEN $1 AND $2`, from, to)
		for _, r := range rows {
			kind, month, k1, k2, person := str(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4].(bool)
			if person {
				if sees(personPub[kind]) {
					add(month, dept, "", kind)
				}
				continue
			}
			if !sees(entityPub[kind]) {
				continue
			}
			div := division[k1]
			if div == "" && k2 != "" {
				div = division[k2]
				if len(k2) == 9 {
					div = division["org:"+k2]
				}
			}
			add(month, dept, div, kind)
		}
	}
	for _, r := range q("hub", `SELECT kind, to_char(decision_date, 'YYYY-MM'), subject_uscc, subject_id_no, department FROM hub_record
		WHERE decision_date BETWEEN $1 AND $2`, from, to) {
		kind, month, uscc, dept := str(r[0]), str(r[1]), str(r[2]), str(r[4])
		if uscc == "" {
			if sees(personPub[kind]) {
				add(month, dept, "", kind)
			}
			continue
		}
		if sees(entityPub[kind]) {
			add(month, dept, division[uscc], kind)
		}
	}
	return out
}

const cityRecordsQuery = `query($f: StatsFilter) { cityStats(filter: $f) {
  from to complete missingSources { code }
  records { month department { code } division { code } kind count } } }`

func recordCounts(t *testing.T, data map[string]any) map[string]int {
	out := map[string]int{}
	for _, c := range apptest.Get(data, "cityStats", "records").([]any) {
		div, _ := apptest.Get(c, "division", "code").(string)
		key := strings.Join([]string{apptest.Get(c, "month").(string), apptest.Get(c, "department", "code").(string), div, apptest.Get(c, "kind").(string)}, " ")
		if _, dup := out[key]; dup {
			t.Errorf("two cells for %s", key)
		}
		out[key] = int(apptest.Get(c, "count").(float64))
	}
	return out
}

func diffCounts(t *testing.T, who string, got, want map[string]int) {
	t.Helper()
	keys := slices.Sorted(maps.Keys(want))
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	bad := 0
	for _, k := range keys {
		if got[k] != want[k] {
			if bad++; bad <= 10 {
				t.Errorf("%s: %s = %d, want %d", who, k, got[k], want[k])
			}
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d cells differ in all", who, bad)
	}
}

// The records figure counts what each caller could read record by record:
// a department's app (record:read) every entity's records, the public the
// public kinds only, and the two differ exactly by the shared records;
// every count is checked against the departments' own tables, with each
// record in its entity's division as the registry says (old rows through
// their organisation code or registration number).
func TestCityStatsRecordsHonourOpenness(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	vars := map[string]any{"f": map[string]any{"from": "2020-01-01", "to": "2026-12-06"}}
	dept := h.QueryAs(t, apptest.Department(t), cityRecordsQuery, vars)
	anon := h.QueryAs(t, nil, cityRecordsQuery, vars)
	if apptest.Get(dept, "cityStats", "complete") != true || apptest.Get(anon, "cityStats", "complete") != true {
		t.Fatalf("incomplete: %v %v", dept, anon)
	}
	wantDept := expectedRecordCounts(t, h, "2020-01-01", "2026-12-06", func(p string) bool { return p == "PUBLIC" || p == "SHARED" })
	wantAnon := expectedRecordCounts(t, h, "2020-01-01", "2026-12-06", func(p string) bool { return p == "PUBLIC" })
	gotDept, gotAnon := recordCounts(t, dept), recordCounts(t, anon)
	diffCounts(t, "department", gotDept, wantDept)
	diffCounts(t, "anonymous", gotAnon, wantAnon)
	shared := 0
	for k, n := range wantDept {
		shared += n - wantAnon[k]
	}
	sum := func(m map[string]int) (s int) {
		for _, n := range m {
			s += n
		}
		return s
	}
	if shared == 0 || sum(gotDept)-sum(gotAnon) != shared {
		t.Errorf("department sees %d more records than the public, want the %d shared ones", sum(gotDept)-sum(gotAnon), shared)
	}
	divided := 0
	for k, n := range wantDept {
		if !strings.Contains(k, "  ") {
			divided += n
		}
	}
	if divided == 0 {
		t.Errorf("no record placed in a division")
	}

	// One division: only its entities' records.
	one := h.QueryAs(t, apptest.Department(t), cityRecordsQuery, map[string]any{"f": map[string]any{"from": "2020-01-01", "to": "2026-12-06", "divisions": []string{"231199"}}})
	wantOne := map[string]int{}
	for k, n := range wantDept {
		if strings.Split(k, " ")[2] == "231199" {
			wantOne[k] = n
		}
	}
	if len(wantOne) == 0 {
		t.Fatalf("no records in the free trade zone to test with")
	}
	diffCounts(t, "231199", recordCounts(t, one), wantOne)
}

// The dashboard's whole first screen is one request at one statement per
// department plus the hub's.
func TestCityStatsStatements(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	h.QueryAs(t, apptest.Department(t), cityRecordsQuery, nil) // the map of divisions, read once
	r := h.Do(t, cityStatsFull, nil, apptest.Department(t))
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	st := r.Statements()
	for _, d := range []string{"market", "environment", "fire", "housing", "court", "hub"} {
		if st[d] > 1 {
			t.Errorf("%d statements on %s, want at most 1: %v", st[d], d, st)
		}
	}
	for _, d := range []string{"market", "environment", "fire", "housing", "court"} {
		if st[d] != 1 {
			t.Errorf("%d statements on %s, want 1: %v", st[d], d, st)
		}
	}
}

// cityStatsFull is the dashboard's first screen: every figure.
const cityStatsFull = `{ cityStats {
  from to complete missingSources { code name }
  records { month department { code } division { code } kind count }
  listingFlows { month listType domain entered removed }
  listedNow { listType domain division { code } entities }
  commitments { month department { code } signed kept breached foundFalse }
  objections { byState { state count } medianWorkingDays p90WorkingDays overdueNow dueSoon }
  repairs { byState { state count } medianWorkingDays p90WorkingDays overdueNow dueSoon }
  disclosure { department { code } kind division { code } decisions publishedOnTime publishedLate overdue pending }
  dishonestShare { division { code } entities dishonest share }
  grades { month division { code } grade count }
  checks { month department { code } checks measuresApplied measuresNotApplied }
  openWarnings { rule { code } division { code } open }
} }`

const cityRecordsPage = `query($f: CityRecordFilter, $after: String) { records(filter: $f, first: 37, after: $after) {
  edges { cursor node { id kind decisionDate publicity source { code } } }
  pageInfo { hasNextPage endCursor } complete missingSources { code } } }`

// walkCityRecords reads every page of Query.records and returns, per
// "month department kind", how many records came, checking the order
// (newest first) and that no record comes twice.
func walkCityRecords(t *testing.T, h *apptest.Hub, headers map[string]string, filter map[string]any) (map[string]int, []any) {
	t.Helper()
	out := map[string]int{}
	seen := map[string]bool{}
	var all []any
	var after any
	last := "9999-99-99"
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatal("more than 200 pages")
		}
		d := h.QueryAs(t, headers, cityRecordsPage, map[string]any{"f": filter, "after": after})
		conn := apptest.Get(d, "records")
		if apptest.Get(conn, "complete") != true {
			t.Fatalf("incomplete: %v", conn)
		}
		for _, e := range apptest.Get(conn, "edges").([]any) {
			n := apptest.Get(e, "node")
			id, date := apptest.Get(n, "id").(string), apptest.Get(n, "decisionDate").(string)
			if seen[id] {
				t.Fatalf("record %s twice", id)
			}
			seen[id] = true
			if date > last {
				t.Fatalf("record %s of %s after one of %s: not newest first", id, date, last)
			}
			last = date
			out[strings.Join([]string{date[:7], apptest.Get(n, "source", "code").(string), apptest.Get(n, "kind").(string)}, " ")]++
			all = append(all, n)
		}
		if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
			return out, all
		}
		after = apptest.Get(conn, "pageInfo", "endCursor")
	}
}

// withoutDivision adds up expectedRecordCounts' cells over divisions.
func withoutDivision(m map[string]int, division func(string) bool) map[string]int {
	out := map[string]int{}
	for k, n := range m {
		f := strings.Split(k, " ")
		if division(f[2]) {
			out[f[0]+" "+f[1]+" "+f[3]] += n
		}
	}
	return out
}

// Query.records walks every department's records of a period, newest first,
// each once, across pages of the merged streams; a division filter keeps
// its entities' records only; the public sees public records only.
func TestCityRecordsWalkEveryDepartment(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	from, to := "2026-03-01", "2026-12-06"
	filter := map[string]any{"decidedFrom": from, "decidedTo": to}
	got, _ := walkCityRecords(t, h, apptest.Department(t), filter)
	all := expectedRecordCounts(t, h, from, to, func(p string) bool { return p == "PUBLIC" || p == "SHARED" })
	diffCounts(t, "department", got, withoutDivision(all, func(string) bool { return true }))

	filter["divisions"] = []string{"231181", "231199"}
	got, _ = walkCityRecords(t, h, apptest.Department(t), filter)
	diffCounts(t, "231181+231199", got, withoutDivision(all, func(d string) bool { return d == "231181" || d == "231199" }))

	delete(filter, "divisions")
	filter["kinds"] = []string{"PENALTY", "COMPLAINT"}
	filter["sources"] = []string{"market", "fire"}
	got, _ = walkCityRecords(t, h, apptest.Department(t), filter)
	want := map[string]int{}
	for k, n := range withoutDivision(all, func(string) bool { return true }) {
		f := strings.Split(k, " ")
		if (f[1] == "market" || f[1] == "fire") && (f[2] == "PENALTY" || f[2] == "COMPLAINT") {
			want[k] = n
		}
	}
	diffCounts(t, "kinds and sources", got, want)

	// The public: public kinds only, and of those the records in force.
	delete(filter, "kinds")
	delete(filter, "sources")
	_, nodes := walkCityRecords(t, h, nil, filter)
	public := withoutDivision(expectedRecordCounts(t, h, from, to, func(p string) bool { return p == "PUBLIC" }), func(string) bool { return true })
	total := 0
	for _, n := range public {
		total += n
	}
	if len(nodes) == 0 || len(nodes) > total {
		t.Errorf("the public sees %d records, want some and at most the %d public ones", len(nodes), total)
	}
	for _, n := range nodes {
		if apptest.Get(n, "publicity") != "PUBLIC" {
			t.Fatalf("the public sees %v", n)
		}
	}
}

// A department that does not answer is named, and the others' records and
// figures still come.
func TestCityRecordsAndStatsWithADepartmentDown(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{}).Variant(t, map[string]string{
		"CREDITHUB_FIRE_DSN": "postgres://postgres@127.0.0.1:1/dept_fire?sslmode=disable",
	})
	r := h.Do(t, cityRecordsPage, map[string]any{"f": map[string]any{"decidedFrom": "2025-01-01"}}, apptest.Department(t))
	conn := apptest.Get(r.Data, "records")
	if apptest.Get(conn, "complete") != false || fmt.Sprint(apptest.Get(conn, "missingSources")) != "[map[code:fire]]" {
		t.Fatalf("records with fire down: %s", r.Body)
	}
	if len(apptest.Get(conn, "edges").([]any)) == 0 {
		t.Fatalf("no records from the departments that are up: %s", r.Body)
	}
	found := false
	for _, er := range r.Errors {
		found = found || (er.Code() == "SOURCE_UNAVAILABLE" && er.Extensions["source"] == "fire")
	}
	if !found {
		t.Errorf("no SOURCE_UNAVAILABLE naming fire: %s", r.Body)
	}
	s := h.Do(t, cityRecordsQuery, nil, apptest.Department(t))
	if apptest.Get(s.Data, "cityStats", "complete") != false || fmt.Sprint(apptest.Get(s.Data, "cityStats", "missingSources")) != "[map[code:fire]]" {
		t.Fatalf("cityStats with fire down: %s", s.Body)
	}
	for _, c := range apptest.Get(s.Data, "cityStats", "records").([]any) {
		if apptest.Get(c, "department", "code") == "fire" && !strings.HasPrefix(apptest.Get(c, "kind").(string), "LIST") &&
			apptest.Get(c, "kind") != "INTERVIEW" && apptest.Get(c, "kind") != "COMMITMENT_BREACH" && apptest.Get(c, "kind") != "KEY_ATTENTION" {
			t.Errorf("a count of fire's own records while it is down: %v", c)
		}
	}
}
