package synth

import (
	"math/rand/v2"

	"credithub/internal/ident"
)

const (
	cityCode  = "231100"
	aihuiCode = "231102"
)

// codeDivision returns the division to encode in identifiers. The free
// trade zone's pseudo-code must never appear in a real identifier; its
// entities are registered in 爱辉区, where the zone lies.
func codeDivision(division6 string) string {
	for _, d := range ident.Divisions {
		if d.Code == division6 && d.Pilot {
			return aihuiCode
		}
	}
	return division6
}

// countyName returns the name of a Heihe district, county or county-level
// city for use in shop and co-operative names. The city itself, the pilot
// zone and unknown codes fall back to fallback.
func countyName(division6, fallback string) string {
	for _, d := range ident.Divisions {
		if d.Code == division6 && !d.CityLevel && !d.Pilot {
			return d.Name
		}
	}
	return fallback
}

// enterprisePrefix is the place part of an enterprise name. Enterprises in
// the urban district normally carry the city's name (黑河市…, 黑河…) rather
// than the district's; those of counties and county-level cities carry their
// own, sometimes without the 县/市 suffix. A few use the province.
func enterprisePrefix(r *rand.Rand, division6 string) string {
	if chance(r, 4) {
		return "黑龙江"
	}
	name := countyName(division6, "")
	switch {
	case name == "" || division6 == aihuiCode:
		switch n := r.IntN(100); {
		case n < 15 && division6 == aihuiCode:
			return "黑河市爱辉区"
		case n < 70:
			return "黑河市"
		default:
			return "黑河"
		}
	case chance(r, 15):
		return trimSuffix(name)
	}
	return name
}

// trimSuffix drops a trailing 县 or 市: 北安市 → 北安, 逊克县 → 逊克.
func trimSuffix(name string) string {
	rs := []rune(name)
	if n := len(rs); n > 2 && (rs[n-1] == '县' || rs[n-1] == '市') {
		return string(rs[:n-1])
	}
	return name
}
