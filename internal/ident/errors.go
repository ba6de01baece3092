package ident

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// ErrInvalid is matched by every validation error of this package, so callers
// can tell bad input apart from other failures with errors.Is.
var ErrInvalid = errors.New("ident: invalid identifier")

// Kinds of identifier, as used in Error.Kind and at the start of messages.
const (
	KindUSCC               = "unified social credit code"
	KindOrgCode            = "organisation code"
	KindRegistrationNumber = "registration number"
	KindResidentID         = "resident ID number"
)

// Rule names the check that an identifier failed. The values are stable and
// may be passed on to clients, e.g. as a GraphQL error extension.
type Rule string

// Rules that validation can fail on.
const (
	RuleLength         Rule = "length"
	RuleAlphabet       Rule = "alphabet"
	RuleCheckCharacter Rule = "check_character"
	RuleDivision       Rule = "division"
	RuleBirthDate      Rule = "birth_date"
)

// Error describes why an identifier is invalid.
//
// Message is meant for end users and front-end developers and never quotes
// more than the single offending character, because the input may be
// hostile. Input keeps the complete value for server-side logs only; do not
// return it to clients.
type Error struct {
	Kind     string // one of the Kind* constants
	Input    string // the rejected value, for logs
	Rule     Rule   // the rule that failed
	Position int    // 1-based character position of the offending character, 0 if not about one character
	Message  string // one sentence saying what failed and what is accepted
}

// Error returns the user-facing message.
func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, ErrInvalid) hold for every *Error.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func newError(kind, input string, rule Rule, pos int, format string, args ...any) *Error {
	return &Error{
		Kind:     kind,
		Input:    input,
		Rule:     rule,
		Position: pos,
		Message:  kind + " " + fmt.Sprintf(format, args...),
	}
}

// lengthError reports a wrong character count. Stray white space is the most
// common cause when values are pasted, so it is called out explicitly.
func lengthError(kind, input string, want, got int) *Error {
	hint := ""
	if got > want && hasOuterSpace(input) {
		hint = " (it has leading or trailing spaces)"
	}
	return newError(kind, input, RuleLength, 0, "must be %d characters, got %d%s", want, got, hint)
}

func hasOuterSpace(s string) bool {
	if s == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return isSpace(first) || isSpace(last)
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000' || r == '\u00a0'
}

// quoteAt quotes the character that starts at byte offset i of s. Invalid
// UTF-8 and control or formatting characters are escaped so that a hostile
// value cannot inject markup or reorder the text of a message.
func quoteAt(s string, i int) string {
	_, size := utf8.DecodeRuneInString(s[i:])
	return strconv.Quote(s[i : i+size])
}

// charHint explains the usual reason a character was rejected.
func charHint(r rune) string {
	switch {
	case r >= 'a' && r <= 'z':
		return "; letters must be upper-case"
	case r >= 0xFF01 && r <= 0xFF5E:
		return "; full-width characters must be entered as half-width"
	}
	return ""
}
