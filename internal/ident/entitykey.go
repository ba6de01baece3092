package ident

import (
	"errors"
	"unicode/utf8"
)

// KindEntityKey is the Kind of an error about a key whose form names no
// kind of entity key (see ParseEntityKey).
const KindEntityKey = "entity key"

// KeyKind is the kind of key a market entity is known by.
type KeyKind int

// The keys of a market entity: its code since 2015, and the two the
// departments still file some rows under.
const (
	KeyUSCC               KeyKind = iota + 1 // 18 characters, GB 32100
	KeyOrgCode                               // 9 characters, GB 11714
	KeyRegistrationNumber                    // 15 digits, GS 15
)

// ParseEntityKey tells an entity key's kind by its form and validates it as
// that kind: 18 characters are a unified social credit code, 9 an
// organisation code (10 as printed on certificates, "D2143569-X", with a
// hyphen before the check character), 15 a registration number. It returns
// the key as registries hold it (the organisation code without its hyphen).
//
// On failure the error is the kind's own (ValidateUSCC, ValidateOrgCode,
// ValidateRegistrationNumber), and kind and key are still returned so that
// a caller can ask a registry about a key that fails only its check (see
// FailsCheckOnly); a length that names no kind is a RuleLength error of
// KindEntityKey, with kind 0. Like the validators, it does not normalise:
// lower-case letters, full-width characters and spaces are refused.
func ParseEntityKey(s string) (kind KeyKind, key string, err error) {
	switch n := utf8.RuneCountInString(s); n {
	case 18:
		return KeyUSCC, s, ValidateUSCC(s)
	case 9:
		return KeyOrgCode, s, ValidateOrgCode(s)
	case 10:
		if r := []rune(s); r[8] == '-' {
			key = string(r[:8]) + string(r[9:])
			return KeyOrgCode, key, ValidateOrgCode(key)
		}
	case 15:
		return KeyRegistrationNumber, s, ValidateRegistrationNumber(s)
	}
	hint := ""
	if hasOuterSpace(s) {
		hint = " (it has leading or trailing spaces)"
	}
	return 0, s, newError(KindEntityKey, s, RuleLength, 0,
		"must be a unified social credit code (18 characters), an organisation code (9 characters, or 10 with the printed hyphen before the check character) or a registration number (15 digits), got %d characters%s",
		utf8.RuneCountInString(s), hint)
}

// FailsCheckOnly reports whether err says no more than that a key's check
// character is not the one its standard computes: a wrong check character,
// or an organisation code whose last character is a letter other than X.
// Such a key is otherwise well-formed, and the registry that issued it is
// the authority on it: early pilot codes fail GB 32100, and the
// organisation part of an individual business's code is generated with no
// GB 11714 check character at all.
func FailsCheckOnly(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.Rule == RuleCheckCharacter:
		return true
	case e.Kind == KindOrgCode && e.Rule == RuleAlphabet && e.Position == 9 && len(e.Input) == 9:
		c := e.Input[8]
		return c >= 'A' && c <= 'Z'
	}
	return false
}
