package credit

import (
	"time"

	"credithub/internal/scalars"
)

// The concrete record types, one per kind (GraphQL types of the same name).

// Licence is an administrative licence (行政许可).
type Licence struct {
	Base
	LicenceNo   string
	LicenceName string
	Content     *string
	ValidFrom   *scalars.Date
	ValidTo     *scalars.Date
}

// Penalty is an administrative penalty (行政处罚) from any department.
type Penalty struct {
	Base
	Violation         string
	Basis             *string
	PenaltyTypes      []string
	FineAmount        *scalars.Decimal
	ConfiscatedAmount *scalars.Decimal
}

// Inspection is a double-random or fire-safety inspection result.
type Inspection struct {
	Base
	InspectionType string
	InspectedAt    time.Time
	Result         string
	Passed         bool
	Findings       []*InspectionFinding
}

// Complaint is a 12315 consumer complaint.
type Complaint struct {
	Base
	ReceivedAt time.Time
	Category   string
	Resolved   bool
	// HandlingResult is how the market regulator concluded it (调解成功,
	// 终止调解); nil while it is being handled. The complainant is not
	// among the department's columns at all.
	HandlingResult *string
}

// Concluded reports whether the complaint has been handled: only then is
// it published (T10).
func (c *Complaint) Concluded() bool { return c.Resolved }

// Concluder is a record the catalogue publishes only once it is concluded
// (catalogue.Entry.PublicOnceConcluded).
type Concluder interface {
	Record
	Concluded() bool
}

// AbnormalOperation is a listing in the abnormal-operation directory.
type AbnormalOperation struct {
	Base
	Reason        string
	RemovedOn     *scalars.Date
	RemovalReason *string
}

// DischargePermit is a pollutant discharge permit.
type DischargePermit struct {
	Base
	PermitNo   string
	Industry   *string
	Pollutants []string
	ValidFrom  *scalars.Date
	ValidTo    *scalars.Date
}

// EnvironmentalRating is an environmental credit evaluation.
type EnvironmentalRating struct {
	Base
	Year     int
	Level    EnvLevel
	Industry *string
}

// Qualification is a construction enterprise qualification certificate.
type Qualification struct {
	Base
	CertificateNo string
	Qualification string
	ValidTo       *scalars.Date
}

// Accident is a quality or safety accident.
type Accident struct {
	Base
	Project    string
	OccurredOn scalars.Date
	Level      AccidentLevel
	Deaths     int
	Injuries   int
	DirectLoss *scalars.Decimal
}

// BadConduct is a construction-market bad-conduct record.
type BadConduct struct {
	Base
	ConductCode    string
	Project        *string
	PublishedUntil *scalars.Date
}

// DishonestDebtor is an entry in the list of dishonest judgment debtors.
type DishonestDebtor struct {
	Base
	Court            string
	EnforcementBasis *string
	Obligation       string
	Performance      string
	Behaviour        string
	RemovedOn        *scalars.Date
}

// ConsumptionRestriction is a consumption restriction order.
type ConsumptionRestriction struct {
	Base
	Court    string
	LiftedOn *scalars.Date
}

// FalseLitigation is an entry in the list of false-litigation dishonest persons.
type FalseLitigation struct {
	Base
	Court       string
	Description string
}

// CommitmentBreach is a breached or false credit commitment.
type CommitmentBreach struct {
	Base
	CommitmentID    string
	Item            string
	FalseCommitment bool
}

// Interview is an interview with a listed entity (约谈记录).
type Interview struct {
	Base
	InterviewType InterviewType
	ListEntryID   string
}

// Listing is an entry on the joint-punishment list or a market ban, of an
// entity or (T22) of one of its responsible persons.
type Listing struct {
	Base
	ListType    ListType
	ListEntryID string
	Role        *Role
	// BanStart and BanEnd bound a market ban (T21): it restricts from
	// BanStart and no longer on BanEnd; a permanent ban has no end.
	BanStart, BanEnd *scalars.Date
}

// Window is when the record restricts: from start (nil: from its
// decision) until end (nil: for good).
func (l *Listing) Window() (start, end *scalars.Date) { return l.BanStart, l.BanEnd }

// Windowed is a record in force only inside a window of days
// (catalogue.Annotate sets its status from today).
type Windowed interface {
	Record
	Window() (start, end *scalars.Date)
}

// KeyAttention is an entry on a key-attention list.
type KeyAttention struct {
	Base
	Domain      string
	ListEntryID string
}

// MonitoringFinding is a credit service agency's monitoring finding on an
// entity (失信行为跟踪监测, T30) as the department that owns the matter
// accepted it: Agency is the agency that sent it, FindingID the finding's
// global ID.
type MonitoringFinding struct {
	Base
	Agency    string
	FindingID string
}

// SelfDeclaration is information an entity declared about itself (自我声明,
// T11) under a public truthfulness commitment: self-declared, its source
// is the entity itself, never a department's decision. Verification is
// the named department's decision on it: DECLARED until it decides, then
// VERIFIED or FOUND_FALSE (a false declaration is a false commitment, a
// COMMITMENT_BREACH record of its own).
type SelfDeclaration struct {
	Base
	DeclarationID   string
	DeclarationKind string
	Title           string
	CommitmentID    string
	VerifyingDept   string
	Verification    string
}

// SelfDeclared is the source of a self-declared record: the entity itself.
var SelfDeclared = Department{Code: "self-declared", Name: "信用主体自我声明"}

// AssociationDiscipline is a self-discipline measure (行业自律惩戒) an
// industry association took against one of its members (T29): a warning,
// a circulated criticism, a public censure or the loss of membership.
// Association is the association's code (its USCC), AssociationName its
// name; MembershipID the membership's global ID.
type AssociationDiscipline struct {
	Base
	Association     string
	AssociationName string
	MembershipID    string
	Measure         string
	Title           string
}

// AssociationRecord is a member's credit commitment, credit training or
// honour its industry association recorded (T29); Category says which.
type AssociationRecord struct {
	Base
	Association     string
	AssociationName string
	MembershipID    string
	Category        string
	Title           string
}

// Associations is the source of the records industry associations keep of
// their members: the associations, never a department; each record's
// authority is the association that decided it.
var Associations = Department{Code: "association", Name: "行业协会商会"}

// The other administrative decisions of T26 (行政强制, 行政确认, 行政征收,
// 行政给付, 行政裁决, 行政补偿, 行政奖励): due online within 7 working
// days of the decision like licences and penalties, each kept by the
// departments that make it.

// Coercion is an administrative coercion (行政强制): a coercive measure
// (行政强制措施: 查封, 扣押, 临时查封) or the enforcement of a decision the
// party did not perform (行政强制执行: 加处罚款, 代履行 …).
type Coercion struct {
	Base
	// CoercionType is the measure or means as the department words it.
	CoercionType string
	// Enforcement: the enforcement of a decision (行政强制执行); false for a
	// coercive measure (行政强制措施).
	Enforcement bool
	// Object is what was sealed up or seized: premises, facilities, goods.
	Object *string
	Basis  *string
	// LiftedOn is when the measure was lifted (解除); nil while it lasts.
	LiftedOn *scalars.Date
}

// Confirmation is an administrative confirmation (行政确认): the
// department confirms a legal fact or standing, such as a completed
// project's acceptance filing (竣工验收备案).
type Confirmation struct {
	Base
	ConfirmationType string
	FilingNo         string
	Project          *string
}

// Levy is an administrative levy (行政征收): a fee or charge the
// department assessed, in yuan.
type Levy struct {
	Base
	LevyItem string
	// Period is the period assessed (2016年第3季度), when the levy is periodic.
	Period *string
	Amount *scalars.Decimal
	// PaidOn is when it was paid in full; nil while it is outstanding.
	PaidOn *scalars.Date
}

// Paid reports whether the levy has been paid in full.
func (l *Levy) Paid() bool { return l.PaidOn != nil }

// Benefit is an administrative benefit payment (行政给付): a subsidy or
// allowance the department granted, in yuan.
type Benefit struct {
	Base
	BenefitType string
	Project     *string
	Amount      *scalars.Decimal
	// PaidOn is when it was paid out; nil until then.
	PaidOn *scalars.Date
}

// Adjudication is an administrative adjudication (行政裁决) of a civil
// dispute closely bound to administration, such as a patent infringement
// dispute: the record is the respondent's.
type Adjudication struct {
	Base
	DisputeType string
	// Claimant is who asked for it (请求人): an organisation's name.
	Claimant string
	Ruling   string
	// ClaimUpheld: the ruling went against the respondent.
	ClaimUpheld bool
}

// Compensation is an administrative compensation (行政补偿) for a lawful
// act of the administration, such as the expropriation of premises.
type Compensation struct {
	Base
	Project          string
	CompensationForm string
	Amount           *scalars.Decimal
}

// Reward is an administrative reward (行政奖励): an honour or award a
// department granted, on which reward measures (守信激励) rest.
type Reward struct {
	Base
	RewardName string
	// RewardLevel is the level of the award (市级, 省级).
	RewardLevel *string
	Forms       []string
	Amount      *scalars.Decimal
}

// Rewards reports that a reward in force rests reward measures.
func (r *Reward) Rewards() bool { return true }

// Rewards reports whether the declaration rests reward measures: an honour
// (荣誉表彰) the department named has verified.
func (d *SelfDeclaration) Rewards() bool {
	return d.DeclarationKind == "HONOUR" && d.Verification == "VERIFIED"
}

// Rewarder is a record a reward measure (守信激励) may rest on: a
// department's reward, or an honour an entity declared and a department
// verified. A record that is not in force rests nothing.
type Rewarder interface {
	Record
	Rewards() bool
}
