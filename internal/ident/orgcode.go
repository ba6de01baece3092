package ident

import (
	"strings"
	"unicode/utf8"
)

var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// orgValue is the GB 11714 value of a body character: digits 0–9 and
// letters A=10 … Z=35, or -1.
func orgValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// NormalizeOrgCode trims white space, converts full-width characters to
// half-width, upper-cases ASCII letters and removes the hyphen before the
// check character, so the printed form "D2143569-X" becomes "D2143569X".
func NormalizeOrgCode(s string) string {
	s = normalize(s)
	if len(s) == 10 && s[8] == '-' {
		s = s[:8] + s[9:]
	}
	return s
}

// ValidateOrgCode checks an organisation code (组织机构代码) against
// GB 11714-1997: 8 body characters (digits and upper-case letters) followed
// by a check character that is a digit or X. The printed hyphen is not
// accepted; see NormalizeOrgCode.
func ValidateOrgCode(s string) error {
	if n := utf8.RuneCountInString(s); n != 9 {
		hint := ""
		if n == 10 && strings.Count(s, "-") == 1 {
			hint = " (without the hyphen)"
		}
		if hint != "" {
			return newError(KindOrgCode, s, RuleLength, 0, "must be 9 characters%s, got %d", hint, n)
		}
		return lengthError(KindOrgCode, s, 9, n)
	}
	if err := orgBodyError(s[:8], s); err != nil {
		return err
	}
	if c := s[8]; (c < '0' || c > '9') && c != 'X' {
		r, _ := utf8.DecodeRuneInString(s[8:])
		return newError(KindOrgCode, s, RuleAlphabet, 9,
			"has %s at position 9, which is not allowed (the check character is a digit or upper-case X)%s",
			quoteAt(s, 8), charHint(r))
	}
	want := orgCheck(s[:8])
	if s[8] != want {
		return newError(KindOrgCode, s, RuleCheckCharacter, 9,
			"check character is %q, expected %q (GB 11714 checksum)", string(s[8]), string(want))
	}
	return nil
}

// orgBodyError reports the first character of body that is not a digit or
// upper-case letter; input is the complete value for the error.
func orgBodyError(body, input string) *Error {
	pos := 0
	for i, r := range body {
		pos++
		if r < utf8.RuneSelf && orgValue(byte(r)) >= 0 {
			continue
		}
		return newError(KindOrgCode, input, RuleAlphabet, pos,
			"has %s at position %d, which is not allowed (positions 1–8 are digits and upper-case letters)%s",
			quoteAt(input, i), pos, charHint(r))
	}
	return nil
}

// orgCheck computes the check character of an 8-byte body known to be
// valid.
func orgCheck(body string) byte {
	sum := 0
	for i := 0; i < 8; i++ {
		sum += orgValue(body[i]) * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// OrgCodeCheckChar returns the GB 11714 check character for an 8-character
// organisation-code body.
func OrgCodeCheckChar(body8 string) (byte, error) {
	if n := utf8.RuneCountInString(body8); n != 8 {
		return 0, newError(KindOrgCode, body8, RuleLength, 0,
			"without its check character must be 8 characters, got %d", n)
	}
	if err := orgBodyError(body8, body8); err != nil {
		return 0, err
	}
	return orgCheck(body8), nil
}
