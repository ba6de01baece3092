package hubdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// CheckAsked is who asked a batch of credit checks, in which scenario and
// when.
type CheckAsked struct {
	Scenario string
	By       string
	Org      string
	At       time.Time
}

// CheckRow is one credit check as recorded (credit_check): its answer in
// full (Result, JSON) and, for the statistics, whether it was complete,
// the departments missing and the codes of the measures it found.
type CheckRow struct {
	USCC     string          `json:"uscc"`
	Complete bool            `json:"complete"`
	Missing  []string        `json:"missing"`
	Measures []string        `json:"measures"`
	Result   json.RawMessage `json:"result"`
}

// CheckAsker is who asked a recorded check and the measures it found.
type CheckAsker struct {
	Org      string         `db:"asked_org"`
	Measures pq.StringArray `db:"measures"`
}

// MeasureApplication is what an asking system reported doing with a
// measure a check found (measure_application).
type MeasureApplication struct {
	CheckID     int64     `db:"check_id"`
	Measure     string    `db:"measure"`
	Applied     bool      `db:"applied"`
	Note        string    `db:"note"`
	ReportedBy  string    `db:"reported_by"`
	ReportedOrg string    `db:"-"`
	ReportedAt  time.Time `db:"reported_at"`
}

// CheckStats is one asking organisation's checks over a period.
type CheckStats struct {
	Org                string `db:"org"`
	Checks             int    `db:"checks"`
	ChecksWithMeasures int    `db:"with_measures"`
	MeasuresReported   int    `db:"reported"`
	MeasuresApplied    int    `db:"applied"`
}

// CheckStore records credit checks (T19–T20) and what the asking systems
// did with the measures they found.
type CheckStore interface {
	// Record stores a batch of checks in one statement and returns their
	// ids in the order of checks.
	Record(ctx context.Context, asked CheckAsked, checks []CheckRow) ([]int64, error)
	// Asker returns who asked check id and what it found; nil when there
	// is no such check.
	Asker(ctx context.Context, id int64) (*CheckAsker, error)
	// ReportApplication stores what a system did with a measure of a check;
	// a later report on the same check and measure replaces the earlier.
	ReportApplication(ctx context.Context, a MeasureApplication) (MeasureApplication, error)
	// Stats counts, per asking organisation, the checks asked in [from, to),
	// those that found a measure, and the measures reported on and applied.
	Stats(ctx context.Context, from, to time.Time) ([]CheckStats, error)
	// OnEntity returns the checks run on an entity, newest first: those
	// with an id below before (0: from the newest), at most limit, in one
	// statement.
	OnEntity(ctx context.Context, uscc string, before int64, limit int) ([]CheckOnEntity, error)
}

// CheckOnEntity is a check as the entity checked may see it: the asking
// organisation, the scenario and when; not the asking user.
type CheckOnEntity struct {
	ID       int64     `db:"id"`
	Org      string    `db:"asked_org"`
	Scenario string    `db:"scenario"`
	At       time.Time `db:"asked_at"`
	Complete bool      `db:"complete"`
	Measures int       `db:"measures"`
}

// Checks returns the credit check store.
func (d *DB) Checks() CheckStore { return checks{d} }

type checks struct{ d *DB }

// Record draws the ids in the order of the input (a materialised CTE), so
// each check gets its own whatever order the rows are written in.
func (c checks) Record(ctx context.Context, asked CheckAsked, rows []CheckRow) ([]int64, error) {
	doc, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = c.d.sel(ctx, &ids, `
		WITH input AS MATERIALIZED (
			SELECT e.ord, e.v FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(v, ord)
		), ids AS MATERIALIZED (
			SELECT ord, nextval(pg_get_serial_sequence('credit_check', 'id')) AS id FROM input
		), ins AS (
			INSERT INTO credit_check (id, uscc, scenario, asked_by, asked_org, asked_at, complete, missing, measures, result)
			SELECT ids.id, v->>'uscc', $2, $3, $4, $5, (v->>'complete')::boolean,
				ARRAY(SELECT jsonb_array_elements_text(v->'missing')),
				ARRAY(SELECT jsonb_array_elements_text(v->'measures')), v->'result'
			FROM input JOIN ids USING (ord)
		)
		SELECT id FROM ids ORDER BY ord`,
		string(doc), asked.Scenario, asked.By, asked.Org, asked.At)
	if err != nil {
		return nil, fmt.Errorf("recording the credit checks: %w", err)
	}
	if len(ids) != len(rows) {
		return nil, fmt.Errorf("recording the credit checks: %d ids for %d checks", len(ids), len(rows))
	}
	return ids, nil
}

func (c checks) Asker(ctx context.Context, id int64) (*CheckAsker, error) {
	var a CheckAsker
	err := c.d.get(ctx, &a, `SELECT asked_org, measures FROM credit_check WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func (c checks) ReportApplication(ctx context.Context, a MeasureApplication) (MeasureApplication, error) {
	var out MeasureApplication
	err := c.d.get(ctx, &out, `INSERT INTO measure_application (check_id, measure, applied, note, reported_by, reported_org, reported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (check_id, measure) DO UPDATE SET applied = EXCLUDED.applied, note = EXCLUDED.note,
			reported_by = EXCLUDED.reported_by, reported_org = EXCLUDED.reported_org, reported_at = EXCLUDED.reported_at
		RETURNING check_id, measure, applied, note, reported_by, reported_at`,
		a.CheckID, a.Measure, a.Applied, a.Note, a.ReportedBy, a.ReportedOrg, a.ReportedAt)
	out.ReportedOrg = a.ReportedOrg
	return out, err
}

func (c checks) Stats(ctx context.Context, from, to time.Time) ([]CheckStats, error) {
	out := []CheckStats{}
	err := c.d.sel(ctx, &out, `
		SELECT c.asked_org AS org, count(*) AS checks,
			count(*) FILTER (WHERE cardinality(c.measures) > 0) AS with_measures,
			coalesce(sum(a.reported), 0) AS reported, coalesce(sum(a.applied), 0) AS applied
		FROM credit_check c
		LEFT JOIN LATERAL (SELECT count(*) AS reported, count(*) FILTER (WHERE m.applied) AS applied
			FROM measure_application m WHERE m.check_id = c.id) a ON true
		WHERE c.asked_at >= $1 AND c.asked_at < $2
		GROUP BY c.asked_org ORDER BY c.asked_org`, from, to)
	return out, err
}

func (c checks) OnEntity(ctx context.Context, uscc string, before int64, limit int) ([]CheckOnEntity, error) {
	out := []CheckOnEntity{}
	err := c.d.sel(ctx, &out, `SELECT id, asked_org, scenario, asked_at, complete, cardinality(measures) AS measures
		FROM credit_check WHERE uscc = $1 AND ($2 = 0 OR id < $2)
		ORDER BY id DESC LIMIT $3`, uscc, before, limit)
	return out, err
}
