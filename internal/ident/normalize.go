package ident

import (
	"strings"
	"unicode"
)

// normalize trims white space (including the ideographic space U+3000),
// turns full-width ASCII forms into half-width ones, and upper-cases ASCII
// letters. Full-width input is what Chinese IMEs produce by default, and it
// is the most frequent reason pasted codes fail. Non-ASCII letters are left
// alone: strings.ToUpper would map e.g. 'ı' to 'I' and so "repair" input
// into something the user never typed.
func normalize(s string) string {
	s = strings.TrimFunc(s, unicode.IsSpace)
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFF01 - '!'
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}, s)
}
