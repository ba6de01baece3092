package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// serial draws a document serial number of 1–4 digits. Most agencies in a
// city of Heihe's size issue a few hundred decisions a year, so small
// numbers dominate.
func serial(r *rand.Rand) int {
	switch n := r.IntN(100); {
	case n < 70:
		return 1 + r.IntN(300)
	case n < 95:
		return 1 + r.IntN(2000)
	default:
		return 1 + r.IntN(9999)
	}
}

// DecisionNo returns an administrative document number such as
// 黑市监处罚〔2023〕123号 from the issuing agency's abbreviation ("黑市监"),
// the year and the document type ("处罚"), with the 〔〕 brackets of official
// documents. Types ending in 字, such as 行罚决字, get a zero-padded 4-digit
// serial (黑消行罚决字〔2024〕0032号), following the fire-service style; all
// others an unpadded serial.
func DecisionNo(r *rand.Rand, agencyAbbrev string, year int, docType string) string {
	format := "%s%s〔%d〕%d号"
	if strings.HasSuffix(docType, "字") {
		format = "%s%s〔%d〕%04d号"
	}
	return fmt.Sprintf(format, agencyAbbrev, docType, year, serial(r))
}

// CourtCaseNo returns a court case number such as (2023)黑11执123号, with
// the half-width parentheses used on 中国执行信息公开网. courtCode is the
// court's code (黑11 for 黑河市中级人民法院, 黑1102 for 爱辉区人民法院) and
// caseType the case-type abbreviation (执, 执恢, 民初 …).
func CourtCaseNo(r *rand.Rand, year int, courtCode string, caseType string) string {
	return fmt.Sprintf("(%d)%s%s%d号", year, courtCode, caseType, serial(r))
}
