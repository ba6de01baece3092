package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"credithub/internal/apperr"
)

// Middleware authenticates the bearer token of each request. No
// Authorization header means the anonymous public; a header that does not
// verify is a 401 with the reason, never a silent downgrade to public.
func Middleware(a Authenticator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			if h == "" {
				next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), Anonymous())))
				return
			}
			scheme, tok, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
				refuse(w, &TokenError{Reason: ReasonMalformed})
				return
			}
			p, err := a.Authenticate(r.Context(), strings.TrimSpace(tok))
			if err != nil {
				refuse(w, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
		})
	}
}

// refusals are the messages a client reads for each reason.
var refusals = map[string]string{
	ReasonMalformed:     "the bearer token is not a well-formed JWT",
	ReasonUnknownIssuer: "the token's issuer is not trusted by this hub",
	ReasonAlgorithm:     "the token's signature algorithm is not the one pinned for its key",
	ReasonUnknownKey:    "the token names a signing key this hub does not know",
	ReasonSignature:     "the token's signature does not verify",
	ReasonExpired:       "the token has expired",
	ReasonNotYetValid:   "the token is not valid yet",
	ReasonAudience:      "the token is not meant for this hub (aud)",
	ReasonClaims:        "the token's claims are incomplete or invalid",
	ReasonLifetime:      "the token lives longer than its kind may",
}

func refuse(w http.ResponseWriter, err error) {
	reason, msg := ReasonClaims, refusals[ReasonClaims]
	ext := map[string]any{"code": apperr.Unauthenticated}
	var te *TokenError
	if errors.As(err, &te) {
		reason, msg = te.Reason, refusals[te.Reason]
		// What is wrong with a claim is the hub's own sentence (which claim,
		// which rule); golang-jwt's and the key source's are not shown.
		if te.Claim != "" {
			ext["claim"] = te.Claim
			if te.Err != nil {
				msg += ": " + te.Err.Error()
			}
		}
	}
	ext["reason"] = reason
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+reason+`"`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message":    msg,
		"extensions": ext,
	}}})
}
