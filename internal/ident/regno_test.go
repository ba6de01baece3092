package ident

import "testing"

func TestMod1110(t *testing.T) {
	t.Parallel()
	// Published ISO 7064 MOD 11,10 vectors: python-stdnum's example and the
	// German VAT number DE136695976, which uses the same system.
	tests := []struct {
		in   string
		want byte
	}{
		{"79462", '3'},
		{"13669597", '6'},
		{"11010800000001", '6'},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := mod1110(tt.in); got != tt.want {
				t.Errorf("mod1110(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateRegistrationNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		rule     Rule
		msg      string
	}{
		{name: "GS 15-2006 sample", in: "110108000000016"},
		{name: "Heihe", in: mustRegNo(t, "23110000012345")},
		{name: "wrong check", in: "110108000000017", rule: RuleCheckCharacter,
			msg: `registration number check digit is "7", expected "6" (ISO 7064 MOD 11,10)`},
		{name: "too short", in: "11010800000001", rule: RuleLength,
			msg: "registration number must be 15 characters, got 14"},
		{name: "USCC given", in: "91110000600037341L", rule: RuleLength},
		{name: "letter", in: "1101080000000A6", rule: RuleAlphabet,
			msg: `registration number has "A" at position 14, which is not a digit (registration numbers are digits only)`},
		{name: "full-width digit", in: "１10108000000016", rule: RuleAlphabet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := assertRule(t, ValidateRegistrationNumber(tt.in), KindRegistrationNumber, tt.in, tt.rule)
			if e != nil && tt.msg != "" && e.Message != tt.msg {
				t.Errorf("message\n got %s\nwant %s", e.Message, tt.msg)
			}
		})
	}
}

func mustRegNo(t *testing.T, first14 string) string {
	t.Helper()
	c, err := RegistrationNumberCheckDigit(first14)
	if err != nil {
		t.Fatal(err)
	}
	return first14 + string(c)
}

func TestRegistrationNumberCheckDigit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want byte
		rule Rule
	}{
		{in: "11010800000001", want: '6'},
		{in: "1101080000000", rule: RuleLength},
		{in: "1101080000000X", rule: RuleAlphabet},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := RegistrationNumberCheckDigit(tt.in)
			assertRule(t, err, KindRegistrationNumber, tt.in, tt.rule)
			if got != tt.want {
				t.Errorf("RegistrationNumberCheckDigit(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRegistrationNumberRoundTrip(t *testing.T) {
	t.Parallel()
	for i := 0; i < 1000; i++ {
		first14 := "2311020" + pad7(i*7919)
		s := mustRegNo(t, first14)
		if err := ValidateRegistrationNumber(s); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		// Any single-digit change in the check digit must be detected.
		for d := byte('0'); d <= '9'; d++ {
			if d != s[14] && ValidateRegistrationNumber(s[:14]+string(d)) == nil {
				t.Fatalf("%q accepted", s[:14]+string(d))
			}
		}
	}
}

func pad7(n int) string {
	b := []byte("0000000")
	for i := 6; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}
