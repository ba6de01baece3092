package resolvers_test

import (
	"fmt"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
)

const heldQuery = `query($n: Int, $after: String) { heldAuthorizations(first: $n, after: $after) {
  edges { cursor node { id agency person purpose validFrom validTo live revokedAt } }
  pageInfo { hasNextPage endCursor } } }`

// T30: an agency lists the authorisations it holds — its own org's, as the
// hub stored them, the person masked — one a page, one hub statement a
// page; another agency's are never among them, whatever its token says.
func TestHeldAuthorizations(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	ents := h.World.Entities[len(h.World.Entities)-10:]
	dept := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeAuthorizationEdit)
	const rec = `mutation($in: RecordAuthorizationInput!) { recordAuthorization(input: $in) { id } }`
	for i, agency := range []string{"agency-held-a", "agency-held-b", "agency-held-a", "agency-held-a"} {
		h.QueryAs(t, dept, rec, map[string]any{"in": map[string]any{"idNumber": ents[i].LegalRep.IDNo, "agency": agency,
			"purpose": "AUTHORIZED_QUERY", "validFrom": wfToday().String(), "validTo": wfDays(30 + i),
			"documentNo": fmt.Sprintf("SQ-held-%d", i), "idempotencyKey": fmt.Sprintf("held-%s-%d", t.Name(), i)}})
	}
	held := func(who map[string]string) []string {
		var out []string
		var after any
		for {
			r := h.Do(t, heldQuery, map[string]any{"n": 1, "after": after}, who)
			if len(r.Errors) > 0 {
				t.Fatalf("heldAuthorizations: %s", r.Body)
			}
			if got := r.Statements()["hub"]; got != 1 {
				t.Errorf("a page of heldAuthorizations cost %d hub statements, want 1 (%v)", got, r.Statements())
			}
			conn := apptest.Get(r.Data, "heldAuthorizations")
			for _, e := range apptest.Get(conn, "edges").([]any) {
				n := apptest.Get(e, "node")
				out = append(out, fmt.Sprintf("%s %s %s %v", apptest.Get(n, "agency"), apptest.Get(n, "person"), apptest.Get(n, "validTo"), apptest.Get(n, "live")))
			}
			if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
				return out
			}
			after = apptest.Get(conn, "pageInfo", "endCursor")
		}
	}
	for _, agency := range []string{"agency-held-a", "agency-held-b"} {
		var rows []struct {
			Agency string `db:"agency"`
			Masked string `db:"person_masked"`
			To     string `db:"valid_to"`
		}
		if err := h.DBs["hub"].Select(&rows, `SELECT agency, person_masked, to_char(valid_to, 'YYYY-MM-DD') AS valid_to
			FROM person_authorization WHERE agency = $1 ORDER BY id DESC`, agency); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, r := range rows {
			want = append(want, fmt.Sprintf("%s %s %s true", r.Agency, r.Masked, r.To))
		}
		// Every read scope changes nothing: the org decides.
		got := held(apptest.As(t, auth.KindAgency, agency, "", auth.ReadScopes...))
		if fmt.Sprint(got) != fmt.Sprint(want) || len(want) == 0 {
			t.Errorf("%s holds:\n got %v\nwant %v", agency, got, want)
		}
	}
	// SECURITY: nobody else lists authorisations this way.
	for name, who := range map[string]map[string]string{
		"public":     nil,
		"entity":     apptest.As(t, auth.KindEntity, ents[0].USCC, "", auth.ReadScopes...),
		"department": apptest.As(t, auth.KindDepartment, "market", "", append(auth.ReadScopes, auth.ScopeAuthorizationEdit)...),
	} {
		r := h.Do(t, heldQuery, nil, who)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" || r.Data["heldAuthorizations"] != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
}
