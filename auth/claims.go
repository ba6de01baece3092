package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"credithub/internal/ident"
)

// DefaultMaxLifetimes are the longest lifetimes of each kind's tokens when
// CREDITHUB_TOKEN_MAX_TTL does not say otherwise, as identity providers issue
// them: a department's or the public-service platform's system holds a
// token for a working day (12h); agencies, entities, associations and
// administrators, people at a browser, and persons signed in as themselves
// get the usual hour of an access token.
var DefaultMaxLifetimes = map[Kind]time.Duration{
	KindDepartment:    12 * time.Hour,
	KindPublicService: 12 * time.Hour,
	KindAgency:        time.Hour,
	KindEntity:        time.Hour,
	KindAdmin:         time.Hour,
	KindPerson:        time.Hour,
	KindAssociation:   time.Hour,
}

// MaxLifetimeCeiling is the longest lifetime a kind may be configured with.
const MaxLifetimeCeiling = 7 * 24 * time.Hour

// ParseMaxLifetimes reads CREDITHUB_TOKEN_MAX_TTL: comma-separated
// kind=duration pairs (department=12h,agency=30m) overriding
// DefaultMaxLifetimes for the kinds they name. An empty string is the
// defaults.
func ParseMaxLifetimes(s string) (map[Kind]time.Duration, error) {
	out := make(map[Kind]time.Duration, len(DefaultMaxLifetimes))
	for k, d := range DefaultMaxLifetimes {
		out[k] = d
	}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	seen := map[Kind]bool{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		kind := Kind(strings.TrimSpace(k))
		if !ok || !slices.Contains(Kinds, kind) {
			return nil, fmt.Errorf("%q is not kind=duration with a kind among %s", part, kindList())
		}
		if seen[kind] {
			return nil, fmt.Errorf("%s is given twice", kind)
		}
		seen[kind] = true
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < time.Minute || d > MaxLifetimeCeiling {
			return nil, fmt.Errorf("%s: the lifetime must be a duration from 1m to %s, such as 12h, got %q", kind, MaxLifetimeCeiling, v)
		}
		out[kind] = d
	}
	return out, nil
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// The longest string claims: names and codes, never documents.
const (
	maxClaimBytes = 256
)

// segments decodes a compact JWS's header and payload into their members.
// A token whose header or payload is not one JSON object, or names a member
// twice (two parsers could read two different tokens from it: the hub the
// last "kind", a gateway in front of it the first), is malformed.
func segments(raw string) (header, payload map[string]json.RawMessage, err error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, nil, &TokenError{Reason: ReasonMalformed, Err: errors.New("a JWT has three dot-separated parts")}
	}
	for i, dst := range []*map[string]json.RawMessage{&header, &payload} {
		name := [...]string{"header", "payload"}[i]
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, nil, &TokenError{Reason: ReasonMalformed, Err: fmt.Errorf("the %s is not base64url: %w", name, err)}
		}
		if *dst, err = members(b); err != nil {
			return nil, nil, &TokenError{Reason: ReasonMalformed, Err: fmt.Errorf("the %s: %w", name, err)}
		}
	}
	return header, payload, nil
}

// members reads one JSON object's members, refusing a name given twice.
func members(b []byte) (map[string]json.RawMessage, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("not a JSON object")
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("not a JSON object")
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%q is given twice", name)
		}
		out[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("holds something after its JSON object")
	}
	return out, nil
}

// checkHeader checks what the hub reads from the header before trusting
// it: alg and kid are strings, and no critical extension is asked for
// (RFC 7515 §4.1.11: a token whose crit the hub does not implement must be
// refused, and it implements none).
func checkHeader(h map[string]json.RawMessage) (alg string, err error) {
	if json.Unmarshal(h["alg"], &alg) != nil || alg == "" {
		return "", &TokenError{Reason: ReasonMalformed, Err: errors.New("the header's alg must be a string")}
	}
	if raw, ok := h["kid"]; ok {
		var kid string
		if json.Unmarshal(raw, &kid) != nil || kid == "" || len(kid) > maxClaimBytes || !cleanClaim(kid) {
			return "", &TokenError{Reason: ReasonMalformed, Err: errors.New("the header's kid must be a non-empty string of printable characters")}
		}
	}
	if _, ok := h["crit"]; ok {
		return "", &TokenError{Reason: ReasonMalformed, Err: errors.New("the header's crit names extensions this hub does not implement")}
	}
	return alg, nil
}

// claimError refuses a claim that is missing, of the wrong JSON type, or
// holds a value the hub does not accept, naming it.
func claimError(claim, format string, args ...any) *TokenError {
	return &TokenError{Reason: ReasonClaims, Claim: claim, Err: fmt.Errorf(claim+" "+format, args...)}
}

// checkPayload checks every claim the hub reads for its JSON type and
// value, before any of them is believed. golang-jwt's NumericDate accepts
// "exp": "9999999999" (a string), and a claim decoded into a Go string
// silently drops a number; here each claim must be of the type RFC 7519 and
// the hub's contract give it:
//
//   - exp (required), nbf, iat: JSON numbers (NumericDate);
//   - iss, sub (required), jti: non-empty strings of printable characters;
//   - aud: a string or a non-empty list of strings;
//   - kind (required): one of the kinds, as a string;
//   - org (required): a string; for kind entity a valid unified social
//     credit code, as the registry writes it; for kind association a
//     unified social credit code with its check character right, of a
//     social organisation registered by civil affairs (51…); for kind
//     person never a raw resident ID number (the verifier then opens the
//     sealed person ID);
//   - scope: a string of known scopes separated by single spaces, none
//     twice; for kind person only PersonScopes, for kind association only
//     AssociationScopes.
//
// Claims the hub does not read are left alone: identity providers add
// their own.
func checkPayload(p map[string]json.RawMessage) error {
	for _, name := range []string{"exp", "nbf", "iat"} {
		raw, ok := p[name]
		if !ok {
			if name == "exp" {
				return claimError("exp", "is missing: every token must expire")
			}
			continue
		}
		var n json.Number
		if !isJSONNumber(raw) || json.Unmarshal(raw, &n) != nil {
			return claimError(name, "must be a JSON number of seconds since 1970-01-01 UTC, not %s", jsonType(raw))
		}
		if f, err := n.Float64(); err != nil || f < 0 || f > 1e11 {
			return claimError(name, "must be a number of seconds from 0 to 10^11")
		}
	}
	str := func(name string, required bool) (string, error) {
		raw, ok := p[name]
		if !ok {
			if required {
				return "", claimError(name, "is missing")
			}
			return "", nil
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || !isJSONString(raw) {
			return "", claimError(name, "must be a JSON string, not %s", jsonType(raw))
		}
		switch {
		case s == "":
			return "", claimError(name, "is empty")
		case len(s) > maxClaimBytes:
			return "", claimError(name, "is longer than %d bytes", maxClaimBytes)
		case !cleanClaim(s):
			return "", claimError(name, "holds a control character or invalid UTF-8")
		}
		return s, nil
	}
	if _, err := str("iss", false); err != nil {
		return err
	}
	if _, err := str("sub", true); err != nil {
		return err
	}
	if _, err := str("jti", false); err != nil {
		return err
	}
	if raw, ok := p["aud"]; ok {
		var one string
		var many []string
		switch {
		case isJSONString(raw) && json.Unmarshal(raw, &one) == nil:
			many = []string{one}
		case len(raw) > 0 && raw[0] == '[' && json.Unmarshal(raw, &many) == nil && len(many) > 0:
		default:
			return claimError("aud", "must be a string or a non-empty list of strings, not %s", jsonType(raw))
		}
		for _, a := range many {
			if a == "" || !cleanClaim(a) {
				return claimError("aud", "holds an empty audience or a control character")
			}
		}
	}
	kind, err := str("kind", true)
	if err != nil {
		return err
	}
	if !slices.Contains(Kinds, Kind(kind)) {
		return claimError("kind", "must be one of %s", kindList())
	}
	org, err := str("org", true)
	if err != nil {
		return err
	}
	if Kind(kind) == KindEntity {
		// The form of a unified social credit code, as the registry writes
		// it. A wrong check character alone is accepted: the registry holds
		// early pilot codes that fail GB 32100's (legacyCode), and their
		// entities sign in with them; what the code matches is the
		// registry's business, not the token's.
		var ie *ident.Error
		if err := ident.ValidateUSCC(org); err != nil && (!errors.As(err, &ie) || ie.Rule != ident.RuleCheckCharacter) {
			return claimError("org", "of an entity must be its unified social credit code: %v", err)
		}
	}
	if Kind(kind) == KindAssociation {
		if err := ValidateAssociationCode(org); err != nil {
			return claimError("org", "of an association must be its unified social credit code: %v", err)
		}
	}
	if Kind(kind) == KindPerson && ident.ValidateResidentID(org) == nil {
		return claimError("org", "of a person must be their sealed person ID (Person.id) as this hub issues it, never the raw resident ID number")
	}
	if raw, ok := p["scope"]; ok {
		var scope string
		if json.Unmarshal(raw, &scope) != nil || !isJSONString(raw) {
			return claimError("scope", "must be one JSON string of space-separated scopes, not %s", jsonType(raw))
		}
		scopes, err := ParseScope(scope)
		if err != nil {
			return claimError("scope", "%v", err)
		}
		if Kind(kind) == KindPerson {
			for _, s := range scopes {
				if !slices.Contains(PersonScopes, s) {
					return claimError("scope", "of a person may hold only %s (their own objections and authorisations), not %q: a person reads their own data with no scope, and nobody else's",
						strings.Join(PersonScopes, " "), s)
				}
			}
		}
		if Kind(kind) == KindAssociation {
			for _, s := range scopes {
				if !slices.Contains(AssociationScopes, s) {
					return claimError("scope", "of an association may hold only %s (its member registry and its members' records), not %q: an association reads its members' shared records with no scope, and nobody else's",
						strings.Join(AssociationScopes, " "), s)
				}
			}
		}
	}
	return nil
}

// ValidateAssociationCode checks an industry association's code: a
// unified social credit code (GB 32100) whose check character is right,
// registered by civil affairs (registration authority 5) as a social
// organisation (category 1, 社会团体), the form every association and
// chamber of commerce takes. Unlike an entity's, an association's code
// has no legacy pilot form to excuse a wrong check character.
func ValidateAssociationCode(code string) error {
	if err := ident.ValidateUSCC(code); err != nil {
		return err
	}
	if !strings.HasPrefix(code, "51") {
		return fmt.Errorf("%s is not a social organisation's code: an industry association is registered by civil affairs as a social organisation, and its code begins with 51", code)
	}
	return nil
}

// ParseScope splits a scope claim (RFC 6749 §3.3: scopes separated by
// single spaces) into scopes, refusing an unknown scope, one given twice
// and any other separator. The empty string is no scope.
func ParseScope(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	scopes := strings.Split(s, " ")
	seen := map[string]bool{}
	for _, sc := range scopes {
		switch {
		case sc == "":
			return nil, errors.New("must separate its scopes by single spaces, with none before or after")
		case !slices.Contains(Scopes, sc):
			if !cleanClaim(sc) || strings.ContainsFunc(sc, unicode.IsSpace) {
				return nil, errors.New("must separate its scopes by single spaces and hold no control character")
			}
			return nil, fmt.Errorf("holds unknown scope %q; scopes are %s", sc, strings.Join(sorted(Scopes), " "))
		case seen[sc]:
			return nil, fmt.Errorf("lists %q twice", sc)
		}
		seen[sc] = true
	}
	return scopes, nil
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// cleanClaim reports whether s is valid UTF-8 without control characters
// (C0, DEL, C1) nor Unicode non-characters: what may go into the query log,
// the logs and a SQL parameter.
func cleanClaim(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}

func isJSONString(raw json.RawMessage) bool { return len(raw) > 0 && raw[0] == '"' }

func isJSONNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}

// jsonType names a JSON value's type for a message.
func jsonType(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '[':
		return "a list"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
