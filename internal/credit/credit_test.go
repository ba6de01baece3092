package credit_test

import (
	"testing"

	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// A record counts against its subject until it expires, is repaired or is
// revoked; one under objection or corrected still does. The table names
// every status, so a new one cannot slip in undecided.
func TestInForce(t *testing.T) {
	t.Parallel()
	want := map[credit.Status]bool{
		credit.Effective:      true,
		credit.UnderObjection: true,
		credit.Corrected:      true,
		credit.Revoked:        false,
		credit.Repaired:       false,
		credit.Expired:        false,
		credit.Scheduled:      false,
	}
	for _, s := range credit.Statuses {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			inForce, decided := want[s]
			if !decided {
				t.Fatalf("status %s is not in this table: decide whether a record in it still counts", s)
			}
			r := &credit.Penalty{Base: credit.Base{Kind: credit.KindPenalty, Status: s}}
			if got := credit.InForce(r); got != inForce {
				t.Errorf("InForce(status %s) = %v, want %v", s, got, inForce)
			}
		})
	}
	if len(want) != len(credit.Statuses) {
		t.Errorf("the table decides %d statuses, credit.Statuses has %d", len(want), len(credit.Statuses))
	}
}

// yuan is an amount as a department's row gives it.
func yuan(s string) *scalars.Decimal {
	d := scalars.Decimal(s)
	return &d
}

// The class of a penalty decides how long it is published and whether it
// triggers measures, so its boundaries are the ones users dispute: 3,000
// yuan (the simplified procedure's ceiling for organisations) and 200,000
// yuan.
func TestPenaltySeverity(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		kinds []string
		fine  *scalars.Decimal
		want  credit.Severity
	}{
		{"a warning alone", []string{"警告"}, nil, credit.Minor},
		{"a warning with a small fine", []string{"警告", "罚款"}, yuan("500.00"), credit.Minor},
		{"a fine of exactly 3,000 yuan", []string{"罚款"}, yuan("3000.00"), credit.Minor},
		{"a fine just under 3,000 yuan", []string{"罚款"}, yuan("2999.99"), credit.Minor},
		{"a fine one fen over 3,000 yuan", []string{"罚款"}, yuan("3000.01"), credit.General},
		{"a fine just under 200,000 yuan", []string{"罚款"}, yuan("199999.99"), credit.General},
		// float64 would round this up to 200,000 and call it serious.
		{"a fine a hair under 200,000 yuan", []string{"罚款"}, yuan("199999.99999999999999999"), credit.General},
		{"a fine of exactly 200,000 yuan", []string{"罚款"}, yuan("200000.00"), credit.Serious},
		{"a fine over 200,000 yuan", []string{"罚款", "没收违法所得"}, yuan("350000.00"), credit.Serious},
		{"a fine with no kind named", nil, yuan("100.00"), credit.Minor},
		{"a warning with another sanction and no fine", []string{"警告", "没收违法所得"}, nil, credit.General},
		{"confiscation alone", []string{"没收违法所得"}, nil, credit.General},
		{"a suspended licence is not a revocation", []string{"暂扣许可证"}, nil, credit.General},
		{"revocation of the business licence", []string{"吊销营业执照"}, nil, credit.Serious},
		{"revocation with a small fine", []string{"罚款", "吊销许可证"}, yuan("1000.00"), credit.Serious},
		{"closure ordered with a warning", []string{"警告", "责令关闭"}, nil, credit.Serious},
		{"suspension of production and business", []string{"责令停产停业"}, yuan("2000.00"), credit.Serious},
		{"no kinds and no fine", nil, nil, credit.General},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := credit.PenaltySeverity(c.kinds, c.fine); got != c.want {
				fine := "no fine"
				if c.fine != nil {
					fine = string(*c.fine)
				}
				t.Errorf("PenaltySeverity(%q, %s) = %s, want %s", c.kinds, fine, got, c.want)
			}
		})
	}
}

// The summary is what the portal lists under a penalty: the violation, the
// sanctions, and the fine in yuan when there is one.
func TestPenaltySummary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		violation string
		kinds     []string
		fine      *scalars.Decimal
		want      string
	}{
		{"with a fine", "未按规定公示年度报告", []string{"警告", "罚款"}, yuan("5000.00"),
			"未按规定公示年度报告：警告、罚款，罚款5000.00元"},
		{"without a fine", "无照经营", []string{"责令停产停业"}, nil, "无照经营：责令停产停业"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := credit.PenaltySummary(c.violation, c.kinds, c.fine); got != c.want {
				t.Errorf("PenaltySummary = %q, want %q", got, c.want)
			}
		})
	}
}
