package ident

import "testing"

func TestValidateOrgCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		rule     Rule
		msg      string
	}{
		{name: "GB 11714 sample", in: "D2143569X"},
		{name: "numeric", in: "600037341"},
		{name: "MA code", in: "MA1K3BTP2"},
		{name: "check 0", in: mustOrg(t, "23110200")},
		{name: "printed form with hyphen", in: "D2143569-X", rule: RuleLength,
			msg: "organisation code must be 9 characters (without the hyphen), got 10"},
		{name: "too short", in: "D2143569", rule: RuleLength},
		{name: "lower case", in: "d2143569X", rule: RuleAlphabet,
			msg: `organisation code has "d" at position 1, which is not allowed (positions 1–8 are digits and upper-case letters); letters must be upper-case`},
		{name: "lower-case x", in: "D2143569x", rule: RuleAlphabet},
		{name: "letter check character", in: "D2143569Y", rule: RuleAlphabet},
		{name: "Chinese character", in: "黑2143569X", rule: RuleAlphabet},
		{name: "wrong check", in: "D21435691", rule: RuleCheckCharacter,
			msg: `organisation code check character is "1", expected "X" (GB 11714 checksum)`},
		{name: "GB 32100 sample org part", in: "M000100Y3", rule: RuleCheckCharacter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := assertRule(t, ValidateOrgCode(tt.in), KindOrgCode, tt.in, tt.rule)
			if e != nil && tt.msg != "" && e.Message != tt.msg {
				t.Errorf("message\n got %s\nwant %s", e.Message, tt.msg)
			}
		})
	}
}

func mustOrg(t *testing.T, body string) string {
	t.Helper()
	c, err := OrgCodeCheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(c)
}

func TestOrgCodeCheckChar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want byte
		rule Rule
	}{
		{in: "D2143569", want: 'X'},
		{in: "60003734", want: '1'},
		{in: "MA1K3BTP", want: '2'},
		{in: "L0151012", want: '8'},
		{in: "D214356", rule: RuleLength},
		{in: "D214356-", rule: RuleAlphabet},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := OrgCodeCheckChar(tt.in)
			assertRule(t, err, KindOrgCode, tt.in, tt.rule)
			if got != tt.want {
				t.Errorf("OrgCodeCheckChar(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestOrgCodeCheckCharCoversXAnd0(t *testing.T) {
	t.Parallel()
	seen := map[byte]bool{}
	for i := 0; i < 200; i++ {
		body := "2311" + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10)) + "0"
		code := mustOrg(t, body)
		if err := ValidateOrgCode(code); err != nil {
			t.Fatalf("round trip %q: %v", code, err)
		}
		seen[code[8]] = true
	}
	for _, c := range []byte("0123456789X") {
		if !seen[c] {
			t.Errorf("check character %q never produced", c)
		}
	}
}

func TestNormalizeOrgCode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"D2143569-X", "D2143569X"},
		{" d2143569-x ", "D2143569X"},
		{"Ｄ２１４３５６９－Ｘ", "D2143569X"},
		{"D2143569X", "D2143569X"},
		{"-", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := NormalizeOrgCode(tt.in); got != tt.want {
				t.Errorf("NormalizeOrgCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
