package workflow

import (
	"slices"
	"testing"
)

// The machines read as their files say: every action once, every state a
// transition reaches or leaves is one of the machine's states, and each
// machine writes its own history.
func TestMachinesAreWellFormed(t *testing.T) {
	t.Parallel()
	machines := map[*Machine][]State{
		&commitmentMachine: {State(CommitmentSigned), State(CommitmentFulfilled), State(CommitmentBreached), State(CommitmentFoundFalse)},
		&listingMachine:    {State(Listed), State(Removed)},
		&jointCaseMachine:  {State(CaseOpen), State(CaseClosed)},
		&pushMachine:       {State(Pushed), State(Answered)},
		&warningMachine:    {State(WarningOpen), State(WarningAcknowledged), State(WarningAssigned), State(WarningClosed)},
	}
	names := map[string]bool{}
	for m, states := range machines {
		if names[m.Name] {
			t.Errorf("two machines are named %s", m.Name)
		}
		names[m.Name] = true
		actions := map[string]bool{}
		for _, tr := range m.Transitions {
			if actions[tr.Action] {
				t.Errorf("%s: action %s twice (transition finds the first only)", m.Name, tr.Action)
			}
			actions[tr.Action] = true
			if !slices.Contains(states, tr.To) {
				t.Errorf("%s %s: unknown target %s", m.Name, tr.Action, tr.To)
			}
			for _, f := range tr.From {
				if !slices.Contains(states, f) {
					t.Errorf("%s %s: unknown source %s", m.Name, tr.Action, f)
				}
			}
		}
	}
	// Every state but the first is reachable.
	for m, states := range machines {
		for _, s := range states[1:] {
			if !slices.ContainsFunc(m.Transitions, func(tr Transition) bool { return tr.To == s && len(tr.From) > 0 }) {
				t.Errorf("%s: no transition reaches %s", m.Name, s)
			}
		}
	}
}
