// Package workflow holds the hub's state machines: commitments, list
// entries and their interviews, joint-punishment cases, objections and
// repairs. Each has a file of its own that reads top to bottom: its states,
// its transitions (who may make each, from which states), and what each
// transition writes. Every transition is one transaction of the hub's
// database: the new state, the history row and the effects (a credit
// record, an overlay on a department's record, a push) commit together or
// not at all, under the caller's idempotency key.
//
// The rows are package hubdb's: a transition locks its object, checks the
// transition, writes the new state, the history row and the effects, each
// through one store call on the *hubdb.DB its transaction hands it
// (transact). This package writes no SQL.
package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
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
		if err := m.refuseScope(p, t); err != nil {
			return t, err
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

// needScope refuses a caller without the scope an action needs before
// anything is read or locked, so that a caller who may not decide takes no
// lock that would turn a rightful decider's attempt into a CONFLICT.
func needScope(ctx context.Context, m *Machine, action string) error {
	for _, t := range m.Transitions {
		if t.Action == action {
			return m.refuseScope(auth.FromContext(ctx), t)
		}
	}
	return nil
}

// lockable is a store of objects that are decided with a row lock.
type lockable[R any] interface {
	Get(ctx context.Context, id int64) (R, error)
	LockForDecision(ctx context.Context, id int64) (R, error)
}

// deciding reads object id of store (what it is, for NOT_FOUND) for action
// within a transition's transaction. It refuses a caller without the scope
// first (needScope), checks the caller and the state without a lock, then
// locks the row (NOWAIT: a concurrent decider makes this one fail with
// CONFLICT at once) and checks the state again, as the lock found it.
// stateOf gives an object's state and the department that owns it.
func deciding[R any](ctx context.Context, m *Machine, action string, store lockable[R], what string, id int64, stateOf func(R) (State, string)) (R, Transition, error) {
	var row R
	if err := needScope(ctx, m, action); err != nil {
		return row, Transition{}, err
	}
	row, err := store.Get(ctx, id)
	if errors.Is(err, hubdb.ErrNotFound) {
		return row, Transition{}, notFound("id", what)
	}
	if err != nil {
		return row, Transition{}, err
	}
	state, owner := stateOf(row)
	if _, err := m.transition(ctx, action, state, owner); err != nil {
		return row, Transition{}, err
	}
	if row, err = store.LockForDecision(ctx, id); err != nil {
		return row, Transition{}, err
	}
	state, owner = stateOf(row)
	t, err := m.transition(ctx, action, state, owner)
	return row, t, err
}

// refuseScope is the error of a caller without the scope t needs; nil
// when it has it.
func (m *Machine) refuseScope(p *auth.Principal, t Transition) error {
	if t.Scope == "" || p.HasScope(t.Scope) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "%s of a %s needs the %s scope", t.Action, m.Name, t.Scope).
		With("requiredScopes", []string{t.Scope})
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

// record writes the history row of a transition the caller makes.
func record(ctx context.Context, tx *hubdb.DB, machine string, id int64, action string, from, to State, reason string, at time.Time) error {
	p := auth.FromContext(ctx)
	return tx.History().Record(ctx, hubdb.EventRow{Workflow: machine, ObjectID: id, Action: action, From: string(from), To: string(to),
		Actor: p.Subject(), ActorOrg: p.Org(), At: at, Reason: reason})
}

// actorName is how a row names who wrote it: the caller's org and subject.
func actorName(ctx context.Context) string {
	p := auth.FromContext(ctx)
	return p.Org() + ":" + p.Subject()
}

// History returns the events of objects of a workflow, oldest first, by
// object id, in one statement.
func (s *Service) History(ctx context.Context, machine string, ids []int64) (map[int64][]*Event, error) {
	rows, err := s.DB.History().Of(ctx, machine, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]*Event, len(rows))
	for id, events := range rows {
		for i := range events {
			out[id] = append(out[id], (*Event)(&events[i]))
		}
	}
	return out, nil
}

// article is "an" before a vowel, "a" otherwise.
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiouAEIOU", rune(noun[0])) {
		return "an"
	}
	return "a"
}
