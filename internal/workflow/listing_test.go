package workflow

import (
	"testing"

	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/scalars"
)

func TestCheckListing(t *testing.T) {
	t.Parallel()
	today := scalars.NewDate(2026, 5, 6)
	day := func(n int) *scalars.Date { d := scalars.DateOf(today.Time().AddDate(0, 0, n)); return &d }
	str := func(s string) *string { return &s }
	const uscc = "91620105L015101280"
	for _, c := range []struct {
		name  string
		in    ListingInput
		field string // "" when valid
	}{
		{"joint punishment", ListingInput{ListType: credit.ListJointPunishment, USCC: uscc}, ""},
		{"joint punishment with a deadline today", ListingInput{ListType: credit.ListJointPunishment, USCC: uscc, RectifyBy: day(0)}, ""},
		{"a deadline in the past", ListingInput{ListType: credit.ListJointPunishment, USCC: uscc, RectifyBy: day(-1)}, "input.rectifyBy"},
		{"joint punishment with a domain", ListingInput{ListType: credit.ListJointPunishment, USCC: uscc, Domain: str("finance")}, "input.domain"},
		{"joint punishment with a ban period", ListingInput{ListType: credit.ListJointPunishment, USCC: uscc, BanStart: day(0), Permanent: true}, "input.banStart"},
		{"unknown list", ListingInput{ListType: "BLACK_LIST", USCC: uscc}, "input.listType"},
		{"no entity", ListingInput{ListType: credit.ListJointPunishment}, "input.uscc"},
		{"key attention", ListingInput{ListType: credit.ListKeyAttention, USCC: uscc, Domain: str("elderly care")}, ""},
		{"key attention, domain padded", ListingInput{ListType: credit.ListKeyAttention, USCC: uscc, Domain: str(" sports ")}, ""},
		{"key attention without a domain", ListingInput{ListType: credit.ListKeyAttention, USCC: uscc}, "input.domain"},
		{"key attention in Chinese", ListingInput{ListType: credit.ListKeyAttention, USCC: uscc, Domain: str("金融")}, "input.domain"},
		{"key attention with a ban end", ListingInput{ListType: credit.ListKeyAttention, USCC: uscc, Domain: str("finance"), BanEnd: day(9)}, "input.banStart"},
		{"ban for a year", ListingInput{ListType: credit.ListMarketBan, USCC: uscc, BanStart: day(0), BanEnd: day(365)}, ""},
		{"ban started last month", ListingInput{ListType: credit.ListMarketBan, USCC: uscc, BanStart: day(-30), BanEnd: day(335)}, ""},
		{"permanent ban of an industry", ListingInput{ListType: credit.ListMarketBan, USCC: uscc, BanStart: day(0), Permanent: true, Domain: str("建筑施工")}, ""},
		{"ban without start", ListingInput{ListType: credit.ListMarketBan, USCC: uscc, BanEnd: day(9)}, "input.banStart"},
		{"ban without end", ListingInput{ListType: credit.ListMarketBan, USCC: uscc, BanStart: day(0)}, "input.banEnd"},
		{"ban with end and permanent", ListingInput{ListType: credit.ListMarketBan, USCC: uscc, BanStart: day(0), BanEnd: day(9), Permanent: true}, "input.banEnd"},
		{"ban ending as it starts", ListingInput{ListType: credit.ListMarketBan, USCC: uscc, BanStart: day(3), BanEnd: day(3)}, "input.banEnd"},
		{"ban that has ended", ListingInput{ListType: credit.ListMarketBan, USCC: uscc, BanStart: day(-30), BanEnd: day(-1)}, "input.banEnd"},
		{"ban of an empty industry", ListingInput{ListType: credit.ListMarketBan, USCC: uscc, BanStart: day(0), Permanent: true, Domain: str(" ")}, "input.domain"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			err := checkListing(&in, today)
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			ae, ok := err.(*apperr.Error)
			if !ok || ae.Code != apperr.BadUserInput || ae.Extensions["field"] != c.field {
				t.Fatalf("got %v, want BAD_USER_INPUT on %s", err, c.field)
			}
		})
	}
}

func TestRecordOf(t *testing.T) {
	t.Parallel()
	const uscc = "91230100MA1BXXXX0X"
	key := func(s string) *string { return &s }
	legacy := []string{"MA1BXXXX0", "230100400012345"}
	for _, c := range []struct {
		name string
		b    credit.Base
		want bool
	}{
		{"filed by code", credit.Base{Subject: credit.Subject{USCC: uscc}}, true},
		{"another entity", credit.Base{Subject: credit.Subject{USCC: "91620105L015101280"}}, false},
		{"a person", credit.Base{Subject: credit.Subject{IDNumber: "11010519491231002X"}}, false},
		{"filed by organisation code", credit.Base{LegacyKey: key("MA1BXXXX0")}, true},
		{"filed by registration number", credit.Base{LegacyKey: key("230100400012345")}, true},
		{"filed by another's old key", credit.Base{LegacyKey: key("123456789")}, false},
		{"no key at all", credit.Base{}, false},
	} {
		if got := recordOf(&c.b, uscc, legacy); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
