package workflow

// The workflow rules: the deadlines the workflows count in working days,
// each with its source (workflow_rule, changed by migration as the law
// changes).

import (
	"context"
	"fmt"
	"time"

	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// Rules returns the workflow rules by code, read once and kept; a failed
// read is not kept, the next call tries again.
func (s *Service) Rules(ctx context.Context) (map[string]Rule, error) {
	s.rulesMu.Lock()
	defer s.rulesMu.Unlock()
	if s.rules != nil {
		return s.rules, nil
	}
	// Not the caller's context: a cancelled request must not poison the
	// cache for everyone.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	rows, err := s.DB.WorkflowRules().All(rctx)
	if err != nil {
		return nil, err
	}
	rules := map[string]Rule{}
	for _, r := range rows {
		rules[r.Code] = Rule(r)
	}
	s.rules = rules
	return rules, nil
}

// RuleList returns the workflow rules in code order, read afresh.
func (s *Service) RuleList(ctx context.Context) ([]*Rule, error) {
	rows, err := s.DB.WorkflowRules().All(ctx)
	return mapRows(rows, func(r *hubdb.RuleRow) *Rule { return (*Rule)(r) }), err
}

// Due returns the date that is the rule's number of working days after t.
func (s *Service) Due(ctx context.Context, rule string, t time.Time) (scalars.Date, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return scalars.Date{}, err
	}
	r, ok := rules[rule]
	if !ok || r.WorkingDays == nil {
		return scalars.Date{}, fmt.Errorf("workflow rule %s has no working days", rule)
	}
	return scalars.DateOf(s.Calendar.AddWorkingDays(t, *r.WorkingDays)), nil
}
