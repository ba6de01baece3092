package ident

import "unicode/utf8"

// ValidateRegistrationNumber checks a 15-digit registration number
// (工商注册号), the key of market entities before the 2015 switch to unified
// social credit codes, against GS 15-2006: 14 digits and an ISO 7064
// MOD 11,10 check digit.
func ValidateRegistrationNumber(s string) error {
	if n := utf8.RuneCountInString(s); n != 15 {
		return lengthError(KindRegistrationNumber, s, 15, n)
	}
	if err := digitsError(KindRegistrationNumber, s, s, "registration numbers are digits only"); err != nil {
		return err
	}
	want := mod1110(s[:14])
	if s[14] != want {
		return newError(KindRegistrationNumber, s, RuleCheckCharacter, 15,
			"check digit is %q, expected %q (ISO 7064 MOD 11,10)", string(s[14]), string(want))
	}
	return nil
}

// RegistrationNumberCheckDigit returns the check digit for the first 14
// digits of a registration number.
func RegistrationNumberCheckDigit(first14 string) (byte, error) {
	if n := utf8.RuneCountInString(first14); n != 14 {
		return 0, newError(KindRegistrationNumber, first14, RuleLength, 0,
			"without its check digit must be 14 digits, got %d", n)
	}
	if err := digitsError(KindRegistrationNumber, first14, first14, "registration numbers are digits only"); err != nil {
		return 0, err
	}
	return mod1110(first14), nil
}

// mod1110 is the ISO 7064 MOD 11,10 hybrid system over ASCII digits.
func mod1110(digits string) byte {
	p := 10
	for i := 0; i < len(digits); i++ {
		s := (p + int(digits[i]-'0')) % 10
		if s == 0 {
			s = 10
		}
		p = s * 2 % 11
	}
	// The check digit c makes (p + c) mod 10 equal 1.
	return byte('0' + (11-p)%10)
}

// digitsError reports the first non-digit of part, a prefix of input.
func digitsError(kind, part, input, accepted string) *Error {
	pos := 0
	for i, r := range part {
		pos++
		if r >= '0' && r <= '9' {
			continue
		}
		return newError(kind, input, RuleAlphabet, pos,
			"has %s at position %d, which is not a digit (%s)%s", quoteAt(input, i), pos, accepted, digitHint(r))
	}
	return nil
}

// digitHint is charHint for places where no letter is allowed, so the
// upper-case advice would mislead.
func digitHint(r rune) string {
	if r >= 'a' && r <= 'z' {
		return ""
	}
	return charHint(r)
}
