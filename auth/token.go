package auth

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"credithub/internal/ident"
)

// Key is a public key trusted for exactly one algorithm. The algorithm is
// pinned by the key, never taken from the token's header: a token that
// names another algorithm for this key (HS256 "signed" with an RSA public
// key, alg none) is refused before any signature check.
type Key struct {
	ID     string // kid
	Alg    string // RS256, ES256 or EdDSA
	Public crypto.PublicKey
}

// KeySource finds the key with a given kid. An empty kid asks for the
// source's only key (and fails when there are several).
type KeySource interface {
	Key(ctx context.Context, kid string) (Key, error)
}

// Issuer is a token issuer the hub trusts.
type Issuer struct {
	// Name is the iss claim.
	Name string
	// Audience is the aud the hub expects in this issuer's tokens.
	Audience string
	Keys     KeySource
}

// VerifierOptions configure a Verifier.
type VerifierOptions struct {
	Issuers []Issuer
	// Leeway is the clock skew allowed on exp and nbf (default 30s, at most 2m).
	Leeway time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// MaxLifetimes are each kind's longest lifetime (default
	// DefaultMaxLifetimes; a kind left out keeps its default).
	MaxLifetimes map[Kind]time.Duration
	// Persons opens a person token's org, the sealed person ID, into the
	// person's ID number (the hub's gid.Sealer). Without it every token of
	// kind person is refused.
	Persons PersonOpener
}

// PersonOpener opens a sealed person ID (Person.id, a person token's org)
// into the resident ID number it stands for, refusing an ID this hub did
// not seal.
type PersonOpener interface {
	OpenPersonID(id string) (string, error)
}

// Authenticator turns a bearer token into a principal.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*Principal, error)
}

// Verifier verifies JWTs from the configured issuers.
type Verifier struct {
	issuers  map[string]Issuer
	leeway   time.Duration
	now      func() time.Time
	lifetime map[Kind]time.Duration
	persons  PersonOpener
}

var _ Authenticator = (*Verifier)(nil)

// AllowedAlgorithms are the only signature algorithms the hub accepts.
var AllowedAlgorithms = []string{"RS256", "ES256", "EdDSA"}

// NewVerifier checks the options and returns a verifier.
func NewVerifier(o VerifierOptions) (*Verifier, error) {
	if len(o.Issuers) == 0 {
		return nil, errors.New("no token issuer configured")
	}
	if o.Leeway == 0 {
		o.Leeway = 30 * time.Second
	}
	if o.Leeway < 0 || o.Leeway > 2*time.Minute {
		return nil, fmt.Errorf("token leeway must be between 0 and 2m, got %s", o.Leeway)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	v := &Verifier{issuers: map[string]Issuer{}, leeway: o.Leeway, now: o.Now, lifetime: map[Kind]time.Duration{}, persons: o.Persons}
	for _, k := range Kinds {
		v.lifetime[k] = DefaultMaxLifetimes[k]
		if d, ok := o.MaxLifetimes[k]; ok {
			if d <= 0 || d > MaxLifetimeCeiling {
				return nil, fmt.Errorf("the longest lifetime of %s tokens must be from 0 to %s, got %s", k, MaxLifetimeCeiling, d)
			}
			v.lifetime[k] = d
		}
	}
	for _, is := range o.Issuers {
		switch {
		case is.Name == "":
			return nil, errors.New("a token issuer has no name (iss)")
		case is.Audience == "":
			return nil, fmt.Errorf("issuer %s has no audience", is.Name)
		case is.Keys == nil:
			return nil, fmt.Errorf("issuer %s has no keys", is.Name)
		}
		if _, dup := v.issuers[is.Name]; dup {
			return nil, fmt.Errorf("issuer %s configured twice", is.Name)
		}
		v.issuers[is.Name] = is
	}
	return v, nil
}

// TokenError says why a token was refused; Reason is a stable code for
// clients and logs, Claim the claim at fault when one is.
type TokenError struct {
	Reason string
	Claim  string
	Err    error
}

func (e *TokenError) Error() string {
	if e.Err != nil {
		return "token refused (" + e.Reason + "): " + e.Err.Error()
	}
	return "token refused (" + e.Reason + ")"
}

func (e *TokenError) Unwrap() error { return e.Err }

// The reasons a token is refused.
const (
	ReasonMalformed     = "malformed"
	ReasonUnknownIssuer = "unknown_issuer"
	ReasonAlgorithm     = "algorithm_not_allowed"
	ReasonUnknownKey    = "unknown_key"
	ReasonSignature     = "bad_signature"
	ReasonExpired       = "expired"
	ReasonNotYetValid   = "not_yet_valid"
	ReasonAudience      = "wrong_audience"
	ReasonClaims        = "invalid_claims"
	ReasonLifetime      = "lifetime_too_long"
)

// Claims are the hub's token claims.
type Claims struct {
	jwt.RegisteredClaims
	Scope string `json:"scope"`
	Org   string `json:"org"`
	Kind  Kind   `json:"kind"`
}

var errAlgMismatch = errors.New("the token's algorithm is not the one pinned for its key")

// Authenticate verifies raw and returns its principal.
func (v *Verifier) Authenticate(ctx context.Context, raw string) (*Principal, error) {
	// The structure first: one JSON object each for the header and the
	// payload, every claim the hub reads of its JSON type (golang-jwt would
	// take "exp": "9999999999", a string, for a number). These come before
	// the signature's check: a token refused for them tells its sender
	// nothing it did not write itself.
	header, payload, err := segments(raw)
	if err != nil {
		return nil, err
	}
	alg, err := checkHeader(header)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(AllowedAlgorithms, alg) {
		return nil, &TokenError{Reason: ReasonAlgorithm, Err: fmt.Errorf("algorithm %q is not accepted", alg)}
	}
	if err := checkPayload(payload); err != nil {
		return nil, err
	}
	// The issuer decides which keys and audience apply, so read it first,
	// unverified; everything is then verified against that issuer alone.
	var iss string
	_ = json.Unmarshal(payload["iss"], &iss)
	is, ok := v.issuers[iss]
	if !ok {
		return nil, &TokenError{Reason: ReasonUnknownIssuer}
	}
	var keyErr error
	keyfunc := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, err := is.Keys.Key(ctx, kid)
		if err != nil {
			keyErr = &TokenError{Reason: ReasonUnknownKey, Err: err}
			return nil, keyErr
		}
		if t.Method.Alg() != k.Alg {
			keyErr = &TokenError{Reason: ReasonAlgorithm, Err: errAlgMismatch}
			return nil, keyErr
		}
		return k.Public, nil
	}
	var c Claims
	_, err = jwt.NewParser(
		jwt.WithValidMethods(AllowedAlgorithms),
		jwt.WithIssuer(is.Name),
		jwt.WithAudience(is.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.leeway),
		jwt.WithTimeFunc(v.now),
	).ParseWithClaims(raw, &c, keyfunc)
	if err != nil {
		var te *TokenError
		if errors.As(keyErr, &te) {
			return nil, te
		}
		return nil, &TokenError{Reason: reasonOf(err), Err: err}
	}
	if err := v.checkLifetime(c); err != nil {
		return nil, err
	}
	p, err := principalOf(c)
	if err != nil || c.Kind != KindPerson {
		return p, err
	}
	return v.person(p)
}

// person opens a person token's org, the sealed person ID, into the ID
// number the principal answers IsPerson with. An org this hub did not seal
// (garbage, another hub's person ID, an entity's ID) or that does not open
// to a valid resident ID number is refused, naming org: the token speaks
// for nobody the hub can tell.
func (v *Verifier) person(p *Principal) (*Principal, error) {
	if v.persons == nil {
		return nil, claimError("org", "of a person cannot be opened: this hub is not configured to accept person tokens")
	}
	idNo, err := v.persons.OpenPersonID(p.Org())
	if err != nil {
		return nil, claimError("org", "of a person must be their person ID (Person.id) as this hub seals it; this one does not open with the hub's key")
	}
	if ident.ValidateResidentID(idNo) != nil {
		return nil, claimError("org", "of a person must stand for a valid resident ID number")
	}
	return p.AsPerson(idNo), nil
}

// checkLifetime refuses a token that lives longer than its kind may: its
// lifetime is exp − iat, or without iat what is left of it, exp − now (less
// the leeway). iat cannot be moved forward to shorten it: an iat later than
// now is refused (jwt.WithIssuedAt). nbf only narrows the window and does
// not count.
func (v *Verifier) checkLifetime(c Claims) error {
	max := v.lifetime[c.Kind]
	var life time.Duration
	if c.IssuedAt != nil {
		life = c.ExpiresAt.Sub(c.IssuedAt.Time)
	} else {
		life = c.ExpiresAt.Sub(v.now()) - v.leeway
	}
	if life > max {
		return &TokenError{Reason: ReasonLifetime, Claim: "exp",
			Err: fmt.Errorf("exp is %s after iat (or now, without iat); %s tokens may live at most %s", life.Round(time.Second), c.Kind, max)}
	}
	return nil
}

func reasonOf(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return ReasonExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return ReasonNotYetValid
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return ReasonAudience
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return ReasonSignature
	case errors.Is(err, jwt.ErrTokenUnverifiable), errors.Is(err, jwt.ErrSignatureInvalid):
		return ReasonAlgorithm
	case errors.Is(err, jwt.ErrTokenMalformed):
		return ReasonMalformed
	}
	return ReasonClaims
}

// principalOf returns the principal of claims checkPayload accepted.
func principalOf(c Claims) (*Principal, error) {
	scopes, err := ParseScope(c.Scope)
	if err != nil {
		return nil, claimError("scope", "%v", err)
	}
	p := NewPrincipal(c.Subject, c.Org, c.Kind, scopes, c.ID)
	p.expires = c.ExpiresAt.Time
	return p, nil
}
