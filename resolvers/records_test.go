package resolvers_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"credithub/internal/app/apptest"
	"credithub/internal/hubdb"
)

const entityProfile = `query($uscc: ID!) {
  entity(uscc: $uscc) {
    uscc name kind status legacyCode organizationCode registrationNumber
    division { code name }
    legalRepresentative { name }
    responsiblePersons { role person { name } }
    records(first: 100) {
      complete
      missingSources { code }
      edges { cursor node { __typename id kind source { code } decisionNo decisionDate summary legacyKey status publicity } }
      pageInfo { hasNextPage endCursor }
    }
    sources { department { code } ok error recordCount }
  }
}`

// The graph's promise (T9): one query about an entity returns its records
// from all five departments, including those a department filed under an old
// key.
func TestEntityProfileSpansAllDepartmentsAndLegacyKeys(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	// Entity 1 of the synthetic world is a showcase whose departments filed
	// its records under its registration number and organisation code.
	e := h.World.Entities[1]
	if !e.LegacyKeys || e.RegNo == "" {
		t.Fatalf("world changed: entity 1 should have legacy keys: %+v", e)
	}
	data := h.QueryAs(t, apptest.Department(t), entityProfile, map[string]any{"uscc": e.USCC})
	ent := apptest.Get(data, "entity")
	if got := apptest.Get(ent, "name"); got != e.Name {
		t.Fatalf("name = %v, want %s", got, e.Name)
	}
	if got := apptest.Get(ent, "legalRepresentative", "name"); got != e.LegalRep.Name {
		t.Errorf("legal representative = %v, want %s", got, e.LegalRep.Name)
	}
	if got := apptest.Get(ent, "registrationNumber"); got != e.RegNo {
		t.Errorf("registrationNumber = %v, want %s", got, e.RegNo)
	}
	roles := map[string]bool{}
	for _, rp := range apptest.Get(ent, "responsiblePersons").([]any) {
		roles[apptest.Get(rp, "role").(string)] = true
	}
	for _, want := range []string{"LEGAL_REPRESENTATIVE", "PRINCIPAL", "ACTUAL_CONTROLLER"} {
		if !roles[want] {
			t.Errorf("responsiblePersons lacks %s: %v", want, roles)
		}
	}
	if apptest.Get(ent, "records", "complete") != true {
		t.Fatalf("records incomplete: %v", apptest.Get(ent, "records", "missingSources"))
	}
	bySource := map[string]int{}
	legacy := map[string]int{}
	var dates []string
	held := 0
	for _, edge := range apptest.Get(ent, "records", "edges").([]any) {
		n := apptest.Get(edge, "node")
		if holderOf(t, apptest.Get(n, "id").(string)) == hubdb.Source {
			held++ // listed under its department, counted under the hub
			continue
		}
		src := apptest.Get(n, "source", "code").(string)
		bySource[src]++
		if k, ok := apptest.Get(n, "legacyKey").(string); ok {
			if k != e.RegNo && k != e.OrgCode {
				t.Errorf("legacyKey %s is neither the registration number nor the organisation code", k)
			}
			legacy[src]++
		}
		dates = append(dates, apptest.Get(n, "decisionDate").(string))
	}
	for _, d := range []string{"market", "environment", "fire", "housing", "court"} {
		if bySource[d] == 0 {
			t.Errorf("no record from %s; by source: %v", d, bySource)
		}
	}
	if legacy["market"] == 0 || legacy["environment"] == 0 {
		t.Errorf("records filed under legacy keys missing: %v", legacy)
	}
	if !sort.SliceIsSorted(dates, func(i, j int) bool { return dates[i] > dates[j] }) {
		t.Errorf("records are not newest first: %v", dates)
	}
	for _, s := range apptest.Get(ent, "sources").([]any) {
		if apptest.Get(s, "ok") != true {
			t.Errorf("source %v not ok: %v", apptest.Get(s, "department", "code"), apptest.Get(s, "error"))
		}
	}
	// sources' counts agree with the records listed: the hub's with the
	// records it holds itself.
	bySource[hubdb.Source] = held
	for _, s := range apptest.Get(ent, "sources").([]any) {
		code := apptest.Get(s, "department", "code").(string)
		if n := int(apptest.Get(s, "recordCount").(float64)); n != bySource[code] {
			t.Errorf("%s: recordCount %d, records listed %d", code, n, bySource[code])
		}
	}
}

// Paging through an entity's records page by page gives the same records
// as one big page, in the same order, with no repeats.
func TestRecordPagesAreStable(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[0]
	const q = `query($uscc: ID!, $first: Int!, $after: String) {
	  entity(uscc: $uscc) { records(first: $first, after: $after) {
	    edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`
	dept := apptest.Department(t)
	all := ids(apptest.Get(h.QueryAs(t, dept, q, map[string]any{"uscc": e.USCC, "first": 100}), "entity", "records", "edges"))
	if len(all) < 8 {
		t.Fatalf("showcase entity has only %d records", len(all))
	}
	var paged []string
	var after any
	for page := 0; page < 50; page++ {
		conn := apptest.Get(h.QueryAs(t, dept, q, map[string]any{"uscc": e.USCC, "first": 3, "after": after}), "entity", "records")
		paged = append(paged, ids(apptest.Get(conn, "edges"))...)
		if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
			break
		}
		after = apptest.Get(conn, "pageInfo", "endCursor")
	}
	if !slices.Equal(all, paged) {
		t.Fatalf("paged records differ from one page:\n all   %v\n paged %v", all, paged)
	}
}

// hubKinds are the kinds of the hub's own records (a breach, an interview,
// a listing): their source is the identifying department, but they come
// from the hub's database, not the department's.
var hubKinds = map[string]bool{"COMMITMENT_BREACH": true, "INTERVIEW": true, "LISTING": true, "KEY_ATTENTION": true, "MONITORING_FINDING": true}

// The record filter narrows by kind, source, dates and publicity, and bad
// filters are refused with the field named.
func TestRecordFilters(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[0]
	q := `query($uscc: ID!, $f: RecordFilter) { entity(uscc: $uscc) { records(first: 100, filter: $f) {
	  edges { node { kind source { code } decisionDate publicity } } } } }`
	dept := apptest.Department(t)
	run := func(f map[string]any) []any {
		return apptest.Get(h.QueryAs(t, dept, q, map[string]any{"uscc": e.USCC, "f": f}), "entity", "records", "edges").([]any)
	}
	for _, n := range run(map[string]any{"kinds": []string{"PENALTY"}}) {
		if apptest.Get(n, "node", "kind") != "PENALTY" {
			t.Errorf("kind filter let through %v", apptest.Get(n, "node"))
		}
	}
	pens := run(map[string]any{"kinds": []string{"PENALTY"}, "sources": []string{"environment"}})
	if len(pens) == 0 {
		t.Fatal("showcase entity has no environmental penalty")
	}
	for _, n := range pens {
		if apptest.Get(n, "node", "source", "code") != "environment" {
			t.Errorf("source filter let through %v", apptest.Get(n, "node"))
		}
	}
	for _, n := range run(map[string]any{"decidedFrom": "2022-01-01", "decidedTo": "2023-12-31"}) {
		d := apptest.Get(n, "node", "decisionDate").(string)
		if d < "2022-01-01" || d > "2023-12-31" {
			t.Errorf("date filter let through %s", d)
		}
	}
	for _, n := range run(map[string]any{"publicity": []string{"SHARED"}}) {
		if apptest.Get(n, "node", "publicity") != "SHARED" {
			t.Errorf("publicity filter let through %v", apptest.Get(n, "node"))
		}
	}
	for _, tc := range []struct {
		f     map[string]any
		field string
	}{
		{map[string]any{"sources": []string{"tax"}}, "filter.sources"},
		{map[string]any{"decidedFrom": "2024-01-01", "decidedTo": "2023-01-01"}, "filter.decidedTo"},
	} {
		r := h.Do(t, q, map[string]any{"uscc": e.USCC, "f": tc.f}, dept)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tc.field {
			t.Errorf("filter %v: %s", tc.f, r.Body)
		}
	}
	r := h.Do(t, q, map[string]any{"uscc": e.USCC, "f": map[string]any{"decidedFrom": "2024-02-30"}}, nil)
	if len(r.Errors) == 0 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Errorf("an impossible date was not refused: %s", r.Body)
	}
}

// When one department's database refuses connections, every other
// department still answers; that department is named as missing, with
// SOURCE_UNAVAILABLE and its code in the error's extensions.
func TestPartialFailureWhenADepartmentIsDown(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{})
	e := h.World.Entities[0]
	down := "fire"
	takeDown(t, h.Prefix+"dept_"+down)

	r := h.Do(t, entityProfile, map[string]any{"uscc": e.USCC}, apptest.Department(t))
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	ent := apptest.Get(r.Data, "entity")
	if apptest.Get(ent, "name") != e.Name {
		t.Fatalf("the registry's data is missing: %s", r.Body)
	}
	bySource := map[string]int{}
	for _, edge := range apptest.Get(ent, "records", "edges").([]any) {
		if !hubKinds[apptest.Get(edge, "node", "kind").(string)] {
			bySource[apptest.Get(edge, "node", "source", "code").(string)]++
		}
	}
	if bySource[down] != 0 {
		t.Errorf("records from the department that is down: %v", bySource)
	}
	for _, d := range []string{"market", "environment", "housing", "court"} {
		if bySource[d] == 0 {
			t.Errorf("no records from %s while only %s is down: %v", d, down, bySource)
		}
	}
	if apptest.Get(ent, "records", "complete") != false {
		t.Error("records claim to be complete")
	}
	if m := apptest.Get(ent, "records", "missingSources", 0, "code"); m != down {
		t.Errorf("missingSources = %v", apptest.Get(ent, "records", "missingSources"))
	}
	var sawRecords, sawSources bool
	for _, er := range r.Errors {
		if er.Code() != "SOURCE_UNAVAILABLE" || er.Extensions["source"] != down {
			t.Errorf("unexpected error %+v", er)
			continue
		}
		p := fmt.Sprint(er.Path)
		sawRecords = sawRecords || p == "[entity records]"
		sawSources = sawSources || strings.HasPrefix(p, "[entity sources")
		if strings.Contains(er.Message, "127.0.0.1") || strings.Contains(er.Message, "pq:") {
			t.Errorf("error leaks driver details: %s", er.Message)
		}
	}
	if !sawRecords {
		t.Errorf("no SOURCE_UNAVAILABLE error on entity.records: %s", r.Body)
	}
	for _, s := range apptest.Get(ent, "sources").([]any) {
		code := apptest.Get(s, "department", "code")
		ok := apptest.Get(s, "ok").(bool)
		if (code == down) == ok {
			t.Errorf("sources: %v ok=%v", code, ok)
		}
		if code == down && apptest.Get(s, "recordCount") != nil {
			t.Errorf("a count for a department that is down")
		}
	}
	_ = sawSources

	// Without record counts, sources derive from the records' fan-out and
	// say the same.
	r = h.Do(t, `query($u: ID!) { entity(uscc: $u) { records(first: 10) { complete } sources { department { code } ok error } } }`,
		map[string]any{"u": e.USCC}, apptest.Department(t))
	for _, s := range apptest.Get(r.Data, "entity", "sources").([]any) {
		code, ok := apptest.Get(s, "department", "code"), apptest.Get(s, "ok").(bool)
		if (code == down) == ok {
			t.Errorf("sources from records: %v ok=%v", code, ok)
		}
	}

	// readyz names it.
	resp, err := http.Get(h.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d with %s down", resp.StatusCode, down)
	}
}

// A department configured at an address where nothing listens is reported
// the same way, and the registry being down still lets the others answer.
func TestPartialFailureWhenNothingListens(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{}).Variant(t, map[string]string{
		"CREDITHUB_MARKET_DSN": "postgres://postgres@127.0.0.1:1/dept_market?sslmode=disable",
	})
	e := h.World.Entities[0]
	r := h.Do(t, entityProfile, map[string]any{"uscc": e.USCC}, apptest.Department(t))
	ent := apptest.Get(r.Data, "entity")
	if ent == nil || apptest.Get(ent, "uscc") != e.USCC || apptest.Get(ent, "name") != nil {
		t.Fatalf("entity with the registry down = %s", r.Body)
	}
	if len(apptest.Get(ent, "records", "edges").([]any)) == 0 {
		t.Fatalf("no records from the departments that are up: %s", r.Body)
	}
	found := false
	for _, er := range r.Errors {
		found = found || (er.Code() == "SOURCE_UNAVAILABLE" && er.Extensions["source"] == "market" && fmt.Sprint(er.Path) == "[entity]")
	}
	if !found {
		t.Errorf("no SOURCE_UNAVAILABLE error naming market on entity: %s", r.Body)
	}
}
