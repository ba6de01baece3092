package workflow

// What every workflow checks of its arguments before it reads or writes
// anything, and how it names what it did not find.

import (
	"strings"
	"unicode/utf8"

	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
)

// Limits of free text.
const (
	maxReason     = 2000
	maxShortText  = 200
	maxCorrection = 2000
)

// needText trims s and checks that it is not empty and at most max
// characters; field names the argument in the error.
func needText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", apperr.BadInput(field, "%s must not be empty", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", apperr.BadInput(field, "%s must be at most %d characters, got %d", field, max, n)
	}
	return s, nil
}

// optionalText is needText for an argument that may be empty.
func optionalText(field, s string, max int) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return needText(field, s, max)
}

// truncate keeps a hostile argument from filling an error message.
func truncate(s string) string {
	if r := []rune(s); len(r) > 32 {
		return string(r[:32]) + "…"
	}
	return s
}

// parseRecordID returns the reference of a record's global ID.
func parseRecordID(field, id string) (credit.Ref, error) {
	bad := apperr.BadInput(field, "%s is not a credit record's ID; use the id of a record as the graph returned it", field)
	typ, payload, err := gid.Decode(id)
	if err != nil || typ != gid.TypeRecord {
		return credit.Ref{}, bad
	}
	ref, err := gid.ParseRecord(payload)
	if err != nil {
		return credit.Ref{}, bad
	}
	return ref, nil
}

// notFound is the error of an object that does not exist; field names the
// argument that named it.
func notFound(field, what string) error {
	return apperr.New(apperr.NotFound, "there is no %s with this id", what).With("field", field)
}
