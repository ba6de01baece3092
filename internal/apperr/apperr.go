// Package apperr is the hub's error vocabulary: the codes a client finds in a
// GraphQL error's extensions.code, and the typed error that carries one. Every
// package returns these (or wraps them); the server's one error presenter
// turns them into GraphQL errors, and anything else becomes "internal error".
package apperr

import (
	"errors"
	"fmt"
)

// The codes clients can rely on. Keep them in this one block.
const (
	BadUserInput      = "BAD_USER_INPUT"
	Unauthenticated   = "UNAUTHENTICATED"
	Forbidden         = "FORBIDDEN"
	NotFound          = "NOT_FOUND"
	Conflict          = "CONFLICT"
	InvalidTransition = "INVALID_TRANSITION"
	SourceUnavailable = "SOURCE_UNAVAILABLE"
	QueryTooComplex   = "QUERY_TOO_COMPLEX"
	Timeout           = "TIMEOUT"
	RateLimited       = "RATE_LIMITED"
	// Overloaded: the instance is running its limit of operations at once
	// and none finished within the wait (503, Retry-After); another
	// instance, or this one a moment later, answers.
	Overloaded = "OVERLOADED"
	Internal   = "INTERNAL"

	// BadRequest is an HTTP request that is not a GraphQL request at all
	// (a body that is not JSON, no query).
	BadRequest = "BAD_REQUEST"

	// AboveOpennessCeiling: a catalogue change would make a kind of
	// record more open than the schema's @open marking (organisations) or
	// the law (persons) allows (T8).
	AboveOpennessCeiling = "ABOVE_OPENNESS_CEILING"

	// PurposeRequired: personal data needs a declared purpose
	// (X-Query-Purpose) from the fixed list.
	PurposeRequired = "PURPOSE_REQUIRED"
	// AuthorizationRequired: an agency reads a person's data only under
	// that person's live written authorisation.
	AuthorizationRequired = "AUTHORIZATION_REQUIRED"
	// QueryLogUnavailable: personal data withheld because the query log
	// row could not be committed first.
	QueryLogUnavailable = "QUERY_LOG_UNAVAILABLE"

	// OperationNotAllowed: an agency ran an operation not on its safelist.
	OperationNotAllowed = "OPERATION_NOT_ALLOWED"
	// PersistedQueryNotFound and PersistedQueryMismatched are the
	// automatic persisted queries' refusals (Apollo's protocol).
	PersistedQueryNotFound   = "PERSISTED_QUERY_NOT_FOUND"
	PersistedQueryMismatched = "PERSISTED_QUERY_HASH_MISMATCH"
	// BadCursor: a change feed's cursor (Query.changes' since) this hub
	// did not issue to this agency for this purpose — changed, forged,
	// another agency's — with extensions.field and extensions.reason.
	BadCursor = "BAD_CURSOR"
	// IntrospectionDisabled: introspection (or _service) is not open to
	// this caller.
	IntrospectionDisabled = "INTROSPECTION_DISABLED"
)

// Error is an error a client may see: a code, a sentence that says what was
// wrong and what is accepted, and optional extensions (the argument at fault,
// the department that failed…).
type Error struct {
	Code       string
	Message    string
	Extensions map[string]any
	// Err is the cause, kept for logs and errors.Is; never shown to clients.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with the given code and message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// With returns a copy of e with one more extension.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Extensions = make(map[string]any, len(e.Extensions)+1)
	for k, v := range e.Extensions {
		c.Extensions[k] = v
	}
	c.Extensions[key] = value
	return &c
}

// Wrap returns a copy of e whose cause is err.
func (e *Error) Wrap(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// BadInput reports an argument the caller got wrong; field names it as the
// client wrote it ("uscc", "filter.decidedFrom").
func BadInput(field, format string, args ...any) *Error {
	return New(BadUserInput, format, args...).With("field", field)
}

// Unavailable reports that a department's database did not answer.
func Unavailable(source string, cause error) *Error {
	return New(SourceUnavailable, "department %q did not answer; its data is missing from this result", source).
		With("source", source).Wrap(cause)
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}
