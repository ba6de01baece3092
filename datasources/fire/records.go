package fire

import (
	"fmt"
	"time"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// Authority is how the detachment signs its decisions; county brigades sign
// with their own names (code_dict ORG).
const Authority = "黑河市消防救援支队"

// InspectionType is the graph's name for the fire service's inspections.
const InspectionType = "FIRE_SAFETY"

// NewSource returns the fire service's record source.
func NewSource(db *sqldb.DB) *datasources.TableSource {
	return &datasources.TableSource{DB: db, Dept: mustDept(), Tables: Tables}
}

func mustDept() credit.Department {
	d, _ := datasources.DepartmentByCode(datasources.Fire)
	return *d
}

// Tables describes the fire service's records: the views over its tables
// (see migrations/00004_views.sql and, for coercion, 00005_coercion.sql). The date expressions are those of the
// base tables' indexes; a record was published on the China-time day of its
// published_at.
var Tables = []datasources.RecordTable{
	{
		Kind: credit.KindInspection, Table: "v_inspection", ID: "t.id",
		Date:        "(t.inspected_at AT TIME ZONE 'Asia/Shanghai')::date",
		Published:   "(t.published_at AT TIME ZONE 'Asia/Shanghai')::date",
		EntityMatch: "t.unit_code = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.unit_code"}},
		Decode:      decodeInspection,
	},
	{
		Kind: credit.KindPenalty, Table: "v_penalty", ID: "t.id",
		Date:        "(t.decided_at AT TIME ZONE 'Asia/Shanghai')::date",
		Published:   "(t.published_at AT TIME ZONE 'Asia/Shanghai')::date",
		EntityMatch: "t.unit_code = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.unit_code"}},
		Decode:      decodePenalty,
	},
	{
		Kind: credit.KindCoercion, Table: "v_coercion", ID: "t.id",
		Date:        "(t.decided_at AT TIME ZONE 'Asia/Shanghai')::date",
		Published:   "(t.published_at AT TIME ZONE 'Asia/Shanghai')::date",
		EntityMatch: "t.unit_code = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.unit_code"}},
		Decode:      decodeCoercion,
	},
}

// Results are the inspection result codes; the migration writes the same
// labels into code_dict.
const (
	ResultPassed  = "01" // 合格
	ResultRectify = "02" // 责令限期改正
	ResultSealed  = "03" // 临时查封
	ResultStopUse = "04" // 责令停止使用
)

type findingRow struct {
	Seq             int           `json:"seq"`
	HazardCode      string        `json:"hazard_cd"`
	Hazard          *string       `json:"hazard"`
	RectifyDeadline *scalars.Date `json:"rectify_deadline"`
	RectifiedAt     *time.Time    `json:"rectified_at"`
}

type inspectionRow struct {
	UnitCode    string       `json:"unit_code"`
	UnitName    string       `json:"unit_name"`
	RiskClass   string       `json:"risk_class"`
	InspNo      string       `json:"insp_no"`
	TypeCode    string       `json:"insp_type_cd"`
	Type        *string      `json:"insp_type"`
	InspectedAt time.Time    `json:"inspected_at"`
	ResultCode  string       `json:"result_cd"`
	Result      *string      `json:"result"`
	OrgCode     string       `json:"org_cd"`
	OrgName     *string      `json:"org_name"`
	PublishedAt *time.Time   `json:"published_at"`
	Findings    []findingRow `json:"findings"`
}

func decodeInspection(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[inspectionRow](row)
	if err != nil {
		return nil, err
	}
	if r.Result == nil {
		return nil, fmt.Errorf("unknown result code %q", r.ResultCode)
	}
	if r.Type == nil {
		return nil, fmt.Errorf("unknown inspection type code %q", r.TypeCode)
	}
	if r.OrgName == nil {
		return nil, fmt.Errorf("unknown fire organ code %q", r.OrgCode)
	}
	findings := make([]*credit.InspectionFinding, 0, len(r.Findings))
	for _, f := range r.Findings {
		if f.Hazard == nil {
			return nil, fmt.Errorf("finding %d: unknown hazard code %q", f.Seq, f.HazardCode)
		}
		findings = append(findings, &credit.InspectionFinding{
			Code: f.HazardCode, Description: *f.Hazard, RectifyBy: f.RectifyDeadline, RectifiedAt: inCST(f.RectifiedAt),
		})
	}
	var sev *credit.Severity
	switch r.ResultCode {
	case ResultPassed:
	case ResultRectify:
		s := credit.Minor
		sev = &s
	default:
		s := credit.General
		sev = &s
	}
	summary := fmt.Sprintf("%s（%s）：%s", *r.Type, r.RiskClass, *r.Result)
	if len(findings) > 0 {
		summary += fmt.Sprintf("，发现火灾隐患%d处", len(findings))
	}
	return &credit.Inspection{
		Base: credit.Base{
			DecisionNo: &r.InspNo, DecisionDate: scalars.DateOf(r.InspectedAt), Authority: r.OrgName,
			PublishedOn: dateOf(r.PublishedAt), Status: credit.Effective, Severity: sev,
			Subject: credit.Subject{USCC: r.UnitCode}, Summary: summary,
		},
		InspectionType: InspectionType,
		InspectedAt:    r.InspectedAt.In(scalars.CST),
		Result:         *r.Result,
		Passed:         r.ResultCode == ResultPassed,
		Findings:       findings,
	}, nil
}

// inCST shows a time as Heihe's clocks did, whatever the session's time zone
// made to_jsonb write; nil stays nil.
func inCST(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := t.In(scalars.CST)
	return &c
}

// dateOf is the China-time day of a timestamptz, nil for NULL.
func dateOf(t *time.Time) *scalars.Date {
	if t == nil {
		return nil
	}
	d := scalars.DateOf(*t)
	return &d
}

type penaltyRow struct {
	UnitCode     string           `json:"unit_code"`
	DecisionNo   string           `json:"decision_no"`
	DecidedAt    time.Time        `json:"decided_at"`
	HazardCode   string           `json:"hazard_cd"`
	Violation    *string          `json:"violation"`
	Basis        *string          `json:"basis"`
	PenaltyCodes []string         `json:"penalty_cds"`
	PenaltyKinds []string         `json:"penalty_kinds"`
	FineYuan     *scalars.Decimal `json:"fine_yuan"`
	OrgCode      string           `json:"org_cd"`
	OrgName      *string          `json:"org_name"`
	PublishedAt  *time.Time       `json:"published_at"`
	RevokedAt    *time.Time       `json:"revoked_at"`
}

func decodePenalty(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[penaltyRow](row)
	if err != nil {
		return nil, err
	}
	if r.Violation == nil {
		return nil, fmt.Errorf("unknown hazard code %q", r.HazardCode)
	}
	if r.OrgName == nil {
		return nil, fmt.Errorf("unknown fire organ code %q", r.OrgCode)
	}
	// The view drops codes it cannot resolve; a shorter list means one was
	// unknown.
	if len(r.PenaltyKinds) != len(r.PenaltyCodes) || len(r.PenaltyKinds) == 0 {
		return nil, fmt.Errorf("penalty type codes %q resolve to %q", r.PenaltyCodes, r.PenaltyKinds)
	}
	status := credit.Effective
	if r.RevokedAt != nil {
		status = credit.Revoked
	}
	sev := credit.PenaltySeverity(r.PenaltyKinds, r.FineYuan)
	return &credit.Penalty{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: scalars.DateOf(r.DecidedAt), Authority: r.OrgName,
			PublishedOn: dateOf(r.PublishedAt), Status: status, Severity: &sev,
			Subject: credit.Subject{USCC: r.UnitCode},
			Summary: credit.PenaltySummary(*r.Violation, r.PenaltyKinds, r.FineYuan),
		},
		Violation: *r.Violation, Basis: r.Basis, PenaltyTypes: r.PenaltyKinds, FineAmount: r.FineYuan,
	}, nil
}

// Coercion codes (code_dict COERCE): a temporary seal-up is a coercive
// measure; the other two enforce a decision the unit did not carry out.
const (
	CoercionSeal        = "1" // 临时查封
	CoercionEnforcement = "2" // 强制执行（停止使用、停产停业）
	CoercionSurcharge   = "3" // 加处罚款
)

type coercionRow struct {
	UnitCode    string     `json:"unit_code"`
	DecisionNo  string     `json:"decision_no"`
	CoerceCode  string     `json:"coerce_cd"`
	Coercion    *string    `json:"coercion"`
	HazardCode  *string    `json:"hazard_cd"`
	Hazard      *string    `json:"hazard"`
	Scope       *string    `json:"scope"`
	Basis       *string    `json:"basis"`
	DecidedAt   time.Time  `json:"decided_at"`
	LiftedAt    *time.Time `json:"lifted_at"`
	OrgCode     string     `json:"org_cd"`
	OrgName     *string    `json:"org_name"`
	PublishedAt *time.Time `json:"published_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
}

func decodeCoercion(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[coercionRow](row)
	if err != nil {
		return nil, err
	}
	if r.Coercion == nil {
		return nil, fmt.Errorf("unknown coercion code %q", r.CoerceCode)
	}
	if r.HazardCode != nil && r.Hazard == nil {
		return nil, fmt.Errorf("unknown hazard code %q", *r.HazardCode)
	}
	if r.OrgName == nil {
		return nil, fmt.Errorf("unknown fire organ code %q", r.OrgCode)
	}
	status := credit.Effective
	switch {
	case r.RevokedAt != nil:
		status = credit.Revoked
	case r.LiftedAt != nil:
		status = credit.Expired
	}
	enforcement := r.CoerceCode != CoercionSeal
	summary := "行政强制措施：" + *r.Coercion
	var sev *credit.Severity
	if enforcement {
		s := credit.General
		sev, summary = &s, "行政强制执行：逾期不履行消防行政处罚决定，"+*r.Coercion
	}
	if r.Scope != nil {
		summary += "（" + *r.Scope + "）"
	}
	if r.Hazard != nil {
		summary += "，火灾隐患：" + *r.Hazard
	}
	return &credit.Coercion{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: scalars.DateOf(r.DecidedAt), Authority: r.OrgName,
			PublishedOn: dateOf(r.PublishedAt), Status: status, Severity: sev,
			Subject: credit.Subject{USCC: r.UnitCode}, Summary: summary,
		},
		CoercionType: *r.Coercion, Enforcement: enforcement, Object: r.Scope, Basis: r.Basis, LiftedOn: dateOf(r.LiftedAt),
	}, nil
}
