package environment

import (
	"encoding/json"
	"fmt"
	"strings"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// Authority is how the bureau signs its decisions.
const Authority = "黑河市生态环境局"

// NewSource returns the environment bureau's record source.
func NewSource(db *sqldb.DB) *datasources.TableSource {
	return &datasources.TableSource{DB: db, Dept: mustDept(), Tables: Tables}
}

func mustDept() credit.Department {
	d, _ := datasources.DepartmentByCode(datasources.Environment)
	return *d
}

// entityMatch finds a unit's rows by its unified code or, for the rows filed
// before the unit was re-keyed, by its organisation code.
const entityMatch = "t.tyshxydm = k.uscc OR t.zzjgdm = k.org_code"

// entityKeys are entityMatch's columns.
var entityKeys = []datasources.EntityKey{{Expr: "t.tyshxydm"}, {Expr: "t.zzjgdm", Kind: datasources.KeyOrgCode}}

// Tables describes the bureau's record tables. Every one of them still holds
// rows keyed by organisation code only. The other decisions of T26 are
// decisions.go's.
var Tables = append([]datasources.RecordTable{
	{
		Kind: credit.KindDischargePermit, Table: "hb_pwxk", ID: "t.id", Date: "t.fzrq", Published: "t.gsrq",
		EntityMatch: entityMatch, EntityKeys: entityKeys,
		Decode: decodePermit,
	},
	{
		Kind: credit.KindPenalty, Table: "hb_xzcf", ID: "t.id", Date: "t.cfrq", Published: "t.gsrq",
		EntityMatch: entityMatch, EntityKeys: entityKeys,
		Decode: decodePenalty,
	},
	{
		Kind: credit.KindEnvironmentalRating, Table: "hb_xypj", ID: "t.id", Date: "t.pjrq", Published: "t.gsrq",
		EntityMatch: entityMatch, EntityKeys: entityKeys,
		Decode: decodeRating,
	},
}, decisionTables...)

// keyed is the key columns every table has.
type keyed struct {
	USCC    *string `json:"tyshxydm"`
	OrgCode *string `json:"zzjgdm"`
}

// fill sets the subject and, when the row only has the organisation code, the
// legacy key it was filed under.
func (k keyed) fill(b *credit.Base) {
	if k.USCC != nil {
		b.Subject.USCC = *k.USCC
		return
	}
	if k.OrgCode != nil {
		b.LegacyKey = k.OrgCode
	}
}

// splitList splits a comma-separated field; the bureau's clerks use ASCII and
// full-width commas and the enumeration comma alike.
func splitList(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；'
	}) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// wanToYuan converts a 万元 amount as to_jsonb writes NUMERIC (a JSON number
// with the column's scale) into yuan, exactly; nil stays nil.
func wanToYuan(n *json.Number) (*scalars.Decimal, error) {
	if n == nil {
		return nil, nil
	}
	d, err := scalars.WanToYuan(n.String())
	if err != nil {
		return nil, err
	}
	return &d, nil
}

type permitRow struct {
	keyed
	Name        string        `json:"dwmc"`
	Industry    *string       `json:"hylb"`
	PermitNo    string        `json:"xkzbh"`
	Class       string        `json:"gllb"`
	Pollutants  string        `json:"zywrw"`
	IssuedOn    scalars.Date  `json:"fzrq"`
	ValidFrom   *scalars.Date `json:"yxqq"`
	ValidTo     *scalars.Date `json:"yxqz"`
	Authority   string        `json:"fzjg"`
	PublishedOn *scalars.Date `json:"gsrq"`
	Status      string        `json:"zt"`
}

func decodePermit(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[permitRow](row)
	if err != nil {
		return nil, err
	}
	var status credit.Status
	switch r.Status {
	case "有效":
		status = credit.Effective
	case "过期", "注销":
		status = credit.Expired
	case "撤销":
		status = credit.Revoked
	default:
		return nil, fmt.Errorf("unknown permit status %q", r.Status)
	}
	pollutants := splitList(r.Pollutants)
	summary := fmt.Sprintf("核发排污许可证（%s，%s）", r.PermitNo, r.Class)
	if len(pollutants) > 0 {
		summary += "，主要污染物：" + strings.Join(pollutants, "、")
	}
	rec := &credit.DischargePermit{
		Base: credit.Base{
			DecisionNo: &r.PermitNo, DecisionDate: r.IssuedOn, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Summary: summary,
		},
		PermitNo: r.PermitNo, Industry: r.Industry, Pollutants: pollutants,
		ValidFrom: r.ValidFrom, ValidTo: r.ValidTo,
	}
	r.fill(&rec.Base)
	return rec, nil
}

type penaltyRow struct {
	keyed
	Name           string        `json:"dwmc"`
	DecisionNo     string        `json:"cfjdswh"`
	Violation      string        `json:"wfxw"`
	Basis          *string       `json:"cfyj"`
	Kinds          string        `json:"cflb"`
	FineWan        *json.Number  `json:"fkje_wy"`
	ConfiscatedWan *json.Number  `json:"mswfsdje_wy"`
	DecisionDate   scalars.Date  `json:"cfrq"`
	Authority      string        `json:"cfjg"`
	PublishedOn    *scalars.Date `json:"gsrq"`
	Status         string        `json:"zt"`
}

func decodePenalty(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[penaltyRow](row)
	if err != nil {
		return nil, err
	}
	fine, err := wanToYuan(r.FineWan)
	if err != nil {
		return nil, fmt.Errorf("fkje_wy: %w", err)
	}
	confiscated, err := wanToYuan(r.ConfiscatedWan)
	if err != nil {
		return nil, fmt.Errorf("mswfsdje_wy: %w", err)
	}
	var status credit.Status
	switch r.Status {
	case "有效":
		status = credit.Effective
	case "撤销":
		status = credit.Revoked
	default:
		return nil, fmt.Errorf("unknown penalty status %q", r.Status)
	}
	kinds := splitList(r.Kinds)
	if len(kinds) == 0 {
		return nil, fmt.Errorf("penalty without a type (cflb %q)", r.Kinds)
	}
	sev := credit.PenaltySeverity(kinds, fine)
	rec := &credit.Penalty{
		Base: credit.Base{
			DecisionNo: &r.DecisionNo, DecisionDate: r.DecisionDate, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: status, Severity: &sev,
			Summary: credit.PenaltySummary(r.Violation, kinds, fine),
		},
		Violation: r.Violation, Basis: r.Basis, PenaltyTypes: kinds,
		FineAmount: fine, ConfiscatedAmount: confiscated,
	}
	r.fill(&rec.Base)
	return rec, nil
}

// Levels maps the evaluation's Chinese level words to the graph's levels.
var Levels = map[string]credit.EnvLevel{
	"环保诚信企业": credit.EnvTrustworthy,
	"环保良好企业": credit.EnvGood,
	"环保警示企业": credit.EnvWarned,
	"环保不良企业": credit.EnvBad,
}

// LevelSeverity is how an evaluation counts against the unit: a yellow
// (warned) level is a general dishonesty record, a red (bad) one a serious
// record; green and blue are no dishonesty record at all.
func LevelSeverity(l credit.EnvLevel) *credit.Severity {
	var s credit.Severity
	switch l {
	case credit.EnvWarned:
		s = credit.General
	case credit.EnvBad:
		s = credit.Serious
	default:
		return nil
	}
	return &s
}

type ratingRow struct {
	keyed
	Name           string        `json:"dwmc"`
	Industry       *string       `json:"hylb"`
	Year           int           `json:"pjnd"`
	Level          string        `json:"pjdj"`
	DecidedOn      scalars.Date  `json:"pjrq"`
	Authority      string        `json:"pjjg"`
	AnnouncementNo *string       `json:"ggwh"`
	PublishedOn    *scalars.Date `json:"gsrq"`
}

func decodeRating(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[ratingRow](row)
	if err != nil {
		return nil, err
	}
	level, ok := Levels[r.Level]
	if !ok {
		return nil, fmt.Errorf("unknown evaluation level %q", r.Level)
	}
	rec := &credit.EnvironmentalRating{
		Base: credit.Base{
			DecisionNo: r.AnnouncementNo, DecisionDate: r.DecidedOn, Authority: &r.Authority,
			PublishedOn: r.PublishedOn, Status: credit.Effective, Severity: LevelSeverity(level),
			Summary: fmt.Sprintf("%d年度企业环境信用评价：%s", r.Year, r.Level),
		},
		Year: r.Year, Level: level, Industry: r.Industry,
	}
	r.fill(&rec.Base)
	return rec, nil
}
