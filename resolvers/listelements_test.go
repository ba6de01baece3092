package resolvers_test

import (
	"slices"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
)

// SECURITY: a field is as open under a list's element as under the same
// object reached by node(id). An objection to a person's record is that
// person's data: the credit office, reading it with person:read and a
// purpose in myWork's list, leaves a query-log row naming the person
// before the answer leaves (none was written before the middleware
// unwrapped list elements); without person:read the objection is not
// listed, and node(id) refuses it.
func TestPersonalDataInAListIsLoggedAsAnywhere(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60})
	me := selfPersons(t, h, 1)[0]
	d := h.QueryAs(t, h.AsPerson(t, me.idNo, ""), `mutation($r: ID!, $k: String!) {
		fileObjection(recordId: $r, reason: "该记录不是我的", idempotencyKey: $k) { id } }`,
		map[string]any{"r": me.personal, "k": "list-elements-1"})
	id := apptest.Get(d, "fileObjection", "id")
	const work = `{ myWork(withinWorkingDays: 5) { objections { id state reason } } }`

	office := apptest.As(t, auth.KindDepartment, "credit-office", "", auth.ScopeEntityRead, auth.ScopeRecordRead)
	r := h.Do(t, work, nil, office)
	for _, o := range asList(apptest.Get(r.Data, "myWork", "objections")) {
		if apptest.Get(o, "id") == id {
			t.Fatalf("without person:read the credit office lists the objection to a person's record: %s", r.Body)
		}
	}
	refused(t, h, office, "FORBIDDEN", `query($id: ID!) { node(id: $id) { ... on Objection { reason } } }`, map[string]any{"id": id}, "该记录不是我的")

	before := len(selfLog(t, h))
	reader := apptest.As(t, auth.KindDepartment, "credit-office", "LAW_ENFORCEMENT", auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopePersonRead)
	r = h.Do(t, work, nil, reader)
	listed := slices.ContainsFunc(asList(apptest.Get(r.Data, "myWork", "objections")), func(o any) bool {
		return apptest.Get(o, "id") == id && apptest.Get(o, "reason") == "该记录不是我的"
	})
	if len(r.Errors) > 0 || !listed {
		t.Fatalf("with person:read the credit office does not see the objection: %s", r.Body)
	}
	rows := selfLog(t, h)[before:]
	if len(rows) != 1 || !slices.Contains(rows[0].Persons, h.Sealer.Ref(me.idNo)) {
		t.Fatalf("reading it in myWork wrote %d query-log rows (%+v), want 1 naming the person", len(rows), rows)
	}
}
