package auth

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"credithub/internal/apperr"
	"credithub/internal/ident"
)

// testAssociation is an industry association's code: a social
// organisation registered by Heihe's civil-affairs bureau.
func testAssociation(t *testing.T, org9 string) string {
	t.Helper()
	c, err := ident.MakeUSCC('5', '1', "231100", org9)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func associationClaims(org, scope string) Claims {
	return claims(func(c *Claims) { c.Kind, c.Org, c.Scope = KindAssociation, org, scope })
}

// An association's token opens into a principal that is that association
// and holds its two scopes.
func TestAssociationTokenOpens(t *testing.T) {
	t.Parallel()
	code := testAssociation(t, "MJ0000011")
	p, err := devVerifier(t).Authenticate(context.Background(), signDev(t, associationClaims(code, "association:members association:record")))
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind() != KindAssociation || p.Org() != code || !p.IsAssociation(code) || p.IsAssociation(testAssociation(t, "MJ0000029")) ||
		!p.HasScope(ScopeAssociationMembers) || !p.HasScope(ScopeAssociationRecord) || p.IsSubject(Subject{USCC: code}) {
		t.Fatalf("principal = %v", p)
	}
}

// SECURITY: an association token whose org is not a social
// organisation's well-formed code — garbage, SQL, an enterprise's code,
// another kind of civil-affairs organisation, a wrong check character —
// or that holds any scope but its own is refused with invalid_claims
// naming the claim, and yields no principal.
func TestAssociationTokenAttacks(t *testing.T) {
	t.Parallel()
	code := testAssociation(t, "MJ0000011")
	wrongCheck := code[:17] + map[bool]string{true: "1", false: "0"}[code[17] == '0']
	nonProfit, err := ident.MakeUSCC('5', '2', "231100", "MJ0000011")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ org, scope, claim string }{
		"garbage":                        {"not-an-association", "association:record", "org"},
		"sql":                            {"51'; DROP TABLE association; --", "association:record", "org"},
		"an enterprise's code":           {"91110000600037341L", "association:record", "org"},
		"a private non-enterprise's":     {nonProfit, "association:record", "org"},
		"a wrong check character":        {wrongCheck, "association:record", "org"},
		"lower case":                     {"51" + "231100mj0000011" + code[17:], "association:record", "org"},
		"a read scope":                   {code, "association:record record:read", "scope"},
		"entity:read":                    {code, "entity:read", "scope"},
		"personal data":                  {code, "person:read", "scope"},
		"the departments' authorisation": {code, "association:authorize", "scope"},
		"another area's write":           {code, "list:write", "scope"},
	}
	v := devVerifier(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := v.Authenticate(context.Background(), signDev(t, associationClaims(tc.org, tc.scope)))
			var te *TokenError
			if p != nil || !errors.As(err, &te) || te.Reason != ReasonClaims || te.Claim != tc.claim {
				t.Fatalf("got %v, %v; want invalid_claims on %s", p, err, tc.claim)
			}
		})
	}
	// The development tool mints none of them either.
	if _, err := MintDev(DevToken{Kind: KindAssociation, Org: "91110000600037341L", Scopes: AssociationScopes}); err == nil {
		t.Error("MintDev minted an association token for an enterprise's code")
	}
	if _, err := MintDev(DevToken{Kind: KindAssociation, Org: code, Scopes: []string{ScopeRecordRead}}); err == nil {
		t.Error("MintDev minted an association token with record:read")
	}
}

// fakeMembers is a MemberStore over a fixed registry that counts its calls.
type fakeMembers struct {
	of    map[string]map[string]bool
	calls atomic.Int32
	err   error
}

func (m *fakeMembers) ReadableMembers(_ context.Context, association string, _ time.Time) (map[string]bool, error) {
	m.calls.Add(1)
	return m.of[association], m.err
}

// An association reads its members' shared records (record:read) and
// nothing else shared: not a non-member's, not the members' other shared
// data (entity:read), nothing personal; its members are read once per
// request. Another association's members are not its.
func TestDecideForAnAssociation(t *testing.T) {
	t.Parallel()
	code, other := testAssociation(t, "MJ0000011"), testAssociation(t, "MJ0000029")
	const member, nonMember = "91110000600037341L", "91310115MA1K3BTP2B"
	store := &fakeMembers{of: map[string]map[string]bool{code: {member: true}, other: {nonMember: true}}}
	ctx := WithRequest(NewContext(context.Background(), NewPrincipal("a", code, KindAssociation, AssociationScopes, "")),
		NewRequest(nil, func(string) string { return "" }, nil).WithMembers(store))
	code403 := func(err error) string {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return ae.Code
		}
		return "nil"
	}
	for _, tc := range []struct {
		name  string
		level Level
		scope string
		subj  Subject
		want  string
	}{
		{"a member's shared records", Shared, ScopeRecordRead, Subject{USCC: member}, "nil"},
		{"a member's public data", Public, "", Subject{USCC: member}, "nil"},
		{"a member's other shared data", Shared, ScopeEntityRead, Subject{USCC: member}, apperr.Forbidden},
		{"a member's shared data by default scope", Shared, "", Subject{USCC: member}, apperr.Forbidden},
		{"a non-member's shared records", Shared, ScopeRecordRead, Subject{USCC: nonMember}, apperr.Forbidden},
		{"nobody's in particular", Shared, ScopeRecordRead, Subject{}, apperr.Forbidden},
		{"personal data of a member", Personal, "", Subject{USCC: member, IDNumber: testIDNo}, apperr.Forbidden},
		{"a person's records", Personal, "", Subject{IDNumber: testIDNo}, apperr.Forbidden},
	} {
		if got := code403(Decide(ctx, tc.level, tc.scope, tc.subj)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if n := store.calls.Load(); n != 1 {
		t.Errorf("the members were read %d times in one request", n)
	}
	if v := ViewOf(ctx, Subject{USCC: member}); v.Publicities.Len() != 2 || !v.PublicOnly {
		t.Errorf("the view of a member: %+v (shared too, only in force)", v)
	}
	if v := ViewOf(ctx, Subject{USCC: nonMember}); v.Publicities.Len() != 1 {
		t.Errorf("the view of a non-member: %+v", v)
	}
	// Without the request's members (a set-up that forgot them), nobody
	// is a member: it fails closed.
	bare := NewContext(context.Background(), NewPrincipal("a", code, KindAssociation, AssociationScopes, ""))
	if Decide(bare, Shared, ScopeRecordRead, Subject{USCC: member}) == nil {
		t.Error("an association without the request's member store read a member's shared records")
	}
	// A store that fails refuses, with its error.
	failing := WithRequest(bare, NewRequest(nil, func(string) string { return "" }, nil).WithMembers(&fakeMembers{err: errors.New("down")}))
	if Decide(failing, Shared, ScopeRecordRead, Subject{USCC: member}) == nil {
		t.Error("a failing member store let the association in")
	}
	// Other callers are not asked about members at all.
	dept := WithRequest(NewContext(context.Background(), NewPrincipal("d", "market", KindDepartment, nil, "")),
		NewRequest(nil, func(string) string { return "" }, nil).WithMembers(store))
	before := store.calls.Load()
	if Decide(dept, Shared, ScopeRecordRead, Subject{USCC: member}) == nil || store.calls.Load() != before {
		t.Error("a department without record:read read shared records, or asked the member store")
	}
}
