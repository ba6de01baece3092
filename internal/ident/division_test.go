package ident

import "testing"

func TestDivisions(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	pilots, cities := 0, 0
	prev := ""
	for _, d := range Divisions {
		if !isDigits(d.Code, 6) || d.Code[:4] != "2311" {
			t.Errorf("%q is not a Heihe code", d.Code)
		}
		if seen[d.Code] {
			t.Errorf("duplicate %q", d.Code)
		}
		if d.Code <= prev {
			t.Errorf("%q out of order after %q", d.Code, prev)
		}
		prev = d.Code
		seen[d.Code] = true
		if d.Pilot {
			pilots++
		}
		if d.CityLevel {
			cities++
		}
		if name, ok := DivisionName(d.Code); !ok || name != d.Name {
			t.Errorf("DivisionName(%q) = %q, %v", d.Code, name, ok)
		}
	}
	if pilots != 1 || cities != 1 {
		t.Errorf("got %d pilot and %d city-level divisions, want 1 each", pilots, cities)
	}
	for _, tt := range []struct{ code, name string }{
		{"231100", "黑河市"},
		{"231102", "爱辉区"},
		{"231182", "五大连池市"},
		{"231199", "中国（黑龙江）自由贸易试验区黑河片区"},
	} {
		if name, ok := DivisionName(tt.code); !ok || name != tt.name {
			t.Errorf("DivisionName(%q) = %q, %v; want %q", tt.code, name, ok, tt.name)
		}
	}
	if _, ok := DivisionName("231121"); ok {
		t.Error("old 嫩江县 code 231121 should not be listed")
	}
	if _, ok := DivisionName(""); ok {
		t.Error("empty code found")
	}
}
