package hubdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// GradeFactor is a row of grade_factor: one fact that moves an entity's
// grade, with its weight in points.
type GradeFactor struct {
	Code        string `db:"code"`
	Description string `db:"description"`
	Points      int    `db:"points"`
	Source      string `db:"source"`
}

// GradeThreshold is a row of grade_threshold: the most points a grade
// allows (nil: no bound).
type GradeThreshold struct {
	Grade     string `db:"grade"`
	MaxPoints *int   `db:"max_points"`
	Meaning   string `db:"meaning"`
	Source    string `db:"source"`
}

// StoredGrade is an entity's grade as stored (entity_grade), with the
// division and kind the distribution counts it under.
type StoredGrade struct {
	USCC     string          `json:"uscc"`
	Grade    string          `json:"grade"`
	Points   int             `json:"points"`
	Reasons  json.RawMessage `json:"reasons"`
	Division string          `json:"division"`
	Kind     string          `json:"kind"`
	Complete bool            `json:"complete"`
}

// GradeCount is how many entities of a division and kind have a grade, and
// when the latest of them was computed.
type GradeCount struct {
	Division   string    `db:"division"`
	Kind       string    `db:"kind"`
	Grade      string    `db:"grade"`
	Count      int       `db:"n"`
	ComputedAt time.Time `db:"at"`
}

// gradeLock is the PostgreSQL advisory lock that lets one hub instance at
// a time recompute every grade, and keeps the regrades out meanwhile.
const gradeLock int64 = 0x63686762_67726164 // "chgbgrad"

// GradeStore keeps the grading model (T12), the stored grades and the marks
// on grades whose facts changed, and reads the one fact of a grade the hub
// itself holds: fulfilled commitments.
type GradeStore interface {
	// Factors returns the grading model's factors, heaviest first.
	Factors(ctx context.Context) ([]GradeFactor, error)
	// Thresholds returns the grading model's thresholds in grade order.
	Thresholds(ctx context.Context) ([]GradeThreshold, error)
	// FulfilledCommitments counts each entity's fulfilled commitments, in
	// one statement; entities without any are absent.
	FulfilledCommitments(ctx context.Context, usccs []string) (map[string]int, error)

	// Save stores the grades in one statement, computed at at, replacing
	// the entities' earlier grades.
	Save(ctx context.Context, grades []StoredGrade, at time.Time) error
	// Stored returns the stored grade of each of usccs that has one.
	Stored(ctx context.Context, usccs []string) (map[string]string, error)
	// DropComputedBefore drops the grades computed before t: those of
	// entities a full recompute did not reach.
	DropComputedBefore(ctx context.Context, t time.Time) error
	// Drop drops the grades of usccs.
	Drop(ctx context.Context, usccs []string) error
	// SnapshotMonth keeps the distribution of the stored grades as the
	// month of at's (China Standard Time), replacing an earlier one of that
	// month: the history cityStats.grades reads.
	SnapshotMonth(ctx context.Context, at time.Time) error
	// Distribution counts the stored grades by division, kind and grade,
	// of one division and kind when given ("" for all).
	Distribution(ctx context.Context, division, kind string) ([]GradeCount, error)

	// RecomputeAlone waits until no other transaction recomputes or
	// regrades, and keeps them out until this transaction ends: one full
	// recompute at a time, across instances.
	RecomputeAlone(ctx context.Context) error
	// TryRecomputeAlone is RecomputeAlone without the wait: false, and
	// nothing held, when another transaction recomputes or regrades.
	TryRecomputeAlone(ctx context.Context) (bool, error)
	// LastRecompute is when the latest full recompute committed (zero:
	// never), from the month snapshots it writes.
	LastRecompute(ctx context.Context) (time.Time, error)
	// TryRegradeWithoutRecompute reports whether no full recompute runs
	// and, when none does, keeps one from starting until this transaction
	// ends. Regrades of several instances run side by side.
	TryRegradeWithoutRecompute(ctx context.Context) (bool, error)

	// MarkStale records, within the transaction that changed their facts,
	// that these entities' stored grades are out of date; an entity
	// already marked keeps its first mark.
	MarkStale(ctx context.Context, usccs []string) error
	// ClaimStale returns up to limit marked entities, oldest mark first,
	// each claimed (locked) until this transaction ends; marks another
	// transaction claimed are skipped (SKIP LOCKED), so that instances
	// share the marks.
	ClaimStale(ctx context.Context, limit int) ([]string, error)
	// ClearStale removes the marks of usccs.
	ClearStale(ctx context.Context, usccs []string) error
}

// Grades returns the grade store.
func (d *DB) Grades() GradeStore { return grades{d} }

type grades struct{ d *DB }

func (g grades) Factors(ctx context.Context) ([]GradeFactor, error) {
	var out []GradeFactor
	if err := g.d.sel(ctx, &out, `SELECT code, description, points, source FROM grade_factor ORDER BY points DESC, code`); err != nil {
		return nil, fmt.Errorf("loading the grade factors: %w", err)
	}
	return out, nil
}

func (g grades) Thresholds(ctx context.Context) ([]GradeThreshold, error) {
	var out []GradeThreshold
	if err := g.d.sel(ctx, &out, `SELECT grade, max_points, meaning, source FROM grade_threshold ORDER BY grade`); err != nil {
		return nil, fmt.Errorf("loading the grade thresholds: %w", err)
	}
	return out, nil
}

func (g grades) FulfilledCommitments(ctx context.Context, usccs []string) (map[string]int, error) {
	var rows []struct {
		USCC string `db:"uscc"`
		N    int    `db:"n"`
	}
	err := g.d.sel(ctx, &rows, `SELECT uscc, count(*) AS n FROM commitment
		WHERE uscc = ANY($1) AND state = 'FULFILLED' GROUP BY uscc`, pq.Array(usccs))
	if err != nil {
		return nil, fmt.Errorf("counting fulfilled commitments: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.USCC] = r.N
	}
	return out, nil
}

func (g grades) Save(ctx context.Context, rows []StoredGrade, at time.Time) error {
	doc, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	_, err = g.d.exec(ctx, `INSERT INTO entity_grade (uscc, grade, points, reasons, division, kind, complete, computed_at)
		SELECT r.uscc, r.grade, r.points, r.reasons, r.division, r.kind, r.complete, $2
		FROM jsonb_to_recordset($1::jsonb) AS r(uscc text, grade text, points int, reasons jsonb, division text, kind text, complete boolean)
		ON CONFLICT (uscc) DO UPDATE SET grade = EXCLUDED.grade, points = EXCLUDED.points, reasons = EXCLUDED.reasons,
			division = EXCLUDED.division, kind = EXCLUDED.kind, complete = EXCLUDED.complete, computed_at = EXCLUDED.computed_at`,
		string(doc), at)
	if err != nil {
		return fmt.Errorf("storing grades: %w", err)
	}
	return nil
}

func (g grades) Stored(ctx context.Context, usccs []string) (map[string]string, error) {
	var rows []struct {
		USCC  string `db:"uscc"`
		Grade string `db:"grade"`
	}
	if err := g.d.sel(ctx, &rows, `SELECT uscc, grade FROM entity_grade WHERE uscc = ANY($1)`, pq.Array(usccs)); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.USCC] = r.Grade
	}
	return out, nil
}

func (g grades) DropComputedBefore(ctx context.Context, t time.Time) error {
	_, err := g.d.exec(ctx, `DELETE FROM entity_grade WHERE computed_at < $1`, t)
	return err
}

func (g grades) SnapshotMonth(ctx context.Context, at time.Time) error {
	month := at.In(cstZone).Format("2006-01")
	_, err := g.d.exec(ctx, `DELETE FROM grade_month WHERE month = $1`, month)
	if err != nil {
		return err
	}
	_, err = g.d.exec(ctx, `INSERT INTO grade_month (month, division, grade, entities, computed_at)
		SELECT $1, division, grade, count(*), $2 FROM entity_grade GROUP BY division, grade`, month, at)
	return err
}

var cstZone = time.FixedZone("CST", 8*3600)

func (g grades) Drop(ctx context.Context, usccs []string) error {
	_, err := g.d.exec(ctx, `DELETE FROM entity_grade WHERE uscc = ANY($1)`, pq.StringArray(usccs))
	return err
}

func (g grades) Distribution(ctx context.Context, division, kind string) ([]GradeCount, error) {
	var out []GradeCount
	err := g.d.sel(ctx, &out, `SELECT division, kind, grade, count(*) AS n, max(computed_at) AS at
		FROM entity_grade WHERE ($1 = '' OR division = $1) AND ($2 = '' OR kind = $2)
		GROUP BY division, kind, grade ORDER BY division, kind, grade`, division, kind)
	return out, err
}

// errLockOutsideTx: the grade locks are transaction locks; outside a
// transaction they would be released as soon as they were taken.
var errLockOutsideTx = errors.New("hubdb: a grade lock outside a transaction")

func (g grades) RecomputeAlone(ctx context.Context) error {
	if !g.d.InTx() {
		return errLockOutsideTx
	}
	_, err := g.d.exec(ctx, `SELECT pg_advisory_xact_lock($1)`, gradeLock)
	return err
}

func (g grades) TryRecomputeAlone(ctx context.Context) (bool, error) {
	return g.try(ctx, `SELECT pg_try_advisory_xact_lock($1)`)
}

func (g grades) LastRecompute(ctx context.Context) (time.Time, error) {
	var at *time.Time
	err := g.d.get(ctx, &at, `SELECT max(computed_at) FROM grade_month`)
	if err != nil || at == nil {
		return time.Time{}, err
	}
	return *at, nil
}

func (g grades) TryRegradeWithoutRecompute(ctx context.Context) (bool, error) {
	return g.try(ctx, `SELECT pg_try_advisory_xact_lock_shared($1)`)
}

func (g grades) try(ctx context.Context, query string) (bool, error) {
	if !g.d.InTx() {
		return false, errLockOutsideTx
	}
	var got bool
	err := g.d.get(ctx, &got, query, gradeLock)
	return got, err
}

func (g grades) MarkStale(ctx context.Context, usccs []string) error {
	if len(usccs) == 0 {
		return nil
	}
	_, err := g.d.exec(ctx, `INSERT INTO grade_stale (uscc) SELECT DISTINCT u FROM unnest($1::text[]) AS u WHERE u <> ''
		ON CONFLICT (uscc) DO NOTHING`, pq.StringArray(usccs))
	return err
}

func (g grades) ClaimStale(ctx context.Context, limit int) ([]string, error) {
	var out []string
	err := g.d.sel(ctx, &out, `SELECT uscc FROM grade_stale ORDER BY since, uscc LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
	return out, err
}

func (g grades) ClearStale(ctx context.Context, usccs []string) error {
	_, err := g.d.exec(ctx, `DELETE FROM grade_stale WHERE uscc = ANY($1)`, pq.StringArray(usccs))
	return err
}
