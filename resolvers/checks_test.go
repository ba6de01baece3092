package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/lib/pq"

	"credithub/auth"
	"credithub/dev/world"
	"credithub/internal/app/apptest"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/supervision"
)

const checkFields = `id uscc entity { uscc name } scenario complete missingSources { code }
  measures { measure { code kind legalBasis } triggers { recordId kind summary severity listType } gradeTrigger { grade points } } checkedAt`

const checkQuery = `query($u: ID!, $s: Scenario!) { creditCheck(uscc: $u, scenario: $s) { ` + checkFields + ` } }`

const checksQuery = `query($u: [ID!]!, $s: Scenario!) { creditChecks(usccs: $u, scenario: $s) { ` + checkFields + ` } }`

// measuresOf returns a check's measures: code → trigger record ids, and
// "grade:A" when the grade triggers it.
func measuresOf(check any) map[string][]string {
	out := map[string][]string{}
	for _, m := range apptest.Get(check, "measures").([]any) {
		ids := []string{}
		for _, tr := range apptest.Get(m, "triggers").([]any) {
			ids = append(ids, apptest.Get(tr, "recordId").(string))
		}
		if g, ok := apptest.Get(m, "gradeTrigger", "grade").(string); ok {
			ids = append(ids, "grade:"+g)
		}
		sort.Strings(ids)
		out[apptest.Get(m, "measure", "code").(string)] = ids
	}
	return out
}

// gradeRecords reads, through the graph, every record of an entity a
// department sees, with what a grade or a check reads of it.
func gradeRecords(t *testing.T, h *apptest.Hub, uscc string) []credit.Record {
	t.Helper()
	var out []credit.Record
	var after any
	for {
		data := h.QueryAs(t, apptest.Department(t), `query($u: ID!, $after: String) { entity(uscc: $u) { records(first: 100, after: $after) {
			complete
			edges { node { id kind status severity summary publicity
				... on SelfDeclarationRecord { declarationKind verification }
				... on EnvironmentalCreditEvaluation { year level }
				... on ConsumerComplaint { receivedAt }
				... on ListingRecord { listType } } }
			pageInfo { hasNextPage endCursor } } } }`, map[string]any{"u": uscc, "after": after})
		conn := apptest.Get(data, "entity", "records")
		if apptest.Get(conn, "complete") != true {
			t.Fatalf("records of %s are incomplete", uscc)
		}
		for _, e := range apptest.Get(conn, "edges").([]any) {
			n := apptest.Get(e, "node").(map[string]any)
			b := credit.Base{ID: n["id"].(string), Kind: credit.Kind(n["kind"].(string)), Status: credit.Status(n["status"].(string)),
				Summary: n["summary"].(string), Publicity: credit.Publicity(n["publicity"].(string))}
			if s, ok := n["severity"].(string); ok {
				sev := credit.Severity(s)
				b.Severity = &sev
			}
			var r credit.Record
			switch b.Kind {
			case credit.KindEnvironmentalRating:
				r = &credit.EnvironmentalRating{Base: b, Year: int(n["year"].(float64)), Level: credit.EnvLevel(n["level"].(string))}
			case credit.KindComplaint:
				at, err := time.Parse(time.RFC3339, n["receivedAt"].(string))
				if err != nil {
					t.Fatal(err)
				}
				r = &credit.Complaint{Base: b, ReceivedAt: at}
			case credit.KindListing:
				r = &credit.Listing{Base: b, ListType: credit.ListType(n["listType"].(string))}
			case credit.KindKeyAttention:
				r = &credit.KeyAttention{Base: b}
			case credit.KindCommitmentBreach:
				r = &credit.CommitmentBreach{Base: b}
			case credit.KindAbnormalOperation:
				r = &credit.AbnormalOperation{Base: b}
			case credit.KindReward:
				r = &credit.Reward{Base: b}
			case credit.KindSelfDeclaration:
				r = &credit.SelfDeclaration{Base: b, DeclarationKind: n["declarationKind"].(string), Verification: n["verification"].(string)}
			default:
				r = &credit.Penalty{Base: b} // any kind the grade reads by its severity
			}
			out = append(out, r)
		}
		if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
			return out
		}
		after = apptest.Get(conn, "pageInfo", "endCursor")
	}
}

// gradeOf is an entity's grade as MarketEntity.rating computes it now,
// which a check computes the same way.
func gradeOf(t *testing.T, h *apptest.Hub, uscc string) *supervision.GradeTrigger {
	t.Helper()
	g := apptest.Get(h.QueryAs(t, apptest.Department(t), `query($u: ID!) { entity(uscc: $u) { rating { grade points } } }`,
		map[string]any{"u": uscc}), "entity", "rating")
	return &supervision.GradeTrigger{Grade: apptest.Get(g, "grade").(string), Points: int(apptest.Get(g, "points").(float64))}
}

// expectedMeasures is what the measures catalogue gives an entity's
// records and grade in a scenario, in measuresOf's form.
func expectedMeasures(measures []*catalogue.Measure, sc credit.Scenario, recs []credit.Record, grade *supervision.GradeTrigger) map[string][]string {
	want := map[string][]string{}
	for _, a := range supervision.EvaluateGraded(measures, sc, recs, grade, true) {
		ids := []string{}
		for _, tr := range a.Triggers {
			ids = append(ids, tr.RecordID)
		}
		if a.Grade != nil {
			ids = append(ids, "grade:"+a.Grade.Grade)
		}
		sort.Strings(ids)
		want[a.Code] = ids
	}
	return want
}

// cleanEntity is the first entity of the world without any adverse record
// in force (checked through the graph).
func cleanEntity(t *testing.T, h *apptest.Hub) *world.Entity {
	t.Helper()
	for _, e := range h.World.Entities[world.ShowcaseCount:] {
		if e.Profile != world.Clean || e.Status != "存续" {
			continue
		}
		adverse := false
		for _, r := range gradeRecords(t, h, e.USCC) {
			b := r.Common()
			if b.Status == credit.Effective && b.Severity != nil && *b.Severity != credit.Minor {
				adverse = true
			}
		}
		if !adverse {
			return e
		}
	}
	t.Fatal("world changed: no clean entity")
	return nil
}

// The measures that apply follow the entity's records in force: the first
// showcase entity's court records (its dishonest-debtor listing ended, its
// false-litigation listing did not) bar it from public procurement; a clean
// entity gets the reward where the scenario has one.
func TestCreditCheckAgainstSeededCases(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	dept := apptest.Department(t)

	e0 := h.World.Entities[0]
	var debtor, falseLit credit.Record
	for _, r := range gradeRecords(t, h, e0.USCC) {
		switch r.Common().Kind {
		case credit.KindDishonestDebtor:
			debtor = r
		case credit.KindFalseLitigation:
			falseLit = r
		}
	}
	if debtor == nil || falseLit == nil || debtor.Common().Status != credit.Expired || falseLit.Common().Status != credit.Effective {
		t.Fatalf("world changed: entity 0 should have an ended dishonest-debtor listing and a false-litigation listing in force")
	}
	check := apptest.Get(h.QueryAs(t, dept, checkQuery, map[string]any{"u": e0.USCC, "s": "PUBLIC_PROCUREMENT"}), "creditCheck")
	if apptest.Get(check, "complete") != true || apptest.Get(check, "entity", "name") != e0.Name || apptest.Get(check, "uscc") != e0.USCC {
		t.Fatalf("check %v", check)
	}
	prc := measuresOf(check)["M-PRC-01"]
	if !slices.Contains(prc, falseLit.Common().ID) || slices.Contains(prc, debtor.Common().ID) {
		t.Fatalf("M-PRC-01 triggers = %v, want the false-litigation listing %s and not the ended debtor listing %s",
			prc, falseLit.Common().ID, debtor.Common().ID)
	}
	for _, m := range apptest.Get(check, "measures").([]any) {
		if apptest.Get(m, "measure", "legalBasis") == "" {
			t.Errorf("measure %v has no legal basis", apptest.Get(m, "measure", "code"))
		}
		for _, tr := range apptest.Get(m, "triggers").([]any) {
			switch apptest.Get(tr, "recordId") {
			case falseLit.Common().ID:
				if apptest.Get(tr, "kind") != "FALSE_LITIGATION" || apptest.Get(tr, "severity") != "SERIOUS" || apptest.Get(tr, "summary") != falseLit.Common().Summary {
					t.Errorf("trigger %v", tr)
				}
			}
			if apptest.Get(tr, "kind") == "LISTING" && apptest.Get(tr, "listType") == nil {
				t.Errorf("a listing trigger without its list: %v", tr)
			}
		}
	}

	// Every showcase entity, in every scenario: the measures are those the
	// catalogue gives for its records as the graph shows them.
	measures := catalogueOf(t, h)
	for _, e := range h.World.Entities[:world.ShowcaseCount] {
		recs, grade := gradeRecords(t, h, e.USCC), gradeOf(t, h, e.USCC)
		for _, sc := range credit.Scenarios {
			want := expectedMeasures(measures, sc, recs, grade)
			got := measuresOf(apptest.Get(h.QueryAs(t, dept, checkQuery, map[string]any{"u": e.USCC, "s": string(sc)}), "creditCheck"))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("entity %d in %s: measures %v, want %v", e.Index, sc, got, want)
			}
		}
	}

	// A clean entity (its grade A, 信用风险低) gets the rewards an A grade
	// rests (容缺受理, 绿色通道) where the scenario has them, and those its
	// rewards and verified honours rest; none in public procurement.
	clean := cleanEntity(t, h)
	recs, grade := gradeRecords(t, h, clean.USCC), gradeOf(t, h, clean.USCC)
	if grade.Grade != "A" {
		t.Fatalf("clean entity %d graded %v", clean.Index, grade)
	}
	for _, sc := range credit.Scenarios {
		got := measuresOf(apptest.Get(h.QueryAs(t, dept, checkQuery, map[string]any{"u": clean.USCC, "s": string(sc)}), "creditCheck"))
		if want := expectedMeasures(measures, sc, recs, grade); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("clean entity %d in %s: measures %v, want %v", clean.Index, sc, got, want)
		}
		if sc == credit.ScenarioAdministrativeApproval && (!slices.Contains(got["M-MKT-R1"], "grade:A") || !slices.Contains(got["M-MKT-R2"], "grade:A")) {
			t.Errorf("clean entity %d in %s: measures %v, want M-MKT-R1 and M-MKT-R2 resting on its A grade", clean.Index, sc, got)
		}
		if sc == credit.ScenarioPublicProcurement && len(got) != 0 {
			t.Errorf("clean entity %d in %s: measures %v", clean.Index, sc, got)
		}
	}
}

// catalogueOf reads the measures catalogue from the hub's database.
func catalogueOf(t *testing.T, h *apptest.Hub) []*catalogue.Measure {
	t.Helper()
	ms, err := catalogue.LoadMeasures(context.Background(), hubdb.New(h.DBs["hub"].DB).Catalogues())
	if err != nil {
		t.Fatal(err)
	}
	return ms.All()
}

// The batch form: answers in the order asked, each its own recorded check,
// the same as the single form, for one statement per department (the
// market regulator's two: the registry, then its records) and two on the
// hub's database: the 50 entities' records the hub holds itself (read like
// a department's), and its record of the 50 checks.
func TestCreditChecksBatchOfFifty(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	dept := apptest.Department(t)
	var usccs []string
	for _, e := range h.World.Entities[:50] {
		usccs = append(usccs, e.USCC)
	}
	r := h.Do(t, checksQuery, map[string]any{"u": usccs, "s": "BIDDING"}, dept)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	want := map[string]int{"market": 2, "environment": 1, "fire": 1, "housing": 1, "court": 1, "hub": 2}
	if got := r.Statements(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statements %v, want %v", got, want)
	}
	checks := apptest.Get(r.Data, "creditChecks").([]any)
	ids := map[string]bool{}
	for i, c := range checks {
		if apptest.Get(c, "uscc") != usccs[i] || apptest.Get(c, "entity", "uscc") != usccs[i] || apptest.Get(c, "complete") != true {
			t.Fatalf("check %d: %v", i, c)
		}
		ids[apptest.Get(c, "id").(string)] = true
	}
	if len(ids) != 50 {
		t.Fatalf("%d distinct check ids for 50 checks", len(ids))
	}
	for _, i := range []int{0, 1, 7, 33} {
		one := apptest.Get(h.QueryAs(t, dept, checkQuery, map[string]any{"u": usccs[i], "s": "BIDDING"}), "creditCheck")
		if fmt.Sprint(measuresOf(one)) != fmt.Sprint(measuresOf(checks[i])) {
			t.Errorf("entity %d: batch %v, single %v", i, measuresOf(checks[i]), measuresOf(one))
		}
	}
}

func TestCreditCheckArguments(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	dept := apptest.Department(t)
	many := make([]string, 101)
	for i := range many {
		many[i] = h.World.Entities[i].USCC
	}
	for name, tc := range map[string]struct {
		query string
		vars  map[string]any
		code  string
		field string
	}{
		"too many":         {checksQuery, map[string]any{"u": many, "s": "BIDDING"}, "BAD_USER_INPUT", "usccs"},
		"none":             {checksQuery, map[string]any{"u": []string{}, "s": "BIDDING"}, "BAD_USER_INPUT", "usccs"},
		"a malformed code": {checksQuery, map[string]any{"u": []string{many[0], "91110000600037341N"}, "s": "BIDDING"}, "BAD_USER_INPUT", "usccs[1]"},
		"single":           {checkQuery, map[string]any{"u": "9111000060003734", "s": "BIDDING"}, "BAD_USER_INPUT", "uscc"},
	} {
		r := h.Do(t, tc.query, tc.vars, dept)
		if len(r.Errors) != 1 || r.Errors[0].Code() != tc.code || r.Errors[0].Extensions["field"] != tc.field {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	// SECURITY: the public does not check entities.
	r := h.Do(t, checkQuery, map[string]any{"u": many[0], "s": "BIDDING"}, nil)
	if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "creditCheck") != nil {
		t.Errorf("anonymous check: %s", r.Body)
	}
	// Nor does an entity check itself (its grade is not its to see).
	self := apptest.As(t, auth.KindEntity, many[0], "", auth.ScopeEntityRead)
	r = h.Do(t, checkQuery, map[string]any{"u": many[0], "s": "BIDDING"}, self)
	if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "creditCheck") != nil {
		t.Errorf("an entity checked itself: %s", r.Body)
	}
}

// A department that does not answer makes every check incomplete, names
// it, and withholds the reward: an entity is never clean because a source
// was down.
func TestCreditCheckWithADepartmentDown(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{})
	clean := cleanEntity(t, h)
	before := measuresOf(apptest.Get(h.QueryAs(t, apptest.Department(t), checkQuery, map[string]any{"u": clean.USCC, "s": "ADMINISTRATIVE_APPROVAL"}), "creditCheck"))
	if _, ok := before["M-MKT-R1"]; !ok {
		t.Fatalf("clean entity without the reward: %v", before)
	}
	takeDown(t, h.Prefix+"dept_fire")
	r := h.Do(t, checksQuery, map[string]any{"u": []string{clean.USCC, h.World.Entities[0].USCC}, "s": "ADMINISTRATIVE_APPROVAL"}, apptest.Department(t))
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	for i, c := range apptest.Get(r.Data, "creditChecks").([]any) {
		if apptest.Get(c, "complete") != false || apptest.Get(c, "missingSources", 0, "code") != "fire" || len(apptest.Get(c, "missingSources").([]any)) != 1 {
			t.Errorf("check %d: %v", i, c)
		}
		if _, ok := measuresOf(c)["M-MKT-R1"]; ok {
			t.Errorf("check %d rewards an entity while the fire brigade did not answer", i)
		}
	}
	if len(r.Errors) != 1 || r.Errors[0].Code() != "SOURCE_UNAVAILABLE" || r.Errors[0].Extensions["source"] != "fire" {
		t.Errorf("errors %v", r.Errors)
	}
	var stored struct {
		Complete bool   `db:"complete"`
		Missing  string `db:"missing"`
	}
	if err := h.DBs["hub"].GetContext(context.Background(), &stored,
		`SELECT complete, missing::text AS missing FROM credit_check WHERE uscc = $1 ORDER BY id DESC LIMIT 1`, clean.USCC); err != nil {
		t.Fatal(err)
	}
	if stored.Complete || stored.Missing != "{fire}" {
		t.Errorf("recorded as %+v", stored)
	}
}

// The asking organisation reports what it did with each measure: once per
// idempotency key, only for its own checks and the measures they found;
// the statistics count checks, checks with measures, reports and
// measures applied per organisation.
func TestReportMeasureAppliedAndStats(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	// Organisations of this test only: the shared hub's other checks do
	// not count.
	org := "sv-procurement-" + fmt.Sprint(time.Now().UnixNano())
	asker := apptest.As(t, auth.KindDepartment, org, "", auth.ScopeEntityRead, auth.ScopeMeasureReport)
	other := apptest.As(t, auth.KindDepartment, org+"-other", "", auth.ScopeEntityRead, auth.ScopeMeasureReport)
	// An agency's id is its own to choose: one named like the department.
	sameName := apptest.As(t, auth.KindAgency, org, "", auth.ScopeEntityRead, auth.ScopeMeasureReport)
	check := func(u, sc string) (string, map[string][]string) {
		c := apptest.Get(h.QueryAs(t, asker, checkQuery, map[string]any{"u": u, "s": sc}), "creditCheck")
		return apptest.Get(c, "id").(string), measuresOf(c)
	}
	e0 := h.World.Entities[0].USCC
	id1, m1 := check(e0, "PUBLIC_PROCUREMENT")
	id2, m2 := check(e0, "BIDDING")
	_, m3 := check(cleanEntity(t, h).USCC, "PUBLIC_PROCUREMENT")
	if _, ok := m1["M-PRC-01"]; !ok || len(m2) == 0 || len(m3) != 0 {
		t.Fatalf("world changed: %v %v %v", m1, m2, m3)
	}
	var m2code string
	for code := range m2 {
		m2code = code
	}

	const report = `mutation($c: ID!, $m: ID!, $a: Boolean!, $k: String!) {
		reportMeasureApplied(checkId: $c, measureCode: $m, applied: $a, note: "不予通过资格审查", idempotencyKey: $k) {
			checkId measure { code } applied note reportedBy reportedAt } }`
	first := h.QueryAs(t, asker, report, map[string]any{"c": id1, "m": "M-PRC-01", "a": true, "k": "r1"})
	again := h.QueryAs(t, asker, report, map[string]any{"c": id1, "m": "M-PRC-01", "a": true, "k": "r1"})
	if fmt.Sprint(first) != fmt.Sprint(again) || apptest.Get(first, "reportMeasureApplied", "checkId") != id1 ||
		apptest.Get(first, "reportMeasureApplied", "applied") != true || apptest.Get(first, "reportMeasureApplied", "measure", "code") != "M-PRC-01" {
		t.Fatalf("first %v, retried %v", first, again)
	}
	h.QueryAs(t, asker, report, map[string]any{"c": id2, "m": m2code, "a": false, "k": "r2"})

	for name, tc := range map[string]struct {
		headers map[string]string
		vars    map[string]any
		code    string
	}{
		// SECURITY: another organisation cannot report on a check it did not ask.
		"another organisation": {other, map[string]any{"c": id1, "m": "M-PRC-01", "a": false, "k": "x1"}, "FORBIDDEN"},
		// SECURITY: nor an agency whose id is the asking department's code.
		"an agency of the same name": {sameName, map[string]any{"c": id1, "m": "M-PRC-01", "a": false, "k": "x5"}, "FORBIDDEN"},
		// SECURITY: reading a check is not reporting on it.
		"without measure:report":           {apptest.As(t, auth.KindDepartment, org, "", auth.ScopeEntityRead), map[string]any{"c": id1, "m": "M-PRC-01", "a": false, "k": "x6"}, "FORBIDDEN"},
		"an unknown check":                 {asker, map[string]any{"c": supervision.CheckID(1 << 50), "m": "M-PRC-01", "a": true, "k": "x2"}, "NOT_FOUND"},
		"not a check's id":                 {asker, map[string]any{"c": "bm9wZQ", "m": "M-PRC-01", "a": true, "k": "x3"}, "BAD_USER_INPUT"},
		"a measure the check did not find": {asker, map[string]any{"c": id1, "m": "M-MKT-R1", "a": true, "k": "x4"}, "BAD_USER_INPUT"},
	} {
		r := h.Do(t, report, tc.vars, tc.headers)
		if len(r.Errors) != 1 || r.Errors[0].Code() != tc.code {
			t.Errorf("%s: %s", name, r.Body)
		}
	}

	today := scalars.DateOf(time.Now()).String()
	data := h.QueryAs(t, asker, `query($f: Date!, $t: Date!) { creditCheckStats(from: $f, to: $t) {
		org checks checksWithMeasures measuresReported measuresApplied } }`, map[string]any{"f": today, "t": today})
	var got any
	for _, s := range apptest.Get(data, "creditCheckStats").([]any) {
		if apptest.Get(s, "org") == org {
			got = s
		}
		if apptest.Get(s, "org") == org+"-other" {
			t.Errorf("an organisation that asked nothing is counted: %v", s)
		}
	}
	want := map[string]any{"org": org, "checks": 3.0, "checksWithMeasures": 2.0, "measuresReported": 2.0, "measuresApplied": 1.0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stats %v, want %v", got, want)
	}
}

// The measures catalogue, asked for every field, is what the measure table
// holds: a front end that shows when a check applies a measure must see
// the scenarios, record kinds and minimum severity, not empty lists.
// Before the one reader, measures answered [] [] null for these.
func TestMeasuresAnswerEveryColumn(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	var rows []struct {
		Code        string         `db:"code"`
		Name        string         `db:"name"`
		Kind        string         `db:"kind"`
		Department  string         `db:"department"`
		LegalBasis  string         `db:"legal_basis"`
		ListTypes   pq.StringArray `db:"list_types"`
		Scenarios   pq.StringArray `db:"scenarios"`
		RecordKinds pq.StringArray `db:"record_kinds"`
		MinSeverity *string        `db:"min_severity"`
	}
	// The table itself, read here without the hub's code: the answer is
	// compared with what is stored, not with the reader under test.
	if err := h.DBs["hub"].SelectContext(context.Background(), &rows, `SELECT code, name, kind, department, legal_basis,
		list_types, scenarios, record_kinds, min_severity FROM measure ORDER BY code`); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("the seeded measure table is empty")
	}
	data := h.Query(t, `{ measures { code name kind department { code } legalBasis listTypes scenarios recordKinds minSeverity } }`, nil)
	var got []struct {
		Code        string
		Name        string
		Kind        string
		Department  struct{ Code string }
		LegalBasis  string
		ListTypes   []string
		Scenarios   []string
		RecordKinds []string
		MinSeverity *string
	}
	b, _ := json.Marshal(data["measures"])
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("measures answered %d measures; the table has %d", len(got), len(rows))
	}
	withScenarios, withKinds, withSeverity := 0, 0, 0
	for i, r := range rows {
		g := got[i]
		if g.Code != r.Code || g.Name != r.Name || g.Kind != r.Kind || g.Department.Code != r.Department || g.LegalBasis != r.LegalBasis {
			t.Errorf("measure %d: answered %+v, stored %+v", i, g, r)
		}
		same := func(field string, a []string, b pq.StringArray) {
			if len(a) != len(b) {
				t.Errorf("%s %s: answered %v, stored %v", r.Code, field, a, []string(b))
				return
			}
			for j := range a {
				if a[j] != b[j] {
					t.Errorf("%s %s: answered %v, stored %v", r.Code, field, a, []string(b))
					return
				}
			}
		}
		same("listTypes", g.ListTypes, r.ListTypes)
		same("scenarios", g.Scenarios, r.Scenarios)
		same("recordKinds", g.RecordKinds, r.RecordKinds)
		if (g.MinSeverity == nil) != (r.MinSeverity == nil) || (g.MinSeverity != nil && *g.MinSeverity != *r.MinSeverity) {
			t.Errorf("%s minSeverity: answered %v, stored %v", r.Code, g.MinSeverity, r.MinSeverity)
		}
		if len(r.Scenarios) > 0 {
			withScenarios++
		}
		if len(r.RecordKinds) > 0 {
			withKinds++
		}
		if r.MinSeverity != nil {
			withSeverity++
		}
	}
	// The comparison means something only if the table has such values.
	if withScenarios == 0 || withKinds == 0 || withSeverity == 0 {
		t.Fatalf("the seeded catalogue should have measures with scenarios (%d), record kinds (%d) and a minimum severity (%d)",
			withScenarios, withKinds, withSeverity)
	}
}
