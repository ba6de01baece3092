package hubdb

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"time"

	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// InspectionFindingRow is one problem an inspection found (the findings column,
// JSON), with the day it must be corrected by.
type InspectionFindingRow struct {
	Code        string        `json:"code"`
	Description string        `json:"description"`
	RectifyBy   *scalars.Date `json:"rectifyBy,omitempty"`
}

// InspectionFindings are an inspection's findings (a jsonb column).
type InspectionFindings []InspectionFindingRow

// Value writes the findings as JSON (an empty list, never null).
func (f InspectionFindings) Value() (driver.Value, error) {
	if f == nil {
		f = InspectionFindings{}
	}
	return json.Marshal(f)
}

// Scan reads the findings from their JSON.
func (f *InspectionFindings) Scan(src any) error { return scanJSON(src, f, "an inspection's findings") }

// InspectionResultRow is a row of inspection_result: the result of
// inspecting one entity a plan drew, and the hub record it became. Its
// DATE column reads as midnight UTC of the day and is written as the
// China Standard Time date of the time given.
type InspectionResultRow struct {
	PlanID      int64              `db:"plan_id"`
	USCC        string             `db:"uscc"`
	Department  string             `db:"department"`
	Result      string             `db:"result"`
	Passed      bool               `db:"passed"`
	InspectedOn time.Time          `db:"inspected_on"`
	DecisionNo  *string            `db:"decision_no"`
	Findings    InspectionFindings `db:"findings"`
	RecordID    int64              `db:"record_id"`
	RecordedBy  string             `db:"recorded_by"`
	RecordedAt  time.Time          `db:"recorded_at"`
}

const inspectionResultColumns = `plan_id, uscc, department, result, passed, inspected_on, decision_no, findings,
	record_id, recorded_by, recorded_at`

// InspectionResultStore keeps the results of plans' inspections (T13).
type InspectionResultStore interface {
	// Drawn reports whether plan planID drew the entity uscc, and locks
	// its sample row for the result (FOR UPDATE: two results of one
	// entity are recorded one after the other).
	Drawn(ctx context.Context, planID int64, uscc string) (bool, error)
	// Of returns the entity's result in a plan; nil when none was
	// recorded.
	Of(ctx context.Context, planID int64, uscc string) (*InspectionResultRow, error)
	// Add writes a result.
	Add(ctx context.Context, r InspectionResultRow) error
}

// InspectionResults returns the inspection result store.
func (d *DB) InspectionResults() InspectionResultStore { return inspectionResults{d} }

type inspectionResults struct{ d *DB }

func (s inspectionResults) Drawn(ctx context.Context, planID int64, uscc string) (bool, error) {
	var n []int
	if err := s.d.sel(ctx, &n, `SELECT 1 FROM plan_sample WHERE plan_id = $1 AND uscc = $2 FOR UPDATE`, planID, uscc); err != nil {
		return false, err
	}
	return len(n) > 0, nil
}

func (s inspectionResults) Of(ctx context.Context, planID int64, uscc string) (*InspectionResultRow, error) {
	var out []InspectionResultRow
	if err := s.d.sel(ctx, &out, `SELECT `+inspectionResultColumns+` FROM inspection_result WHERE plan_id = $1 AND uscc = $2`, planID, uscc); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

func (s inspectionResults) Add(ctx context.Context, r InspectionResultRow) error {
	_, err := s.d.exec(ctx, `INSERT INTO inspection_result (`+inspectionResultColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.PlanID, r.USCC, r.Department, r.Result, r.Passed, day(r.InspectedOn), r.DecisionNo, r.Findings,
		r.RecordID, r.RecordedBy, r.RecordedAt)
	if sqldb.IsUniqueViolation(err, "inspection_result_pkey") {
		return ErrAlreadyOpen
	}
	return err
}
