package credit

import (
	"io"
	"math/bits"

	"credithub/internal/scalars"
)

// Kind is the kind of a credit record; GraphQL enum RecordKind.
type Kind string

// The record kinds. Their order here is the order the information catalogue
// lists them in.
const (
	KindLicence                Kind = "LICENCE"
	KindPenalty                Kind = "PENALTY"
	KindInspection             Kind = "INSPECTION"
	KindComplaint              Kind = "COMPLAINT"
	KindAbnormalOperation      Kind = "ABNORMAL_OPERATION"
	KindDischargePermit        Kind = "DISCHARGE_PERMIT"
	KindEnvironmentalRating    Kind = "ENVIRONMENTAL_CREDIT_RATING"
	KindQualification          Kind = "QUALIFICATION"
	KindAccident               Kind = "ACCIDENT"
	KindBadConduct             Kind = "BAD_CONDUCT"
	KindDishonestDebtor        Kind = "DISHONEST_DEBTOR"
	KindConsumptionRestriction Kind = "CONSUMPTION_RESTRICTION"
	KindFalseLitigation        Kind = "FALSE_LITIGATION"
	// The kinds the hub itself records, from its workflows.
	KindCommitmentBreach Kind = "COMMITMENT_BREACH"
	KindInterview        Kind = "INTERVIEW"
	KindListing          Kind = "LISTING"
	KindKeyAttention     Kind = "KEY_ATTENTION"
	// KindMonitoringFinding is an agency's monitoring finding (T30) that
	// the department owning the matter accepted.
	KindMonitoringFinding Kind = "MONITORING_FINDING"
	// KindSelfDeclaration is information an entity declared about itself
	// under a truthfulness commitment (T11): self-declared, never a
	// department's decision.
	KindSelfDeclaration Kind = "SELF_DECLARATION"
	// KindAssociationDiscipline is a self-discipline measure (自律惩戒) an
	// industry association took against a member, and
	// KindAssociationRecord a member's commitment, training or honour its
	// association recorded (T29): their source is the association, never a
	// department.
	KindAssociationDiscipline Kind = "ASSOCIATION_DISCIPLINE"
	KindAssociationRecord     Kind = "ASSOCIATION_RECORD"
	// The other administrative decisions T26 asks to be published within
	// 7 working days, as the departments decide them.
	KindCoercion     Kind = "ADMINISTRATIVE_COERCION"
	KindConfirmation Kind = "ADMINISTRATIVE_CONFIRMATION"
	KindLevy         Kind = "ADMINISTRATIVE_LEVY"
	KindBenefit      Kind = "ADMINISTRATIVE_BENEFIT"
	KindAdjudication Kind = "ADMINISTRATIVE_ADJUDICATION"
	KindCompensation Kind = "ADMINISTRATIVE_COMPENSATION"
	KindReward       Kind = "ADMINISTRATIVE_REWARD"
)

// Kinds lists every record kind.
var Kinds = []Kind{
	KindLicence, KindPenalty, KindInspection, KindComplaint, KindAbnormalOperation,
	KindDischargePermit, KindEnvironmentalRating, KindQualification, KindAccident,
	KindBadConduct, KindDishonestDebtor, KindConsumptionRestriction, KindFalseLitigation,
	KindCommitmentBreach, KindInterview, KindListing, KindKeyAttention, KindMonitoringFinding, KindSelfDeclaration,
	KindCoercion, KindConfirmation, KindLevy, KindBenefit, KindAdjudication, KindCompensation, KindReward,
	KindAssociationDiscipline, KindAssociationRecord,
}

// TypeNames are the GraphQL type of each kind, for checks that relate the
// schema to the information catalogue.
var TypeNames = map[Kind]string{
	KindLicence: "AdministrativeLicence", KindPenalty: "AdministrativePenalty", KindInspection: "InspectionResult",
	KindComplaint: "ConsumerComplaint", KindAbnormalOperation: "AbnormalOperationListing",
	KindDischargePermit: "DischargePermit", KindEnvironmentalRating: "EnvironmentalCreditEvaluation",
	KindQualification: "QualificationCertificate", KindAccident: "QualitySafetyAccident",
	KindBadConduct: "ConstructionBadConduct", KindDishonestDebtor: "DishonestJudgmentDebtor",
	KindConsumptionRestriction: "ConsumptionRestriction", KindFalseLitigation: "FalseLitigationDishonesty",
	KindCommitmentBreach: "CommitmentBreach", KindInterview: "CreditInterview", KindListing: "ListingRecord",
	KindKeyAttention: "KeyAttentionRecord", KindMonitoringFinding: "MonitoringFindingRecord", KindSelfDeclaration: "SelfDeclarationRecord",
	KindAssociationDiscipline: "AssociationDisciplineRecord", KindAssociationRecord: "AssociationMemberRecord",
	KindCoercion: "AdministrativeCoercion", KindConfirmation: "AdministrativeConfirmation", KindLevy: "AdministrativeLevy",
	KindBenefit: "AdministrativeBenefit", KindAdjudication: "AdministrativeAdjudication",
	KindCompensation: "AdministrativeCompensation", KindReward: "AdministrativeReward",
}

// Publicity is how open a record is.
type Publicity string

// The openness levels, from most to least open.
const (
	Public   Publicity = "PUBLIC"
	Shared   Publicity = "SHARED"
	Personal Publicity = "PERSONAL"
)

// Publicities lists every openness level.
var Publicities = []Publicity{Public, Shared, Personal}

// PublicitySet is a set of openness levels as a bit mask. A caller's view
// of a subject's records (auth.RecordView) is one: it is built for every
// entity of a page, and a slice there was an allocation per entity.
type PublicitySet uint8

// bit is p's bit in a PublicitySet; 0 for a value that is no openness level.
func (p Publicity) bit() PublicitySet {
	switch p {
	case Public:
		return 1
	case Shared:
		return 2
	case Personal:
		return 4
	}
	return 0
}

// PublicitySetOf returns the set holding ps; a value that is no openness
// level is in no set.
func PublicitySetOf(ps ...Publicity) PublicitySet {
	var s PublicitySet
	for _, p := range ps {
		s |= p.bit()
	}
	return s
}

// Has reports whether p is in the set.
func (s PublicitySet) Has(p Publicity) bool { return p.bit() != 0 && s&p.bit() != 0 }

// Len is how many levels the set holds.
func (s PublicitySet) Len() int { return bits.OnesCount8(uint8(s)) }

// Intersect returns the levels in both s and t.
func (s PublicitySet) Intersect(t PublicitySet) PublicitySet { return s & t }

// Status is a record's standing once the hub's overlays are applied.
type Status string

// The record statuses.
const (
	Effective      Status = "EFFECTIVE"
	UnderObjection Status = "UNDER_OBJECTION"
	Corrected      Status = "CORRECTED"
	Revoked        Status = "REVOKED"
	Repaired       Status = "REPAIRED"
	Expired        Status = "EXPIRED"
	// Scheduled records take effect on a later day: a market ban before
	// its start date (T21).
	Scheduled Status = "SCHEDULED"
)

// Statuses lists every record status.
var Statuses = []Status{Effective, UnderObjection, Corrected, Revoked, Repaired, Expired, Scheduled}

// Severity is the dishonesty class of NDRC Order No. 36.
type Severity string

// The dishonesty classes.
const (
	Minor   Severity = "MINOR"
	General Severity = "GENERAL"
	Serious Severity = "SERIOUS"
)

// Severities lists every dishonesty class.
var Severities = []Severity{Minor, General, Serious}

// AccidentLevel is the statutory grade of a production safety accident.
type AccidentLevel string

// The accident grades (生产安全事故报告和调查处理条例, art. 3).
const (
	AccidentOrdinary        AccidentLevel = "ORDINARY"
	AccidentLarger          AccidentLevel = "LARGER"
	AccidentMajor           AccidentLevel = "MAJOR"
	AccidentEspeciallyMajor AccidentLevel = "ESPECIALLY_MAJOR"
)

// AccidentLevels lists every accident grade.
var AccidentLevels = []AccidentLevel{AccidentOrdinary, AccidentLarger, AccidentMajor, AccidentEspeciallyMajor}

// EnvLevel is a level of the environmental credit evaluation.
type EnvLevel string

// The environmental credit levels.
const (
	EnvTrustworthy EnvLevel = "TRUSTWORTHY"
	EnvGood        EnvLevel = "GOOD"
	EnvWarned      EnvLevel = "WARNED"
	EnvBad         EnvLevel = "BAD"
)

// EnvLevels lists every environmental credit level.
var EnvLevels = []EnvLevel{EnvTrustworthy, EnvGood, EnvWarned, EnvBad}

// The enums marshal like gqlgen's generated ones; unmarshalling refuses any
// value not in the list, which gqlgen's validation already does for literals
// but not for values arriving in variables of custom-bound enums.

func (k Kind) MarshalGQL(w io.Writer)      { scalars.MarshalEnum(w, string(k)) }
func (k *Kind) UnmarshalGQL(v any) error   { return scalars.UnmarshalEnum(v, "RecordKind", Kinds, k) }
func (p Publicity) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(p)) }
func (p *Publicity) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "Publicity", Publicities, p)
}
func (s Status) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *Status) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "RecordStatus", Statuses, s)
}
func (s Severity) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *Severity) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "Severity", Severities, s)
}
func (a AccidentLevel) MarshalGQL(w io.Writer) {
	scalars.MarshalEnum(w, string(a))
}
func (a *AccidentLevel) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "AccidentLevel", AccidentLevels, a)
}
func (e EnvLevel) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(e)) }
func (e *EnvLevel) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "EnvironmentalCreditLevel", EnvLevels, e)
}

// ListType is a kind of list (GraphQL ListType).
type ListType string

// The lists.
const (
	ListJointPunishment ListType = "JOINT_PUNISHMENT"
	ListKeyAttention    ListType = "KEY_ATTENTION"
	ListMarketBan       ListType = "MARKET_BAN"
)

// ListTypes lists every list type.
var ListTypes = []ListType{ListJointPunishment, ListKeyAttention, ListMarketBan}

// InterviewType is 提示约谈 or 警示约谈.
type InterviewType string

// The interview types.
const (
	InterviewPrompt  InterviewType = "PROMPT"
	InterviewWarning InterviewType = "WARNING"
)

// InterviewTypes lists the interview types.
var InterviewTypes = []InterviewType{InterviewPrompt, InterviewWarning}

// Role is a person's role in an entity (GraphQL ResponsibleRole).
type Role string

// The roles of T22.
const (
	RoleLegalRepresentative Role = "LEGAL_REPRESENTATIVE"
	RolePrincipal           Role = "PRINCIPAL"
	RoleActualController    Role = "ACTUAL_CONTROLLER"
)

// Roles lists the roles.
var Roles = []Role{RoleLegalRepresentative, RolePrincipal, RoleActualController}

func (l ListType) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(l)) }
func (l *ListType) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "ListType", ListTypes, l)
}
func (i InterviewType) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(i)) }
func (i *InterviewType) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "InterviewType", InterviewTypes, i)
}
func (r Role) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(r)) }
func (r *Role) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "ResponsibleRole", Roles, r)
}

// Scenario is what a credit check is asked for (GraphQL Scenario).
type Scenario string

// The scenarios of the spec.
const (
	ScenarioAdministrativeApproval Scenario = "ADMINISTRATIVE_APPROVAL"
	ScenarioPublicProcurement      Scenario = "PUBLIC_PROCUREMENT"
	ScenarioBidding                Scenario = "BIDDING"
	ScenarioStateFunding           Scenario = "STATE_FUNDING"
	ScenarioQualificationReview    Scenario = "QUALIFICATION_REVIEW"
	ScenarioMarketAccess           Scenario = "MARKET_ACCESS"
)

// PersonScenario is what a natural person is checked for (GraphQL
// PersonScenario, T22): taking a post in an entity or holding a
// qualification.
type PersonScenario string

// The person scenarios.
const (
	PersonLegalRepresentative PersonScenario = "LEGAL_REPRESENTATIVE"
	PersonDirectorOrManager   PersonScenario = "DIRECTOR_OR_SENIOR_MANAGER"
	PersonQualification       PersonScenario = "PROFESSIONAL_QUALIFICATION"
)

// PersonScenarios lists the person scenarios.
var PersonScenarios = []PersonScenario{PersonLegalRepresentative, PersonDirectorOrManager, PersonQualification}

func (s PersonScenario) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *PersonScenario) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "PersonScenario", PersonScenarios, s)
}

// BindingKinds are the kinds a department files against an organisation
// that a person's records also hold: a court's consumption restriction
// against a company binds its legal representative (datasources/court's
// Tables). Among the person's records such a record stays the
// organisation's (Base.FiledAgainst), with the organisation's openness.
var BindingKinds = []Kind{KindConsumptionRestriction}

// Scenarios lists the scenarios.
var Scenarios = []Scenario{
	ScenarioAdministrativeApproval, ScenarioPublicProcurement, ScenarioBidding,
	ScenarioStateFunding, ScenarioQualificationReview, ScenarioMarketAccess,
}

func (s Scenario) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *Scenario) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "Scenario", Scenarios, s)
}

// EntityKind is the kind of a market entity (GraphQL EntityKind); the
// market registry files each kind under type codes of its own.
type EntityKind string

// The entity kinds.
const (
	EntityKindEnterprise         EntityKind = "ENTERPRISE"
	EntityKindIndividualBusiness EntityKind = "INDIVIDUAL_BUSINESS"
	EntityKindFarmersCooperative EntityKind = "FARMERS_COOPERATIVE"
	EntityKindOtherOrganisation  EntityKind = "OTHER_ORGANISATION"
)

// EntityKinds lists the entity kinds.
var EntityKinds = []EntityKind{EntityKindEnterprise, EntityKindIndividualBusiness, EntityKindFarmersCooperative, EntityKindOtherOrganisation}

// EntityStatus is a market entity's registration status (GraphQL
// EntityStatus); the market registry words each in Chinese.
type EntityStatus string

// The entity statuses.
const (
	// EntityStatusActive is 存续: registered and operating.
	EntityStatusActive EntityStatus = "ACTIVE"
	// EntityStatusRevoked is 吊销: business licence revoked.
	EntityStatusRevoked EntityStatus = "REVOKED"
	// EntityStatusCancelled is 注销: deregistered.
	EntityStatusCancelled EntityStatus = "CANCELLED"
	// EntityStatusMovedOut is 迁出: moved to another registration authority.
	EntityStatusMovedOut EntityStatus = "MOVED_OUT"
)

// EntityStatuses lists the entity statuses.
var EntityStatuses = []EntityStatus{EntityStatusActive, EntityStatusRevoked, EntityStatusCancelled, EntityStatusMovedOut}

func (k EntityKind) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(k)) }
func (k *EntityKind) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "EntityKind", EntityKinds, k)
}
func (s EntityStatus) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *EntityStatus) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "EntityStatus", EntityStatuses, s)
}
