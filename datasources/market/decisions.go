package market

// The regulator's other administrative decisions (T26): coercion (查封,
// 扣押 and the enforcement of unpaid penalties), rewards, and rulings on
// patent infringement disputes (行政裁决), each filed under the unified
// code (migrations/00006_decisions.sql).

import (
	"fmt"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// decisionTables are the tables of the decisions of this file.
var decisionTables = []datasources.RecordTable{
	{
		Kind: credit.KindCoercion, Table: "admin_coercion", ID: "t.id", Date: "t.decision_date", Published: "t.published_on",
		EntityMatch: "t.uscc = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.uscc"}},
		Decode:      decodeCoercion,
	},
	{
		Kind: credit.KindReward, Table: "admin_reward", ID: "t.id", Date: "t.decision_date", Published: "t.published_on",
		EntityMatch: "t.uscc = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.uscc"}},
		Decode:      decodeReward,
	},
	{
		Kind: credit.KindAdjudication, Table: "patent_ruling", ID: "t.id", Date: "t.decision_date", Published: "t.published_on",
		EntityMatch: "t.respondent_uscc = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.respondent_uscc"}},
		Decode:      decodeRuling,
	},
}

// CoercionEnforcement is the regulator's one means of enforcing a
// decision itself: an additional fine on a penalty not paid (行政强制法
// 第四十五条); the rest it asks the court for.
const CoercionEnforcement = "加处罚款"

// decisionStatus maps the regulator's status words shared by these tables.
// An enforcement carried out (执行完毕) stays in force: that the entity had
// to be forced is dishonesty information for its publication period.
func decisionStatus(s string) (credit.Status, error) {
	switch s {
	case "实施中", "执行完毕", "有效", "生效":
		return credit.Effective, nil
	case "已解除":
		return credit.Expired, nil
	case "撤销":
		return credit.Revoked, nil
	}
	return "", fmt.Errorf("unknown status %q", s)
}

type coercionRow struct {
	USCC         string        `json:"uscc"`
	DecisionNo   string        `json:"decision_no"`
	DecisionDate scalars.Date  `json:"decision_date"`
	Measure      string        `json:"measure"`
	Object       *string       `json:"object"`
	Basis        *string       `json:"basis"`
	Authority    string        `json:"authority"`
	PublishedOn  *scalars.Date `json:"published_on"`
	Status       string        `json:"status"`
	LiftedOn     *scalars.Date `json:"lifted_on"`
}

func decodeCoercion(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[coercionRow](row)
	if err != nil {
		return nil, err
	}
	status, err := decisionStatus(r.Status)
	if err != nil {
		return nil, err
	}
	enforcement := r.Measure == CoercionEnforcement
	summary := "行政强制措施：" + r.Measure
	var sev *credit.Severity
	if enforcement {
		// Enforcing a decision the entity did not perform: it refused a
		// penalty, which is dishonesty information.
		s := credit.General
		sev, summary = &s, "行政强制执行：逾期不缴纳罚款，"+r.Measure
	}
	if r.Object != nil {
		summary += "（" + *r.Object + "）"
	}
	return &credit.Coercion{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecisionDate, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Severity: sev,
			Subject: credit.Subject{USCC: r.USCC}, Summary: summary,
		},
		CoercionType: r.Measure, Enforcement: enforcement, Object: r.Object, Basis: r.Basis, LiftedOn: r.LiftedOn,
	}, nil
}

type rewardRow struct {
	USCC         string           `json:"uscc"`
	DecisionNo   string           `json:"decision_no"`
	DecisionDate scalars.Date     `json:"decision_date"`
	RewardName   string           `json:"reward_name"`
	RewardLevel  string           `json:"reward_level"`
	RewardForms  []string         `json:"reward_forms"`
	PrizeYuan    *scalars.Decimal `json:"prize_yuan"`
	Reason       string           `json:"reason"`
	Authority    string           `json:"authority"`
	PublishedOn  *scalars.Date    `json:"published_on"`
	Status       string           `json:"status"`
}

func decodeReward(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[rewardRow](row)
	if err != nil {
		return nil, err
	}
	status, err := decisionStatus(r.Status)
	if err != nil {
		return nil, err
	}
	if len(r.RewardForms) == 0 {
		return nil, fmt.Errorf("reward without a form")
	}
	return &credit.Reward{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecisionDate, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Subject: credit.Subject{USCC: r.USCC},
			Summary: fmt.Sprintf("获%s（%s）：%s", r.RewardName, r.RewardLevel, r.Reason),
		},
		RewardName: r.RewardName, RewardLevel: &r.RewardLevel, Forms: r.RewardForms, Amount: r.PrizeYuan,
	}, nil
}

type rulingRow struct {
	RespondentUSCC string        `json:"respondent_uscc"`
	ClaimantName   string        `json:"claimant_name"`
	PatentNo       string        `json:"patent_no"`
	DecisionNo     string        `json:"decision_no"`
	DecisionDate   scalars.Date  `json:"decision_date"`
	Ruling         string        `json:"ruling"`
	OrderText      *string       `json:"order_text"`
	Authority      string        `json:"authority"`
	PublishedOn    *scalars.Date `json:"published_on"`
	Status         string        `json:"status"`
}

func decodeRuling(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[rulingRow](row)
	if err != nil {
		return nil, err
	}
	status, err := decisionStatus(r.Status)
	if err != nil {
		return nil, err
	}
	ruling := r.Ruling
	if r.OrderText != nil {
		ruling += "，" + *r.OrderText
	}
	return &credit.Adjudication{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecisionDate, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Subject: credit.Subject{USCC: r.RespondentUSCC},
			Summary: fmt.Sprintf("专利侵权纠纷行政裁决（专利号%s，请求人%s）：%s", r.PatentNo, r.ClaimantName, ruling),
		},
		DisputeType: "专利侵权纠纷", Claimant: r.ClaimantName, Ruling: ruling, ClaimUpheld: r.Ruling == "侵权成立",
	}, nil
}
