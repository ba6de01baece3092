package ident

import (
	"strings"
	"unicode/utf8"
)

// USCCAlphabet is the GB 32100 character set in value order: a character's
// value is its index. It is the 36 digits and letters without I, O, Z, S and
// V, which are too easily confused with 1, 0, 2, 5 and U.
const USCCAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^i mod 31 for positions 1–17, as tabulated in GB 32100.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccValue maps a byte to its GB 32100 value, or -1.
var usccValue = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(USCCAlphabet); i++ {
		t[USCCAlphabet[i]] = int8(i)
	}
	return t
}()

// NormalizeUSCC trims surrounding white space, converts full-width
// characters to half-width and upper-cases ASCII letters. ValidateUSCC does
// none of this itself, so callers that want to accept sloppy input apply
// NormalizeUSCC first and store its result.
func NormalizeUSCC(s string) string { return normalize(s) }

// ValidateUSCC checks a unified social credit code (统一社会信用代码) against
// GB 32100-2015: 18 characters from USCCAlphabet with a correct check
// character at position 18. Input is not normalised; lower-case letters are
// rejected with RuleAlphabet.
//
// The organisation-code part (positions 9–17) is deliberately not checked
// against GB 11714: codes of individual businesses (category 92) carry a
// generated 9-character part with no GB 11714 check character, and even the
// sample in GB 32100 itself (91350100M000100Y43) has an organisation part
// that fails GB 11714. Rejecting those would reject real, registered
// entities. Positions 3–8 (the division) are not checked either, for the same
// reason: the registry, not this package, is the authority on what was issued.
func ValidateUSCC(s string) error {
	if n := utf8.RuneCountInString(s); n != 18 {
		return lengthError(KindUSCC, s, 18, n)
	}
	if err := usccAlphabetError(s); err != nil {
		return err
	}
	want, _ := usccCheck(s[:17])
	if s[17] != want {
		return newError(KindUSCC, s, RuleCheckCharacter, 18,
			"check character is %q, expected %q (GB 32100 checksum)", string(s[17]), string(want))
	}
	return nil
}

// usccAlphabetError reports the first character of s outside USCCAlphabet.
func usccAlphabetError(s string) *Error {
	pos := 0
	for i, r := range s {
		pos++
		if r < utf8.RuneSelf && usccValue[r] >= 0 {
			continue
		}
		return newError(KindUSCC, s, RuleAlphabet, pos,
			"has %s at position %d, which is not in the GB 32100 alphabet (digits and ABCDEFGHJKLMNPQRTUWXY)%s",
			quoteAt(s, i), pos, charHint(r))
	}
	return nil
}

// usccCheck computes the check character of a 17-byte body known to be in
// the alphabet.
func usccCheck(body string) (byte, bool) {
	sum := 0
	for i := 0; i < 17; i++ {
		v := usccValue[body[i]]
		if v < 0 {
			return 0, false
		}
		sum += int(v) * usccWeights[i]
	}
	// 31 − 0 would be 31, which GB 32100 maps to value 0; taking the result
	// mod 31 again does that without a special case.
	return USCCAlphabet[(31-sum%31)%31], true
}

// USCCCheckChar returns the check character for the first 17 characters of
// a unified social credit code.
func USCCCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != 17 {
		return 0, newError(KindUSCC, first17, RuleLength, 0,
			"without its check character must be 17 characters, got %d", n)
	}
	if err := usccAlphabetError(first17); err != nil {
		return 0, err
	}
	c, _ := usccCheck(first17)
	return c, nil
}

// MakeUSCC assembles a unified social credit code from its parts and appends
// the check character. The registration authority and category must be
// characters of USCCAlphabet (e.g. '9' and '1' for an enterprise registered
// by market regulation), division6 six digits, and orgCode9 nine characters
// of USCCAlphabet. As in ValidateUSCC, orgCode9 need not satisfy GB 11714.
func MakeUSCC(authority, category byte, division6, orgCode9 string) (string, error) {
	if !isDigits(division6, 6) {
		return "", newError(KindUSCC, division6, RuleDivision, 0,
			"administrative division must be 6 digits (a GB/T 2260 code such as 231102)")
	}
	if n := utf8.RuneCountInString(orgCode9); n != 9 {
		return "", newError(KindUSCC, orgCode9, RuleLength, 0,
			"organisation code part must be 9 characters, got %d", n)
	}
	for i, c := range [2]byte{authority, category} {
		if usccValue[c] < 0 {
			part := [2]string{"registration authority", "category"}[i]
			return "", newError(KindUSCC, string([]byte{c}), RuleAlphabet, i+1,
				"%s must be a character of the GB 32100 alphabet (digits and ABCDEFGHJKLMNPQRTUWXY)", part)
		}
	}
	var b strings.Builder
	b.Grow(18)
	b.WriteByte(authority)
	b.WriteByte(category)
	b.WriteString(division6)
	b.WriteString(orgCode9)
	body := b.String()
	c, err := USCCCheckChar(body)
	if err != nil {
		return "", err
	}
	return body + string(c), nil
}

// OrgCodeOf returns the organisation-code part (positions 9–17) of a
// unified social credit code, or "" if uscc is not 18 ASCII characters. It
// does not validate; see ValidateUSCC and ValidateOrgCode.
func OrgCodeOf(uscc string) string {
	if len(uscc) != 18 || !isASCII(uscc) {
		return ""
	}
	return uscc[8:17]
}

// EntityCategory is the kind of market entity encoded in positions 1–2 of a
// unified social credit code registered by market regulation (authority 9).
type EntityCategory int

// Entity categories. The zero value is CategoryOther so that anything not
// recognised is never mistaken for an enterprise.
const (
	CategoryOther              EntityCategory = iota // not registered by market regulation, or unknown
	CategoryEnterprise                               // 91: 企业
	CategoryIndividualBusiness                       // 92: 个体工商户
	CategoryFarmersCooperative                       // 93: 农民专业合作社
)

// String returns an English label for the category.
func (c EntityCategory) String() string {
	switch c {
	case CategoryEnterprise:
		return "enterprise"
	case CategoryIndividualBusiness:
		return "individual business"
	case CategoryFarmersCooperative:
		return "farmers' co-operative"
	}
	return "other organisation"
}

// Category reports the market-entity category of a unified social credit
// code from its first two characters. It does not validate the code.
func Category(uscc string) EntityCategory {
	if len(uscc) < 2 || uscc[0] != '9' {
		return CategoryOther
	}
	switch uscc[1] {
	case '1':
		return CategoryEnterprise
	case '2':
		return CategoryIndividualBusiness
	case '3':
		return CategoryFarmersCooperative
	}
	return CategoryOther
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
