package ident

import "testing"

func TestParseEntityKey(t *testing.T) {
	t.Parallel()
	org := mustOrg(t, "D2143569")
	regNo := mustRegNo(t, "23110260000123")
	tests := []struct {
		name, in  string
		kind      KeyKind
		key       string
		errKind   string
		rule      Rule
		checkOnly bool
	}{
		{name: "USCC", in: "91350100M000100Y43", kind: KeyUSCC, key: "91350100M000100Y43"},
		{name: "organisation code", in: org, kind: KeyOrgCode, key: org},
		{name: "organisation code as printed", in: org[:8] + "-" + org[8:], kind: KeyOrgCode, key: org},
		{name: "registration number", in: regNo, kind: KeyRegistrationNumber, key: regNo},

		{name: "USCC, wrong check", in: "91350100M000100Y44", kind: KeyUSCC, key: "91350100M000100Y44",
			errKind: KindUSCC, rule: RuleCheckCharacter, checkOnly: true},
		{name: "USCC, letter O", in: "91350100M000100O43", kind: KeyUSCC, key: "91350100M000100O43",
			errKind: KindUSCC, rule: RuleAlphabet},
		{name: "USCC, lower case", in: "91350100m000100y43", kind: KeyUSCC, key: "91350100m000100y43",
			errKind: KindUSCC, rule: RuleAlphabet},
		{name: "organisation code, wrong check", in: "D21435691", kind: KeyOrgCode, key: "D21435691",
			errKind: KindOrgCode, rule: RuleCheckCharacter, checkOnly: true},
		{name: "organisation code, letter check (a generated part)", in: "L3K7QW2AB", kind: KeyOrgCode, key: "L3K7QW2AB",
			errKind: KindOrgCode, rule: RuleAlphabet, checkOnly: true},
		{name: "organisation code, lower-case x", in: "D2143569x", kind: KeyOrgCode, key: "D2143569x",
			errKind: KindOrgCode, rule: RuleAlphabet},
		{name: "organisation code, bad body", in: "D2143_69X", kind: KeyOrgCode, key: "D2143_69X",
			errKind: KindOrgCode, rule: RuleAlphabet},
		{name: "printed form, wrong check", in: "D2143569-1", kind: KeyOrgCode, key: "D21435691",
			errKind: KindOrgCode, rule: RuleCheckCharacter, checkOnly: true},
		{name: "registration number, wrong check", in: regNo[:14] + string('0'+(regNo[14]-'0'+1)%10), kind: KeyRegistrationNumber,
			key: regNo[:14] + string('0'+(regNo[14]-'0'+1)%10), errKind: KindRegistrationNumber, rule: RuleCheckCharacter, checkOnly: true},
		{name: "registration number, letter", in: "23110260000A239", kind: KeyRegistrationNumber, key: "23110260000A239",
			errKind: KindRegistrationNumber, rule: RuleAlphabet},

		{name: "empty", in: "", errKind: KindEntityKey, key: "", rule: RuleLength},
		{name: "hyphen elsewhere", in: "D214356-9X", errKind: KindEntityKey, key: "D214356-9X", rule: RuleLength},
		{name: "USCC with a space", in: " 91350100M000100Y43", errKind: KindEntityKey, key: " 91350100M000100Y43", rule: RuleLength},
		{name: "hostile", in: "<script>alert(1)</script>", errKind: KindEntityKey, key: "<script>alert(1)</script>", rule: RuleLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kind, key, err := ParseEntityKey(tt.in)
			if kind != tt.kind || key != tt.key {
				t.Errorf("ParseEntityKey(%q) = %v, %q, want %v, %q", tt.in, kind, key, tt.kind, tt.key)
			}
			if tt.rule == "" {
				assertRule(t, err, "", "", "")
				return
			}
			assertRule(t, err, tt.errKind, tt.key, tt.rule)
			if got := FailsCheckOnly(err); got != tt.checkOnly {
				t.Errorf("FailsCheckOnly(%v) = %v, want %v", err, got, tt.checkOnly)
			}
		})
	}
}
