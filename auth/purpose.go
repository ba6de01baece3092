package auth

import (
	"context"
	"slices"
	"strings"

	"credithub/internal/apperr"
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

// PurposeDataSubject is the purpose of a person reading their own data
// (PIPL art. 45's right of access): implied for a token of kind person,
// which may send it or no X-Query-Purpose at all, and accepted from no one
// else. The query log records it for the person's reads.
const PurposeDataSubject Purpose = "DATA_SUBJECT"

// Purposes lists the purposes a reader of others' data declares.
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

// selfPurpose checks the purpose of a person reading their own data: none
// declared, or DATA_SUBJECT. Another purpose (a department's, such as
// LAW_ENFORCEMENT) is refused with PURPOSE_REQUIRED: the person reads as
// the data's subject, and the log must say so.
func selfPurpose(ctx context.Context) error {
	d, _ := ctx.Value(purposeKey{}).(declared)
	if raw := strings.TrimSpace(d.raw); raw == "" || Purpose(raw) == PurposeDataSubject {
		return nil
	}
	return apperr.New(apperr.PurposeRequired,
		"a person reads their own data as its subject: send no %s header, or %s", PurposeHeader, PurposeDataSubject).
		With("acceptedPurposes", []Purpose{PurposeDataSubject})
}

// LoggedPurpose is the purpose the query log records for the request:
// DATA_SUBJECT for a person reading their own data, else the declared one.
func LoggedPurpose(ctx context.Context) string {
	if FromContext(ctx).Kind() == KindPerson {
		return string(PurposeDataSubject)
	}
	p, _ := PurposeFrom(ctx)
	return string(p)
}
