package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testNow = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func devVerifier(t *testing.T) *Verifier {
	t.Helper()
	v, err := NewVerifier(VerifierOptions{Issuers: []Issuer{DevIssuerConfig()}, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func claims(mod func(*Claims)) Claims {
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: DevIssuer, Subject: "u1", Audience: jwt.ClaimStrings{DevAudience},
			ExpiresAt: jwt.NewNumericDate(testNow.Add(time.Hour)), NotBefore: jwt.NewNumericDate(testNow.Add(-time.Minute)),
		},
		Scope: "entity:read person:read", Org: "market", Kind: KindDepartment,
	}
	if mod != nil {
		mod(&c)
	}
	return c
}

func signDev(t *testing.T, c Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = DevKeyID
	s, err := tok.SignedString(devPrivateKey())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SECURITY: every way a token can be wrong is refused with its reason, and
// none of them yields a principal.
func TestTokenAttacks(t *testing.T) {
	t.Parallel()
	v := devVerifier(t)
	good := signDev(t, claims(nil))
	parts := strings.Split(good, ".")
	pubBytes := []byte(devPrivateKey().Public().(ed25519.PublicKey))

	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil))
	hs.Header["kid"] = DevKeyID
	hsWithPublicKey, _ := hs.SignedString(pubBytes)

	none := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil))
	none.Header["kid"] = DevKeyID
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)

	tampered := claims(nil)
	tampered.Scope = "entity:read person:read audit:read"
	tamperedTok := parts[0] + "." + b64json(tampered) + "." + parts[2]

	otherKey := func() string {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims(nil))
		tok.Header["kid"] = DevKeyID
		s, _ := tok.SignedString(priv)
		return s
	}()
	unknownKid := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims(nil))
		tok.Header["kid"] = "nope"
		s, _ := tok.SignedString(devPrivateKey())
		return s
	}()

	tests := []struct {
		name, token, reason string
	}{
		{"unsigned", parts[0] + "." + parts[1] + ".", ReasonSignature},
		{"alg none", noneTok, ReasonAlgorithm},
		{"HS256 signed with the public key", hsWithPublicKey, ReasonAlgorithm},
		{"signed by another key", otherKey, ReasonSignature},
		{"tampered payload", tamperedTok, ReasonSignature},
		{"unknown kid", unknownKid, ReasonUnknownKey},
		{"expired", signDev(t, claims(func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(testNow.Add(-time.Minute)) })), ReasonExpired},
		{"no expiry", signDev(t, claims(func(c *Claims) { c.ExpiresAt = nil })), ReasonClaims},
		{"not yet valid", signDev(t, claims(func(c *Claims) { c.NotBefore = jwt.NewNumericDate(testNow.Add(time.Minute)) })), ReasonNotYetValid},
		{"wrong issuer", signDev(t, claims(func(c *Claims) { c.Issuer = "https://evil.example" })), ReasonUnknownIssuer},
		{"wrong audience", signDev(t, claims(func(c *Claims) { c.Audience = jwt.ClaimStrings{"other"} })), ReasonAudience},
		{"unknown scope", signDev(t, claims(func(c *Claims) { c.Scope = "entity:read root" })), ReasonClaims},
		{"unknown kind", signDev(t, claims(func(c *Claims) { c.Kind = "superuser" })), ReasonClaims},
		{"no org", signDev(t, claims(func(c *Claims) { c.Org = "" })), ReasonClaims},
		{"garbage", "not.a.jwt", ReasonMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := v.Authenticate(context.Background(), tc.token)
			var te *TokenError
			if !errors.As(err, &te) || te.Reason != tc.reason {
				t.Fatalf("Authenticate = %v, %v; want reason %s", p, err, tc.reason)
			}
			if p != nil {
				t.Fatalf("a refused token yielded principal %v", p)
			}
		})
	}
	t.Run("good", func(t *testing.T) {
		p, err := v.Authenticate(context.Background(), good)
		if err != nil || !p.HasScope(ScopePersonRead) || p.Org() != "market" || p.Kind() != KindDepartment {
			t.Fatalf("Authenticate(good) = %v, %v", p, err)
		}
	})
	t.Run("within leeway", func(t *testing.T) {
		tok := signDev(t, claims(func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(testNow.Add(-10 * time.Second)) }))
		if _, err := v.Authenticate(context.Background(), tok); err != nil {
			t.Fatalf("a token 10s past exp is refused despite the 30s leeway: %v", err)
		}
	})
}

// SECURITY: the HTTP layer answers 401 with the reason for a bad token and
// never lets the request through as the public.
func TestMiddlewareRefusesBadTokens(t *testing.T) {
	t.Parallel()
	v := devVerifier(t)
	var reached atomic.Int32
	h := Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		_, _ = w.Write([]byte(FromContext(r.Context()).String()))
	}))
	for _, hdr := range []string{"Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Bearer", "Bearer " + signDev(t, claims(func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(testNow.Add(-time.Hour)) }))} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Set("Authorization", hdr)
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"code":"UNAUTHENTICATED"`) ||
			!strings.Contains(rec.Header().Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("%q: %d %s", hdr, rec.Code, rec.Body)
		}
	}
	if reached.Load() != 0 {
		t.Fatalf("a refused request reached the handler %d times", reached.Load())
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Body.String() != "anonymous" {
		t.Fatalf("no token: principal %q, want anonymous", rec.Body)
	}
}

// Keys from files pin their algorithm by key type; a token naming another
// algorithm for the same key is refused.
func TestKeyFilesPinAlgorithms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	write := func(name string, pub any) string {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rk, err := LoadKeyFile("r1", write("r.pem", &rsaKey.PublicKey))
	if err != nil || rk.Alg != "RS256" {
		t.Fatalf("RSA key: %+v %v", rk, err)
	}
	ek, err := LoadKeyFile("e1", write("e.pem", &ecKey.PublicKey))
	if err != nil || ek.Alg != "ES256" {
		t.Fatalf("EC key: %+v %v", ek, err)
	}
	v, err := NewVerifier(VerifierOptions{
		Issuers: []Issuer{{Name: "https://sso.heihe.example", Audience: "credithub", Keys: StaticKeys{"r1": rk, "e1": ek}}},
		Now:     func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	c := claims(func(c *Claims) { c.Issuer = "https://sso.heihe.example"; c.Audience = jwt.ClaimStrings{"credithub"} })
	sign := func(m jwt.SigningMethod, kid string, key any) string {
		tok := jwt.NewWithClaims(m, c)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, err := v.Authenticate(context.Background(), sign(jwt.SigningMethodRS256, "r1", rsaKey)); err != nil {
		t.Errorf("RS256 token refused: %v", err)
	}
	if _, err := v.Authenticate(context.Background(), sign(jwt.SigningMethodES256, "e1", ecKey)); err != nil {
		t.Errorf("ES256 token refused: %v", err)
	}
	// PS256 with the RSA key: a valid RSA signature, but not the pinned algorithm.
	_, err = v.Authenticate(context.Background(), sign(jwt.SigningMethodPS256, "r1", rsaKey))
	var te *TokenError
	if !errors.As(err, &te) || te.Reason != ReasonAlgorithm {
		t.Errorf("PS256 for an RS256 key: %v", err)
	}
	// ES256 claimed for the RSA key id.
	_, err = v.Authenticate(context.Background(), sign(jwt.SigningMethodES256, "r1", ecKey))
	if !errors.As(err, &te) || te.Reason != ReasonAlgorithm {
		t.Errorf("ES256 under the RSA kid: %v", err)
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := LoadKeyFile("s", write("s.pem", &small.PublicKey)); err == nil {
		t.Error("a 1024-bit RSA key was accepted")
	}
}

// A JWKS is fetched once, served from cache, refetched when a token names
// a new kid (rotation), and not refetched more than once per MinRefetch for
// made-up kids.
func TestJWKSRotationAndRateLimit(t *testing.T) {
	t.Parallel()
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwkOf := func(kid string, k *ecdsa.PublicKey) map[string]string {
		return map[string]string{"kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig",
			"x": base64.RawURLEncoding.EncodeToString(k.X.FillBytes(make([]byte, 32))),
			"y": base64.RawURLEncoding.EncodeToString(k.Y.FillBytes(make([]byte, 32)))}
	}
	var keys atomic.Value
	keys.Store([]map[string]string{jwkOf("k1", &k1.PublicKey)})
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys.Load()})
	}))
	defer srv.Close()
	now := testNow
	j := &JWKS{URL: srv.URL, Now: func() time.Time { return now }, MinRefetch: 30 * time.Second}
	v, _ := NewVerifier(VerifierOptions{
		Issuers: []Issuer{{Name: "https://sso.heihe.example", Audience: "credithub", Keys: j}},
		Now:     func() time.Time { return testNow },
	})
	c := claims(func(c *Claims) { c.Issuer = "https://sso.heihe.example"; c.Audience = jwt.ClaimStrings{"credithub"} })
	sign := func(kid string, key *ecdsa.PrivateKey) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, c)
		tok.Header["kid"] = kid
		s, _ := tok.SignedString(key)
		return s
	}
	for i := 0; i < 3; i++ {
		if _, err := v.Authenticate(context.Background(), sign("k1", k1)); err != nil {
			t.Fatal(err)
		}
	}
	if fetches.Load() != 1 {
		t.Fatalf("%d fetches for three tokens, want 1 (cache)", fetches.Load())
	}
	// Made-up kids, past the rate-limit window: one refetch at most.
	now = now.Add(31 * time.Second)
	for i := 0; i < 5; i++ {
		if _, err := v.Authenticate(context.Background(), sign("made-up", k1)); err == nil {
			t.Fatal("a token with an unknown kid was accepted")
		}
	}
	if fetches.Load() != 2 {
		t.Fatalf("%d fetches after unknown kids, want 2 (rate-limited)", fetches.Load())
	}
	// The issuer rotates to k2; after the rate limit window the new kid is fetched.
	keys.Store([]map[string]string{jwkOf("k1", &k1.PublicKey), jwkOf("k2", &k2.PublicKey)})
	now = now.Add(31 * time.Second)
	if _, err := v.Authenticate(context.Background(), sign("k2", k2)); err != nil {
		t.Fatalf("rotated key refused: %v", err)
	}
	_ = big.NewInt
}
