package market

import (
	"fmt"
	"strings"
	"time"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// Authority is how the regulator signs its decisions.
const Authority = "黑河市市场监督管理局"

// NewSource returns the market regulator's record source.
func NewSource(db *sqldb.DB) *datasources.TableSource {
	return &datasources.TableSource{DB: db, Dept: mustDept(), Tables: Tables}
}

func mustDept() credit.Department {
	d, _ := datasources.DepartmentByCode(datasources.Market)
	return *d
}

// Tables describes the regulator's record tables. Licences and penalties
// match an entity by its code or, for rows from before 2015, by its
// registration number. Complaints are not decisions: they have no
// publication day. The other decisions of T26 are decisions.go's.
var Tables = append([]datasources.RecordTable{
	{
		Kind: credit.KindLicence, Table: "admin_licence", ID: "t.id", Date: "t.decision_date", Published: "t.published_on",
		EntityMatch: "t.uscc = k.uscc OR t.reg_no = k.reg_no",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.uscc"}, {Expr: "t.reg_no", Kind: datasources.KeyRegNo}},
		Decode:      decodeLicence,
	},
	{
		Kind: credit.KindPenalty, Table: "admin_penalty", ID: "t.id", Date: "t.decision_date", Published: "t.published_on",
		EntityMatch: "t.uscc = k.uscc OR t.reg_no = k.reg_no",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.uscc"}, {Expr: "t.reg_no", Kind: datasources.KeyRegNo}},
		Decode:      decodePenalty,
	},
	{
		Kind: credit.KindInspection, Table: "random_inspection", ID: "t.id", Date: "t.inspected_on", Published: "t.published_on",
		EntityMatch: "t.uscc = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.uscc"}},
		Decode:      decodeInspection,
	},
	{
		Kind: credit.KindComplaint, Table: "complaint_12315", ID: "t.id",
		Date:        "(t.received_at AT TIME ZONE 'Asia/Shanghai')::date",
		EntityMatch: "t.uscc = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.uscc"}},
		Decode:      decodeComplaint,
	},
	{
		Kind: credit.KindAbnormalOperation, Table: "abnormal_operation", ID: "t.id", Date: "t.listed_on", Published: "t.published_on",
		EntityMatch: "t.uscc = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.uscc"}},
		Decode:      decodeAbnormal,
	},
}, decisionTables...)

// keyed is the key columns of the tables that still hold pre-2015 rows.
type keyed struct {
	USCC  *string `json:"uscc"`
	RegNo *string `json:"reg_no"`
}

// fill sets the subject and, when the row only has the old registration
// number, the legacy key it was filed under.
func (k keyed) fill(b *credit.Base) {
	if k.USCC != nil {
		b.Subject.USCC = *k.USCC
		return
	}
	if k.RegNo != nil {
		b.LegacyKey = k.RegNo
	}
}

type licenceRow struct {
	keyed
	LicenceNo    string        `json:"licence_no"`
	LicenceName  string        `json:"licence_name"`
	Content      *string       `json:"content"`
	DecisionNo   *string       `json:"decision_no"`
	DecisionDate scalars.Date  `json:"decision_date"`
	ValidFrom    *scalars.Date `json:"valid_from"`
	ValidTo      *scalars.Date `json:"valid_to"`
	Authority    string        `json:"authority"`
	PublishedOn  *scalars.Date `json:"published_on"`
	Status       string        `json:"status"`
}

func decodeLicence(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[licenceRow](row)
	if err != nil {
		return nil, err
	}
	rec := &credit.Licence{
		Base: credit.Base{
			DecisionNo: r.DecisionNo, DecisionDate: r.DecisionDate, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: licenceStatus(r.Status),
			Summary: fmt.Sprintf("准予%s（%s）", r.LicenceName, r.LicenceNo),
		},
		LicenceNo: r.LicenceNo, LicenceName: r.LicenceName, Content: r.Content,
		ValidFrom: r.ValidFrom, ValidTo: r.ValidTo,
	}
	r.fill(&rec.Base)
	return rec, nil
}

func licenceStatus(s string) credit.Status {
	switch s {
	case "撤销":
		return credit.Revoked
	case "注销", "过期":
		return credit.Expired
	}
	return credit.Effective
}

type penaltyRow struct {
	keyed
	DecisionNo      string           `json:"decision_no"`
	DecisionDate    scalars.Date     `json:"decision_date"`
	Violation       string           `json:"violation"`
	Basis           *string          `json:"basis"`
	PenaltyKinds    []string         `json:"penalty_kinds"`
	FineYuan        *scalars.Decimal `json:"fine_yuan"`
	ConfiscatedYuan *scalars.Decimal `json:"confiscated_yuan"`
	Authority       string           `json:"authority"`
	PublishedOn     *scalars.Date    `json:"published_on"`
	Status          string           `json:"status"`
}

func decodePenalty(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[penaltyRow](row)
	if err != nil {
		return nil, err
	}
	status := credit.Effective
	if r.Status == "撤销" {
		status = credit.Revoked
	}
	sev := credit.PenaltySeverity(r.PenaltyKinds, r.FineYuan)
	rec := &credit.Penalty{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecisionDate, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Severity: &sev,
			Summary: credit.PenaltySummary(r.Violation, r.PenaltyKinds, r.FineYuan),
		},
		Violation: r.Violation, Basis: r.Basis, PenaltyTypes: r.PenaltyKinds,
		FineAmount: r.FineYuan, ConfiscatedAmount: r.ConfiscatedYuan,
	}
	r.fill(&rec.Base)
	return rec, nil
}

type inspectionRow struct {
	USCC        string        `json:"uscc"`
	PlanNo      string        `json:"plan_no"`
	TaskName    string        `json:"task_name"`
	InspectedOn scalars.Date  `json:"inspected_on"`
	ResultCode  string        `json:"result_code"`
	Authority   string        `json:"authority"`
	PublishedOn *scalars.Date `json:"published_on"`
}

// InspectionResults are the regulator's result codes for 双随机 inspections.
var InspectionResults = map[string]string{
	"1": "未发现问题",
	"2": "发现问题已责令改正",
	"3": "未按规定公示应当公示的信息",
	"4": "未发现开展本次抽查涉及的经营活动",
	"5": "通过登记的住所（经营场所）无法联系",
}

func decodeInspection(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[inspectionRow](row)
	if err != nil {
		return nil, err
	}
	result, ok := InspectionResults[r.ResultCode]
	if !ok {
		return nil, fmt.Errorf("unknown result code %q", r.ResultCode)
	}
	return &credit.Inspection{
		Base: credit.Base{
			DecisionNo: &r.PlanNo, DecisionDate: r.InspectedOn, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: credit.Effective, Subject: credit.Subject{USCC: r.USCC},
			Summary: r.TaskName + "：" + result,
		},
		InspectionType: "DOUBLE_RANDOM",
		InspectedAt:    r.InspectedOn.Time(),
		Result:         result,
		Passed:         r.ResultCode == "1",
		Findings:       []*credit.InspectionFinding{},
	}, nil
}

type complaintRow struct {
	USCC       string    `json:"uscc"`
	TicketNo   string    `json:"ticket_no"`
	ReceivedAt time.Time `json:"received_at"`
	Category   string    `json:"category"`
	Summary    string    `json:"summary"`
	State      string    `json:"state"`
	Mediated   bool      `json:"mediated"`
}

func decodeComplaint(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[complaintRow](row)
	if err != nil {
		return nil, err
	}
	return &credit.Complaint{
		Base: credit.Base{
			DecisionNo: &r.TicketNo, DecisionDate: scalars.DateOf(r.ReceivedAt),
			Status: credit.Effective, Subject: credit.Subject{USCC: r.USCC},
			Summary: r.Category + "：" + r.Summary,
		},
		ReceivedAt: r.ReceivedAt, Category: r.Category, Resolved: r.State == complaintHandled,
		HandlingResult: handlingResult(r.State, r.Mediated),
	}, nil
}

type abnormalRow struct {
	USCC          string        `json:"uscc"`
	DecisionNo    string        `json:"decision_no"`
	ListedOn      scalars.Date  `json:"listed_on"`
	Reason        string        `json:"reason"`
	Authority     string        `json:"authority"`
	RemovedOn     *scalars.Date `json:"removed_on"`
	RemovalReason *string       `json:"removal_reason"`
	PublishedOn   *scalars.Date `json:"published_on"`
}

func decodeAbnormal(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[abnormalRow](row)
	if err != nil {
		return nil, err
	}
	status := credit.Effective
	if r.RemovedOn != nil {
		status = credit.Expired
	}
	sev := credit.General
	if strings.Contains(r.Reason, "年度报告") {
		sev = credit.Minor
	}
	return &credit.AbnormalOperation{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.ListedOn, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Severity: &sev,
			Subject: credit.Subject{USCC: r.USCC}, Summary: "列入经营异常名录：" + r.Reason,
		},
		Reason: r.Reason, RemovedOn: r.RemovedOn, RemovalReason: r.RemovalReason,
	}, nil
}

// complaintHandled is the state of a complaint the regulator has concluded.
const complaintHandled = "已办结"

// handlingResult words how a handled complaint ended, from the regulator's
// state and mediation columns: mediated to an agreement, or mediation
// ended without one (《市场监督管理投诉举报处理暂行办法》第二十六条).
func handlingResult(state string, mediated bool) *string {
	if state != complaintHandled {
		return nil
	}
	r := "调解终止：未达成调解协议"
	if mediated {
		r = "调解成功：双方达成调解协议"
	}
	return &r
}
