package workflow

// Warnings handled (T25, issue #13): a warning raised by a rule
// (internal/supervision) is followed up by the credit office or a
// department holding warning:handle: acknowledged, assigned to a
// department or a person (again, while assigned), and closed with a note.
//
//	raise        —                             → OPEN          the rules (hubdb.WarningStore.Raise)
//	acknowledge  OPEN                          → ACKNOWLEDGED  warning:handle, the credit office
//	assign       OPEN, ACKNOWLEDGED, ASSIGNED  → ASSIGNED      warning:handle, the credit office or the assignee
//	close        OPEN, ACKNOWLEDGED, ASSIGNED  → CLOSED        warning:handle, the credit office or the assignee
//
// Who, besides warning:handle: the credit office (an admin token, or a
// department token of org credit-office) acts on any warning and assigns
// it to anyone. A department acts only on a warning assigned to it (its
// org is the assignee department): it closes it, or re-assigns it within
// itself (to itself, naming one of its officers); it never takes a warning
// that is not its own, nor passes one to another department. An OPEN
// warning is assigned to no one, so acknowledging is the credit office's.
// Entities, agencies and the public never handle warnings. CLOSED is
// final. What each writes, besides the warning's state and a history row:
//
//	acknowledge  when
//	assign       the assignee (a department of the hub, a person's name,
//	             or both), replacing the one before, and when
//	close        the note and when

import (
	"context"
	"errors"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
)

// WorkflowWarning is the warnings' name in workflow_history. Their history
// starts with the rule's raising ("raise", OPEN), which the store writes
// with the warning (hubdb.WarningStore.Raise).
const WorkflowWarning = hubdb.WarningWorkflow

// WarningState is a warning's state.
type WarningState State

// The warnings' states.
const (
	WarningOpen         WarningState = "OPEN"
	WarningAcknowledged WarningState = "ACKNOWLEDGED"
	WarningAssigned     WarningState = "ASSIGNED"
	WarningClosed       WarningState = "CLOSED"
)

// The warnings' actions, as history rows and errors name them.
const (
	warningAcknowledge = "acknowledge"
	warningAssign      = "assign"
	warningClose       = "close"
)

var warningMachine = Machine{
	Name: WorkflowWarning,
	Transitions: []Transition{
		{Action: warningAcknowledge, From: []State{State(WarningOpen)}, To: State(WarningAcknowledged),
			Scope: auth.ScopeWarningHandle, Owner: warningAssignee},
		{Action: warningAssign, From: []State{State(WarningOpen), State(WarningAcknowledged), State(WarningAssigned)}, To: State(WarningAssigned),
			Scope: auth.ScopeWarningHandle, Owner: warningAssignee},
		{Action: warningClose, From: []State{State(WarningOpen), State(WarningAcknowledged), State(WarningAssigned)}, To: State(WarningClosed),
			Scope: auth.ScopeWarningHandle, Owner: warningAssignee},
	},
}

// warningAssignee lets the credit office act on any warning, and a
// department on a warning assigned to it (owner is the warning's assignee
// department, "" when it has none): never an entity, an agency or the
// public, nor a department on another's warning.
func warningAssignee(p *auth.Principal, owner string) error {
	if creditOffice(p, "") == nil {
		return nil
	}
	if p.Kind() == auth.KindDepartment && owner != "" && p.Org() == owner {
		return nil
	}
	who := "the credit office (" + CreditOfficeOrg + ")"
	if owner != "" {
		who += " or the department it is assigned to (" + owner + ")"
	}
	return apperr.New(apperr.Forbidden, "this warning is handled by %s; a %s token of %s may not", who, p.Kind(), orgOr(p)).
		With("owner", ownerOr(owner))
}

func orgOr(p *auth.Principal) string {
	if p.Org() == "" {
		return "no org"
	}
	return p.Org()
}

func ownerOr(owner string) string {
	if owner == "" {
		return CreditOfficeOrg
	}
	return owner
}

// Assignee is whom a warning is assigned to: a department of the hub (its
// code), a person (a name), or both (a person of that department); nil
// fields are not given.
type Assignee struct {
	Department *string
	Person     *string
}

// AcknowledgeWarning records that an OPEN warning was seen.
func (s *Service) AcknowledgeWarning(ctx context.Context, id int64, key hubdb.Key) (*hubdb.WarningRow, error) {
	return s.changeWarning(ctx, id, warningAcknowledge, "acknowledgeWarning", key, "",
		func(tx *hubdb.DB, to State, now time.Time) (hubdb.WarningRow, error) {
			return tx.Warnings().Acknowledge(ctx, id, hubdb.WarningChange{State: string(to), At: now})
		})
}

// AssignWarning assigns a warning that is not closed to a department, a
// person, or both; a warning already assigned is re-assigned (the new
// assignee replaces the one before).
func (s *Service) AssignWarning(ctx context.Context, id int64, to Assignee, key hubdb.Key) (*hubdb.WarningRow, error) {
	if to.Department == nil && to.Person == nil {
		return nil, apperr.BadInput("department", "assignWarning needs a department (its code), a person (a name), or both")
	}
	if p := auth.FromContext(ctx); p.Kind() == auth.KindDepartment && creditOffice(p, "") != nil && p.HasScope(auth.ScopeWarningHandle) &&
		(to.Department == nil || *to.Department != p.Org()) {
		// A department re-assigns only within itself; whether the warning
		// is its own is checked with the warning (warningAssignee).
		return nil, apperr.New(apperr.Forbidden,
			"a department re-assigns only a warning assigned to it, and only to itself (department: %q, naming one of its officers); the credit office (%s) assigns warnings to other departments",
			p.Org(), CreditOfficeOrg).With("field", "department").With("owner", CreditOfficeOrg)
	}
	var dept, person *string
	reason := "to"
	if to.Department != nil {
		if _, ok := datasources.DepartmentByCode(*to.Department); !ok {
			return nil, apperr.BadInput("department", "unknown department %q; departments are market, environment, fire, housing and court (departments lists them)", truncate(*to.Department))
		}
		dept = to.Department
		reason += " " + *dept
	}
	if to.Person != nil {
		p, err := needText("person", *to.Person, maxShortText)
		if err != nil {
			return nil, err
		}
		person = &p
		reason += " " + p
	}
	return s.changeWarning(ctx, id, warningAssign, "assignWarning", key, reason,
		func(tx *hubdb.DB, to State, now time.Time) (hubdb.WarningRow, error) {
			return tx.Warnings().Assign(ctx, id, hubdb.WarningChange{State: string(to), AssigneeDepartment: dept, AssigneePerson: person, At: now})
		})
}

// CloseWarning closes a warning that is not closed yet, with a note of
// what was done about it. A closed warning stays closed.
func (s *Service) CloseWarning(ctx context.Context, id int64, note string, key hubdb.Key) (*hubdb.WarningRow, error) {
	note, err := needText("note", note, maxReason)
	if err != nil {
		return nil, err
	}
	return s.changeWarning(ctx, id, warningClose, "closeWarning", key, note,
		func(tx *hubdb.DB, to State, now time.Time) (hubdb.WarningRow, error) {
			return tx.Warnings().Close(ctx, id, hubdb.WarningChange{State: string(to), ClosedNote: note, At: now})
		})
}

// changeWarning makes one transition of warning id: in one transaction
// under the caller's idempotency key, it refuses a caller without
// warning:handle before reading anything, locks the warning (a concurrent
// transition gets CONFLICT), checks the state, and writes the change and
// the history row.
func (s *Service) changeWarning(ctx context.Context, id int64, action, operation string, key hubdb.Key, reason string,
	write func(tx *hubdb.DB, to State, now time.Time) (hubdb.WarningRow, error)) (*hubdb.WarningRow, error) {
	return transact(ctx, s, key, operation, func(tx *hubdb.DB, now time.Time) (*hubdb.WarningRow, error) {
		row, t, err := deciding(ctx, &warningMachine, action, tx.Warnings(), "warning", id,
			func(w hubdb.WarningRow) (State, string) {
				if w.AssigneeDepartment == nil {
					return State(w.State), ""
				}
				return State(w.State), *w.AssigneeDepartment
			})
		if err != nil {
			return nil, err
		}
		changed, err := write(tx, t.To, now)
		if errors.Is(err, hubdb.ErrNotFound) {
			return nil, notFound("id", "warning")
		}
		if err != nil {
			return nil, err
		}
		if err := record(ctx, tx, WorkflowWarning, id, action, State(row.State), t.To, reason, now); err != nil {
			return nil, err
		}
		return &changed, nil
	})
}
