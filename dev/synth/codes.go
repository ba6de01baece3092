package synth

import (
	"math/rand/v2"

	"credithub/internal/ident"
)

// OrgCode returns a valid GB 11714 organisation code: mostly eight digits,
// as issued before 2015, sometimes an "MA" code as issued since. All
// characters are also in the GB 32100 alphabet, so the code can be embedded
// in a unified social credit code.
func OrgCode(r *rand.Rand) string {
	if chance(r, 15) {
		return prefixedOrgCode(r, "MA")
	}
	return withOrgCheck(string(byte('5'+r.IntN(3))) + digits(r, 7))
}

// prefixedOrgCode is a prefix, random GB 32100 characters and a GB 11714
// check character, 9 characters in all.
func prefixedOrgCode(r *rand.Rand, prefix string) string {
	b := []byte(prefix)
	for len(b) < 8 {
		b = append(b, ident.USCCAlphabet[r.IntN(len(ident.USCCAlphabet))])
	}
	return withOrgCheck(string(b))
}

func withOrgCheck(body8 string) string {
	c, err := ident.OrgCodeCheckChar(body8)
	if err != nil {
		return "" // unreachable: body8 is built from valid characters
	}
	return body8 + string(c)
}

// USCC returns a valid unified social credit code for an entity of the given
// category registered in division6, together with its 9-character
// organisation-code part. Market entities get registration authority 9 and
// category 1, 2 or 3; CategoryOther gets 51 (a social organisation, with an
// "MJ" organisation code). The organisation part of enterprises and
// co-operatives is a valid GB 11714 code; that of individual businesses is,
// as in real 92… codes, usually not. The free-trade-zone pseudo-division is
// encoded as 爱辉区. It returns two empty strings if division6 is not six
// digits.
func USCC(r *rand.Rand, category ident.EntityCategory, division6 string) (uscc, orgCode string) {
	authority, cat := byte('9'), byte('1')
	switch category {
	case ident.CategoryEnterprise, ident.CategoryFarmersCooperative:
		if category == ident.CategoryFarmersCooperative {
			cat = '3'
		}
		if chance(r, 50) {
			orgCode = prefixedOrgCode(r, "MA")
		} else {
			orgCode = withOrgCheck(string(byte('5'+r.IntN(3))) + digits(r, 7))
		}
	case ident.CategoryIndividualBusiness:
		cat = '2'
		if chance(r, 50) {
			orgCode = prefixedOrgCode(r, "MA")
		} else {
			// A generated part with no GB 11714 check character.
			b := []byte{'L'}
			for len(b) < 9 {
				b = append(b, ident.USCCAlphabet[r.IntN(len(ident.USCCAlphabet))])
			}
			orgCode = string(b)
		}
	default:
		authority = '5'
		orgCode = prefixedOrgCode(r, "MJ")
	}
	uscc, err := ident.MakeUSCC(authority, cat, codeDivision(division6), orgCode)
	if err != nil {
		return "", ""
	}
	return uscc, orgCode
}

// RegistrationNumber returns a valid legacy 15-digit registration number:
// the division, 8 random digits and the MOD 11,10 check digit. These numbers
// were issued before 2015, so 嫩江市 (231183, a county-level city only since
// 2019) is encoded with its former county code 231121, and the pilot zone as
// 爱辉区. It returns "" if division6 is not six digits.
func RegistrationNumber(r *rand.Rand, division6 string) string {
	div := codeDivision(division6)
	if div == "231183" {
		div = "231121"
	}
	first14 := div + digits(r, 8)
	c, err := ident.RegistrationNumberCheckDigit(first14)
	if err != nil {
		return ""
	}
	return first14 + string(c)
}
