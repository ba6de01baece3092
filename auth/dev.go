package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The development issuer: a fixed Ed25519 key derived from a public string,
// so that `credithub token` and `credithub dev` agree without any set-up. It
// is trusted only when the hub runs in development mode; anybody can mint
// its tokens.
const (
	DevIssuer   = "credithub-dev"
	DevAudience = "credithub"
	DevKeyID    = "dev-1"
)

func devPrivateKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("credithub development signing key: never trusted in production"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// DevIssuerConfig is the development issuer with its public key.
func DevIssuerConfig() Issuer {
	pub := devPrivateKey().Public()
	return Issuer{Name: DevIssuer, Audience: DevAudience, Keys: StaticKeys{DevKeyID: {ID: DevKeyID, Alg: "EdDSA", Public: pub}}}
}

// DevToken describes a development token.
type DevToken struct {
	Kind    Kind
	Org     string
	Subject string
	Scopes  []string
	TTL     time.Duration
	Now     time.Time
	// MaxLifetimes are the longest lifetimes the hub accepts (default
	// DefaultMaxLifetimes): a longer TTL is refused rather than minted.
	MaxLifetimes map[Kind]time.Duration
}

// MintDev signs a development token.
func MintDev(t DevToken) (string, error) {
	if !slices.Contains(Kinds, t.Kind) {
		return "", fmt.Errorf("--kind must be one of %s", kindList())
	}
	if t.Org == "" {
		if t.Kind == KindPerson {
			return "", fmt.Errorf("--id-number is required for kind person: the hub seals it into the token's org")
		}
		return "", fmt.Errorf("--org is required (a department code, an agency id, or for kind entity or association its unified social credit code)")
	}
	for _, s := range t.Scopes {
		if !slices.Contains(Scopes, s) {
			return "", fmt.Errorf("unknown scope %q; scopes are %s", s, strings.Join(Scopes, " "))
		}
	}
	max := DefaultMaxLifetimes[t.Kind]
	if d, ok := t.MaxLifetimes[t.Kind]; ok {
		max = d
	}
	if t.TTL <= 0 {
		t.TTL = min(time.Hour, max)
	}
	if t.TTL > max {
		return "", fmt.Errorf("--ttl %s is longer than a %s token may live (%s; CREDITHUB_TOKEN_MAX_TTL)", t.TTL, t.Kind, max)
	}
	if t.Now.IsZero() {
		t.Now = time.Now()
	}
	if t.Subject == "" {
		t.Subject = string(t.Kind) + ":" + t.Org
	}
	jti := make([]byte, 8)
	_, _ = rand.Read(jti)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    DevIssuer,
			Subject:   t.Subject,
			Audience:  jwt.ClaimStrings{DevAudience},
			ExpiresAt: jwt.NewNumericDate(t.Now.Add(t.TTL)),
			NotBefore: jwt.NewNumericDate(t.Now),
			IssuedAt:  jwt.NewNumericDate(t.Now),
			ID:        hex.EncodeToString(jti),
		},
		Scope: strings.Join(t.Scopes, " "),
		Org:   t.Org,
		Kind:  t.Kind,
	}
	// The hub's own checks, so that what is minted is what it accepts.
	b, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	payload, err := members(b)
	if err != nil {
		return "", err
	}
	if err := checkPayload(payload); err != nil {
		var te *TokenError
		if errors.As(err, &te) && te.Claim != "" {
			return "", fmt.Errorf("--%s: %v", flagOf(te.Claim), te.Err)
		}
		return "", err
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	tok.Header["kid"] = DevKeyID
	return tok.SignedString(devPrivateKey())
}

// flagOf is the `credithub token` flag that sets a claim.
func flagOf(claim string) string {
	switch claim {
	case "sub":
		return "sub"
	case "scope":
		return "scopes"
	}
	return claim
}
