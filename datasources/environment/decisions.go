package environment

// The bureau's other administrative decisions (T26): coercion (查封, 扣押
// of the facilities causing pollution, and 代履行 at the polluter's cost),
// the pollutant discharge fee it levied until the environmental protection
// tax replaced it in 2018 (行政征收), and its rewards (行政奖励)
// (migrations/00003_decisions.sql). Keyed, named and counted as its other
// tables.

import (
	"encoding/json"
	"fmt"
	"strings"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// decisionTables are the tables of the decisions of this file.
var decisionTables = []datasources.RecordTable{
	{
		Kind: credit.KindCoercion, Table: "hb_xzqz", ID: "t.id", Date: "t.qzrq", Published: "t.gsrq",
		EntityMatch: entityMatch, EntityKeys: entityKeys,
		Decode: decodeCoercion,
	},
	{
		Kind: credit.KindLevy, Table: "hb_pwfzs", ID: "t.id", Date: "t.hdrq", Published: "t.gsrq",
		EntityMatch: entityMatch, EntityKeys: entityKeys,
		Decode: decodeLevy,
	},
	{
		Kind: credit.KindReward, Table: "hb_xzjl", ID: "t.id", Date: "t.jlrq", Published: "t.gsrq",
		EntityMatch: entityMatch, EntityKeys: entityKeys,
		Decode: decodeReward,
	},
}

// ProvinceAuthority signs the provincial honours the bureau keeps in its
// register (黑龙江省环境友好企业).
const ProvinceAuthority = "黑龙江省生态环境厅"

// PerformanceByProxy is the bureau's enforcement of an order the polluter
// did not carry out: a third party does it at the polluter's cost
// (代履行, 行政强制法第五十条).
const PerformanceByProxy = "代履行"

type coercionRow struct {
	keyed
	Name       string        `json:"dwmc"`
	DecisionNo string        `json:"qzjdswh"`
	Type       string        `json:"qzlx"`
	Object     *string       `json:"qzdx"`
	Basis      *string       `json:"qzyj"`
	DecidedOn  scalars.Date  `json:"qzrq"`
	LiftedOn   *scalars.Date `json:"jcrq"`
	Authority  string        `json:"qzjg"`
	Published  *scalars.Date `json:"gsrq"`
	Status     string        `json:"zt"`
}

func decodeCoercion(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[coercionRow](row)
	if err != nil {
		return nil, err
	}
	var status credit.Status
	switch r.Status {
	case "实施中", "执行完毕":
		status = credit.Effective
	case "已解除":
		status = credit.Expired
	case "撤销":
		status = credit.Revoked
	default:
		return nil, fmt.Errorf("unknown coercion status %q", r.Status)
	}
	enforcement := r.Type == PerformanceByProxy
	summary := "行政强制措施：" + r.Type
	var sev *credit.Severity
	if enforcement {
		// The unit did not carry out the order itself.
		s := credit.General
		sev, summary = &s, "行政强制执行：逾期未履行责令改正决定，"+r.Type
	}
	if r.Object != nil {
		summary += "（" + *r.Object + "）"
	}
	rec := &credit.Coercion{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecidedOn, Authority: &r.Authority,
			PublishedOn: r.Published, Status: status, Severity: sev, Summary: summary,
		},
		CoercionType: r.Type, Enforcement: enforcement, Object: r.Object, Basis: r.Basis, LiftedOn: r.LiftedOn,
	}
	r.fill(&rec.Base)
	return rec, nil
}

type levyRow struct {
	keyed
	Name      string        `json:"dwmc"`
	NoticeNo  string        `json:"jftzdh"`
	Items     string        `json:"pwflb"`
	Period    string        `json:"zsqj"`
	AmountWan *json.Number  `json:"zsje_wy"`
	Assessed  scalars.Date  `json:"hdrq"`
	PaidOn    *scalars.Date `json:"jkrq"`
	Authority string        `json:"zsjg"`
	Published *scalars.Date `json:"gsrq"`
	Status    string        `json:"zt"`
}

func decodeLevy(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[levyRow](row)
	if err != nil {
		return nil, err
	}
	amount, err := wanToYuan(r.AmountWan)
	if err != nil {
		return nil, fmt.Errorf("zsje_wy: %w", err)
	}
	var status credit.Status
	switch r.Status {
	case "已缴清", "未缴清":
		status = credit.Effective
	case "撤销":
		status = credit.Revoked
	default:
		return nil, fmt.Errorf("unknown levy status %q", r.Status)
	}
	items := splitList(r.Items)
	if len(items) == 0 {
		return nil, fmt.Errorf("levy without a fee item (pwflb %q)", r.Items)
	}
	item := "排污费（" + strings.Join(items, "、") + "）"
	summary := fmt.Sprintf("核定%s%s", r.Period, item)
	if amount != nil {
		summary += "，" + string(*amount) + "元"
	}
	summary += "，" + r.Status
	rec := &credit.Levy{
		Base: credit.Base{
			DecisionNo: &r.NoticeNo, DecisionDate: r.Assessed, Authority: &r.Authority,
			PublishedOn: r.Published, Status: status, Summary: summary,
		},
		LevyItem: item, Period: &r.Period, Amount: amount, PaidOn: r.PaidOn,
	}
	r.fill(&rec.Base)
	return rec, nil
}

type rewardRow struct {
	keyed
	Name       string        `json:"dwmc"`
	DecisionNo string        `json:"jljdwh"`
	Title      string        `json:"jlmc"`
	Level      string        `json:"jljb"`
	Forms      string        `json:"jlxs"`
	PrizeWan   *json.Number  `json:"jlje_wy"`
	Reason     string        `json:"jlsy"`
	DecidedOn  scalars.Date  `json:"jlrq"`
	Authority  string        `json:"jljg"`
	Published  *scalars.Date `json:"gsrq"`
	Status     string        `json:"zt"`
}

func decodeReward(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[rewardRow](row)
	if err != nil {
		return nil, err
	}
	prize, err := wanToYuan(r.PrizeWan)
	if err != nil {
		return nil, fmt.Errorf("jlje_wy: %w", err)
	}
	var status credit.Status
	switch r.Status {
	case "有效":
		status = credit.Effective
	case "撤销":
		status = credit.Revoked
	default:
		return nil, fmt.Errorf("unknown reward status %q", r.Status)
	}
	forms := splitList(r.Forms)
	if len(forms) == 0 {
		return nil, fmt.Errorf("reward without a form (jlxs %q)", r.Forms)
	}
	rec := &credit.Reward{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecidedOn, Authority: &r.Authority,
			PublishedOn: r.Published, Status: status,
			Summary: fmt.Sprintf("获%s（%s）：%s", r.Title, r.Level, r.Reason),
		},
		RewardName: r.Title, RewardLevel: &r.Level, Forms: forms, Amount: prize,
	}
	r.fill(&rec.Base)
	return rec, nil
}
