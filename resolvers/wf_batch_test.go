package resolvers_test

import (
	"encoding/json"
	"testing"

	"credithub/internal/app/apptest"
)

// A dashboard's page of entities with their workflows costs one statement
// of the hub's database per list, not one per entity, and each entity's
// lists are what the root queries filtered by that entity answer.
func TestEntityWorkflowListsAreBatched(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 400})
	dept := apptest.Department(t)
	const page = `{ entities(first: 100) { edges { node { uscc
	  commitments(first: 3) { edges { node { id state history { action to } } } pageInfo { hasNextPage } }
	  listings { id state listType interviews { id } cases { id pushes { id state } } }
	  active: listings(activeOnly: true) { id }
	  objections { id state history { action to } }
	  repairs { id state history { action to } } } } } }`
	r := h.Do(t, page, nil, dept)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	// commitments, listings (both aliases), their interviews, their cases,
	// the cases' pushes, objections, repairs, and the history of the
	// commitments, objections and repairs
	if n := r.Statements()["hub"]; n != 10 {
		t.Errorf("%d statements on the hub's database, want 10 (one per list): %v", n, r.Statements())
	}

	// Every entity of the page with a workflow, against the root queries.
	const alone = `query($u: ID!) {
	  commitments(filter: {uscc: $u}, first: 3) { edges { node { id state history { action to } } } pageInfo { hasNextPage } }
	  listEntries(filter: {uscc: $u}, first: 100) { edges { node { id state listType interviews { id } cases { id pushes { id state } } } } }
	  active: listEntries(filter: {uscc: $u, state: LISTED}, first: 100) { edges { node { id } } }
	  objections(filter: {uscc: $u}, first: 100) { edges { node { id state history { action to } } } }
	  repairs(filter: {uscc: $u}, first: 100) { edges { node { id state history { action to } } } } }`
	nodes := func(v any) []any {
		out := []any{}
		for _, e := range v.([]any) {
			out = append(out, e.(map[string]any)["node"])
		}
		return out
	}
	same := func(a, b any) bool {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return string(x) == string(y)
	}
	checked := 0
	for _, e := range apptest.Get(r.Data, "entities", "edges").([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		if len(n["listings"].([]any))+len(n["objections"].([]any))+len(n["repairs"].([]any))+len(apptest.Get(n, "commitments", "edges").([]any)) == 0 {
			continue
		}
		checked++
		u := n["uscc"].(string)
		a := h.Do(t, alone, map[string]any{"u": u}, dept)
		if len(a.Errors) > 0 {
			t.Fatalf("errors: %s", a.Body)
		}
		for _, c := range []struct {
			name        string
			batch, root any
		}{
			{"commitments", n["commitments"], apptest.Get(a.Data, "commitments")},
			{"listings", n["listings"], nodes(apptest.Get(a.Data, "listEntries", "edges"))},
			{"active listings", n["active"], nodes(apptest.Get(a.Data, "active", "edges"))},
			{"objections", n["objections"], nodes(apptest.Get(a.Data, "objections", "edges"))},
			{"repairs", n["repairs"], nodes(apptest.Get(a.Data, "repairs", "edges"))},
		} {
			if !same(c.batch, c.root) {
				t.Errorf("%s of %s: the page says %v, the root query %v", c.name, u, c.batch, c.root)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d entities of the page have workflows; the seed should give more", checked)
	}
	t.Logf("%d entities compared", checked)
}

// A page of list entries with their interviews, cases, the cases' pushes
// and everyone's history costs one hub statement per list, and each entry
// reads the same as when it is asked for alone.
func TestListEntryListsAreBatched(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 400})
	dept := apptest.Department(t)
	const fields = `id state interviews { id type heldOn } history { action to actorOrg }
	  cases { id state history { action to } pushes { id state department { code } } }`
	r := h.Do(t, `{ listEntries(first: 50) { edges { node { `+fields+` } } } }`, nil, dept)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	// the page, interviews, the listings' history, cases, their history,
	// their pushes
	if n := r.Statements()["hub"]; n != 6 {
		t.Errorf("%d statements on the hub's database, want 6: %v", n, r.Statements())
	}
	withCases, compared := 0, 0
	for _, e := range apptest.Get(r.Data, "listEntries", "edges").([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		if len(n["cases"].([]any)) > 0 {
			withCases++
		}
		if len(n["interviews"].([]any))+len(n["cases"].([]any)) == 0 && compared >= 5 {
			continue
		}
		compared++
		a := h.Do(t, `query($id: ID!) { node(id: $id) { ... on ListEntry { `+fields+` } } }`, map[string]any{"id": n["id"]}, dept)
		if len(a.Errors) > 0 {
			t.Fatalf("errors: %s", a.Body)
		}
		x, _ := json.Marshal(n)
		y, _ := json.Marshal(apptest.Get(a.Data, "node"))
		if string(x) != string(y) {
			t.Errorf("list entry %s: in the page %s, alone %s", n["id"], x, y)
		}
	}
	if withCases == 0 {
		t.Fatal("no entry of the page has a case; the seed should give some")
	}
	t.Logf("%d entries compared, %d with cases", compared, withCases)
}

// The workflows' own connections, as a dashboard pages through them, with
// each object's history (and a case's pushes): one statement per list.
func TestWorkflowConnectionsAreBatched(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 400})
	r := h.Do(t, `{
	  commitments(first: 50) { edges { node { id history { action } } } }
	  objections(first: 50) { edges { node { id history { action } } } }
	  repairs(first: 50) { edges { node { id history { action } } } }
	  jointCases(first: 50) { edges { node { id history { action } pushes { id } } } } }`, nil, apptest.Department(t))
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	for _, list := range []string{"commitments", "objections", "repairs", "jointCases"} {
		if n := len(apptest.Get(r.Data, list, "edges").([]any)); n < 5 {
			t.Fatalf("%s: %d in the seed's first page; too few to tell", list, n)
		}
	}
	// four pages, four histories, the pushes
	if n := r.Statements()["hub"]; n != 9 {
		t.Errorf("%d statements on the hub's database, want 9: %v", n, r.Statements())
	}
}
