// Package workflow holds the hub's state machines: commitments, list
// entries and their interviews, joint-punishment cases, objections and
// repairs. Each has a file of its own that reads top to bottom: its states,
// its transitions (who may make each, from which states), and what each
// transition writes. Every transition is one transaction of the hub's
// database: the new state, the history row and the effects (a credit
// record, an overlay on a department's record, a push) commit together or
// not at all, under the caller's idempotency key.
package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/sqldb"
)

// State is a workflow state.
type State string

// Transition is one allowed move of a state machine.
type Transition struct {
	Action string
	From   []State
	To     State
	// Scope is the scope the caller needs.
	Scope string
	// Owner says whether the caller acts for the department that owns the
	// object (nil: any holder of the scope). It returns a sentence for the
	// refusal.
	Owner func(p *auth.Principal, owner string) error
}

// Machine is a state machine: its name and its transitions.
type Machine struct {
	Name        string
	Transitions []Transition
}

// transition finds the transition for action, checks the caller and the
// current state, and returns it. An action the machine does not know is a
// bug; one the state does not allow is INVALID_TRANSITION naming both.
func (m *Machine) transition(ctx context.Context, action string, current State, owner string) (Transition, error) {
	for _, t := range m.Transitions {
		if t.Action != action {
			continue
		}
		p := auth.FromContext(ctx)
		if t.Scope != "" && !p.HasScope(t.Scope) {
			return t, apperr.New(apperr.Forbidden, "%s of a %s needs the %s scope", action, m.Name, t.Scope).
				With("requiredScopes", []string{t.Scope})
		}
		if t.Owner != nil {
			if err := t.Owner(p, owner); err != nil {
				return t, err
			}
		}
		if current != "" && !slices.Contains(t.From, current) {
			return t, InvalidTransition(m.Name, current, action, t.From)
		}
		return t, nil
	}
	return Transition{}, fmt.Errorf("%s has no action %q", m.Name, action)
}

// InvalidTransition is the error of an action the state does not allow.
func InvalidTransition(machine string, state State, action string, allowed []State) error {
	names := make([]string, len(allowed))
	for i, s := range allowed {
		names[i] = string(s)
	}
	return apperr.New(apperr.InvalidTransition, "cannot %s %s %s that is %s; %s is allowed only from %s",
		action, article(machine), machine, state, action, strings.Join(names, " or ")).
		With("state", string(state)).With("action", action)
}

// Department checks that the caller is a department acting for owner (the
// department that identified, holds or provided the object).
func Department(p *auth.Principal, owner string) error {
	if p.Kind() == auth.KindAdmin {
		return nil
	}
	if p.Kind() != auth.KindDepartment || p.Org() != owner {
		return apperr.New(apperr.Forbidden, "only %s may do this", owner).With("owner", owner)
	}
	return nil
}

// EntityOrDepartment lets the entity itself (kind entity, org = its code)
// or the owning department act.
func EntityOrDepartment(uscc string) func(p *auth.Principal, owner string) error {
	return func(p *auth.Principal, owner string) error {
		if p.IsEntity(uscc) {
			return nil
		}
		return Department(p, owner)
	}
}

// Event is one row of workflow_history.
type Event struct {
	Workflow string    `db:"workflow"`
	ObjectID int64     `db:"object_id"`
	Action   string    `db:"action"`
	From     string    `db:"from_state"`
	To       string    `db:"to_state"`
	Actor    string    `db:"actor"`
	ActorOrg string    `db:"actor_org"`
	At       time.Time `db:"at"`
	Reason   string    `db:"reason"`
}

// record writes the history row of a transition within tx.
func record(ctx context.Context, tx *sqlx.Tx, machine string, id int64, action string, from, to State, reason string, at time.Time) error {
	p := auth.FromContext(ctx)
	_, err := tx.ExecContext(ctx, `INSERT INTO workflow_history (workflow, object_id, action, from_state, to_state, actor, actor_org, at, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, machine, id, action, string(from), string(to), p.Subject(), p.Org(), at, reason)
	return err
}

// History returns the events of objects of a workflow, oldest first, per id.
func History(ctx context.Context, db sqlx.QueryerContext, machine string, ids []int64) (map[int64][]Event, error) {
	var rows []Event
	err := sqlx.SelectContext(ctx, db, &rows, `SELECT workflow, object_id, action, from_state, to_state, actor, actor_org, at, reason
		FROM workflow_history WHERE workflow = $1 AND object_id = ANY($2) ORDER BY object_id, at, id`, machine, pq.Array(ids))
	if err != nil {
		return nil, err
	}
	out := map[int64][]Event{}
	for _, e := range rows {
		out[e.ObjectID] = append(out[e.ObjectID], e)
	}
	return out, nil
}

// lockNowait locks an object's row for a decision. A concurrent decision
// holding the lock makes this one fail at once with CONFLICT rather than
// wait and then find the state changed: of two deciders exactly one wins.
func lockNowait(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	err := tx.GetContext(ctx, dest, query+" FOR UPDATE NOWAIT", args...)
	if sqldb.IsLockNotAvailable(err) {
		return apperr.New(apperr.Conflict, "another decision on this is being made right now; read it again before deciding")
	}
	return err
}

// article is "an" before a vowel, "a" otherwise.
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiouAEIOU", rune(noun[0])) {
		return "an"
	}
	return "a"
}
