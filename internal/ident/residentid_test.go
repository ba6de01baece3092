package ident

import (
	"testing"
	"time"
)

// withIDCheck appends the correct check character, so that a test case
// fails only on the rule it is about.
func withIDCheck(t *testing.T, first17 string) string {
	t.Helper()
	c, err := ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

func TestValidateResidentID(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 6, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		rule     Rule
		msg      string
	}{
		{name: "GB 11643 sample with X", in: "11010519491231002X"},
		{name: "published sample", in: "110105195001010039"},
		{name: "Heihe", in: withIDCheck(t, "23110219800229123")},
		{name: "born 1900-01-01", in: withIDCheck(t, "23110219000101001")},
		{name: "born today in China", in: withIDCheck(t, "23110220240630001")},
		{name: "Hong Kong residence permit", in: withIDCheck(t, "81000019900101001")},

		{name: "lower-case x", in: "11010519491231002x", rule: RuleAlphabet,
			msg: `resident ID number has "x" at position 18, which is not allowed (the check character is a digit or upper-case X); letters must be upper-case`},
		{name: "first generation", in: "110105491231002", rule: RuleLength,
			msg: "resident ID number must be 18 characters, got 15 (first-generation 15-digit numbers are not accepted)"},
		{name: "17 digits", in: "11010519491231002", rule: RuleLength,
			msg: "resident ID number must be 18 characters, got 17"},
		{name: "trailing space", in: "11010519491231002X ", rule: RuleLength},
		{name: "letter in body", in: "1101051949123100AX", rule: RuleAlphabet,
			msg: `resident ID number has "A" at position 17, which is not a digit (positions 1–17 are digits and position 18 a digit or upper-case X)`},
		{name: "X in body", in: "1101051949123100X2", rule: RuleAlphabet},
		{name: "lower-case letter in body gets no upper-case advice", in: "1101051949123100a2", rule: RuleAlphabet,
			msg: `resident ID number has "a" at position 17, which is not a digit (positions 1–17 are digits and position 18 a digit or upper-case X)`},
		{name: "full-width digit", in: "１10105194912310021", rule: RuleAlphabet,
			msg: `resident ID number has "１" at position 1, which is not a digit (positions 1–17 are digits and position 18 a digit or upper-case X); full-width characters must be entered as half-width`},
		{name: "unknown province 99", in: withIDCheck(t, "99010519491231002"), rule: RuleDivision},
		{name: "province 00", in: withIDCheck(t, "00000019491231002"), rule: RuleDivision},
		{name: "province 16", in: withIDCheck(t, "16010519491231002"), rule: RuleDivision},
		{name: "30 February", in: withIDCheck(t, "23110219800230123"), rule: RuleBirthDate,
			msg: "resident ID number birth date at positions 7–14 must be a real calendar date in the form YYYYMMDD"},
		{name: "29 February in a non-leap year", in: withIDCheck(t, "23110219000229123"), rule: RuleBirthDate},
		{name: "month 13", in: withIDCheck(t, "23110219801301123"), rule: RuleBirthDate},
		{name: "day 00", in: withIDCheck(t, "23110219800100123"), rule: RuleBirthDate},
		{name: "before 1900", in: withIDCheck(t, "23110218991231123"), rule: RuleBirthDate,
			msg: "resident ID number birth date at positions 7–14 must be between 1900-01-01 and today"},
		{name: "tomorrow", in: withIDCheck(t, "23110220240701123"), rule: RuleBirthDate},
		{name: "wrong check", in: "110105194912310021", rule: RuleCheckCharacter,
			msg: `resident ID number check character is "1", expected "X" (GB 11643 MOD 11-2 checksum)`},
		{name: "wrong check X", in: "11010519500101003X", rule: RuleCheckCharacter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := assertRule(t, validateResidentID(tt.in, now), KindResidentID, tt.in, tt.rule)
			if e != nil && tt.msg != "" && e.Message != tt.msg {
				t.Errorf("message\n got %s\nwant %s", e.Message, tt.msg)
			}
		})
	}
}

func TestValidateResidentIDTodayIsChinaTime(t *testing.T) {
	t.Parallel()
	// 2024-06-30 20:00 UTC is already 1 July in Heihe.
	now := time.Date(2024, 6, 30, 20, 0, 0, 0, time.UTC)
	if err := validateResidentID(withIDCheck(t, "23110220240701001"), now); err != nil {
		t.Errorf("child born today (China time) rejected: %v", err)
	}
}

func TestResidentIDCheckChar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want byte
		rule Rule
	}{
		{in: "11010519491231002", want: 'X'},
		{in: "11010519500101003", want: '9'},
		{in: "1101051949123100", rule: RuleLength},
		{in: "1101051949123100X", rule: RuleAlphabet},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ResidentIDCheckChar(tt.in)
			assertRule(t, err, KindResidentID, tt.in, tt.rule)
			if got != tt.want {
				t.Errorf("ResidentIDCheckChar(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestBirthDateOfAndIsMale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		birth string // YYYY-MM-DD, empty if invalid
		male  bool
	}{
		{"11010519491231002X", "1949-12-31", false},
		{"110105195001010039", "1950-01-01", true},
		{"11010519491231002x", "", false},
		{"", "", false},
		{"110105194912310021", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := BirthDateOf(tt.in)
			if tt.birth == "" {
				assertRule(t, err, KindResidentID, tt.in, mustRuleOf(t, err))
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if s := got.Format(time.DateOnly); s != tt.birth || got.Location() != time.UTC {
					t.Errorf("BirthDateOf = %v, want %s UTC", got, tt.birth)
				}
			}
			if m := IsMale(tt.in); m != tt.male {
				t.Errorf("IsMale = %v, want %v", m, tt.male)
			}
		})
	}
}

func mustRuleOf(t *testing.T, err error) Rule {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v is %T, want *Error", err, err)
	}
	return e.Rule
}

func TestMakeResidentID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		division string
		birth    time.Time
		seq      int
		want     string
	}{
		{name: "sample", division: "110105", birth: time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), seq: 2, want: "11010519491231002X"},
		{name: "sample male", division: "110105", birth: time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), seq: 3, want: "110105195001010039"},
		{name: "uses the birth's own calendar day", division: "231102",
			birth: time.Date(1980, 2, 29, 23, 30, 0, 0, time.FixedZone("UTC+8", 8*3600)), seq: 999,
			want: withIDCheck(t, "23110219800229999")},
		{name: "seq too large", division: "231102", birth: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), seq: 1000},
		{name: "negative seq", division: "231102", birth: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), seq: -1},
		{name: "bad division", division: "23110", birth: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), seq: 1},
		{name: "unknown province", division: "991102", birth: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), seq: 1},
		{name: "zero time", division: "231102", birth: time.Time{}, seq: 1},
		{name: "year 10000", division: "231102", birth: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), seq: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := MakeResidentID(tt.division, tt.birth, tt.seq)
			if got != tt.want {
				t.Errorf("MakeResidentID = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMakeResidentIDRoundTrip(t *testing.T) {
	t.Parallel()
	birth := time.Date(1954, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3000; i++ {
		b := birth.AddDate(0, 0, i*7)
		seq := i % 1000
		id := MakeResidentID("231181", b, seq)
		if err := ValidateResidentID(id); err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		got, err := BirthDateOf(id)
		if err != nil || !got.Equal(b) {
			t.Fatalf("BirthDateOf(%q) = %v, %v; want %v", id, got, err, b)
		}
		if IsMale(id) != (seq%2 == 1) {
			t.Fatalf("IsMale(%q) = %v for seq %d", id, IsMale(id), seq)
		}
	}
}

func TestNormalizeResidentID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{" 11010519491231002x ", "11010519491231002X"},
		{"１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"},
	} {
		if got := NormalizeResidentID(tt.in); got != tt.want {
			t.Errorf("NormalizeResidentID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
