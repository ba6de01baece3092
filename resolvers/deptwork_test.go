package resolvers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/scalars"
	"credithub/internal/workday"
	"credithub/internal/workflow"
)

const workSubscription = `subscription { workArrived { kind department { code } at
  push { id department { code } state } objection { id department { code } state } repair { id department { code } state } } }`

const myWorkQuery = `query($n: Int) { myWork(withinWorkingDays: $n) { department { code } withinWorkingDays
  pushes { id state dueDate } objections { id state } repairs { id state } deadlines { kind objectId state awaiting dueDate workingDaysLeft } } }`

// workEvent is one event of the workArrived subscription.
type workEvent struct {
	Kind       string
	Department string
	Object     string
	State      string
}

// awaitWork returns the next event of subscription id; nothing else may
// arrive on the connection meanwhile.
func (c *wsClient) awaitWork(t *testing.T, id string) workEvent {
	t.Helper()
	m, ok := c.next(10 * time.Second)
	if !ok {
		t.Fatalf("no work on subscription %s within 10s (connection: %v)", id, c.err)
	}
	if m.ID != id || m.Type != "next" {
		t.Fatalf("subscription %s: %s %s %s", id, m.ID, m.Type, m.Payload)
	}
	var ev struct {
		Data struct {
			WorkArrived struct {
				Kind       string
				Department struct{ Code string }
				Push       *struct{ ID, State string }
				Objection  *struct{ ID, State string }
				Repair     *struct{ ID, State string }
			}
		}
		Errors []apptest.Error
	}
	if err := json.Unmarshal(m.Payload, &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Errors) > 0 {
		t.Fatalf("subscription %s: %s", id, m.Payload)
	}
	w := ev.Data.WorkArrived
	out := workEvent{Kind: w.Kind, Department: w.Department.Code}
	for _, o := range []*struct{ ID, State string }{w.Push, w.Objection, w.Repair} {
		if o != nil {
			out.Object, out.State = o.ID, o.State
		}
	}
	return out
}

// quiet fails the test if anything arrives on the connection within d.
func (c *wsClient) quiet(t *testing.T, who string, d time.Duration) {
	t.Helper()
	if m, ok := c.next(d); ok {
		t.Errorf("%s received %s %s %s", who, m.ID, m.Type, m.Payload)
	}
}

// A department's work reaches it as it happens, on any hub instance: the
// objection filed against its record (and the credit office's to check),
// the objection passed to it after the check, the repair application, the
// joint-punishment case pushed to it; another department hears nothing of
// it. Then myWork lists the same, each list in one statement, and the
// deadlines within the working days asked.
func TestDepartmentWork(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	other := h.Variant(t, nil) // a second hub instance on the same databases
	rep := h.pick(t, h.repairable(t))
	dept := rep.Source
	obj := h.pick(t, func(r orRecord) bool { return r.USCC == rep.USCC && r.Source == dept && orPublicEffective(r) })
	bystander := "court"
	if dept == bystander {
		bystander = "housing"
	}
	scopes := []string{auth.ScopeEntityRead, auth.ScopeRecordRead}
	token := func(org string) map[string]any {
		return map[string]any{"Authorization": "Bearer " + apptest.Token(t, auth.KindDepartment, org, scopes...)}
	}
	mine := dialWarnings(t, h.Hub, token(dept))
	office := dialWarnings(t, other, token(workflow.CreditOfficeOrg))
	theirs := dialWarnings(t, h.Hub, token(bystander))
	mine.subscribe("w", workSubscription, nil)
	office.subscribe("w", workSubscription, nil)
	theirs.subscribe("w", workSubscription, nil)
	waitFor(t, "three subscribers", func() bool { return h.Work.Subscribers() == 2 && other.Work.Subscribers() == 1 })

	objection := h.file(t, obj)["id"].(string)
	if got := mine.awaitWork(t, "w"); got != (workEvent{"OBJECTION_FILED", dept, objection, "FILED"}) {
		t.Errorf("%s heard %+v, want its record's objection filed", dept, got)
	}
	if got := office.awaitWork(t, "w"); got != (workEvent{"OBJECTION_TO_CHECK", workflow.CreditOfficeOrg, objection, "FILED"}) {
		t.Errorf("the credit office, on the other instance, heard %+v, want the objection to check", got)
	}
	h.call(t, orOffice(t), orCheck, map[string]any{"id": objection, "k": orKey()})
	if got := mine.awaitWork(t, "w"); got != (workEvent{"OBJECTION_CHECKED", dept, objection, "CHECKED"}) {
		t.Errorf("%s heard %+v, want the checked objection", dept, got)
	}
	repair := h.applied(t, rep, true)["id"].(string)
	if got := mine.awaitWork(t, "w"); got != (workEvent{"REPAIR_APPLIED", dept, repair, "APPLIED"}) {
		t.Errorf("%s heard %+v, want the repair application", dept, got)
	}

	// A listing whose rectification is due in 2 working days, and the
	// case opened from it, pushed to every department with measures.
	today := scalars.DateOf(time.Now())
	rectifyBy := scalars.DateOf(workday.Default().AddWorkingDays(today.Time(), 2))
	lister := apptest.As(t, auth.KindDepartment, dept, "", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	entry := apptest.Get(h.call(t, lister, `mutation($in: EnterListingInput!, $k: String!) { enterListing(input: $in, idempotencyKey: $k) { id } }`,
		map[string]any{"k": orKey(), "in": map[string]any{"listType": "JOINT_PUNISHMENT", "uscc": rep.USCC, "basis": "《严重违法失信名单管理办法》第二条",
			"linkedRecordIds": []string{obj.ID}, "rectifyBy": rectifyBy.String()}}), "enterListing", "id").(string)
	c := h.call(t, apptest.As(t, auth.KindDepartment, workflow.CreditOfficeOrg, "", auth.ScopeCaseWrite, auth.ScopeEntityRead),
		`mutation($id: ID!, $k: String!) { openJointCase(listEntryId: $id, idempotencyKey: $k) { pushes { id department { code } } } }`,
		map[string]any{"id": entry, "k": orKey()})
	pushes := map[string]string{}
	for _, p := range asList(apptest.Get(c, "openJointCase", "pushes")) {
		pushes[apptest.Get(p, "department", "code").(string)] = apptest.Get(p, "id").(string)
	}
	if got := mine.awaitWork(t, "w"); got != (workEvent{"CASE_PUSHED", dept, pushes[dept], "PUSHED"}) {
		t.Errorf("%s heard %+v, want its push %s", dept, got, pushes[dept])
	}
	if got := theirs.awaitWork(t, "w"); got != (workEvent{"CASE_PUSHED", bystander, pushes[bystander], "PUSHED"}) {
		t.Errorf("%s heard %+v, want its own push %s and nothing of %s's work", bystander, got, pushes[bystander], dept)
	}
	mine.quiet(t, dept, 500*time.Millisecond)
	office.quiet(t, "the credit office", 0)
	theirs.quiet(t, bystander, 0)

	// myWork, as the department: each list one statement, soonest due
	// first; the deadlines within 5 working days.
	who := apptest.As(t, auth.KindDepartment, dept, "", scopes...)
	r := h.Do(t, myWorkQuery, nil, who)
	if len(r.Errors) > 0 {
		t.Fatal(string(r.Body))
	}
	if got := r.Statements()["hub"]; got != 4 {
		t.Errorf("myWork's four lists cost %d hub statements, want 4 (%v)", got, r.Statements())
	}
	w := apptest.Get(r.Data, "myWork")
	if apptest.Get(w, "department", "code") != dept || apptest.Get(w, "withinWorkingDays") != float64(5) {
		t.Errorf("myWork: %v", w)
	}
	listed := func(list string) map[string]string {
		out := map[string]string{}
		last := ""
		for _, o := range asList(apptest.Get(w, list)) {
			id, _ := apptest.Get(o, "id").(string)
			if id == "" {
				id, _ = apptest.Get(o, "objectId").(string)
			}
			out[id] = fmt.Sprint(apptest.Get(o, "state"))
			if due, ok := apptest.Get(o, "dueDate").(string); ok {
				if due < last {
					t.Errorf("%s: %s due %s after one due %s", list, id, due, last)
				}
				last = due
			}
		}
		return out
	}
	for list, want := range map[string][2]string{"pushes": {pushes[dept], "PUSHED"}, "objections": {objection, "CHECKED"}, "repairs": {repair, "APPLIED"}} {
		if got := listed(list)[want[0]]; got != want[1] {
			t.Errorf("myWork.%s: %s is %q, want %s", list, want[0], got, want[1])
		}
	}
	deadlines := listed("deadlines")
	for _, id := range []string{pushes[dept], objection, entry} { // due in 5, 2 and 2 working days
		if _, ok := deadlines[id]; !ok {
			t.Errorf("myWork.deadlines within 5 working days lacks %s: %v", id, deadlines)
		}
	}
	if _, ok := deadlines[repair]; ok {
		t.Errorf("myWork.deadlines within 5 working days holds the repair, due in 10")
	}
	for _, d := range asList(apptest.Get(w, "deadlines")) {
		if n, ok := apptest.Get(d, "workingDaysLeft").(float64); !ok || n > 5 {
			t.Errorf("a deadline beyond 5 working days: %v", d)
		}
	}
	// Within 10 working days, the repair too.
	w = apptest.Get(h.QueryAs(t, who, myWorkQuery, map[string]any{"n": 10}), "myWork")
	if _, ok := listed("deadlines")[repair]; !ok {
		t.Errorf("myWork.deadlines within 10 working days lacks the repair")
	}

	// Another department's work holds none of it; the credit office's
	// holds every objection waiting for its check.
	w = apptest.Get(h.QueryAs(t, apptest.As(t, auth.KindDepartment, bystander, "", scopes...), myWorkQuery, nil), "myWork")
	for _, list := range []string{"objections", "repairs", "deadlines"} {
		for id := range listed(list) {
			if id == objection || id == repair || id == entry || id == pushes[dept] {
				t.Errorf("%s's myWork.%s holds %s's %s", bystander, list, dept, id)
			}
		}
	}
	second := h.pick(t, func(r orRecord) bool { return r.Source != dept && orPublicEffective(r) })
	filed := h.file(t, second)["id"].(string)
	w = apptest.Get(h.QueryAs(t, apptest.As(t, auth.KindDepartment, workflow.CreditOfficeOrg, "", scopes...), myWorkQuery, nil), "myWork")
	if got := listed("objections"); got[filed] != "FILED" || got[objection] != "" {
		t.Errorf("the credit office's objections: %v, want %s (FILED, to check) and not %s (checked)", got, filed, objection)
	}
}

// SECURITY: a department's work is its own. Nobody but a supervisor reads
// or follows it; no argument names another department (the query and the
// subscription refuse one); out-of-range days are refused.
func TestDepartmentWorkRefusals(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[len(h.World.Entities)-12]
	for name, who := range map[string]map[string]string{
		"an agency with every scope":  apptest.As(t, auth.KindAgency, "AG-1", "", auth.Scopes...),
		"an entity with every scope":  apptest.As(t, auth.KindEntity, e.USCC, "", auth.Scopes...),
		"a public-service token":      apptest.As(t, auth.KindPublicService, "portal", "", auth.Scopes...),
		"the public":                  nil,
		"a department without scopes": apptest.As(t, auth.KindDepartment, "market", ""),
	} {
		r := h.Do(t, myWorkQuery, nil, who)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || r.Data != nil && apptest.Get(r.Data, "myWork") != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	dept := apptest.Department(t)
	for name, q := range map[string]string{
		"myWork(department:)":      `{ myWork(department: "fire") { department { code } } }`,
		"myWork(org:)":             `{ myWork(org: "fire") { department { code } } }`,
		"workArrived(department:)": `subscription { workArrived(department: "fire") { kind } }`,
	} {
		r := h.Do(t, q, nil, dept)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" || r.Data != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	for _, n := range []int{-1, workflow.MaxWorkingDays + 1} {
		r := h.Do(t, myWorkQuery, map[string]any{"n": n}, dept)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "withinWorkingDays" {
			t.Errorf("withinWorkingDays %d: %s", n, r.Body)
		}
	}
	// The subscription: refused to an agency, an entity and the public
	// before anything is delivered; a department's is its token's org.
	for name, payload := range map[string]map[string]any{
		"an agency":  {"Authorization": "Bearer " + apptest.Token(t, auth.KindAgency, "AG-1", auth.Scopes...)},
		"an entity":  {"Authorization": "Bearer " + apptest.Token(t, auth.KindEntity, e.USCC, auth.Scopes...)},
		"the public": nil,
	} {
		c := dialWarnings(t, h, payload)
		c.subscribe("w", workSubscription, nil)
		m, ok := c.next(5 * time.Second)
		if !ok {
			t.Errorf("%s: no answer to the subscription", name)
			continue
		}
		if !strings.Contains(string(m.Payload), "FORBIDDEN") || m.Type != "next" && m.Type != "error" {
			t.Errorf("%s: %s %s, want FORBIDDEN", name, m.Type, m.Payload)
		}
		if strings.Contains(string(m.Payload), `"kind"`) {
			t.Errorf("%s: the answer carries work: %s", name, m.Payload)
		}
	}
}
