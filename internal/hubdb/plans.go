package hubdb

import (
	"context"
	"encoding/json"
	"time"
)

// NewPlan is an inspection plan as a department draws it.
type NewPlan struct {
	Department string
	Title      string
	Seed       string
	// Population describes the population drawn from (JSON): the filter,
	// its size and its grades.
	Population []byte
	// Ratios are the share of each grade drawn (JSON).
	Ratios              []byte
	InspectorsPerEntity int
	PopulationSize      int
	CreatedBy           string
	CreatedAt           time.Time
}

// SampleRow is an entity of a plan's sample with its grade and the ids of
// its inspectors.
type SampleRow struct {
	USCC       string  `json:"uscc"`
	Grade      string  `json:"grade"`
	Inspectors []int64 `json:"inspectors"`
}

// PlanRow is a stored inspection plan with its sample's size.
type PlanRow struct {
	ID             int64     `db:"id"`
	Department     string    `db:"department"`
	Title          string    `db:"title"`
	Seed           string    `db:"seed"`
	PopulationSize int       `db:"population_size"`
	SampleSize     int       `db:"sample_size"`
	Ratios         []byte    `db:"ratios"`
	CreatedAt      time.Time `db:"created_at"`
}

// SampledInspector is one inspector sent to one sampled entity, with the
// result of the entity's inspection once recorded (the hub record it
// became and when; nil before).
type SampledInspector struct {
	USCC       string     `db:"uscc"`
	Name       string     `db:"name"`
	BadgeNo    string     `db:"badge_no"`
	Department string     `db:"department"`
	RecordID   *int64     `db:"record_id"`
	RecordedAt *time.Time `db:"recorded_at"`
}

// PlanStore keeps the double-random inspection plans (T13) and their
// samples.
type PlanStore interface {
	// Create stores a plan and returns its id and creation time as stored.
	Create(ctx context.Context, p NewPlan) (id int64, createdAt time.Time, err error)
	// AddSample stores a plan's sample in one statement.
	AddSample(ctx context.Context, planID int64, sample []SampleRow) error
	// List returns plans newest first, of one department when given,
	// after the plan with id after (0: from the newest), at most limit.
	List(ctx context.Context, department string, after int64, limit int) ([]PlanRow, error)
	// ByID returns one plan, or nil when there is none with that id.
	ByID(ctx context.Context, id int64) (*PlanRow, error)
	// Sample returns a plan's sampled entities with their inspectors, in
	// code order and each entity's inspectors in the order drawn, and
	// each one's inspection result once recorded, in one statement.
	Sample(ctx context.Context, planID int64) ([]SampledInspector, error)
}

// Plans returns the inspection plan store.
func (d *DB) Plans() PlanStore { return plans{d} }

type plans struct{ d *DB }

func (p plans) Create(ctx context.Context, n NewPlan) (int64, time.Time, error) {
	var row struct {
		ID        int64     `db:"id"`
		CreatedAt time.Time `db:"created_at"`
	}
	err := p.d.get(ctx, &row, `INSERT INTO inspection_plan (department, title, seed, population, ratios, inspectors_per_entity,
			population_size, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, created_at`,
		n.Department, n.Title, n.Seed, n.Population, n.Ratios, n.InspectorsPerEntity, n.PopulationSize, n.CreatedBy, n.CreatedAt)
	return row.ID, row.CreatedAt, err
}

func (p plans) AddSample(ctx context.Context, planID int64, sample []SampleRow) error {
	doc, err := json.Marshal(sample)
	if err != nil {
		return err
	}
	_, err = p.d.exec(ctx, `INSERT INTO plan_sample (plan_id, uscc, grade, inspectors)
		SELECT $1, r.uscc, r.grade, ARRAY(SELECT jsonb_array_elements_text(r.inspectors)::bigint)
		FROM jsonb_to_recordset($2::jsonb) AS r(uscc text, grade text, inspectors jsonb)`, planID, string(doc))
	return err
}

// planColumns reads a plan with its sample's size.
const planColumns = `p.id, p.department, p.title, p.seed, p.population_size, p.ratios, p.created_at,
	(SELECT count(*) FROM plan_sample s WHERE s.plan_id = p.id) AS sample_size`

func (p plans) List(ctx context.Context, department string, after int64, limit int) ([]PlanRow, error) {
	out := []PlanRow{}
	err := p.d.sel(ctx, &out, `SELECT `+planColumns+` FROM inspection_plan p
		WHERE ($1 = '' OR p.department = $1) AND ($2 = 0 OR p.id < $2) ORDER BY p.id DESC LIMIT $3`, department, after, limit)
	return out, err
}

func (p plans) ByID(ctx context.Context, id int64) (*PlanRow, error) {
	var out []PlanRow
	if err := p.d.sel(ctx, &out, `SELECT `+planColumns+` FROM inspection_plan p WHERE p.id = $1`, id); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

func (p plans) Sample(ctx context.Context, planID int64) ([]SampledInspector, error) {
	var out []SampledInspector
	err := p.d.sel(ctx, &out, `SELECT s.uscc, i.name, i.badge_no, i.department, r.record_id, r.recorded_at
		FROM plan_sample s CROSS JOIN LATERAL unnest(s.inspectors) WITH ORDINALITY AS u(inspector_id, ord)
		JOIN inspector i ON i.id = u.inspector_id
		LEFT JOIN inspection_result r ON r.plan_id = s.plan_id AND r.uscc = s.uscc
		WHERE s.plan_id = $1 ORDER BY s.uscc, u.ord`, planID)
	return out, err
}
