package ident

import (
	"strings"
	"unicode/utf8"
)

// MaskResidentID keeps the first 6 and last 4 characters of a resident ID
// number and masks the 8 in between, as credit portals publish them:
// 230102********1234.
func MaskResidentID(id string) string { return maskRunes(id, 6, 4, 8) }

// MaskResidentIDCourt keeps only the first and the last 2 characters of a
// resident ID number, the style of court publications such as the list of
// dishonest judgment debtors: 2***************1X.
func MaskResidentIDCourt(id string) string { return maskRunes(id, 1, 2, 15) }

// MaskMobile keeps the first 3 and last 4 digits of a mobile number:
// 138****5678.
func MaskMobile(s string) string { return maskRunes(s, 3, 4, 4) }

// MaskName keeps the first character of a personal name and masks the rest:
// 张** for 张三丰, 欧*** for 欧阳娜娜. Compound surnames are deliberately
// not kept whole: that needs a surname list and would reveal more for
// exactly the rarest, most identifying names. A one-character value is
// masked entirely.
func MaskName(s string) string { return maskRunes(s, 1, 0, 1) }

// maskRunes replaces every character of s by '*' except the first `first`
// and last `last`, counting characters (runes), not bytes. Values too short
// to hide at least minHidden characters — the number the canonical form
// hides — are masked completely: revealing 6+4 characters of a 12-character
// value would disclose far more than the rule intends. Invalid UTF-8 bytes
// count as one character each and are never copied to the output, so the
// result is always valid UTF-8 of the same character count.
func maskRunes(s string, first, last, minHidden int) string {
	n := utf8.RuneCountInString(s)
	if n < first+last+minHidden {
		first, last = 0, 0
	}
	var b strings.Builder
	b.Grow(len(s))
	i := 0
	for _, r := range s {
		if i < first || i >= n-last {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}
