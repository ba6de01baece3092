package resolvers_test

import (
	"fmt"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
)

// SECURITY: a write scope lets its holder act on its own objects only. A
// department holding case:write and list:write does not open a case on,
// remove, or interview for another department's listing; an agency holding
// authorization:write does not record or revoke persons' authorisations
// (it would grant itself their data), nor does an entity. Each refusal
// writes nothing.
func TestWriteScopesActOnOwnObjectsOnly(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	ents, recs := h.listable(t, 1)
	market := h.dept("market", auth.ScopeListWrite, auth.ScopeCaseWrite, auth.ScopeEntityRead)
	fire := h.dept("fire", auth.ScopeListWrite, auth.ScopeCaseWrite, auth.ScopeEntityRead)
	entry := wfStr(apptest.Get(h.ok(t, market, gqlEnterListing, map[string]any{"k": h.key(),
		"in": wfListing("JOINT_PUNISHMENT", ents[0].USCC, recs[0][:1], nil)}), "enterListing", "id"))

	t.Run("another department's listing", func(t *testing.T) {
		cases := h.count(t, `SELECT count(*) FROM joint_case`)
		h.forbidden(t, "", fire, gqlOpenCase, map[string]any{"id": entry, "k": h.key()})
		if n := h.count(t, `SELECT count(*) FROM joint_case`); n != cases {
			t.Errorf("a refused openJointCase wrote a case: %d → %d", cases, n)
		}
		h.forbidden(t, "", fire, gqlRemoveListing, map[string]any{"id": entry, "r": "REVOKED", "k": h.key()})
		h.forbidden(t, "", fire, `mutation($id: ID!, $on: Date!, $k: String!) { recordInterview(listEntryId: $id, type: PROMPT, heldOn: $on, notes: "n", idempotencyKey: $k) { id } }`,
			map[string]any{"id": entry, "on": wfToday().String(), "k": h.key()})
		// The credit office's desk and the identifying department may.
		office := h.dept("credit-office", auth.ScopeCaseWrite, auth.ScopeEntityRead)
		if c := h.ok(t, office, gqlOpenCase, map[string]any{"id": entry, "k": h.key()}); apptest.Get(c, "openJointCase", "state") != "OPEN" {
			t.Errorf("the credit office opened: %v", c)
		}
	})

	t.Run("grades are recomputed by supervisors", func(t *testing.T) {
		before := h.count(t, `SELECT count(*) FROM idempotency`)
		for _, as := range []map[string]string{
			apptest.As(t, auth.KindAgency, "agency-grades", "", auth.ScopeGradeCompute),
			apptest.As(t, auth.KindEntity, ents[0].USCC, "", auth.ScopeGradeCompute),
		} {
			h.forbidden(t, "", as, `mutation($k: String!) { recomputeGrades(idempotencyKey: $k) }`, map[string]any{"k": h.key()})
		}
		if n := h.count(t, `SELECT count(*) FROM idempotency`); n != before {
			t.Errorf("refused recomputes wrote: %d → %d", before, n)
		}
	})

	t.Run("an agency's own authorisations", func(t *testing.T) {
		const rec = `mutation($in: RecordAuthorizationInput!) { recordAuthorization(input: $in) { id live } }`
		in := map[string]any{"idNumber": ents[0].LegalRep.IDNo, "agency": "agency-self", "purpose": "AUTHORIZED_QUERY",
			"validFrom": wfToday().String(), "validTo": wfDays(30), "documentNo": "SQ-self", "idempotencyKey": h.key()}
		before := h.count(t, `SELECT count(*) FROM person_authorization`)
		for who, as := range map[string]map[string]string{
			"agency": apptest.As(t, auth.KindAgency, "agency-self", "", auth.ScopeAuthorizationEdit),
			"entity": apptest.As(t, auth.KindEntity, ents[0].USCC, "", auth.ScopeAuthorizationEdit),
		} {
			h.forbidden(t, "", as, rec, map[string]any{"in": in})
			h.forbidden(t, "", as, `mutation { revokeAuthorization(id: "QXV0aG9yaXphdGlvbjox", idempotencyKey: "k") { live } }`, nil)
			if n := h.count(t, `SELECT count(*) FROM person_authorization`); n != before {
				t.Errorf("%s recorded an authorisation: %d → %d", who, before, n)
			}
		}
		dept := h.dept("market", auth.ScopeAuthorizationEdit)
		if a := h.ok(t, dept, rec, map[string]any{"in": in}); apptest.Get(a, "recordAuthorization", "live") != true {
			t.Errorf("a department recorded: %v", a)
		}
	})
}

// SECURITY: a listing is public, the records it rests on are as open as
// each record: a record's global ID names its kind, so a shared record's
// ID is left out of linkedRecordIds for callers who may not see it — the
// public learns of no environmental rating or accident through a listing —
// and kept for those who may (node(id) agrees).
func TestLinkedRecordIdsFollowTheRecords(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	lister := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	var uscc, complaint, penalty string
	for _, e := range wfPlainEntities(h.World) {
		d := h.ok(t, lister, `query($u: ID!) { entity(uscc: $u) {
			c: records(first: 1, filter: {publicity: [SHARED]}) { edges { node { id } } }
			p: records(first: 1, filter: {kinds: [PENALTY], publicity: [PUBLIC]}) { edges { node { id } } } } }`, map[string]any{"u": e.USCC})
		c, _ := apptest.Get(d, "entity", "c", "edges", 0, "node", "id").(string)
		p, _ := apptest.Get(d, "entity", "p", "edges", 0, "node", "id").(string)
		if c != "" && p != "" {
			uscc, complaint, penalty = e.USCC, c, p
			break
		}
	}
	if uscc == "" {
		t.Fatal("no entity of the world has both a shared record and a public penalty")
	}
	entry := wfStr(apptest.Get(h.ok(t, lister, gqlEnterListing, map[string]any{"k": h.key(),
		"in": wfListing("JOINT_PUNISHMENT", uscc, []string{penalty, complaint}, nil)}), "enterListing", "id"))
	const q = `query($id: ID!) { node(id: $id) { ... on ListEntry { linkedRecordIds } } }`
	for who, tc := range map[string]struct {
		as   map[string]string
		want []string
	}{
		"the public":                    {nil, []string{penalty}},
		"a department with entity:read": {h.dept("fire", auth.ScopeEntityRead), []string{penalty}},
		"a department with record:read": {h.dept("fire", auth.ScopeEntityRead, auth.ScopeRecordRead), []string{penalty, complaint}},
		"the entity itself":             {apptest.As(t, auth.KindEntity, uscc, ""), []string{penalty, complaint}},
	} {
		r := h.Do(t, q, map[string]any{"id": entry}, tc.as)
		got := fmt.Sprint(apptest.Get(r.Data, "node", "linkedRecordIds"))
		if got != fmt.Sprint(tc.want) {
			t.Errorf("%s: linkedRecordIds = %s, want %v: %s", who, got, tc.want, r.Body)
		}
		if n := h.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": complaint}, tc.as); (apptest.Get(n.Data, "node", "id") != nil) != (len(tc.want) == 2) {
			t.Errorf("%s: node(complaint) disagrees with linkedRecordIds: %s", who, n.Body)
		}
	}
}
