package ident

// Division is an administrative division of Heihe, Heilongjiang.
type Division struct {
	Code      string // six digits, GB/T 2260
	Name      string // official Chinese name
	CityLevel bool   // the prefecture-level city itself rather than a district, county or county-level city
	Pilot     bool   // a pseudo-division for the free trade zone pilot region, not a GB/T 2260 code
}

// Divisions lists Heihe's divisions in code order: the city, its district,
// counties and county-level cities, and finally the free trade zone pilot
// region.
var Divisions = []Division{
	{Code: "231100", Name: "黑河市", CityLevel: true},
	{Code: "231102", Name: "爱辉区"},
	{Code: "231123", Name: "逊克县"},
	{Code: "231124", Name: "孙吴县"},
	{Code: "231181", Name: "北安市"},
	{Code: "231182", Name: "五大连池市"},
	{Code: "231183", Name: "嫩江市"},
	// 231199 is NOT an official GB/T 2260 code. The Heihe area of the
	// Heilongjiang pilot free trade zone lies within 爱辉区 and has no
	// division code of its own, but supervision statistics report it
	// separately, so it gets a pseudo-code that GB/T 2260 leaves unassigned. Never
	// write it into a USCC, resident ID or registration number.
	{Code: "231199", Name: "中国（黑龙江）自由贸易试验区黑河片区", Pilot: true},
}

// DivisionName returns the Chinese name of a Heihe division code.
func DivisionName(code string) (string, bool) {
	for _, d := range Divisions {
		if d.Code == code {
			return d.Name, true
		}
	}
	return "", false
}
