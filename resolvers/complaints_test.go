package resolvers_test

import (
	"context"
	"fmt"
	"testing"

	"credithub/auth"
	"credithub/datasources"
	"credithub/internal/app/apptest"
	"credithub/internal/credit"
	"credithub/internal/gid"
)

// A 12315 complaint is public once handled, with its handling result, and
// shared among departments while it is being handled, on every path
// (T10, 消费投诉公示); the catalogue says so.
func TestComplaintsArePublishedOnceHandled(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60})
	ctx := context.Background()
	// An entity with two handled complaints, one of which the regulator
	// reopens: read and written in its own table, as an independent check.
	market := h.DBs[datasources.Market]
	var uscc string
	if err := market.GetContext(ctx, &uscc, `SELECT uscc FROM complaint_12315 WHERE state = '已办结' GROUP BY uscc
		HAVING count(*) >= 2 ORDER BY uscc LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var pendingID int64
	if err := market.GetContext(ctx, &pendingID, `UPDATE complaint_12315 SET state = '处理中'
		WHERE id = (SELECT min(id) FROM complaint_12315 WHERE uscc = $1) RETURNING id`, uscc); err != nil {
		t.Fatal(err)
	}
	const q = `query($u: ID!) { entity(uscc: $u) { records(first: 100, filter: {kinds: [COMPLAINT]}) { edges { node {
		id publicity ... on ConsumerComplaint { category summary resolved handlingResult } } } } } }`
	complaints := func(hdr map[string]string) []any {
		t.Helper()
		r := h.Do(t, q, map[string]any{"u": uscc}, hdr)
		if len(r.Errors) > 0 {
			t.Fatalf("records: %s", r.Body)
		}
		return apptest.Get(r.Data, "entity", "records", "edges").([]any)
	}
	public := complaints(nil)
	if len(public) == 0 {
		t.Fatal("the public sees no handled complaint")
	}
	for _, e := range public {
		n := apptest.Get(e, "node").(map[string]any)
		if n["resolved"] != true || n["handlingResult"] == nil || n["publicity"] != "PUBLIC" || n["summary"] == "" {
			t.Errorf("the public sees %v", n)
		}
	}
	dept := complaints(apptest.As(t, auth.KindDepartment, "fire", "", auth.ScopeEntityRead, auth.ScopeRecordRead))
	pending := 0
	for _, e := range dept {
		if n := apptest.Get(e, "node").(map[string]any); n["resolved"] == false {
			pending++
			if n["publicity"] != "SHARED" || n["handlingResult"] != nil {
				t.Errorf("a complaint being handled: %v", n)
			}
		}
	}
	if pending == 0 || len(dept) != len(public)+pending {
		t.Errorf("a department sees %d complaints (%d being handled), the public %d", len(dept), pending, len(public))
	}
	// A department asking for the public ones only gets the handled ones.
	r0 := h.Do(t, `query($u: ID!) { entity(uscc: $u) { records(first: 100, filter: {kinds: [COMPLAINT], publicity: [PUBLIC]}) { edges { node { ... on ConsumerComplaint { resolved } } } } } }`,
		map[string]any{"u": uscc}, apptest.As(t, auth.KindDepartment, "fire", "", auth.ScopeEntityRead, auth.ScopeRecordRead))
	if edges, _ := apptest.Get(r0.Data, "entity", "records", "edges").([]any); len(r0.Errors) > 0 || len(edges) != len(public) {
		t.Errorf("a department filtering on PUBLIC: %s", r0.Body)
	}
	// By its id, a complaint being handled is refused to the public, naming
	// the scope; a handled one is shown.
	pendingNode := gid.Record(credit.Ref{Source: datasources.Market, Kind: credit.KindComplaint, LocalID: pendingID})
	r := h.Do(t, `query($id: ID!) { node(id: $id) { id ... on ConsumerComplaint { summary } } }`, map[string]any{"id": pendingNode}, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "node") != nil {
		t.Errorf("the public reading a complaint being handled: %s", r.Body)
	}
	handled := apptest.Get(public[0], "node", "id").(string)
	r = h.Do(t, `query($id: ID!) { node(id: $id) { ... on ConsumerComplaint { resolved handlingResult } } }`, map[string]any{"id": handled}, nil)
	if len(r.Errors) > 0 || apptest.Get(r.Data, "node", "resolved") != true {
		t.Errorf("the public reading a handled complaint: %s", r.Body)
	}
	// Through a public listing resting on both, the public learns of the
	// handled complaint only: a record's ID names its kind.
	lister := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	pendingGID := pendingNode
	le := h.Do(t, gqlEnterListing, map[string]any{"k": "complaints-listing", "in": wfListing("JOINT_PUNISHMENT", uscc, []string{handled, pendingGID}, nil)}, lister)
	entry, _ := apptest.Get(le.Data, "enterListing", "id").(string)
	if len(le.Errors) > 0 || entry == "" {
		t.Fatalf("enterListing: %s", le.Body)
	}
	const linked = `query($id: ID!) { node(id: $id) { ... on ListEntry { linkedRecordIds } } }`
	if got := fmt.Sprint(apptest.Get(h.Do(t, linked, map[string]any{"id": entry}, nil).Data, "node", "linkedRecordIds")); got != fmt.Sprint([]string{handled}) {
		t.Errorf("the public's linkedRecordIds: %s, want only the handled complaint %s", got, handled)
	}
	if got := fmt.Sprint(apptest.Get(h.Do(t, linked, map[string]any{"id": entry}, lister).Data, "node", "linkedRecordIds")); got != fmt.Sprint([]string{handled, pendingGID}) {
		t.Errorf("the department's linkedRecordIds: %s", got)
	}
	// The catalogue says so.
	kinds := h.Query(t, `{ recordKinds { kind publicity publicOnceConcluded } }`, nil)
	for _, k := range kinds["recordKinds"].([]any) {
		m := k.(map[string]any)
		if m["kind"] == "COMPLAINT" && (m["publicity"] != "PUBLIC" || m["publicOnceConcluded"] != true) {
			t.Errorf("the catalogue's complaints: %v", m)
		}
		if m["kind"] != "COMPLAINT" && m["publicOnceConcluded"] != false {
			t.Errorf("the catalogue's %v", m)
		}
	}
}
