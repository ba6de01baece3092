package resolvers_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/scalars"
	"credithub/internal/workflow"
)

const orRepairFields = `fragment R on Repair { id recordId state acceptDue decisionDue overdue refusalRule decisionReason
  commitment obligationsFulfilled lastRecheckAt department { code } entity { uscc }
  record { id status } history { action from to actorOrg reason } }`

const (
	orApply = `mutation($r: ID!, $ok: Boolean!, $k: String!) {
  applyRepair(input: {recordId: $r, commitment: "本单位承诺今后依法经营，接受社会监督", obligationsFulfilled: $ok}, idempotencyKey: $k) { ...R } }` + orRepairFields
	orAccept = `mutation($id: ID!, $k: String!) { acceptRepair(id: $id, idempotencyKey: $k) { ...R } }` + orRepairFields
	orRefuse = `mutation($id: ID!, $rule: String!, $k: String!) {
  refuseRepair(id: $id, rule: $rule, reason: "不符合修复条件", idempotencyKey: $k) { ...R } }` + orRepairFields
	orDecide = `mutation($id: ID!, $yes: Boolean!, $k: String!) {
  decideRepair(id: $id, repaired: $yes, reason: "已履行义务并作出承诺", idempotencyKey: $k) { ...R } }` + orRepairFields
	orRecheck = `mutation($id: ID!, $ok: Boolean!, $k: String!) {
  recheckRepair(id: $id, correct: $ok, reason: "复查", idempotencyKey: $k) { ...R } }` + orRepairFields
	orSample = `mutation($n: Int!, $seed: String!, $k: String!) {
  sampleRepairsForRecheck(count: $n, seed: $seed, idempotencyKey: $k) { id state lastRecheckAt history { action } } }`
)

// minMonths returns the minimum publication periods (publication_period).
func (h *orHub) minMonths(t *testing.T) map[string]int {
	t.Helper()
	var rows []struct {
		Severity string `db:"severity"`
		Min      int    `db:"min_months"`
	}
	if err := h.DBs["hub"].Select(&rows, `SELECT severity, min_months FROM publication_period`); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Severity] = r.Min
	}
	return out
}

var orCourtKinds = []string{"DISHONEST_DEBTOR", "CONSUMPTION_RESTRICTION", "FALSE_LITIGATION"}

// repairable accepts a public dishonesty record in force whose minimum
// publication period has passed, not a court list.
func (h *orHub) repairable(t *testing.T, severities ...string) func(orRecord) bool {
	mins := h.minMonths(t)
	today := scalars.DateOf(time.Now())
	return func(r orRecord) bool {
		sev, ok := r.Severity.(string)
		if !ok || !orPublicEffective(r) || slices.Contains(orCourtKinds, r.Kind) || (len(severities) > 0 && !slices.Contains(severities, sev)) {
			return false
		}
		decided, err := scalars.ParseDate(r.Decided)
		return err == nil && !today.Before(workflow.RepairableFrom(decided, mins[sev]))
	}
}

// applied applies to repair r as its entity.
func (h *orHub) applied(t *testing.T, r orRecord, fulfilled bool) map[string]any {
	t.Helper()
	data := h.call(t, orEntity(t, r.USCC), orApply, map[string]any{"r": r.ID, "ok": fulfilled, "k": orKey()})
	return apptest.Get(data, "applyRepair").(map[string]any)
}

// repaired applies, accepts and grants the repair of r.
func (h *orHub) repaired(t *testing.T, r orRecord) string {
	t.Helper()
	id := h.applied(t, r, true)["id"].(string)
	provider := orDecider(t, r.Source)
	h.call(t, provider, orAccept, map[string]any{"id": id, "k": orKey()})
	h.call(t, provider, orDecide, map[string]any{"id": id, "yes": true, "k": orKey()})
	return id
}

// The repair's happy paths as the public and a department see them.
func TestRepairLifecycle(t *testing.T) {
	t.Parallel()
	h := newORHub(t)

	t.Run("repaired: out of public view, REPAIRED for departments; a wrong repair reversed: public again", func(t *testing.T) {
		r := h.pick(t, h.repairable(t))
		if _, seen := h.records(t, nil, r.USCC)[r.ID]; !seen {
			t.Fatalf("the public does not see %s before its repair", r.ID)
		}
		rep := h.applied(t, r, true)
		id := rep["id"].(string)
		if rep["state"] != "APPLIED" || rep["acceptDue"] == nil || rep["decisionDue"] != nil || rep["overdue"] != false ||
			apptest.Get(rep, "entity", "uscc") != r.USCC || apptest.Get(rep, "department", "code") != r.Source ||
			apptest.Get(rep, "record", "id") != r.ID || rep["obligationsFulfilled"] != true {
			t.Fatalf("applied: %v", rep)
		}
		provider := orDecider(t, r.Source)
		rep = apptest.Get(h.call(t, provider, orAccept, map[string]any{"id": id, "k": orKey()}), "acceptRepair").(map[string]any)
		if rep["state"] != "ACCEPTED" || rep["decisionDue"] == nil {
			t.Fatalf("accepted: %v", rep)
		}
		rep = apptest.Get(h.call(t, provider, orDecide, map[string]any{"id": id, "yes": true, "k": orKey()}), "decideRepair").(map[string]any)
		if rep["state"] != "REPAIRED" || rep["decisionReason"] != "已履行义务并作出承诺" || apptest.Get(rep, "record", "status") != "REPAIRED" {
			t.Fatalf("repaired: %v", rep)
		}
		if _, seen := h.records(t, nil, r.USCC)[r.ID]; seen {
			t.Error("the public still sees a repaired record")
		}
		if got := apptest.Get(h.records(t, apptest.Department(t), r.USCC)[r.ID], "status"); got != "REPAIRED" {
			t.Errorf("a department with record:read reads %v, want REPAIRED", got)
		}
		data := h.call(t, orEntity(t, r.USCC), `query($u: ID!) { entity(uscc: $u) { repairs { id state } } }`, map[string]any{"u": r.USCC})
		if !slices.ContainsFunc(apptest.Get(data, "entity", "repairs").([]any), func(x any) bool { return apptest.Get(x, "id") == id }) {
			t.Errorf("entity.repairs = %v", apptest.Get(data, "entity", "repairs"))
		}

		rep = apptest.Get(h.call(t, orOffice(t), orRecheck, map[string]any{"id": id, "ok": true, "k": orKey()}), "recheckRepair").(map[string]any)
		if rep["state"] != "REPAIRED" || rep["lastRecheckAt"] == nil {
			t.Fatalf("re-checked correct: %v", rep)
		}
		rep = apptest.Get(h.call(t, provider, orRecheck, map[string]any{"id": id, "ok": false, "k": orKey()}), "recheckRepair").(map[string]any)
		if rep["state"] != "REVERSED" {
			t.Fatalf("reversed: %v", rep)
		}
		if got := orActions(rep["history"]); !slices.Equal(got, []string{"apply", "accept", "grant", "recheck", "reverse"}) {
			t.Errorf("history %v", got)
		}
		if got := apptest.Get(h.records(t, nil, r.USCC)[r.ID], "status"); got != "EFFECTIVE" {
			t.Errorf("after the reversal the public reads %v, want the record EFFECTIVE again", got)
		}
		if got := h.overlays(t, r.ID); len(got) != 0 {
			t.Errorf("active overlays after the reversal: %v", got)
		}
		// A reversed repair does not block a new application.
		if again := h.applied(t, r, true); again["state"] != "APPLIED" || again["id"] == id {
			t.Errorf("new application %v", again)
		}
	})

	t.Run("denied: the record stays as it is", func(t *testing.T) {
		r := h.pick(t, h.repairable(t))
		id := h.applied(t, r, true)["id"].(string)
		provider := orDecider(t, r.Source)
		h.call(t, provider, orAccept, map[string]any{"id": id, "k": orKey()})
		rep := apptest.Get(h.call(t, provider, orDecide, map[string]any{"id": id, "yes": false, "k": orKey()}), "decideRepair")
		if apptest.Get(rep, "state") != "DENIED" {
			t.Fatalf("denied: %v", rep)
		}
		if got := apptest.Get(h.records(t, nil, r.USCC)[r.ID], "status"); got != "EFFECTIVE" {
			t.Errorf("the public reads %v after a denial", got)
		}
	})

	t.Run("obligations unfulfilled: recorded, cannot be accepted, refused naming the rule", func(t *testing.T) {
		r := h.pick(t, h.repairable(t))
		rep := h.applied(t, r, false)
		id := rep["id"].(string)
		if rep["state"] != "APPLIED" || rep["obligationsFulfilled"] != false {
			t.Fatalf("applied: %v", rep)
		}
		provider := orDecider(t, r.Source)
		before := h.rows(t)
		e := h.fail(t, provider, "INVALID_TRANSITION", orAccept, map[string]any{"id": id, "k": orKey()})
		if e.Extensions["rule"] != workflow.RepairObligationsUnfulfilled || e.Extensions["state"] != "APPLIED" || e.Extensions["action"] != "accept" {
			t.Errorf("accepting: %+v", e)
		}
		e = h.fail(t, provider, "BAD_USER_INPUT", orRefuse, map[string]any{"id": id, "rule": "NOT_A_RULE", "k": orKey()})
		if e.Extensions["field"] != "rule" || !strings.Contains(e.Message, "OBLIGATIONS_UNFULFILLED") {
			t.Errorf("unknown rule: %+v", e)
		}
		if after := h.rows(t); after != before {
			t.Errorf("refused calls wrote: %s → %s", before, after)
		}
		rep = apptest.Get(h.call(t, provider, orRefuse, map[string]any{"id": id, "rule": "OBLIGATIONS_UNFULFILLED", "k": orKey()}), "refuseRepair").(map[string]any)
		if rep["state"] != "REFUSED" || rep["refusalRule"] != "OBLIGATIONS_UNFULFILLED" || rep["decisionReason"] != "不符合修复条件" {
			t.Fatalf("refused: %v", rep)
		}
	})

	t.Run("before the minimum period: cannot be accepted, and refused at once", func(t *testing.T) {
		r := h.pick(t, h.repairable(t, "GENERAL", "SERIOUS"))
		id := h.applied(t, r, true)["id"].(string)
		// The department corrects the decision date through an objection:
		// the record is now too recent to be repaired.
		newDate := scalars.DateOf(time.Now().AddDate(0, 0, -10))
		oid := h.checked(t, r)
		h.call(t, orDecider(t, r.Source), orUphold, map[string]any{"id": oid, "outcome": "CORRECT",
			"c": map[string]any{"decisionDate": newDate.String()}, "k": orKey()})
		provider := orDecider(t, r.Source)
		e := h.fail(t, provider, "INVALID_TRANSITION", orAccept, map[string]any{"id": id, "k": orKey()})
		if e.Extensions["rule"] != workflow.RepairBeforeMinimum || e.Extensions["state"] != "APPLIED" || e.Extensions["action"] != "accept" {
			t.Fatalf("accepting too early: %+v", e)
		}
		h.call(t, provider, orRefuse, map[string]any{"id": id, "rule": workflow.RepairBeforeMinimum, "k": orKey()})
		before := h.rows(t)
		e = h.fail(t, orEntity(t, r.USCC), "BAD_USER_INPUT", orApply, map[string]any{"r": r.ID, "ok": true, "k": orKey()})
		from := workflow.RepairableFrom(newDate, h.minMonths(t)[r.Severity.(string)]).String()
		if e.Extensions["rule"] != workflow.RepairBeforeMinimum || e.Extensions["repairableFrom"] != from || !strings.Contains(e.Message, from) {
			t.Errorf("applying too early: %+v, want BEFORE_MINIMUM from %s", e, from)
		}
		if after := h.rows(t); after != before {
			t.Errorf("a refused application wrote: %s → %s", before, after)
		}
	})

	t.Run("what the hub refuses at once", func(t *testing.T) {
		r := h.pick(t, h.repairable(t))
		court := h.pick(t, func(x orRecord) bool { return slices.Contains(orCourtKinds, x.Kind) })
		plain := h.pick(t, func(x orRecord) bool { return x.Severity == nil })
		expired := h.pick(t, func(x orRecord) bool {
			return x.Severity != nil && x.Status == "EXPIRED" && !slices.Contains(orCourtKinds, x.Kind)
		})
		stranger := h.World.Entities[len(h.World.Entities)-1].USCC
		cases := []struct {
			name, code, rule string
			who              map[string]string
			record           string
		}{
			{"a court list", "BAD_USER_INPUT", workflow.RepairCourtList, orEntity(t, court.USCC), court.ID},
			{"not dishonesty information", "BAD_USER_INPUT", "", orEntity(t, plain.USCC), plain.ID},
			{"an expired record", "BAD_USER_INPUT", "", orEntity(t, expired.USCC), expired.ID},
			{"another entity's record", "BAD_USER_INPUT", "", orEntity(t, stranger), r.ID},
			{"not a record's ID", "BAD_USER_INPUT", "", orEntity(t, r.USCC), r.USCC},
			{"a department applying", "FORBIDDEN", "", orDecider(t, r.Source), r.ID},
			{"anonymous", "FORBIDDEN", "", nil, r.ID},
		}
		for _, c := range cases {
			before := h.rows(t)
			e := h.fail(t, c.who, c.code, orApply, map[string]any{"r": c.record, "ok": true, "k": orKey()})
			if c.code == "BAD_USER_INPUT" && e.Extensions["field"] != "input.recordId" {
				t.Errorf("%s: extensions %v, want field input.recordId", c.name, e.Extensions)
			}
			if c.rule != "" && e.Extensions["rule"] != c.rule {
				t.Errorf("%s: extensions %v, want rule %s", c.name, e.Extensions, c.rule)
			}
			if after := h.rows(t); after != before {
				t.Errorf("%s: a refused application wrote: %s → %s", c.name, before, after)
			}
		}
	})
}

// Every illegal transition, wrong department and missing scope of a repair
// is refused with its code and writes nothing.
func TestRepairRefusals(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	r := h.pick(t, h.repairable(t))
	provider := orDecider(t, r.Source)
	wrongDept := orDecider(t, map[bool]string{true: "fire", false: "market"}[r.Source == "market"])
	id := h.applied(t, r, true)["id"].(string)

	transition := func(t *testing.T, who map[string]string, q string, vars map[string]any, state, action string) {
		t.Helper()
		before := h.rows(t)
		e := h.fail(t, who, "INVALID_TRANSITION", q, vars)
		if e.Extensions["state"] != state || e.Extensions["action"] != action {
			t.Errorf("extensions %v, want state %s action %s", e.Extensions, state, action)
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
	vars := func(kv ...any) map[string]any {
		m := map[string]any{"id": id, "k": orKey()}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}

	t.Run("APPLIED", func(t *testing.T) {
		transition(t, provider, orDecide, vars("yes", true), "APPLIED", "grant")
		transition(t, provider, orDecide, vars("yes", false), "APPLIED", "deny")
		transition(t, provider, orRecheck, vars("ok", true), "APPLIED", "recheck")
		transition(t, provider, orRecheck, vars("ok", false), "APPLIED", "reverse")
		refused(t, orEntity(t, r.USCC), "CONFLICT", orApply, map[string]any{"r": r.ID, "ok": true, "k": orKey()})
	})
	t.Run("wrong department, missing scope", func(t *testing.T) {
		e := refused(t, wrongDept, "FORBIDDEN", orAccept, vars())
		if e.Extensions["owner"] != r.Source {
			t.Errorf("extensions %v, want owner %s", e.Extensions, r.Source)
		}
		refused(t, wrongDept, "FORBIDDEN", orRefuse, vars("rule", "REPEATED_DISHONESTY"))
		// The credit office re-checks, but the provider decides.
		refused(t, orOffice(t), "FORBIDDEN", orAccept, vars())
		noScope := apptest.As(t, auth.KindDepartment, r.Source, "", auth.ScopeRecordRead, auth.ScopeObjectionHandle)
		e = refused(t, noScope, "FORBIDDEN", orAccept, vars())
		if fmt.Sprint(e.Extensions["requiredScopes"]) != "[repair:review]" || !strings.Contains(e.Message, "repair:review") {
			t.Errorf("missing scope not named: %+v", e)
		}
		refused(t, orEntity(t, r.USCC), "FORBIDDEN", orAccept, vars())
		refused(t, nil, "FORBIDDEN", orDecide, vars("yes", true))
		refused(t, provider, "NOT_FOUND", orAccept, map[string]any{"id": workflow.EncodeID(workflow.TypeRepair, 999999), "k": orKey()})
		refused(t, provider, "BAD_USER_INPUT", orAccept, map[string]any{"id": r.ID, "k": orKey()})
	})
	h.call(t, provider, orAccept, vars())
	t.Run("ACCEPTED", func(t *testing.T) {
		transition(t, provider, orAccept, vars(), "ACCEPTED", "accept")
		transition(t, provider, orRefuse, vars("rule", "REPEATED_DISHONESTY"), "ACCEPTED", "refuse")
		transition(t, orOffice(t), orRecheck, vars("ok", true), "ACCEPTED", "recheck")
		refused(t, wrongDept, "FORBIDDEN", orDecide, vars("yes", true))
	})
	h.call(t, provider, orDecide, vars("yes", true))
	t.Run("REPAIRED", func(t *testing.T) {
		transition(t, provider, orAccept, vars(), "REPAIRED", "accept")
		transition(t, provider, orDecide, vars("yes", false), "REPAIRED", "deny")
		transition(t, provider, orRefuse, vars("rule", "REPEATED_DISHONESTY"), "REPAIRED", "refuse")
		refused(t, wrongDept, "FORBIDDEN", orRecheck, vars("ok", false))
		refused(t, orEntity(t, r.USCC), "CONFLICT", orApply, map[string]any{"r": r.ID, "ok": true, "k": orKey()})
	})
	h.call(t, orOffice(t), orRecheck, vars("ok", false))
	t.Run("REVERSED", func(t *testing.T) {
		transition(t, provider, orRecheck, vars("ok", true), "REVERSED", "recheck")
		transition(t, provider, orRecheck, vars("ok", false), "REVERSED", "reverse")
		transition(t, provider, orDecide, vars("yes", true), "REVERSED", "grant")
	})
	t.Run("sampling", func(t *testing.T) {
		refused(t, orEntity(t, r.USCC), "FORBIDDEN", orSample, map[string]any{"n": 5, "seed": "s", "k": orKey()})
		noScope := apptest.As(t, auth.KindDepartment, workflow.CreditOfficeOrg, "", auth.ScopeRecordRead)
		refused(t, noScope, "FORBIDDEN", orSample, map[string]any{"n": 5, "seed": "s", "k": orKey()})
		e := refused(t, orOffice(t), "BAD_USER_INPUT", orSample, map[string]any{"n": 0, "seed": "s", "k": orKey()})
		if e.Extensions["field"] != "count" {
			t.Errorf("extensions %v", e.Extensions)
		}
		e = refused(t, orOffice(t), "BAD_USER_INPUT", orSample, map[string]any{"n": 5, "seed": " ", "k": orKey()})
		if e.Extensions["field"] != "seed" {
			t.Errorf("extensions %v", e.Extensions)
		}
	})
}

// The re-check sample is drawn reproducibly from the seed, in the order
// anyone can compute (SHA-256 of "seed:id"); the credit office draws from
// every department, a department from its own.
func TestRepairRecheckSample(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	bySource := map[string]bool{}
	for len(bySource) < 2 || len(h.used) < 5 {
		r := h.pick(t, h.repairable(t))
		h.repaired(t, r)
		bySource[r.Source] = true
	}
	var all []struct {
		ID         int64  `db:"id"`
		Department string `db:"department"`
	}
	if err := h.DBs["hub"].Select(&all, `SELECT id, department FROM repair WHERE state = 'REPAIRED'`); err != nil {
		t.Fatal(err)
	}
	expect := func(seed, department string, n int) []string {
		type drawn struct {
			id  int64
			sum [32]byte
		}
		var ds []drawn
		for _, x := range all {
			if department == "" || x.Department == department {
				ds = append(ds, drawn{x.ID, sha256.Sum256([]byte(seed + ":" + strconv.FormatInt(x.ID, 10)))})
			}
		}
		slices.SortFunc(ds, func(a, b drawn) int { return bytes.Compare(a.sum[:], b.sum[:]) })
		var out []string
		for _, d := range ds[:min(n, len(ds))] {
			out = append(out, workflow.EncodeID(workflow.TypeRepair, d.id))
		}
		return out
	}
	draw := func(who map[string]string, seed string, n int) []string {
		data := h.call(t, who, orSample, map[string]any{"n": n, "seed": seed, "k": orKey()})
		var ids []string
		for _, x := range apptest.Get(data, "sampleRepairsForRecheck").([]any) {
			ids = append(ids, apptest.Get(x, "id").(string))
			if apptest.Get(x, "state") != "REPAIRED" || apptest.Get(x, "lastRecheckAt") == nil || !slices.Contains(orActions(apptest.Get(x, "history")), "sample") {
				t.Errorf("sampled repair %v", x)
			}
		}
		return ids
	}
	office := orOffice(t)
	first := draw(office, "黑河 2026 Q4", 3)
	if want := expect("黑河 2026 Q4", "", 3); !slices.Equal(first, want) {
		t.Errorf("sample %v, want %v", first, want)
	}
	if again := draw(office, "黑河 2026 Q4", 3); !slices.Equal(again, first) {
		t.Errorf("the same seed drew %v, then %v", first, again)
	}
	if other := draw(office, "another seed", 100); !slices.Equal(other, expect("another seed", "", 100)) {
		t.Errorf("sample of everything %v", other)
	}
	for dept := range bySource {
		if got, want := draw(orDecider(t, dept), "s", 100), expect("s", dept, 100); !slices.Equal(got, want) {
			t.Errorf("%s's sample %v, want its own repairs %v", dept, got, want)
		}
	}
}

// Retries write nothing twice; of two deciders at once on the same repair,
// exactly one wins.
func TestRepairIdempotentAndConcurrent(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	r := h.pick(t, h.repairable(t))
	entity := orEntity(t, r.USCC)
	apply := map[string]any{"r": r.ID, "ok": true, "k": orKey()}
	first := apptest.Get(h.call(t, entity, orApply, apply), "applyRepair")
	before := h.rows(t)
	again := apptest.Get(h.call(t, entity, orApply, apply), "applyRepair")
	if apptest.Get(again, "id") != apptest.Get(first, "id") {
		t.Fatalf("retry answered %v, first %v", again, first)
	}
	if after := h.rows(t); after != before {
		t.Errorf("the retry wrote: %s → %s", before, after)
	}

	for round := 0; round < 4; round++ {
		if round > 0 {
			r = h.pick(t, h.repairable(t))
			first = h.applied(t, r, true)
		}
		id := apptest.Get(first, "id").(string)
		provider := orDecider(t, r.Source)
		h.call(t, provider, orAccept, map[string]any{"id": id, "k": orKey()})
		answers := make([]*apptest.Response, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, yes := range []bool{true, false} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = h.Do(t, orDecide, map[string]any{"id": id, "yes": yes, "k": orKey()}, provider)
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
			t.Fatalf("round %d: %d won, %d lost: %s / %s", round, won, lost, answers[0].Body, answers[1].Body)
		}
		data := h.call(t, apptest.Department(t), `query($id: ID!) { node(id: $id) { ... on Repair { state history { action } } } }`, map[string]any{"id": id})
		decisions := 0
		for _, a := range orActions(apptest.Get(data, "node", "history")) {
			if a == "grant" || a == "deny" {
				decisions++
			}
		}
		if decisions != 1 {
			t.Errorf("round %d: %d decisions in the history", round, decisions)
		}
		state := apptest.Get(data, "node", "state")
		want := map[any][]string{"REPAIRED": {"REPAIRED"}, "DENIED": nil}[state]
		if got := h.overlays(t, r.ID); !slices.Equal(got, want) {
			t.Errorf("round %d: a %v repair leaves overlays %v", round, state, got)
		}
	}
}
