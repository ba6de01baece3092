package synth

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"credithub/internal/ident"
)

var refDate = time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)

// sample draws a mixed sequence of everything the package generates, so a
// change in any generator shows up in the determinism tests.
func sample(r *rand.Rand) []string {
	var out []string
	for i := 0; i < 20; i++ {
		id, _, _ := ResidentID(r, "231102", refDate)
		uscc, _ := USCC(r, ident.CategoryEnterprise, "231181")
		out = append(out,
			PersonName(r), Mobile(r), id, uscc, OrgCode(r),
			CompanyName(r, "231183", ident.CategoryEnterprise).Name,
			Address(r, "231102"), RegistrationNumber(r, "231124"),
			DecisionNo(r, "黑市监", 2023, "处罚"), CourtCaseNo(r, 2023, "黑11", "执"),
			Date(r, refDate.AddDate(-1, 0, 0), refDate).Format(time.DateOnly),
		)
	}
	return out
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	a := sample(New(42, "market"))
	b := sample(New(42, "market"))
	if !slices.Equal(a, b) {
		t.Fatal("same seed and stream gave different data")
	}
	tests := []struct {
		name   string
		seed   uint64
		stream string
	}{
		{"other stream", 42, "environment"},
		{"empty stream", 42, ""},
		{"other seed", 43, "market"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if slices.Equal(a, sample(New(tt.seed, tt.stream))) {
				t.Errorf("New(%d, %q) repeats New(42, \"market\")", tt.seed, tt.stream)
			}
		})
	}
}

func TestStreamsAreIndependent(t *testing.T) {
	t.Parallel()
	// Drawing from one stream must not change another.
	want := sample(New(7, "courts"))
	other := New(7, "tax")
	for i := 0; i < 100; i++ {
		other.Uint64()
	}
	if got := sample(New(7, "courts")); !slices.Equal(got, want) {
		t.Error("courts stream changed")
	}
}

// TestGeneratedIdentifiersValidate draws 10,000 of each identifier.
func TestGeneratedIdentifiersValidate(t *testing.T) {
	t.Parallel()
	const n = 10000
	divisions := make([]string, 0, len(ident.Divisions))
	for _, d := range ident.Divisions {
		divisions = append(divisions, d.Code)
	}
	categories := []ident.EntityCategory{
		ident.CategoryEnterprise, ident.CategoryIndividualBusiness,
		ident.CategoryFarmersCooperative, ident.CategoryOther,
	}

	t.Run("resident ID", func(t *testing.T) {
		t.Parallel()
		r := New(1, t.Name())
		for i := 0; i < n; i++ {
			div := divisions[i%len(divisions)]
			id, birth, male := ResidentID(r, div, refDate)
			if err := ident.ValidateResidentID(id); err != nil {
				t.Fatalf("%q: %v", id, err)
			}
			if got, _ := ident.BirthDateOf(id); !got.Equal(birth) {
				t.Fatalf("%q: birth %v, returned %v", id, got, birth)
			}
			if ident.IsMale(id) != male {
				t.Fatalf("%q: male = %v", id, male)
			}
			if age := ageOn(birth, refDate); age < 20 || age > 70 {
				t.Fatalf("%q: age %d on %v", id, age, refDate)
			}
			if strings.HasPrefix(id, "231199") {
				t.Fatalf("%q uses the pilot pseudo-division", id)
			}
		}
	})
	t.Run("USCC", func(t *testing.T) {
		t.Parallel()
		r := New(1, t.Name())
		for i := 0; i < n; i++ {
			cat := categories[i%len(categories)]
			div := divisions[i%len(divisions)]
			uscc, org := USCC(r, cat, div)
			if err := ident.ValidateUSCC(uscc); err != nil {
				t.Fatalf("%q: %v", uscc, err)
			}
			if ident.Category(uscc) != cat {
				t.Fatalf("%q: category %v, want %v", uscc, ident.Category(uscc), cat)
			}
			if ident.OrgCodeOf(uscc) != org {
				t.Fatalf("%q: org code %q", uscc, org)
			}
			if cat != ident.CategoryIndividualBusiness {
				if err := ident.ValidateOrgCode(org); err != nil {
					t.Fatalf("%q: %v", org, err)
				}
			}
			if uscc[2:8] == "231199" {
				t.Fatalf("%q uses the pilot pseudo-division", uscc)
			}
		}
	})
	t.Run("org code", func(t *testing.T) {
		t.Parallel()
		r := New(1, t.Name())
		for i := 0; i < n; i++ {
			if c := OrgCode(r); ident.ValidateOrgCode(c) != nil {
				t.Fatalf("%q: %v", c, ident.ValidateOrgCode(c))
			}
		}
	})
	t.Run("registration number", func(t *testing.T) {
		t.Parallel()
		r := New(1, t.Name())
		for i := 0; i < n; i++ {
			div := divisions[i%len(divisions)]
			s := RegistrationNumber(r, div)
			if err := ident.ValidateRegistrationNumber(s); err != nil {
				t.Fatalf("%q: %v", s, err)
			}
		}
	})
}

func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

func TestPersonName(t *testing.T) {
	t.Parallel()
	r := New(3, "names")
	lengths := map[int]int{}
	for i := 0; i < 10000; i++ {
		name := PersonName(r)
		n := utf8.RuneCountInString(name)
		if n < 2 || n > 4 || !isHan(name) {
			t.Fatalf("bad name %q", name)
		}
		lengths[n]++
	}
	if lengths[2] == 0 || lengths[3] == 0 {
		t.Errorf("name lengths %v lack variety", lengths)
	}
}

func TestGivenCharsUnique(t *testing.T) {
	t.Parallel()
	seen := map[rune]bool{}
	for _, c := range givenChars {
		if seen[c] {
			t.Errorf("duplicate given-name character %q", c)
		}
		seen[c] = true
	}
	if len(givenChars) < 200 {
		t.Errorf("only %d given-name characters", len(givenChars))
	}
	if surnames.Len() < 100 {
		t.Errorf("only %d surnames", surnames.Len())
	}
}

var mobileRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

func TestMobile(t *testing.T) {
	t.Parallel()
	r := New(3, "mobile")
	for i := 0; i < 10000; i++ {
		m := Mobile(r)
		if !mobileRE.MatchString(m) || strings.HasPrefix(m, "154") {
			t.Fatalf("bad mobile %q", m)
		}
		if got := ident.MaskMobile(m); got != m[:3]+"****"+m[7:] {
			t.Fatalf("MaskMobile(%q) = %q", m, got)
		}
	}
}

func TestCompanyName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		division string
		category ident.EntityCategory
		prefixes []string
		suffixes []string
	}{
		{"enterprise in 北安", "231181", ident.CategoryEnterprise, []string{"北安市", "北安", "黑龙江"}, []string{"有限公司", "有限责任公司"}},
		{"enterprise in 爱辉区", "231102", ident.CategoryEnterprise, []string{"黑河市", "黑河", "黑龙江"}, []string{"有限公司", "有限责任公司"}},
		{"enterprise in the pilot zone", "231199", ident.CategoryEnterprise, []string{"黑河", "黑龙江"}, []string{"有限公司", "有限责任公司"}},
		{"individual in 爱辉区", "231102", ident.CategoryIndividualBusiness, []string{"爱辉区"}, nil},
		{"individual in 五大连池", "231182", ident.CategoryIndividualBusiness, []string{"五大连池市"}, nil},
		{"individual in the city", "231100", ident.CategoryIndividualBusiness, []string{"黑河市"}, nil},
		{"co-op in 逊克", "231123", ident.CategoryFarmersCooperative, []string{"逊克县"}, []string{"农民专业合作社"}},
		{"co-op at city level", "231100", ident.CategoryFarmersCooperative, []string{"爱辉区"}, []string{"农民专业合作社"}},
		{"other in 嫩江", "231183", ident.CategoryOther, []string{"嫩江市"}, []string{"协会", "商会", "学校", "养老院"}},
		{"unknown category", "231124", ident.EntityCategory(99), []string{"孙吴县"}, []string{"协会", "商会", "学校", "养老院"}},
		{"unknown division", "110105", ident.CategoryEnterprise, []string{"黑河", "黑龙江"}, []string{"有限公司", "有限责任公司"}},
		{"empty division", "", ident.CategoryIndividualBusiness, []string{"黑河市"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := New(5, tt.name)
			for i := 0; i < 2000; i++ {
				c := CompanyName(r, tt.division, tt.category)
				if !isHan(c.Name) || c.Industry == "" || c.Scope == "" || !strings.Contains(c.Name, c.Industry) {
					t.Fatalf("bad company %+v", c)
				}
				if len(c.IndustryCode) != 1 || c.IndustryCode[0] < 'A' || c.IndustryCode[0] > 'T' {
					t.Fatalf("%q: industry code %q is not a GB/T 4754 section", c.Name, c.IndustryCode)
				}
				if !hasAny(c.Name, tt.prefixes, strings.HasPrefix) {
					t.Fatalf("%q does not start with one of %v", c.Name, tt.prefixes)
				}
				if tt.suffixes != nil && !hasAny(c.Name, tt.suffixes, strings.HasSuffix) {
					t.Fatalf("%q does not end with one of %v", c.Name, tt.suffixes)
				}
			}
		})
	}
}

func hasAny(s string, xs []string, f func(string, string) bool) bool {
	for _, x := range xs {
		if f(s, x) {
			return true
		}
	}
	return false
}

func TestAddress(t *testing.T) {
	t.Parallel()
	tests := []struct{ division, prefix string }{
		{"231102", "黑龙江省黑河市爱辉区"},
		{"231100", "黑龙江省黑河市爱辉区"},
		{"231199", "黑龙江省黑河市爱辉区"},
		{"231181", "黑龙江省黑河市北安市"},
		{"231182", "黑龙江省黑河市五大连池市"},
		{"231183", "黑龙江省黑河市嫩江市"},
		{"231123", "黑龙江省黑河市逊克县"},
		{"231124", "黑龙江省黑河市孙吴县"},
		{"", "黑龙江省黑河市爱辉区"},
	}
	re := regexp.MustCompile(`^黑龙江省黑河市\p{Han}+?(区|县|市)\p{Han}+?(街|路)\d+号(门市|\d+号楼\d+单元\d+室)?$`)
	for _, tt := range tests {
		t.Run(tt.division, func(t *testing.T) {
			t.Parallel()
			r := New(9, tt.division)
			for i := 0; i < 1000; i++ {
				a := Address(r, tt.division)
				if !strings.HasPrefix(a, tt.prefix) || !re.MatchString(a) {
					t.Fatalf("bad address %q", a)
				}
			}
		})
	}
}

func TestDocumentNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		gen  func(*rand.Rand) string
		re   string
	}{
		{"market regulation", func(r *rand.Rand) string { return DecisionNo(r, "黑市监", 2023, "处罚") },
			`^黑市监处罚〔2023〕[1-9]\d{0,3}号$`},
		{"environment", func(r *rand.Rand) string { return DecisionNo(r, "黑环", 2022, "罚") },
			`^黑环罚〔2022〕[1-9]\d{0,3}号$`},
		{"fire service pads to 4 digits", func(r *rand.Rand) string { return DecisionNo(r, "黑消", 2024, "行罚决字") },
			`^黑消行罚决字〔2024〕\d{4}号$`},
		{"intermediate court", func(r *rand.Rand) string { return CourtCaseNo(r, 2023, "黑11", "执") },
			`^\(2023\)黑11执[1-9]\d{0,3}号$`},
		{"district court", func(r *rand.Rand) string { return CourtCaseNo(r, 2021, "黑1102", "执恢") },
			`^\(2021\)黑1102执恢[1-9]\d{0,3}号$`},
		{"empty arguments", func(r *rand.Rand) string { return DecisionNo(r, "", 0, "") },
			`^〔0〕[1-9]\d{0,3}号$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := regexp.MustCompile(tt.re)
			r := New(11, tt.name)
			for i := 0; i < 2000; i++ {
				if s := tt.gen(r); !re.MatchString(s) {
					t.Fatalf("%q does not match %s", s, tt.re)
				}
			}
		})
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("UTC+8", 8*3600)
	tests := []struct {
		name     string
		from, to time.Time
		min, max string
	}{
		{"one year", time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC), "2023-01-01", "2023-12-31"},
		{"reversed", time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), "2023-01-01", "2023-12-31"},
		{"same day", time.Date(2024, 2, 29, 15, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 1, 0, 0, 0, time.UTC), "2024-02-29", "2024-02-29"},
		{"local calendar day", time.Date(2024, 1, 1, 0, 30, 0, 0, cst), time.Date(2024, 1, 1, 23, 0, 0, 0, cst), "2024-01-01", "2024-01-01"},
		{"centuries", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), "0001-01-01", "9999-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := New(13, tt.name)
			seen := map[string]bool{}
			for i := 0; i < 2000; i++ {
				d := Date(r, tt.from, tt.to)
				s := d.Format(time.DateOnly)
				if d.Location() != time.UTC || !d.Equal(civilDay(d)) || s < tt.min || s > tt.max {
					t.Fatalf("Date = %v, want a UTC day in [%s, %s]", d, tt.min, tt.max)
				}
				seen[s] = true
			}
			if tt.min != tt.max && len(seen) < 2 {
				t.Errorf("only %d distinct dates", len(seen))
			}
		})
	}
}

func TestPickAndWeighted(t *testing.T) {
	t.Parallel()
	r := New(17, "pick")
	if got := Pick[int](r, nil); got != 0 {
		t.Errorf("Pick(nil) = %d", got)
	}
	if got := Pick(r, []string{"only"}); got != "only" {
		t.Errorf("Pick = %q", got)
	}
	var nilW *Weighted[string]
	if got := nilW.Pick(r); got != "" {
		t.Errorf("nil Weighted picked %q", got)
	}
	empty := NewWeighted([]Choice[string]{{"never", 0}, {"no", -5}})
	if empty.Len() != 0 || empty.Pick(r) != "" {
		t.Errorf("weights ≤ 0 were kept")
	}
	huge := NewWeighted([]Choice[int]{{1, int(^uint(0) >> 1)}, {2, int(^uint(0) >> 1)}})
	for i := 0; i < 100; i++ {
		if v := huge.Pick(r); v != 1 && v != 2 {
			t.Fatalf("huge weights picked %d", v)
		}
	}
	w := NewWeighted([]Choice[string]{{"a", 90}, {"b", 10}, {"c", 0}})
	counts := map[string]int{}
	for i := 0; i < 10000; i++ {
		counts[w.Pick(r)]++
	}
	if counts["c"] != 0 || counts["a"] < 8500 || counts["a"] > 9500 || counts["b"] == 0 {
		t.Errorf("weighted counts %v, want about 9000/1000/0", counts)
	}
}

func TestBadInputDoesNotPanic(t *testing.T) {
	t.Parallel()
	r := New(19, "bad")
	for _, div := range []string{"", "23110", "abcdef", "黑河市黑河市", "991102", "2311020"} {
		if id, birth, male := ResidentID(r, div, refDate); id != "" || !birth.IsZero() || male {
			if ident.ValidateResidentID(id) != nil {
				t.Errorf("ResidentID(%q) = %q, %v, %v", div, id, birth, male)
			}
		}
		if u, o := USCC(r, ident.CategoryEnterprise, div); (u == "") != (o == "") || (u != "" && ident.ValidateUSCC(u) != nil) {
			t.Errorf("USCC(%q) = %q, %q", div, u, o)
		}
		if s := RegistrationNumber(r, div); s != "" && ident.ValidateRegistrationNumber(s) != nil {
			t.Errorf("RegistrationNumber(%q) = %q", div, s)
		}
		_ = Address(r, div)
		for c := ident.EntityCategory(-1); c < 6; c++ {
			_ = CompanyName(r, div, c)
		}
	}
	if id, _, _ := ResidentID(r, "231102", time.Date(1910, 1, 1, 0, 0, 0, 0, time.UTC)); id != "" {
		t.Errorf("ResidentID before 1920 = %q, want \"\"", id)
	}
	if id, _, _ := ResidentID(r, "231102", time.Time{}); id != "" {
		t.Errorf("ResidentID at the zero time = %q, want \"\"", id)
	}
	_ = CourtCaseNo(r, -1, "", "")
	_ = Date(r, time.Time{}, time.Time{})
}

func TestRegistrationNumberUsesFormerNenjiangCode(t *testing.T) {
	t.Parallel()
	r := New(23, "nenjiang")
	if s := RegistrationNumber(r, "231183"); !strings.HasPrefix(s, "231121") {
		t.Errorf("RegistrationNumber(嫩江市) = %q, want the 嫩江县 code 231121", s)
	}
	if s := RegistrationNumber(r, "231199"); !strings.HasPrefix(s, "231102") {
		t.Errorf("RegistrationNumber(pilot) = %q, want 231102", s)
	}
}
