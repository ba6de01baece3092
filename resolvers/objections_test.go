package resolvers_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/apperr"
	"credithub/internal/gid"
	"credithub/internal/workflow"
)

// orHub is a hub of its own for the objection and repair tests (they
// write), with helpers to call it as the people of the workflows.
type orHub struct {
	*apptest.Hub
	mu   sync.Mutex
	used map[string]bool
}

func newORHub(t *testing.T) *orHub {
	t.Helper()
	return &orHub{Hub: apptest.Start(t, apptest.Options{Entities: 60}), used: map[string]bool{}}
}

var orKeys atomic.Int64

// key returns a fresh idempotency key.
func orKey() string { return fmt.Sprintf("k-%d", orKeys.Add(1)) }

// call runs a query and fails the test on any error.
func (h *orHub) call(t *testing.T, who map[string]string, q string, vars map[string]any) map[string]any {
	t.Helper()
	return h.QueryAs(t, who, q, vars)
}

// fail runs a query that must be refused with exactly one error of code,
// and returns that error.
func (h *orHub) fail(t *testing.T, who map[string]string, code, q string, vars map[string]any) apptest.Error {
	t.Helper()
	r := h.Do(t, q, vars, who)
	if len(r.Errors) != 1 || r.Errors[0].Code() != code {
		t.Fatalf("want one %s error, got: %s", code, r.Body)
	}
	return r.Errors[0]
}

// orRecord is a record as a department with record:read sees it.
type orRecord struct {
	USCC, ID, Kind, Source, Status, Summary, Publicity, Decided string
	Severity                                                    any
	Entity                                                      int
}

const orRecordsQuery = `query($u: ID!) { entity(uscc: $u) { records(first: 100) { edges { node {
  id kind source { code } status summary publicity severity decisionDate } } } } }`

// records returns an entity's records as who sees them, by ID.
func (h *orHub) records(t *testing.T, who map[string]string, uscc string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	data := h.call(t, who, orRecordsQuery, map[string]any{"u": uscc})
	edges, _ := apptest.Get(data, "entity", "records", "edges").([]any)
	for _, e := range edges {
		n := apptest.Get(e, "node").(map[string]any)
		out[n["id"].(string)] = n
	}
	return out
}

// pick returns a department's record of one of the world's entities that
// ok accepts and that no test took before (nor any seeded workflow).
func (h *orHub) pick(t *testing.T, ok func(orRecord) bool) orRecord {
	t.Helper()
	hubDB := h.DBs["hub"]
	for i, e := range h.World.Entities {
		if e.LegacyUSCC {
			continue
		}
		data := h.call(t, apptest.Department(t), orRecordsQuery, map[string]any{"u": e.USCC})
		edges, _ := apptest.Get(data, "entity", "records", "edges").([]any)
		for _, edge := range edges {
			n := apptest.Get(edge, "node").(map[string]any)
			r := orRecord{USCC: e.USCC, ID: n["id"].(string), Kind: n["kind"].(string), Source: apptest.Get(n, "source", "code").(string),
				Status: n["status"].(string), Summary: n["summary"].(string), Publicity: n["publicity"].(string),
				Decided: n["decisionDate"].(string), Severity: n["severity"], Entity: i}
			if _, payload, _ := gid.Decode(r.ID); strings.HasPrefix(payload, "hub:") || !ok(r) {
				continue
			}
			h.mu.Lock()
			taken := h.used[r.ID]
			h.used[r.ID] = true
			h.mu.Unlock()
			if taken {
				continue
			}
			var workflows int
			if err := hubDB.Get(&workflows, `SELECT (SELECT count(*) FROM objection WHERE record_id = $1) + (SELECT count(*) FROM repair WHERE record_id = $1)`, r.ID); err != nil {
				t.Fatal(err)
			}
			if workflows == 0 {
				return r
			}
		}
	}
	t.Fatal("no record of the synthetic world fits this test")
	return orRecord{}
}

// publicEffective accepts a public record in force.
func orPublicEffective(r orRecord) bool { return r.Publicity == "PUBLIC" && r.Status == "EFFECTIVE" }

// overlays returns the kinds of the active overlays on a record.
func (h *orHub) overlays(t *testing.T, recordID string) []string {
	t.Helper()
	var kinds []string
	if err := h.DBs["hub"].Select(&kinds, `SELECT kind FROM record_overlay WHERE record_id = $1 AND active ORDER BY id`, recordID); err != nil {
		t.Fatal(err)
	}
	return kinds
}

// rows counts a workflow's rows and history rows, to show that a refused
// call wrote nothing.
func (h *orHub) rows(t *testing.T) string {
	t.Helper()
	var n struct {
		Objections int `db:"objections"`
		Repairs    int `db:"repairs"`
		History    int `db:"history"`
		Overlays   int `db:"overlays"`
		Active     int `db:"active"`
	}
	if err := h.DBs["hub"].Get(&n, `SELECT (SELECT count(*) FROM objection) AS objections, (SELECT count(*) FROM repair) AS repairs,
		(SELECT count(*) FROM workflow_history) AS history, (SELECT count(*) FROM record_overlay) AS overlays,
		(SELECT count(*) FROM record_overlay WHERE active) AS active`); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", n)
}

func orActions(history any) []string {
	var out []string
	for _, e := range history.([]any) {
		out = append(out, apptest.Get(e, "action").(string))
	}
	return out
}

// The callers of the objection workflow.
func orEntity(t *testing.T, uscc string) map[string]string {
	return apptest.As(t, auth.KindEntity, uscc, "", auth.EntitySelfScopes...)
}

func orOffice(t *testing.T) map[string]string {
	return apptest.As(t, auth.KindDepartment, workflow.CreditOfficeOrg, "", auth.ScopeObjectionHandle, auth.ScopeRepairReview, auth.ScopeRecordRead)
}

// deciderCaller is a department with the deciding scopes and record:read,
// which it needs to read the answer (Objection and Repair are SHARED).
func orDecider(t *testing.T, department string) map[string]string {
	return apptest.As(t, auth.KindDepartment, department, "", auth.ScopeObjectionHandle, auth.ScopeRepairReview,
		auth.ScopeRecordRead, auth.ScopeEntityRead)
}

const orObjectionFields = `fragment O on Objection { id recordId state checkDue decisionDue extended overdue outcome decisionReason
  filedBy department { code } record { id status summary }
  history { action from to actor actorOrg reason } }`

const (
	orFile = `mutation($r: ID!, $why: String!, $k: String!) {
  fileObjection(recordId: $r, reason: $why, idempotencyKey: $k) { ...O } }` + orObjectionFields
	orCheck  = `mutation($id: ID!, $k: String!) { checkObjection(id: $id, idempotencyKey: $k) { ...O } }` + orObjectionFields
	orExtend = `mutation($id: ID!, $k: String!) {
  extendObjection(id: $id, approvedBy: "分管副局长 李明", reason: "需现场核实", idempotencyKey: $k) { ...O } }` + orObjectionFields
	orUphold = `mutation($id: ID!, $outcome: ObjectionOutcome!, $c: RecordCorrectionInput, $k: String!) {
  upholdObjection(id: $id, outcome: $outcome, correction: $c, reason: "核实有误", idempotencyKey: $k) { ...O } }` + orObjectionFields
	orReject = `mutation($id: ID!, $k: String!) {
  rejectObjection(id: $id, reason: "经核实，信息准确", idempotencyKey: $k) { ...O } }` + orObjectionFields
)

// file files an objection as the record's entity and returns it.
func (h *orHub) file(t *testing.T, r orRecord) map[string]any {
	t.Helper()
	data := h.call(t, orEntity(t, r.USCC), orFile, map[string]any{"r": r.ID, "why": "该处罚已被复议撤销", "k": orKey()})
	return apptest.Get(data, "fileObjection").(map[string]any)
}

// checked files and checks an objection against r.
func (h *orHub) checked(t *testing.T, r orRecord) string {
	t.Helper()
	id := h.file(t, r)["id"].(string)
	h.call(t, orOffice(t), orCheck, map[string]any{"id": id, "k": orKey()})
	return id
}

// The objection's happy paths as the entity, the public and a department
// see them: under objection at once; corrected; revoked; rejected.
func TestObjectionLifecycle(t *testing.T) {
	t.Parallel()
	h := newORHub(t)

	t.Run("filed, the record is under objection at once", func(t *testing.T) {
		r := h.pick(t, orPublicEffective)
		o := h.file(t, r)
		if o["state"] != "FILED" || o["checkDue"] == nil || o["decisionDue"] != nil || o["overdue"] != false || o["filedBy"] != r.USCC {
			t.Fatalf("filed objection %v", o)
		}
		if apptest.Get(o, "department", "code") != r.Source || apptest.Get(o, "record", "status") != "UNDER_OBJECTION" {
			t.Fatalf("objection's department or record: %v", o)
		}
		for name, who := range map[string]map[string]string{"public": nil, "department": apptest.Department(t), "entity": orEntity(t, r.USCC)} {
			if got := apptest.Get(h.records(t, who, r.USCC)[r.ID], "status"); got != "UNDER_OBJECTION" {
				t.Errorf("%s reads status %v, want UNDER_OBJECTION", name, got)
			}
		}
		// The entity finds it among its objections; so does a department.
		data := h.call(t, orEntity(t, r.USCC), `query($u: ID!) { entity(uscc: $u) { objections { id state } } }`, map[string]any{"u": r.USCC})
		if got := apptest.Get(data, "entity", "objections", 0, "id"); got != o["id"] {
			t.Errorf("entity.objections = %v", apptest.Get(data, "entity", "objections"))
		}
		data = h.call(t, apptest.Department(t), `query($id: ID!) { node(id: $id) { ... on Objection { id state recordId } } }`, map[string]any{"id": o["id"]})
		if apptest.Get(data, "node", "recordId") != r.ID {
			t.Errorf("node(objection) = %v", data)
		}
	})

	t.Run("upheld with a correction: the corrected summary, status CORRECTED", func(t *testing.T) {
		r := h.pick(t, orPublicEffective)
		id := h.file(t, r)["id"].(string)
		checked := apptest.Get(h.call(t, orOffice(t), orCheck, map[string]any{"id": id, "k": orKey()}), "checkObjection")
		if apptest.Get(checked, "state") != "CHECKED" || apptest.Get(checked, "decisionDue") == nil {
			t.Fatalf("checked: %v", checked)
		}
		const corrected = "经复核，违法事实更正为：未按规定公示年度报告"
		o := apptest.Get(h.call(t, orDecider(t, r.Source), orUphold, map[string]any{"id": id, "outcome": "CORRECT",
			"c": map[string]any{"summary": corrected}, "k": orKey()}), "upholdObjection")
		if apptest.Get(o, "state") != "UPHELD" || apptest.Get(o, "outcome") != "CORRECT" || apptest.Get(o, "decisionReason") != "核实有误" {
			t.Fatalf("upheld: %v", o)
		}
		if got := orActions(apptest.Get(o, "history")); !slices.Equal(got, []string{"file", "check", "uphold"}) {
			t.Errorf("history %v", got)
		}
		if apptest.Get(o, "history", 1, "actorOrg") != workflow.CreditOfficeOrg || apptest.Get(o, "history", 2, "actorOrg") != r.Source ||
			apptest.Get(o, "history", 0, "actorOrg") != r.USCC {
			t.Errorf("history actors: %v", apptest.Get(o, "history"))
		}
		rec := h.records(t, nil, r.USCC)[r.ID]
		if rec["summary"] != corrected || rec["status"] != "CORRECTED" {
			t.Fatalf("the public reads %v, want the corrected summary and CORRECTED", rec)
		}
		if got := h.overlays(t, r.ID); !slices.Equal(got, []string{"CORRECTED"}) {
			t.Errorf("active overlays %v, want the correction only (UNDER_OBJECTION kept inactive)", got)
		}
	})

	t.Run("upheld by revoking: the public no longer sees the record, a department sees it REVOKED", func(t *testing.T) {
		r := h.pick(t, orPublicEffective)
		id := h.checked(t, r)
		h.call(t, orDecider(t, r.Source), orUphold, map[string]any{"id": id, "outcome": "REVOKE", "k": orKey()})
		if _, seen := h.records(t, nil, r.USCC)[r.ID]; seen {
			t.Error("the public still sees a revoked record")
		}
		if got := apptest.Get(h.records(t, apptest.Department(t), r.USCC)[r.ID], "status"); got != "REVOKED" {
			t.Errorf("a department reads %v, want REVOKED", got)
		}
	})

	t.Run("rejected: the record is back to what the department says", func(t *testing.T) {
		r := h.pick(t, orPublicEffective)
		id := h.checked(t, r)
		o := apptest.Get(h.call(t, orDecider(t, r.Source), orReject, map[string]any{"id": id, "k": orKey()}), "rejectObjection")
		if apptest.Get(o, "state") != "REJECTED" || apptest.Get(o, "decisionReason") != "经核实，信息准确" || apptest.Get(o, "outcome") != nil {
			t.Fatalf("rejected: %v", o)
		}
		rec := h.records(t, nil, r.USCC)[r.ID]
		if rec["status"] != r.Status || rec["summary"] != r.Summary {
			t.Errorf("the public reads %v, want status %s and the department's summary", rec, r.Status)
		}
		if got := h.overlays(t, r.ID); len(got) != 0 {
			t.Errorf("active overlays after a rejection: %v", got)
		}
	})

	t.Run("extended once, with approval", func(t *testing.T) {
		r := h.pick(t, orPublicEffective)
		id := h.checked(t, r)
		before := apptest.Get(h.call(t, apptest.Department(t), `query($id: ID!) { node(id: $id) { ... on Objection { decisionDue } } }`,
			map[string]any{"id": id}), "node", "decisionDue")
		o := apptest.Get(h.call(t, orDecider(t, r.Source), orExtend, map[string]any{"id": id, "k": orKey()}), "extendObjection")
		if apptest.Get(o, "extended") != true || apptest.Get(o, "decisionDue") == before || apptest.Get(o, "state") != "CHECKED" {
			t.Fatalf("extended: %v (decision was due %v)", o, before)
		}
		if why := apptest.Get(o, "history", 2, "reason").(string); !strings.Contains(why, "分管副局长 李明") {
			t.Errorf("the extension's history does not name who approved it: %q", why)
		}
	})
}

// Every illegal transition, wrong department and missing scope is refused
// with its code, naming what is wrong, and writes nothing.
func TestObjectionRefusals(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	r := h.pick(t, orPublicEffective)
	other := h.pick(t, func(x orRecord) bool { return orPublicEffective(x) && x.USCC != r.USCC })
	provider := orDecider(t, r.Source)
	wrongDept := orDecider(t, map[bool]string{true: "fire", false: "market"}[r.Source == "market"])
	id := h.file(t, r)["id"].(string)

	transition := func(t *testing.T, who map[string]string, q string, vars map[string]any, state, action string) {
		t.Helper()
		before := h.rows(t)
		e := h.fail(t, who, "INVALID_TRANSITION", q, vars)
		if e.Extensions["state"] != state || e.Extensions["action"] != action {
			t.Errorf("extensions %v, want state %s action %s", e.Extensions, state, action)
		}
		if !strings.Contains(e.Message, state) || !strings.Contains(e.Message, action) {
			t.Errorf("message %q does not name the state and the action", e.Message)
		}
		if after := h.rows(t); after != before {
			t.Errorf("a refused transition wrote: %s → %s", before, after)
		}
	}
	refused := func(t *testing.T, who map[string]string, code, q string, vars map[string]any) apptest.Error {
		t.Helper()
		before := h.rows(t)
		e := h.fail(t, who, code, q, vars)
		if after := h.rows(t); after != before {
			t.Errorf("a refused call wrote: %s → %s", before, after)
		}
		return e
	}

	t.Run("decisions before the platform's check", func(t *testing.T) {
		transition(t, provider, orUphold, map[string]any{"id": id, "outcome": "REVOKE", "k": orKey()}, "FILED", "uphold")
		transition(t, provider, orReject, map[string]any{"id": id, "k": orKey()}, "FILED", "reject")
		transition(t, provider, orExtend, map[string]any{"id": id, "k": orKey()}, "FILED", "extend")
	})
	t.Run("a second objection while one is open", func(t *testing.T) {
		e := refused(t, orEntity(t, r.USCC), "CONFLICT", orFile, map[string]any{"r": r.ID, "why": "again", "k": orKey()})
		if !strings.Contains(e.Message, "already open") {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("filing against another entity's record", func(t *testing.T) {
		e := refused(t, orEntity(t, r.USCC), "BAD_USER_INPUT", orFile, map[string]any{"r": other.ID, "why": "not mine", "k": orKey()})
		if e.Extensions["field"] != "recordId" {
			t.Errorf("extensions %v, want field recordId", e.Extensions)
		}
	})
	t.Run("filing anonymously or as a department", func(t *testing.T) {
		refused(t, nil, "FORBIDDEN", orFile, map[string]any{"r": r.ID, "why": "x", "k": orKey()})
		refused(t, provider, "FORBIDDEN", orFile, map[string]any{"r": other.ID, "why": "x", "k": orKey()})
	})
	t.Run("bad input", func(t *testing.T) {
		e := refused(t, orEntity(t, other.USCC), "BAD_USER_INPUT", orFile, map[string]any{"r": other.ID, "why": "   ", "k": orKey()})
		if e.Extensions["field"] != "reason" {
			t.Errorf("extensions %v, want field reason", e.Extensions)
		}
		e = refused(t, orEntity(t, other.USCC), "BAD_USER_INPUT", orFile, map[string]any{"r": gid.Entity(other.USCC), "why": "x", "k": orKey()})
		if e.Extensions["field"] != "recordId" {
			t.Errorf("extensions %v, want field recordId", e.Extensions)
		}
		refused(t, provider, "BAD_USER_INPUT", orCheck, map[string]any{"id": r.ID, "k": orKey()})
	})
	t.Run("checking: only the credit office, with the scope", func(t *testing.T) {
		e := refused(t, provider, "FORBIDDEN", orCheck, map[string]any{"id": id, "k": orKey()})
		if e.Extensions["owner"] != workflow.CreditOfficeOrg {
			t.Errorf("extensions %v", e.Extensions)
		}
		noScope := apptest.As(t, auth.KindDepartment, workflow.CreditOfficeOrg, "", auth.ScopeRecordRead)
		e = refused(t, noScope, "FORBIDDEN", orCheck, map[string]any{"id": id, "k": orKey()})
		if fmt.Sprint(e.Extensions["requiredScopes"]) != "[objection:handle]" || !strings.Contains(e.Message, "objection:handle") {
			t.Errorf("missing scope not named: %+v", e)
		}
		refused(t, orEntity(t, r.USCC), "FORBIDDEN", orCheck, map[string]any{"id": id, "k": orKey()})
	})
	h.call(t, orOffice(t), orCheck, map[string]any{"id": id, "k": orKey()})
	t.Run("checking twice", func(t *testing.T) {
		transition(t, orOffice(t), orCheck, map[string]any{"id": id, "k": orKey()}, "CHECKED", "check")
	})
	t.Run("deciding: only the providing department, with the scope", func(t *testing.T) {
		e := refused(t, wrongDept, "FORBIDDEN", orReject, map[string]any{"id": id, "k": orKey()})
		if e.Extensions["owner"] != r.Source {
			t.Errorf("extensions %v, want owner %s", e.Extensions, r.Source)
		}
		refused(t, wrongDept, "FORBIDDEN", orExtend, map[string]any{"id": id, "k": orKey()})
		noScope := apptest.As(t, auth.KindDepartment, r.Source, "", auth.ScopeRecordRead)
		e = refused(t, noScope, "FORBIDDEN", orUphold, map[string]any{"id": id, "outcome": "REVOKE", "k": orKey()})
		if fmt.Sprint(e.Extensions["requiredScopes"]) != "[objection:handle]" {
			t.Errorf("missing scope not named: %+v", e)
		}
		refused(t, orEntity(t, r.USCC), "FORBIDDEN", orReject, map[string]any{"id": id, "k": orKey()})
	})
	t.Run("an uphold's correction must fit its outcome", func(t *testing.T) {
		e := refused(t, provider, "BAD_USER_INPUT", orUphold, map[string]any{"id": id, "outcome": "CORRECT", "k": orKey()})
		if e.Extensions["field"] != "correction" {
			t.Errorf("extensions %v", e.Extensions)
		}
		refused(t, provider, "BAD_USER_INPUT", orUphold, map[string]any{"id": id, "outcome": "REVOKE", "c": map[string]any{"summary": "x"}, "k": orKey()})
		e = refused(t, provider, "BAD_USER_INPUT", orUphold, map[string]any{"id": id, "outcome": "CORRECT", "c": map[string]any{"decisionDate": "2999-01-01"}, "k": orKey()})
		if e.Extensions["field"] != "correction.decisionDate" {
			t.Errorf("extensions %v", e.Extensions)
		}
	})
	h.call(t, provider, orExtend, map[string]any{"id": id, "k": orKey()})
	t.Run("extending twice", func(t *testing.T) {
		transition(t, provider, orExtend, map[string]any{"id": id, "k": orKey()}, "CHECKED", "extend")
	})
	h.call(t, provider, orReject, map[string]any{"id": id, "k": orKey()})
	t.Run("after the decision", func(t *testing.T) {
		transition(t, orOffice(t), orCheck, map[string]any{"id": id, "k": orKey()}, "REJECTED", "check")
		transition(t, provider, orUphold, map[string]any{"id": id, "outcome": "REVOKE", "k": orKey()}, "REJECTED", "uphold")
		transition(t, provider, orReject, map[string]any{"id": id, "k": orKey()}, "REJECTED", "reject")
		transition(t, provider, orExtend, map[string]any{"id": id, "k": orKey()}, "REJECTED", "extend")
	})
	t.Run("a decided objection does not block a new one", func(t *testing.T) {
		if o := h.file(t, r); o["state"] != "FILED" || o["id"] == id {
			t.Errorf("new objection %v", o)
		}
	})
}

// A retried request returns the first answer and writes nothing twice, even
// when the state has moved on since.
func TestObjectionIdempotentRetry(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	r := h.pick(t, orPublicEffective)
	entity := orEntity(t, r.USCC)
	key := orKey()
	vars := map[string]any{"r": r.ID, "why": "该处罚已被复议撤销", "k": key}
	first := apptest.Get(h.call(t, entity, orFile, vars), "fileObjection")
	before := h.rows(t)
	again := apptest.Get(h.call(t, entity, orFile, vars), "fileObjection")
	if apptest.Get(again, "id") != apptest.Get(first, "id") || apptest.Get(again, "state") != "FILED" {
		t.Fatalf("retry answered %v, first %v", again, first)
	}
	if after := h.rows(t); after != before {
		t.Errorf("the retry wrote: %s → %s", before, after)
	}
	id := apptest.Get(first, "id").(string)
	h.call(t, orOffice(t), orCheck, map[string]any{"id": id, "k": orKey()})
	provider := orDecider(t, r.Source)
	uphold := map[string]any{"id": id, "outcome": "REVOKE", "k": orKey()}
	h.call(t, provider, orUphold, uphold)
	before = h.rows(t)
	// The same decision retried after it committed: the first answer, not
	// an illegal transition.
	again = apptest.Get(h.call(t, provider, orUphold, uphold), "upholdObjection")
	if apptest.Get(again, "state") != "UPHELD" {
		t.Fatalf("retried uphold answered %v", again)
	}
	if after := h.rows(t); after != before {
		t.Errorf("the retried uphold wrote: %s → %s", before, after)
	}
	// A key belongs to one operation.
	e := h.fail(t, provider, "BAD_USER_INPUT", orReject, map[string]any{"id": id, "k": uphold["k"]})
	if e.Extensions["field"] != "idempotencyKey" {
		t.Errorf("extensions %v", e.Extensions)
	}
}

// Two deciders at once on the same objection: exactly one wins, the other
// is told so, and one decision is recorded.
func TestObjectionConcurrentDeciders(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	for round := 0; round < 4; round++ {
		r := h.pick(t, orPublicEffective)
		id := h.checked(t, r)
		provider := orDecider(t, r.Source)
		calls := []struct {
			q    string
			vars map[string]any
		}{
			{orUphold, map[string]any{"id": id, "outcome": "REVOKE", "k": orKey()}},
			{orReject, map[string]any{"id": id, "k": orKey()}},
		}
		answers := make([]*apptest.Response, len(calls))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, c := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = h.Do(t, c.q, c.vars, provider)
			}()
		}
		close(start)
		wg.Wait()
		won, lost := 0, 0
		for _, a := range answers {
			switch {
			case len(a.Errors) == 0:
				won++
			case len(a.Errors) == 1 && (a.Errors[0].Code() == "CONFLICT" || a.Errors[0].Code() == "INVALID_TRANSITION"):
				lost++
			default:
				t.Errorf("round %d: unexpected answer %s", round, a.Body)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d won, %d lost; want exactly one of each: %s / %s", round, won, lost, answers[0].Body, answers[1].Body)
		}
		o := h.call(t, apptest.Department(t), `query($id: ID!) { node(id: $id) { ... on Objection { state history { action } } } }`, map[string]any{"id": id})
		got := orActions(apptest.Get(o, "node", "history"))
		decisions := 0
		for _, a := range got {
			if a == "uphold" || a == "reject" {
				decisions++
			}
		}
		if decisions != 1 {
			t.Errorf("round %d: history %v, want one decision", round, got)
		}
		want := map[string][]string{"UPHELD": {"REVOKED"}, "REJECTED": nil}[apptest.Get(o, "node", "state").(string)]
		if got := h.overlays(t, r.ID); !slices.Equal(got, want) {
			t.Errorf("round %d: %s objection leaves overlays %v, want %v", round, apptest.Get(o, "node", "state"), got, want)
		}
	}
}

// The objections query: filters, the overdue list, keyset pages.
func TestObjectionsQuery(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	var ids []string
	var recs []orRecord
	for i := 0; i < 5; i++ {
		r := h.pick(t, orPublicEffective)
		recs = append(recs, r)
		ids = append(ids, h.file(t, r)["id"].(string))
	}
	h.call(t, orOffice(t), orCheck, map[string]any{"id": ids[1], "k": orKey()})
	// The platform's clock moves on: two of them are now past their
	// deadlines.
	for _, id := range ids[:2] {
		n, _ := workflow.DecodeID(workflow.TypeObjection, id)
		if _, err := h.DBs["hub"].Exec(`UPDATE objection SET check_due = check_due - 30, decision_due = decision_due - 30 WHERE id = $1`, n); err != nil {
			t.Fatal(err)
		}
	}
	reader := apptest.Department(t)
	// list returns the page's objections among this test's (the seeded
	// data may hold others).
	list := func(filter map[string]any, first int, after any) (mine []string, next any) {
		data := h.call(t, reader, `query($f: ObjectionFilter, $n: Int, $a: String) { objections(filter: $f, first: $n, after: $a) {
		  edges { cursor node { id overdue state } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"f": filter, "n": first, "a": after})
		for _, e := range apptest.Get(data, "objections", "edges").([]any) {
			if id := apptest.Get(e, "node", "id").(string); slices.Contains(ids, id) {
				mine = append(mine, id)
			}
		}
		if apptest.Get(data, "objections", "pageInfo", "hasNextPage") == true {
			next = apptest.Get(data, "objections", "pageInfo", "endCursor")
		}
		return mine, next
	}
	overdue, _ := list(map[string]any{"overdue": true}, 20, nil)
	if !slices.Equal(overdue, []string{ids[1], ids[0]}) {
		t.Errorf("overdue objections %v, want %v (newest first)", overdue, []string{ids[1], ids[0]})
	}
	onTime, _ := list(map[string]any{"overdue": false}, 20, nil)
	if !slices.Equal(onTime, []string{ids[4], ids[3], ids[2]}) {
		t.Errorf("objections on time %v", onTime)
	}
	checked, _ := list(map[string]any{"state": "CHECKED"}, 20, nil)
	if !slices.Equal(checked, []string{ids[1]}) {
		t.Errorf("CHECKED objections %v", checked)
	}
	byEntity, _ := list(map[string]any{"uscc": recs[2].USCC}, 20, nil)
	if !slices.Contains(byEntity, ids[2]) {
		t.Errorf("objections of %s: %v", recs[2].USCC, byEntity)
	}
	byDept, _ := list(map[string]any{"department": recs[3].Source}, 20, nil)
	if !slices.Contains(byDept, ids[3]) {
		t.Errorf("objections of %s: %v", recs[3].Source, byDept)
	}
	// Pages of two, in order, each once.
	var paged []string
	var after any
	for pages := 0; pages < 1000; pages++ {
		page, next := list(nil, 2, after)
		paged = append(paged, page...)
		if next == nil {
			break
		}
		after = next
	}
	if !slices.Equal(paged, []string{ids[4], ids[3], ids[2], ids[1], ids[0]}) {
		t.Errorf("paged %v", paged)
	}
	h.fail(t, reader, "BAD_USER_INPUT", `{ objections(filter: {department: "nowhere"}) { edges { cursor } } }`, nil)
	h.fail(t, reader, "BAD_USER_INPUT", `{ objections(after: "bm9wZQ") { edges { cursor } } }`, nil)
	// SECURITY: the list is for departments sharing records.
	for name, who := range map[string]map[string]string{"public": nil, "entity": orEntity(t, recs[0].USCC)} {
		r := h.Do(t, `{ objections { edges { node { id reason } } } }`, nil, who)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "objections") != nil {
			t.Errorf("%s read the objections list: %s", name, r.Body)
		}
	}
	// SECURITY: another entity does not read this entity's objections.
	stranger := h.World.Entities[len(h.World.Entities)-1].USCC
	if stranger == recs[0].USCC {
		t.Fatal("the world's last entity has the test's objections")
	}
	r := h.Do(t, `query($u: ID!) { entity(uscc: $u) { objections { id reason } } }`, map[string]any{"u": recs[0].USCC}, orEntity(t, stranger))
	if !strings.Contains(string(r.Body), "FORBIDDEN") || strings.Contains(string(r.Body), "该处罚已被复议撤销") {
		t.Errorf("another entity read the objections: %s", r.Body)
	}
}

// SECURITY: an objection against a natural person's record is filed for the
// person by a department holding person:read, with a purpose, and shown only
// to callers who may read the person's data.
func TestObjectionForAPerson(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	const purpose = "OBJECTION_HANDLING"
	counter := apptest.As(t, auth.KindDepartment, "market", purpose, auth.ScopeObjectionFile, auth.ScopePersonRead, auth.ScopeRecordRead, auth.ScopeEntityRead)
	var recordID, idNo string
	var people []string
	for _, p := range h.World.Individuals {
		people = append(people, p.IDNo)
	}
	for _, e := range h.World.Entities {
		for _, p := range e.Persons() {
			people = append(people, p.IDNo)
		}
	}
	for _, id := range people {
		data := h.call(t, counter, `query($id: String!) { person(idNumber: $id) { records(first: 5) { edges { node { id status } } } } }`, map[string]any{"id": id})
		if rid, ok := apptest.Get(data, "person", "records", "edges", 0, "node", "id").(string); ok {
			recordID, idNo = rid, id
			break
		}
	}
	if recordID == "" {
		t.Fatal("no person of the synthetic world has a credit record")
	}
	vars := map[string]any{"r": recordID, "why": "本人从未涉诉，身份证号码被冒用", "k": orKey()}
	before := h.rows(t)
	noPersonRead := apptest.As(t, auth.KindDepartment, "market", purpose, auth.ScopeObjectionFile, auth.ScopeRecordRead)
	e := h.fail(t, noPersonRead, "FORBIDDEN", orFile, vars)
	if fmt.Sprint(e.Extensions["requiredScopes"]) != "[person:read]" {
		t.Errorf("refusal %+v does not name person:read", e)
	}
	h.fail(t, apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeObjectionFile, auth.ScopePersonRead, auth.ScopeRecordRead), apperr.PurposeRequired, orFile, vars)
	h.fail(t, apptest.As(t, auth.KindAgency, "agency-007", purpose, auth.ScopeObjectionFile, auth.ScopePersonRead, auth.ScopeRecordRead), "FORBIDDEN", orFile, vars)
	// Reading the person's records is not filing for them.
	e = h.fail(t, apptest.As(t, auth.KindDepartment, "market", purpose, auth.ScopePersonRead, auth.ScopeRecordRead), "FORBIDDEN", orFile, vars)
	if fmt.Sprint(e.Extensions["requiredScopes"]) != "[objection:file]" {
		t.Errorf("refusal %+v does not name objection:file", e)
	}
	if after := h.rows(t); after != before {
		t.Errorf("refused filings wrote: %s → %s", before, after)
	}
	o := apptest.Get(h.call(t, counter, orFile, vars), "fileObjection")
	if apptest.Get(o, "state") != "FILED" || apptest.Get(o, "department", "code") != "court" {
		t.Fatalf("filed for a person: %v", o)
	}
	id := apptest.Get(o, "id").(string)
	listed := func(who map[string]string) bool {
		data := h.call(t, who, `{ objections(first: 100) { edges { node { id } } } }`, nil)
		for _, e := range apptest.Get(data, "objections", "edges").([]any) {
			if apptest.Get(e, "node", "id") == id {
				return true
			}
		}
		return false
	}
	if listed(apptest.Department(t)) {
		t.Error("a department without person:read lists an objection against a person's record")
	}
	if !listed(counter) {
		t.Error("a department with person:read and a purpose does not list it")
	}
	r := h.Do(t, `query($id: ID!) { node(id: $id) { ... on Objection { reason } } }`, map[string]any{"id": id}, apptest.Department(t))
	if len(r.Errors) == 0 || strings.Contains(string(r.Body), "冒用") || strings.Contains(string(r.Body), idNo) {
		t.Errorf("node(id) of a person's objection without person:read: %s", r.Body)
	}
	// The same in a department's work (issue #15): the court's and the
	// credit office's myWork list it only for a caller who may read the
	// person's data, the deadline naming no entity.
	inWork := func(who map[string]string) (objections, deadlines bool) {
		data := h.call(t, who, `{ myWork(withinWorkingDays: 60) { objections { id } deadlines { objectId uscc } } }`, nil)
		for _, o := range asList(apptest.Get(data, "myWork", "objections")) {
			objections = objections || apptest.Get(o, "id") == id
		}
		for _, d := range asList(apptest.Get(data, "myWork", "deadlines")) {
			if apptest.Get(d, "objectId") == id {
				deadlines = true
				if apptest.Get(d, "uscc") != nil {
					t.Errorf("a person's objection's deadline names an entity: %v", d)
				}
			}
		}
		return objections, deadlines
	}
	for _, org := range []string{"court", workflow.CreditOfficeOrg} {
		if o, d := inWork(apptest.As(t, auth.KindDepartment, org, "", auth.ScopeEntityRead, auth.ScopeRecordRead)); o || d {
			t.Errorf("%s's work without person:read lists the objection against a person's record (objections %v, deadlines %v)", org, o, d)
		}
		if o, d := inWork(apptest.As(t, auth.KindDepartment, org, purpose, auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopePersonRead)); !o || !d {
			t.Errorf("%s's work with person:read and a purpose lacks it (objections %v, deadlines %v)", org, o, d)
		}
	}
}
