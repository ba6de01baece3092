package resolvers_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/dev/bench/scenarios"
	"credithub/internal/app/apptest"
	"credithub/internal/workday"
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
		UNION ALL SELECT 'ABNORMAL_OPERATION', listed_on, uscc, NULL, false FROM abnormal_operation
		UNION ALL SELECT 'ADMINISTRATIVE_COERCION', decision_date, uscc, NULL, false FROM admin_coercion
		UNION ALL SELECT 'ADMINISTRATIVE_REWARD', decision_date, uscc, NULL, false FROM admin_reward
		UNION ALL SELECT 'ADMINISTRATIVE_ADJUDICATION', decision_date, respondent_uscc, NULL, false FROM patent_ruling`,
	"environment": `SELECT 'DISCHARGE_PERMIT', fzrq, tyshxydm, zzjgdm, false FROM hb_pwxk
		UNION ALL SELECT 'PENALTY', cfrq, tyshxydm, zzjgdm, false FROM hb_xzcf
		UNION ALL SELECT 'ENVIRONMENTAL_CREDIT_RATING', pjrq, tyshxydm, zzjgdm, false FROM hb_xypj
		UNION ALL SELECT 'ADMINISTRATIVE_COERCION', qzrq, tyshxydm, zzjgdm, false FROM hb_xzqz
		UNION ALL SELECT 'ADMINISTRATIVE_LEVY', hdrq, tyshxydm, zzjgdm, false FROM hb_pwfzs
		UNION ALL SELECT 'ADMINISTRATIVE_REWARD', jlrq, tyshxydm, zzjgdm, false FROM hb_xzjl`,
	"fire": `SELECT 'INSPECTION', (inspected_at AT TIME ZONE 'Asia/Shanghai')::date, unit_code, NULL, false FROM fire_inspection
		UNION ALL SELECT 'PENALTY', (decided_at AT TIME ZONE 'Asia/Shanghai')::date, unit_code, NULL, false FROM fire_penalty
		UNION ALL SELECT 'ADMINISTRATIVE_COERCION', (decided_at AT TIME ZONE 'Asia/Shanghai')::date, unit_code, NULL, false FROM fire_coercion`,
	"housing": `SELECT 'QUALIFICATION', issued_on, social_credit_no, NULL, false FROM qualification_cert
		UNION ALL SELECT 'ACCIDENT', decided_on, social_credit_no, NULL, false FROM quality_safety_accident
		UNION ALL SELECT 'BAD_CONDUCT', decided_on, social_credit_no, NULL, false FROM bad_conduct
		UNION ALL SELECT 'ADMINISTRATIVE_CONFIRMATION', filed_on, social_credit_no, NULL, false FROM completion_filing
		UNION ALL SELECT 'ADMINISTRATIVE_LEVY', assessed_on, social_credit_no, NULL, false FROM infrastructure_fee
		UNION ALL SELECT 'ADMINISTRATIVE_BENEFIT', granted_on, social_credit_no, NULL, false FROM housing_subsidy
		UNION ALL SELECT 'ADMINISTRATIVE_COMPENSATION', decided_on, social_credit_no, NULL, false FROM expropriation_compensation`,
	"court": `SELECT 'DISHONEST_DEBTOR', decided_on, party_id_no, NULL, party_type = 'P' FROM dishonest_debtor_v
		UNION ALL SELECT 'CONSUMPTION_RESTRICTION', decided_on, party_id_no, NULL, party_type = 'P' FROM consumption_restriction_v
		UNION ALL SELECT 'FALSE_LITIGATION', decided_on, party_id_no, NULL, party_type = 'P' FROM false_litigation_v`,
}

// rowsOf reads rows straight from one of the hub's databases.
func rowsOf(t *testing.T, h *apptest.Hub, db, query string, args ...any) [][]any {
	t.Helper()
	rows, err := h.DBs[db].QueryContext(context.Background(), query, args...)
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
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// registryDivisions maps every entity's code to its division, from the
// registry's table.
func registryDivisions(t *testing.T, h *apptest.Hub) map[string]string {
	out := map[string]string{}
	for _, r := range rowsOf(t, h, "market", `SELECT uscc, division_code FROM registry_entity`) {
		out[str(r[0])] = str(r[1])
	}
	return out
}

// expectedRecordCounts counts, straight from the departments' and the hub's
// tables, the records decided in [from, to] per "month dept division kind"
// that a caller seeing the publicities in sees counts.
func expectedRecordCounts(t *testing.T, h *apptest.Hub, from, to string, sees func(publicity string) bool) map[string]int {
	t.Helper()
	q := func(db, query string, args ...any) [][]any { return rowsOf(t, h, db, query, args...) }
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
	for _, r := range q("hub", `SELECT kind, to_char(decision_date, 'YYYY-MM'), subject_uscc, subject_id_no,
		CASE WHEN kind = 'SELF_DECLARATION' THEN 'self-declared' WHEN kind IN ('ASSOCIATION_DISCIPLINE', 'ASSOCIATION_RECORD') THEN 'association' ELSE department END FROM hub_record
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

// cityStatsFull is the dashboard's first screen, every figure: the very
// request the benchmark's D1 measures.
const cityStatsFull = scenarios.D1

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
			!hubKinds[apptest.Get(c, "kind").(string)] {
			t.Errorf("a count of fire's own records while it is down: %v", c)
		}
	}
}

// count adds one to m[key of parts].
func count(m map[string]int, parts ...string) { m[strings.Join(parts, " ")]++ }

// cells reads a figure's rows as "labels → number".
func cells(t *testing.T, rows any, number string, labels ...[]any) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, c := range rows.([]any) {
		var parts []string
		for _, path := range labels {
			v, _ := apptest.Get(c, path...).(string)
			parts = append(parts, v)
		}
		out[strings.Join(parts, " ")] += int(apptest.Get(c, number).(float64))
	}
	return out
}

func civil(v any) time.Time { return civilDate(v.(time.Time).In(workday.Date(2026, 1, 1).Location())) }

// The hub's figures, each against the hub's tables read here: listings,
// commitments, objections and repairs, and disclosure against
// disclosureStats; the default period is the last twelve months.
func TestCityStatsHubFigures(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	data := h.QueryAs(t, apptest.Department(t), cityStatsFull, nil)
	cs := apptest.Get(data, "cityStats")
	from, to := apptest.Get(cs, "from").(string), apptest.Get(cs, "to").(string)
	toDay, _ := time.Parse("2006-01-02", to)
	if want := toDay.AddDate(0, 0, 1-toDay.Day()).AddDate(0, -11, 0).Format("2006-01-02"); from != want {
		t.Errorf("default from = %s, want %s (to %s)", from, want, to)
	}
	today := workday.Date(toDay.Year(), toDay.Month(), toDay.Day())
	div := registryDivisions(t, h)

	listed := map[string]map[string]bool{}
	flowsIn, flowsOut := map[string]int{}, map[string]int{}
	for _, r := range rowsOf(t, h, "hub", `SELECT list_type, coalesce(domain, ''), uscc, state, to_char(entered_on, 'YYYY-MM-DD'), coalesce(to_char(removed_on, 'YYYY-MM-DD'), '') FROM list_entry`) {
		typ, dom, uscc, state, in, out := str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5])
		if state == "LISTED" {
			k := strings.Join([]string{typ, dom, div[uscc]}, " ")
			if listed[k] == nil {
				listed[k] = map[string]bool{}
			}
			listed[k][uscc] = true
		}
		if in >= from && in <= to {
			count(flowsIn, in[:7], typ, dom)
		}
		if out != "" && out >= from && out <= to {
			count(flowsOut, out[:7], typ, dom)
		}
	}
	wantListed := map[string]int{}
	for k, us := range listed {
		wantListed[k] = len(us)
	}
	diffCounts(t, "listedNow", cells(t, apptest.Get(cs, "listedNow"), "entities", []any{"listType"}, []any{"domain"}, []any{"division", "code"}), wantListed)
	diffCounts(t, "entered", cells(t, apptest.Get(cs, "listingFlows"), "entered", []any{"month"}, []any{"listType"}, []any{"domain"}), flowsIn)
	diffCounts(t, "removed", cells(t, apptest.Get(cs, "listingFlows"), "removed", []any{"month"}, []any{"listType"}, []any{"domain"}), flowsOut)
	if len(wantListed) == 0 || len(flowsIn) == 0 {
		t.Errorf("no listings to test with")
	}

	signed, ends := map[string]int{}, map[string]map[string]int{"FULFILLED": {}, "BREACHED": {}, "FOUND_FALSE": {}}
	for _, r := range rowsOf(t, h, "hub", `SELECT signed_at, department, id FROM commitment`) {
		if d := civil(r[0]).Format("2006-01-02"); d >= from && d <= to {
			count(signed, d[:7], str(r[1]))
		}
	}
	for _, r := range rowsOf(t, h, "hub", `SELECT h.at, c.department, h.to_state FROM workflow_history h JOIN commitment c ON c.id = h.object_id
		WHERE h.workflow = 'commitment'`) {
		if d := civil(r[0]).Format("2006-01-02"); d >= from && d <= to && ends[str(r[2])] != nil {
			count(ends[str(r[2])], d[:7], str(r[1]))
		}
	}
	cm := apptest.Get(cs, "commitments")
	diffCounts(t, "signed", cells(t, cm, "signed", []any{"month"}, []any{"department", "code"}), signed)
	diffCounts(t, "kept", cells(t, cm, "kept", []any{"month"}, []any{"department", "code"}), ends["FULFILLED"])
	diffCounts(t, "breached", cells(t, cm, "breached", []any{"month"}, []any{"department", "code"}), ends["BREACHED"])
	diffCounts(t, "foundFalse", cells(t, cm, "foundFalse", []any{"month"}, []any{"department", "code"}), ends["FOUND_FALSE"])

	// Objections and repairs: states of those filed in the period, working
	// days to decide of those decided in it, overdue and due soon now.
	cal := workday.Default()
	soon := cal.AddWorkingDays(today, 2)
	for _, wf := range []struct{ name, filed, first, second, firstDue, secondDue, decided string }{
		{"objection", "filed_at", "FILED", "CHECKED", "check_due", "decision_due", "'UPHELD', 'REJECTED'"},
		{"repair", "applied_at", "APPLIED", "ACCEPTED", "accept_due", "decision_due", "'REFUSED', 'REPAIRED', 'DENIED'"},
	} {
		states := map[string]int{}
		var days []float64
		overdue, dueSoon := 0, 0
		for _, r := range rowsOf(t, h, "hub", `SELECT o.state, o.`+wf.filed+`, o.`+wf.firstDue+`, o.`+wf.secondDue+`,
			(SELECT min(at) FROM workflow_history h WHERE h.workflow = '`+wf.name+`' AND h.object_id = o.id AND h.to_state IN (`+wf.decided+`))
			FROM `+wf.name+` o`) {
			state, filed := str(r[0]), civil(r[1])
			if d := filed.Format("2006-01-02"); d >= from && d <= to {
				states[state]++
			}
			if r[4] != nil {
				if d := civil(r[4]); d.Format("2006-01-02") >= from && d.Format("2006-01-02") <= to {
					days = append(days, float64(cal.WorkingDaysBetween(filed, d)))
				}
			}
			var due time.Time
			switch state {
			case wf.first:
				due = civil(r[2])
			case wf.second:
				due = civil(r[3])
			default:
				continue
			}
			if due.Before(today) {
				overdue++
			} else if !due.After(soon) {
				dueSoon++
			}
		}
		got := apptest.Get(cs, wf.name+"s")
		diffCounts(t, wf.name+" states", cells(t, apptest.Get(got, "byState"), "count", []any{"state"}), states)
		if n := int(apptest.Get(got, "overdueNow").(float64)); n != overdue {
			t.Errorf("%s overdue now = %d, want %d", wf.name, n, overdue)
		}
		if n := int(apptest.Get(got, "dueSoon").(float64)); n != dueSoon {
			t.Errorf("%s due soon = %d, want %d", wf.name, n, dueSoon)
		}
		if len(days) == 0 {
			t.Errorf("no %s decided in the period to test with", wf.name)
			continue
		}
		slices.Sort(days)
		quantile := func(p float64) float64 { // the closest ranks, interpolated
			pos := p * float64(len(days)-1)
			lo := int(pos)
			hi := min(lo+1, len(days)-1)
			return days[lo] + (pos-float64(lo))*(days[hi]-days[lo])
		}
		if m := apptest.Get(got, "medianWorkingDays"); m != quantile(0.5) {
			t.Errorf("%s median = %v, want %v of %v", wf.name, m, quantile(0.5), days)
		}
		if m := apptest.Get(got, "p90WorkingDays"); m != quantile(0.9) {
			t.Errorf("%s p90 = %v, want %v of %v", wf.name, m, quantile(0.9), days)
		}
	}

	// Disclosure: per department, what disclosureStats says of the period.
	ds := h.QueryAs(t, apptest.Department(t), disclosureQuery, map[string]any{"from": from, "to": to, "first": 1})
	for _, field := range []string{"decisions", "publishedOnTime", "publishedLate", "overdue", "pending"} {
		diffCounts(t, "disclosure "+field, cells(t, apptest.Get(cs, "disclosure"), field, []any{"department", "code"}),
			cells(t, apptest.Get(ds, "disclosureStats"), field, []any{"department", "code"}))
	}

	// Each division's entities are the registry's.
	perDivision := map[string]int{}
	for _, d := range div {
		perDivision[d]++
	}
	diffCounts(t, "entities", cells(t, apptest.Get(cs, "dishonestShare"), "entities", []any{"division", "code"}), perDivision)
}

// Grades now and per month (the recompute keeps its month's distribution),
// checks and measures per department and month, and open warnings per rule
// and division, against the hub's tables; the public is refused them.
func TestCityStatsGradesChecksWarnings(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{})
	admin := apptest.As(t, auth.KindAdmin, "hub", "", auth.ScopeAuditRead, auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopeGradeCompute)
	h.QueryAs(t, admin, `mutation { recomputeGrades(idempotencyKey: "city-1") }`, nil)
	asker := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopeMeasureReport)
	var checkID, measure string
	for _, e := range h.World.Entities[:12] {
		c := apptest.Get(h.QueryAs(t, asker, checkQuery, map[string]any{"u": e.USCC, "s": "PUBLIC_PROCUREMENT"}), "creditCheck")
		for code := range measuresOf(c) {
			checkID, measure = apptest.Get(c, "id").(string), code
		}
	}
	if checkID == "" {
		t.Fatal("no check found a measure to report")
	}
	h.QueryAs(t, asker, `mutation($c: ID!, $m: ID!) { reportMeasureApplied(checkId: $c, measureCode: $m, applied: true, idempotencyKey: "city-m") { applied } }`,
		map[string]any{"c": checkID, "m": measure})

	cs := apptest.Get(h.QueryAs(t, asker, cityStatsFull, nil), "cityStats")
	from, to := apptest.Get(cs, "from").(string), apptest.Get(cs, "to").(string)
	div := registryDivisions(t, h)

	now, months := map[string]int{}, map[string]int{}
	for _, r := range rowsOf(t, h, "hub", `SELECT uscc, grade FROM entity_grade`) {
		count(now, "", div[str(r[0])], str(r[1]))
	}
	for _, r := range rowsOf(t, h, "hub", `SELECT month, division, grade, entities FROM grade_month`) {
		months[strings.Join([]string{str(r[0]), str(r[1]), str(r[2])}, " ")] += int(r[3].(int64))
	}
	if len(now) == 0 || len(months) == 0 {
		t.Fatalf("no grades stored: %v %v", now, months)
	}
	maps.Copy(now, months)
	diffCounts(t, "grades", cells(t, apptest.Get(cs, "grades"), "count", []any{"month"}, []any{"division", "code"}, []any{"grade"}), now)

	checks, applied := map[string]int{}, map[string]int{}
	for _, r := range rowsOf(t, h, "hub", `SELECT asked_at, asked_org, id FROM credit_check`) {
		if d := civil(r[0]).Format("2006-01-02"); d >= from && d <= to {
			count(checks, d[:7], str(r[1]))
		}
	}
	for _, r := range rowsOf(t, h, "hub", `SELECT c.asked_at, c.asked_org FROM measure_application a JOIN credit_check c ON c.id = a.check_id WHERE a.applied`) {
		count(applied, civil(r[0]).Format("2006-01"), str(r[1]))
	}
	if len(checks) == 0 || len(applied) == 0 {
		t.Fatalf("no checks to test with")
	}
	diffCounts(t, "checks", cells(t, apptest.Get(cs, "checks"), "checks", []any{"month"}, []any{"department", "code"}), checks)
	diffCounts(t, "measuresApplied", cells(t, apptest.Get(cs, "checks"), "measuresApplied", []any{"month"}, []any{"department", "code"}), applied)

	warnings := map[string]int{}
	for _, r := range rowsOf(t, h, "hub", `SELECT rule, uscc FROM warning WHERE state <> 'CLOSED'`) {
		count(warnings, str(r[0]), div[str(r[1])])
	}
	diffCounts(t, "openWarnings", cells(t, apptest.Get(cs, "openWarnings"), "open", []any{"rule", "code"}, []any{"division", "code"}), warnings)

	// The public: the shared figures are refused (null, FORBIDDEN), the
	// public ones still answer.
	r := h.Do(t, cityStatsFull, nil, nil)
	pub := apptest.Get(r.Data, "cityStats")
	if pub == nil || apptest.Get(pub, "grades") != nil || apptest.Get(pub, "checks") != nil || apptest.Get(pub, "records") == nil {
		t.Fatalf("public cityStats: %s", r.Body)
	}
	forbidden := 0
	for _, e := range r.Errors {
		if e.Code() == "FORBIDDEN" {
			forbidden++
		}
	}
	if forbidden != 6 {
		t.Errorf("%d FORBIDDEN errors for the public, want 6 (the shared figures): %s", forbidden, r.Body)
	}
}
