package auth

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Kind is the kind of caller a token speaks for.
type Kind string

// The caller kinds of the spec.
const (
	KindAnonymous     Kind = "anonymous"
	KindDepartment    Kind = "department"
	KindAgency        Kind = "agency"
	KindEntity        Kind = "entity"
	KindPublicService Kind = "public-service"
	KindAdmin         Kind = "admin"
	// KindPerson is a natural person signed in as themselves (issue #15):
	// the token's org is their sealed person ID (Person.id), never the raw
	// ID number, which the verifier opens into the principal.
	KindPerson Kind = "person"
	// KindAssociation is an industry association or chamber of commerce
	// (行业协会商会, T29): the token's org is its unified social credit
	// code as the civil-affairs registration gives it (51…, a social
	// organisation). It records for the members of the industries a
	// department authorised it for, and reads their shared records.
	KindAssociation Kind = "association"
)

// Kinds are the kinds a token may carry.
var Kinds = []Kind{KindDepartment, KindAgency, KindEntity, KindPublicService, KindAdmin, KindPerson, KindAssociation}

// The scopes of the spec's table.
const (
	ScopeEntityRead        = "entity:read"
	ScopeRecordRead        = "record:read"
	ScopePersonRead        = "person:read"
	ScopeCommitmentWrite   = "commitment:write"
	ScopeListWrite         = "list:write"
	ScopeCaseWrite         = "case:write"
	ScopeObjectionHandle   = "objection:handle"
	ScopeRepairReview      = "repair:review"
	ScopeReportIssue       = "report:issue"
	ScopeAuditRead         = "audit:read"
	ScopeAuthorizationEdit = "authorization:write"
	// Write scopes of the areas that had none: a read scope never grants
	// a write (schema @write).
	ScopeInspectionWrite = "inspection:write"
	ScopeMeasureReport   = "measure:report"
	ScopeGradeCompute    = "grade:compute"
	ScopeWarningHandle   = "warning:handle"
	// The self-service writes a market entity makes as itself (or a
	// department for it): objections, repair applications, commitments.
	ScopeObjectionFile  = "objection:file"
	ScopeRepairApply    = "repair:apply"
	ScopeCommitmentSign = "commitment:sign"
	// A person revokes an authorisation they gave an agency themselves.
	ScopeAuthorizationRevoke = "authorization:revoke"
	// An entity asks for its own signed credit report, for a purpose.
	ScopeReportRequest = "report:request"
	// An agency sends back a case verification or a monitoring finding;
	// the owning department accepts or rejects it.
	ScopeFindingSubmit = "finding:submit"
	ScopeFindingHandle = "finding:handle"
	// The credit office manages the information catalogue (T8).
	ScopeCatalogueWrite = "catalogue:write"
	// A body notified of a public-sector entity's or a public employee's
	// dishonesty acknowledges what it received (T23).
	ScopeNotificationAck = "notification:ack"
	// Self-declared information (T11): the entity declares, the named
	// department verifies or finds it false.
	ScopeDeclarationWrite  = "declaration:write"
	ScopeDeclarationVerify = "declaration:verify"
	// Industry associations (T29): a department authorises an association
	// for an industry (and revokes it); the association keeps its member
	// registry and records its members' self-discipline measures,
	// commitments, training and honours.
	ScopeAssociationAuthorize = "association:authorize"
	ScopeAssociationMembers   = "association:members"
	ScopeAssociationRecord    = "association:record"
)

// ReadScopes are the scopes that read; none of them is a Mutation's
// @write scope.
var ReadScopes = []string{ScopeEntityRead, ScopeRecordRead, ScopePersonRead, ScopeAuditRead}

// EntitySelfScopes are the write scopes a market entity signed in as
// itself needs for its own objections, repair applications and
// commitments.
var EntitySelfScopes = []string{ScopeObjectionFile, ScopeRepairApply, ScopeCommitmentSign, ScopeDeclarationWrite}

// PersonScopes are the only scopes a person's token may carry: their
// self-service writes. A person reads their own data (Query.me) without
// any read scope, and nobody else's with any: a person token holding a
// read scope is refused (invalid_claims), so no identity provider's slip
// turns a citizen into a reader of others.
var PersonScopes = []string{ScopeObjectionFile, ScopeAuthorizationRevoke}

// AssociationScopes are the only scopes an association's token may carry:
// its member registry and its members' records. It reads its members'
// shared records without any read scope, as their association, and
// nobody else's with any: an association token holding another scope is
// refused (invalid_claims).
var AssociationScopes = []string{ScopeAssociationMembers, ScopeAssociationRecord}

// Scopes lists every scope the hub knows; tokens with others are refused so
// that a typo does not silently grant nothing.
var Scopes = []string{
	ScopeEntityRead, ScopeRecordRead, ScopePersonRead, ScopeCommitmentWrite, ScopeListWrite,
	ScopeCaseWrite, ScopeObjectionHandle, ScopeRepairReview, ScopeReportIssue, ScopeAuditRead,
	ScopeAuthorizationEdit, ScopeInspectionWrite, ScopeMeasureReport, ScopeGradeCompute,
	ScopeWarningHandle, ScopeObjectionFile, ScopeRepairApply, ScopeCommitmentSign,
	ScopeAuthorizationRevoke, ScopeReportRequest, ScopeFindingSubmit, ScopeFindingHandle,
	ScopeCatalogueWrite, ScopeNotificationAck, ScopeDeclarationWrite, ScopeDeclarationVerify,
	ScopeAssociationAuthorize, ScopeAssociationMembers, ScopeAssociationRecord,
}

// Principal is the caller of a request.
type Principal struct {
	subject string
	org     string
	kind    Kind
	scopes  []string
	tokenID string
	expires time.Time // the token's exp; zero for the public
	// idNumber is a person's own ID number, opened from the sealed org by
	// the verifier; "" for every other kind.
	idNumber string
}

// NewPrincipal returns an authenticated principal.
func NewPrincipal(subject, org string, kind Kind, scopes []string, tokenID string) *Principal {
	s := slices.Clone(scopes)
	slices.Sort(s)
	return &Principal{subject: subject, org: org, kind: kind, scopes: slices.Compact(s), tokenID: tokenID}
}

// anonymous is the public: no token.
var anonymous = &Principal{kind: KindAnonymous}

// Anonymous returns the public principal.
func Anonymous() *Principal { return anonymous }

// Subject is the token's sub ("" for the public).
func (p *Principal) Subject() string { return p.subject }

// Org is the department code, agency id, for an entity its own USCC, for
// an association its code (USCC), for a person their sealed person ID.
func (p *Principal) Org() string { return p.org }

// Kind is the caller kind.
func (p *Principal) Kind() Kind { return p.kind }

// Scopes are the granted scopes, sorted.
func (p *Principal) Scopes() []string { return p.scopes }

// ExpiresAt is when the caller's token expires (exp): a WebSocket
// connection opened with it ends then. Zero for the public.
func (p *Principal) ExpiresAt() time.Time { return p.expires }

// TokenID is the token's jti, for the query log.
func (p *Principal) TokenID() string { return p.tokenID }

// HasScope reports whether the principal holds scope s.
func (p *Principal) HasScope(s string) bool {
	_, ok := slices.BinarySearch(p.scopes, s)
	return ok
}

// AsPerson returns a copy of the person principal p that knows the ID
// number its sealed org stands for (the verifier opens it).
func (p *Principal) AsPerson(idNumber string) *Principal {
	c := *p
	c.idNumber = idNumber
	return &c
}

// IDNumber is the resident ID number of a person signed in as themselves
// (opened from the token's sealed org); "" for every other kind. Never
// log it: the principal's String and Key carry the sealed org instead.
func (p *Principal) IDNumber() string { return p.idNumber }

// IsPerson reports whether the caller is the natural person with ID number
// idNo signed in as themselves.
func (p *Principal) IsPerson(idNo string) bool {
	return p.kind == KindPerson && p.idNumber != "" && p.idNumber == idNo
}

// IsSubject reports whether the caller is the subject s itself: the entity
// signed in as itself, or the person.
func (p *Principal) IsSubject(s Subject) bool {
	return (s.USCC != "" && p.IsEntity(s.USCC)) || (s.IDNumber != "" && p.IsPerson(s.IDNumber))
}

// IsSupervisor reports whether the caller is a supervising department or
// the credit office.
func (p *Principal) IsSupervisor() bool { return p.kind == KindDepartment || p.kind == KindAdmin }

// IsAnonymous reports whether no token was presented.
func (p *Principal) IsAnonymous() bool { return p.kind == KindAnonymous }

// IsEntity reports whether the caller is the market entity with code uscc
// signed in as itself.
func (p *Principal) IsEntity(uscc string) bool { return p.kind == KindEntity && p.org == uscc }

// IsAssociation reports whether the caller is the industry association
// with code code, signed in as itself.
func (p *Principal) IsAssociation(code string) bool {
	return p.kind == KindAssociation && code != "" && p.org == code
}

// Key names the caller whose idempotency keys, rate-limit budget and
// reports these are: kind, organisation and subject. Two tokens of the
// same caller share it; callers of different organisations never do.
func (p *Principal) Key() string {
	return string(p.kind) + ":" + p.org + ":" + p.subject
}

// String describes the principal in logs.
func (p *Principal) String() string {
	if p.IsAnonymous() {
		return "anonymous"
	}
	return p.Key() + " [" + strings.Join(p.scopes, " ") + "]"
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal: the anonymous public when
// none was set, never nil.
func FromContext(ctx context.Context) *Principal {
	if p, ok := ctx.Value(principalKey{}).(*Principal); ok && p != nil {
		return p
	}
	return anonymous
}
