package resolvers_test

import (
	"fmt"
	"strings"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
)

const entitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) { __typename
  ... on MarketEntity { uscc name records(first: 5) { edges { node { id source { code } } } } } } }`

func reps(typename, key string, values ...string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = map[string]any{"__typename": typename, key: v}
	}
	return out
}

// A router's _entities call for 50 market entities is answered in the
// representations' order with one registry statement and one statement
// per department for all their records; an unknown code is null, a
// malformed one an error at its index that spoils none of the others.
func TestFederatedEntitiesAreBatched(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 400})
	var usccs []string
	for _, e := range h.World.Entities[:50] {
		usccs = append(usccs, e.USCC)
	}
	r := h.Do(t, entitiesQuery, map[string]any{"r": reps("MarketEntity", "uscc", usccs...)}, apptest.Department(t))
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %.500s", r.Body)
	}
	got := apptest.Get(r.Data, "_entities").([]any)
	for i, e := range h.World.Entities[:50] {
		if apptest.Get(got[i], "uscc") != e.USCC || apptest.Get(got[i], "name") != e.Name {
			t.Fatalf("entity %d: %v, want %s %s", i, got[i], e.USCC, e.Name)
		}
	}
	for db, n := range map[string]int{"market": 2, "environment": 1, "fire": 1, "housing": 1, "court": 1} {
		if r.Statements()[db] != n {
			t.Errorf("%s: %d statements, want %d (all: %v)", db, r.Statements()[db], n, r.Statements())
		}
	}

	unknown := "91231100MA1B2C3D4M" // well formed, in no registry
	if strings.Contains(fmt.Sprint(usccs), unknown) {
		t.Fatal("the unknown code is in the world")
	}
	r = h.Do(t, entitiesQuery, map[string]any{"r": reps("MarketEntity", "uscc", usccs[0], "9123110", unknown, usccs[1])}, apptest.Department(t))
	got = apptest.Get(r.Data, "_entities").([]any)
	if len(got) != 4 || apptest.Get(got[0], "uscc") != usccs[0] || got[1] != nil || got[2] != nil || apptest.Get(got[3], "uscc") != usccs[1] {
		t.Fatalf("mixed batch: %.800s", r.Body)
	}
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "representations[1].uscc" ||
		fmt.Sprint(r.Errors[0].Path) != "[_entities 1]" {
		t.Fatalf("the malformed code: %+v", r.Errors)
	}
}

// SECURITY: _entities is another way into the same objects, and the same
// rules hold on it: no grade and no ID number for the public, a person's
// id of another type refused, the batch bounded.
func TestFederatedEntitiesKeepTheRules(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 400})
	e := h.World.Entities[0]
	r := h.Do(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on MarketEntity { name rating { grade }
	  legalRepresentative { id name idNumber } } } }`, map[string]any{"r": reps("MarketEntity", "uscc", e.USCC)}, nil)
	got := apptest.Get(r.Data, "_entities", 0)
	if apptest.Get(got, "name") != e.Name || apptest.Get(got, "rating") != nil {
		t.Fatalf("the public through _entities: %.800s", r.Body)
	}
	if id, _ := apptest.Get(got, "legalRepresentative", "idNumber").(string); !strings.Contains(id, "*") {
		t.Fatalf("an ID number unmasked through _entities: %.800s", r.Body)
	}
	codes := map[string]bool{}
	for _, e := range r.Errors {
		codes[e.Code()] = true
	}
	if !codes["FORBIDDEN"] || len(codes) != 1 {
		t.Fatalf("refusals: %+v", r.Errors)
	}
	// A person found by the id the entity gave, masked the same way.
	person := apptest.Get(got, "legalRepresentative", "id").(string)
	r = h.Do(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { name idNumber } } }`,
		map[string]any{"r": reps("Person", "id", person)}, nil)
	if apptest.Get(r.Data, "_entities", 0, "name") != apptest.Get(got, "legalRepresentative", "name") ||
		!strings.Contains(apptest.Get(r.Data, "_entities", 0, "idNumber").(string), "*") {
		t.Fatalf("a person through _entities: %.800s", r.Body)
	}
	// An entity's id handed over as a person's.
	entityID := apptest.Get(h.Query(t, `query($u: ID!) { entity(uscc: $u) { id } }`, map[string]any{"u": e.USCC}), "entity", "id").(string)
	r = h.Do(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { name } } }`,
		map[string]any{"r": reps("Person", "id", entityID)}, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "representations[0].id" {
		t.Fatalf("an entity's id as a person's: %.500s", r.Body)
	}
	// The batch is bounded.
	many := make([]string, 1001)
	for i := range many {
		many[i] = e.USCC
	}
	r = h.Do(t, `query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`,
		map[string]any{"r": reps("MarketEntity", "uscc", many...)}, apptest.Department(t))
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "representations" {
		t.Fatalf("1,001 representations: %.500s", r.Body)
	}
}

// Workflow objects are entities by id: a commitment another subgraph holds
// the id of is resolved with the same openness as node(id).
func TestFederatedWorkflowObjects(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 400})
	u := h.World.Entities[0].USCC
	d := h.QueryAs(t, apptest.Department(t), `query($u: ID!) { entity(uscc: $u) { commitments(first: 1) { edges { node { id state } } } } }`, map[string]any{"u": u})
	id, _ := apptest.Get(d, "entity", "commitments", "edges", 0, "node", "id").(string)
	if id == "" {
		t.Fatalf("world changed: entity 0 has no commitment: %v", d)
	}
	r := h.Do(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Commitment { id state } } }`,
		map[string]any{"r": reps("Commitment", "id", id)}, apptest.Department(t))
	if len(r.Errors) > 0 || apptest.Get(r.Data, "_entities", 0, "state") != apptest.Get(d, "entity", "commitments", "edges", 0, "node", "state") {
		t.Fatalf("a commitment through _entities: %.500s", r.Body)
	}

	// A router's batch of workflow objects of five types, mixed: answered
	// in order, one statement per type.
	page := h.QueryAs(t, apptest.Department(t), `{
	  commitments(first: 20) { edges { node { id } } }
	  listEntries(first: 20) { edges { node { id } } }
	  jointCases(first: 20) { edges { node { id } } }
	  objections(first: 20) { edges { node { id } } }
	  repairs(first: 20) { edges { node { id } } } }`, nil)
	typenames := map[string]string{"commitments": "Commitment", "listEntries": "ListEntry", "jointCases": "JointCase", "objections": "Objection", "repairs": "Repair"}
	var mixed []any
	var want []string
	for i := 0; i < 20; i++ {
		for _, list := range []string{"commitments", "listEntries", "jointCases", "objections", "repairs"} {
			if id, ok := apptest.Get(page, list, "edges", i, "node", "id").(string); ok {
				mixed = append(mixed, map[string]any{"__typename": typenames[list], "id": id})
				want = append(want, id)
			}
		}
	}
	if len(want) < 50 {
		t.Fatalf("only %d workflow objects in the seed's first pages", len(want))
	}
	r = h.Do(t, `query($r: [_Any!]!) { _entities(representations: $r) {
	  ... on Commitment { id } ... on ListEntry { id } ... on JointCase { id } ... on Objection { id } ... on Repair { id } } }`,
		map[string]any{"r": mixed}, apptest.Department(t))
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %.500s", r.Body)
	}
	for i, id := range want {
		if got := apptest.Get(r.Data, "_entities", i, "id"); got != id {
			t.Fatalf("_entities[%d] = %v, want %s", i, got, id)
		}
	}
	if n := r.Statements()["hub"]; n != 5 {
		t.Errorf("%d objects of five types cost %d statements on the hub's database, want 5", len(want), n)
	}
}

// SECURITY: _service { sdl } is the schema by another name; it is open to
// the roles introspection is.
func TestFederationServiceSDL(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 400}).Variant(t, map[string]string{"CREDITHUB_INTROSPECTION": "departments"})
	const q = `{ _service { sdl } }`
	r := h.Do(t, q, nil, apptest.Department(t))
	sdl, _ := apptest.Get(r.Data, "_service", "sdl").(string)
	if len(r.Errors) > 0 || !strings.Contains(sdl, `type MarketEntity implements Node @key(fields: "uscc")`) || !strings.Contains(sdl, "federation/v2.3") {
		t.Fatalf("a department's _service: %.300s", r.Body)
	}
	for who, hdr := range map[string]map[string]string{
		"anonymous": nil,
		"an agency": apptest.As(t, auth.KindAgency, "agency-1", "", auth.ScopeEntityRead),
	} {
		r := h.Do(t, `query Sneaky { ...F } fragment F on Query { _service { sdl } }`, nil, hdr)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "INTROSPECTION_DISABLED" || r.Data != nil {
			t.Errorf("%s read the SDL: %.300s", who, r.Body)
		}
	}
}
