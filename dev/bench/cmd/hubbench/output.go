package main

import (
	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// The JSON the baseline produces: the shapes of the hub's answers to S1 and
// S2, field for field in the order the queries ask them, so that both
// programs marshal the same document.

type s1Response struct {
	Data struct {
		Entity *s1Entity `json:"entity"`
	} `json:"data"`
}

type s1Entity struct {
	USCC                string               `json:"uscc"`
	Name                *string              `json:"name"`
	Kind                *credit.EntityKind   `json:"kind"`
	Status              *credit.EntityStatus `json:"status"`
	LegacyCode          bool                 `json:"legacyCode"`
	OrganizationCode    string               `json:"organizationCode"`
	RegistrationNumber  *string              `json:"registrationNumber"`
	Division            *divisionOut         `json:"division"`
	RegisteredAt        *scalars.Date        `json:"registeredAt"`
	RegisteredCapital   *scalars.Decimal     `json:"registeredCapital"`
	Address             *string              `json:"address"`
	Industry            *string              `json:"industry"`
	LegalRepresentative *personOut           `json:"legalRepresentative"`
	ResponsiblePersons  []responsibleOut     `json:"responsiblePersons"`
	Records             *s1RecordsConnection `json:"records"`
	Sources             []sourceStatusOut    `json:"sources"`
}

type divisionOut struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type personOut struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type responsibleOut struct {
	Role   credit.Role `json:"role"`
	Person personOut   `json:"person"`
}

type codeOut struct {
	Code string `json:"code"`
}

type s1RecordsConnection struct {
	Complete       bool        `json:"complete"`
	MissingSources []codeOut   `json:"missingSources"`
	Edges          []s1Edge    `json:"edges"`
	PageInfo       hasNextOnly `json:"pageInfo"`
}

type hasNextOnly struct {
	HasNextPage bool `json:"hasNextPage"`
}

type s1Edge struct {
	Cursor string   `json:"cursor"`
	Node   s1Record `json:"node"`
}

// s1Record is a record node; the type-specific fields of the query's inline
// fragments are embedded pointers, absent unless the record is of that type.
type s1Record struct {
	Typename     string           `json:"__typename"`
	ID           string           `json:"id"`
	Kind         credit.Kind      `json:"kind"`
	Source       codeOut          `json:"source"`
	DecisionNo   *string          `json:"decisionNo"`
	DecisionDate scalars.Date     `json:"decisionDate"`
	Summary      string           `json:"summary"`
	Publicity    credit.Publicity `json:"publicity"`
	Status       credit.Status    `json:"status"`
	Severity     *credit.Severity `json:"severity"`
	Authority    *string          `json:"authority"`
	LegacyKey    *string          `json:"legacyKey"`
	Disclosure   *disclosureOut   `json:"disclosure"`
	*penaltyFields
	*inspectionFields
	*debtorFields
}

type disclosureOut struct {
	DueDate         scalars.Date  `json:"dueDate"`
	PublishedDate   *scalars.Date `json:"publishedDate"`
	OnTime          bool          `json:"onTime"`
	Overdue         bool          `json:"overdue"`
	WorkingDaysLate int           `json:"workingDaysLate"`
}

type penaltyFields struct {
	Violation  string           `json:"violation"`
	FineAmount *scalars.Decimal `json:"fineAmount"`
}

type inspectionFields struct {
	Result   string       `json:"result"`
	Findings []findingOut `json:"findings"`
}

type findingOut struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

type debtorFields struct {
	Court       string `json:"court"`
	Performance string `json:"performance"`
}

type sourceStatusOut struct {
	Department  codeOut `json:"department"`
	OK          bool    `json:"ok"`
	RecordCount *int    `json:"recordCount"`
}

type s2Response struct {
	Data struct {
		Entities s2Connection `json:"entities"`
	} `json:"data"`
}

type s2Connection struct {
	Edges    []s2EntityEdge `json:"edges"`
	PageInfo s2PageInfo     `json:"pageInfo"`
}

type s2PageInfo struct {
	EndCursor   *string `json:"endCursor"`
	HasNextPage bool    `json:"hasNextPage"`
}

type s2EntityEdge struct {
	Node s2Entity `json:"node"`
}

type s2Entity struct {
	USCC    string `json:"uscc"`
	Name    string `json:"name"`
	Records struct {
		Edges []s2RecordEdge `json:"edges"`
	} `json:"records"`
}

type s2RecordEdge struct {
	Node s2Record `json:"node"`
}

type s2Record struct {
	Typename     string       `json:"__typename"`
	ID           string       `json:"id"`
	Kind         credit.Kind  `json:"kind"`
	Source       codeOut      `json:"source"`
	DecisionDate scalars.Date `json:"decisionDate"`
	Summary      string       `json:"summary"`
}

// typename is the GraphQL type a record binds to (gqlgen.yml).
func typename(r credit.Record) string {
	switch r.(type) {
	case *credit.Licence:
		return "AdministrativeLicence"
	case *credit.Penalty:
		return "AdministrativePenalty"
	case *credit.Inspection:
		return "InspectionResult"
	case *credit.Complaint:
		return "ConsumerComplaint"
	case *credit.AbnormalOperation:
		return "AbnormalOperationListing"
	case *credit.DischargePermit:
		return "DischargePermit"
	case *credit.EnvironmentalRating:
		return "EnvironmentalCreditEvaluation"
	case *credit.Qualification:
		return "QualificationCertificate"
	case *credit.Accident:
		return "QualitySafetyAccident"
	case *credit.BadConduct:
		return "ConstructionBadConduct"
	case *credit.DishonestDebtor:
		return "DishonestJudgmentDebtor"
	case *credit.ConsumptionRestriction:
		return "ConsumptionRestriction"
	case *credit.FalseLitigation:
		return "FalseLitigationDishonesty"
	case *credit.CommitmentBreach:
		return "CommitmentBreach"
	case *credit.Interview:
		return "CreditInterview"
	case *credit.Listing:
		return "ListingRecord"
	case *credit.KeyAttention:
		return "KeyAttentionRecord"
	case *credit.MonitoringFinding:
		return "MonitoringFindingRecord"
	case *credit.SelfDeclaration:
		return "SelfDeclarationRecord"
	}
	if name, ok := credit.TypeNames[r.Common().Kind]; ok {
		return name // the kinds added since (T26's decisions)
	}
	return "CreditRecord"
}
