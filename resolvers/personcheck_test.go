package resolvers_test

import (
	"testing"

	"credithub/auth"
	"credithub/dev/world"
	"credithub/internal/app/apptest"
)

const personCheckQuery = `query PersonCheck($id: String!, $s: PersonScenario!) { personCheck(idNumber: $id, scenario: $s) {
	person { name } scenario complete missingSources { code }
	measures { measure { code personScenarios } triggers { kind listType summary } } } }`

// Checking a person before they become a legal representative (T22): the
// measures that apply and what triggers each; M-MKT-01 from the day a ban
// that names the person is entered; personal data, so purpose, scope and
// the supervisors only, and logged before it leaves.
func TestPersonCheck(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	lister := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	checker := apptest.As(t, auth.KindDepartment, "market", "ADMINISTRATIVE_APPROVAL", auth.ScopePersonRead, auth.ScopeEntityRead, auth.ScopeRecordRead)
	measuresOf := func(idNo, scenario string) map[string][]any {
		t.Helper()
		d := h.ok(t, checker, personCheckQuery, map[string]any{"id": idNo, "s": scenario})
		if apptest.Get(d, "personCheck", "complete") != true {
			t.Fatalf("incomplete check: %v", d)
		}
		out := map[string][]any{}
		for _, m := range apptest.Get(d, "personCheck", "measures").([]any) {
			out[apptest.Get(m, "measure", "code").(string)] = apptest.Get(m, "triggers").([]any)
		}
		return out
	}
	// An entity on no list whose legal representative nothing restricts.
	var e *world.Entity
	for _, c := range wfPlainEntities(h.World) {
		if len(h.recordsOf(t, c.USCC)) > 0 && len(measuresOf(c.LegalRep.IDNo, "LEGAL_REPRESENTATIVE")) == 0 &&
			len(measuresOf(c.Principal.IDNo, "LEGAL_REPRESENTATIVE")) == 0 {
			e = c
			break
		}
	}
	if e == nil {
		t.Fatal("no entity whose persons are unrestricted")
	}
	in := wfListing("MARKET_BAN", e.USCC, h.recordsOf(t, e.USCC)[:1], map[string]any{
		"banStart": wfDays(0), "banEnd": wfDays(365), "bannedRoles": []string{"LEGAL_REPRESENTATIVE"}})
	h.ok(t, lister, gqlEnterListing, map[string]any{"k": h.key(), "in": in})

	got := measuresOf(e.LegalRep.IDNo, "LEGAL_REPRESENTATIVE")
	if trig := got["M-MKT-01"]; len(trig) != 1 || apptest.Get(trig[0], "listType") != "MARKET_BAN" || apptest.Get(trig[0], "kind") != "LISTING" {
		t.Errorf("the banned legal representative as a legal representative: %v", got)
	}
	if got := measuresOf(e.LegalRep.IDNo, "PROFESSIONAL_QUALIFICATION"); len(got["M-QLF-01"]) != 1 || got["M-MKT-01"] != nil {
		t.Errorf("the banned legal representative for a qualification: %v", got)
	}
	if got := measuresOf(e.Principal.IDNo, "LEGAL_REPRESENTATIVE"); len(got) != 0 {
		t.Errorf("the principal, whom the ban does not name: %v", got)
	}

	// Logged, as any personal read: a row naming the field, for the
	// purpose declared.
	var logged int
	if err := h.DBs["hub"].Get(&logged, `SELECT count(*) FROM query_log WHERE operation = 'PersonCheck'
		AND 'Query.personCheck' = ANY(fields) AND purpose = 'ADMINISTRATIVE_APPROVAL'`); err != nil || logged == 0 {
		t.Errorf("person checks logged: %d, %v", logged, err)
	}

	// Refusals: each precise, and nothing about the person in the answer.
	vars := map[string]any{"id": e.LegalRep.IDNo, "s": "LEGAL_REPRESENTATIVE"}
	for name, tc := range map[string]struct {
		as   map[string]string
		code string
	}{
		"no purpose":     {apptest.As(t, auth.KindDepartment, "market", "", auth.ScopePersonRead), "PURPOSE_REQUIRED"},
		"no person:read": {apptest.As(t, auth.KindDepartment, "market", "ADMINISTRATIVE_APPROVAL", auth.ScopeEntityRead, auth.ScopeRecordRead), "FORBIDDEN"},
		// Refused for want of the person's authorisation first; with one,
		// for not being a supervisor.
		"an agency":          {apptest.As(t, auth.KindAgency, "agency-001", "ADMINISTRATIVE_APPROVAL", auth.ScopePersonRead), "AUTHORIZATION_REQUIRED"},
		"the entity":         {apptest.As(t, auth.KindEntity, e.USCC, "ADMINISTRATIVE_APPROVAL", auth.ScopePersonRead), "FORBIDDEN"},
		"the public":         {nil, "FORBIDDEN"},
		"a person, himself?": {h.AsPerson(t, e.LegalRep.IDNo, ""), "FORBIDDEN"},
	} {
		r := h.Do(t, personCheckQuery, vars, tc.as)
		if len(r.Errors) == 0 || r.Errors[0].Code() != tc.code || apptest.Get(r.Data, "personCheck") != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	r := h.Do(t, personCheckQuery, map[string]any{"id": "23110219800101002", "s": "LEGAL_REPRESENTATIVE"}, checker)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "idNumber" {
		t.Errorf("a malformed ID number: %s", r.Body)
	}
}
