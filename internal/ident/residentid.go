package ident

import (
	"fmt"
	"time"
	"unicode/utf8"
)

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps Σ mod 11 to the check character (ISO 7064 MOD 11-2).
const idCheckChars = "10X98765432"

// chinaTime is UTC+8. China has no daylight saving time since 1991, so a
// fixed zone is exact for "today" and avoids depending on tzdata being
// installed in the container.
var chinaTime = time.FixedZone("UTC+8", 8*60*60)

// minBirth is the earliest birth date accepted in a resident ID number.
var minBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// NormalizeResidentID trims white space, converts full-width characters to
// half-width and upper-cases ASCII letters, so a trailing x becomes X.
func NormalizeResidentID(s string) string { return normalize(s) }

// ValidateResidentID checks a resident ID number (居民身份证号码) against
// GB 11643-1999: a 6-digit division whose first two digits are a GB/T 2260
// province code, a real birth date YYYYMMDD between 1900-01-01 and today
// (China time), a 3-digit sequence and a MOD 11-2 check character (a digit or
// upper-case X). Numbers on residence permits for Hong Kong, Macao and Taiwan
// residents (prefixes 81, 82, 83) have the same format and are accepted.
// First-generation 15-digit numbers are rejected.
func ValidateResidentID(s string) error {
	return validateResidentID(s, time.Now())
}

// validateResidentID is ValidateResidentID with an explicit clock, so tests
// about "today" do not depend on when they run.
func validateResidentID(s string, now time.Time) error {
	if n := utf8.RuneCountInString(s); n != 18 {
		if n == 15 && isDigits(s, 15) {
			return newError(KindResidentID, s, RuleLength, 0,
				"must be 18 characters, got 15 (first-generation 15-digit numbers are not accepted)")
		}
		return lengthError(KindResidentID, s, 18, n)
	}
	if err := digitsError(KindResidentID, s[:17], s,
		"positions 1–17 are digits and position 18 a digit or upper-case X"); err != nil {
		return err
	}
	if c := s[17]; (c < '0' || c > '9') && c != 'X' {
		r, _ := utf8.DecodeRuneInString(s[17:])
		return newError(KindResidentID, s, RuleAlphabet, 18,
			"has %s at position 18, which is not allowed (the check character is a digit or upper-case X)%s",
			quoteAt(s, 17), charHint(r))
	}
	if !isProvince(s[:2]) {
		return newError(KindResidentID, s, RuleDivision, 1,
			"does not start with a GB/T 2260 province code (positions 1–2 must be 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71 or 81–83)")
	}
	if _, err := birthDate(s, now); err != nil {
		return err
	}
	want, _ := idCheck(s[:17])
	if s[17] != want {
		return newError(KindResidentID, s, RuleCheckCharacter, 18,
			"check character is %q, expected %q (GB 11643 MOD 11-2 checksum)", string(s[17]), string(want))
	}
	return nil
}

// isProvince reports whether the two digits p are a GB/T 2260 province-level
// code.
func isProvince(p string) bool {
	if len(p) != 2 {
		return false
	}
	switch p[0] {
	case '1':
		return p[1] >= '1' && p[1] <= '5'
	case '2':
		return p[1] >= '1' && p[1] <= '3'
	case '3':
		return p[1] >= '1' && p[1] <= '7'
	case '4':
		return p[1] >= '1' && p[1] <= '6'
	case '5':
		return p[1] >= '0' && p[1] <= '4'
	case '6':
		return p[1] >= '1' && p[1] <= '5'
	case '7':
		return p[1] == '1'
	case '8':
		return p[1] >= '1' && p[1] <= '3'
	}
	return false
}

// birthDate parses positions 7–14 of an ID whose first 17 bytes are digits.
func birthDate(s string, now time.Time) (time.Time, error) {
	y := atoi(s[6:10])
	m := atoi(s[10:12])
	d := atoi(s[12:14])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 0230 to 0302; a round trip detects that.
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, newError(KindResidentID, s, RuleBirthDate, 7,
			"birth date at positions 7–14 must be a real calendar date in the form YYYYMMDD")
	}
	ny, nm, nd := now.In(chinaTime).Date()
	today := time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)
	if t.Before(minBirth) || t.After(today) {
		return time.Time{}, newError(KindResidentID, s, RuleBirthDate, 7,
			"birth date at positions 7–14 must be between 1900-01-01 and today")
	}
	return t, nil
}

func atoi(digits string) int {
	n := 0
	for i := 0; i < len(digits); i++ {
		n = n*10 + int(digits[i]-'0')
	}
	return n
}

// idCheck computes the check character for 17 bytes, reporting false if
// they are not all digits.
func idCheck(first17 string) (byte, bool) {
	if !isDigits(first17, 17) {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11], true
}

// ResidentIDCheckChar returns the check character ('0'–'9' or 'X') for the
// first 17 digits of a resident ID number.
func ResidentIDCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != 17 {
		return 0, newError(KindResidentID, first17, RuleLength, 0,
			"without its check character must be 17 digits, got %d", n)
	}
	if err := digitsError(KindResidentID, first17, first17, "positions 1–17 are digits"); err != nil {
		return 0, err
	}
	c, _ := idCheck(first17)
	return c, nil
}

// BirthDateOf returns the birth date of a valid resident ID number as
// midnight UTC of that calendar day. It fails if ValidateResidentID does.
func BirthDateOf(id string) (time.Time, error) {
	if err := ValidateResidentID(id); err != nil {
		return time.Time{}, err
	}
	return time.Date(atoi(id[6:10]), time.Month(atoi(id[10:12])), atoi(id[12:14]), 0, 0, 0, 0, time.UTC), nil
}

// IsMale reports whether a valid resident ID number belongs to a man (odd
// sequence digit at position 17). It returns false for invalid numbers, so
// callers that need to tell "female" from "invalid" validate first.
func IsMale(id string) bool {
	if ValidateResidentID(id) != nil {
		return false
	}
	return (id[16]-'0')%2 == 1
}

// MakeResidentID builds a resident ID number from a division code, a birth
// date (its calendar day in its own location) and a sequence number 0–999,
// whose parity encodes the sex (odd = male). It returns "" if division6 is
// not six digits starting with a province code, seq is out of range, or the
// birth year is outside 1900–9999. It does not check that the birth date lies
// in the past; ValidateResidentID will reject future dates.
func MakeResidentID(division6 string, birth time.Time, seq int) string {
	if !isDigits(division6, 6) || !isProvince(division6[:2]) || seq < 0 || seq > 999 {
		return ""
	}
	y, m, d := birth.Date()
	if y < 1900 || y > 9999 {
		return ""
	}
	body := fmt.Sprintf("%s%04d%02d%02d%03d", division6, y, int(m), d, seq)
	c, _ := idCheck(body)
	return body + string(c)
}
