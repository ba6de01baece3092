package resolvers_test

import (
	"sort"
	"strings"
	"testing"

	"credithub/internal/app/apptest"
	"credithub/internal/ident"
)

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
