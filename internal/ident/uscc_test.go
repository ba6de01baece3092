package ident

import (
	"errors"
	"strings"
	"testing"
)

// assertRule checks that err is an *Error for input with the given rule and
// that it matches ErrInvalid.
func assertRule(t *testing.T, err error, kind, input string, rule Rule) *Error {
	t.Helper()
	if rule == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return nil
	}
	if err == nil {
		t.Fatalf("got nil error, want rule %q", rule)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not *ident.Error", err)
	}
	if e.Rule != rule {
		t.Errorf("Rule = %q, want %q (message %q)", e.Rule, rule, e.Message)
	}
	if e.Kind != kind {
		t.Errorf("Kind = %q, want %q", e.Kind, kind)
	}
	if e.Input != input {
		t.Errorf("Input = %q, want %q", e.Input, input)
	}
	if !strings.HasPrefix(e.Error(), kind+" ") {
		t.Errorf("message %q does not start with the kind", e.Error())
	}
	return e
}

func TestUSCCAlphabetValues(t *testing.T) {
	t.Parallel()
	if len(USCCAlphabet) != 31 {
		t.Fatalf("alphabet has %d characters, want 31", len(USCCAlphabet))
	}
	for i := 0; i < len(USCCAlphabet); i++ {
		if got := usccValue[USCCAlphabet[i]]; int(got) != i {
			t.Errorf("value of %q = %d, want %d", USCCAlphabet[i], got, i)
		}
	}
	for _, c := range "IOZSVabcxyz-* " {
		if usccValue[c] != -1 {
			t.Errorf("%q has value %d, want -1 (not in alphabet)", c, usccValue[c])
		}
	}
	count := 0
	for c := 0; c < 256; c++ {
		if usccValue[c] >= 0 {
			count++
		}
	}
	if count != 31 {
		t.Errorf("%d bytes have a value, want 31", count)
	}
}

func TestValidateUSCC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		rule     Rule
		pos      int
		msg      string // exact message if non-empty
	}{
		{name: "published Beijing sample", in: "91110000600037341L"},
		{name: "published Shanghai MA sample", in: "91310115MA1K3BTP2B"},
		{name: "check character 0", in: "91620105L015101280"},
		{name: "GB 32100 sample with non-GB 11714 org part", in: "91350100M000100Y43"},
		{name: "Heihe enterprise", in: mustMakeUSCC(t, '9', '1', "231102", "MA1A2B3C4")},
		{name: "individual business with generated org part", in: mustMakeUSCC(t, '9', '2', "231181", "L12345678")},

		{name: "too short", in: "91110000600037341", rule: RuleLength,
			msg: "unified social credit code must be 18 characters, got 17"},
		{name: "too long", in: "91110000600037341L0", rule: RuleLength},
		{name: "empty", in: "", rule: RuleLength,
			msg: "unified social credit code must be 18 characters, got 0"},
		{name: "leading space", in: " 91110000600037341L", rule: RuleLength,
			msg: "unified social credit code must be 18 characters, got 19 (it has leading or trailing spaces)"},
		{name: "Chinese characters count as one each", in: "黑河市鑫源商贸有限公司", rule: RuleLength,
			msg: "unified social credit code must be 18 characters, got 11"},

		{name: "forbidden I", in: "9111I000600037341L", rule: RuleAlphabet, pos: 5,
			msg: `unified social credit code has "I" at position 5, which is not in the GB 32100 alphabet (digits and ABCDEFGHJKLMNPQRTUWXY)`},
		{name: "forbidden O", in: "91310115MO1K3BTP2B", rule: RuleAlphabet, pos: 10},
		{name: "forbidden Z", in: "91310115MA1K3BTZ2B", rule: RuleAlphabet, pos: 16},
		{name: "forbidden S", in: "91310115SA1K3BTP2B", rule: RuleAlphabet, pos: 9},
		{name: "forbidden V as check character", in: "91310115MA1K3BTP2V", rule: RuleAlphabet, pos: 18},
		{name: "lower case", in: "91310115ma1k3btp2b", rule: RuleAlphabet, pos: 9,
			msg: `unified social credit code has "m" at position 9, which is not in the GB 32100 alphabet (digits and ABCDEFGHJKLMNPQRTUWXY); letters must be upper-case`},
		{name: "lower-case check character", in: "91110000600037341l", rule: RuleAlphabet, pos: 18},
		{name: "full-width digit", in: "９1110000600037341L", rule: RuleAlphabet, pos: 1,
			msg: `unified social credit code has "９" at position 1, which is not in the GB 32100 alphabet (digits and ABCDEFGHJKLMNPQRTUWXY); full-width characters must be entered as half-width`},
		{name: "hyphen", in: "91310115-A1K3BTP2B", rule: RuleAlphabet, pos: 9},
		{name: "invalid UTF-8", in: "9131011\xffMA1K3BTP2B", rule: RuleAlphabet, pos: 8,
			msg: `unified social credit code has "\xff" at position 8, which is not in the GB 32100 alphabet (digits and ABCDEFGHJKLMNPQRTUWXY)`},
		{name: "bidi override is escaped", in: "91310115\u202eA1K3BTP2B", rule: RuleAlphabet, pos: 9,
			msg: `unified social credit code has "\u202e" at position 9, which is not in the GB 32100 alphabet (digits and ABCDEFGHJKLMNPQRTUWXY)`},

		{name: "wrong check character", in: "91110000600037341N", rule: RuleCheckCharacter, pos: 18,
			msg: `unified social credit code check character is "N", expected "L" (GB 32100 checksum)`},
		{name: "0 expected", in: "91620105L015101281", rule: RuleCheckCharacter, pos: 18,
			msg: `unified social credit code check character is "1", expected "0" (GB 32100 checksum)`},
		{name: "transposed digits", in: "91110000600037314L", rule: RuleCheckCharacter, pos: 18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := assertRule(t, ValidateUSCC(tt.in), KindUSCC, tt.in, tt.rule)
			if e == nil {
				return
			}
			if tt.pos != 0 && e.Position != tt.pos {
				t.Errorf("Position = %d, want %d", e.Position, tt.pos)
			}
			if tt.msg != "" && e.Message != tt.msg {
				t.Errorf("message\n got %s\nwant %s", e.Message, tt.msg)
			}
		})
	}
}

func TestValidateUSCCDoesNotEchoInput(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"<script>alert(1)</",               // 18 characters: alphabet error
		"<img src=x onerror=alert(1)>",     // length error
		"9131011<b>bold</b>",               // alphabet error in the middle
		"91310115MA1K3BTP2B; DROP TABLE x", // length error
	} {
		err := ValidateUSCC(in)
		if err == nil {
			t.Fatalf("%q validated", in)
		}
		for _, frag := range []string{"script", "<img", "<b>", "DROP", "alert"} {
			if strings.Contains(in, frag) && strings.Contains(err.Error(), frag) {
				t.Errorf("message %q echoes %q from the input", err, frag)
			}
		}
	}
}

func TestNormalizeUSCC(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{" 91310115ma1k3btp2b\t", "91310115MA1K3BTP2B"},
		{"\u3000９１３１０１１５ＭＡ１Ｋ３ＢＴＰ２Ｂ\u3000", "91310115MA1K3BTP2B"},
		{"", ""},
		{"ı", "ı"}, // dotless i must not become I
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got := NormalizeUSCC(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeUSCC(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if tt.want != "" && ValidateUSCC(tt.want) == nil && ValidateUSCC(got) != nil {
				t.Errorf("normalised value does not validate")
			}
		})
	}
}

func TestUSCCCheckChar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want byte
		rule Rule
	}{
		{in: "91110000600037341", want: 'L'},
		{in: "91310115MA1K3BTP2", want: 'B'},
		{in: "91620105L01510128", want: '0'},
		{in: "9111000060003734", rule: RuleLength},
		{in: "91110000600037341L", rule: RuleLength},
		{in: "9111000060003734I", rule: RuleAlphabet},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := USCCCheckChar(tt.in)
			assertRule(t, err, KindUSCC, tt.in, tt.rule)
			if got != tt.want {
				t.Errorf("USCCCheckChar(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func mustMakeUSCC(t *testing.T, authority, category byte, division, org string) string {
	t.Helper()
	s, err := MakeUSCC(authority, category, division, org)
	if err != nil {
		t.Fatalf("MakeUSCC: %v", err)
	}
	return s
}

func TestMakeUSCC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		authority, category byte
		division, org       string
		want                string
		rule                Rule
		input               string
	}{
		{name: "Beijing sample", authority: '9', category: '1', division: "110000", org: "600037341", want: "91110000600037341L"},
		{name: "check 0 sample", authority: '9', category: '1', division: "620105", org: "L01510128", want: "91620105L015101280"},
		{name: "co-op", authority: '9', category: '3', division: "231123", org: "MA1B2C3D5"},
		{name: "division with letter", authority: '9', category: '1', division: "23110A", org: "600037341", rule: RuleDivision, input: "23110A"},
		{name: "division too short", authority: '9', category: '1', division: "2311", org: "600037341", rule: RuleDivision, input: "2311"},
		{name: "org code too long", authority: '9', category: '1', division: "231102", org: "6000373410", rule: RuleLength, input: "6000373410"},
		{name: "org code with O", authority: '9', category: '1', division: "231102", org: "O00037341", rule: RuleAlphabet, input: "91231102O00037341"},
		{name: "lower-case authority", authority: 'y', category: '1', division: "231102", org: "600037341", rule: RuleAlphabet, input: "y"},
		{name: "non-ASCII category", authority: '9', category: 0xE9, division: "231102", org: "600037341", rule: RuleAlphabet, input: "\xe9"},
		{name: "multibyte org code", authority: '9', category: '1', division: "231102", org: "黑00037341", rule: RuleAlphabet, input: "91231102黑00037341"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := MakeUSCC(tt.authority, tt.category, tt.division, tt.org)
			assertRule(t, err, KindUSCC, tt.input, tt.rule)
			if tt.rule != "" {
				if got != "" {
					t.Errorf("got %q with an error", got)
				}
				return
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("MakeUSCC = %q, want %q", got, tt.want)
			}
			if err := ValidateUSCC(got); err != nil {
				t.Errorf("round trip: %v", err)
			}
			if OrgCodeOf(got) != tt.org {
				t.Errorf("OrgCodeOf(%q) = %q, want %q", got, OrgCodeOf(got), tt.org)
			}
		})
	}
}

func TestMakeUSCCRoundTripAllCheckChars(t *testing.T) {
	t.Parallel()
	// Vary the last org character so that every check character, including
	// '0', is produced and accepted at least once.
	seen := map[byte]bool{}
	for i := 0; i < len(USCCAlphabet); i++ {
		for j := 0; j < len(USCCAlphabet); j++ {
			org := "MA1K3BT" + string(USCCAlphabet[i]) + string(USCCAlphabet[j])
			s := mustMakeUSCC(t, '9', '1', "231102", org)
			if err := ValidateUSCC(s); err != nil {
				t.Fatalf("ValidateUSCC(%q): %v", s, err)
			}
			seen[s[17]] = true
		}
	}
	if len(seen) != 31 {
		t.Errorf("only %d distinct check characters produced, want 31", len(seen))
	}
}

func TestOrgCodeOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"91310115MA1K3BTP2B", "MA1K3BTP2"},
		{"91110000600037341L", "600037341"},
		{"9111000060003734", ""},
		{"", ""},
		{"911100006000黑41", ""}, // 18 bytes but not 18 characters
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := OrgCodeOf(tt.in); got != tt.want {
				t.Errorf("OrgCodeOf(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCategory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want EntityCategory
		str  string
	}{
		{"91310115MA1K3BTP2B", CategoryEnterprise, "enterprise"},
		{"92231102L12345678X", CategoryIndividualBusiness, "individual business"},
		{"93231123MA1B2C3D5X", CategoryFarmersCooperative, "farmers' co-operative"},
		{"51231100MJ1234567X", CategoryOther, "other organisation"},
		{"99231100MA1234567X", CategoryOther, "other organisation"},
		{"9", CategoryOther, "other organisation"},
		{"", CategoryOther, "other organisation"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got := Category(tt.in)
			if got != tt.want || got.String() != tt.str {
				t.Errorf("Category(%q) = %v (%d), want %v", tt.in, got, got, tt.want)
			}
		})
	}
	if s := EntityCategory(42).String(); s != "other organisation" {
		t.Errorf("EntityCategory(42).String() = %q", s)
	}
}
