package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"credithub/auth"
)

// DevRole is one role of the dashboard's development sign-in: who the
// minted token speaks for and what it may do.
type DevRole struct {
	Code  string    `json:"code"`
	Label string    `json:"label"`
	Kind  auth.Kind `json:"kind"`
	Org   string    `json:"org"`
	// Scopes granted; nil for the public, which gets no token at all.
	Scopes []string `json:"scopes"`
}

// DevRoles are the roles the development sign-in offers: the one place
// that says what each may do, so that a new scope is granted here once.
// The credit office, which owns the hub, holds every scope the hub knows
// (the write scopes of the workflows included, as auth.Scopes grows); the
// public is the anonymous caller, with no token.
func DevRoles() []DevRole {
	return []DevRole{
		{Code: "credit-office", Label: "市信用办", Kind: auth.KindAdmin, Org: "credit-office", Scopes: slices.Clone(auth.Scopes)},
		{Code: "department", Label: "市场监管局", Kind: auth.KindDepartment, Org: "market", Scopes: []string{
			auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopeListWrite, auth.ScopeCaseWrite,
			auth.ScopeObjectionHandle, auth.ScopeRepairReview, auth.ScopeCommitmentWrite,
			auth.ScopeCommitmentSign, auth.ScopeInspectionWrite, auth.ScopeMeasureReport, auth.ScopeWarningHandle,
			auth.ScopeFindingHandle, auth.ScopeDeclarationVerify,
		}},
		{Code: "agency", Label: "信用服务机构", Kind: auth.KindAgency, Org: "agency-001", Scopes: []string{
			auth.ScopeEntityRead, auth.ScopeReportIssue, auth.ScopeFindingSubmit,
		}},
		// The seed's first association (dev/seed.Associations), authorised
		// by the housing bureau for construction (T29).
		{Code: "association", Label: "行业协会（建筑业协会）", Kind: auth.KindAssociation, Org: "51231100MJY000011L",
			Scopes: slices.Clone(auth.AssociationScopes)},
		{Code: "public", Label: "社会公众", Kind: auth.KindAnonymous},
	}
}

// devTokenTTL is how long a token of the development sign-in lives at
// most: a working day, or less when the hub accepts no token of that
// kind living so long (max, CREDITHUB_TOKEN_MAX_TTL, or
// auth.DefaultMaxLifetimes).
func devTokenTTL(kind auth.Kind, max map[auth.Kind]time.Duration) time.Duration {
	ttl := 8 * time.Hour
	limit, ok := max[kind]
	if !ok {
		limit = auth.DefaultMaxLifetimes[kind]
	}
	if limit > 0 && limit < ttl {
		ttl = limit
	}
	return ttl
}

// devTokens serves the development sign-in of the dashboard, mounted only
// by `credithub dev` (Options.DevTokens): GET lists the roles, POST
// {"role": code} answers {"role", "token", "expiresAt"} with a token of
// the development issuer, which only a development hub trusts. The public
// gets an empty token: it asks without one.
func devTokens(max map[auth.Kind]time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodGet {
			_ = json.NewEncoder(w).Encode(map[string]any{"roles": DevRoles()})
			return
		}
		var req struct {
			Role string `json:"role"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024)).Decode(&req); err != nil {
			devTokenError(w, http.StatusBadRequest, `the body must be JSON: {"role": "credit-office"}`)
			return
		}
		i := slices.IndexFunc(DevRoles(), func(d DevRole) bool { return d.Code == req.Role })
		if i < 0 {
			var codes []string
			for _, d := range DevRoles() {
				codes = append(codes, d.Code)
			}
			devTokenError(w, http.StatusBadRequest, "unknown role "+req.Role+"; roles are "+jsonList(codes))
			return
		}
		role := DevRoles()[i]
		out := map[string]any{"role": role, "token": "", "expiresAt": nil}
		if role.Kind != auth.KindAnonymous {
			now := time.Now()
			ttl := devTokenTTL(role.Kind, max)
			tok, err := auth.MintDev(auth.DevToken{Kind: role.Kind, Org: role.Org, Scopes: role.Scopes, TTL: ttl, Now: now, MaxLifetimes: max})
			if err != nil {
				devTokenError(w, http.StatusInternalServerError, err.Error())
				return
			}
			out["token"], out["expiresAt"] = tok, now.Add(ttl).UTC().Format(time.RFC3339)
		}
		_ = json.NewEncoder(w).Encode(out)
	})
}

func devTokenError(w http.ResponseWriter, status int, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func jsonList(s []string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
