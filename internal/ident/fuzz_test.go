package ident

import (
	"errors"
	"testing"
	"unicode/utf8"
)

func FuzzValidateUSCC(f *testing.F) {
	for _, s := range []string{
		"91110000600037341L", "91310115MA1K3BTP2B", "91620105L015101280",
		"91110000600037341N", "91310115ma1k3btp2b", "", "\xff", "９1110000600037341L",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The other validators share the helpers, so they ride along to
		// check that no input makes them panic or return a foreign error.
		for _, v := range []func(string) error{ValidateOrgCode, ValidateResidentID, ValidateRegistrationNumber} {
			if err := v(s); err != nil {
				var e *Error
				if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || e.Input != s || !utf8.ValidString(e.Message) {
					t.Fatalf("bad error %#v for %q", err, s)
				}
			}
		}
		err := ValidateUSCC(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || e.Input != s || e.Rule == "" {
				t.Fatalf("bad error %#v for %q", err, s)
			}
			if !utf8.ValidString(e.Message) {
				t.Fatalf("message is not valid UTF-8: %q", e.Message)
			}
			if len(s) >= 18 && e.Rule == RuleCheckCharacter && NormalizeUSCC(s) != s {
				t.Fatalf("checksum reached for unnormalised %q", s)
			}
			return
		}
		// Accepted: must be 18 alphabet bytes with a matching check char.
		if len(s) != 18 {
			t.Fatalf("accepted %q of %d bytes", s, len(s))
		}
		c, err := USCCCheckChar(s[:17])
		if err != nil || c != s[17] {
			t.Fatalf("accepted %q but USCCCheckChar = %q, %v", s, c, err)
		}
		if isDigits(s[2:8], 6) {
			m, err := MakeUSCC(s[0], s[1], s[2:8], s[8:17])
			if err != nil || m != s {
				t.Fatalf("MakeUSCC round trip of %q = %q, %v", s, m, err)
			}
		}
	})
}

// FuzzMask checks that no mask panics, that each keeps the character count,
// and that every character outside the revealed head and tail is '*'.
func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"230102198001011234", "13812345678", "欧阳娜娜", "", "张", "\xff\xfe\xfd", "２３０１０２１９８００１０１１２３４",
	} {
		f.Add(s)
	}
	masks := []struct {
		name                   string
		fn                     func(string) string
		first, last, minHidden int
	}{
		{"MaskResidentID", MaskResidentID, 6, 4, 8},
		{"MaskResidentIDCourt", MaskResidentIDCourt, 1, 2, 15},
		{"MaskMobile", MaskMobile, 3, 4, 4},
		{"MaskName", MaskName, 1, 0, 1},
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := []rune(s)
		for _, m := range masks {
			out := m.fn(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q is not valid UTF-8", m.name, s, out)
			}
			got := []rune(out)
			if len(got) != len(in) {
				t.Fatalf("%s(%q) = %q: %d characters, want %d", m.name, s, out, len(got), len(in))
			}
			first, last := m.first, m.last
			if len(in) < first+last+m.minHidden {
				first, last = 0, 0
			}
			for i := range got {
				hidden := i >= first && i < len(in)-last
				if hidden && got[i] != '*' {
					t.Fatalf("%s(%q) = %q reveals position %d", m.name, s, out, i+1)
				}
				if !hidden && got[i] != in[i] {
					t.Fatalf("%s(%q) = %q changes kept position %d", m.name, s, out, i+1)
				}
			}
		}
	})
}
