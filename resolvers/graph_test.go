package resolvers_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"credithub/internal/app/apptest"
	"credithub/internal/ident"
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
      edges { cursor node { __typename kind source { code } decisionNo decisionDate summary legacyKey status publicity } }
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
	for _, edge := range apptest.Get(ent, "records", "edges").([]any) {
		n := apptest.Get(edge, "node")
		if hubKinds[apptest.Get(n, "kind").(string)] {
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
	// sources' counts agree with the records listed.
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

func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

// hubKinds are the kinds of the hub's own records (a breach, an interview,
// a listing): their source is the identifying department, but they come
// from the hub's database, not the department's.
var hubKinds = map[string]bool{"COMMITMENT_BREACH": true, "INTERVIEW": true, "LISTING": true, "KEY_ATTENTION": true}

func ids(edges any) []string {
	var out []string
	for _, e := range edges.([]any) {
		out = append(out, apptest.Get(e, "node", "id").(string))
	}
	return out
}

// Listing 100 entities with their newest records costs at most one
// statement per department per level: the registry's list, then one batched
// statement per department for everyone's records.
func TestListingCostsOneStatementPerDepartmentPerLevel(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 400})
	const q = `{ entities(first: 100) { edges { node { uscc name
	  records(first: 5) { edges { node { id kind decisionDate } } } } } } }`
	dept := apptest.Department(t)
	r := h.Do(t, q, nil, dept)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	if n := len(apptest.Get(r.Data, "entities", "edges").([]any)); n != 100 {
		t.Fatalf("%d entities listed", n)
	}
	st := r.Statements()
	want := map[string]int{"market": 2, "environment": 1, "fire": 1, "housing": 1, "court": 1}
	for db, n := range want {
		if st[db] != n {
			t.Errorf("%s: %d statements, want %d (all: %v)", db, st[db], n, st)
		}
	}
	total := 0
	for _, n := range st {
		total += n
	}
	if total > 6 {
		t.Errorf("%d statements in all, want at most 6: %v", total, st)
	}
	// Asking which departments answered costs nothing more when the records
	// were fetched: their fan-out is the answer.
	r = h.Do(t, `{ entities(first: 100) { edges { node { records(first: 5) { edges { node { id } } } sources { department { code } ok } } } } }`, nil, dept)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	for db, n := range want {
		if r.Statements()[db] != n {
			t.Errorf("records and sources: %s: %d statements, want %d", db, r.Statements()[db], n)
		}
	}
	// Record counts are a question of their own: one statement per department.
	r = h.Do(t, `{ entities(first: 100) { edges { node { sources { department { code } ok recordCount } } } } }`, nil, dept)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	for db, n := range map[string]int{"market": 2, "environment": 1, "fire": 1, "housing": 1, "court": 1} {
		if r.Statements()[db] != n {
			t.Errorf("sources: %s: %d statements, want %d", db, r.Statements()[db], n)
		}
	}
	// A supervisor's page of grades: every department's records in one
	// batch each, and the fulfilled commitments in one hub statement.
	r = h.Do(t, `{ entities(first: 100) { edges { node { uscc rating { grade points } } } } }`, nil, dept)
	if len(r.Errors) > 0 || apptest.Get(r.Data, "entities", "edges", 99, "node", "rating", "grade") == nil {
		t.Fatalf("errors: %.500s", r.Body)
	}
	for db, n := range want {
		if r.Statements()[db] != n {
			t.Errorf("ratings: %s: %d statements, want %d (all: %v)", db, r.Statements()[db], n, r.Statements())
		}
	}
	if r.Statements()["hub"] > 2 {
		t.Errorf("ratings: %d hub statements, want at most 2 (all: %v)", r.Statements()["hub"], r.Statements())
	}
}

// A malformed code is refused naming the rule; a legacy pilot code the
// registry holds is found; an unknown well-formed code is null.
func TestEntityLookupValidatesCodes(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	legacy := h.World.Entities[2]
	if !legacy.LegacyUSCC || ident.ValidateUSCC(legacy.USCC) == nil {
		t.Fatalf("world changed: entity 2 should hold a legacy pilot code")
	}
	const q = `query($uscc: ID!) { entity(uscc: $uscc) { uscc name legacyCode } }`
	tests := []struct {
		name, uscc, rule string
	}{
		{"too short", "91110000600037341", "length"},
		{"letter O", "9111000060003734O1", "alphabet"},
		{"lower case", "91310115ma1k3btp2b", "alphabet"},
		{"wrong check character", "91110000600037341N", "check_character"},
		{"hostile", "<script>alert(1)</script>", "length"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.Do(t, q, map[string]any{"uscc": tc.uscc}, nil)
			if len(r.Errors) != 1 {
				t.Fatalf("want one error, got %s", r.Body)
			}
			e := r.Errors[0]
			if e.Code() != "BAD_USER_INPUT" || e.Extensions["field"] != "uscc" || e.Extensions["rule"] != tc.rule {
				t.Errorf("error = %+v, want BAD_USER_INPUT on uscc, rule %s", e, tc.rule)
			}
			if strings.Contains(string(r.Body), "<script>") {
				t.Errorf("the hostile input is echoed back: %s", r.Body)
			}
			if apptest.Get(r.Data, "entity") != nil {
				t.Errorf("entity = %v, want null", apptest.Get(r.Data, "entity"))
			}
		})
	}
	t.Run("legacy pilot code held by the registry", func(t *testing.T) {
		data := h.Query(t, q, map[string]any{"uscc": legacy.USCC})
		if apptest.Get(data, "entity", "name") != legacy.Name || apptest.Get(data, "entity", "legacyCode") != true {
			t.Fatalf("entity = %v", apptest.Get(data, "entity"))
		}
	})
	t.Run("unknown but valid code", func(t *testing.T) {
		for _, sample := range []string{"91110000600037341L", "91620105L015101280"} {
			data := h.Query(t, q, map[string]any{"uscc": sample})
			if apptest.Get(data, "entity") != nil {
				t.Fatalf("%s: entity = %v, want null", sample, apptest.Get(data, "entity"))
			}
		}
	})
}

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

// entities lists in code order with filters and cursors; node(id) resolves
// what the graph hands out.
func TestEntitiesAndNode(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	const q = `query($f: EntityFilter, $after: String) { entities(first: 50, filter: $f, after: $after) {
	  totalCount edges { cursor node { id uscc name kind division { code } status } } pageInfo { hasNextPage endCursor } } }`
	var usccs []string
	var after any
	for {
		c := apptest.Get(h.Query(t, q, map[string]any{"after": after}), "entities")
		for _, e := range apptest.Get(c, "edges").([]any) {
			usccs = append(usccs, apptest.Get(e, "node", "uscc").(string))
		}
		if apptest.Get(c, "pageInfo", "hasNextPage") != true {
			if int(apptest.Get(c, "totalCount").(float64)) != len(h.World.Entities) {
				t.Errorf("totalCount %v, want %d", apptest.Get(c, "totalCount"), len(h.World.Entities))
			}
			break
		}
		after = apptest.Get(c, "pageInfo", "endCursor")
	}
	if len(usccs) != len(h.World.Entities) || !sort.StringsAreSorted(usccs) {
		t.Fatalf("listed %d entities (sorted: %v), want %d", len(usccs), sort.StringsAreSorted(usccs), len(h.World.Entities))
	}
	var inAihui, coops int
	for _, e := range h.World.Entities {
		if e.Division == "231102" {
			inAihui++
		}
		if e.EntityType == "9310" {
			coops++
		}
	}
	c := apptest.Get(h.Query(t, q, map[string]any{"f": map[string]any{"division": "231102"}}), "entities")
	if int(apptest.Get(c, "totalCount").(float64)) != inAihui {
		t.Errorf("division filter: %v, want %d", apptest.Get(c, "totalCount"), inAihui)
	}
	c = apptest.Get(h.Query(t, q, map[string]any{"f": map[string]any{"kind": "FARMERS_COOPERATIVE"}}), "entities")
	if int(apptest.Get(c, "totalCount").(float64)) != coops {
		t.Errorf("kind filter: %v, want %d", apptest.Get(c, "totalCount"), coops)
	}
	target := h.World.Entities[5]
	word := []rune(target.Name)
	frag := string(word[len(word)-6 : len(word)-2])
	c = apptest.Get(h.Query(t, q, map[string]any{"f": map[string]any{"nameContains": frag}}), "entities")
	found := false
	for _, e := range apptest.Get(c, "edges").([]any) {
		name := apptest.Get(e, "node", "name").(string)
		if !strings.Contains(name, frag) {
			t.Errorf("nameContains %q let through %s", frag, name)
		}
		found = found || name == target.Name
	}
	if !found {
		t.Errorf("nameContains %q did not find %s", frag, target.Name)
	}
	// LIKE wildcards are matched literally.
	c = apptest.Get(h.Query(t, q, map[string]any{"f": map[string]any{"nameContains": "%_"}}), "entities")
	if n := int(apptest.Get(c, "totalCount").(float64)); n != 0 {
		t.Errorf("nameContains %%_ matched %d entities", n)
	}

	for _, tc := range []struct {
		vars  map[string]any
		field string
	}{
		{map[string]any{"f": map[string]any{"division": "110105"}}, "filter.division"},
		{map[string]any{"f": map[string]any{"nameContains": "a"}}, "filter.nameContains"},
		{map[string]any{"after": "not-a-cursor"}, "after"},
	} {
		r := h.Do(t, q, tc.vars, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tc.field {
			t.Errorf("%v: %s", tc.vars, r.Body)
		}
	}
	// Connection sizes are a query limit, refused before anything runs.
	r := h.Do(t, `{ entities(first: 101) { edges { cursor } } }`, nil, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "QUERY_TOO_COMPLEX" || r.Errors[0].Extensions["limit"] != "first" {
		t.Errorf("first: 101 was not refused: %s", r.Body)
	}

	// node(id) resolves an entity, a record and a person.
	first := h.World.Entities[0]
	data := h.Query(t, `query($u: ID!) { entity(uscc: $u) { id legalRepresentative { id name }
	  records(first: 1) { edges { node { id kind } } } } }`, map[string]any{"u": first.USCC})
	for _, path := range [][]any{{"entity", "id"}, {"entity", "legalRepresentative", "id"}, {"entity", "records", "edges", 0, "node", "id"}} {
		id := apptest.Get(data, path...).(string)
		got := h.Query(t, `query($id: ID!) { node(id: $id) { id __typename } }`, map[string]any{"id": id})
		if apptest.Get(got, "node", "id") != id {
			t.Errorf("node(%v) = %v", path, apptest.Get(got, "node"))
		}
	}
	if pid := apptest.Get(data, "entity", "legalRepresentative", "id").(string); strings.Contains(pid, first.LegalRep.IDNo[:6]) {
		t.Errorf("person id %s shows the ID number", pid)
	}
	r = h.Do(t, `{ node(id: "bm9wZQ") { id } }`, nil, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Errorf("a foreign id was not refused: %s", r.Body)
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

// takeDown makes a database refuse connections and ends its sessions, the
// way an outage looks to the hub; it is undone when the test ends.
func takeDown(t *testing.T, db string) {
	t.Helper()
	admin := openAdmin(t)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+db+` ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), `ALTER DATABASE `+db+` ALLOW_CONNECTIONS true`)
	})
}
