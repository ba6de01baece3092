package auth

import (
	"context"
	"slices"
	"strings"
)

// Purpose is why a caller reads personal data, declared per request in the
// X-Query-Purpose header and written into the query log.
type Purpose string

// The purposes of the spec; nothing else is accepted.
const (
	PurposeAdministrativeApproval Purpose = "ADMINISTRATIVE_APPROVAL"
	PurposeLawEnforcement         Purpose = "LAW_ENFORCEMENT"
	PurposePublicProcurement      Purpose = "PUBLIC_PROCUREMENT"
	PurposeObjectionHandling      Purpose = "OBJECTION_HANDLING"
	PurposeRepairReview           Purpose = "REPAIR_REVIEW"
	PurposeAuthorizedQuery        Purpose = "AUTHORIZED_QUERY"
)

// Purposes lists the accepted purposes.
var Purposes = []Purpose{
	PurposeAdministrativeApproval, PurposeLawEnforcement, PurposePublicProcurement,
	PurposeObjectionHandling, PurposeRepairReview, PurposeAuthorizedQuery,
}

// PurposeHeader carries the purpose.
const PurposeHeader = "X-Query-Purpose"

// ParsePurpose returns the purpose a header value names, if it is one.
func ParsePurpose(v string) (Purpose, bool) {
	p := Purpose(strings.TrimSpace(v))
	return p, slices.Contains(Purposes, p)
}

// PurposeList is the accepted purposes, for messages.
func PurposeList() string {
	s := make([]string, len(Purposes))
	for i, p := range Purposes {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

type purposeKey struct{}

// declared is the purpose header as the request carried it.
type declared struct {
	raw     string
	purpose Purpose
	ok      bool
}

// WithPurpose records the request's X-Query-Purpose header.
func WithPurpose(ctx context.Context, header string) context.Context {
	p, ok := ParsePurpose(header)
	return context.WithValue(ctx, purposeKey{}, declared{raw: header, purpose: p, ok: ok})
}

// PurposeFrom returns the declared purpose and whether it is a valid one.
func PurposeFrom(ctx context.Context) (Purpose, bool) {
	d, _ := ctx.Value(purposeKey{}).(declared)
	return d.purpose, d.ok
}
