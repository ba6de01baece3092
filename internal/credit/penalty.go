package credit

import (
	"math/big"
	"strings"

	"credithub/internal/scalars"
)

// PenaltySeverity classes an administrative penalty the way the national
// rules on dishonesty information do: a warning or a small fine under the
// simplified procedure is minor; revocation, closure or a fine of 200,000
// yuan or more is serious; everything else is general. Every department's
// penalties are classed by it, so that a fine weighs the same whoever
// imposed it.
func PenaltySeverity(kinds []string, fine *scalars.Decimal) Severity {
	for _, k := range kinds {
		if strings.HasPrefix(k, "吊销") || strings.HasPrefix(k, "责令关闭") || strings.HasPrefix(k, "责令停产停业") {
			return Serious
		}
	}
	if fine != nil {
		// Exact: an amount a fraction under a threshold stays under it.
		f := fine.Rat()
		switch {
		case f.Cmp(seriousFine) >= 0:
			return Serious
		case f.Cmp(minorFine) > 0:
			return General
		}
	}
	if len(kinds) == 1 && kinds[0] == "警告" || fine != nil {
		return Minor
	}
	return General
}

// The fines, in yuan, at which a penalty stops being minor (above 3,000)
// and becomes serious (200,000 and above).
var (
	minorFine   = big.NewRat(3000, 1)
	seriousFine = big.NewRat(200000, 1)
)

// PenaltySummary is the one-line summary of a penalty.
func PenaltySummary(violation string, kinds []string, fine *scalars.Decimal) string {
	s := violation + "：" + strings.Join(kinds, "、")
	if fine != nil {
		s += "，罚款" + string(*fine) + "元"
	}
	return s
}
