package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signRaw signs a header and a payload written as JSON text, exactly as
// given: what an attacker holding a trusted key's signature (or a sloppy
// identity provider) could send.
func signRaw(t *testing.T, header, payload string) string {
	t.Helper()
	s := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodEdDSA.Sign(s, devPrivateKey())
	if err != nil {
		t.Fatal(err)
	}
	return s + "." + base64.RawURLEncoding.EncodeToString(sig)
}

const devHeader = `{"alg":"EdDSA","kid":"dev-1","typ":"JWT"}`

// payload is a good department token's claims with some replaced: each
// key of with replaces that claim's JSON text, or drops it when "".
func payload(with map[string]string) string {
	now := testNow.Unix()
	claims := [][2]string{
		{"iss", `"credithub-dev"`}, {"sub", `"u1"`}, {"aud", `["credithub"]`},
		{"exp", fmt.Sprint(now + 3600)}, {"nbf", fmt.Sprint(now - 60)}, {"iat", fmt.Sprint(now)},
		{"jti", `"j1"`}, {"scope", `"entity:read person:read"`}, {"org", `"market"`}, {"kind", `"department"`},
	}
	var parts []string
	for _, c := range claims {
		v := c[1]
		if w, ok := with[c[0]]; ok {
			v = w
		}
		if v != "" {
			parts = append(parts, `"`+c[0]+`":`+v)
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func at(d time.Duration) string { return fmt.Sprint(testNow.Add(d).Unix()) }

// A valid unified social credit code (GB 32100's check character).
const entityCode = "91110000600037341L"

// SECURITY: every claim the hub reads must have the JSON type and value the
// contract gives it; golang-jwt alone takes "exp": "9999999999" (a string)
// for a number and a token that expires in 2286. Each is refused with its
// reason and the claim named, and none yields a principal.
func TestClaimAttacks(t *testing.T) {
	t.Parallel()
	v := devVerifier(t)
	tests := []struct {
		name    string
		header  string
		with    map[string]string
		reason  string
		claim   string
		refused bool // false: the control case, accepted
	}{
		{"exp a quoted number", devHeader, map[string]string{"exp": `"9999999999"`}, ReasonClaims, "exp", true},
		{"exp a quoted near number", devHeader, map[string]string{"exp": `"` + at(time.Hour) + `"`}, ReasonClaims, "exp", true},
		{"nbf a string", devHeader, map[string]string{"nbf": `"` + at(-time.Minute) + `"`}, ReasonClaims, "nbf", true},
		{"iat a string", devHeader, map[string]string{"iat": `"` + at(-time.Minute) + `"`}, ReasonClaims, "iat", true},
		{"exp a boolean", devHeader, map[string]string{"exp": `true`}, ReasonClaims, "exp", true},
		{"exp null", devHeader, map[string]string{"exp": `null`}, ReasonClaims, "exp", true},
		{"exp a list", devHeader, map[string]string{"exp": `[` + at(time.Hour) + `]`}, ReasonClaims, "exp", true},
		{"exp in 2286", devHeader, map[string]string{"exp": `9999999999`}, ReasonLifetime, "exp", true},
		{"exp in 2286 without iat", devHeader, map[string]string{"exp": `9999999999`, "iat": ""}, ReasonLifetime, "exp", true},
		{"exp in 2286, iat moved just before", devHeader, map[string]string{"exp": `9999999999`, "iat": `9999990000`}, ReasonNotYetValid, "", true},
		{"exp absurdly large", devHeader, map[string]string{"exp": `1e300`}, ReasonClaims, "exp", true},
		{"department token of 13h", devHeader, map[string]string{"iat": at(0), "exp": at(13 * time.Hour)}, ReasonLifetime, "exp", true},
		{"department token of 12h", devHeader, map[string]string{"iat": at(0), "exp": at(12 * time.Hour)}, "", "", false},
		{"department token issued 11h ago, 13h long", devHeader, map[string]string{"iat": at(-11 * time.Hour), "exp": at(2 * time.Hour)}, ReasonLifetime, "exp", true},
		{"department token without iat, 13h left", devHeader, map[string]string{"iat": "", "exp": at(13 * time.Hour)}, ReasonLifetime, "exp", true},
		{"agency token of 2h", devHeader, map[string]string{"kind": `"agency"`, "org": `"agency-1"`, "iat": at(0), "exp": at(2 * time.Hour)}, ReasonLifetime, "exp", true},
		{"admin token of 1h", devHeader, map[string]string{"kind": `"admin"`, "org": `"office"`, "iat": at(0), "exp": at(time.Hour)}, "", "", false},
		{"admin token of 8h", devHeader, map[string]string{"kind": `"admin"`, "org": `"office"`, "iat": at(0), "exp": at(8 * time.Hour)}, ReasonLifetime, "exp", true},
		{"sub a number", devHeader, map[string]string{"sub": `42`}, ReasonClaims, "sub", true},
		{"sub empty", devHeader, map[string]string{"sub": `""`}, ReasonClaims, "sub", true},
		{"sub missing", devHeader, map[string]string{"sub": ""}, ReasonClaims, "sub", true},
		{"sub with a NUL", devHeader, map[string]string{"sub": `"u1\u0000admin"`}, ReasonClaims, "sub", true},
		{"sub with a newline", devHeader, map[string]string{"sub": `"u1\nforged log line"`}, ReasonClaims, "sub", true},
		{"sub a lone surrogate", devHeader, map[string]string{"sub": `"u\ud800"`}, ReasonClaims, "sub", true},
		{"sub too long", devHeader, map[string]string{"sub": `"` + strings.Repeat("u", 300) + `"`}, ReasonClaims, "sub", true},
		{"org a number", devHeader, map[string]string{"org": `7`}, ReasonClaims, "org", true},
		{"org empty", devHeader, map[string]string{"org": `""`}, ReasonClaims, "org", true},
		{"org a list", devHeader, map[string]string{"org": `["market"]`}, ReasonClaims, "org", true},
		{"org missing", devHeader, map[string]string{"org": ""}, ReasonClaims, "org", true},
		{"entity org not a code", devHeader, map[string]string{"kind": `"entity"`, "org": `"acme"`}, ReasonClaims, "org", true},
		{"entity org, a character outside the alphabet", devHeader, map[string]string{"kind": `"entity"`, "org": `"9111000060003734IL"`}, ReasonClaims, "org", true},
		{"entity org, 17 characters", devHeader, map[string]string{"kind": `"entity"`, "org": `"` + entityCode[:17] + `"`}, ReasonClaims, "org", true},
		{"entity org, an early pilot code (wrong check character)", devHeader, map[string]string{"kind": `"entity"`, "org": `"91110000600037341M"`}, "", "", false},
		{"entity org in lower case", devHeader, map[string]string{"kind": `"entity"`, "org": `"` + strings.ToLower(entityCode) + `"`}, ReasonClaims, "org", true},
		{"entity org, a valid code", devHeader, map[string]string{"kind": `"entity"`, "org": `"` + entityCode + `"`}, "", "", false},
		{"kind a list", devHeader, map[string]string{"kind": `["admin"]`}, ReasonClaims, "kind", true},
		{"kind a number", devHeader, map[string]string{"kind": `1`}, ReasonClaims, "kind", true},
		{"kind empty", devHeader, map[string]string{"kind": `""`}, ReasonClaims, "kind", true},
		{"kind unknown", devHeader, map[string]string{"kind": `"superuser"`}, ReasonClaims, "kind", true},
		{"kind in upper case", devHeader, map[string]string{"kind": `"ADMIN"`}, ReasonClaims, "kind", true},
		{"kind missing", devHeader, map[string]string{"kind": ""}, ReasonClaims, "kind", true},
		{"scope a list", devHeader, map[string]string{"scope": `["entity:read","audit:read"]`}, ReasonClaims, "scope", true},
		{"scope a number", devHeader, map[string]string{"scope": `1`}, ReasonClaims, "scope", true},
		{"scope twice", devHeader, map[string]string{"scope": `"entity:read entity:read"`}, ReasonClaims, "scope", true},
		{"scope unknown", devHeader, map[string]string{"scope": `"entity:read root"`}, ReasonClaims, "scope", true},
		{"scope in upper case", devHeader, map[string]string{"scope": `"AUDIT:READ"`}, ReasonClaims, "scope", true},
		{"scope separated by a tab", devHeader, map[string]string{"scope": `"entity:read\taudit:read"`}, ReasonClaims, "scope", true},
		{"scope with two spaces", devHeader, map[string]string{"scope": `"entity:read  audit:read"`}, ReasonClaims, "scope", true},
		{"scope with a trailing space", devHeader, map[string]string{"scope": `"entity:read "`}, ReasonClaims, "scope", true},
		{"scope empty", devHeader, map[string]string{"scope": `""`}, "", "", false},
		{"aud a number", devHeader, map[string]string{"aud": `1`}, ReasonClaims, "aud", true},
		{"aud an empty list", devHeader, map[string]string{"aud": `[]`}, ReasonClaims, "aud", true},
		{"aud a list of numbers", devHeader, map[string]string{"aud": `[1]`}, ReasonClaims, "aud", true},
		{"aud a string", devHeader, map[string]string{"aud": `"credithub"`}, "", "", false},
		{"iss a number", devHeader, map[string]string{"iss": `1`}, ReasonClaims, "iss", true},
		{"iss a list", devHeader, map[string]string{"iss": `["credithub-dev"]`}, ReasonClaims, "iss", true},
		{"jti a number", devHeader, map[string]string{"jti": `1`}, ReasonClaims, "jti", true},
		{"jti empty", devHeader, map[string]string{"jti": `""`}, ReasonClaims, "jti", true},
		{"kid a number", `{"alg":"EdDSA","kid":1}`, nil, ReasonMalformed, "", true},
		{"kid empty", `{"alg":"EdDSA","kid":""}`, nil, ReasonMalformed, "", true},
		{"crit header", `{"alg":"EdDSA","kid":"dev-1","crit":["exp"],"exp":1}`, nil, ReasonMalformed, "", true},
		{"alg a list", `{"alg":["EdDSA"],"kid":"dev-1"}`, nil, ReasonMalformed, "", true},
		{"kid given twice", `{"alg":"EdDSA","kid":"dev-1","kid":"other"}`, nil, ReasonMalformed, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := signRaw(t, tc.header, payload(tc.with))
			p, err := v.Authenticate(context.Background(), tok)
			if !tc.refused {
				if err != nil {
					t.Fatalf("a good token was refused: %v", err)
				}
				return
			}
			var te *TokenError
			if !errors.As(err, &te) || te.Reason != tc.reason || te.Claim != tc.claim {
				t.Fatalf("Authenticate = %v, %v; want reason %s, claim %q", p, err, tc.reason, tc.claim)
			}
			if p != nil {
				t.Fatalf("a refused token yielded principal %v", p)
			}
		})
	}
	// A claim given twice: one parser reads the first, another the last.
	t.Run("kind given twice", func(t *testing.T) {
		tok := signRaw(t, devHeader, strings.TrimSuffix(payload(nil), "}")+`,"kind":"admin"}`)
		_, err := v.Authenticate(context.Background(), tok)
		var te *TokenError
		if !errors.As(err, &te) || te.Reason != ReasonMalformed {
			t.Fatalf("Authenticate = %v; want %s", err, ReasonMalformed)
		}
	})
}

// The longest lifetimes are configurable per kind; the rest keep their
// defaults.
func TestMaxLifetimes(t *testing.T) {
	t.Parallel()
	max, err := ParseMaxLifetimes("agency=30m, department=2h")
	if err != nil {
		t.Fatal(err)
	}
	if max[KindAgency] != 30*time.Minute || max[KindDepartment] != 2*time.Hour || max[KindEntity] != DefaultMaxLifetimes[KindEntity] {
		t.Fatalf("ParseMaxLifetimes = %v", max)
	}
	v, err := NewVerifier(VerifierOptions{Issuers: []Issuer{DevIssuerConfig()}, Now: func() time.Time { return testNow }, MaxLifetimes: max})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		with   map[string]string
		reason string
	}{
		{map[string]string{"kind": `"agency"`, "org": `"agency-1"`, "iat": at(0), "exp": at(31 * time.Minute)}, ReasonLifetime},
		{map[string]string{"kind": `"agency"`, "org": `"agency-1"`, "iat": at(0), "exp": at(30 * time.Minute)}, ""},
		{map[string]string{"iat": at(0), "exp": at(3 * time.Hour)}, ReasonLifetime},
		{map[string]string{"kind": `"public-service"`, "org": `"portal"`, "iat": at(0), "exp": at(12 * time.Hour)}, ""},
	} {
		_, err := v.Authenticate(context.Background(), signRaw(t, devHeader, payload(tc.with)))
		var te *TokenError
		if got := ""; (err != nil) != (tc.reason != "") || (errors.As(err, &te) && te.Reason != tc.reason) {
			t.Errorf("%v: %v, want reason %q%s", tc.with, err, tc.reason, got)
		}
	}
	for _, bad := range []string{"root=1h", "agency", "agency=forever", "agency=1s", "agency=720h", "agency=1h,agency=2h"} {
		if _, err := ParseMaxLifetimes(bad); err == nil {
			t.Errorf("ParseMaxLifetimes(%q) accepted", bad)
		}
	}
}

// SECURITY: over HTTP a refused claim is a 401 naming the reason and the
// claim, in a sentence that says what the claim must be.
func TestMiddlewareNamesTheClaim(t *testing.T) {
	t.Parallel()
	h := Middleware(devVerifier(t))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a refused token reached the handler")
	}))
	for _, tc := range []struct {
		with               map[string]string
		reason, claim, msg string
	}{
		{map[string]string{"exp": `"9999999999"`}, ReasonClaims, "exp", "exp must be a JSON number"},
		{map[string]string{"exp": `9999999999`}, ReasonLifetime, "exp", "department tokens may live at most 12h0m0s"},
		{map[string]string{"kind": `["admin"]`}, ReasonClaims, "kind", "kind must be a JSON string, not a list"},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Set("Authorization", "Bearer "+signRaw(t, devHeader, payload(tc.with)))
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusUnauthorized || !strings.Contains(body, `"reason":"`+tc.reason+`"`) ||
			!strings.Contains(body, `"claim":"`+tc.claim+`"`) || !strings.Contains(body, tc.msg) {
			t.Errorf("%v: %d %s", tc.with, rec.Code, body)
		}
	}
}

// MintDev refuses what the hub would refuse: a TTL longer than the kind
// allows, an entity whose org is not its code.
func TestMintDevRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []DevToken{
		{Kind: KindAgency, Org: "agency-1", TTL: 2 * time.Hour},
		{Kind: KindDepartment, Org: "market", TTL: 13 * time.Hour},
		{Kind: KindDepartment, Org: "market", TTL: 2 * time.Hour, MaxLifetimes: map[Kind]time.Duration{KindDepartment: time.Hour}},
		{Kind: KindEntity, Org: "acme"},
		{Kind: KindDepartment, Org: "mar\x00ket"},
	} {
		if tok, err := MintDev(tc); err == nil {
			t.Errorf("MintDev(%+v) = %s, want an error", tc, tok)
		}
	}
	tok, err := MintDev(DevToken{Kind: KindDepartment, Org: "market", TTL: 12 * time.Hour, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := devVerifier(t).Authenticate(context.Background(), tok); err != nil {
		t.Fatalf("a 12h department token minted by MintDev is refused: %v", err)
	}
}
