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
//	file    —        → FILED     the record's subject              (no scope)
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
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
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
		{Action: objectionFile, To: State(ObjectionFiled), Owner: objectionFiler},
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

// objectionFiler decides who may file against a record; uscc is the
// record's subject's code, empty for a natural person's record.
//
// An entity's record: only the entity itself (a token of kind entity whose
// org is the code). Another entity naming this record gets BAD_USER_INPUT on
// recordId: its kind may file, the record is not its own.
//
// A natural person's record: persons hold no tokens of their own, so the
// objection is filed for the person by a department (or the credit office)
// that holds person:read — at its counter, with the person present — and
// FileObjection further asks for a declared purpose, as every read of
// personal data does.
func objectionFiler(p *auth.Principal, uscc string) error {
	if uscc != "" {
		if p.IsEntity(uscc) {
			return nil
		}
		if p.Kind() == auth.KindEntity {
			return apperr.BadInput("recordId", "this record is not about you; an entity files objections only against its own records")
		}
		return apperr.New(apperr.Forbidden, "only the entity a record is about files an objection against it; sign in as the entity")
	}
	if (p.Kind() == auth.KindDepartment || p.Kind() == auth.KindAdmin) && p.HasScope(auth.ScopePersonRead) {
		return nil
	}
	return apperr.New(apperr.Forbidden,
		"an objection against a natural person's record is filed for the person by a department holding the %s scope", auth.ScopePersonRead).
		With("requiredScopes", []string{auth.ScopePersonRead})
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

// objectionRow is an objection's row as stored; the dates become the
// graph's Dates when it is read.
type objectionRow struct {
	Objection
	CheckDueOn    time.Time  `db:"check_due"`
	DecisionDueOn *time.Time `db:"decision_due"`
}

const objectionColumns = `id, record_id, department, subject_uscc, subject_id_no, filed_by, filed_at, reason,
	state, check_due, decision_due, extended, outcome, decision_reason`

// objection returns the row as the graph shows it on day today: its
// deadlines, and whether the one that runs is past.
func (r *objectionRow) objection(today scalars.Date) *Objection {
	o := r.Objection
	o.CheckDue = scalars.DateOf(r.CheckDueOn)
	if r.DecisionDueOn != nil {
		d := scalars.DateOf(*r.DecisionDueOn)
		o.DecisionDue = &d
	}
	o.Overdue = ObjectionOverdue(o.State, o.CheckDue, o.DecisionDue, today)
	return &o
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

// objectionOverdueSQL is ObjectionOverdue in SQL; $today is the parameter
// holding the day.
const objectionOverdueSQL = `((state = 'FILED' AND check_due < %[1]s) OR (state = 'CHECKED' AND decision_due < %[1]s))`

// Limits of free text.
const (
	maxReason     = 2000
	maxShortText  = 200
	maxCorrection = 2000
)

// needText trims s and checks that it is not empty and at most max
// characters; field names the argument in the error.
func needText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", apperr.BadInput(field, "%s must not be empty", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", apperr.BadInput(field, "%s must be at most %d characters, got %d", field, max, n)
	}
	return s, nil
}

// parseRecordID returns the reference of a record's global ID.
func parseRecordID(field, id string) (credit.Ref, error) {
	bad := apperr.BadInput(field, "%s is not a credit record's ID; use the id of a record as the graph returned it", field)
	typ, payload, err := gid.Decode(id)
	if err != nil || typ != gid.TypeRecord {
		return credit.Ref{}, bad
	}
	ref, err := gid.ParseRecord(payload)
	if err != nil {
		return credit.Ref{}, bad
	}
	return ref, nil
}

// needScope refuses a caller without the scope an action needs before
// anything is read or locked, so that a caller who may not decide takes no
// lock that would turn a rightful decider's attempt into a CONFLICT.
func needScope(ctx context.Context, m *Machine, action string) error {
	p := auth.FromContext(ctx)
	for _, t := range m.Transitions {
		if t.Action == action && t.Scope != "" && !p.HasScope(t.Scope) {
			return apperr.New(apperr.Forbidden, "%s of a %s needs the %s scope", action, m.Name, t.Scope).
				With("requiredScopes", []string{t.Scope})
		}
	}
	return nil
}

// actorName is how overlays name who created them.
func actorName(ctx context.Context) string {
	p := auth.FromContext(ctx)
	return p.Org() + ":" + p.Subject()
}

// addOverlay puts an active overlay of kind on a record.
func addOverlay(ctx context.Context, tx *sqlx.Tx, recordID string, kind credit.Status, fields *hubdb.Correction, source string, sourceID int64, at time.Time) error {
	b := []byte("{}")
	if fields != nil {
		var err error
		if b, err = json.Marshal(fields); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO record_overlay (record_id, kind, fields, source, source_id, active, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, true, $6, $7)`, recordID, string(kind), b, source, sourceID, at, actorName(ctx))
	return err
}

// endOverlay deactivates the active overlays of kind that a workflow object
// put on a record; the rows stay as history.
func endOverlay(ctx context.Context, tx *sqlx.Tx, kind credit.Status, source string, sourceID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE record_overlay SET active = false
		WHERE source = $1 AND source_id = $2 AND kind = $3 AND active`, source, sourceID, string(kind))
	return err
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
	if p := auth.FromContext(ctx); p.Kind() != auth.KindEntity && p.Kind() != auth.KindDepartment && p.Kind() != auth.KindAdmin {
		// Say so before looking anything up.
		return nil, apperr.New(apperr.Forbidden, "objections are filed by the entity a record is about, or for a natural person by a department")
	}
	rec, err := lookup(ctx, ref)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, apperr.BadInput("recordId", "recordId names no credit record; use the id of a record as the graph returned it")
	}
	b := rec.Common()
	if _, err := objectionMachine.transition(ctx, objectionFile, "", b.Subject.USCC); err != nil {
		return nil, err
	}
	if b.Subject.IsPerson() {
		// Filing for a person reads the person's record: a declared purpose,
		// as for every read of personal data.
		if err := auth.Decide(ctx, auth.Personal, "", auth.Subject{IDNumber: b.Subject.IDNumber}); err != nil {
			return nil, err
		}
	}
	if _, err := s.Rules(ctx); err != nil { // cached before the transaction holds a connection
		return nil, err
	}
	p := auth.FromContext(ctx)
	id := gid.Record(ref)
	return transact(ctx, s, key, "fileObjection", func(tx *sqlx.Tx, now time.Time) (*Objection, error) {
		due, err := s.Due(ctx, RuleObjectionCheck, now)
		if err != nil {
			return nil, err
		}
		var row objectionRow
		err = tx.GetContext(ctx, &row, `INSERT INTO objection
			(record_id, department, subject_uscc, subject_id_no, filed_by, filed_at, reason, state, check_due)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+objectionColumns,
			id, Provider(rec), b.Subject.USCC, b.Subject.IDNumber, p.Org(), now, reason, string(ObjectionFiled), due.String())
		if sqldb.IsUniqueViolation(err, "objection_one_open") {
			return nil, apperr.New(apperr.Conflict,
				"an objection against this record is already open (FILED or CHECKED); follow that one rather than filing another").
				With("field", "recordId")
		}
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowObjection, row.DBID, objectionFile, "", State(ObjectionFiled), reason, now); err != nil {
			return nil, err
		}
		if err := addOverlay(ctx, tx, id, credit.UnderObjection, nil, WorkflowObjection, row.DBID, now); err != nil {
			return nil, err
		}
		return row.objection(scalars.DateOf(now)), nil
	})
}

// decidingObjection reads objection id for action within tx: it checks the
// caller and the state without a lock, then locks the row (NOWAIT: a
// concurrent decider makes this one fail with CONFLICT at once) and checks
// the state again, as the lock found it.
func decidingObjection(ctx context.Context, tx *sqlx.Tx, id int64, action string) (*objectionRow, Transition, error) {
	if err := needScope(ctx, &objectionMachine, action); err != nil {
		return nil, Transition{}, err
	}
	var row objectionRow
	err := tx.GetContext(ctx, &row, `SELECT `+objectionColumns+` FROM objection WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Transition{}, apperr.New(apperr.NotFound, "there is no objection with this id").With("field", "id")
	}
	if err != nil {
		return nil, Transition{}, err
	}
	if _, err := objectionMachine.transition(ctx, action, State(row.State), row.DepartmentCode); err != nil {
		return nil, Transition{}, err
	}
	if err := lockNowait(ctx, tx, &row, `SELECT `+objectionColumns+` FROM objection WHERE id = $1`, id); err != nil {
		return nil, Transition{}, err
	}
	t, err := objectionMachine.transition(ctx, action, State(row.State), row.DepartmentCode)
	return &row, t, err
}

// CheckObjection records the credit platform's check of a FILED objection
// and passes it to the providing department, whose decision is due
// OBJECTION_DECIDE working days later.
func (s *Service) CheckObjection(ctx context.Context, id int64, key hubdb.Key) (*Objection, error) {
	if _, err := s.Rules(ctx); err != nil {
		return nil, err
	}
	return transact(ctx, s, key, "checkObjection", func(tx *sqlx.Tx, now time.Time) (*Objection, error) {
		row, t, err := decidingObjection(ctx, tx, id, objectionCheck)
		if err != nil {
			return nil, err
		}
		from := State(row.State)
		due, err := s.Due(ctx, RuleObjectionDecide, now)
		if err != nil {
			return nil, err
		}
		if err := tx.GetContext(ctx, row, `UPDATE objection SET state = $2, decision_due = $3 WHERE id = $1 RETURNING `+objectionColumns,
			id, string(t.To), due.String()); err != nil {
			return nil, err
		}
		reason := "passed to " + row.DepartmentCode + ", decision due " + due.String()
		if err := record(ctx, tx, WorkflowObjection, id, objectionCheck, from, t.To, reason, now); err != nil {
			return nil, err
		}
		return row.objection(scalars.DateOf(now)), nil
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
	return transact(ctx, s, key, "extendObjection", func(tx *sqlx.Tx, now time.Time) (*Objection, error) {
		row, t, err := decidingObjection(ctx, tx, id, objectionExtend)
		if err != nil {
			return nil, err
		}
		from := State(row.State)
		was := scalars.DateOf(now)
		if row.DecisionDueOn != nil {
			was = scalars.DateOf(*row.DecisionDueOn)
		}
		if row.Extended {
			return nil, apperr.New(apperr.InvalidTransition,
				"cannot extend an objection that is %s and was already extended once, to %s; its deadline is extended only once", row.State, was).
				With("state", string(row.State)).With("action", objectionExtend)
		}
		due, err := s.Due(ctx, RuleObjectionExtend, was.Time())
		if err != nil {
			return nil, err
		}
		if err := tx.GetContext(ctx, row, `UPDATE objection SET decision_due = $2, extended = true WHERE id = $1 RETURNING `+objectionColumns,
			id, due.String()); err != nil {
			return nil, err
		}
		why := fmt.Sprintf("%s (approved by %s; decision due %s instead of %s)", reason, approvedBy, due, was)
		if err := record(ctx, tx, WorkflowObjection, id, objectionExtend, from, t.To, why, now); err != nil {
			return nil, err
		}
		return row.objection(scalars.DateOf(now)), nil
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
	return transact(ctx, s, key, "upholdObjection", func(tx *sqlx.Tx, now time.Time) (*Objection, error) {
		row, t, err := decidingObjection(ctx, tx, id, objectionUphold)
		if err != nil {
			return nil, err
		}
		from := State(row.State)
		if err := tx.GetContext(ctx, row, `UPDATE objection SET state = $2, outcome = $3, decision_reason = $4 WHERE id = $1 RETURNING `+objectionColumns,
			id, string(t.To), string(outcome), reason); err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowObjection, id, objectionUphold, from, t.To, string(outcome)+": "+reason, now); err != nil {
			return nil, err
		}
		kind := credit.Revoked
		if outcome == OutcomeCorrect {
			kind = credit.Corrected
		}
		if err := addOverlay(ctx, tx, row.RecordID, kind, fields, WorkflowObjection, id, now); err != nil {
			return nil, err
		}
		if err := endOverlay(ctx, tx, credit.UnderObjection, WorkflowObjection, id); err != nil {
			return nil, err
		}
		return row.objection(scalars.DateOf(now)), nil
	})
}

// checkCorrection validates an uphold's outcome and correction and returns
// the fields of the CORRECTED overlay (nil for REVOKE).
func checkCorrection(outcome ObjectionOutcome, c *hubdb.Correction, today scalars.Date) (*hubdb.Correction, error) {
	empty := c == nil || (c.Summary == nil && c.DecisionNo == nil && c.DecisionDate == nil)
	switch outcome {
	case OutcomeRevoke:
		if !empty {
			return nil, apperr.BadInput("correction", "correction goes with outcome CORRECT; a revoked record keeps its fields")
		}
		return nil, nil
	case OutcomeCorrect:
	default:
		return nil, apperr.BadInput("outcome", "outcome must be CORRECT or REVOKE")
	}
	if empty {
		return nil, apperr.BadInput("correction", "outcome CORRECT needs correction with at least one of summary, decisionNo and decisionDate")
	}
	out := &hubdb.Correction{}
	if c.Summary != nil {
		v, err := needText("correction.summary", *c.Summary, maxCorrection)
		if err != nil {
			return nil, err
		}
		out.Summary = &v
	}
	if c.DecisionNo != nil {
		v, err := needText("correction.decisionNo", *c.DecisionNo, maxShortText)
		if err != nil {
			return nil, err
		}
		out.DecisionNo = &v
	}
	if c.DecisionDate != nil {
		if c.DecisionDate.After(today) {
			return nil, apperr.BadInput("correction.decisionDate", "correction.decisionDate %s is in the future; a decision is dated on or before today (%s)", c.DecisionDate, today)
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
	return transact(ctx, s, key, "rejectObjection", func(tx *sqlx.Tx, now time.Time) (*Objection, error) {
		row, t, err := decidingObjection(ctx, tx, id, objectionReject)
		if err != nil {
			return nil, err
		}
		from := State(row.State)
		if err := tx.GetContext(ctx, row, `UPDATE objection SET state = $2, decision_reason = $3 WHERE id = $1 RETURNING `+objectionColumns,
			id, string(t.To), reason); err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowObjection, id, objectionReject, from, t.To, reason, now); err != nil {
			return nil, err
		}
		if err := endOverlay(ctx, tx, credit.UnderObjection, WorkflowObjection, id); err != nil {
			return nil, err
		}
		return row.objection(scalars.DateOf(now)), nil
	})
}

// ObjectionFilter selects objections; zero fields select everything.
type ObjectionFilter struct {
	State      ObjectionState
	Department string
	USCC       string
	// USCCs keeps those of these entities (a page of entities: one
	// statement).
	USCCs   []string
	Overdue *bool
	// WithPersons includes objections against natural persons' records;
	// only callers who may read the persons' data ask for them.
	WithPersons bool
}

// Objections returns the objections matching f, newest first, those with
// ids below after (0: from the newest), at most limit (0: all).
func (s *Service) Objections(ctx context.Context, f ObjectionFilter, after int64, limit int) ([]*Objection, error) {
	today := s.Today()
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.State != "" {
		where = append(where, "state = "+arg(string(f.State)))
	}
	if f.Department != "" {
		where = append(where, "department = "+arg(f.Department))
	}
	if f.USCC != "" {
		where = append(where, "subject_uscc = "+arg(f.USCC))
	}
	if len(f.USCCs) > 0 {
		where = append(where, "subject_uscc = ANY("+arg(pq.StringArray(f.USCCs))+"::text[])")
	}
	if f.Overdue != nil {
		cond := fmt.Sprintf(objectionOverdueSQL, arg(today.String())+"::date")
		if !*f.Overdue {
			cond = "NOT " + cond
		}
		where = append(where, cond)
	}
	if !f.WithPersons {
		where = append(where, "subject_id_no = ''")
	}
	if after > 0 {
		where = append(where, "id < "+arg(after))
	}
	q := `SELECT ` + objectionColumns + ` FROM objection`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if limit > 0 {
		q += " LIMIT " + arg(limit)
	}
	var rows []objectionRow
	if err := sqlx.SelectContext(ctx, s.DB, &rows, q, args...); err != nil {
		return nil, err
	}
	out := make([]*Objection, len(rows))
	for i := range rows {
		out[i] = rows[i].objection(today)
	}
	return out, nil
}

// Objection returns one objection; nil when there is none with that id.
func (s *Service) Objection(ctx context.Context, id int64) (*Objection, error) {
	found, err := s.ObjectionsByID(ctx, []int64{id})
	return found[id], err
}
