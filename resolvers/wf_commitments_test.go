package resolvers_test

// End-to-end tests of the commitment, listing and joint-punishment
// workflows (workflow/commitment.go, listing.go, jointcase.go), over HTTP
// against hubs with their own databases, as departmental apps run them.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"credithub/auth"
	"credithub/dev/world"
	"credithub/internal/app/apptest"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/workday"
	"credithub/internal/workflow"
)

// wf is a hub under test with the helpers the workflow tests share.
type wfHub struct {
	*apptest.Hub
	t    *testing.T
	keys int
	mu   sync.Mutex
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

func wfRef(source, kind string, id int64) credit.Ref {
	return credit.Ref{Source: source, Kind: credit.Kind(kind), LocalID: id}
}

func wfToday() scalars.Date { return scalars.DateOf(time.Now()) }

func wfDays(n int) string { return scalars.DateOf(time.Now().AddDate(0, 0, n)).String() }

// ——— commitments ———

const gqlCommitmentFields = `id state severity department { code } content signedAt
  item { code name department { code } }
  entity { uscc }
  record { id kind ... on CommitmentBreach { severity commitmentId item falseCommitment status } }
  history { action from to actor actorOrg reason }`

const (
	gqlSign       = `mutation($in: SignCommitmentInput!, $k: String!) { signCommitment(input: $in, idempotencyKey: $k) { ` + gqlCommitmentFields + ` } }`
	gqlFulfil     = `mutation($id: ID!, $k: String!) { fulfilCommitment(id: $id, reason: "按期履行", idempotencyKey: $k) { ` + gqlCommitmentFields + ` } }`
	gqlBreach     = `mutation($id: ID!, $s: Severity!, $k: String!) { breachCommitment(id: $id, severity: $s, reason: "未按承诺期限补齐消防验收材料", idempotencyKey: $k) { ` + gqlCommitmentFields + ` } }`
	gqlFindFalse  = `mutation($id: ID!, $k: String!) { findCommitmentFalse(id: $id, reason: "承诺的经营场所不存在", idempotencyKey: $k) { ` + gqlCommitmentFields + ` } }`
	gqlUpsertItem = `mutation($in: CommitmentItemInput!, $k: String!) { upsertCommitmentItem(input: $in, idempotencyKey: $k) { code name domain department { code } legalBasis active } }`
)

func TestCommitmentWorkflow(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	ents := wfPlainEntities(h.World)
	e, other := ents[0], ents[1]
	self := apptest.As(t, auth.KindEntity, e.USCC, "")
	market := h.dept("market", auth.ScopeCommitmentWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	sign := func(t *testing.T, headers map[string]string, item, content string) map[string]any {
		t.Helper()
		d := h.ok(t, headers, gqlSign, map[string]any{"k": h.key(),
			"in": map[string]any{"itemCode": item, "uscc": e.USCC, "content": content}})
		return d["signCommitment"].(map[string]any)
	}

	t.Run("breach: the entity signs, the market regulator finds it breached, a record appears", func(t *testing.T) {
		c := sign(t, self, "MA-001", "本企业承诺提交的设立登记材料真实有效，并于三十日内补齐消防验收材料。")
		if c["state"] != "SIGNED" || apptest.Get(c, "department", "code") != "market" || apptest.Get(c, "item", "code") != "MA-001" ||
			apptest.Get(c, "entity", "uscc") != e.USCC || c["record"] != nil {
			t.Fatalf("signed commitment: %v", c)
		}
		id := wfStr(c["id"])
		d := h.ok(t, market, gqlBreach, map[string]any{"id": id, "s": "GENERAL", "k": h.key()})
		c = d["breachCommitment"].(map[string]any)
		if c["state"] != "BREACHED" || c["severity"] != "GENERAL" {
			t.Fatalf("breached commitment: %v", c)
		}
		rec := c["record"].(map[string]any)
		if rec["kind"] != "COMMITMENT_BREACH" || rec["severity"] != "GENERAL" || rec["commitmentId"] != id || rec["item"] != "MA-001" ||
			rec["falseCommitment"] != false || rec["status"] != "EFFECTIVE" {
			t.Fatalf("breach record: %v", rec)
		}
		want := []string{
			"sign →SIGNED entity:" + e.USCC + "@" + e.USCC + " ",
			"breach SIGNED→BREACHED department:market@market 未按承诺期限补齐消防验收材料",
		}
		if got := h.history(t, workflow.WorkflowCommitment, id, workflow.TypeCommitment); !slices.Equal(got, want) {
			t.Fatalf("history %q, want %q", got, want)
		}
		hist := c["history"].([]any)
		if len(hist) != 2 || apptest.Get(hist[1], "actorOrg") != "market" || apptest.Get(hist[1], "from") != "SIGNED" {
			t.Fatalf("history in the graph: %v", hist)
		}
		// The record joins the entity's records, for the public too.
		records := h.Query(t, `query($u: ID!) { entity(uscc: $u) { records(filter: {kinds: [COMMITMENT_BREACH]}) {
			edges { node { id kind source { code } severity summary ... on CommitmentBreach { commitmentId } } } } } }`,
			map[string]any{"u": e.USCC})
		node := wfFind(apptest.Get(records, "entity", "records", "edges"), rec["id"])
		if node == nil || node["kind"] != "COMMITMENT_BREACH" || node["severity"] != "GENERAL" || node["commitmentId"] != id ||
			apptest.Get(node, "source", "code") != "market" || !strings.Contains(wfStr(node["summary"]), "违背信用承诺") {
			t.Fatalf("the breach record among the entity's records: %v", records)
		}
		// Every further decision is an illegal transition naming the state.
		h.invalid(t, "BREACHED", "fulfil", market, gqlFulfil, map[string]any{"id": id, "k": h.key()})
		h.invalid(t, "BREACHED", "breach", market, gqlBreach, map[string]any{"id": id, "s": "MINOR", "k": h.key()})
		h.invalid(t, "BREACHED", "findFalse", market, gqlFindFalse, map[string]any{"id": id, "k": h.key()})
		// The entity's commitments, and node(id).
		d = h.Query(t, `query($u: ID!, $id: ID!) { entity(uscc: $u) { commitments { edges { node { id state } } } }
			node(id: $id) { ... on Commitment { id state severity } } }`, map[string]any{"u": e.USCC, "id": id})
		if apptest.Get(d, "entity", "commitments", "edges", 0, "node", "id") != id || apptest.Get(d, "node", "state") != "BREACHED" {
			t.Fatalf("commitments and node: %v", d)
		}
	})

	t.Run("found false: a serious record", func(t *testing.T) {
		c := sign(t, market, "MA-002", "承诺经营场所符合食品经营要求。")
		if c["state"] != "SIGNED" {
			t.Fatalf("signed by the department: %v", c)
		}
		d := h.ok(t, market, gqlFindFalse, map[string]any{"id": c["id"], "k": h.key()})
		c = d["findCommitmentFalse"].(map[string]any)
		rec, _ := c["record"].(map[string]any)
		if c["state"] != "FOUND_FALSE" || c["severity"] != "SERIOUS" || rec["severity"] != "SERIOUS" || rec["falseCommitment"] != true {
			t.Fatalf("false commitment: %v", c)
		}
		h.invalid(t, "FOUND_FALSE", "breach", market, gqlBreach, map[string]any{"id": c["id"], "s": "MINOR", "k": h.key()})
	})

	t.Run("fulfilled: no record", func(t *testing.T) {
		c := sign(t, self, "FP-001", "承诺生产条件未发生变化。")
		d := h.ok(t, market, gqlFulfil, map[string]any{"id": c["id"], "k": h.key()})
		c = d["fulfilCommitment"].(map[string]any)
		if c["state"] != "FULFILLED" || c["record"] != nil || c["severity"] != nil {
			t.Fatalf("fulfilled: %v", c)
		}
		h.invalid(t, "FULFILLED", "fulfil", market, gqlFulfil, map[string]any{"id": c["id"], "k": h.key()})
		h.invalid(t, "FULFILLED", "findFalse", market, gqlFindFalse, map[string]any{"id": c["id"], "k": h.key()})
	})

	t.Run("who may sign and decide", func(t *testing.T) {
		in := func(item string) map[string]any {
			return map[string]any{"k": h.key(), "in": map[string]any{"itemCode": item, "uscc": e.USCC, "content": "承诺"}}
		}
		h.forbidden(t, auth.ScopeCommitmentWrite, nil, gqlSign, in("MA-001"))
		h.forbidden(t, auth.ScopeCommitmentWrite, apptest.As(t, auth.KindEntity, other.USCC, ""), gqlSign, in("MA-001"))
		h.forbidden(t, "", h.dept("environment", auth.ScopeCommitmentWrite), gqlSign, in("MA-001"))
		h.forbidden(t, auth.ScopeCommitmentWrite, h.dept("market"), gqlSign, in("MA-001"))

		c := sign(t, self, "FS-001", "承诺消防设施完好有效。") // held by fire
		vars := map[string]any{"id": c["id"], "s": "MINOR", "k": h.key()}
		h.forbidden(t, "", market, gqlBreach, vars)                                                      // not the holding department
		h.forbidden(t, auth.ScopeCommitmentWrite, h.dept("fire", auth.ScopeEntityRead), gqlBreach, vars) // no scope
		h.forbidden(t, auth.ScopeCommitmentWrite, self, gqlBreach, vars)                                 // the entity does not judge itself
		h.forbidden(t, "", apptest.As(t, auth.KindEntity, e.USCC, "", auth.ScopeCommitmentWrite), gqlFulfil, vars)
		// An administrator may.
		h.ok(t, apptest.As(t, auth.KindAdmin, "office", "", auth.ScopeCommitmentWrite), gqlFulfil, vars)
	})

	t.Run("bad input", func(t *testing.T) {
		in := func(item, uscc, content string) map[string]any {
			return map[string]any{"k": h.key(), "in": map[string]any{"itemCode": item, "uscc": uscc, "content": content}}
		}
		for _, c := range []struct {
			name, code, field string
			vars              map[string]any
		}{
			{"unknown item", "NOT_FOUND", "input.itemCode", in("XX-999", e.USCC, "承诺")},
			{"malformed code", "BAD_USER_INPUT", "input.uscc", in("MA-001", "91110000600037341N", "承诺")},
			{"entity unknown to the registry", "NOT_FOUND", "input.uscc", in("MA-001", "91110000600037341L", "承诺")},
			{"empty content", "BAD_USER_INPUT", "input.content", in("MA-001", e.USCC, "  ")},
		} {
			if got := h.refused(t, c.code, market, gqlSign, c.vars); got.Extensions["field"] != c.field {
				t.Errorf("%s: field %v, want %s", c.name, got.Extensions["field"], c.field)
			}
		}
		if got := h.refused(t, "BAD_USER_INPUT", market, gqlFulfil, map[string]any{"id": gid.Entity(e.USCC), "k": h.key()}); got.Extensions["field"] != "id" {
			t.Errorf("an entity's id as a commitment's: %v", got)
		}
		h.refused(t, "NOT_FOUND", market, gqlFulfil, map[string]any{"id": workflow.EncodeID(workflow.TypeCommitment, 999999), "k": h.key()})
	})

	t.Run("idempotent retry", func(t *testing.T) {
		k := h.key()
		vars := map[string]any{"k": k, "in": map[string]any{"itemCode": "MA-001", "uscc": e.USCC, "content": "重试的承诺"}}
		first := h.ok(t, self, gqlSign, vars)
		again := h.ok(t, self, gqlSign, vars)
		if fmt.Sprint(first) != fmt.Sprint(again) {
			t.Fatalf("retry answered differently:\n%v\n%v", first, again)
		}
		if n := h.count(t, `SELECT count(*) FROM commitment WHERE content = '重试的承诺'`); n != 1 {
			t.Fatalf("%d commitments after a retry, want 1", n)
		}
		id := apptest.Get(first, "signCommitment", "id")
		bk := h.key()
		b1 := h.ok(t, market, gqlBreach, map[string]any{"id": id, "s": "SERIOUS", "k": bk})
		b2 := h.ok(t, market, gqlBreach, map[string]any{"id": id, "s": "SERIOUS", "k": bk})
		if apptest.Get(b1, "breachCommitment", "record", "id") != apptest.Get(b2, "breachCommitment", "record", "id") ||
			apptest.Get(b2, "breachCommitment", "state") != "BREACHED" {
			t.Fatalf("retried breach answered differently:\n%v\n%v", b1, b2)
		}
		n, _ := workflow.DecodeID(workflow.TypeCommitment, wfStr(id))
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'commitmentId' = $1`, wfStr(id)); c != 1 {
			t.Fatalf("%d breach records after a retry, want 1", c)
		}
		if c := h.count(t, `SELECT count(*) FROM workflow_history WHERE workflow = 'commitment' AND object_id = $1`, n); c != 2 {
			t.Fatalf("%d history rows after a retried breach, want 2", c)
		}
		// The same key for another operation is refused.
		h.refused(t, "BAD_USER_INPUT", market, gqlFulfil, map[string]any{"id": id, "k": bk})
	})

	t.Run("concurrent deciders: exactly one wins", func(t *testing.T) {
		for i := range 4 {
			c := sign(t, self, "MA-001", fmt.Sprintf("并发承诺 %d", i))
			id := c["id"]
			rs := h.pair(t,
				func() *apptest.Response {
					return h.Do(t, gqlBreach, map[string]any{"id": id, "s": "GENERAL", "k": h.key()}, market)
				},
				func() *apptest.Response { return h.Do(t, gqlFulfil, map[string]any{"id": id, "k": h.key()}, market) })
			wfOneWins(t, rs)
			n, _ := workflow.DecodeID(workflow.TypeCommitment, wfStr(id))
			if d := h.count(t, `SELECT count(*) FROM workflow_history WHERE workflow = 'commitment' AND object_id = $1 AND action <> 'sign'`, n); d != 1 {
				t.Fatalf("%d decision rows, want 1", d)
			}
			breached := len(rs[0].Errors) == 0
			if r := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'commitmentId' = $1`, wfStr(id)); (r == 1) != breached {
				t.Fatalf("%d breach records, breach won: %v", r, breached)
			}
		}
	})

	t.Run("the catalogue is kept by the business-environment bureau", func(t *testing.T) {
		bizenv := h.dept(workflow.ItemKeeper, auth.ScopeCommitmentWrite)
		item := map[string]any{"code": "EP-009", "name": "排污登记（告知承诺制）", "domain": "environment", "department": "environment",
			"legalBasis": "《排污许可管理条例》", "active": true}
		d := h.ok(t, bizenv, gqlUpsertItem, map[string]any{"in": item, "k": h.key()})
		if apptest.Get(d, "upsertCommitmentItem", "department", "code") != "environment" {
			t.Fatalf("upserted: %v", d)
		}
		h.forbidden(t, "", h.dept("market", auth.ScopeCommitmentWrite), gqlUpsertItem, map[string]any{"in": item, "k": h.key()})
		h.forbidden(t, auth.ScopeCommitmentWrite, h.dept(workflow.ItemKeeper), gqlUpsertItem, map[string]any{"in": item, "k": h.key()})
		bad := wfWith(item, "department", "tax")
		if e := h.refused(t, "BAD_USER_INPUT", bizenv, gqlUpsertItem, map[string]any{"in": bad, "k": h.key()}); e.Extensions["field"] != "input.department" {
			t.Fatalf("unknown department: %v", e)
		}
		// Withdrawn: no new commitments, listed only with activeOnly false.
		h.ok(t, apptest.As(t, auth.KindAdmin, "office", "", auth.ScopeCommitmentWrite), gqlUpsertItem, map[string]any{"in": wfWith(item, "active", false), "k": h.key()})
		er := h.refused(t, "BAD_USER_INPUT", self, gqlSign, map[string]any{"k": h.key(),
			"in": map[string]any{"itemCode": "EP-009", "uscc": e.USCC, "content": "承诺"}})
		if er.Extensions["field"] != "input.itemCode" {
			t.Fatalf("withdrawn item: %v", er)
		}
		codes := func(active bool) []string {
			d := h.Query(t, `query($a: Boolean) { commitmentItems(activeOnly: $a) { code } }`, map[string]any{"a": active})
			var out []string
			for _, it := range d["commitmentItems"].([]any) {
				out = append(out, wfStr(apptest.Get(it, "code")))
			}
			return out
		}
		if slices.Contains(codes(true), "EP-009") || !slices.Contains(codes(false), "EP-009") || !slices.Contains(codes(true), "MA-001") {
			t.Fatalf("catalogue: active %v, all %v", codes(true), codes(false))
		}
	})

	t.Run("commitments filter and page", func(t *testing.T) {
		q := `query($f: CommitmentFilter, $a: String) { commitments(filter: $f, first: 2, after: $a) { edges { cursor node { id state } } pageInfo { hasNextPage endCursor } } }`
		var ids []string
		var after any
		for {
			d := h.Query(t, q, map[string]any{"f": map[string]any{"uscc": e.USCC, "department": "market"}, "a": after})
			for _, ed := range apptest.Get(d, "commitments", "edges").([]any) {
				ids = append(ids, wfStr(apptest.Get(ed, "node", "id")))
			}
			if apptest.Get(d, "commitments", "pageInfo", "hasNextPage") != true {
				break
			}
			after = apptest.Get(d, "commitments", "pageInfo", "endCursor")
		}
		if want := h.count(t, `SELECT count(*) FROM commitment WHERE uscc = $1 AND department = 'market'`, e.USCC); len(ids) != want || want < 5 {
			t.Fatalf("paged %d commitments, the table has %d", len(ids), want)
		}
		for i := 1; i < len(ids); i++ {
			a, _ := workflow.DecodeID(workflow.TypeCommitment, ids[i-1])
			b, _ := workflow.DecodeID(workflow.TypeCommitment, ids[i])
			if a <= b {
				t.Fatalf("not newest first: %v", ids)
			}
		}
		d := h.Query(t, `{ commitments(filter: {state: FOUND_FALSE}, first: 100) { edges { node { id state } } } }`, nil)
		edges := apptest.Get(d, "commitments", "edges").([]any)
		for _, ed := range edges {
			if apptest.Get(ed, "node", "state") != "FOUND_FALSE" {
				t.Fatalf("filter by state: %v", edges)
			}
		}
		if len(edges) == 0 {
			t.Fatal("no found-false commitment listed")
		}
	})
}

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

// maps returns a copy of m with key set to v.
func wfWith(m map[string]any, key string, v any) map[string]any {
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	out[key] = v
	return out
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

func TestListingWorkflow(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	ents, recs := h.listable(t, 3)
	e := ents[0]
	market := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	enter := func(t *testing.T, in map[string]any) map[string]any {
		t.Helper()
		return h.ok(t, market, gqlEnterListing, map[string]any{"in": in, "k": h.key()})["enterListing"].(map[string]any)
	}

	t.Run("joint punishment: entered, overdue, interviewed, revoked", func(t *testing.T) {
		le := enter(t, wfListing("JOINT_PUNISHMENT", e.USCC, recs[0][:1], map[string]any{"rectifyBy": wfToday().String()}))
		id := wfStr(le["id"])
		if le["state"] != "LISTED" || apptest.Get(le, "department", "code") != "market" || le["enteredOn"] != wfToday().String() ||
			fmt.Sprint(le["linkedRecordIds"]) != fmt.Sprint([]any{recs[0][0]}) || le["rectificationOverdue"] != false {
			t.Fatalf("entered: %v", le)
		}
		if got := h.history(t, workflow.WorkflowListing, id, workflow.TypeListEntry); !slices.Equal(got, []string{"enter →LISTED department:market@market 依据行政处罚决定认定"}) {
			t.Fatalf("history %q", got)
		}
		// The entity's public record …
		d := h.Query(t, `query($u: ID!) { entity(uscc: $u) { records(filter: {kinds: [LISTING]}) { edges { node { id kind status ... on ListingRecord { listType listEntryId role } } } } } }`,
			map[string]any{"u": e.USCC})
		var entityRecord map[string]any
		for _, ed := range apptest.Get(d, "entity", "records", "edges").([]any) {
			if apptest.Get(ed, "node", "listEntryId") == id {
				entityRecord = apptest.Get(ed, "node").(map[string]any)
			}
		}
		if entityRecord == nil || entityRecord["listType"] != "JOINT_PUNISHMENT" || entityRecord["role"] != nil {
			t.Fatalf("no listing record among the entity's records: %v", d)
		}
		// … and the personal records of its legal representative, principal
		// and actual controller (T22), read with person:read and a purpose.
		reader := apptest.As(t, auth.KindDepartment, "market", wfPurpose, auth.ScopePersonRead)
		for _, p := range []struct {
			idNo, role string
		}{{e.LegalRep.IDNo, "LEGAL_REPRESENTATIVE"}, {e.Principal.IDNo, "PRINCIPAL"}, {e.Controller.IDNo, "ACTUAL_CONTROLLER"}} {
			d := h.ok(t, reader, `query($id: String!) { person(idNumber: $id) { records(filter: {kinds: [LISTING]}) {
				edges { node { kind publicity status ... on ListingRecord { listType listEntryId role } } } } } }`, map[string]any{"id": p.idNo})
			var found int
			for _, ed := range apptest.Get(d, "person", "records", "edges").([]any) {
				n := apptest.Get(ed, "node").(map[string]any)
				if n["listEntryId"] == id {
					found++
					if n["publicity"] != "PERSONAL" || n["listType"] != "JOINT_PUNISHMENT" || n["role"] != p.role || n["status"] != "EFFECTIVE" {
						t.Errorf("personal listing record of the %s: %v", p.role, n)
					}
				}
			}
			if found != 1 {
				t.Errorf("the %s's records hold the listing %d times, want once: %v", p.role, found, d)
			}
		}
		// SECURITY: without person:read the personal records stay closed.
		r := h.Do(t, `query($id: String!) { person(idNumber: $id) { records { edges { node { kind } } } } }`, map[string]any{"id": e.LegalRep.IDNo}, apptest.Department(t))
		if strings.Contains(string(r.Body), "LISTING") {
			t.Fatalf("a department without person:read sees the personal listing: %s", r.Body)
		}

		// No interview before the deadline passed.
		h.invalid(t, "LISTED", "interview", market, gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})
		// Time passes: the deadline was three days ago.
		n, _ := workflow.DecodeID(workflow.TypeListEntry, id)
		h.exec(t, `UPDATE list_entry SET rectify_by = $2::date WHERE id = $1`, n, wfDays(-3))
		d = h.ok(t, market, `query($u: ID!) { listEntries(filter: {uscc: $u, rectificationOverdue: true}) { edges { node { id rectificationOverdue } } } }`,
			map[string]any{"u": e.USCC})
		if node := wfFind(apptest.Get(d, "listEntries", "edges"), id); node == nil || node["rectificationOverdue"] != true {
			t.Fatalf("overdue listings: %v", d)
		}
		// 谁认定、谁约谈: only the identifying department interviews.
		h.forbidden(t, "", h.dept("environment", auth.ScopeListWrite), gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})
		h.forbidden(t, auth.ScopeListWrite, h.dept("market", auth.ScopeEntityRead), gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlRecordInterview, map[string]any{"id": id, "on": wfDays(1), "k": h.key()}); e.Extensions["field"] != "heldOn" {
			t.Fatalf("an interview tomorrow: %v", e)
		}
		iv := h.ok(t, market, gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})["recordInterview"].(map[string]any)
		if iv["type"] != "WARNING" || iv["listEntryId"] != id || apptest.Get(iv, "department", "code") != "market" {
			t.Fatalf("interview: %v", iv)
		}
		d = h.ok(t, market, `query($id: ID!, $u: ID!) { node(id: $id) { ... on ListEntry { interviews { id type } history { action } } }
			entity(uscc: $u) { records(filter: {kinds: [INTERVIEW]}) { edges { node { kind ... on CreditInterview { interviewType listEntryId } } } } } }`,
			map[string]any{"id": id, "u": e.USCC})
		if apptest.Get(d, "node", "interviews", 0, "id") != iv["id"] || apptest.Get(d, "node", "history", 1, "action") != "interview" {
			t.Fatalf("the listing's interviews: %v", d)
		}
		if !slices.ContainsFunc(apptest.Get(d, "entity", "records", "edges").([]any), func(ed any) bool {
			return apptest.Get(ed, "node", "listEntryId") == id && apptest.Get(ed, "node", "interviewType") == "WARNING"
		}) {
			t.Fatalf("the interview did not join the entity's records: %v", d)
		}

		// Only the identifying department removes the listing.
		h.forbidden(t, "", h.dept("environment", auth.ScopeListWrite), gqlRemoveListing, map[string]any{"id": id, "r": "REVOKED", "k": h.key()})
		h.forbidden(t, auth.ScopeListWrite, h.dept("market"), gqlRemoveListing, map[string]any{"id": id, "r": "REVOKED", "k": h.key()})
		le = h.ok(t, market, gqlRemoveListing, map[string]any{"id": id, "r": "REVOKED", "k": h.key()})["removeListing"].(map[string]any)
		if le["state"] != "REMOVED" || le["removalReason"] != "REVOKED" || le["removedOn"] != wfToday().String() {
			t.Fatalf("removed: %v", le)
		}
		want := []string{
			"enter →LISTED department:market@market 依据行政处罚决定认定",
			"interview LISTED→LISTED department:market@market WARNING " + wfToday().String(),
			"remove LISTED→REMOVED department:market@market REVOKED: 认定依据被撤销",
		}
		if got := h.history(t, workflow.WorkflowListing, id, workflow.TypeListEntry); !slices.Equal(got, want) {
			t.Fatalf("history %q, want %q", got, want)
		}
		// The listing's records are revoked: a department sees them so, the
		// public no longer sees them; the interview stays.
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1 AND kind = 'LISTING' AND status = 'REVOKED'`, id); c != 4 {
			t.Fatalf("%d revoked listing records, want 4 (the entity and three persons)", c)
		}
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1 AND kind = 'INTERVIEW' AND status = 'EFFECTIVE'`, id); c != 1 {
			t.Fatalf("%d effective interview records, want 1", c)
		}
		q := `query($u: ID!) { entity(uscc: $u) { records(filter: {kinds: [LISTING]}) { edges { node { status ... on ListingRecord { listEntryId } } } } } }`
		pub := h.Query(t, q, map[string]any{"u": e.USCC})
		for _, ed := range apptest.Get(pub, "entity", "records", "edges").([]any) {
			if apptest.Get(ed, "node", "listEntryId") == id {
				t.Fatalf("the public still sees the revoked listing: %v", pub)
			}
		}
		dep := h.ok(t, apptest.Department(t), q, map[string]any{"u": e.USCC})
		var seen bool
		for _, ed := range apptest.Get(dep, "entity", "records", "edges").([]any) {
			if apptest.Get(ed, "node", "listEntryId") == id {
				seen = apptest.Get(ed, "node", "status") == "REVOKED"
			}
		}
		if !seen {
			t.Fatalf("a department does not see the revoked listing as REVOKED: %v", dep)
		}
		// Illegal transitions of a removed listing.
		h.invalid(t, "REMOVED", "remove", market, gqlRemoveListing, map[string]any{"id": id, "r": "EXPIRED", "k": h.key()})
		h.invalid(t, "REMOVED", "interview", market, gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})
	})

	t.Run("key attention is shared, not public", func(t *testing.T) {
		ka := ents[1]
		vars := func(domain any) map[string]any {
			return map[string]any{"k": h.key(), "in": wfListing("KEY_ATTENTION", ka.USCC, recs[1][:1], map[string]any{"domain": domain})}
		}
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, vars(nil)); e.Extensions["field"] != "input.domain" {
			t.Fatalf("no domain: %v", e)
		}
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, vars("gambling")); e.Extensions["field"] != "input.domain" {
			t.Fatalf("unknown domain: %v", e)
		}
		le := h.ok(t, market, gqlEnterListing, vars("food and drugs"))["enterListing"].(map[string]any)
		id := le["id"]
		if le["domain"] != "food and drugs" || le["listType"] != "KEY_ATTENTION" {
			t.Fatalf("key attention: %v", le)
		}
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1 AND kind = 'KEY_ATTENTION' AND subject_uscc = $2 AND detail->>'domain' = 'food and drugs'`, id, ka.USCC); c != 1 {
			t.Fatalf("%d key-attention records, want 1", c)
		}
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1 AND subject_id_no <> ''`, id); c != 0 {
			t.Fatalf("a key-attention listing wrote %d personal records", c)
		}
		q := `query($u: ID!) { listEntries(filter: {uscc: $u}) { edges { node { id } } } entity(uscc: $u) { listings { id } } }`
		ids := func(headers map[string]string) string {
			d := h.ok(t, headers, q, map[string]any{"u": ka.USCC})
			listed := slices.ContainsFunc(apptest.Get(d, "entity", "listings").([]any), func(l any) bool { return apptest.Get(l, "id") == id })
			return fmt.Sprint(wfFind(apptest.Get(d, "listEntries", "edges"), id) != nil, listed)
		}
		// SECURITY: the public, a department without entity:read and another
		// entity do not see it; a department with the scopes and the entity
		// itself do.
		for name, c := range map[string]struct {
			headers map[string]string
			want    string
		}{
			"public":                         {nil, "false false"},
			"department without entity:read": {h.dept("fire", auth.ScopeListWrite), "false false"},
			"another entity":                 {apptest.As(t, auth.KindEntity, e.USCC, ""), "false false"},
			"department":                     {apptest.Department(t), "true true"},
			"the entity itself":              {apptest.As(t, auth.KindEntity, ka.USCC, ""), "true true"},
		} {
			if got := ids(c.headers); got != c.want {
				t.Errorf("%s: listed %s, want %s", name, got, c.want)
			}
		}
		h.forbidden(t, auth.ScopeEntityRead, nil, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
		h.ok(t, apptest.Department(t), `query($id: ID!) { node(id: $id) { ... on ListEntry { domain } } }`, map[string]any{"id": id})
	})

	t.Run("market bans", func(t *testing.T) {
		ban := ents[2]
		in := func(extra map[string]any) map[string]any {
			return map[string]any{"k": h.key(), "in": wfListing("MARKET_BAN", ban.USCC, recs[2][:1], extra)}
		}
		start := wfToday().String()
		for name, c := range map[string]struct {
			extra map[string]any
			field string
		}{
			"no start":          {map[string]any{"banEnd": wfDays(365)}, "input.banStart"},
			"no end":            {map[string]any{"banStart": start}, "input.banEnd"},
			"end and permanent": {map[string]any{"banStart": start, "banEnd": wfDays(365), "permanent": true}, "input.banEnd"},
			"end before start":  {map[string]any{"banStart": start, "banEnd": wfDays(-1)}, "input.banEnd"},
		} {
			if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, in(c.extra)); e.Extensions["field"] != c.field {
				t.Errorf("%s: field %v, want %s", name, e.Extensions["field"], c.field)
			}
		}
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, map[string]any{"k": h.key(),
			"in": wfListing("JOINT_PUNISHMENT", ban.USCC, recs[2][:1], map[string]any{"permanent": true})}); e.Extensions["field"] != "input.banStart" {
			t.Errorf("a joint-punishment listing with a ban period: %v", e)
		}
		le := h.ok(t, market, gqlEnterListing, in(map[string]any{"banStart": start, "permanent": true, "domain": "食品生产"}))["enterListing"].(map[string]any)
		if le["permanent"] != true || le["banEnd"] != nil || le["banStart"] != start {
			t.Fatalf("permanent ban: %v", le)
		}
		le = h.ok(t, market, gqlEnterListing, in(map[string]any{"banStart": start, "banEnd": wfDays(730)}))["enterListing"].(map[string]any)
		if le["permanent"] != false || le["banEnd"] != wfDays(730) {
			t.Fatalf("ban for two years: %v", le)
		}
		// A ban is a LISTING record of the entity, but not of its persons.
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1`, le["id"]); c != 1 {
			t.Fatalf("%d records of a ban, want 1", c)
		}
	})

	t.Run("a record filed under the entity's old key", func(t *testing.T) {
		old := h.World.Entities[1] // a showcase whose departments file by old keys
		if !old.LegacyKeys {
			t.Fatalf("world changed: entity 1 should have legacy keys")
		}
		d := h.ok(t, apptest.Department(t), `query($u: ID!) { entity(uscc: $u) { records(first: 100, filter: {publicity: [PUBLIC]}) { edges { node { id legacyKey } } } } }`,
			map[string]any{"u": old.USCC})
		var legacy string
		for _, ed := range apptest.Get(d, "entity", "records", "edges").([]any) {
			if apptest.Get(ed, "node", "legacyKey") != nil {
				legacy = wfStr(apptest.Get(ed, "node", "id"))
			}
		}
		if legacy == "" {
			t.Fatalf("entity 1 has no public record filed under an old key: %v", d)
		}
		le := enter(t, wfListing("MARKET_BAN", old.USCC, []string{legacy}, map[string]any{"banStart": wfToday().String(), "permanent": true}))
		if fmt.Sprint(le["linkedRecordIds"]) != fmt.Sprint([]any{legacy}) {
			t.Fatalf("listing on a legacy-keyed record: %v", le)
		}
	})

	t.Run("who may enter", func(t *testing.T) {
		vars := map[string]any{"k": h.key(), "in": wfListing("JOINT_PUNISHMENT", e.USCC, recs[0][:1], nil)}
		h.forbidden(t, auth.ScopeListWrite, nil, gqlEnterListing, vars)
		h.forbidden(t, auth.ScopeListWrite, h.dept("market", auth.ScopeEntityRead), gqlEnterListing, vars)
		h.forbidden(t, "", apptest.As(t, auth.KindAgency, "agency-1", "", auth.ScopeListWrite), gqlEnterListing, vars)
		h.forbidden(t, "", apptest.As(t, auth.KindEntity, e.USCC, "", auth.ScopeListWrite), gqlEnterListing, vars)
	})

	t.Run("nothing half-written after an error", func(t *testing.T) {
		entries, records := h.written(t, e)
		history := h.count(t, `SELECT count(*) FROM workflow_history WHERE workflow = 'listing'`)
		for name, linked := range map[string][]string{
			"a commitment's id":            {workflow.EncodeID(workflow.TypeCommitment, 1)},
			"a record that does not exist": {gid.Record(wfRef("market", "PENALTY", 99999999))},
			"another entity's record":      {recs[1][0]},
			"a good record then a bad one": {recs[0][0], "not-an-id"},
			"the same record twice":        {recs[0][0], recs[0][0]},
			"no record":                    {},
		} {
			e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, map[string]any{"k": h.key(), "in": wfListing("JOINT_PUNISHMENT", e.USCC, linked, nil)})
			if e.Extensions["field"] != "input.linkedRecordIds" {
				t.Errorf("%s: field %v", name, e.Extensions["field"])
			}
		}
		if e := h.refused(t, "NOT_FOUND", market, gqlEnterListing, map[string]any{"k": h.key(), "in": wfListing("JOINT_PUNISHMENT", "91110000600037341L", recs[0][:1], nil)}); e.Extensions["field"] != "input.uscc" {
			t.Errorf("unknown entity: %v", e)
		}
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, map[string]any{"k": h.key(),
			"in": wfListing("JOINT_PUNISHMENT", e.USCC, recs[0][:1], map[string]any{"rectifyBy": wfDays(-1)})}); e.Extensions["field"] != "input.rectifyBy" {
			t.Errorf("a deadline in the past: %v", e)
		}
		a, b := h.written(t, e)
		if c := h.count(t, `SELECT count(*) FROM workflow_history WHERE workflow = 'listing'`); a != entries || b != records || c != history {
			t.Fatalf("refused listings wrote rows: list entries %d→%d, records %d→%d, history %d→%d", entries, a, records, b, history, c)
		}
	})

	t.Run("idempotent retry", func(t *testing.T) {
		k := h.key()
		vars := map[string]any{"k": k, "in": wfListing("JOINT_PUNISHMENT", ents[1].USCC, recs[1][:1], nil)}
		entries, records := h.written(t, ents[1])
		first := h.ok(t, market, gqlEnterListing, vars)
		again := h.ok(t, market, gqlEnterListing, vars)
		if apptest.Get(first, "enterListing", "id") != apptest.Get(again, "enterListing", "id") {
			t.Fatalf("a retry entered another listing: %v / %v", first, again)
		}
		if e, r := h.written(t, ents[1]); e != entries+1 || r != records+4 {
			t.Fatalf("a listing and its retry wrote %d list entries and %d records, want 1 and 4 (the entity and three persons)", e-entries, r-records)
		}
	})

	t.Run("concurrent removals: exactly one wins", func(t *testing.T) {
		for range 3 {
			le := enter(t, wfListing("JOINT_PUNISHMENT", ents[2].USCC, recs[2][:1], nil))
			id := le["id"]
			rs := h.pair(t,
				func() *apptest.Response {
					return h.Do(t, gqlRemoveListing, map[string]any{"id": id, "r": "REVOKED", "k": h.key()}, market)
				},
				func() *apptest.Response {
					return h.Do(t, gqlRemoveListing, map[string]any{"id": id, "r": "EXPIRED", "k": h.key()}, market)
				})
			wfOneWins(t, rs)
			n, _ := workflow.DecodeID(workflow.TypeListEntry, wfStr(id))
			if c := h.count(t, `SELECT count(*) FROM workflow_history WHERE workflow = 'listing' AND object_id = $1 AND action = 'remove'`, n); c != 1 {
				t.Fatalf("%d removal rows, want 1", c)
			}
		}
	})
}

// ——— joint-punishment cases ———

const (
	gqlCaseFields = `id state openedAt closedAt listEntry { id listType }
  pushes { id caseId department { code } measures { code department { code } listTypes } pushedAt dueDate state overdue measureApplied appliedOn answeredBy }
  history { action from to actor actorOrg reason }`
	gqlOpenCase   = `mutation($id: ID!, $k: String!) { openJointCase(listEntryId: $id, idempotencyKey: $k) { ` + gqlCaseFields + ` } }`
	gqlAnswerPush = `mutation($id: ID!, $m: String!, $on: Date!, $k: String!) { answerPush(pushId: $id, measureApplied: $m, appliedOn: $on, idempotencyKey: $k) {
		id caseId department { code } state overdue measureApplied appliedOn answeredBy } }`
	gqlCaseByID = `query($id: ID!) { node(id: $id) { ... on JointCase { ` + gqlCaseFields + ` } } }`
)

func TestJointCaseWorkflow(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	ents, recs := h.listable(t, 2)
	e := ents[0]
	lister := h.dept("market", auth.ScopeListWrite, auth.ScopeCaseWrite, auth.ScopeEntityRead)
	// answerer is a department's app answering the cases pushed to it.
	answerer := func(org string) map[string]string { return h.dept(org, auth.ScopeCaseWrite, auth.ScopeEntityRead) }
	enter := func(t *testing.T, listType string, extra map[string]any) string {
		t.Helper()
		d := h.ok(t, lister, gqlEnterListing, map[string]any{"k": h.key(), "in": wfListing(listType, e.USCC, recs[0][:1], extra)})
		return wfStr(apptest.Get(d, "enterListing", "id"))
	}
	answer := func(org, pushID string) *apptest.Response {
		return h.Do(t, gqlAnswerPush, map[string]any{"id": pushID, "m": "M-" + org + " 已在审批系统中限制", "on": wfToday().String(), "k": h.key()}, answerer(org))
	}
	// wantMeasures are the departments whose measures apply to the
	// joint-punishment list, with their measure codes.
	wantMeasures := map[string][]string{}
	for _, m := range h.Query(t, `{ measures { code department { code } listTypes } }`, nil)["measures"].([]any) {
		if slices.Contains(apptest.Get(m, "listTypes").([]any), any("JOINT_PUNISHMENT")) {
			d := wfStr(apptest.Get(m, "department", "code"))
			wantMeasures[d] = append(wantMeasures[d], wfStr(apptest.Get(m, "code")))
		}
	}
	if len(wantMeasures) < 3 {
		t.Fatalf("measures catalogue: %v", wantMeasures)
	}

	t.Run("opened, pushed to every department concerned, answered, closed", func(t *testing.T) {
		entry := enter(t, "JOINT_PUNISHMENT", nil)
		h.forbidden(t, auth.ScopeCaseWrite, h.dept("market", auth.ScopeListWrite), gqlOpenCase, map[string]any{"id": entry, "k": h.key()})
		c := h.ok(t, lister, gqlOpenCase, map[string]any{"id": entry, "k": h.key()})["openJointCase"].(map[string]any)
		caseID := wfStr(c["id"])
		if c["state"] != "OPEN" || c["closedAt"] != nil || apptest.Get(c, "listEntry", "id") != entry {
			t.Fatalf("opened: %v", c)
		}
		due, _ := scalars.ParseDate(wfStr(apptest.Get(c, "pushes", 0, "dueDate")))
		if n := workday.Default().WorkingDaysBetween(wfToday().Time(), due.Time()); n != 5 {
			t.Errorf("due %s is %d working days after today, want PUSH_FEEDBACK's 5", due, n)
		}
		pushes := map[string]string{}
		for _, p := range c["pushes"].([]any) {
			d := wfStr(apptest.Get(p, "department", "code"))
			pushes[d] = wfStr(apptest.Get(p, "id"))
			var codes []string
			for _, m := range apptest.Get(p, "measures").([]any) {
				codes = append(codes, wfStr(apptest.Get(m, "code")))
				if apptest.Get(m, "department", "code") != d {
					t.Errorf("push to %s carries a measure of %v", d, apptest.Get(m, "department"))
				}
			}
			if fmt.Sprint(codes) != fmt.Sprint(wantMeasures[d]) || apptest.Get(p, "state") != "PUSHED" || apptest.Get(p, "overdue") != false ||
				apptest.Get(p, "caseId") != caseID {
				t.Errorf("push to %s: %v, want measures %v", d, p, wantMeasures[d])
			}
		}
		if len(pushes) != len(wantMeasures) {
			t.Fatalf("pushed to %v, want %v", pushes, wantMeasures)
		}
		// One open case per listing.
		if er := h.refused(t, "CONFLICT", lister, gqlOpenCase, map[string]any{"id": entry, "k": h.key()}); er.Extensions["caseId"] != caseID {
			t.Fatalf("second case: %v", er)
		}
		// Each department finds the case pushed to it.
		d := h.ok(t, answerer("fire"), `{ jointCases(filter: {department: "fire", state: OPEN}) { edges { node { id pushes { department { code } state } } } } }`, nil)
		if wfFind(apptest.Get(d, "jointCases", "edges"), caseID) == nil {
			t.Fatalf("fire does not find the case pushed to it: %v", d)
		}
		// SECURITY: cases are shared among departments, not public.
		h.forbidden(t, auth.ScopeEntityRead, nil, `{ jointCases { edges { node { id } } } }`, nil)

		// Only the department pushed to answers, with case:write.
		h.forbidden(t, "", answerer("fire"), gqlAnswerPush, map[string]any{"id": pushes["market"], "m": "x", "on": wfToday().String(), "k": h.key()})
		h.forbidden(t, auth.ScopeCaseWrite, h.dept("fire", auth.ScopeEntityRead), gqlAnswerPush, map[string]any{"id": pushes["fire"], "m": "x", "on": wfToday().String(), "k": h.key()})
		if er := h.refused(t, "BAD_USER_INPUT", answerer("fire"), gqlAnswerPush, map[string]any{"id": pushes["fire"], "m": "x", "on": wfDays(1), "k": h.key()}); er.Extensions["field"] != "appliedOn" {
			t.Fatalf("applied tomorrow: %v", er)
		}

		// Two answers to the same push at once: one wins.
		wfOneWins(t, h.pair(t, func() *apptest.Response { return answer("fire", pushes["fire"]) }, func() *apptest.Response { return answer("fire", pushes["fire"]) }))
		if got := h.history(t, workflow.WorkflowPush, pushes["fire"], workflow.TypeCasePush); len(got) != 2 || !strings.HasPrefix(got[1], "answer PUSHED→ANSWERED department:fire@fire M-fire") {
			t.Fatalf("push history %q", got)
		}
		h.invalid(t, "ANSWERED", "answer", answerer("fire"), gqlAnswerPush, map[string]any{"id": pushes["fire"], "m": "x", "on": wfToday().String(), "k": h.key()})

		// Idempotent: a retried answer gets the first answer.
		k := h.key()
		vars := map[string]any{"id": pushes["environment"], "m": "限制新增排污许可", "on": wfToday().String(), "k": k}
		a1 := h.ok(t, answerer("environment"), gqlAnswerPush, vars)
		a2 := h.ok(t, answerer("environment"), gqlAnswerPush, vars)
		if fmt.Sprint(a1) != fmt.Sprint(a2) || apptest.Get(a1, "answerPush", "answeredBy") != "department:environment" ||
			apptest.Get(a1, "answerPush", "measureApplied") != "限制新增排污许可" {
			t.Fatalf("retried answer: %v / %v", a1, a2)
		}

		// The last two answers arrive together: the case closes once.
		var rest []string
		for d, id := range pushes {
			if d != "fire" && d != "environment" {
				rest = append(rest, d+" "+id)
			}
		}
		slices.Sort(rest)
		for _, r := range rest[:len(rest)-2] {
			d, id, _ := strings.Cut(r, " ")
			if res := answer(d, id); len(res.Errors) > 0 {
				t.Fatalf("answer of %s: %s", d, res.Body)
			}
			if st := apptest.Get(h.ok(t, lister, gqlCaseByID, map[string]any{"id": caseID}), "node", "state"); st != "OPEN" {
				t.Fatalf("case %v before the last answer", st)
			}
		}
		a, b := rest[len(rest)-2], rest[len(rest)-1]
		rs := h.pair(t,
			func() *apptest.Response { d, id, _ := strings.Cut(a, " "); return answer(d, id) },
			func() *apptest.Response { d, id, _ := strings.Cut(b, " "); return answer(d, id) })
		for _, r := range rs {
			if len(r.Errors) > 0 {
				t.Fatalf("answers of different departments conflict: %s", r.Body)
			}
		}
		c = h.ok(t, lister, gqlCaseByID, map[string]any{"id": caseID})["node"].(map[string]any)
		if c["state"] != "CLOSED" || c["closedAt"] == nil {
			t.Fatalf("case after the last answer: %v", c)
		}
		for _, p := range c["pushes"].([]any) {
			if apptest.Get(p, "state") != "ANSWERED" || apptest.Get(p, "appliedOn") != wfToday().String() || apptest.Get(p, "answeredBy") == nil {
				t.Fatalf("push after the case closed: %v", p)
			}
		}
		hist := h.history(t, workflow.WorkflowCase, caseID, workflow.TypeJointCase)
		if len(hist) != 2 || !strings.HasPrefix(hist[0], "open →OPEN department:market@market pushed to ") ||
			!strings.HasPrefix(hist[1], "close OPEN→CLOSED department:") || !strings.HasSuffix(hist[1], fmt.Sprintf(" all %d departments answered", len(pushes))) {
			t.Fatalf("case history %q", hist)
		}
		// The listing's history and cases show it.
		d = h.ok(t, lister, `query($id: ID!) { node(id: $id) { ... on ListEntry { cases { id state } history { action reason } } } }`, map[string]any{"id": entry})
		if apptest.Get(d, "node", "cases", 0, "id") != caseID || apptest.Get(d, "node", "history", 1, "action") != "openCase" {
			t.Fatalf("listing after its case: %v", d)
		}
	})

	t.Run("illegal openings", func(t *testing.T) {
		// Reading a key-attention entry's fields takes record:read too (the
		// openness middleware's rule for shared objects).
		ka := h.ok(t, h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead), gqlEnterListing,
			map[string]any{"k": h.key(), "in": wfListing("KEY_ATTENTION", ents[1].USCC, recs[1][:1], map[string]any{"domain": "finance"})})
		if er := h.refused(t, "BAD_USER_INPUT", lister, gqlOpenCase, map[string]any{"id": apptest.Get(ka, "enterListing", "id"), "k": h.key()}); er.Extensions["field"] != "listEntryId" {
			t.Fatalf("a case of a key-attention listing: %v", er)
		}
		entry := enter(t, "JOINT_PUNISHMENT", nil)
		h.ok(t, lister, gqlRemoveListing, map[string]any{"id": entry, "r": "EXPIRED", "k": h.key()})
		h.invalid(t, "REMOVED", "openCase", lister, gqlOpenCase, map[string]any{"id": entry, "k": h.key()})
		h.refused(t, "NOT_FOUND", lister, gqlOpenCase, map[string]any{"id": workflow.EncodeID(workflow.TypeListEntry, 999999), "k": h.key()})
		h.refused(t, "BAD_USER_INPUT", lister, gqlOpenCase, map[string]any{"id": gid.Entity(e.USCC), "k": h.key()})
	})

	t.Run("idempotent opening and concurrent openings", func(t *testing.T) {
		entry := enter(t, "JOINT_PUNISHMENT", nil)
		k := h.key()
		c1 := h.ok(t, lister, gqlOpenCase, map[string]any{"id": entry, "k": k})
		c2 := h.ok(t, lister, gqlOpenCase, map[string]any{"id": entry, "k": k})
		if apptest.Get(c1, "openJointCase", "id") != apptest.Get(c2, "openJointCase", "id") {
			t.Fatalf("retry opened another case: %v / %v", c1, c2)
		}
		caseN, _ := workflow.DecodeID(workflow.TypeJointCase, wfStr(apptest.Get(c1, "openJointCase", "id")))
		if n := h.count(t, `SELECT count(*) FROM case_push WHERE case_id = $1`, caseN); n != len(wantMeasures) {
			t.Fatalf("%d pushes after a retried opening, want %d", n, len(wantMeasures))
		}
		other := enter(t, "JOINT_PUNISHMENT", nil)
		wfOneWins(t, h.pair(t,
			func() *apptest.Response {
				return h.Do(t, gqlOpenCase, map[string]any{"id": other, "k": h.key()}, lister)
			},
			func() *apptest.Response {
				return h.Do(t, gqlOpenCase, map[string]any{"id": other, "k": h.key()}, lister)
			}))
		n, _ := workflow.DecodeID(workflow.TypeListEntry, other)
		if c := h.count(t, `SELECT count(*) FROM joint_case WHERE list_entry_id = $1`, n); c != 1 {
			t.Fatalf("%d cases of one listing opened at once, want 1", c)
		}
	})

	t.Run("overdue pushes are listed", func(t *testing.T) {
		entry := enter(t, "JOINT_PUNISHMENT", nil)
		c := h.ok(t, lister, gqlOpenCase, map[string]any{"id": entry, "k": h.key()})["openJointCase"].(map[string]any)
		var courtPush string
		for _, p := range c["pushes"].([]any) {
			if apptest.Get(p, "department", "code") == "court" {
				courtPush = wfStr(apptest.Get(p, "id"))
			}
		}
		n, _ := workflow.DecodeID(workflow.TypeCasePush, courtPush)
		// Time passes: the court's push fell due yesterday.
		h.exec(t, `UPDATE case_push SET due_date = $2::date WHERE id = $1`, n, wfDays(-1))
		q := `query($d: ID) { overduePushes(department: $d) { id department { code } overdue state dueDate } }`
		d := h.ok(t, answerer("court"), q, map[string]any{"d": "court"})
		list := d["overduePushes"].([]any)
		i := slices.IndexFunc(list, func(p any) bool { return apptest.Get(p, "id") == courtPush })
		if i < 0 || apptest.Get(list[i], "overdue") != true || apptest.Get(list[i], "dueDate") != wfDays(-1) {
			t.Fatalf("overdue pushes of the court: %v", list)
		}
		for _, p := range list {
			if apptest.Get(p, "department", "code") != "court" || apptest.Get(p, "state") != "PUSHED" {
				t.Fatalf("overduePushes(department: court) lists %v", p)
			}
		}
		d = h.ok(t, answerer("fire"), q, map[string]any{"d": "fire"})
		if slices.ContainsFunc(d["overduePushes"].([]any), func(p any) bool { return apptest.Get(p, "id") == courtPush }) {
			t.Fatalf("fire's overdue pushes list the court's: %v", d)
		}
		if res := answer("court", courtPush); len(res.Errors) > 0 {
			t.Fatalf("a late answer is still an answer: %s", res.Body)
		}
		d = h.ok(t, answerer("court"), q, map[string]any{"d": nil})
		if slices.ContainsFunc(d["overduePushes"].([]any), func(p any) bool { return apptest.Get(p, "id") == courtPush }) {
			t.Fatalf("an answered push is still overdue: %v", d)
		}
	})
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
