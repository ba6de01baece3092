package resolvers_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/gid"
)

// The findings of credit service agencies (T30): an agency sends back a
// case verification or a monitoring finding; the department it is sent to
// accepts or rejects it.

const findingFields = `id kind agency submittedBy uscc recordId department { code } verdict summary evidence state outcome
  decidedBy decisionReason createdRecordId history { action from to actorOrg reason }`

const gqlSubmitFinding = `mutation($in: SubmitFindingInput!, $k: String!) { submitFinding(input: $in, idempotencyKey: $k) { ` + findingFields + ` } }`

const gqlAcceptFinding = `mutation($id: ID!, $o: FindingOutcome, $c: RecordCorrectionInput, $r: String, $k: String!) {
  acceptFinding(id: $id, outcome: $o, correction: $c, reason: $r, idempotencyKey: $k) { ` + findingFields + ` } }`

const gqlRejectFinding = `mutation($id: ID!, $r: String!, $k: String!) { rejectFinding(id: $id, reason: $r, idempotencyKey: $k) { ` + findingFields + ` } }`

// TestFindings runs the findings' tests on one hub of their own (they
// write), one after the other.
func TestFindings(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	for _, tc := range []struct {
		name string
		test func(*testing.T, *orHub)
	}{
		{"verification disputed", testFindingVerificationDisputed},
		{"verification outcomes", testFindingVerificationOutcomes},
		{"monitoring", testFindingMonitoring},
		{"submit refusals", testFindingSubmitRefusals},
		{"lists", testFindingLists},
		{"concurrent decisions", testFindingConcurrentDecisions},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, h) })
	}
}

// notLegacy accepts a record its department filed under the entity's
// unified code (not an old key only).
func (h *orHub) notLegacy(t *testing.T) func(orRecord) bool {
	return func(r orRecord) bool {
		data := h.call(t, apptest.Department(t), `query($id: ID!) { node(id: $id) { ... on CreditRecord { legacyKey } } }`, map[string]any{"id": r.ID})
		return apptest.Get(data, "node", "legacyKey") == nil
	}
}

// The people of the findings' tests.
func findingAgency(t *testing.T, org string, scopes ...string) map[string]string {
	return apptest.As(t, auth.KindAgency, org, "", append([]string{auth.ScopeFindingSubmit}, scopes...)...)
}

func findingDept(t *testing.T, code string, scopes ...string) map[string]string {
	return apptest.As(t, auth.KindDepartment, code, "", append([]string{auth.ScopeFindingHandle, auth.ScopeRecordRead, auth.ScopeEntityRead}, scopes...)...)
}

// findings counts the rows of finding and hub_record, to show that a
// refusal wrote nothing.
func (h *orHub) findingRows(t *testing.T) (findings, records int) {
	t.Helper()
	if err := h.DBs["hub"].QueryRow(`SELECT (SELECT count(*) FROM finding), (SELECT count(*) FROM hub_record)`).Scan(&findings, &records); err != nil {
		t.Fatal(err)
	}
	return findings, records
}

// otherDept is a department that is not code.
func otherDept(code string) string {
	if code == "market" {
		return "fire"
	}
	return "market"
}

// A verification the agency finds wrong: it goes to the record's
// department; a retry with the same key answers the same finding; the
// same agency cannot send a second while the first waits; another
// department cannot decide it; the owner must correct or revoke the record
// to accept it, and the record is revoked for everyone; a second decision
// is INVALID_TRANSITION.
func testFindingVerificationDisputed(t *testing.T, h *orHub) {
	legacy := h.notLegacy(t)
	rec := h.pick(t, func(r orRecord) bool {
		return orPublicEffective(r) && r.Kind == "PENALTY" && r.Severity != nil && legacy(r)
	})
	agency := findingAgency(t, "agency-verify")
	in := map[string]any{"kind": "CASE_VERIFICATION", "recordId": rec.ID, "verdict": "DISPUTED",
		"summary": "核查发现处罚决定已被行政复议撤销", "evidence": "复议决定书黑复〔2026〕3号；现场核实"}
	key := orKey()
	sub := apptest.Get(h.call(t, agency, gqlSubmitFinding, map[string]any{"in": in, "k": key}), "submitFinding").(map[string]any)
	if sub["state"] != "SUBMITTED" || apptest.Get(sub, "department", "code") != rec.Source || sub["uscc"] != rec.USCC ||
		sub["agency"] != "agency-verify" || sub["recordId"] != rec.ID || sub["verdict"] != "DISPUTED" ||
		fmt.Sprintf("%v %v", apptest.Get(sub, "history", 0, "action"), apptest.Get(sub, "history", 0, "to")) != "submit SUBMITTED" {
		t.Fatalf("submitted %v for %+v", sub, rec)
	}
	id := sub["id"].(string)

	n0, r0 := h.findingRows(t)
	again := apptest.Get(h.call(t, agency, gqlSubmitFinding, map[string]any{"in": in, "k": key}), "submitFinding", "id")
	if n, _ := h.findingRows(t); again != id || n != n0 {
		t.Fatalf("a retry answered %v (first %s) and left %d findings (was %d)", again, id, n, n0)
	}
	changed := map[string]any{"kind": "CASE_VERIFICATION", "recordId": rec.ID, "verdict": "CONFIRMED", "summary": "x", "evidence": "y"}
	if e := h.fail(t, agency, "BAD_USER_INPUT", gqlSubmitFinding, map[string]any{"in": changed, "k": key}); e.Extensions["field"] != "idempotencyKey" {
		t.Errorf("the same key with other arguments: %v", e)
	}
	if e := h.fail(t, agency, "CONFLICT", gqlSubmitFinding, map[string]any{"in": in, "k": orKey()}); e.Extensions["field"] != "input.recordId" {
		t.Errorf("a second open verification: %v", e)
	}

	// SECURITY: another department, an agency holding finding:handle, the
	// entity itself: refused, nothing written.
	wrong := findingDept(t, otherDept(rec.Source))
	if e := h.fail(t, wrong, "FORBIDDEN", gqlAcceptFinding, map[string]any{"id": id, "o": "REVOKE", "k": orKey()}); e.Extensions["owner"] != rec.Source {
		t.Errorf("another department accepting: %v", e)
	}
	h.fail(t, wrong, "FORBIDDEN", gqlRejectFinding, map[string]any{"id": id, "r": "不成立", "k": orKey()})
	h.fail(t, apptest.As(t, auth.KindAgency, "agency-verify", "", auth.ScopeFindingHandle), "FORBIDDEN", gqlAcceptFinding,
		map[string]any{"id": id, "o": "REVOKE", "k": orKey()})
	h.fail(t, apptest.As(t, auth.KindEntity, rec.USCC, "", auth.ScopeFindingHandle), "FORBIDDEN", gqlRejectFinding,
		map[string]any{"id": id, "r": "不成立", "k": orKey()})
	owner := findingDept(t, rec.Source)
	h.fail(t, apptest.As(t, auth.KindDepartment, rec.Source, "", auth.ScopeRecordRead), "FORBIDDEN", gqlAcceptFinding,
		map[string]any{"id": id, "o": "REVOKE", "k": orKey()})
	if e := h.fail(t, owner, "BAD_USER_INPUT", gqlAcceptFinding, map[string]any{"id": id, "k": orKey()}); e.Extensions["field"] != "outcome" {
		t.Errorf("accepting a disputed verification without an outcome: %v", e)
	}
	if n, r := h.findingRows(t); n != n0 || r != r0 || len(h.overlays(t, rec.ID)) != 0 {
		t.Fatalf("refusals wrote: %d findings (was %d), %d hub records (was %d), overlays %v", n, n0, r, r0, h.overlays(t, rec.ID))
	}

	acc := apptest.Get(h.call(t, owner, gqlAcceptFinding, map[string]any{"id": id, "o": "REVOKE", "r": "经核实，该处罚决定已被撤销", "k": orKey()}),
		"acceptFinding").(map[string]any)
	if acc["state"] != "ACCEPTED" || acc["outcome"] != "REVOKE" || acc["createdRecordId"] != nil ||
		acc["decidedBy"] != rec.Source+":department:"+rec.Source || apptest.Get(acc, "history", 1, "action") != "accept" {
		t.Fatalf("accepted %v", acc)
	}
	if got := h.overlays(t, rec.ID); !slices.Equal(got, []string{"REVOKED"}) {
		t.Errorf("overlays on the record %v, want [REVOKED]", got)
	}
	// The record is revoked on every path: the department's and the
	// entity's own view.
	for name, who := range map[string]map[string]string{"department": apptest.Department(t), "entity": apptest.As(t, auth.KindEntity, rec.USCC, "")} {
		if got := h.records(t, who, rec.USCC)[rec.ID]; got == nil || got["status"] != "REVOKED" {
			t.Errorf("%s sees the record as %v, want REVOKED", name, got)
		}
	}
	for _, q := range []struct {
		query string
		vars  map[string]any
	}{
		{gqlAcceptFinding, map[string]any{"id": id, "o": "REVOKE", "k": orKey()}},
		{gqlRejectFinding, map[string]any{"id": id, "r": "再次", "k": orKey()}},
	} {
		if e := h.fail(t, owner, "INVALID_TRANSITION", q.query, q.vars); e.Extensions["state"] != "ACCEPTED" {
			t.Errorf("deciding twice: %v", e)
		}
	}
	// The revoked record left public view: the agency (without
	// record:read) no longer reads it, so it is NOT_FOUND to it as any
	// record it may not read; with record:read it reads it, revoked, and
	// there is no case left to verify.
	h.fail(t, agency, "NOT_FOUND", gqlSubmitFinding, map[string]any{"in": in, "k": orKey()})
	h.fail(t, findingAgency(t, "agency-verify", auth.ScopeRecordRead), "BAD_USER_INPUT", gqlSubmitFinding, map[string]any{"in": in, "k": orKey()})
}

// A confirmed verification accepted changes nothing of the record; a
// correction corrects it; a rejected one needs its reason.
func testFindingVerificationOutcomes(t *testing.T, h *orHub) {
	agency := findingAgency(t, "agency-outcomes")
	submit := func(rec orRecord, verdict string) string {
		in := map[string]any{"kind": "CASE_VERIFICATION", "uscc": rec.USCC, "recordId": rec.ID, "verdict": verdict, "summary": "核查", "evidence": "走访"}
		return apptest.Get(h.call(t, agency, gqlSubmitFinding, map[string]any{"in": in, "k": orKey()}), "submitFinding", "id").(string)
	}
	dishonest := func(r orRecord) bool { return orPublicEffective(r) && r.Severity != nil }

	confirmed := h.pick(t, dishonest)
	id := submit(confirmed, "CONFIRMED")
	owner := findingDept(t, confirmed.Source)
	if e := h.fail(t, owner, "BAD_USER_INPUT", gqlAcceptFinding, map[string]any{"id": id, "o": "REVOKE", "k": orKey()}); e.Extensions["field"] != "outcome" {
		t.Errorf("an outcome for a confirmed verification: %v", e)
	}
	_, r0 := h.findingRows(t)
	acc := apptest.Get(h.call(t, owner, gqlAcceptFinding, map[string]any{"id": id, "k": orKey()}), "acceptFinding").(map[string]any)
	if _, r := h.findingRows(t); acc["state"] != "ACCEPTED" || acc["outcome"] != nil || r != r0 || len(h.overlays(t, confirmed.ID)) != 0 {
		t.Fatalf("accepting a confirmed verification: %v, %d hub records (was %d), overlays %v", acc, r, r0, h.overlays(t, confirmed.ID))
	}

	corrected := h.pick(t, dishonest)
	id = submit(corrected, "DISPUTED")
	owner = findingDept(t, corrected.Source)
	h.fail(t, owner, "BAD_USER_INPUT", gqlAcceptFinding, map[string]any{"id": id, "o": "CORRECT", "k": orKey()})
	fixed := "核查更正：" + corrected.Summary
	h.call(t, owner, gqlAcceptFinding, map[string]any{"id": id, "o": "CORRECT", "c": map[string]any{"summary": fixed}, "k": orKey()})
	if got := h.records(t, apptest.Department(t), corrected.USCC)[corrected.ID]; got["status"] != "CORRECTED" || got["summary"] != fixed {
		t.Errorf("the corrected record: %v", got)
	}

	rejected := h.pick(t, dishonest)
	id = submit(rejected, "DISPUTED")
	owner = findingDept(t, rejected.Source)
	if e := h.fail(t, owner, "BAD_USER_INPUT", gqlRejectFinding, map[string]any{"id": id, "r": "  ", "k": orKey()}); e.Extensions["field"] != "reason" {
		t.Errorf("a rejection without a reason: %v", e)
	}
	rej := apptest.Get(h.call(t, owner, gqlRejectFinding, map[string]any{"id": id, "r": "经核实，原处罚决定合法有效", "k": orKey()}), "rejectFinding").(map[string]any)
	if rej["state"] != "REJECTED" || rej["decisionReason"] != "经核实，原处罚决定合法有效" || len(h.overlays(t, rejected.ID)) != 0 {
		t.Fatalf("rejected %v, overlays %v", rej, h.overlays(t, rejected.ID))
	}
	h.fail(t, owner, "INVALID_TRANSITION", gqlAcceptFinding, map[string]any{"id": id, "k": orKey()})
}

// A monitoring finding accepted becomes the entity's MONITORING_FINDING
// record, held by the hub: shared among departments and with the entity
// itself, never public nor another entity's to read; the agency reads it
// only with record:read, as on every path to a shared record.
func testFindingMonitoring(t *testing.T, h *orHub) {
	e := h.World.Entities[3]
	agency := findingAgency(t, "agency-monitor")
	in := map[string]any{"kind": "MONITORING", "uscc": e.USCC, "department": "fire",
		"summary": "跟踪监测发现该单位仍在使用被查封的仓库", "evidence": "2026年现场照片三张；周边商户证言"}
	if e := h.fail(t, agency, "BAD_USER_INPUT", gqlSubmitFinding, map[string]any{"in": map[string]any{"kind": "MONITORING", "uscc": in["uscc"],
		"summary": "x", "evidence": "y"}, "k": orKey()}); e.Extensions["field"] != "input.department" {
		t.Errorf("a monitoring finding without a department: %v", e)
	}
	sub := apptest.Get(h.call(t, agency, gqlSubmitFinding, map[string]any{"in": in, "k": orKey()}), "submitFinding").(map[string]any)
	if sub["state"] != "SUBMITTED" || apptest.Get(sub, "department", "code") != "fire" || sub["recordId"] != nil || sub["verdict"] != nil {
		t.Fatalf("submitted %v", sub)
	}
	fire := findingDept(t, "fire")
	if e := h.fail(t, fire, "BAD_USER_INPUT", gqlAcceptFinding, map[string]any{"id": sub["id"], "o": "REVOKE", "k": orKey()}); e.Extensions["field"] != "outcome" {
		t.Errorf("an outcome for a monitoring finding: %v", e)
	}
	acc := apptest.Get(h.call(t, fire, gqlAcceptFinding, map[string]any{"id": sub["id"], "r": "已纳入重点监管", "k": orKey()}), "acceptFinding").(map[string]any)
	created, _ := acc["createdRecordId"].(string)
	if acc["state"] != "ACCEPTED" || created == "" {
		t.Fatalf("accepted %v", acc)
	}
	const q = `query($u: ID!) { entity(uscc: $u) { records(first: 100, filter: {kinds: [MONITORING_FINDING]}) { edges { node {
	  id kind publicity status summary source { code } ... on MonitoringFindingRecord { agency findingId } } } } } }`
	for name, who := range map[string]map[string]string{
		"a department":       apptest.Department(t),
		"the entity itself":  apptest.As(t, auth.KindEntity, e.USCC, ""),
		"another entity":     apptest.As(t, auth.KindEntity, h.World.Entities[4].USCC, ""),
		"the public":         nil,
		"the agency":         agency,
		"an agency that may": apptest.As(t, auth.KindAgency, "agency-monitor", "", auth.ScopeRecordRead),
	} {
		edges, _ := apptest.Get(h.QueryAs(t, who, q, map[string]any{"u": e.USCC}), "entity", "records", "edges").([]any)
		sees := name == "a department" || name == "the entity itself" || name == "an agency that may"
		if !sees {
			if len(edges) != 0 {
				t.Errorf("%s sees %v", name, edges)
			}
			continue
		}
		n := apptest.Get(edges, 0, "node")
		if len(edges) != 1 || apptest.Get(n, "id") != created || apptest.Get(n, "kind") != "MONITORING_FINDING" || apptest.Get(n, "publicity") != "SHARED" ||
			apptest.Get(n, "source", "code") != "fire" || apptest.Get(n, "agency") != "agency-monitor" || apptest.Get(n, "findingId") != sub["id"] {
			t.Errorf("%s sees %v", name, edges)
		}
	}
	// The finding's createdRecord follows the record's openness: the
	// department reads it, the agency without record:read is refused.
	const mine = `{ submittedFindings(filter: {kind: MONITORING}) { edges { node { id createdRecordId createdRecord { id kind } } } } }`
	r := h.Do(t, mine, nil, agency)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "submittedFindings", "edges", 0, "node", "createdRecordId") != created ||
		apptest.Get(r.Data, "submittedFindings", "edges", 0, "node", "createdRecord") != nil {
		t.Errorf("the agency reading the record its finding created: %s", r.Body)
	}
	const theirs = `{ receivedFindings(filter: {kind: MONITORING, state: ACCEPTED}) { edges { node { id createdRecord { id kind } } } } }`
	if got := apptest.Get(h.QueryAs(t, fire, theirs, nil), "receivedFindings", "edges", 0, "node", "createdRecord", "id"); got != created {
		t.Errorf("the department reads the created record as %v", got)
	}

	// Rejected: no record.
	_, r0 := h.findingRows(t)
	other := apptest.Get(h.call(t, agency, gqlSubmitFinding, map[string]any{"in": in, "k": orKey()}), "submitFinding", "id")
	h.call(t, fire, gqlRejectFinding, map[string]any{"id": other, "r": "证据不足", "k": orKey()})
	if _, r1 := h.findingRows(t); r1 != r0 {
		t.Errorf("rejecting a monitoring finding wrote %d hub records", r1-r0)
	}
}

// SECURITY: an agency submits only about what it may read. A record it
// may not see (shared, without record:read) and a record that does not
// exist get the same answer, word for word; with record:read it may
// verify the shared one. Other kinds of caller are refused before
// anything is read, and no refusal writes anything.
func testFindingSubmitRefusals(t *testing.T, h *orHub) {
	legacy := h.notLegacy(t)
	shared := h.pick(t, func(r orRecord) bool { return r.Publicity == "SHARED" && r.Severity != nil && r.Status == "EFFECTIVE" })
	public := h.pick(t, func(r orRecord) bool { return orPublicEffective(r) && r.Severity != nil && legacy(r) })
	licence := h.pick(t, func(r orRecord) bool { return orPublicEffective(r) && r.Kind == "LICENCE" && legacy(r) })
	_, payload, _ := gid.Decode(shared.ID)
	ref, err := gid.ParseRecord(payload)
	if err != nil {
		t.Fatal(err)
	}
	ref.LocalID = 987654321
	missing := gid.Record(ref)
	verify := func(r orRecord) map[string]any {
		return map[string]any{"in": map[string]any{"kind": "CASE_VERIFICATION", "uscc": r.USCC, "recordId": r.ID, "verdict": "DISPUTED",
			"summary": "核查", "evidence": "走访"}, "k": orKey()}
	}
	n0, r0 := h.findingRows(t)

	agency := findingAgency(t, "agency-probe")
	hidden := h.fail(t, agency, "NOT_FOUND", gqlSubmitFinding, verify(shared))
	absent := h.fail(t, agency, "NOT_FOUND", gqlSubmitFinding, verify(orRecord{USCC: shared.USCC, ID: missing}))
	if hidden.Message != absent.Message || fmt.Sprint(hidden.Extensions) != fmt.Sprint(absent.Extensions) {
		t.Errorf("a hidden record and a missing one answer differently:\n%v\n%v", hidden, absent)
	}
	// Even with every read scope but the one the record needs.
	h.fail(t, findingAgency(t, "agency-probe", auth.ScopeEntityRead), "NOT_FOUND", gqlSubmitFinding, verify(shared))
	// A monitoring finding following up the hidden record: the same.
	e := h.fail(t, agency, "NOT_FOUND", gqlSubmitFinding, map[string]any{"in": map[string]any{"kind": "MONITORING", "uscc": shared.USCC,
		"department": shared.Source, "recordId": shared.ID, "summary": "x", "evidence": "y"}, "k": orKey()})
	if e.Message != absent.Message {
		t.Errorf("a monitoring finding on a hidden record: %v", e)
	}

	for name, tc := range map[string]struct {
		who  map[string]string
		vars map[string]any
		code string
		ext  [2]string
	}{
		"the public":                  {nil, verify(public), "FORBIDDEN", [2]string{}},
		"an entity":                   {apptest.As(t, auth.KindEntity, public.USCC, "", auth.ScopeFindingSubmit), verify(public), "FORBIDDEN", [2]string{}},
		"a department":                {apptest.As(t, auth.KindDepartment, public.Source, "", auth.ScopeFindingSubmit, auth.ScopeRecordRead), verify(public), "FORBIDDEN", [2]string{}},
		"an admin":                    {apptest.As(t, auth.KindAdmin, "credit-office", "", auth.ScopeFindingSubmit), verify(public), "FORBIDDEN", [2]string{}},
		"an agency without the scope": {apptest.As(t, auth.KindAgency, "agency-probe", "", auth.ReadScopes...), verify(public), "FORBIDDEN", [2]string{}},
		"not a record's id":           {agency, verify(orRecord{USCC: public.USCC, ID: "bm90IGFuIGlk"}), "BAD_USER_INPUT", [2]string{"field", "input.recordId"}},
		"a licence":                   {agency, verify(licence), "BAD_USER_INPUT", [2]string{"field", "input.recordId"}},
		"no verdict": {agency, map[string]any{"in": map[string]any{"kind": "CASE_VERIFICATION", "recordId": public.ID, "summary": "x", "evidence": "y"}, "k": orKey()},
			"BAD_USER_INPUT", [2]string{"field", "input.verdict"}},
		"another department": {agency, map[string]any{"in": map[string]any{"kind": "CASE_VERIFICATION", "recordId": public.ID, "verdict": "CONFIRMED",
			"department": otherDept(public.Source), "summary": "x", "evidence": "y"}, "k": orKey()}, "BAD_USER_INPUT", [2]string{"owner", public.Source}},
		"another entity's record": {agency, map[string]any{"in": map[string]any{"kind": "CASE_VERIFICATION", "recordId": public.ID, "verdict": "CONFIRMED",
			"uscc": h.World.Entities[len(h.World.Entities)-1].USCC, "summary": "x", "evidence": "y"}, "k": orKey()}, "BAD_USER_INPUT", [2]string{"field", "input.recordId"}},
		"an unknown entity": {agency, map[string]any{"in": map[string]any{"kind": "MONITORING", "uscc": "91110000600037341L", "department": "market",
			"summary": "x", "evidence": "y"}, "k": orKey()}, "NOT_FOUND", [2]string{"field", "input.uscc"}},
		"an unknown department": {agency, map[string]any{"in": map[string]any{"kind": "MONITORING", "uscc": public.USCC, "department": "tax",
			"summary": "x", "evidence": "y"}, "k": orKey()}, "BAD_USER_INPUT", [2]string{"field", "input.department"}},
		"no summary": {agency, map[string]any{"in": map[string]any{"kind": "MONITORING", "uscc": public.USCC, "department": "market",
			"summary": " ", "evidence": "y"}, "k": orKey()}, "BAD_USER_INPUT", [2]string{"field", "input.summary"}},
	} {
		t.Run(name, func(t *testing.T) {
			e := h.fail(t, tc.who, tc.code, gqlSubmitFinding, tc.vars)
			if tc.ext[0] != "" && e.Extensions[tc.ext[0]] != tc.ext[1] {
				t.Errorf("extensions %v, want %s = %s", e.Extensions, tc.ext[0], tc.ext[1])
			}
		})
	}
	if n, r := h.findingRows(t); n != n0 || r != r0 {
		t.Fatalf("refusals wrote %d findings, %d hub records", n-n0, r-r0)
	}

	// With record:read the agency may see the shared record, and verify it.
	sub := apptest.Get(h.call(t, findingAgency(t, "agency-probe", auth.ScopeRecordRead), gqlSubmitFinding, verify(shared)), "submitFinding").(map[string]any)
	if sub["state"] != "SUBMITTED" || apptest.Get(sub, "department", "code") != shared.Source {
		t.Errorf("verifying a shared record with record:read: %v", sub)
	}
}

const gqlSubmitted = `query($n: Int, $after: String, $f: SubmittedFindingFilter) { submittedFindings(first: $n, after: $after, filter: $f) {
  edges { node { id agency uscc state department { code } } } pageInfo { hasNextPage endCursor } } }`

const gqlReceived = `query($n: Int, $after: String, $f: ReceivedFindingFilter) { receivedFindings(first: $n, after: $after, filter: $f) {
  edges { node { id agency uscc state department { code } } } pageInfo { hasNextPage endCursor } } }`

// The lists: an agency lists its own findings, never another's; a
// department those sent to it (SUBMITTED: awaiting its decision), the
// credit office every department's. A page is one statement on the hub,
// two with the history. Nobody else lists them.
func testFindingLists(t *testing.T, h *orHub) {
	ents := h.World.Entities[10:14]
	monitor := func(agency, uscc, dept string) string {
		in := map[string]any{"kind": "MONITORING", "uscc": uscc, "department": dept, "summary": "跟踪监测 " + agency, "evidence": "公开信息比对"}
		return apptest.Get(h.call(t, findingAgency(t, agency), gqlSubmitFinding, map[string]any{"in": in, "k": orKey()}), "submitFinding", "id").(string)
	}
	var aIDs, bIDs []string
	for i, e := range ents {
		aIDs = append([]string{monitor("agency-list-a", e.USCC, "housing")}, aIDs...)
		if i%2 == 0 {
			bIDs = append([]string{monitor("agency-list-b", e.USCC, "environment")}, bIDs...)
		}
	}
	h.call(t, findingDept(t, "housing"), gqlAcceptFinding, map[string]any{"id": aIDs[0], "k": orKey()})

	// pages reads a list a finding a page, each page one statement, and
	// returns the ids of the findings ours holds (the seed's are there
	// too); every finding listed must be the agency's or the department's
	// (field names which, want what).
	ours := map[string]bool{}
	for _, id := range append(slices.Clone(aIDs), bIDs...) {
		ours[id] = true
	}
	pages := func(who map[string]string, query, field string, filter map[string]any, whose []any, want string) []string {
		var out []string
		var after any
		for {
			r := h.Do(t, query, map[string]any{"n": 1, "after": after, "f": filter}, who)
			if len(r.Errors) > 0 {
				t.Fatalf("%s: %s", field, r.Body)
			}
			if got := r.Statements()["hub"]; got != 1 {
				t.Errorf("a page of %s cost %d hub statements, want 1 (%v)", field, got, r.Statements())
			}
			conn := apptest.Get(r.Data, field)
			for _, e := range apptest.Get(conn, "edges").([]any) {
				if got := apptest.Get(apptest.Get(e, "node"), whose...); got != want {
					t.Errorf("%s lists a finding of %v: %v", field, got, e)
				}
				if id := apptest.Get(e, "node", "id").(string); ours[id] {
					out = append(out, id)
				}
			}
			if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
				return out
			}
			after = apptest.Get(conn, "pageInfo", "endCursor")
		}
	}
	agencyOf, deptOf := []any{"agency"}, []any{"department", "code"}
	// Every read scope changes nothing: the org decides.
	if got := pages(apptest.As(t, auth.KindAgency, "agency-list-a", "", auth.ReadScopes...), gqlSubmitted, "submittedFindings", nil, agencyOf, "agency-list-a"); !slices.Equal(got, aIDs) {
		t.Errorf("agency a lists %v, want %v", got, aIDs)
	}
	if got := pages(findingAgency(t, "agency-list-b"), gqlSubmitted, "submittedFindings", map[string]any{"state": "SUBMITTED"}, agencyOf, "agency-list-b"); !slices.Equal(got, bIDs) {
		t.Errorf("agency b lists %v, want %v", got, bIDs)
	}
	if got := pages(findingDept(t, "housing"), gqlReceived, "receivedFindings", map[string]any{"state": "SUBMITTED", "kind": "MONITORING"}, deptOf, "housing"); !slices.Equal(got, aIDs[1:]) {
		t.Errorf("housing awaits %v, want %v", got, aIDs[1:])
	}
	if got := pages(findingDept(t, "environment"), gqlReceived, "receivedFindings", map[string]any{"uscc": ents[0].USCC, "kind": "MONITORING"}, deptOf, "environment"); !slices.Equal(got, bIDs[len(bIDs)-1:]) {
		t.Errorf("environment has on %s %v, want %v", ents[0].USCC, got, bIDs[len(bIDs)-1:])
	}
	office := apptest.As(t, auth.KindDepartment, "credit-office", "", auth.ScopeFindingHandle)
	if got := pages(office, gqlReceived, "receivedFindings", map[string]any{"department": "environment", "kind": "MONITORING"}, deptOf, "environment"); !slices.Equal(got, bIDs) {
		t.Errorf("the credit office lists environment's %v, want %v", got, bIDs)
	}
	// With the history: two statements, whatever the page's size.
	r := h.Do(t, `{ receivedFindings(first: 30, filter: {department: "housing", kind: MONITORING}) { edges { node { id history { action } } } } }`, nil, office)
	if edges, _ := apptest.Get(r.Data, "receivedFindings", "edges").([]any); len(r.Errors) > 0 || r.Statements()["hub"] != 2 || len(edges) < len(aIDs) ||
		apptest.Get(edges, 0, "node", "id") != aIDs[0] || apptest.Get(edges, 0, "node", "history", 1, "action") != "accept" {
		t.Errorf("a page with the history cost %v: %s", r.Statements(), r.Body)
	}

	// SECURITY: nobody else lists findings; a department not another's.
	for name, tc := range map[string]struct {
		who   map[string]string
		query string
		f     map[string]any
	}{
		"public, submitted":                   {nil, gqlSubmitted, nil},
		"an entity, submitted":                {apptest.As(t, auth.KindEntity, ents[0].USCC, "", auth.ReadScopes...), gqlSubmitted, nil},
		"a department, submitted":             {findingDept(t, "housing", auth.ScopeFindingSubmit), gqlSubmitted, nil},
		"public, received":                    {nil, gqlReceived, nil},
		"the entity, received":                {apptest.As(t, auth.KindEntity, ents[0].USCC, "", auth.ReadScopes...), gqlReceived, nil},
		"an agency, received":                 {apptest.As(t, auth.KindAgency, "agency-list-a", "", auth.ScopeFindingHandle, auth.ScopeFindingSubmit), gqlReceived, nil},
		"a department without finding:handle": {apptest.Department(t), gqlReceived, nil},
		"a department, another's":             {findingDept(t, "housing"), gqlReceived, map[string]any{"department": "environment"}},
	} {
		r := h.Do(t, tc.query, map[string]any{"f": tc.f}, tc.who)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || r.Data != nil && r.Data["submittedFindings"] != nil || r.Data != nil && r.Data["receivedFindings"] != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	// A finding is not a node: its id reaches nothing.
	r = h.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": aIDs[0]}, office)
	if apptest.Get(r.Data, "node") != nil {
		t.Errorf("node(finding id): %s", r.Body)
	}
}

// Two deciders at once on one finding: one wins, the other gets CONFLICT
// (or, if it came second, INVALID_TRANSITION); one record is created.
func testFindingConcurrentDecisions(t *testing.T, h *orHub) {
	e := h.World.Entities[20]
	fire := findingDept(t, "fire")
	for round := range 3 {
		in := map[string]any{"kind": "MONITORING", "uscc": e.USCC, "department": "fire", "summary": fmt.Sprint("并发 ", round), "evidence": "y"}
		id := apptest.Get(h.call(t, findingAgency(t, "agency-race"), gqlSubmitFinding, map[string]any{"in": in, "k": orKey()}), "submitFinding", "id")
		_, r0 := h.findingRows(t)
		var wg sync.WaitGroup
		codes := make([]string, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := h.Do(t, gqlAcceptFinding, map[string]any{"id": id, "k": orKey()}, fire)
				if len(r.Errors) > 0 {
					codes[i] = r.Errors[0].Code()
				} else {
					codes[i] = "OK"
				}
			}()
		}
		wg.Wait()
		slices.Sort(codes)
		if codes[1] != "OK" || (codes[0] != "CONFLICT" && codes[0] != "INVALID_TRANSITION") {
			t.Errorf("round %d: %v", round, codes)
		}
		if _, r1 := h.findingRows(t); r1 != r0+1 {
			t.Errorf("round %d: %d records created", round, r1-r0)
		}
	}
}
