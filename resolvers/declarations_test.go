package resolvers_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
)

// Self-declared information (T11): an entity declares information about
// itself under a truthfulness commitment; the department it names
// verifies it or finds it false, the latter a false commitment.

const declarationFields = `id kind title content selfDeclared state decisionReason department { code } entity { uscc }
  commitment { id state content severity department { code } record { id kind severity ... on CommitmentBreach { falseCommitment } } }
  record { id kind source { code name } authority status publicity selfDeclared declarationId declarationKind title
    verifyingDepartment { code } verification }
  history { action from to actorOrg reason }`

const gqlDeclare = `mutation($in: DeclareInput!, $k: String!) { declare(input: $in, idempotencyKey: $k) { ` + declarationFields + ` } }`

const gqlVerifyDeclaration = `mutation($id: ID!, $r: String, $k: String!) { verifyDeclaration(id: $id, reason: $r, idempotencyKey: $k) { ` + declarationFields + ` } }`

const gqlFindDeclarationFalse = `mutation($id: ID!, $r: String!, $k: String!) { findDeclarationFalse(id: $id, reason: $r, idempotencyKey: $k) { ` + declarationFields + ` } }`

// TestDeclarations runs the declarations' tests on one hub of their own.
func TestDeclarations(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	for _, tc := range []struct {
		name string
		test func(*testing.T, *orHub)
	}{
		{"declare", testDeclare},
		{"declare refusals", testDeclareRefusals},
		{"verify", testDeclarationVerify},
		{"found false", testDeclarationFoundFalse},
		{"lists", testDeclarationLists},
		{"concurrent decisions", testDeclarationConcurrentDecisions},
		{"hostile text on the wire", testDeclarationOnTheWire},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, h) })
	}
}

func declarant(t *testing.T, uscc string) map[string]string {
	return apptest.As(t, auth.KindEntity, uscc, "", auth.EntitySelfScopes...)
}

func declarationDept(t *testing.T, code string) map[string]string {
	return apptest.As(t, auth.KindDepartment, code, "", auth.ScopeDeclarationVerify, auth.ScopeRecordRead, auth.ScopeEntityRead)
}

func declarationInput(uscc, dept string) map[string]any {
	return map[string]any{"uscc": uscc, "kind": "QUALIFICATION", "title": "建筑业企业资质证书（施工总承包三级）",
		"content": "证书编号D323000000，有效期至2029年12月31日", "department": dept,
		"commitment": "本单位承诺所声明信息真实、准确、完整，如有虚假，愿意承担相应法律责任并记入信用记录。"}
}

// declarationRows counts declarations, commitments, hub records and
// history rows, to show that a refusal wrote nothing.
func (h *orHub) declarationRows(t *testing.T) string {
	t.Helper()
	var d, c, r, w int
	if err := h.DBs["hub"].QueryRow(`SELECT (SELECT count(*) FROM declaration), (SELECT count(*) FROM commitment),
		(SELECT count(*) FROM hub_record), (SELECT count(*) FROM workflow_history)`).Scan(&d, &c, &r, &w); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(d, c, r, w)
}

// declare declares as the entity of world entity i and returns the
// declaration.
func (h *orHub) declare(t *testing.T, i int, dept string) map[string]any {
	t.Helper()
	e := h.World.Entities[i]
	return apptest.Get(h.call(t, declarant(t, e.USCC), gqlDeclare, map[string]any{"in": declarationInput(e.USCC, dept), "k": orKey()}), "declare").(map[string]any)
}

// A declaration is the entity's word, marked so everywhere: its record's
// source is the entity itself, no authority; the commitment is signed and
// held by the department named; everyone reads it, the public too; a
// retry answers the same declaration and writes nothing.
func testDeclare(t *testing.T, h *orHub) {
	e := h.World.Entities[1]
	in, key := declarationInput(e.USCC, "housing"), orKey()
	d := apptest.Get(h.call(t, declarant(t, e.USCC), gqlDeclare, map[string]any{"in": in, "k": key}), "declare").(map[string]any)
	rec := d["record"].(map[string]any)
	if d["state"] != "DECLARED" || d["selfDeclared"] != true || apptest.Get(d, "department", "code") != "housing" ||
		apptest.Get(d, "entity", "uscc") != e.USCC || apptest.Get(d, "commitment", "state") != "SIGNED" ||
		apptest.Get(d, "commitment", "content") != in["commitment"] || apptest.Get(d, "commitment", "department", "code") != "housing" ||
		fmt.Sprintf("%v %v %v", apptest.Get(d, "history", 0, "action"), apptest.Get(d, "history", 0, "to"), apptest.Get(d, "history", 0, "actorOrg")) != "declare DECLARED "+e.USCC {
		t.Fatalf("declared %v", d)
	}
	if rec["kind"] != "SELF_DECLARATION" || apptest.Get(rec, "source", "code") != "self-declared" || rec["authority"] != nil ||
		rec["selfDeclared"] != true || rec["publicity"] != "PUBLIC" || rec["status"] != "EFFECTIVE" || rec["declarationId"] != d["id"] ||
		rec["declarationKind"] != "QUALIFICATION" || rec["verification"] != "DECLARED" || apptest.Get(rec, "verifyingDepartment", "code") != "housing" {
		t.Fatalf("the declaration's record %v", rec)
	}
	rows := h.declarationRows(t)
	again := apptest.Get(h.call(t, declarant(t, e.USCC), gqlDeclare, map[string]any{"in": in, "k": key}), "declare", "id")
	if again != d["id"] || h.declarationRows(t) != rows {
		t.Fatalf("a retry answered %v (first %v), rows %s (were %s)", again, d["id"], h.declarationRows(t), rows)
	}
	changed := declarationInput(e.USCC, "market")
	if e := h.fail(t, declarant(t, e.USCC), "BAD_USER_INPUT", gqlDeclare, map[string]any{"in": changed, "k": key}); e.Extensions["field"] != "idempotencyKey" {
		t.Errorf("the same key with other arguments: %v", e)
	}
	// The public reads the declaration and its record, on both paths the same.
	pub := h.Do(t, `query($u: ID!) { declarations(filter: {uscc: $u}) { edges { node { id selfDeclared record { id source { code } verification } } } } }`,
		map[string]any{"u": e.USCC}, nil)
	if len(pub.Errors) > 0 || apptest.Get(pub.Data, "declarations", "edges", 0, "node", "id") != d["id"] ||
		apptest.Get(pub.Data, "declarations", "edges", 0, "node", "record", "id") != rec["id"] ||
		apptest.Get(pub.Data, "declarations", "edges", 0, "node", "record", "source", "code") != "self-declared" {
		t.Fatalf("the public reads: %s", pub.Body)
	}
	node := h.Do(t, `query($id: ID!) { node(id: $id) { ... on SelfDeclarationRecord { id selfDeclared source { code } } } }`, map[string]any{"id": rec["id"]}, nil)
	if len(node.Errors) > 0 || apptest.Get(node.Data, "node", "id") != rec["id"] || apptest.Get(node.Data, "node", "selfDeclared") != true {
		t.Fatalf("the public reads the record by id: %s", node.Body)
	}
	byID := h.Do(t, `query($id: ID!) { node(id: $id) { ... on Declaration { id selfDeclared state } } }`, map[string]any{"id": d["id"]}, nil)
	if len(byID.Errors) > 0 || apptest.Get(byID.Data, "node", "id") != d["id"] || apptest.Get(byID.Data, "node", "selfDeclared") != true {
		t.Fatalf("the public reads the declaration by id: %s", byID.Body)
	}
	// It is among the entity's records, as a self-declared one.
	recs := h.records(t, apptest.Department(t), e.USCC)
	if r := recs[rec["id"].(string)]; r == nil || apptest.Get(r, "source", "code") != "self-declared" || r["kind"] != "SELF_DECLARATION" {
		t.Fatalf("the entity's records hold %v", r)
	}
}

// SECURITY: only the entity itself declares, only about itself, with
// declaration:write; a department it names must verify declarations.
// Nothing is written by a refusal.
func testDeclareRefusals(t *testing.T, h *orHub) {
	e, other := h.World.Entities[2], h.World.Entities[3]
	rows := h.declarationRows(t)
	h.fail(t, declarant(t, e.USCC), "FORBIDDEN", gqlDeclare, map[string]any{"in": declarationInput(other.USCC, "market"), "k": orKey()})
	h.fail(t, apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeDeclarationWrite), "FORBIDDEN", gqlDeclare,
		map[string]any{"in": declarationInput(e.USCC, "market"), "k": orKey()})
	h.fail(t, apptest.As(t, auth.KindAgency, "agency-x", "", auth.ScopeDeclarationWrite), "FORBIDDEN", gqlDeclare,
		map[string]any{"in": declarationInput(e.USCC, "market"), "k": orKey()})
	h.fail(t, apptest.As(t, auth.KindEntity, e.USCC, "", auth.ScopeCommitmentSign), "FORBIDDEN", gqlDeclare,
		map[string]any{"in": declarationInput(e.USCC, "market"), "k": orKey()})
	h.fail(t, nil, "FORBIDDEN", gqlDeclare, map[string]any{"in": declarationInput(e.USCC, "market"), "k": orKey()})
	for field, in := range map[string]map[string]any{
		"input.department": declarationInput(e.USCC, "court"),
		"input.title":      func() map[string]any { m := declarationInput(e.USCC, "market"); m["title"] = "  "; return m }(),
		"input.commitment": func() map[string]any { m := declarationInput(e.USCC, "market"); m["commitment"] = ""; return m }(),
	} {
		if err := h.fail(t, declarant(t, e.USCC), "BAD_USER_INPUT", gqlDeclare, map[string]any{"in": in, "k": orKey()}); err.Extensions["field"] != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	if got := h.declarationRows(t); got != rows {
		t.Fatalf("refusals wrote: %s (were %s)", got, rows)
	}
	// The self-declaration items take no commitment but a declaration's.
	r := h.Do(t, `mutation($in: SignCommitmentInput!) { signCommitment(input: $in, idempotencyKey: "sd-sign") { id } }`,
		map[string]any{"in": map[string]any{"itemCode": "SD-MARKET", "uscc": e.USCC, "content": "承诺"}}, declarant(t, e.USCC))
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Fatalf("signing on a self-declaration item: %s", r.Body)
	}
}

// The department named verifies: the commitment is fulfilled, the record
// shows VERIFIED. Another department, the entity, a department without
// the scope are refused; a second decision is INVALID_TRANSITION; the
// commitment is decided only through its declaration.
func testDeclarationVerify(t *testing.T, h *orHub) {
	d := h.declare(t, 4, "fire")
	id := d["id"].(string)
	rows := h.declarationRows(t)
	if e := h.fail(t, declarationDept(t, "market"), "FORBIDDEN", gqlVerifyDeclaration, map[string]any{"id": id, "k": orKey()}); e.Extensions["owner"] != "fire" {
		t.Errorf("another department verifying: %v", e)
	}
	h.fail(t, apptest.As(t, auth.KindEntity, h.World.Entities[4].USCC, "", auth.ScopeDeclarationVerify), "FORBIDDEN", gqlVerifyDeclaration, map[string]any{"id": id, "k": orKey()})
	h.fail(t, apptest.As(t, auth.KindDepartment, "fire", "", auth.ScopeCommitmentWrite), "FORBIDDEN", gqlFindDeclarationFalse, map[string]any{"id": id, "r": "假", "k": orKey()})
	// Its commitment is not decided on its own, even by its holder.
	c := apptest.Get(d, "commitment", "id")
	if e := h.fail(t, apptest.As(t, auth.KindDepartment, "fire", "", auth.ScopeCommitmentWrite), "BAD_USER_INPUT",
		`mutation($id: ID!) { findCommitmentFalse(id: $id, reason: "x", idempotencyKey: "sd-direct") { id } }`, map[string]any{"id": c}); e.Extensions["field"] != "id" {
		t.Errorf("deciding a declaration's commitment directly: %v", e)
	}
	h.fail(t, declarationDept(t, "fire"), "BAD_USER_INPUT", gqlFindDeclarationFalse, map[string]any{"id": id, "r": " ", "k": orKey()})
	h.fail(t, declarationDept(t, "fire"), "BAD_USER_INPUT", gqlVerifyDeclaration, map[string]any{"id": c, "k": orKey()})
	if got := h.declarationRows(t); got != rows {
		t.Fatalf("refusals wrote: %s (were %s)", got, rows)
	}
	v := apptest.Get(h.call(t, declarationDept(t, "fire"), gqlVerifyDeclaration, map[string]any{"id": id, "r": "经核查证书真实有效", "k": orKey()}), "verifyDeclaration").(map[string]any)
	if v["state"] != "VERIFIED" || v["decisionReason"] != "经核查证书真实有效" || apptest.Get(v, "commitment", "state") != "FULFILLED" ||
		apptest.Get(v, "commitment", "record") != nil || apptest.Get(v, "record", "verification") != "VERIFIED" ||
		apptest.Get(v, "record", "status") != "EFFECTIVE" || apptest.Get(v, "record", "source", "code") != "self-declared" ||
		fmt.Sprintf("%v %v", apptest.Get(v, "history", 1, "action"), apptest.Get(v, "history", 1, "actorOrg")) != "verify fire" {
		t.Fatalf("verified %v", v)
	}
	if e := h.fail(t, declarationDept(t, "fire"), "INVALID_TRANSITION", gqlFindDeclarationFalse, map[string]any{"id": id, "r": "假", "k": orKey()}); e.Extensions["state"] != "VERIFIED" {
		t.Errorf("finding a verified declaration false: %v", e)
	}
	h.fail(t, declarationDept(t, "fire"), "INVALID_TRANSITION", gqlVerifyDeclaration, map[string]any{"id": id, "k": orKey()})
}

// The department named finds a declaration false: through the commitment
// machine, the commitment is FOUND_FALSE with a serious COMMITMENT_BREACH
// record (a false commitment) held by the department, a dishonesty
// record of the entity; the self-declared record is revoked.
func testDeclarationFoundFalse(t *testing.T, h *orHub) {
	e := h.World.Entities[5]
	d := h.declare(t, 5, "market")
	f := apptest.Get(h.call(t, declarationDept(t, "market"), gqlFindDeclarationFalse,
		map[string]any{"id": d["id"], "r": "发证机关无此证书", "k": orKey()}), "findDeclarationFalse").(map[string]any)
	breach := apptest.Get(f, "commitment", "record")
	if f["state"] != "FOUND_FALSE" || apptest.Get(f, "commitment", "state") != "FOUND_FALSE" || apptest.Get(f, "commitment", "severity") != "SERIOUS" ||
		apptest.Get(breach, "kind") != "COMMITMENT_BREACH" || apptest.Get(breach, "severity") != "SERIOUS" || apptest.Get(breach, "falseCommitment") != true ||
		apptest.Get(f, "record", "verification") != "FOUND_FALSE" || apptest.Get(f, "record", "status") != "REVOKED" {
		t.Fatalf("found false %v", f)
	}
	recs := h.records(t, apptest.Department(t), e.USCC)
	b := recs[apptest.Get(breach, "id").(string)]
	if b == nil || apptest.Get(b, "source", "code") != "market" || b["publicity"] != "PUBLIC" {
		t.Fatalf("the breach among the entity's records: %v", b)
	}
	h.fail(t, declarationDept(t, "market"), "INVALID_TRANSITION", gqlVerifyDeclaration, map[string]any{"id": d["id"], "k": orKey()})
}

// Lists: a page is one statement, two with the history; filters narrow
// by entity, department, state and kind; the entity's own list agrees.
func testDeclarationLists(t *testing.T, h *orHub) {
	e := h.World.Entities[6]
	var ids []string
	for _, dept := range []string{"market", "environment", "housing"} {
		ids = append([]string{h.declare(t, 6, dept)["id"].(string)}, ids...)
	}
	h.call(t, declarationDept(t, "environment"), gqlVerifyDeclaration, map[string]any{"id": ids[1], "k": orKey()})
	var got []string
	var after any
	for {
		r := h.Do(t, `query($u: ID!, $after: String) { declarations(filter: {uscc: $u}, first: 1, after: $after) {
			edges { node { id entity { uscc } } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"u": e.USCC, "after": after}, nil)
		if len(r.Errors) > 0 || r.Statements()["hub"] != 1 {
			t.Fatalf("a page of declarations cost %v: %s", r.Statements(), r.Body)
		}
		for _, edge := range apptest.Get(r.Data, "declarations", "edges").([]any) {
			got = append(got, apptest.Get(edge, "node", "id").(string))
		}
		if apptest.Get(r.Data, "declarations", "pageInfo", "hasNextPage") != true {
			break
		}
		after = apptest.Get(r.Data, "declarations", "pageInfo", "endCursor")
	}
	if !slices.Equal(got, ids) {
		t.Errorf("the entity's declarations %v, want %v", got, ids)
	}
	r := h.Do(t, `query($u: ID!) { declarations(filter: {uscc: $u, department: "environment", state: VERIFIED, kind: QUALIFICATION}, first: 50) {
		edges { node { id history { action } } } } }`, map[string]any{"u": e.USCC}, nil)
	if len(r.Errors) > 0 || r.Statements()["hub"] != 2 || apptest.Get(r.Data, "declarations", "edges", 0, "node", "id") != ids[1] ||
		apptest.Get(r.Data, "declarations", "edges", 1) != nil || apptest.Get(r.Data, "declarations", "edges", 0, "node", "history", 1, "action") != "verify" {
		t.Errorf("a filtered page with the history cost %v: %s", r.Statements(), r.Body)
	}
	mine := h.call(t, nil, `query($u: ID!) { entity(uscc: $u) { declarations { edges { node { id } } } } }`, map[string]any{"u": e.USCC})
	if n := len(apptest.Get(mine, "entity", "declarations", "edges").([]any)); n != len(ids) {
		t.Errorf("the entity lists %d declarations, want %d", n, len(ids))
	}
	h.fail(t, nil, "BAD_USER_INPUT", `{ declarations(filter: {department: "nowhere"}) { edges { node { id } } } }`, nil)
	h.fail(t, nil, "BAD_USER_INPUT", `{ declarations(after: "bogus") { edges { node { id } } } }`, nil)
}

// Two decisions at once: one wins, the other is CONFLICT or
// INVALID_TRANSITION; exactly one history row of a decision.
func testDeclarationConcurrentDecisions(t *testing.T, h *orHub) {
	d := h.declare(t, 7, "housing")
	dept := declarationDept(t, "housing")
	var wg sync.WaitGroup
	codes := make([]string, 2)
	for i, q := range []string{gqlVerifyDeclaration, gqlFindDeclarationFalse} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.Do(t, q, map[string]any{"id": d["id"], "r": "并发", "k": orKey()}, dept)
			if len(r.Errors) > 0 {
				codes[i] = r.Errors[0].Code()
			}
		}()
	}
	wg.Wait()
	var n int
	if err := h.DBs["hub"].Get(&n, `SELECT count(*) FROM workflow_history WHERE workflow = 'declaration' AND action <> 'declare'
		AND object_id = (SELECT max(id) FROM declaration WHERE uscc = $1)`, h.World.Entities[7].USCC); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, c := range codes {
		if c != "" {
			failed++
			if c != "CONFLICT" && c != "INVALID_TRANSITION" {
				t.Errorf("the losing decision: %s", c)
			}
		}
	}
	if failed != 1 || n != 1 {
		t.Fatalf("two decisions: errors %v, %d decisions recorded", codes, n)
	}
}

// An entity's own words reach the wire as json.Marshal wrote them: the
// markup and the line separators in the data escaped (\u003c, \u2028, …),
// in the answer written by gqlgen (declarations) as in a page of records
// written in one pass (internal/hotlist), and they read back unchanged.
// The server writes the data without encoding/json (writeJSON); this is
// what it must not lose.
// SECURITY: a body read as HTML, or pasted into a <script>, must not close
// it.
func testDeclarationOnTheWire(t *testing.T, h *orHub) {
	e := h.World.Entities[8]
	const hostile = `</script><script>alert("1 & 2")</script>` + "\u2028第二行\u2029 \\ end"
	in := declarationInput(e.USCC, "market")
	in["title"], in["content"] = hostile, hostile
	h.call(t, declarant(t, e.USCC), gqlDeclare, map[string]any{"in": in, "k": orKey()})
	for name, q := range map[string]string{
		"declarations": `query($u: ID!) { declarations(filter: {uscc: $u}) { edges { node { title content } } } }`,
		// summary only: the page is written in one pass; a concrete
		// type's field sends it to gqlgen.
		"records in one pass": `query($u: ID!) { entity(uscc: $u) { records(first: 50, filter: {kinds: [SELF_DECLARATION]}) { edges { node { summary } } } } }`,
		"records by gqlgen":   `query($u: ID!) { entity(uscc: $u) { records(first: 50, filter: {kinds: [SELF_DECLARATION]}) { edges { node { ... on SelfDeclarationRecord { title } } } } } }`,
	} {
		r := h.Do(t, q, map[string]any{"u": e.USCC}, nil)
		if len(r.Errors) > 0 || !bytes.Contains(r.Body, []byte(`\u003c/script\u003e\u003cscript\u003ealert(\"1 \u0026 2\")`)) ||
			!bytes.Contains(r.Body, []byte(`\u2028第二行\u2029 \\ end`)) {
			t.Errorf("%s: the hostile text is not escaped as json.Marshal escaped it: %s", name, r.Body)
		}
		if bytes.ContainsAny(r.Body, "<>&\u2028\u2029") {
			t.Errorf("%s: markup or a line separator on the wire as it is: %s", name, r.Body)
		}
		if !strings.Contains(fmt.Sprint(r.Data), hostile) {
			t.Errorf("%s: the text did not read back: %v", name, r.Data)
		}
	}
}
