package supervision

// Warnings (T25, 信用分析预警): rules kept as data (warning_rule) raise
// warnings on entities from what the departments add to their tables and
// from the hub's list entries. The rules are warningrules.go; the Scanner
// (scanner.go) applies them to what is new; the Broker (broker.go) hands
// each new warning to the subscriptions of every instance. This file is
// the warnings as the graph reads them.

import (
	"context"
	"slices"
	"time"

	"credithub/internal/hubdb"
)

// Warning is a raised warning with its rule and how far it was handled
// (acknowledged, assigned, closed: internal/workflow/warning.go).
type Warning struct {
	ID       int64
	USCC     string
	Level    string
	Message  string
	RecordID string
	RaisedAt time.Time
	Rule     Rule
	State    string
	// AssigneeDepartment and AssigneePerson are whom it is assigned to
	// ("" for none).
	AssigneeDepartment string
	AssigneePerson     string
	ClosedNote         *string
	// Division is the entity's division ("" while unknown).
	Division string
}

// WarningOf maps a stored warning.
func WarningOf(r *hubdb.WarningRow) *Warning {
	w := &Warning{ID: r.ID, USCC: r.USCC, Level: r.Level, Message: r.Message, RecordID: r.RecordID, RaisedAt: r.RaisedAt,
		Rule: Rule(r.Rule), State: r.State, ClosedNote: r.ClosedNote}
	if r.AssigneeDepartment != nil {
		w.AssigneeDepartment = *r.AssigneeDepartment
	}
	if r.AssigneePerson != nil {
		w.AssigneePerson = *r.AssigneePerson
	}
	if r.Division != nil {
		w.Division = *r.Division
	}
	return w
}

func warningsOf(rows []*hubdb.WarningRow) []*Warning {
	out := make([]*Warning, len(rows))
	for i, r := range rows {
		out[i] = WarningOf(r)
	}
	return out
}

// Filter selects warnings; zero fields do not restrict.
type Filter struct {
	USCC  string
	Level string
	Rule  string
	Since time.Time
	// States are the states to select (any of them).
	States []string
	// Division is the entity's division.
	Division string
}

// Matches reports whether w passes the filter.
func (f Filter) Matches(w *Warning) bool {
	return (f.USCC == "" || w.USCC == f.USCC) && (f.Level == "" || w.Level == f.Level) &&
		(f.Rule == "" || w.Rule.Code == f.Rule) && (f.Since.IsZero() || !w.RaisedAt.Before(f.Since)) &&
		(len(f.States) == 0 || slices.Contains(f.States, w.State)) && (f.Division == "" || w.Division == f.Division)
}

// ListWarnings returns up to limit warnings matching f, newest first (by
// id), with an id below before when before > 0, in one statement.
func (s *Service) ListWarnings(ctx context.Context, f Filter, before int64, limit int) ([]*Warning, error) {
	rows, err := s.DB.Warnings().List(ctx, hubdb.WarningFilter(f), before, limit)
	if err != nil {
		return nil, err
	}
	return warningsOf(rows), nil
}

// WarningRules returns the warning rules in code order.
func (s *Service) WarningRules(ctx context.Context) ([]Rule, error) {
	return loadRules(ctx, s.DB)
}
