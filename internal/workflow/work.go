package workflow

// What waits on whom (issue #15): a department's work — the cases pushed
// to it, the objections against its records, the repair applications it
// reviews, and their deadlines within a number of working days — and an
// entity's own worklist — its commitments, its listings' rectifications,
// its objections and its repair applications — each deadline with the
// working days left on the official calendar. The transitions that bring
// a department work announce it (announceWork): every hub instance's
// WorkBroker delivers it to that department's subscribers.

import (
	"context"
	"io"
	"time"

	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// MaxWorkingDays bounds withinWorkingDays: about three months of working
// days, longer than any deadline the workflows run.
const MaxWorkingDays = 60

// DeadlineKind is what a deadline belongs to.
type DeadlineKind string

// The kinds of deadlines.
const (
	DeadlineCommitment    DeadlineKind = hubdb.DeadlineCommitment
	DeadlineRectification DeadlineKind = hubdb.DeadlineRectification
	DeadlineObjection     DeadlineKind = hubdb.DeadlineObjection
	DeadlineRepair        DeadlineKind = hubdb.DeadlineRepair
	DeadlineCasePush      DeadlineKind = hubdb.DeadlineCasePush
)

// Party is whose move a deadline waits on.
type Party string

// The parties.
const (
	AwaitingEntity       Party = hubdb.AwaitingEntity
	AwaitingDepartment   Party = hubdb.AwaitingDepartment
	AwaitingCreditOffice Party = hubdb.AwaitingCreditOffice
)

func (k DeadlineKind) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(k)) }
func (k *DeadlineKind) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "DeadlineKind",
		[]DeadlineKind{DeadlineCommitment, DeadlineRectification, DeadlineObjection, DeadlineRepair, DeadlineCasePush}, k)
}
func (p Party) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(p)) }
func (p *Party) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "DeadlineParty", []Party{AwaitingEntity, AwaitingDepartment, AwaitingCreditOffice}, p)
}

// Deadline is one open object of a workflow and the deadline it runs
// against.
type Deadline struct {
	Kind           DeadlineKind
	ObjectDBID     int64
	SubjectUSCC    string
	SubjectIDNo    string
	DepartmentCode string
	State          string
	// DueDate is nil for a commitment: it is kept until the department
	// checks it.
	DueDate *scalars.Date
	// WorkingDaysLeft counts the working days from today to the due date
	// (the due date counted, today not): 0 on the day, negative when
	// overdue. Nil without a due date.
	WorkingDaysLeft *int
	Overdue         bool
	Awaiting        Party
	// Detail names what is due: the commitment item, the list type, the
	// record's global ID, the push's measures.
	Detail string
}

// ObjectID is the global ID of the deadline's object.
func (d *Deadline) ObjectID() string {
	typ := map[DeadlineKind]string{DeadlineCommitment: TypeCommitment, DeadlineRectification: TypeListEntry,
		DeadlineObjection: TypeObjection, DeadlineRepair: TypeRepair, DeadlineCasePush: TypeCasePush}[d.Kind]
	return EncodeID(typ, d.ObjectDBID)
}

// Department is the department that holds the object.
func (d *Deadline) Department() *credit.Department { return department(d.DepartmentCode) }

// Uscc is the entity the deadline concerns; nil for an objection to a
// natural person's record.
func (d *Deadline) Uscc() *string {
	if d.SubjectUSCC == "" {
		return nil
	}
	return &d.SubjectUSCC
}

// DataSubject is whose deadline it is: the entity, or for an objection to
// a natural person's record that person.
func (d *Deadline) DataSubject() (string, string) { return d.SubjectUSCC, d.SubjectIDNo }

// OpennessLevel: an objection to a person's record is that person's
// personal data, as the objection itself is.
func (d *Deadline) OpennessLevel() credit.Publicity {
	if d.SubjectIDNo != "" {
		return credit.Personal
	}
	return credit.Shared
}

// deadlineOf maps a row as of today.
func (s *Service) deadlineOf(r hubdb.DeadlineRow, today scalars.Date) *Deadline {
	d := &Deadline{Kind: DeadlineKind(r.Kind), ObjectDBID: r.ObjectID, SubjectUSCC: r.USCC, SubjectIDNo: r.SubjectIDNo,
		DepartmentCode: r.Department, State: r.State, Awaiting: Party(r.Awaiting), Detail: r.Detail}
	if r.Due != nil {
		due := scalars.DateOf(*r.Due)
		left := s.Calendar.WorkingDaysBetween(today.Time(), due.Time())
		d.DueDate, d.WorkingDaysLeft, d.Overdue = &due, &left, due.Before(today)
	}
	return d
}

// through is the last day within n working days of today (n = 0: today,
// or the next working day); BAD_USER_INPUT on field for an n out of range.
func (s *Service) through(field string, n int) (scalars.Date, error) {
	if n < 0 || n > MaxWorkingDays {
		return scalars.Date{}, apperr.BadInput(field, "%s must be between 0 and %d, got %d", field, MaxWorkingDays, n)
	}
	return scalars.DateOf(s.Calendar.AddWorkingDays(s.Today().Time(), n)), nil
}

// EntityDeadlines returns the entity's open deadlines, soonest first and
// the undated commitments last: all of them, or with within those due in
// that many working days (overdue ones included, commitments left out),
// at most limit, in one statement.
func (s *Service) EntityDeadlines(ctx context.Context, uscc string, within *int, limit int) ([]*Deadline, error) {
	through := ""
	if within != nil {
		d, err := s.through("withinWorkingDays", *within)
		if err != nil {
			return nil, err
		}
		through = d.String()
	}
	rows, err := s.DB.Work().EntityDeadlines(ctx, uscc, through, limit)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	out := make([]*Deadline, len(rows))
	for i, r := range rows {
		out[i] = s.deadlineOf(r, today)
	}
	return out, nil
}

// DepartmentWork is what waits on a department (its token's org), and how
// many working days its deadlines look ahead.
type DepartmentWork struct {
	DepartmentCode    string
	WithinWorkingDays int
	// WithPersons: the caller may read natural persons' objections.
	WithPersons bool
}

// Department is the department whose work it is.
func (w *DepartmentWork) Department() *credit.Department { return department(w.DepartmentCode) }

// Filter selects the department's open work, at most limit of a list.
func (w *DepartmentWork) Filter(limit int) WorkFilter {
	return WorkFilter{Department: w.DepartmentCode, WithPersons: w.WithPersons, Limit: limit}
}

// WorkFilter selects a department's open work.
type WorkFilter struct {
	Department string
	// WithPersons includes objections against natural persons' records
	// (for callers who may read the persons' data).
	WithPersons bool
	Limit       int
}

func (f WorkFilter) rows() hubdb.WorkFilter {
	return hubdb.WorkFilter{Department: f.Department, CreditOffice: f.Department == CreditOfficeOrg,
		WithPersons: f.WithPersons, Limit: f.Limit}
}

// OpenPushes returns the pushes waiting for the department's answer,
// soonest due first.
func (s *Service) OpenPushes(ctx context.Context, f WorkFilter) ([]*CasePush, error) {
	rows, err := s.DB.Work().OpenPushes(ctx, f.rows())
	if err != nil {
		return nil, err
	}
	return mapRows(rows, func(r *hubdb.CasePushRow) *CasePush { return PushOf(r, s.Today()) }), nil
}

// OpenObjections returns the open objections against the department's
// records (FILED: with the platform; CHECKED: for its decision) and, for
// the credit office, every objection waiting for its check; soonest due
// first.
func (s *Service) OpenObjections(ctx context.Context, f WorkFilter) ([]*Objection, error) {
	rows, err := s.DB.Work().OpenObjections(ctx, f.rows())
	if err != nil {
		return nil, err
	}
	return mapRows(rows, func(r *hubdb.ObjectionRow) *Objection { return ObjectionOf(r, s.Today()) }), nil
}

// OpenRepairs returns the repair applications waiting for the
// department's answer (APPLIED) or decision (ACCEPTED), soonest due first.
func (s *Service) OpenRepairs(ctx context.Context, f WorkFilter) ([]*Repair, error) {
	rows, err := s.DB.Work().OpenRepairs(ctx, f.rows())
	if err != nil {
		return nil, err
	}
	return mapRows(rows, func(r *hubdb.RepairRow) *Repair { return RepairOf(r, s.Today()) }), nil
}

// DepartmentDeadlines returns the deadlines of the department's work due
// within the next within working days (overdue ones included), soonest
// first: its pushes, the objections and repairs of its records, and the
// rectification deadlines of the listings it identified (an interview may
// follow one that is missed, T16).
func (s *Service) DepartmentDeadlines(ctx context.Context, f WorkFilter, within int) ([]*Deadline, error) {
	through, err := s.through("withinWorkingDays", within)
	if err != nil {
		return nil, err
	}
	q := f.rows()
	q.Through = through.String()
	rows, err := s.DB.Work().DepartmentDeadlines(ctx, q)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	out := make([]*Deadline, len(rows))
	for i, r := range rows {
		out[i] = s.deadlineOf(r, today)
	}
	return out, nil
}

// announceWork writes and announces, within the transition's transaction,
// that work reached departments: kind, for each department, the object
// id.
func announceWork(ctx context.Context, tx *hubdb.DB, kind string, at time.Time, objects map[string]int64) error {
	events := make([]hubdb.WorkEvent, 0, len(objects))
	for dept, id := range objects {
		events = append(events, hubdb.WorkEvent{Department: dept, Kind: kind, ObjectID: id, At: at})
	}
	return tx.Work().Announce(ctx, events)
}
