package resolvers_test

import (
	"fmt"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/supervision"
)

const checksOnItQuery = `query($u: ID!, $n: Int, $after: String) { entity(uscc: $u) { checksOnIt(first: $n, after: $after) {
  edges { cursor node { checkId askedBy { code } scenario checkedAt complete measuresFound } }
  pageInfo { hasNextPage endCursor } } } }`

// checksOnItAs pages through an entity's checksOnIt as a caller, one
// check a page, and returns "id org scenario measures" per check, newest
// first; every page costs one hub statement.
func checksOnItAs(t *testing.T, h *apptest.Hub, who map[string]string, uscc string) []string {
	t.Helper()
	var out []string
	var after any
	for {
		r := h.Do(t, checksOnItQuery, map[string]any{"u": uscc, "n": 1, "after": after}, who)
		if len(r.Errors) > 0 {
			t.Fatalf("checksOnIt of %s: %s", uscc, r.Body)
		}
		if got := r.Statements()["hub"]; got != 1 {
			t.Errorf("a page of checksOnIt cost %d hub statements, want 1 (%v)", got, r.Statements())
		}
		conn := apptest.Get(r.Data, "entity", "checksOnIt")
		for _, e := range apptest.Get(conn, "edges").([]any) {
			n := apptest.Get(e, "node")
			out = append(out, fmt.Sprintf("%s %s %s %v", apptest.Get(n, "checkId"), apptest.Get(n, "askedBy", "code"),
				apptest.Get(n, "scenario"), apptest.Get(n, "measuresFound")))
		}
		if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
			return out
		}
		after = apptest.Get(conn, "pageInfo", "endCursor")
	}
}

// Who checked it (issue #15): an entity signed in as itself lists the
// checks run on it, as the hub recorded them; a supervising department
// sees the same. Not parallel: the checks on the entities are this test's.
func TestChecksOnItSelfService(t *testing.T) {
	h := apptest.Shared(t, apptest.Options{})
	e, other := h.World.Entities[len(h.World.Entities)-1], h.World.Entities[len(h.World.Entities)-2]
	dept := apptest.Department(t)
	for _, sc := range []string{"BIDDING", "MARKET_ACCESS", "PUBLIC_PROCUREMENT"} {
		h.QueryAs(t, dept, checkQuery, map[string]any{"u": e.USCC, "s": sc})
	}
	h.QueryAs(t, dept, checkQuery, map[string]any{"u": other.USCC, "s": "BIDDING"})

	var rows []struct {
		ID       int64  `db:"id"`
		Org      string `db:"asked_org"`
		Scenario string `db:"scenario"`
		Measures int    `db:"measures"`
	}
	if err := h.DBs["hub"].Select(&rows, `SELECT id, asked_org, scenario, cardinality(measures) AS measures
		FROM credit_check WHERE uscc = $1 ORDER BY id DESC`, e.USCC); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range rows {
		want = append(want, fmt.Sprintf("%s %s %s %d", supervision.CheckID(r.ID), r.Org, r.Scenario, r.Measures))
	}
	if len(want) < 3 {
		t.Fatalf("%d checks recorded on %s, want at least 3", len(want), e.USCC)
	}
	// The entity itself needs no scope at all.
	self := apptest.As(t, auth.KindEntity, e.USCC, "")
	if got := checksOnItAs(t, h, self, e.USCC); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the entity's own checks:\n got %v\nwant %v", got, want)
	}
	if got := checksOnItAs(t, h, dept, e.USCC); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("a department's view of the entity's checks:\n got %v\nwant %v", got, want)
	}
}

// SECURITY: nobody but the entity itself and supervisors reads who checked
// an entity, however the entity is reached, whatever scopes the token
// carries.
func TestChecksOnItRefusals(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e, other := h.World.Entities[len(h.World.Entities)-3], h.World.Entities[len(h.World.Entities)-4]
	dept := apptest.Department(t)
	h.QueryAs(t, dept, checkQuery, map[string]any{"u": other.USCC, "s": "BIDDING"})
	otherID := apptest.Get(h.QueryAs(t, dept, `query($u: ID!) { entity(uscc: $u) { id } }`, map[string]any{"u": other.USCC}), "entity", "id")

	// refused asserts that every checksOnIt in the answer is null with a
	// FORBIDDEN error, and returns the answer's data.
	refused := func(t *testing.T, who map[string]string, name, query string, vars map[string]any, nulls ...[]any) {
		t.Helper()
		r := h.Do(t, query, vars, who)
		if len(r.Errors) == 0 {
			t.Errorf("%s: no error: %s", name, r.Body)
			return
		}
		for _, err := range r.Errors {
			if err.Code() != "FORBIDDEN" {
				t.Errorf("%s: error %s, want FORBIDDEN: %s", name, err.Code(), r.Body)
			}
		}
		for _, path := range nulls {
			if v := apptest.Get(r.Data, path...); v != nil {
				t.Errorf("%s: %v is %v, want null: %s", name, path, v, r.Body)
			}
		}
	}
	// Another entity, even one whose token carries every read scope.
	for _, scopes := range [][]string{nil, auth.ReadScopes} {
		self := apptest.As(t, auth.KindEntity, e.USCC, "", scopes...)
		refused(t, self, fmt.Sprintf("entity(uscc: other) with %v", scopes), checksOnItQuery,
			map[string]any{"u": other.USCC}, []any{"entity", "checksOnIt"})
		refused(t, self, "node(id: other)", `query($id: ID!) { node(id: $id) { ... on MarketEntity { checksOnIt { edges { node { checkId } } } } } }`,
			map[string]any{"id": otherID}, []any{"node", "checksOnIt"})
		// Aliases: its own answer, the other's refused.
		r := h.Do(t, `query($me: ID!, $u: ID!) { mine: entity(uscc: $me) { checksOnIt { edges { node { checkId } } } }
			theirs: entity(uscc: $u) { checksOnIt { edges { node { checkId } } } } }`,
			map[string]any{"me": e.USCC, "u": other.USCC}, self)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "theirs", "checksOnIt") != nil ||
			apptest.Get(r.Data, "mine", "checksOnIt") == nil {
			t.Errorf("aliases: %s", r.Body)
		}
		refused(t, self, "entities list", `{ entities(first: 5) { edges { node { uscc checksOnIt { edges { node { checkId } } } } } } }`, nil)
	}
	// An agency, even with every read scope, runs no checks and sees none;
	// nor does the public.
	agency := apptest.As(t, auth.KindAgency, "AG-1", "", auth.ReadScopes...)
	refused(t, agency, "agency", checksOnItQuery, map[string]any{"u": other.USCC}, []any{"entity", "checksOnIt"})
	refused(t, nil, "public", checksOnItQuery, map[string]any{"u": other.USCC}, []any{"entity", "checksOnIt"})
}
