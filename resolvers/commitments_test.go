package resolvers_test

// End-to-end tests of the commitment workflow (workflow/commitment.go),
// over HTTP against a hub with its own databases.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/gid"
	"credithub/internal/workflow"
)

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
	self := apptest.As(t, auth.KindEntity, e.USCC, "", auth.EntitySelfScopes...)
	market := h.dept("market", auth.ScopeCommitmentWrite, auth.ScopeCommitmentSign, auth.ScopeEntityRead, auth.ScopeRecordRead)
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
		h.forbidden(t, auth.ScopeCommitmentSign, nil, gqlSign, in("MA-001"))
		h.forbidden(t, auth.ScopeCommitmentSign, apptest.As(t, auth.KindEntity, other.USCC, ""), gqlSign, in("MA-001"))
		// SECURITY: another entity with the scope signs only for itself.
		h.refused(t, "BAD_USER_INPUT", apptest.As(t, auth.KindEntity, other.USCC, "", auth.EntitySelfScopes...), gqlSign, in("MA-001"))
		// SECURITY: the entity itself, reading everything, writes nothing without commitment:sign.
		h.forbidden(t, auth.ScopeCommitmentSign, apptest.As(t, auth.KindEntity, e.USCC, "", auth.ReadScopes...), gqlSign, in("MA-001"))
		h.forbidden(t, "", h.dept("environment", auth.ScopeCommitmentSign), gqlSign, in("MA-001"))
		h.forbidden(t, auth.ScopeCommitmentSign, h.dept("market", auth.ScopeCommitmentWrite), gqlSign, in("MA-001"))

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

// maps returns a copy of m with key set to v.
func wfWith(m map[string]any, key string, v any) map[string]any {
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	out[key] = v
	return out
}
