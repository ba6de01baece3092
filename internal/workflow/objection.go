package workflow

// Objections (T28): the entity a record is about — or, for a natural
// person's record, a department acting for the person — files an objection;
// the record shows UNDER_OBJECTION at once (an overlay the hub applies on top
// of the department's data); the credit platform checks the objection within
// OBJECTION_CHECK working days and passes it to the providing department,
// which decides within OBJECTION_DECIDE working days (extendable once, with
// approval, by OBJECTION_EXTEND): UPHELD, the record corrected or revoked
// through an overlay, or REJECTED with a reason. The department's own
// database is never written.
//
//	file    —        → FILED     the record's subject              objection:file
//	check   FILED    → CHECKED   the credit office                 objection:handle
//	extend  CHECKED  → CHECKED   the providing department, once    objection:handle
//	uphold  CHECKED  → UPHELD    the providing department          objection:handle
//	reject  CHECKED  → REJECTED  the providing department          objection:handle
//
// What each writes, besides the objection's row and a history row:
//
//	file    an active UNDER_OBJECTION overlay on the record
//	uphold  a CORRECTED overlay (the corrected fields) or a REVOKED one; the
//	        UNDER_OBJECTION overlay is deactivated (kept as history)
//	reject  the UNDER_OBJECTION overlay is deactivated

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// WorkflowObjection is the objections' name in workflow_history.
const WorkflowObjection = "objection"

// CreditOfficeOrg is the org of the city credit office's department tokens.
// The office (this org, or any admin token) checks objections and may
// re-check any department's repairs.
const CreditOfficeOrg = "credit-office"

// The workflow rules (workflow_rule) objections follow.
const (
	RuleObjectionCheck  = "OBJECTION_CHECK"
	RuleObjectionDecide = "OBJECTION_DECIDE"
	RuleObjectionExtend = "OBJECTION_EXTEND"
)

// The objections' actions, as history rows and errors name them.
const (
	objectionFile   = "file"
	objectionCheck  = "check"
	objectionExtend = "extend"
	objectionUphold = "uphold"
	objectionReject = "reject"
)

var objectionMachine = Machine{
	Name: "objection",
	Transitions: []Transition{
		{Action: objectionFile, To: State(ObjectionFiled), Scope: auth.ScopeObjectionFile, Owner: objectionFiler},
		{Action: objectionCheck, From: []State{State(ObjectionFiled)}, To: State(ObjectionChecked),
			Scope: auth.ScopeObjectionHandle, Owner: creditOffice},
		{Action: objectionExtend, From: []State{State(ObjectionChecked)}, To: State(ObjectionChecked),
			Scope: auth.ScopeObjectionHandle, Owner: Department},
		{Action: objectionUphold, From: []State{State(ObjectionChecked)}, To: State(ObjectionUpheld),
			Scope: auth.ScopeObjectionHandle, Owner: Department},
		{Action: objectionReject, From: []State{State(ObjectionChecked)}, To: State(ObjectionRejected),
			Scope: auth.ScopeObjectionHandle, Owner: Department},
	},
}

// objectionFiler decides who may file against a record; owner is the
// record's subject: its entity's code, or for a natural person's record
// personOwner followed by the ID number (personOwnerOf).
//
// An entity's record: only the entity itself (a token of kind entity whose
// org is the code). Another entity naming this record gets BAD_USER_INPUT on
// recordId: its kind may file, the record is not its own.
//
// A natural person's record: the person themselves, signed in as
// themselves (kind person, issue #15), or for the person a department (or
// the credit office) that holds person:read — at its counter, with the
// person present — and FileObjection further asks for a declared purpose,
// as every read of personal data does. A person naming another's record
// never gets this far: FileObjection answers them as for a record that
// does not exist.
func objectionFiler(p *auth.Principal, owner string) error {
	if idNo, ok := strings.CutPrefix(owner, personOwner); ok {
		if p.IsPerson(idNo) {
			return nil
		}
		if (p.Kind() == auth.KindDepartment || p.Kind() == auth.KindAdmin) && p.HasScope(auth.ScopePersonRead) {
			return nil
		}
		if p.Kind() == auth.KindPerson {
			return errNotYourRecord()
		}
		return apperr.New(apperr.Forbidden,
			"an objection against a natural person's record is filed by the person, or for the person by a department holding the %s scope", auth.ScopePersonRead).
			With("requiredScopes", []string{auth.ScopePersonRead})
	}
	if p.IsEntity(owner) {
		return nil
	}
	switch p.Kind() {
	case auth.KindEntity:
		return apperr.BadInput("recordId", "this record is not about you; an entity files objections only against its own records")
	case auth.KindPerson:
		return errNotYourRecord()
	}
	return apperr.New(apperr.Forbidden, "only the entity a record is about files an objection against it; sign in as the entity")
}

// personOwner prefixes a person's ID number in objectionFiler's owner.
const personOwner = "person:"

// personOwnerOf is objectionFiler's owner of a record about s.
func personOwnerOf(s credit.Subject) string {
	if s.IsPerson() {
		return personOwner + s.IDNumber
	}
	return s.USCC
}

// errNotYourRecord answers a person who names a record that is not theirs,
// or none: the same sentence either way, so that nothing is learnt of
// others' records.
func errNotYourRecord() error {
	return apperr.BadInput("recordId", "recordId names no credit record of yours; a person files objections only against their own records, by the id me.records returns")
}

// creditOffice lets the city credit office act: an admin token, or a
// department token of org credit-office.
func creditOffice(p *auth.Principal, _ string) error {
	if err := Department(p, CreditOfficeOrg); err != nil {
		return apperr.New(apperr.Forbidden, "only the credit office (%s) may do this", CreditOfficeOrg).With("owner", CreditOfficeOrg)
	}
	return nil
}

// Provider returns the code of the department that provided a record and
// decides its objections and repairs: the department whose database holds
// it, or for the hub's own records the identifying department.
func Provider(r credit.Record) string {
	b := r.Common()
	if b.Ref.Source == hubdb.Source && b.Source != nil {
		return b.Source.Code
	}
	return b.Ref.Source
}

// ObjectionOverdue reports whether an objection in state is past its
// deadline on today: a FILED one past its check date, a CHECKED one past its
// decision date. The deadline day itself is still on time.
func ObjectionOverdue(state ObjectionState, checkDue scalars.Date, decisionDue *scalars.Date, today scalars.Date) bool {
	switch state {
	case ObjectionFiled:
		return today.After(checkDue)
	case ObjectionChecked:
		return decisionDue != nil && today.After(*decisionDue)
	}
	return false
}

// FileObjection files the caller's objection against the record recordID
// (a record's global ID) and flags the record UNDER_OBJECTION at once.
// lookup fetches the record, to check that it exists and whose it is.
// One objection per record may be open: a second gets CONFLICT.
func (s *Service) FileObjection(ctx context.Context, lookup RecordLookup, recordID, reason string, key hubdb.Key) (*Objection, error) {
	ref, err := parseRecordID("recordId", recordID)
	if err != nil {
		return nil, err
	}
	if reason, err = needText("reason", reason, maxReason); err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if k := p.Kind(); k != auth.KindEntity && k != auth.KindPerson && k != auth.KindDepartment && k != auth.KindAdmin {
		// Say so before looking anything up.
		return nil, apperr.New(apperr.Forbidden, "objections are filed by the entity or person a record is about, or for a natural person by a department")
	}
	rec, err := lookup(ctx, ref)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		if p.Kind() == auth.KindPerson {
			return nil, errNotYourRecord()
		}
		return nil, apperr.BadInput("recordId", "recordId names no credit record; use the id of a record as the graph returned it")
	}
	b := rec.Common()
	t, err := objectionMachine.transition(ctx, objectionFile, "", personOwnerOf(b.FiledAgainst()))
	if err != nil {
		return nil, err
	}
	if b.Subject.IsPerson() {
		// Filing for a person reads the person's record: a declared purpose,
		// as for every read of personal data (the person's own is implied).
		if err := auth.Decide(ctx, auth.Personal, "", auth.Subject{IDNumber: b.Subject.IDNumber}); err != nil {
			return nil, err
		}
	}
	if _, err := s.Rules(ctx); err != nil { // cached before the transaction holds a connection
		return nil, err
	}
	id := gid.Record(ref)
	return transact(ctx, s, key, "fileObjection", func(tx *hubdb.DB, now time.Time) (*Objection, error) {
		due, err := s.Due(ctx, RuleObjectionCheck, now)
		if err != nil {
			return nil, err
		}
		row, err := tx.Objections().File(ctx, hubdb.ObjectionRow{RecordID: id, DepartmentCode: Provider(rec),
			SubjectUSCC: b.Subject.USCC, SubjectIDNo: b.Subject.IDNumber, FiledBy: auth.FromContext(ctx).Org(), FiledAt: now,
			Reason: reason, State: string(t.To), CheckDue: due.Time()})
		if errors.Is(err, hubdb.ErrAlreadyOpen) {
			return nil, apperr.New(apperr.Conflict,
				"an objection against this record is already open (FILED or CHECKED); follow that one rather than filing another").
				With("field", "recordId")
		}
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowObjection, row.ID, objectionFile, "", t.To, reason, now); err != nil {
			return nil, err
		}
		if err := s.feed(ctx, tx, objectionChange(hubdb.ActionFiled, &row)); err != nil {
			return nil, err
		}
		if err := tx.Overlays().Add(ctx, hubdb.OverlayRow{RecordID: id, Kind: credit.UnderObjection,
			Source: WorkflowObjection, SourceID: row.ID, CreatedAt: now, CreatedBy: actorName(ctx)}); err != nil {
			return nil, err
		}
		// The providing department hears that its record is under
		// objection; the credit office, that it has one to check.
		if err := announceWork(ctx, tx, hubdb.WorkObjectionFiled, now, map[string]int64{row.DepartmentCode: row.ID}); err != nil {
			return nil, err
		}
		if err := announceWork(ctx, tx, hubdb.WorkObjectionToCheck, now, map[string]int64{CreditOfficeOrg: row.ID}); err != nil {
			return nil, err
		}
		return ObjectionOf(&row, scalars.DateOf(now)), nil
	})
}

// decidingObjection reads objection id for action within tx, locked
// (deciding).
func decidingObjection(ctx context.Context, tx *hubdb.DB, id int64, action string) (hubdb.ObjectionRow, Transition, error) {
	return deciding(ctx, &objectionMachine, action, tx.Objections(), "objection", id,
		func(o hubdb.ObjectionRow) (State, string) { return State(o.State), o.DepartmentCode })
}

// CheckObjection records the credit platform's check of a FILED objection
// and passes it to the providing department, whose decision is due
// OBJECTION_DECIDE working days later.
func (s *Service) CheckObjection(ctx context.Context, id int64, key hubdb.Key) (*Objection, error) {
	if _, err := s.Rules(ctx); err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "checkObjection", func(tx *hubdb.DB, now time.Time) (*Objection, error) {
		row, t, err := decidingObjection(ctx, tx, id, objectionCheck)
		if err != nil {
			return nil, err
		}
		due, err := s.Due(ctx, RuleObjectionDecide, now)
		if err != nil {
			return nil, err
		}
		checked, err := tx.Objections().Check(ctx, id, string(t.To), due.Time())
		if err != nil {
			return nil, err
		}
		reason := "passed to " + row.DepartmentCode + ", decision due " + due.String()
		if err := record(ctx, tx, WorkflowObjection, id, objectionCheck, State(row.State), t.To, reason, now); err != nil {
			return nil, err
		}
		if err := announceWork(ctx, tx, hubdb.WorkObjectionChecked, now, map[string]int64{row.DepartmentCode: id}); err != nil {
			return nil, err
		}
		return ObjectionOf(&checked, scalars.DateOf(now)), nil
	})
}

// ExtendObjection extends the providing department's deadline once, by
// OBJECTION_EXTEND working days, with the approval of approvedBy. A second
// extension is INVALID_TRANSITION.
func (s *Service) ExtendObjection(ctx context.Context, id int64, approvedBy, reason string, key hubdb.Key) (*Objection, error) {
	approvedBy, err := needText("approvedBy", approvedBy, maxShortText)
	if err != nil {
		return nil, err
	}
	if reason, err = needText("reason", reason, maxReason); err != nil {
		return nil, err
	}
	if _, err := s.Rules(ctx); err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "extendObjection", func(tx *hubdb.DB, now time.Time) (*Objection, error) {
		row, t, err := decidingObjection(ctx, tx, id, objectionExtend)
		if err != nil {
			return nil, err
		}
		was := scalars.DateOf(now)
		if row.DecisionDue != nil {
			was = scalars.DateOf(*row.DecisionDue)
		}
		if row.Extended {
			return nil, apperr.New(apperr.InvalidTransition,
				"cannot extend an objection that is %s and was already extended once, to %s; its deadline is extended only once", row.State, was).
				With("state", row.State).With("action", objectionExtend)
		}
		due, err := s.Due(ctx, RuleObjectionExtend, was.Time())
		if err != nil {
			return nil, err
		}
		extended, err := tx.Objections().Extend(ctx, id, due.Time())
		if err != nil {
			return nil, err
		}
		why := fmt.Sprintf("%s (approved by %s; decision due %s instead of %s)", reason, approvedBy, due, was)
		if err := record(ctx, tx, WorkflowObjection, id, objectionExtend, State(row.State), t.To, why, now); err != nil {
			return nil, err
		}
		return ObjectionOf(&extended, scalars.DateOf(now)), nil
	})
}

// UpholdObjection upholds a CHECKED objection: outcome CORRECT corrects the
// record's fields (correction: at least one of them) through a CORRECTED
// overlay; REVOKE revokes the record through a REVOKED overlay. Either way
// the record is no longer under objection.
func (s *Service) UpholdObjection(ctx context.Context, id int64, outcome ObjectionOutcome, correction *hubdb.Correction, reason string, key hubdb.Key) (*Objection, error) {
	reason, err := needText("reason", reason, maxReason)
	if err != nil {
		return nil, err
	}
	fields, err := checkCorrection(outcome, correction, s.Today())
	if err != nil {
		return nil, err
	}
	kind := credit.Revoked
	if outcome == OutcomeCorrect {
		kind = credit.Corrected
	}
	return transact(ctx, s, key, "upholdObjection", func(tx *hubdb.DB, now time.Time) (*Objection, error) {
		row, t, err := decidingObjection(ctx, tx, id, objectionUphold)
		if err != nil {
			return nil, err
		}
		upheld, err := tx.Objections().Decide(ctx, id, string(t.To), (*string)(&outcome), reason)
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowObjection, id, objectionUphold, State(row.State), t.To, string(outcome)+": "+reason, now); err != nil {
			return nil, err
		}
		if err := s.feed(ctx, tx, objectionChange(hubdb.ActionUpheld, &row)); err != nil {
			return nil, err
		}
		if err := tx.Overlays().Add(ctx, hubdb.OverlayRow{RecordID: row.RecordID, Kind: kind, Fields: fields,
			Source: WorkflowObjection, SourceID: id, CreatedAt: now, CreatedBy: actorName(ctx)}); err != nil {
			return nil, err
		}
		if err := tx.Overlays().End(ctx, credit.UnderObjection, WorkflowObjection, id); err != nil {
			return nil, err
		}
		return ObjectionOf(&upheld, scalars.DateOf(now)), nil
	})
}

// checkCorrection validates an uphold's outcome and correction and returns
// the fields of the CORRECTED overlay (none for REVOKE).
func checkCorrection(outcome ObjectionOutcome, c *hubdb.Correction, today scalars.Date) (hubdb.Correction, error) {
	var out hubdb.Correction
	empty := c == nil || (c.Summary == nil && c.DecisionNo == nil && c.DecisionDate == nil)
	switch outcome {
	case OutcomeRevoke:
		if !empty {
			return out, apperr.BadInput("correction", "correction goes with outcome CORRECT; a revoked record keeps its fields")
		}
		return out, nil
	case OutcomeCorrect:
	default:
		return out, apperr.BadInput("outcome", "outcome must be CORRECT or REVOKE")
	}
	if empty {
		return out, apperr.BadInput("correction", "outcome CORRECT needs correction with at least one of summary, decisionNo and decisionDate")
	}
	if c.Summary != nil {
		v, err := needText("correction.summary", *c.Summary, maxCorrection)
		if err != nil {
			return out, err
		}
		out.Summary = &v
	}
	if c.DecisionNo != nil {
		v, err := needText("correction.decisionNo", *c.DecisionNo, maxShortText)
		if err != nil {
			return out, err
		}
		out.DecisionNo = &v
	}
	if c.DecisionDate != nil {
		if c.DecisionDate.After(today) {
			return out, apperr.BadInput("correction.decisionDate", "correction.decisionDate %s is in the future; a decision is dated on or before today (%s)", c.DecisionDate, today)
		}
		d := *c.DecisionDate
		out.DecisionDate = &d
	}
	return out, nil
}

// RejectObjection rejects a CHECKED objection with a reason: the record is
// no longer under objection and shows what the department says.
func (s *Service) RejectObjection(ctx context.Context, id int64, reason string, key hubdb.Key) (*Objection, error) {
	reason, err := needText("reason", reason, maxReason)
	if err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "rejectObjection", func(tx *hubdb.DB, now time.Time) (*Objection, error) {
		row, t, err := decidingObjection(ctx, tx, id, objectionReject)
		if err != nil {
			return nil, err
		}
		rejected, err := tx.Objections().Decide(ctx, id, string(t.To), nil, reason)
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowObjection, id, objectionReject, State(row.State), t.To, reason, now); err != nil {
			return nil, err
		}
		if err := s.feed(ctx, tx, objectionChange(hubdb.ActionRejected, &row)); err != nil {
			return nil, err
		}
		if err := tx.Overlays().End(ctx, credit.UnderObjection, WorkflowObjection, id); err != nil {
			return nil, err
		}
		return ObjectionOf(&rejected, scalars.DateOf(now)), nil
	})
}

// ObjectionFilter selects objections; zero fields select everything.
type ObjectionFilter struct {
	State      ObjectionState
	Department string
	USCC       string
	Overdue    *bool
	// WithPersons includes objections against natural persons' records;
	// only callers who may read the persons' data ask for them.
	WithPersons bool
}

// Objections returns the objections matching f, newest first, those with
// ids below after (0: from the newest), at most limit (0: all).
func (s *Service) Objections(ctx context.Context, f ObjectionFilter, after int64, limit int) ([]*Objection, error) {
	today := s.Today()
	rows, err := s.DB.Objections().Find(ctx, hubdb.ObjectionFilter{WithPersons: f.WithPersons,
		DeadlineFilter: hubdb.DeadlineFilter{State: string(f.State), Department: f.Department, USCC: f.USCC,
			Overdue: f.Overdue, Today: today, After: after, Limit: limit}})
	if err != nil {
		return nil, err
	}
	return mapRows(rows, func(r *hubdb.ObjectionRow) *Objection { return ObjectionOf(r, today) }), nil
}

// ObjectionsOfPerson returns the objections against the records of the
// person with ID number idNo, newest first.
func (s *Service) ObjectionsOfPerson(ctx context.Context, idNo string) ([]*Objection, error) {
	today := s.Today()
	rows, err := s.DB.Objections().OfPerson(ctx, idNo)
	if err != nil {
		return nil, err
	}
	return mapRows(rows, func(r *hubdb.ObjectionRow) *Objection { return ObjectionOf(r, today) }), nil
}

// Objection returns one objection; nil when there is none with that id.
func (s *Service) Objection(ctx context.Context, id int64) (*Objection, error) {
	found, err := s.ObjectionsByID(ctx, []int64{id})
	return found[id], err
}
