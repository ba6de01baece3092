package housing

import (
	"encoding/json"
	"fmt"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// Authority is how the bureau signs its decisions.
const Authority = "黑河市住房和城乡建设局"

// ProvinceAuthority signs the certificates of first and second grade that the
// city keeps in its register.
const ProvinceAuthority = "黑龙江省住房和城乡建设厅"

// NewSource returns the housing bureau's record source.
func NewSource(db *sqldb.DB) *datasources.TableSource {
	return &datasources.TableSource{DB: db, Dept: mustDept(), Tables: Tables}
}

func mustDept() credit.Department {
	d, _ := datasources.DepartmentByCode(datasources.Housing)
	return *d
}

// Tables describes the bureau's record tables. Every row is filed under the
// enterprise's unified social credit code, in the column social_credit_no.
// The other decisions of T26 are decisions.go's.
var Tables = append([]datasources.RecordTable{
	{
		Kind: credit.KindQualification, Table: "qualification_cert", ID: "t.id", Date: "t.issued_on", Published: "t.published_on",
		EntityMatch: "t.social_credit_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.social_credit_no"}},
		Decode:      decodeQualification,
	},
	{
		Kind: credit.KindAccident, Table: "quality_safety_accident", ID: "t.id", Date: "t.decided_on", Published: "t.published_on",
		EntityMatch: "t.social_credit_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.social_credit_no"}},
		Decode:      decodeAccident,
	},
	{
		Kind: credit.KindBadConduct, Table: "bad_conduct", ID: "t.id", Date: "t.decided_on", Published: "t.published_on",
		EntityMatch: "t.social_credit_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.social_credit_no"}},
		Decode:      decodeBadConduct,
	},
}, decisionTables...)

type qualificationRow struct {
	SocialCreditNo   string        `json:"social_credit_no"`
	EnterpriseName   string        `json:"enterprise_name"`
	CertNo           string        `json:"cert_no"`
	QualName         string        `json:"qual_name"`
	ApprovalNo       *string       `json:"approval_no"`
	IssuedOn         scalars.Date  `json:"issued_on"`
	ValidUntil       *scalars.Date `json:"valid_until"`
	IssuingAuthority string        `json:"issuing_authority"`
	PublishedOn      *scalars.Date `json:"published_on"`
	Status           string        `json:"status"`
}

// qualificationStatus maps the register's status word. A withdrawn
// certificate (撤回, 行政许可法 art. 8: the enterprise no longer meets the
// standard) ends like a cancelled one; it is not an annulment of an unlawful
// grant (撤销), which the bureau does not record here.
func qualificationStatus(s string) (credit.Status, error) {
	switch s {
	case "有效":
		return credit.Effective, nil
	case "注销", "撤回":
		return credit.Expired, nil
	}
	return "", fmt.Errorf("unknown certificate status %q", s)
}

func decodeQualification(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[qualificationRow](row)
	if err != nil {
		return nil, err
	}
	status, err := qualificationStatus(r.Status)
	if err != nil {
		return nil, err
	}
	return &credit.Qualification{
		Base: credit.Base{
			DecisionNo: r.ApprovalNo, DecisionDate: r.IssuedOn, Authority: &r.IssuingAuthority,
			PublishedOn: r.PublishedOn, Status: status, Subject: credit.Subject{USCC: r.SocialCreditNo}, SubjectName: r.EnterpriseName,
			Summary: fmt.Sprintf("取得建筑业企业资质：%s（证书编号%s）", r.QualName, r.CertNo),
		},
		CertificateNo: r.CertNo, Qualification: r.QualName, ValidTo: r.ValidUntil,
	}, nil
}

type accidentRow struct {
	SocialCreditNo string       `json:"social_credit_no"`
	EnterpriseName string       `json:"enterprise_name"`
	ProjectName    string       `json:"project_name"`
	Category       string       `json:"category"`
	AccidentType   string       `json:"accident_type"`
	OccurredOn     scalars.Date `json:"occurred_on"`
	AccidentLevel  int          `json:"accident_level"`
	Deaths         int          `json:"deaths"`
	Injuries       int          `json:"injuries"`
	// DirectLossWan is the numeric's exact text: a float would not survive
	// the conversion to yuan.
	DirectLossWan *json.Number  `json:"direct_loss_wan"`
	DecisionNo    string        `json:"decision_no"`
	DecidedOn     scalars.Date  `json:"decided_on"`
	Authority     string        `json:"authority"`
	PublishedOn   *scalars.Date `json:"published_on"`
}

// AccidentLevels maps the bureau's stored grade (1–4) to the statutory
// grade of 生产安全事故报告和调查处理条例 art. 3.
var AccidentLevels = map[int]credit.AccidentLevel{
	1: credit.AccidentOrdinary,
	2: credit.AccidentLarger,
	3: credit.AccidentMajor,
	4: credit.AccidentEspeciallyMajor,
}

// accidentLevelNames are the grades as the regulation words them (一般事故 …),
// without the noun, which the row's category (质量事故, 安全事故) supplies.
var accidentLevelNames = map[credit.AccidentLevel]string{
	credit.AccidentOrdinary:        "一般",
	credit.AccidentLarger:          "较大",
	credit.AccidentMajor:           "重大",
	credit.AccidentEspeciallyMajor: "特别重大",
}

// AccidentSeverity classes an accident: an ordinary accident is general
// dishonesty; from a larger accident (3 deaths, 10 serious injuries or 10
// million yuan of loss) on it is serious.
func AccidentSeverity(l credit.AccidentLevel) credit.Severity {
	if l == credit.AccidentOrdinary {
		return credit.General
	}
	return credit.Serious
}

func decodeAccident(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[accidentRow](row)
	if err != nil {
		return nil, err
	}
	level, ok := AccidentLevels[r.AccidentLevel]
	if !ok {
		return nil, fmt.Errorf("unknown accident level %d", r.AccidentLevel)
	}
	var loss *scalars.Decimal
	if r.DirectLossWan != nil {
		y, err := scalars.WanToYuan(r.DirectLossWan.String())
		if err != nil {
			return nil, err
		}
		loss = &y
	}
	sev := AccidentSeverity(level)
	return &credit.Accident{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecidedOn, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: credit.Effective, Severity: &sev,
			Subject: credit.Subject{USCC: r.SocialCreditNo}, SubjectName: r.EnterpriseName,
			Summary: fmt.Sprintf("%s发生%s%s（%s）：死亡%d人，受伤%d人",
				r.ProjectName, accidentLevelNames[level], r.Category, r.AccidentType, r.Deaths, r.Injuries),
		},
		Project: r.ProjectName, OccurredOn: r.OccurredOn, Level: level,
		Deaths: r.Deaths, Injuries: r.Injuries, DirectLoss: loss,
	}, nil
}

type badConductRow struct {
	SocialCreditNo string        `json:"social_credit_no"`
	EnterpriseName string        `json:"enterprise_name"`
	ConductCode    string        `json:"conduct_code"`
	Conduct        string        `json:"conduct"`
	ProjectName    *string       `json:"project_name"`
	DecisionNo     string        `json:"decision_no"`
	DecidedOn      scalars.Date  `json:"decided_on"`
	Authority      string        `json:"authority"`
	PublishedOn    *scalars.Date `json:"published_on"`
	PublishUntil   *scalars.Date `json:"publish_until"`
	State          string        `json:"state"`
}

// SeriousConduct are the bad-conduct codes of construction companies that
// count as serious dishonesty: obtaining or lending qualifications by fraud
// (A1-2, A1-3, A1-5), bribery, bid rigging and bid fraud (A2-1, A2-2, A2-3),
// subcontracting the whole or unlawfully (A2-5), cutting corners or using
// substandard materials (A3-1), abandoning the rescue or concealing an
// accident (A4-1) and malicious wage arrears (A5-1), the conduct the national
// rules list for joint punishment. Every other code is general.
var SeriousConduct = map[string]bool{
	"A1-2": true, "A1-3": true, "A1-5": true,
	"A2-1": true, "A2-2": true, "A2-3": true, "A2-5": true,
	"A3-1": true, "A4-1": true, "A5-1": true,
}

// ConductSeverity classes a bad-conduct record by its code.
func ConductSeverity(code string) credit.Severity {
	if SeriousConduct[code] {
		return credit.Serious
	}
	return credit.General
}

func decodeBadConduct(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[badConductRow](row)
	if err != nil {
		return nil, err
	}
	if r.ConductCode == "" {
		return nil, fmt.Errorf("bad-conduct record without a code")
	}
	var status credit.Status
	switch r.State {
	case "公布中":
		status = credit.Effective
	case "期满撤下":
		status = credit.Expired
	default:
		return nil, fmt.Errorf("unknown bad-conduct state %q", r.State)
	}
	sev := ConductSeverity(r.ConductCode)
	summary := "建筑市场不良行为" + r.ConductCode + "：" + r.Conduct
	if r.ProjectName != nil {
		summary += "（" + *r.ProjectName + "）"
	}
	return &credit.BadConduct{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecidedOn, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Severity: &sev,
			Subject: credit.Subject{USCC: r.SocialCreditNo}, SubjectName: r.EnterpriseName, Summary: summary,
		},
		ConductCode: r.ConductCode, Project: r.ProjectName, PublishedUntil: r.PublishUntil,
	}, nil
}
