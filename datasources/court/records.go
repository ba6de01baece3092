package court

import (
	"fmt"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// NewSource returns the court's record source.
func NewSource(db *sqldb.DB) *datasources.TableSource {
	return &datasources.TableSource{DB: db, Dept: mustDept(), Tables: Tables}
}

func mustDept() credit.Department {
	d, _ := datasources.DepartmentByCode(datasources.Court)
	return *d
}

// The party types of the court's party table.
const (
	PartyPerson       = "P"
	PartyOrganisation = "O"
)

// Tables describes the court's lists, read through the views that join the
// party in. An entity's entries are those of the organisation party with its
// code; a person's are those of the person party with their ID number and,
// for consumption restriction orders, the orders against an organisation
// that bind them as its legal representative. The party type is checked too,
// so that a key of one kind passed as the other finds nothing.
var Tables = []datasources.RecordTable{
	{
		Kind: credit.KindDishonestDebtor, Table: "dishonest_debtor_v", ID: "t.id", Date: "t.decided_on",
		EntityMatch: "t.party_type = 'O' AND t.party_id_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.party_id_no"}}, PersonRow: "t.party_type = 'P'",
		PersonMatch: "t.party_type = 'P' AND t.party_id_no = k.id_no",
		Decode:      decodeDishonest,
	},
	{
		Kind: credit.KindConsumptionRestriction, Table: "consumption_restriction_v", ID: "t.id", Date: "t.decided_on",
		EntityMatch: "t.party_type = 'O' AND t.party_id_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.party_id_no"}}, PersonRow: "t.party_type = 'P'",
		PersonMatch: "(t.party_type = 'P' AND t.party_id_no = k.id_no) OR t.restricted_person_id_no = k.id_no",
		Decode:      decodeRestriction,
	},
	{
		Kind: credit.KindFalseLitigation, Table: "false_litigation_v", ID: "t.id", Date: "t.decided_on",
		EntityMatch: "t.party_type = 'O' AND t.party_id_no = k.uscc",
		EntityKeys:  []datasources.EntityKey{{Expr: "t.party_id_no"}}, PersonRow: "t.party_type = 'P'",
		PersonMatch: "t.party_type = 'P' AND t.party_id_no = k.id_no",
		Decode:      decodeFalseLitigation,
	},
}

// party is the party columns every view adds to its list's row.
type party struct {
	PartyIDNo    string  `json:"party_id_no"`
	PartyType    string  `json:"party_type"`
	PartyName    string  `json:"party_name"`
	LegalRepName *string `json:"legal_rep_name"`
}

// subject tells from the party type whether party_id_no is a unified code
// or an ID number. The error names the type only: the key may be personal.
func (p party) subject() (credit.Subject, error) {
	switch p.PartyType {
	case PartyOrganisation:
		return credit.Subject{USCC: p.PartyIDNo}, nil
	case PartyPerson:
		return credit.Subject{IDNumber: p.PartyIDNo}, nil
	}
	return credit.Subject{}, fmt.Errorf("party of unknown type %q", p.PartyType)
}

func severity(s credit.Severity) *credit.Severity { return &s }

// ended is EXPIRED once the court removed the entry or lifted the order.
func ended(on *scalars.Date) credit.Status {
	if on != nil {
		return credit.Expired
	}
	return credit.Effective
}

type dishonestRow struct {
	party
	CaseNo             string        `json:"case_no"`
	CourtName          string        `json:"court_name"`
	EnforcementBasisNo *string       `json:"enforcement_basis_no"`
	BasisUnit          *string       `json:"basis_unit"`
	Obligation         string        `json:"obligation"`
	Performance        string        `json:"performance"`
	Behaviour          string        `json:"behaviour"`
	FiledOn            scalars.Date  `json:"filed_on"`
	DecidedOn          scalars.Date  `json:"decided_on"`
	PublishedOn        *scalars.Date `json:"published_on"`
	RemovedOn          *scalars.Date `json:"removed_on"`
	RemovalReason      *string       `json:"removal_reason"`
}

func decodeDishonest(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[dishonestRow](row)
	if err != nil {
		return nil, err
	}
	sub, err := r.subject()
	if err != nil {
		return nil, err
	}
	return &credit.DishonestDebtor{
		Base: credit.Base{
			DecisionNo: &r.CaseNo, DecisionDate: r.DecidedOn, Authority: &r.CourtName,
			PublishedOn: r.PublishedOn, Status: ended(r.RemovedOn), Severity: severity(credit.Serious),
			Subject: sub, SubjectName: r.PartyName, Summary: r.CaseNo + " 失信被执行人：" + r.Behaviour,
		},
		Court: r.CourtName, EnforcementBasis: r.EnforcementBasisNo, Obligation: r.Obligation,
		Performance: r.Performance, Behaviour: r.Behaviour, RemovedOn: r.RemovedOn,
	}, nil
}

type restrictionRow struct {
	party
	CaseNo               string        `json:"case_no"`
	RestrictedPersonIDNo *string       `json:"restricted_person_id_no"`
	RestrictedPersonName *string       `json:"restricted_person_name"`
	CourtName            string        `json:"court_name"`
	DecidedOn            scalars.Date  `json:"decided_on"`
	PublishedOn          *scalars.Date `json:"published_on"`
	LiftedOn             *scalars.Date `json:"lifted_on"`
}

func decodeRestriction(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[restrictionRow](row)
	if err != nil {
		return nil, err
	}
	sub, err := r.subject()
	if err != nil {
		return nil, err
	}
	// SubjectName is the party's name as the court lists it (the only name
	// the hub has of a person known to no registry). An order that binds a
	// second person is also returned among that person's records, where
	// TableSource replaces Subject but not SubjectName: such an order
	// carries no name rather than one that is wrong there.
	whom, name := "被执行人", r.PartyName
	if r.RestrictedPersonIDNo != nil {
		name = ""
		if r.PartyType == PartyOrganisation {
			whom = "被执行单位及其法定代表人"
		}
	}
	return &credit.ConsumptionRestriction{
		Base: credit.Base{
			DecisionNo: &r.CaseNo, DecisionDate: r.DecidedOn, Authority: &r.CourtName,
			PublishedOn: r.PublishedOn, Status: ended(r.LiftedOn), Severity: severity(credit.General),
			Subject: sub, SubjectName: name, Summary: r.CaseNo + " 限制消费令：限制" + whom + "高消费及非生活和工作必需的消费行为",
		},
		Court: r.CourtName, LiftedOn: r.LiftedOn,
	}, nil
}

type falseLitigationRow struct {
	party
	CaseNo      string        `json:"case_no"`
	CourtName   string        `json:"court_name"`
	Description string        `json:"description"`
	DecidedOn   scalars.Date  `json:"decided_on"`
	PublishedOn *scalars.Date `json:"published_on"`
	RemovedOn   *scalars.Date `json:"removed_on"`
}

func decodeFalseLitigation(row []byte) (credit.Record, error) {
	r, err := datasources.DecodeRow[falseLitigationRow](row)
	if err != nil {
		return nil, err
	}
	sub, err := r.subject()
	if err != nil {
		return nil, err
	}
	return &credit.FalseLitigation{
		Base: credit.Base{
			DecisionNo: &r.CaseNo, DecisionDate: r.DecidedOn, Authority: &r.CourtName,
			PublishedOn: r.PublishedOn, Status: ended(r.RemovedOn), Severity: severity(credit.Serious),
			Subject: sub, SubjectName: r.PartyName, Summary: r.CaseNo + " 虚假诉讼失信人：" + r.Description,
		},
		Court: r.CourtName, Description: r.Description,
	}, nil
}
