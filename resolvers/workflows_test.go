package resolvers_test

// End-to-end tests of the workflows (internal/workflow), over HTTP against
// hubs with their own databases, as departmental apps run them: the
// helpers the workflow tests share, the catalogues the workflows keep, and
// the batching of the workflows' lists.

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"credithub/auth"
	"credithub/dev/world"
	"credithub/internal/app/apptest"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/workflow"
)

// wf is a hub under test with the helpers the workflow tests share.
type wfHub struct {
	*apptest.Hub
	t    *testing.T
	keys int
	mu   sync.Mutex
	// started is when the test began (what it wrote is newer).
	started time.Time
}

func startWF(t *testing.T) *wfHub {
	t.Helper()
	return &wfHub{Hub: apptest.Start(t, apptest.Options{Entities: 60}), t: t}
}

// key returns a fresh idempotency key.
func (h *wfHub) key() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.keys++
	return fmt.Sprintf("%s-%d", h.t.Name(), h.keys)
}

// dept returns the headers of a department's app with the given scopes.
func (h *wfHub) dept(org string, scopes ...string) map[string]string {
	return apptest.As(h.t, auth.KindDepartment, org, "", scopes...)
}

// ok runs a query that must succeed and returns its data.
func (h *wfHub) ok(t *testing.T, headers map[string]string, query string, vars map[string]any) map[string]any {
	t.Helper()
	return h.QueryAs(t, headers, query, vars)
}

// refused runs a mutation that must fail with code and returns the error;
// nothing of the answer may be data.
func (h *wfHub) refused(t *testing.T, code string, headers map[string]string, query string, vars map[string]any) apptest.Error {
	t.Helper()
	r := h.Do(t, query, vars, headers)
	if len(r.Errors) == 0 {
		t.Fatalf("want %s, got an answer: %s", code, r.Body)
	}
	if r.Errors[0].Code() != code {
		t.Fatalf("want %s, got %s: %s", code, r.Errors[0].Code(), r.Body)
	}
	return r.Errors[0]
}

// invalid runs a mutation that must be an INVALID_TRANSITION naming state
// and action.
func (h *wfHub) invalid(t *testing.T, state, action string, headers map[string]string, query string, vars map[string]any) {
	t.Helper()
	e := h.refused(t, "INVALID_TRANSITION", headers, query, vars)
	if e.Extensions["state"] != state || e.Extensions["action"] != action {
		t.Fatalf("INVALID_TRANSITION names state %v and action %v, want %s and %s: %s", e.Extensions["state"], e.Extensions["action"], state, action, e.Message)
	}
}

// forbidden runs a mutation that must be FORBIDDEN; scope, when not empty,
// must be the one named as missing.
func (h *wfHub) forbidden(t *testing.T, scope string, headers map[string]string, query string, vars map[string]any) {
	t.Helper()
	e := h.refused(t, "FORBIDDEN", headers, query, vars)
	if scope != "" && fmt.Sprint(e.Extensions["requiredScopes"]) != "["+scope+"]" {
		t.Fatalf("FORBIDDEN names %v, want [%s]: %s", e.Extensions["requiredScopes"], scope, e.Message)
	}
	if scope == "" && e.Extensions["requiredScopes"] != nil {
		t.Fatalf("FORBIDDEN for the wrong department names scopes %v: %s", e.Extensions["requiredScopes"], e.Message)
	}
}

// count counts rows of the hub's database.
func (h *wfHub) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := h.DBs["hub"].GetContext(context.Background(), &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// exec changes the hub's database behind the graph's back (to let time pass).
func (h *wfHub) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := h.DBs["hub"].ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// history returns a workflow object's history as "action from→to actor@org reason".
func (h *wfHub) history(t *testing.T, machine, id string, typ string) []string {
	t.Helper()
	n, ok := workflow.DecodeID(typ, id)
	if !ok {
		t.Fatalf("%s is not a %s id", id, typ)
	}
	byID, err := hubdb.New(h.DBs["hub"].DB).History().Of(context.Background(), machine, []int64{n})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range byID[n] {
		out = append(out, fmt.Sprintf("%s %s→%s %s@%s %s", e.Action, e.From, e.To, e.Actor, e.ActorOrg, e.Reason))
	}
	return out
}

// pair runs two decisions at once and returns their responses.
func (h *wfHub) pair(t *testing.T, a, b func() *apptest.Response) [2]*apptest.Response {
	t.Helper()
	var out [2]*apptest.Response
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, f := range []func() *apptest.Response{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = f()
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// oneWins checks that exactly one of two concurrent decisions succeeded and
// the other was refused with CONFLICT or INVALID_TRANSITION.
func wfOneWins(t *testing.T, rs [2]*apptest.Response) {
	t.Helper()
	wins := 0
	for _, r := range rs {
		if len(r.Errors) == 0 {
			wins++
			continue
		}
		c := r.Errors[0].Code()
		if c != "CONFLICT" && c != "INVALID_TRANSITION" {
			t.Fatalf("the losing decision got %s, want CONFLICT or INVALID_TRANSITION: %s", c, r.Body)
		}
		t.Logf("the losing decision: %s", c)
	}
	if wins != 1 {
		t.Fatalf("%d of two concurrent decisions succeeded, want exactly one: %s / %s", wins, rs[0].Body, rs[1].Body)
	}
}

func wfStr(v any) string { s, _ := v.(string); return s }

// plainEntities returns entities of the world with a valid code and three
// different responsible persons, whose records departments file by code.
func wfPlainEntities(w *world.World) []*world.Entity {
	var out []*world.Entity
	for _, e := range w.Entities {
		if !e.LegacyUSCC && !e.LegacyKeys && e.LegalRep != nil && e.Principal != nil && e.Controller != nil &&
			e.LegalRep.IDNo != e.Principal.IDNo && e.LegalRep.IDNo != e.Controller.IDNo && e.Principal.IDNo != e.Controller.IDNo {
			out = append(out, e)
		}
	}
	return out
}

func wfToday() scalars.Date { return scalars.DateOf(time.Now()) }

func wfDays(n int) string { return scalars.DateOf(time.Now().AddDate(0, 0, n)).String() }

// find returns the node with the given id among a connection's edges.
func wfFind(edges any, id any) map[string]any {
	list, _ := edges.([]any)
	for _, ed := range list {
		if n, ok := apptest.Get(ed, "node").(map[string]any); ok && n["id"] == id {
			return n
		}
	}
	return nil
}

// ——— lists and interviews ———

const gqlListEntryFields = `id listType domain department { code } basis linkedRecordIds enteredOn rectifyBy rectificationOverdue
  banStart banEnd permanent state removedOn removalReason entity { uscc }
  interviews { id type heldOn department { code } notes listEntryId }
  history { action from to actor actorOrg reason }`

const (
	gqlEnterListing    = `mutation($in: EnterListingInput!, $k: String!) { enterListing(input: $in, idempotencyKey: $k) { ` + gqlListEntryFields + ` } }`
	gqlRemoveListing   = `mutation($id: ID!, $r: RemovalReason!, $k: String!) { removeListing(id: $id, reason: $r, note: "认定依据被撤销", idempotencyKey: $k) { ` + gqlListEntryFields + ` } }`
	gqlRecordInterview = `mutation($id: ID!, $on: Date!, $k: String!) { recordInterview(listEntryId: $id, type: WARNING, heldOn: $on, notes: "逾期未整改，警示约谈法定代表人", idempotencyKey: $k) {
		id type heldOn department { code } notes listEntryId } }`
	wfPurpose = "LAW_ENFORCEMENT"
)

// recordsOf returns the ids of an entity's records (as a department sees
// them), so that a listing can rest on them.
func (h *wfHub) recordsOf(t *testing.T, uscc string) []string {
	t.Helper()
	d := h.ok(t, apptest.Department(t), `query($u: ID!) { entity(uscc: $u) { records(first: 5, filter: {publicity: [PUBLIC]}) { edges { node { id } } } } }`,
		map[string]any{"u": uscc})
	var out []string
	for _, ed := range apptest.Get(d, "entity", "records", "edges").([]any) {
		out = append(out, wfStr(apptest.Get(ed, "node", "id")))
	}
	return out
}

// listable returns n entities of the world with records to rest a listing on.
func (h *wfHub) listable(t *testing.T, n int) ([]*world.Entity, [][]string) {
	t.Helper()
	var ents []*world.Entity
	var recs [][]string
	for _, e := range wfPlainEntities(h.World) {
		if r := h.recordsOf(t, e.USCC); len(r) > 0 {
			ents, recs = append(ents, e), append(recs, r)
			if len(ents) == n {
				return ents, recs
			}
		}
	}
	t.Fatalf("the world has fewer than %d entities with records and all three responsible persons", n)
	return nil, nil
}

// written counts the list entries of an entity and the hub's records of it
// and of its responsible persons.
func (h *wfHub) written(t *testing.T, e *world.Entity) (entries, records int) {
	t.Helper()
	var ids []string
	for _, p := range e.Persons() {
		ids = append(ids, p.IDNo)
	}
	return h.count(t, `SELECT count(*) FROM list_entry WHERE uscc = $1`, e.USCC),
		h.count(t, `SELECT count(*) FROM hub_record WHERE subject_uscc = $1 OR subject_id_no = ANY($2)`, e.USCC, pq.Array(ids))
}

func wfListing(listType, uscc string, records []string, extra map[string]any) map[string]any {
	in := map[string]any{"listType": listType, "uscc": uscc, "basis": "依据行政处罚决定认定", "linkedRecordIds": records}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

// The catalogues are public.
func TestWorkflowCatalogues(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	d := h.Query(t, `{ measures { code kind department { code } legalBasis listTypes } workflowRules { code workingDays source } commitmentItems { code department { code } active } }`, nil)
	rules := map[string]any{}
	for _, r := range d["workflowRules"].([]any) {
		rules[wfStr(apptest.Get(r, "code"))] = apptest.Get(r, "workingDays")
	}
	if rules["PUSH_FEEDBACK"] != float64(5) || rules["DISCLOSURE"] != float64(7) {
		t.Fatalf("workflow rules: %v", rules)
	}
	if len(d["measures"].([]any)) < 8 || len(d["commitmentItems"].([]any)) < 8 {
		t.Fatalf("catalogues: %v", d)
	}
	for _, m := range d["measures"].([]any) {
		if apptest.Get(m, "code") == "M-MKT-R1" && (apptest.Get(m, "kind") != "REWARD" || len(apptest.Get(m, "listTypes").([]any)) != 0) {
			t.Fatalf("reward measure: %v", m)
		}
	}
}

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
