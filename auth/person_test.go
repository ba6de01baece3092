package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"credithub/internal/gid"
)

const testIDNo = "11010519491231002X"

func personSealer(t *testing.T, key string) *gid.Sealer {
	t.Helper()
	s, err := gid.NewSealer([]byte(strings.Repeat(key, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func personVerifier(t *testing.T, persons PersonOpener) *Verifier {
	t.Helper()
	v, err := NewVerifier(VerifierOptions{Issuers: []Issuer{DevIssuerConfig()}, Now: func() time.Time { return testNow }, Persons: persons})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func personClaims(org, scope string) Claims {
	return claims(func(c *Claims) { c.Kind, c.Org, c.Scope = KindPerson, org, scope })
}

// A person's token opens into a principal that knows its ID number and is
// the subject of its own data only.
func TestPersonTokenOpensToThePerson(t *testing.T) {
	t.Parallel()
	s := personSealer(t, "k")
	p, err := personVerifier(t, s).Authenticate(context.Background(), signDev(t, personClaims(s.Person(testIDNo), "objection:file authorization:revoke")))
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind() != KindPerson || p.IDNumber() != testIDNo || p.Org() != s.Person(testIDNo) {
		t.Fatalf("principal = %v, id number %q", p, p.IDNumber())
	}
	if !p.IsPerson(testIDNo) || !p.IsSubject(Subject{IDNumber: testIDNo}) || p.IsSubject(Subject{IDNumber: "110105194912310037"}) {
		t.Error("the person is not exactly the subject of their own data")
	}
	if strings.Contains(p.String(), testIDNo) || strings.Contains(p.Key(), testIDNo) {
		t.Errorf("the principal's log form carries the ID number: %s", p)
	}
}

// SECURITY: a person token whose org is not this hub's sealed person ID —
// the raw number, garbage, another key's seal, an entity's ID, another
// spelling of the right one — or that holds a read scope is refused with
// invalid_claims naming the claim, and yields no principal. A hub that
// cannot open person IDs accepts none.
func TestPersonTokenAttacks(t *testing.T) {
	t.Parallel()
	s := personSealer(t, "k")
	sealed := s.Person(testIDNo)
	// Another spelling: the last base64 character with its unused bits set.
	_, payload, _ := gid.Decode(sealed)
	respelt := ""
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		alt := gid.Encode(gid.TypePerson, payload[:len(payload)-1]+string(c))
		if alt != sealed {
			if got, err := s.OpenPerson(payload[:len(payload)-1] + string(c)); err == nil && got == testIDNo {
				respelt = alt
				break
			}
		}
	}
	cases := map[string]struct {
		org, scope, claim string
	}{
		"raw ID number":             {testIDNo, "", "org"},
		"garbage":                   {"not-a-person-id", "", "org"},
		"payload without type":      {payload, "", "org"},
		"another hub's key":         {personSealer(t, "x").Person(testIDNo), "", "org"},
		"entity ID":                 {gid.Entity("91230000MA1B2C3D4E"), "", "org"},
		"sealed non-ID":             {s.Person("not an id number"), "", "org"},
		"with person:read":          {sealed, "person:read", "scope"},
		"with audit:read":           {sealed, "objection:file audit:read", "scope"},
		"with record:read":          {sealed, "record:read", "scope"},
		"with a department's write": {sealed, "authorization:write", "scope"},
	}
	if respelt != "" {
		cases["another spelling"] = struct{ org, scope, claim string }{respelt, "", "org"}
	}
	v := personVerifier(t, s)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := v.Authenticate(context.Background(), signDev(t, personClaims(tc.org, tc.scope)))
			var te *TokenError
			if p != nil || !errors.As(err, &te) || te.Reason != ReasonClaims || te.Claim != tc.claim {
				t.Fatalf("Authenticate = %v, %v; want invalid_claims on %s", p, err, tc.claim)
			}
		})
	}
	if _, err := devVerifier(t).Authenticate(context.Background(), signDev(t, personClaims(sealed, ""))); err == nil {
		t.Error("a hub without a person opener accepted a person token")
	}
	// A person token lives an hour at most, as a person at a browser.
	long := personClaims(sealed, "")
	long.ExpiresAt.Time = testNow.Add(2 * time.Hour)
	var te *TokenError
	if _, err := v.Authenticate(context.Background(), signDev(t, long)); !errors.As(err, &te) || te.Reason != ReasonLifetime {
		t.Errorf("a 2h person token: %v", err)
	}
	// MintDev refuses what the hub would.
	for _, tok := range []DevToken{
		{Kind: KindPerson, Org: testIDNo},
		{Kind: KindPerson, Org: sealed, Scopes: []string{ScopePersonRead}},
		{Kind: KindPerson},
	} {
		if _, err := MintDev(tok); err == nil {
			t.Errorf("MintDev(%+v) minted", tok)
		}
	}
}

// SECURITY: Decide lets a person read what is about them — shared and
// personal, with no scope and no purpose or DATA_SUBJECT — and nothing
// personal about anybody else, whatever scopes the principal holds.
func TestDecideForThePerson(t *testing.T) {
	t.Parallel()
	const other = "110105194912310037"
	p := NewPrincipal("me", "sealed", KindPerson, []string{ScopePersonRead, ScopeRecordRead}, "j").AsPerson(testIDNo)
	ctx := NewContext(context.Background(), p)
	for _, tc := range []struct {
		name    string
		header  string
		level   Level
		subj    Subject
		refused bool
	}{
		{"own personal data", "", Personal, Subject{IDNumber: testIDNo}, false},
		{"own, DATA_SUBJECT", "DATA_SUBJECT", Personal, Subject{IDNumber: testIDNo}, false},
		{"own, another purpose", "LAW_ENFORCEMENT", Personal, Subject{IDNumber: testIDNo}, true},
		{"own shared data", "", Shared, Subject{IDNumber: testIDNo}, false},
		{"another's personal data, scopes held", "LAW_ENFORCEMENT", Personal, Subject{IDNumber: other}, true},
		{"an entity's personal data", "", Personal, Subject{USCC: "91230000MA1B2C3D4E"}, true},
		{"own number beside an entity", "", Personal, Subject{IDNumber: testIDNo, USCC: "91230000MA1B2C3D4E"}, true},
		{"nobody's personal data", "", Personal, Subject{}, true},
	} {
		err := Decide(WithPurpose(ctx, tc.header), tc.level, "", tc.subj)
		if (err != nil) != tc.refused {
			t.Errorf("%s: Decide = %v, refused want %v", tc.name, err, tc.refused)
		}
	}
	if got := LoggedPurpose(ctx); got != "DATA_SUBJECT" {
		t.Errorf("a person's reads are logged with purpose %q", got)
	}
	dept := NewContext(WithPurpose(context.Background(), "DATA_SUBJECT"), NewPrincipal("d", "market", KindDepartment, []string{ScopePersonRead}, "j"))
	if Decide(dept, Personal, "", Subject{IDNumber: testIDNo}) == nil {
		t.Error("a department declared DATA_SUBJECT and read a person")
	}
}
