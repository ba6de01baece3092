package resolvers_test

// End-to-end tests of the joint-punishment workflow
// (workflow/jointcase.go), over HTTP against a hub with its own databases.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/gid"
	"credithub/internal/scalars"
	"credithub/internal/workday"
	"credithub/internal/workflow"
)

// ——— joint-punishment cases ———

const (
	gqlCaseFields = `id state openedAt closedAt listEntry { id listType }
  pushes { id caseId department { code } measures { code department { code } listTypes } pushedAt dueDate state overdue measureApplied appliedOn answeredBy outcome reason }
  history { action from to actor actorOrg reason }`
	gqlOpenCase   = `mutation($id: ID!, $k: String!) { openJointCase(listEntryId: $id, idempotencyKey: $k) { ` + gqlCaseFields + ` } }`
	gqlAnswerPush = `mutation($id: ID!, $m: String!, $on: Date!, $k: String!) { answerPush(pushId: $id, measureApplied: $m, appliedOn: $on, idempotencyKey: $k) {
		id caseId department { code } state overdue measureApplied appliedOn answeredBy } }`
	gqlCaseByID    = `query($id: ID!) { node(id: $id) { ... on JointCase { ` + gqlCaseFields + ` } } }`
	gqlDeclinePush = `mutation($id: ID!, $o: PushOutcome!, $r: String!, $k: String!) { declinePush(pushId: $id, outcome: $o, reason: $r, idempotencyKey: $k) {
		id caseId department { code } state overdue measureApplied appliedOn answeredBy outcome reason } }`
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
			if apptest.Get(p, "state") != "ANSWERED" || apptest.Get(p, "appliedOn") != wfToday().String() || apptest.Get(p, "answeredBy") == nil ||
				apptest.Get(p, "outcome") != "APPLIED" || apptest.Get(p, "reason") != nil {
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

	t.Run("pushes answered not applicable or declined, with a reason", func(t *testing.T) {
		entry := enter(t, "JOINT_PUNISHMENT", nil)
		c := h.ok(t, lister, gqlOpenCase, map[string]any{"id": entry, "k": h.key()})["openJointCase"].(map[string]any)
		caseID := wfStr(c["id"])
		pushes := map[string]string{}
		for _, p := range c["pushes"].([]any) {
			pushes[wfStr(apptest.Get(p, "department", "code"))] = wfStr(apptest.Get(p, "id"))
			if apptest.Get(p, "outcome") != nil || apptest.Get(p, "reason") != nil {
				t.Fatalf("a push not answered has an outcome: %v", p)
			}
		}
		decline := func(id, outcome, reason, key string) map[string]any {
			return map[string]any{"id": id, "o": outcome, "r": reason, "k": key}
		}
		fireN, _ := workflow.DecodeID(workflow.TypeCasePush, pushes["fire"])
		untouched := func(t *testing.T, what string) {
			t.Helper()
			if n := h.count(t, `SELECT count(*) FROM case_push WHERE id = $1 AND state = 'PUSHED' AND outcome IS NULL AND reason IS NULL`, fireN); n != 1 {
				t.Fatalf("%s wrote the push", what)
			}
			if got := h.history(t, workflow.WorkflowPush, pushes["fire"], workflow.TypeCasePush); len(got) != 1 {
				t.Fatalf("%s wrote the push's history: %q", what, got)
			}
		}

		// Only the department pushed to, with case:write; nothing written.
		h.forbidden(t, "", answerer("market"), gqlDeclinePush, decline(pushes["fire"], "DECLINED", "不归我们管", h.key()))
		h.forbidden(t, auth.ScopeCaseWrite, h.dept("fire", auth.ScopeEntityRead), gqlDeclinePush, decline(pushes["fire"], "DECLINED", "x", h.key()))
		untouched(t, "another department's decline")
		// A reason is needed; APPLIED is answerPush's.
		for _, r := range []string{"", "   "} {
			if er := h.refused(t, "BAD_USER_INPUT", answerer("fire"), gqlDeclinePush, decline(pushes["fire"], "NOT_APPLICABLE", r, h.key())); er.Extensions["field"] != "reason" {
				t.Fatalf("declined without a reason (%q): %v", r, er)
			}
		}
		if er := h.refused(t, "BAD_USER_INPUT", answerer("fire"), gqlDeclinePush, decline(pushes["fire"], "APPLIED", "已限制", h.key())); er.Extensions["field"] != "outcome" {
			t.Fatalf("declinePush with APPLIED: %v", er)
		}
		untouched(t, "a refused decline")

		// DECLINED, retried with the same key: the first answer.
		vars := decline(pushes["fire"], "DECLINED", "该企业已注销，无可限制事项", h.key())
		a1 := h.ok(t, answerer("fire"), gqlDeclinePush, vars)
		a2 := h.ok(t, answerer("fire"), gqlDeclinePush, vars)
		p := a1["declinePush"].(map[string]any)
		if fmt.Sprint(a1) != fmt.Sprint(a2) || p["state"] != "ANSWERED" || p["outcome"] != "DECLINED" || p["reason"] != "该企业已注销，无可限制事项" ||
			p["measureApplied"] != nil || p["appliedOn"] != nil || p["answeredBy"] != "department:fire" || p["caseId"] != caseID {
			t.Fatalf("declined, retried: %v / %v", a1, a2)
		}
		if got := h.history(t, workflow.WorkflowPush, pushes["fire"], workflow.TypeCasePush); len(got) != 2 ||
			got[1] != "decline PUSHED→ANSWERED department:fire@fire DECLINED: 该企业已注销，无可限制事项" {
			t.Fatalf("declined push history %q", got)
		}
		// An answered push stays answered, whichever way it is answered again.
		h.invalid(t, "ANSWERED", "decline", answerer("fire"), gqlDeclinePush, decline(pushes["fire"], "NOT_APPLICABLE", "x", h.key()))
		h.invalid(t, "ANSWERED", "answer", answerer("fire"), gqlAnswerPush, map[string]any{"id": pushes["fire"], "m": "x", "on": wfToday().String(), "k": h.key()})

		// NOT_APPLICABLE.
		p = h.ok(t, answerer("environment"), gqlDeclinePush, decline(pushes["environment"], "NOT_APPLICABLE", "无排污许可事项", h.key()))["declinePush"].(map[string]any)
		if p["outcome"] != "NOT_APPLICABLE" || p["reason"] != "无排污许可事项" || p["measureApplied"] != nil || p["state"] != "ANSWERED" {
			t.Fatalf("not applicable: %v", p)
		}
		if st := apptest.Get(h.ok(t, lister, gqlCaseByID, map[string]any{"id": caseID}), "node", "state"); st != "OPEN" {
			t.Fatalf("case %v with pushes still waiting", st)
		}

		// The others apply a measure; the last answer closes the case,
		// whose history counts the outcomes.
		applied := 0
		for d, id := range pushes {
			if d != "fire" && d != "environment" {
				if res := answer(d, id); len(res.Errors) > 0 {
					t.Fatalf("answer of %s: %s", d, res.Body)
				}
				applied++
			}
		}
		c = h.ok(t, lister, gqlCaseByID, map[string]any{"id": caseID})["node"].(map[string]any)
		if c["state"] != "CLOSED" || c["closedAt"] == nil {
			t.Fatalf("case after every push was answered: %v", c)
		}
		outcomes := map[string]string{}
		for _, p := range c["pushes"].([]any) {
			d := wfStr(apptest.Get(p, "department", "code"))
			outcomes[d] = wfStr(apptest.Get(p, "outcome"))
			if (outcomes[d] == "APPLIED") != (apptest.Get(p, "measureApplied") != nil && apptest.Get(p, "appliedOn") != nil && apptest.Get(p, "reason") == nil) {
				t.Fatalf("push of %s: %v", d, p)
			}
		}
		if outcomes["fire"] != "DECLINED" || outcomes["environment"] != "NOT_APPLICABLE" {
			t.Fatalf("outcomes %v", outcomes)
		}
		// The push's history shows how it was answered.
		d := h.ok(t, answerer("fire"), `query($id: ID!) { node(id: $id) { ... on JointCase { pushes { department { code } history { action from to actor reason } } } } }`,
			map[string]any{"id": caseID})
		for _, p := range apptest.Get(d, "node", "pushes").([]any) {
			hist := apptest.Get(p, "history").([]any)
			last := hist[len(hist)-1]
			switch dept := apptest.Get(p, "department", "code"); {
			case len(hist) != 2 || apptest.Get(hist[0], "action") != "push":
				t.Fatalf("history of the push to %v: %v", dept, hist)
			case dept == "fire" && (apptest.Get(last, "action") != "decline" || apptest.Get(last, "reason") != "DECLINED: 该企业已注销，无可限制事项" ||
				apptest.Get(last, "to") != "ANSWERED" || apptest.Get(last, "actor") != "department:fire"):
				t.Fatalf("history of the declined push: %v", hist)
			case dept == "environment" && apptest.Get(last, "reason") != "NOT_APPLICABLE: 无排污许可事项":
				t.Fatalf("history of the push not applicable: %v", hist)
			case dept != "fire" && dept != "environment" && apptest.Get(last, "action") != "answer":
				t.Fatalf("history of the applied push to %v: %v", dept, hist)
			}
		}
		hist := h.history(t, workflow.WorkflowCase, caseID, workflow.TypeJointCase)
		if want := fmt.Sprintf(" all %d departments answered; %d applied, 1 not applicable, 1 declined", len(pushes), applied); len(hist) != 2 || !strings.HasSuffix(hist[1], want) {
			t.Fatalf("case history %q, want the close to end with %q", hist, want)
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
