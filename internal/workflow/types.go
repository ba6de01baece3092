package workflow

import (
	"io"
	"strconv"
	"time"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/scalars"
)

// The Go types of the workflows' GraphQL objects (bound in gqlgen.yml).
// Their nested objects (the entity, the record, the history) are resolved
// by resolvers through the request's loaders.

// Global ID type names of workflow objects.
const (
	TypeCommitment = "Commitment"
	TypeListEntry  = "ListEntry"
	TypeInterview  = "Interview"
	TypeJointCase  = "JointCase"
	TypeCasePush   = "CasePush"
	TypeObjection  = "Objection"
	TypeRepair     = "Repair"
)

// EncodeID returns the global ID of a workflow object.
func EncodeID(typ string, id int64) string { return gid.Encode(typ, strconv.FormatInt(id, 10)) }

// DecodeID returns the row id a workflow object's global ID stands for.
func DecodeID(typ, id string) (int64, bool) {
	t, payload, err := gid.Decode(id)
	if err != nil || t != typ {
		return 0, false
	}
	n, err := strconv.ParseInt(payload, 10, 64)
	return n, err == nil && n > 0
}

func department(code string) *credit.Department {
	if d, ok := datasources.DepartmentByCode(code); ok {
		return d
	}
	return &credit.Department{Code: code, Name: code}
}

// CommitmentItem is an application item that accepts a commitment.
type CommitmentItem struct {
	Code           string `db:"code"`
	Name           string `db:"name"`
	Domain         string `db:"domain"`
	DepartmentCode string `db:"department"`
	LegalBasis     string `db:"legal_basis"`
	Active         bool   `db:"active"`
}

// Department is the department receiving applications for the item.
func (c *CommitmentItem) Department() *credit.Department { return department(c.DepartmentCode) }

// Commitment is a signed credit commitment.
type Commitment struct {
	DBID           int64            `db:"id"`
	ItemCode       string           `db:"item_code"`
	USCC           string           `db:"uscc"`
	Content        string           `db:"content"`
	DepartmentCode string           `db:"department"`
	State          CommitmentState  `db:"state"`
	Severity       *credit.Severity `db:"severity"`
	SignedAt       time.Time        `db:"signed_at"`
	// RecordID is the hub record a breach created (0: none).
	RecordID int64 `db:"record_id"`
}

func (c *Commitment) ID() string                     { return EncodeID(TypeCommitment, c.DBID) }
func (c *Commitment) GetID() string                  { return c.ID() }
func (c *Commitment) IsNode()                        {}
func (c *Commitment) IsEntity()                      {} // a federation entity, keyed by id
func (c *Commitment) Department() *credit.Department { return department(c.DepartmentCode) }

// DataSubject is whose data the commitment is.
func (c *Commitment) DataSubject() (string, string) { return c.USCC, "" }

// ListEntry is an entity's entry on a list.
type ListEntry struct {
	DBID            int64           `db:"id"`
	ListType        credit.ListType `db:"list_type"`
	Domain          *string         `db:"domain"`
	USCC            string          `db:"uscc"`
	DepartmentCode  string          `db:"department"`
	Basis           string          `db:"basis"`
	LinkedRecordIDs []string        `db:"-"`
	EnteredOn       scalars.Date    `db:"-"`
	RectifyBy       *scalars.Date   `db:"-"`
	BanStart        *scalars.Date   `db:"-"`
	BanEnd          *scalars.Date   `db:"-"`
	Permanent       bool            `db:"permanent"`
	State           ListEntryState  `db:"state"`
	RemovedOn       *scalars.Date   `db:"-"`
	RemovalReason   *RemovalReason  `db:"removal_reason"`
	// RectificationOverdue is set when the entry is read: the deadline
	// passed while the entry stays listed.
	RectificationOverdue bool `db:"-"`
}

func (e *ListEntry) ID() string                     { return EncodeID(TypeListEntry, e.DBID) }
func (e *ListEntry) GetID() string                  { return e.ID() }
func (e *ListEntry) IsNode()                        {}
func (e *ListEntry) IsEntity()                      {} // a federation entity, keyed by id
func (e *ListEntry) Department() *credit.Department { return department(e.DepartmentCode) }

// DataSubject is whose data the entry is.
func (e *ListEntry) DataSubject() (string, string) { return e.USCC, "" }

// OpennessLevel is how open the entry is: key-attention lists are shared
// among departments, the others public (T14, T21).
func (e *ListEntry) OpennessLevel() credit.Publicity {
	if e.ListType == credit.ListKeyAttention {
		return credit.Shared
	}
	return credit.Public
}

// Interview is an interview with a listed entity.
type Interview struct {
	DBID           int64                `db:"id"`
	Type           credit.InterviewType `db:"type"`
	HeldOn         scalars.Date         `db:"-"`
	DepartmentCode string               `db:"department"`
	Notes          string               `db:"notes"`
	ListEntryDBID  int64                `db:"list_entry_id"`
	USCC           string               `db:"uscc"`
}

func (i *Interview) ID() string                     { return EncodeID(TypeInterview, i.DBID) }
func (i *Interview) ListEntryID() string            { return EncodeID(TypeListEntry, i.ListEntryDBID) }
func (i *Interview) Department() *credit.Department { return department(i.DepartmentCode) }
func (i *Interview) DataSubject() (string, string)  { return i.USCC, "" }

// JointCase is a joint-punishment case.
type JointCase struct {
	DBID          int64          `db:"id"`
	ListEntryDBID int64          `db:"list_entry_id"`
	USCC          string         `db:"uscc"`
	State         JointCaseState `db:"state"`
	OpenedAt      time.Time      `db:"opened_at"`
	ClosedAt      *time.Time     `db:"closed_at"`
}

func (c *JointCase) ID() string                    { return EncodeID(TypeJointCase, c.DBID) }
func (c *JointCase) GetID() string                 { return c.ID() }
func (c *JointCase) IsNode()                       {}
func (c *JointCase) IsEntity()                     {} // a federation entity, keyed by id
func (c *JointCase) DataSubject() (string, string) { return c.USCC, "" }

// CasePush is a case pushed to one department.
type CasePush struct {
	DBID           int64         `db:"id"`
	CaseDBID       int64         `db:"case_id"`
	DepartmentCode string        `db:"department"`
	MeasureCodes   []string      `db:"-"`
	PushedAt       time.Time     `db:"pushed_at"`
	DueDate        scalars.Date  `db:"-"`
	State          PushState     `db:"state"`
	Overdue        bool          `db:"-"`
	MeasureApplied *string       `db:"measure_applied"`
	AppliedOn      *scalars.Date `db:"-"`
	AnsweredBy     *string       `db:"answered_by"`
	USCC           string        `db:"uscc"`
}

func (p *CasePush) ID() string                     { return EncodeID(TypeCasePush, p.DBID) }
func (p *CasePush) CaseID() string                 { return EncodeID(TypeJointCase, p.CaseDBID) }
func (p *CasePush) Department() *credit.Department { return department(p.DepartmentCode) }
func (p *CasePush) DataSubject() (string, string)  { return p.USCC, "" }

// Objection is an objection to a record.
type Objection struct {
	DBID           int64             `db:"id"`
	RecordID       string            `db:"record_id"`
	DepartmentCode string            `db:"department"`
	SubjectUSCC    string            `db:"subject_uscc"`
	SubjectIDNo    string            `db:"subject_id_no"`
	FiledBy        string            `db:"filed_by"`
	FiledAt        time.Time         `db:"filed_at"`
	Reason         string            `db:"reason"`
	State          ObjectionState    `db:"state"`
	CheckDue       scalars.Date      `db:"-"`
	DecisionDue    *scalars.Date     `db:"-"`
	Extended       bool              `db:"extended"`
	Overdue        bool              `db:"-"`
	Outcome        *ObjectionOutcome `db:"outcome"`
	DecisionReason *string           `db:"decision_reason"`
}

func (o *Objection) ID() string                     { return EncodeID(TypeObjection, o.DBID) }
func (o *Objection) GetID() string                  { return o.ID() }
func (o *Objection) IsNode()                        {}
func (o *Objection) IsEntity()                      {} // a federation entity, keyed by id
func (o *Objection) Department() *credit.Department { return department(o.DepartmentCode) }
func (o *Objection) DataSubject() (string, string)  { return o.SubjectUSCC, o.SubjectIDNo }

// OpennessLevel: an objection to a person's record is that person's
// personal data (read with person:read and a purpose, and logged).
func (o *Objection) OpennessLevel() credit.Publicity {
	if o.SubjectIDNo != "" {
		return credit.Personal
	}
	return credit.Shared
}

// Repair is a repair of one record.
type Repair struct {
	DBID                 int64         `db:"id"`
	RecordID             string        `db:"record_id"`
	DepartmentCode       string        `db:"department"`
	USCC                 string        `db:"uscc"`
	AppliedAt            time.Time     `db:"applied_at"`
	Commitment           string        `db:"commitment"`
	ObligationsFulfilled bool          `db:"obligations_fulfilled"`
	State                RepairState   `db:"state"`
	AcceptDue            scalars.Date  `db:"-"`
	DecisionDue          *scalars.Date `db:"-"`
	Overdue              bool          `db:"-"`
	RefusalRule          *string       `db:"refusal_rule"`
	DecisionReason       *string       `db:"decision_reason"`
	LastRecheckAt        *time.Time    `db:"last_recheck_at"`
}

func (r *Repair) ID() string                     { return EncodeID(TypeRepair, r.DBID) }
func (r *Repair) GetID() string                  { return r.ID() }
func (r *Repair) IsNode()                        {}
func (r *Repair) IsEntity()                      {} // a federation entity, keyed by id
func (r *Repair) Department() *credit.Department { return department(r.DepartmentCode) }
func (r *Repair) DataSubject() (string, string)  { return r.USCC, "" }

// Rule is a deadline or rule a workflow follows (workflow_rule).
type Rule struct {
	Code        string `db:"code"`
	Description string `db:"description"`
	WorkingDays *int   `db:"working_days"`
	Source      string `db:"source"`
}

// The workflows' enums, each a string type that marshals like gqlgen's.
type (
	CommitmentState  State
	ListEntryState   State
	JointCaseState   State
	PushState        State
	ObjectionState   State
	RepairState      State
	RemovalReason    string
	ObjectionOutcome string
)

// The states and values of the enums.
const (
	CommitmentSigned     CommitmentState = "SIGNED"
	CommitmentFulfilled  CommitmentState = "FULFILLED"
	CommitmentBreached   CommitmentState = "BREACHED"
	CommitmentFoundFalse CommitmentState = "FOUND_FALSE"

	Listed  ListEntryState = "LISTED"
	Removed ListEntryState = "REMOVED"

	CaseOpen   JointCaseState = "OPEN"
	CaseClosed JointCaseState = "CLOSED"

	Pushed   PushState = "PUSHED"
	Answered PushState = "ANSWERED"

	ObjectionFiled    ObjectionState = "FILED"
	ObjectionChecked  ObjectionState = "CHECKED"
	ObjectionUpheld   ObjectionState = "UPHELD"
	ObjectionRejected ObjectionState = "REJECTED"

	RepairApplied  RepairState = "APPLIED"
	RepairAccepted RepairState = "ACCEPTED"
	RepairRefused  RepairState = "REFUSED"
	RepairRepaired RepairState = "REPAIRED"
	RepairDenied   RepairState = "DENIED"
	RepairReversed RepairState = "REVERSED"

	RemovedRepaired RemovalReason = "REPAIRED"
	RemovedExpired  RemovalReason = "EXPIRED"
	RemovedRevoked  RemovalReason = "REVOKED"

	OutcomeCorrect ObjectionOutcome = "CORRECT"
	OutcomeRevoke  ObjectionOutcome = "REVOKE"
)

func (s CommitmentState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *CommitmentState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "CommitmentState", []CommitmentState{CommitmentSigned, CommitmentFulfilled, CommitmentBreached, CommitmentFoundFalse}, s)
}
func (s ListEntryState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *ListEntryState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "ListEntryState", []ListEntryState{Listed, Removed}, s)
}
func (s JointCaseState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *JointCaseState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "JointCaseState", []JointCaseState{CaseOpen, CaseClosed}, s)
}
func (s PushState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *PushState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "PushState", []PushState{Pushed, Answered}, s)
}
func (s ObjectionState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *ObjectionState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "ObjectionState", []ObjectionState{ObjectionFiled, ObjectionChecked, ObjectionUpheld, ObjectionRejected}, s)
}
func (s RepairState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *RepairState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "RepairState", []RepairState{RepairApplied, RepairAccepted, RepairRefused, RepairRepaired, RepairDenied, RepairReversed}, s)
}
func (r RemovalReason) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(r)) }
func (r *RemovalReason) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "RemovalReason", []RemovalReason{RemovedRepaired, RemovedExpired, RemovedRevoked}, r)
}
func (o ObjectionOutcome) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(o)) }
func (o *ObjectionOutcome) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "ObjectionOutcome", []ObjectionOutcome{OutcomeCorrect, OutcomeRevoke}, o)
}
