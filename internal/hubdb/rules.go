package hubdb

import "context"

// RuleRow is a row of workflow_rule: a deadline or rule a workflow follows,
// with its source. The rules change with the law, by migration.
type RuleRow struct {
	Code        string `db:"code"`
	Description string `db:"description"`
	WorkingDays *int   `db:"working_days"`
	Source      string `db:"source"`
}

// RuleStore reads the workflow rules.
type RuleStore interface {
	// All returns every rule in code order.
	All(ctx context.Context) ([]RuleRow, error)
}

// WorkflowRules returns the workflow rules.
func (d *DB) WorkflowRules() RuleStore { return rules{d} }

type rules struct{ d *DB }

func (r rules) All(ctx context.Context) ([]RuleRow, error) {
	var rows []RuleRow
	err := r.d.sel(ctx, &rows, `SELECT code, description, working_days, source FROM workflow_rule ORDER BY code`)
	return rows, err
}
