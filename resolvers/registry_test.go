package resolvers_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"credithub/dev/world"
	"credithub/internal/app/apptest"
	"credithub/internal/ident"
)

// Listing 100 entities with their newest records costs at most one
// statement per department per level: the registry's list, then one batched
// statement per department for everyone's records, and one on the hub's
// database for the records it holds itself.
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
	want := map[string]int{"market": 2, "environment": 1, "fire": 1, "housing": 1, "court": 1, "hub": 1}
	for db, n := range want {
		if st[db] != n {
			t.Errorf("%s: %d statements, want %d (all: %v)", db, st[db], n, st)
		}
	}
	total := 0
	for _, n := range st {
		total += n
	}
	if total > 7 {
		t.Errorf("%d statements in all, want at most 7: %v", total, st)
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
	// Record counts are a question of their own: one statement per
	// department, the hub's database among them.
	r = h.Do(t, `{ entities(first: 100) { edges { node { sources { department { code } ok recordCount } } } } }`, nil, dept)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	for db, n := range map[string]int{"market": 2, "environment": 1, "fire": 1, "housing": 1, "court": 1, "hub": 1} {
		if r.Statements()[db] != n {
			t.Errorf("sources: %s: %d statements, want %d", db, r.Statements()[db], n)
		}
	}
	// A supervisor's page of grades: every department's records in one
	// batch each (the hub's own among them), and the fulfilled commitments
	// in one hub statement.
	r = h.Do(t, `{ entities(first: 100) { edges { node { uscc rating { grade points } } } } }`, nil, dept)
	if len(r.Errors) > 0 || apptest.Get(r.Data, "entities", "edges", 99, "node", "rating", "grade") == nil {
		t.Fatalf("errors: %.500s", r.Body)
	}
	for db, n := range want {
		if db != "hub" && r.Statements()[db] != n {
			t.Errorf("ratings: %s: %d statements, want %d (all: %v)", db, r.Statements()[db], n, r.Statements())
		}
	}
	if r.Statements()["hub"] != 2 {
		t.Errorf("ratings: %d hub statements, want 2, its records and the fulfilled commitments (all: %v)", r.Statements()["hub"], r.Statements())
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

// entityByKey finds an entity by any of its keys and says which matched;
// a malformed key of each kind is refused naming the rule, unless it fails
// only its check and the registry holds it as it stands; a well-formed key
// the registry does not hold is null.
func TestEntityByKey(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	taken := map[string]bool{}
	var old, generated *world.Entity
	for _, e := range h.World.Entities {
		taken[e.USCC], taken[e.OrgCode], taken[e.RegNo] = true, true, true
		if old == nil && e.RegNo != "" && !e.LegacyUSCC && ident.ValidateOrgCode(e.OrgCode) == nil {
			old = e
		}
		if generated == nil && ident.ValidateOrgCode(e.OrgCode) != nil && !e.LegacyUSCC {
			generated = e
		}
	}
	legacy := h.World.Entities[2]
	if old == nil || generated == nil || !legacy.LegacyUSCC {
		t.Fatal("world changed: no entity with a registration number and a GB 11714 organisation code, none with a generated organisation part, or entity 2 holds no pilot code")
	}
	const q = `query($k: ID!) { entityByKey(key: $k) { matchedBy entity { uscc name organizationCode registrationNumber legacyCode } } }`
	for _, tc := range []struct {
		name, key, kind string
		e               *world.Entity
	}{
		{"code", old.USCC, "USCC", old},
		{"organisation code", old.OrgCode, "ORGANISATION_CODE", old},
		{"organisation code as printed", old.OrgCode[:8] + "-" + old.OrgCode[8:], "ORGANISATION_CODE", old},
		{"registration number", old.RegNo, "REGISTRATION_NUMBER", old},
		{"pilot code held by the registry", legacy.USCC, "USCC", legacy},
		{"generated organisation part held by the registry", generated.OrgCode, "ORGANISATION_CODE", generated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := h.Query(t, q, map[string]any{"k": tc.key})
			m := apptest.Get(data, "entityByKey")
			if apptest.Get(m, "matchedBy") != tc.kind || apptest.Get(m, "entity", "uscc") != tc.e.USCC ||
				apptest.Get(m, "entity", "name") != tc.e.Name || apptest.Get(m, "entity", "organizationCode") != tc.e.OrgCode {
				t.Fatalf("entityByKey(%s) = %v, want %s by %s", tc.key, m, tc.e.USCC, tc.kind)
			}
			if tc.e.RegNo != "" && apptest.Get(m, "entity", "registrationNumber") != tc.e.RegNo {
				t.Errorf("registrationNumber = %v, want %s", apptest.Get(m, "entity", "registrationNumber"), tc.e.RegNo)
			}
			if apptest.Get(m, "entity", "legacyCode") != tc.e.LegacyUSCC {
				t.Errorf("legacyCode = %v, want %v", apptest.Get(m, "entity", "legacyCode"), tc.e.LegacyUSCC)
			}
		})
	}

	// Keys one check character away from the seeded ones, which the
	// registry does not hold.
	otherCheck := func(key, alphabet string) string {
		for _, c := range alphabet {
			if k := key[:len(key)-1] + string(c); k != key && !taken[k] {
				return k
			}
		}
		t.Fatalf("no free check character for %s", key)
		return ""
	}
	orgBody := old.OrgCode[:8]
	for _, tc := range []struct {
		name, key, rule string
	}{
		{"code: too short", old.USCC[:17], "length"},
		{"code: letter O", old.USCC[:10] + "O" + old.USCC[11:], "alphabet"},
		{"code: lower case", strings.ToLower(old.USCC[:17]) + "a", "alphabet"},
		{"code: wrong check character", otherCheck(old.USCC, "0123456789ABCDEFGHJKLMNPQRTUWXY"), "check_character"},
		{"organisation code: underscore", orgBody[:4] + "_" + orgBody[5:] + "1", "alphabet"},
		{"organisation code: lower case", "d" + orgBody[1:] + "1", "alphabet"},
		{"organisation code: wrong check character", otherCheck(old.OrgCode, "0123456789X"), "check_character"},
		{"organisation code: letter check character not held", orgBody + "Y", "alphabet"},
		{"organisation code: hyphen misplaced", orgBody[:7] + "-" + orgBody[7:] + "1", "length"},
		{"registration number: letter", old.RegNo[:6] + "A" + old.RegNo[7:], "alphabet"},
		{"registration number: wrong check digit", otherCheck(old.RegNo, "0123456789"), "check_character"},
		{"no kind's length", "1234567890", "length"},
		{"spaces", " " + old.USCC, "length"},
		{"hostile", "<script>alert(1)</script>", "length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.Do(t, q, map[string]any{"k": tc.key}, nil)
			if len(r.Errors) != 1 {
				t.Fatalf("want one error, got %s", r.Body)
			}
			e := r.Errors[0]
			if e.Code() != "BAD_USER_INPUT" || e.Extensions["field"] != "key" || e.Extensions["rule"] != tc.rule {
				t.Errorf("%s: error = %+v, want BAD_USER_INPUT on key, rule %s", tc.key, e, tc.rule)
			}
			if strings.Contains(string(r.Body), "<script>") {
				t.Errorf("the hostile input is echoed back: %s", r.Body)
			}
			if apptest.Get(r.Data, "entityByKey") != nil {
				t.Errorf("entityByKey = %v, want null", apptest.Get(r.Data, "entityByKey"))
			}
		})
	}

	// Hostile text is refused by the one check of every argument, before
	// the key is read.
	t.Run("NUL", func(t *testing.T) {
		r := h.Do(t, q, map[string]any{"k": old.USCC[:9] + "\x00" + old.USCC[10:]}, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "key" || r.Errors[0].Extensions["rule"] != "nul" {
			t.Errorf("a NUL in the key: %s", r.Body)
		}
	})

	t.Run("unknown but well-formed keys", func(t *testing.T) {
		orgCheck, _ := ident.OrgCodeCheckChar("D2143569")
		regCheck, _ := ident.RegistrationNumberCheckDigit("23110200000000")
		for _, k := range []string{"91110000600037341L", "D2143569" + string(orgCheck), "23110200000000" + string(regCheck)} {
			if taken[k] {
				t.Fatalf("world changed: %s is seeded", k)
			}
			data := h.Query(t, q, map[string]any{"k": k})
			if apptest.Get(data, "entityByKey") != nil {
				t.Errorf("%s: entityByKey = %v, want null", k, apptest.Get(data, "entityByKey"))
			}
		}
	})

	t.Run("aliases cost one registry statement", func(t *testing.T) {
		var doc strings.Builder
		var want []*world.Entity
		doc.WriteString("{")
		alias := 0
		add := func(key string, e *world.Entity) {
			fmt.Fprintf(&doc, " k%d: entityByKey(key: %q) { matchedBy entity { uscc name } }", alias, key)
			want = append(want, e)
			alias++
		}
		for _, e := range h.World.Entities[10:25] {
			switch {
			case e.RegNo != "" && alias%3 == 0:
				add(e.RegNo, e)
			case alias%3 == 1:
				add(e.OrgCode, e)
			default:
				add(e.USCC, e)
			}
		}
		add(legacy.USCC, legacy)
		add("91110000600037341L", nil)
		doc.WriteString(" }")
		r := h.Do(t, doc.String(), nil, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %s", r.Body)
		}
		for i, e := range want {
			got := apptest.Get(r.Data, fmt.Sprintf("k%d", i), "entity", "uscc")
			if e == nil && apptest.Get(r.Data, fmt.Sprintf("k%d", i)) != nil || e != nil && got != e.USCC {
				t.Errorf("k%d = %v, want %v", i, apptest.Get(r.Data, fmt.Sprintf("k%d", i)), e)
			}
		}
		if n := r.Statements()["market"]; n != 1 {
			t.Errorf("%d registry statements for %d aliases, want 1 (all: %v)", n, alias, r.Statements())
		}
	})
}

// With the registry down, entityByKey cannot tell which entity a key names:
// null, with SOURCE_UNAVAILABLE naming the market regulator.
func TestEntityByKeyWithTheRegistryDown(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{}).Variant(t, map[string]string{
		"CREDITHUB_MARKET_DSN": "postgres://postgres@127.0.0.1:1/dept_market?sslmode=disable",
	})
	e := h.World.Entities[0]
	for _, key := range []string{e.USCC, e.OrgCode, h.World.Entities[2].USCC} {
		r := h.Do(t, `query($k: ID!) { entityByKey(key: $k) { matchedBy entity { uscc } } }`, map[string]any{"k": key}, nil)
		if apptest.Get(r.Data, "entityByKey") != nil || len(r.Errors) != 1 || r.Errors[0].Code() != "SOURCE_UNAVAILABLE" ||
			r.Errors[0].Extensions["source"] != "market" || fmt.Sprint(r.Errors[0].Path) != "[entityByKey]" {
			t.Errorf("%s with the registry down: %s", key, r.Body)
		}
	}
}

// A page of entities reads its principal persons by the rows' ids, an
// entity asked by code by its code while its row is read (the loaders
// choose, TestMembersAreReadByIDWhereTheRowIsKnown): on either path each
// entity's legal representative and responsible persons are its own, in
// role order, and cost one statement on the registry beside the entity's.
func TestPrincipalPersonsOnEveryPath(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	byUSCC := map[string]*world.Entity{}
	for _, e := range h.World.Entities {
		byUSCC[e.USCC] = e
	}
	const persons = `uscc legalRepresentative { name } responsiblePersons { role person { name } }`
	check := func(t *testing.T, node any) {
		t.Helper()
		e := byUSCC[apptest.Get(node, "uscc").(string)]
		if got := apptest.Get(node, "legalRepresentative", "name"); got != e.LegalRep.Name {
			t.Errorf("%s: legal representative %v, want %s", e.USCC, got, e.LegalRep.Name)
		}
		var got, want []string
		for _, rp := range apptest.Get(node, "responsiblePersons").([]any) {
			got = append(got, fmt.Sprint(apptest.Get(rp, "role"), " ", apptest.Get(rp, "person", "name")))
		}
		for i, p := range []*world.Person{e.LegalRep, e.Principal, e.Controller} {
			if p != nil {
				want = append(want, []string{"LEGAL_REPRESENTATIVE", "PRINCIPAL", "ACTUAL_CONTROLLER"}[i]+" "+p.Name)
			}
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("%s: responsible persons %v, want %v", e.USCC, got, want)
		}
	}
	t.Run("a page", func(t *testing.T) {
		r := h.Do(t, `{ entities(first: 100) { edges { node { `+persons+` } } } }`, nil, apptest.Department(t))
		edges, _ := apptest.Get(r.Data, "entities", "edges").([]any)
		if len(r.Errors) > 0 || len(edges) != 100 {
			t.Fatalf("%d entities: %s", len(edges), r.Body)
		}
		for _, edge := range edges {
			check(t, apptest.Get(edge, "node"))
		}
		if n := r.Statements()["market"]; n != 2 {
			t.Errorf("%d registry statements, want 2 (the page, its members): %v", n, r.Statements())
		}
	})
	for name, q := range map[string]string{
		"entity by code": `query($u: ID!) { entity(uscc: $u) { ` + persons + ` } }`,
		"entityByKey":    `query($u: ID!) { entityByKey(key: $u) { entity { ` + persons + ` } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			for _, e := range h.World.Entities[:5] {
				r := h.Do(t, q, map[string]any{"u": e.USCC}, apptest.Department(t))
				node := apptest.Get(r.Data, "entity")
				if node == nil {
					node = apptest.Get(r.Data, "entityByKey", "entity")
				}
				if len(r.Errors) > 0 || node == nil {
					t.Fatalf("%s", r.Body)
				}
				check(t, node)
				if n := r.Statements()["market"]; n != 2 {
					t.Errorf("%d registry statements, want 2 (the entity, its members): %v", n, r.Statements())
				}
			}
		})
	}
}
