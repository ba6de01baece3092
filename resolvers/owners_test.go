package resolvers_test

import (
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
