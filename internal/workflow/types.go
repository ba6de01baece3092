package workflow

import (
	"io"
	"strconv"
	"time"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
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
	TypeFinding    = "Finding"
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

// CommitmentItem is an application item that accepts a commitment, as
// stored.
type CommitmentItem hubdb.CommitmentItemRow

// Department is the department receiving applications for the item.
func (c *CommitmentItem) Department() *credit.Department { return department(c.DepartmentCode) }

// Commitment is a signed credit commitment.
type Commitment struct {
	DBID           int64
	ItemCode       string
	USCC           string
	Content        string
	DepartmentCode string
	State          CommitmentState
	Severity       *credit.Severity
	SignedAt       time.Time
	// RecordID is the hub record a breach created (0: none).
	RecordID int64
}

func (c *Commitment) ID() string                     { return EncodeID(TypeCommitment, c.DBID) }
func (c *Commitment) GetID() string                  { return c.ID() }
func (c *Commitment) IsNode()                        {}
func (c *Commitment) IsEntity()                      {} // a federation entity, keyed by id
func (c *Commitment) Department() *credit.Department { return department(c.DepartmentCode) }

// DataSubject is whose data the commitment is.
func (c *Commitment) DataSubject() (string, string) { return c.USCC, "" }

// CommitmentOf maps a stored commitment to the graph's object (the
// resolvers map the rows the request's loaders read with these, too).
func CommitmentOf(r *hubdb.CommitmentRow) *Commitment {
	return &Commitment{DBID: r.ID, ItemCode: r.ItemCode, USCC: r.USCC, Content: r.Content, DepartmentCode: r.DepartmentCode,
		State: CommitmentState(r.State), Severity: r.Severity, SignedAt: r.SignedAt, RecordID: r.RecordID}
}

// ListEntry is an entity's entry on a list.
type ListEntry struct {
	DBID            int64
	ListType        credit.ListType
	Domain          *string
	USCC            string
	DepartmentCode  string
	Basis           string
	LinkedRecordIDs []string
	EnteredOn       scalars.Date
	RectifyBy       *scalars.Date
	BanStart        *scalars.Date
	BanEnd          *scalars.Date
	Permanent       bool
	State           ListEntryState
	RemovedOn       *scalars.Date
	RemovalReason   *RemovalReason
	// RectificationOverdue is set when the entry is read: the deadline
	// passed while the entry stays listed.
	RectificationOverdue bool
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

// ListEntryOf maps the row; a non-zero today computes whether the
// rectification deadline was missed.
func ListEntryOf(r *hubdb.ListEntryRow, today scalars.Date) *ListEntry {
	e := &ListEntry{DBID: r.ID, ListType: r.ListType, Domain: r.Domain, USCC: r.USCC, DepartmentCode: r.DepartmentCode,
		Basis: r.Basis, LinkedRecordIDs: []string(r.LinkedRecords), EnteredOn: scalars.DateOf(r.EnteredOn),
		RectifyBy: dateOf(r.RectifyBy), BanStart: dateOf(r.BanStart), BanEnd: dateOf(r.BanEnd), Permanent: r.Permanent,
		State: ListEntryState(r.State), RemovedOn: dateOf(r.RemovedOn), RemovalReason: (*RemovalReason)(r.RemovalReason)}
	if e.LinkedRecordIDs == nil {
		e.LinkedRecordIDs = []string{}
	}
	e.RectificationOverdue = !today.IsZero() && e.State == Listed && e.RectifyBy != nil && e.RectifyBy.Before(today)
	return e
}

// Interview is an interview with a listed entity.
type Interview struct {
	DBID           int64
	Type           credit.InterviewType
	HeldOn         scalars.Date
	DepartmentCode string
	Notes          string
	ListEntryDBID  int64
	USCC           string
}

func (i *Interview) ID() string                     { return EncodeID(TypeInterview, i.DBID) }
func (i *Interview) ListEntryID() string            { return EncodeID(TypeListEntry, i.ListEntryDBID) }
func (i *Interview) Department() *credit.Department { return department(i.DepartmentCode) }
func (i *Interview) DataSubject() (string, string)  { return i.USCC, "" }

// InterviewOf maps a stored interview.
func InterviewOf(r *hubdb.InterviewRow) *Interview {
	return &Interview{DBID: r.ID, Type: r.Type, HeldOn: scalars.DateOf(r.HeldOn), DepartmentCode: r.DepartmentCode,
		Notes: r.Notes, ListEntryDBID: r.ListEntryID, USCC: r.USCC}
}

// JointCase is a joint-punishment case.
type JointCase struct {
	DBID          int64
	ListEntryDBID int64
	USCC          string
	State         JointCaseState
	OpenedAt      time.Time
	ClosedAt      *time.Time
}

func (c *JointCase) ID() string                    { return EncodeID(TypeJointCase, c.DBID) }
func (c *JointCase) GetID() string                 { return c.ID() }
func (c *JointCase) IsNode()                       {}
func (c *JointCase) IsEntity()                     {} // a federation entity, keyed by id
func (c *JointCase) DataSubject() (string, string) { return c.USCC, "" }

// JointCaseOf maps a stored case.
func JointCaseOf(r *hubdb.JointCaseRow) *JointCase {
	return &JointCase{DBID: r.ID, ListEntryDBID: r.ListEntryID, USCC: r.USCC, State: JointCaseState(r.State),
		OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt}
}

// CasePush is a case pushed to one department.
type CasePush struct {
	DBID           int64
	CaseDBID       int64
	DepartmentCode string
	MeasureCodes   []string
	PushedAt       time.Time
	DueDate        scalars.Date
	State          PushState
	Overdue        bool
	MeasureApplied *string
	AppliedOn      *scalars.Date
	AnsweredBy     *string
	Outcome        *PushOutcome
	Reason         *string
	USCC           string
}

func (p *CasePush) ID() string                     { return EncodeID(TypeCasePush, p.DBID) }
func (p *CasePush) CaseID() string                 { return EncodeID(TypeJointCase, p.CaseDBID) }
func (p *CasePush) Department() *credit.Department { return department(p.DepartmentCode) }
func (p *CasePush) DataSubject() (string, string)  { return p.USCC, "" }

// PushOf maps the row; a non-zero today computes whether it is overdue.
func PushOf(r *hubdb.CasePushRow, today scalars.Date) *CasePush {
	p := &CasePush{DBID: r.ID, CaseDBID: r.CaseID, DepartmentCode: r.DepartmentCode, MeasureCodes: []string(r.Measures),
		PushedAt: r.PushedAt, DueDate: scalars.DateOf(r.DueDate), State: PushState(r.State), MeasureApplied: r.MeasureApplied,
		AppliedOn: dateOf(r.AppliedOn), AnsweredBy: r.AnsweredBy, Outcome: (*PushOutcome)(r.Outcome), Reason: r.Reason, USCC: r.USCC}
	p.Overdue = !today.IsZero() && p.State == Pushed && p.DueDate.Before(today)
	return p
}

// Objection is an objection to a record.
type Objection struct {
	DBID           int64
	RecordID       string
	DepartmentCode string
	SubjectUSCC    string
	SubjectIDNo    string
	FiledBy        string
	FiledAt        time.Time
	Reason         string
	State          ObjectionState
	CheckDue       scalars.Date
	DecisionDue    *scalars.Date
	Extended       bool
	Overdue        bool
	Outcome        *ObjectionOutcome
	DecisionReason *string
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

// ObjectionOf maps the row as the graph shows it on day today: its
// deadlines, and whether the one that runs is past.
func ObjectionOf(r *hubdb.ObjectionRow, today scalars.Date) *Objection {
	o := &Objection{DBID: r.ID, RecordID: r.RecordID, DepartmentCode: r.DepartmentCode, SubjectUSCC: r.SubjectUSCC,
		SubjectIDNo: r.SubjectIDNo, FiledBy: r.FiledBy, FiledAt: r.FiledAt, Reason: r.Reason, State: ObjectionState(r.State),
		CheckDue: scalars.DateOf(r.CheckDue), DecisionDue: dateOf(r.DecisionDue), Extended: r.Extended,
		Outcome: (*ObjectionOutcome)(r.Outcome), DecisionReason: r.DecisionReason}
	o.Overdue = ObjectionOverdue(o.State, o.CheckDue, o.DecisionDue, today)
	return o
}

// Repair is a repair of one record.
type Repair struct {
	DBID                 int64
	RecordID             string
	DepartmentCode       string
	USCC                 string
	AppliedAt            time.Time
	Commitment           string
	ObligationsFulfilled bool
	State                RepairState
	AcceptDue            scalars.Date
	DecisionDue          *scalars.Date
	Overdue              bool
	RefusalRule          *string
	DecisionReason       *string
	LastRecheckAt        *time.Time
}

func (r *Repair) ID() string                     { return EncodeID(TypeRepair, r.DBID) }
func (r *Repair) GetID() string                  { return r.ID() }
func (r *Repair) IsNode()                        {}
func (r *Repair) IsEntity()                      {} // a federation entity, keyed by id
func (r *Repair) Department() *credit.Department { return department(r.DepartmentCode) }
func (r *Repair) DataSubject() (string, string)  { return r.USCC, "" }

// RepairOf maps the row as the graph shows it on day today.
func RepairOf(r *hubdb.RepairRow, today scalars.Date) *Repair {
	o := &Repair{DBID: r.ID, RecordID: r.RecordID, DepartmentCode: r.DepartmentCode, USCC: r.USCC, AppliedAt: r.AppliedAt,
		Commitment: r.Commitment, ObligationsFulfilled: r.ObligationsFulfilled, State: RepairState(r.State),
		AcceptDue: scalars.DateOf(r.AcceptDue), DecisionDue: dateOf(r.DecisionDue), RefusalRule: r.RefusalRule,
		DecisionReason: r.DecisionReason, LastRecheckAt: r.LastRecheckAt}
	o.Overdue = RepairOverdue(o.State, o.AcceptDue, o.DecisionDue, today)
	return o
}

// Finding is a credit service agency's verification of a dishonesty case
// or monitoring finding on an entity (T30), and the owning department's
// decision on it.
type Finding struct {
	DBID           int64
	Kind           FindingKind
	Agency         string
	SubmittedBy    string
	USCC           string
	RecordID       *string
	DepartmentCode string
	Verdict        *FindingVerdict
	Summary        string
	Evidence       string
	SubmittedAt    time.Time
	State          FindingState
	Outcome        *FindingOutcome
	DecidedAt      *time.Time
	DecidedBy      *string
	DecisionReason *string
	// HubRecordID is the MONITORING_FINDING record accepting created (nil:
	// none).
	HubRecordID *int64
}

func (f *Finding) ID() string                     { return EncodeID(TypeFinding, f.DBID) }
func (f *Finding) Department() *credit.Department { return department(f.DepartmentCode) }

// DataSubject is the entity the finding is about: what accepting it
// writes may move the entity's grade.
func (f *Finding) DataSubject() (string, string) { return f.USCC, "" }

// CreatedRecordID is the global ID of the record accepting created; nil
// when it created none.
func (f *Finding) CreatedRecordID() *string {
	if f.HubRecordID == nil {
		return nil
	}
	id := gid.Record(credit.Ref{Source: hubdb.Source, Kind: credit.KindMonitoringFinding, LocalID: *f.HubRecordID})
	return &id
}

// FindingOf maps a stored finding.
func FindingOf(r *hubdb.FindingRow) *Finding {
	return &Finding{DBID: r.ID, Kind: FindingKind(r.Kind), Agency: r.Agency, SubmittedBy: r.SubmittedBy, USCC: r.USCC,
		RecordID: r.RecordID, DepartmentCode: r.DepartmentCode, Verdict: (*FindingVerdict)(r.Verdict), Summary: r.Summary,
		Evidence: r.Evidence, SubmittedAt: r.SubmittedAt, State: FindingState(r.State), Outcome: (*FindingOutcome)(r.Outcome),
		DecidedAt: r.DecidedAt, DecidedBy: r.DecidedBy, DecisionReason: r.DecisionReason, HubRecordID: r.HubRecordID}
}

// Rule is a deadline or rule a workflow follows, as stored.
type Rule hubdb.RuleRow

// Event is one transition in a workflow object's history, as stored.
type Event hubdb.EventRow

// mapRows maps rows read from a store to the graph's objects.
func mapRows[R, T any](rows []R, object func(*R) *T) []*T {
	out := make([]*T, len(rows))
	for i := range rows {
		out[i] = object(&rows[i])
	}
	return out
}

// dateOf is the date of a DATE column that may be NULL.
func dateOf(t *time.Time) *scalars.Date {
	if t == nil {
		return nil
	}
	d := scalars.DateOf(*t)
	return &d
}

// timeOf is the time a DATE column that may be NULL is written from.
func timeOf(d *scalars.Date) *time.Time {
	if d == nil {
		return nil
	}
	t := d.Time()
	return &t
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
	// PushOutcome is how a department answered a push: it APPLIED a
	// measure, none is NOT_APPLICABLE, or it DECLINED.
	PushOutcome  string
	FindingState State
	// FindingKind is what an agency sends back: a CASE_VERIFICATION of
	// one dishonesty record, or a MONITORING finding on an entity.
	FindingKind string
	// FindingVerdict is a verification's conclusion: the case holds
	// (CONFIRMED) or the agency finds it wrong (DISPUTED).
	FindingVerdict string
	// FindingOutcome is what accepting a DISPUTED verification does to the
	// record: CORRECT it or REVOKE it.
	FindingOutcome string
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

	PushApplied       PushOutcome = "APPLIED"
	PushNotApplicable PushOutcome = "NOT_APPLICABLE"
	PushDeclined      PushOutcome = "DECLINED"

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

	FindingSubmitted FindingState = "SUBMITTED"
	FindingAccepted  FindingState = "ACCEPTED"
	FindingRejected  FindingState = "REJECTED"

	FindingCaseVerification FindingKind = "CASE_VERIFICATION"
	FindingMonitoring       FindingKind = "MONITORING"

	VerdictConfirmed FindingVerdict = "CONFIRMED"
	VerdictDisputed  FindingVerdict = "DISPUTED"

	FindingCorrect FindingOutcome = "CORRECT"
	FindingRevoke  FindingOutcome = "REVOKE"
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
func (o PushOutcome) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(o)) }
func (o *PushOutcome) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "PushOutcome", []PushOutcome{PushApplied, PushNotApplicable, PushDeclined}, o)
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
func (s FindingState) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(s)) }
func (s *FindingState) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "FindingState", []FindingState{FindingSubmitted, FindingAccepted, FindingRejected}, s)
}
func (k FindingKind) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(k)) }
func (k *FindingKind) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "FindingKind", []FindingKind{FindingCaseVerification, FindingMonitoring}, k)
}
func (v FindingVerdict) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(v)) }
func (v *FindingVerdict) UnmarshalGQL(x any) error {
	return scalars.UnmarshalEnum(x, "FindingVerdict", []FindingVerdict{VerdictConfirmed, VerdictDisputed}, v)
}
func (o FindingOutcome) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(o)) }
func (o *FindingOutcome) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "FindingOutcome", []FindingOutcome{FindingCorrect, FindingRevoke}, o)
}
