package housing

// The bureau's other administrative decisions (T26): completion and fire
// acceptance filings (行政确认), the city infrastructure fee (行政征收),
// subsidies (行政给付) and the compensation of expropriated premises
// (行政补偿) (migrations/00004_decisions.sql). Filed as its registers are:
// social_credit_no, the enterprise's name as recorded, amounts in 万元.

import (
	"encoding/json"
	"fmt"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// decisionTables are the tables of the decisions of this file. The
// compensation of expropriated premises is announced within the
// expropriation area, not online: the table keeps no publication day.
var decisionTables = []datasources.RecordTable{
	{
		Kind: credit.KindConfirmation, Table: "completion_filing", ID: "t.id", Date: "t.filed_on", Published: "t.published_on",
		EntityMatch: "t.social_credit_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.social_credit_no"}},
		Decode:      decodeFiling,
	},
	{
		Kind: credit.KindLevy, Table: "infrastructure_fee", ID: "t.id", Date: "t.assessed_on", Published: "t.published_on",
		EntityMatch: "t.social_credit_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.social_credit_no"}},
		Decode:      decodeFee,
	},
	{
		Kind: credit.KindBenefit, Table: "housing_subsidy", ID: "t.id", Date: "t.granted_on", Published: "t.published_on",
		EntityMatch: "t.social_credit_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.social_credit_no"}},
		Decode:      decodeSubsidy,
	},
	{
		Kind: credit.KindCompensation, Table: "expropriation_compensation", ID: "t.id", Date: "t.decided_on",
		EntityMatch: "t.social_credit_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.social_credit_no"}},
		Decode:      decodeCompensation,
	},
}

// wan converts a 万元 amount, as to_jsonb writes NUMERIC, into yuan; nil
// stays nil.
func wan(n *json.Number) (*scalars.Decimal, error) {
	if n == nil {
		return nil, nil
	}
	y, err := scalars.WanToYuan(n.String())
	if err != nil {
		return nil, err
	}
	return &y, nil
}

type filingRow struct {
	SocialCreditNo string        `json:"social_credit_no"`
	EnterpriseName string        `json:"enterprise_name"`
	FilingType     string        `json:"filing_type"`
	FilingNo       string        `json:"filing_no"`
	ProjectName    string        `json:"project_name"`
	FiledOn        scalars.Date  `json:"filed_on"`
	Authority      string        `json:"authority"`
	PublishedOn    *scalars.Date `json:"published_on"`
	Status         string        `json:"status"`
}

func decodeFiling(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[filingRow](row)
	if err != nil {
		return nil, err
	}
	var status credit.Status
	switch r.Status {
	case "有效":
		status = credit.Effective
	case "撤销":
		status = credit.Revoked
	default:
		return nil, fmt.Errorf("unknown filing status %q", r.Status)
	}
	return &credit.Confirmation{
		Base: credit.Base{
			DecisionNo: &r.FilingNo, DecisionDate: r.FiledOn, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Subject: credit.Subject{USCC: r.SocialCreditNo}, SubjectName: r.EnterpriseName,
			Summary: fmt.Sprintf("%s%s（备案编号%s）", r.ProjectName, r.FilingType, r.FilingNo),
		},
		ConfirmationType: r.FilingType, FilingNo: r.FilingNo, Project: &r.ProjectName,
	}, nil
}

type feeRow struct {
	SocialCreditNo string        `json:"social_credit_no"`
	EnterpriseName string        `json:"enterprise_name"`
	NoticeNo       string        `json:"notice_no"`
	ProjectName    string        `json:"project_name"`
	FloorArea      json.Number   `json:"floor_area_m2"`
	FeeWan         *json.Number  `json:"fee_wan"`
	AssessedOn     scalars.Date  `json:"assessed_on"`
	PaidOn         *scalars.Date `json:"paid_on"`
	Authority      string        `json:"authority"`
	PublishedOn    *scalars.Date `json:"published_on"`
	Status         string        `json:"status"`
}

// InfrastructureFee is the levy the bureau assesses.
const InfrastructureFee = "城市基础设施配套费"

func decodeFee(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[feeRow](row)
	if err != nil {
		return nil, err
	}
	fee, err := wan(r.FeeWan)
	if err != nil {
		return nil, fmt.Errorf("fee_wan: %w", err)
	}
	var status credit.Status
	switch r.Status {
	case "已缴清", "未缴清":
		status = credit.Effective
	case "撤销":
		status = credit.Revoked
	default:
		return nil, fmt.Errorf("unknown fee status %q", r.Status)
	}
	summary := fmt.Sprintf("%s核定%s（建筑面积%s平方米）", r.ProjectName, InfrastructureFee, r.FloorArea)
	if fee != nil {
		summary += "，" + string(*fee) + "元"
	}
	summary += "，" + r.Status
	return &credit.Levy{
		Base: credit.Base{
			DecisionNo: &r.NoticeNo, DecisionDate: r.AssessedOn, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Subject: credit.Subject{USCC: r.SocialCreditNo}, SubjectName: r.EnterpriseName,
			Summary: summary,
		},
		LevyItem: InfrastructureFee, Amount: fee, PaidOn: r.PaidOn,
	}, nil
}

type subsidyRow struct {
	SocialCreditNo string        `json:"social_credit_no"`
	EnterpriseName string        `json:"enterprise_name"`
	SubsidyType    string        `json:"subsidy_type"`
	ProjectName    *string       `json:"project_name"`
	GrantNo        string        `json:"grant_no"`
	AmountWan      *json.Number  `json:"amount_wan"`
	GrantedOn      scalars.Date  `json:"granted_on"`
	PaidOn         *scalars.Date `json:"paid_on"`
	Authority      string        `json:"authority"`
	PublishedOn    *scalars.Date `json:"published_on"`
	Status         string        `json:"status"`
}

func decodeSubsidy(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[subsidyRow](row)
	if err != nil {
		return nil, err
	}
	amount, err := wan(r.AmountWan)
	if err != nil {
		return nil, fmt.Errorf("amount_wan: %w", err)
	}
	var status credit.Status
	switch r.Status {
	case "已拨付", "待拨付":
		status = credit.Effective
	case "收回":
		status = credit.Revoked
	default:
		return nil, fmt.Errorf("unknown subsidy status %q", r.Status)
	}
	summary := "给付" + r.SubsidyType
	if r.ProjectName != nil {
		summary += "（" + *r.ProjectName + "）"
	}
	if amount != nil {
		summary += string(*amount) + "元"
	}
	summary += "，" + r.Status
	return &credit.Benefit{
		Base: credit.Base{
			DecisionNo: &r.GrantNo, DecisionDate: r.GrantedOn, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Subject: credit.Subject{USCC: r.SocialCreditNo}, SubjectName: r.EnterpriseName,
			Summary: summary,
		},
		BenefitType: r.SubsidyType, Project: r.ProjectName, Amount: amount, PaidOn: r.PaidOn,
	}, nil
}

type compensationRow struct {
	SocialCreditNo string       `json:"social_credit_no"`
	EnterpriseName string       `json:"enterprise_name"`
	ProjectName    string       `json:"project_name"`
	DecisionNo     string       `json:"decision_no"`
	Form           string       `json:"form"`
	AmountWan      *json.Number `json:"amount_wan"`
	DecidedOn      scalars.Date `json:"decided_on"`
	Authority      string       `json:"authority"`
	Status         string       `json:"status"`
}

func decodeCompensation(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[compensationRow](row)
	if err != nil {
		return nil, err
	}
	amount, err := wan(r.AmountWan)
	if err != nil {
		return nil, fmt.Errorf("amount_wan: %w", err)
	}
	var status credit.Status
	switch r.Status {
	case "有效":
		status = credit.Effective
	case "撤销":
		status = credit.Revoked
	default:
		return nil, fmt.Errorf("unknown compensation status %q", r.Status)
	}
	summary := fmt.Sprintf("%s房屋征收补偿：%s", r.ProjectName, r.Form)
	if amount != nil {
		summary += string(*amount) + "元"
	}
	return &credit.Compensation{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecidedOn, Authority: &r.Authority,
			Status: status, Subject: credit.Subject{USCC: r.SocialCreditNo}, SubjectName: r.EnterpriseName,
			Summary: summary,
		},
		Project: r.ProjectName, CompensationForm: r.Form, Amount: amount,
	}, nil
}
