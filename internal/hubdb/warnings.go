package hubdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/internal/apperr"
	"credithub/internal/sqldb"
)

// WarningChannel is the PostgreSQL channel on which the transaction that
// raises a warning announces its id.
const WarningChannel = "credithub_warning"

// WarningWorkflow names the warnings in workflow_history: their raising
// (action "raise", by WarningRaiser) and their handling
// (internal/workflow/warning.go).
const WarningWorkflow = "warning"

// WarningRaiser is the actor of a warning's "raise" event: the rules.
const WarningRaiser = "warning-rules"

// WarningScanLock is the key of the PostgreSQL advisory lock a warning scan
// holds (WarningStore.ScanAlone): one hub instance scans at a time.
const WarningScanLock int64 = 0x637265646974_25 // "credit", T25

// WarningRule is a row of warning_rule.
type WarningRule struct {
	Code        string  `db:"code"`
	Description string  `db:"description"`
	Kind        string  `db:"kind"`
	Threshold   float64 `db:"threshold"`
	Level       string  `db:"level"`
	Active      bool    `db:"active"`
	Source      string  `db:"source"`
}

// WarningRow is a raised warning (warning) with its rule, how far it was
// handled (internal/workflow/warning.go), and its entity's division.
type WarningRow struct {
	ID       int64       `db:"id"`
	USCC     string      `db:"uscc"`
	Level    string      `db:"level"`
	Message  string      `db:"message"`
	RecordID string      `db:"record_id"`
	RaisedAt time.Time   `db:"raised_at"`
	Rule     WarningRule `db:"rule"`
	// State is OPEN, ACKNOWLEDGED, ASSIGNED or CLOSED.
	State              string     `db:"state"`
	AssigneeDepartment *string    `db:"assignee_department"`
	AssigneePerson     *string    `db:"assignee_person"`
	ClosedNote         *string    `db:"closed_note"`
	AcknowledgedAt     *time.Time `db:"acknowledged_at"`
	AssignedAt         *time.Time `db:"assigned_at"`
	ClosedAt           *time.Time `db:"closed_at"`
	// Division is the entity's division as its stored grade has it
	// (entity_grade, from the registry); nil while the entity has none.
	Division *string `db:"division"`
}

// WarningFilter selects warnings; zero fields do not restrict.
type WarningFilter struct {
	USCC  string
	Level string
	Rule  string
	Since time.Time
	// States are the states to list (any of them).
	States []string
	// Division is the entity's division (entity_grade.division).
	Division string
}

// WarningChange is what a transition of a warning writes: its new state,
// and the assignee (Assign) or the closing note (Close).
type WarningChange struct {
	State              string
	AssigneeDepartment *string
	AssigneePerson     *string
	ClosedNote         string
	At                 time.Time
}

// WarningCount is how many warnings of a rule are open (not CLOSED) on
// entities of a division; Division is nil for entities without a stored
// grade (entity_grade) yet.
type WarningCount struct {
	Rule     string  `db:"rule"`
	Division *string `db:"division"`
	Open     int     `db:"open"`
}

// NewWarning is a warning a rule raises, before it is stored.
type NewWarning struct {
	Rule     string
	USCC     string
	Level    string
	Message  string
	RecordID string
}

// RectificationDue is a list entry whose rectification deadline is near,
// its dates as YYYY-MM-DD.
type RectificationDue struct {
	ID         int64  `db:"id"`
	USCC       string `db:"uscc"`
	ListType   string `db:"list_type"`
	Department string `db:"department"`
	EnteredOn  string `db:"entered_on"`
	RectifyBy  string `db:"rectify_by"`
	DaysLeft   int    `db:"days_left"`
}

// WarningStore keeps the warnings (T25): the rules as data, the warnings
// raised, and the warning scan's watermarks (scan_watermark: per
// department and record kind, the last row read).
type WarningStore interface {
	// Rules returns the warning rules in code order.
	Rules(ctx context.Context) ([]WarningRule, error)
	// Get reads warning id without a lock; ErrNotFound when there is none.
	Get(ctx context.Context, id int64) (WarningRow, error)
	// LockForDecision reads warning id and locks it for a transition;
	// ErrNotFound when there is none, CONFLICT when another transition
	// holds it.
	LockForDecision(ctx context.Context, id int64) (WarningRow, error)
	// Acknowledge writes an acknowledgement: the state and when.
	Acknowledge(ctx context.Context, id int64, c WarningChange) (WarningRow, error)
	// Assign writes an assignment: the state, the assignee (replacing the
	// one before) and when.
	Assign(ctx context.Context, id int64, c WarningChange) (WarningRow, error)
	// Close writes the closing: the state, the note and when.
	Close(ctx context.Context, id int64, c WarningChange) (WarningRow, error)
	// OpenCounts counts the warnings not CLOSED by rule and division (of
	// the given divisions only, when any), in one statement, ordered by
	// rule and division (nil last).
	OpenCounts(ctx context.Context, divisions []string) ([]WarningCount, error)
	// List returns up to limit warnings matching f, newest first (by id),
	// with an id below before when before > 0, in one statement.
	List(ctx context.Context, f WarningFilter, before int64, limit int) ([]*WarningRow, error)
	// Announced returns the warnings with the given ids, and those above
	// after when after > 0, oldest first (at most 10,000).
	Announced(ctx context.Context, ids []int64, after int64) ([]*WarningRow, error)
	// LastID returns the highest warning id (0 when none was raised).
	LastID(ctx context.Context) (int64, error)
	// LastRaised returns, for each of usccs that rule warned since since,
	// when it last did.
	LastRaised(ctx context.Context, rule string, usccs []string, since time.Time) (map[string]time.Time, error)
	// RectificationsDue returns the listed entries whose rectification
	// deadline falls within days of today (YYYY-MM-DD), in id order.
	RectificationsDue(ctx context.Context, today string, days int) ([]RectificationDue, error)
	// Raise stores the warnings not raised before (unique per rule, entity
	// and record), OPEN, each with its history's first event ("raise"), and
	// announces each new one on WarningChannel, within the transaction: the announcements go out when it commits, and not at
	// all if it does not. It returns the new warnings' ids in order.
	Raise(ctx context.Context, ws []NewWarning, at time.Time) ([]int64, error)

	// ScanAlone runs scan while this instance alone scans: it holds
	// WarningScanLock, a session lock, on one connection, and every
	// statement of scan (its transactions too) runs on that connection.
	// It returns false, without running scan, when another instance holds
	// the lock.
	ScanAlone(ctx context.Context, scan func(conn *DB) error) (bool, error)
	// Watermarked returns the record kinds of a department that have a
	// watermark.
	Watermarked(ctx context.Context, source string) ([]string, error)
	// StartWatermark sets a kind's first watermark at lastID; false when
	// it had one already.
	StartWatermark(ctx context.Context, source, kind string, lastID int64) (bool, error)
	// LockWatermark returns a kind's watermark, locked until this
	// transaction ends: the rows it reads after it are this
	// transaction's to raise warnings on.
	LockWatermark(ctx context.Context, source, kind string) (int64, error)
	// AdvanceWatermark moves a kind's watermark to lastID.
	AdvanceWatermark(ctx context.Context, source, kind string, lastID int64) error
}

// Warnings returns the warning store.
func (d *DB) Warnings() WarningStore { return warnings{d} }

type warnings struct{ d *DB }

func (w warnings) Rules(ctx context.Context) ([]WarningRule, error) {
	var rules []WarningRule
	if err := w.d.sel(ctx, &rules, `SELECT code, description, kind, threshold, level, active, source FROM warning_rule ORDER BY code`); err != nil {
		return nil, fmt.Errorf("loading the warning rules: %w", err)
	}
	return rules, nil
}

// warningColumns are a warning's columns, its rule's and its entity's
// division, from w (warning), r (warning_rule) and g (entity_grade).
const warningColumns = `w.id, w.uscc, w.level, w.message, w.record_id, w.raised_at,
	r.code AS "rule.code", r.description AS "rule.description", r.kind AS "rule.kind", r.threshold AS "rule.threshold",
	r.level AS "rule.level", r.active AS "rule.active", r.source AS "rule.source",
	w.state, w.assignee_department, w.assignee_person, w.closed_note, w.acknowledged_at, w.assigned_at, w.closed_at,
	g.division`

const warningSelect = `SELECT ` + warningColumns + `
	FROM warning w JOIN warning_rule r ON r.code = w.rule LEFT JOIN entity_grade g ON g.uscc = w.uscc`

func (w warnings) Get(ctx context.Context, id int64) (WarningRow, error) {
	var row WarningRow
	err := w.d.get(ctx, &row, warningSelect+` WHERE w.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return row, ErrNotFound
	}
	return row, err
}

func (w warnings) LockForDecision(ctx context.Context, id int64) (WarningRow, error) {
	var row WarningRow
	// The warning's row alone is locked: its rule and its entity's grade
	// are read as they are.
	err := sqlx.GetContext(ctx, w.d.x, &row, warningSelect+` WHERE w.id = $1 FOR UPDATE OF w NOWAIT`, id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return row, ErrNotFound
	case sqldb.IsLockNotAvailable(err):
		return row, apperr.New(apperr.Conflict, "another transition of this warning is being made right now; read it again before handling it")
	}
	return row, sqldb.MapError(err)
}

// changeWarning runs an UPDATE of one warning (set: its SET list over $2…)
// and reads the warning back as warningSelect does, in one statement.
func (w warnings) changeWarning(ctx context.Context, id int64, set string, args ...any) (WarningRow, error) {
	var row WarningRow
	err := w.d.get(ctx, &row, `WITH w AS (UPDATE warning SET `+set+` WHERE id = $1 RETURNING *)
		SELECT `+warningColumns+` FROM w JOIN warning_rule r ON r.code = w.rule LEFT JOIN entity_grade g ON g.uscc = w.uscc`,
		append([]any{id}, args...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return row, ErrNotFound
	}
	return row, err
}

func (w warnings) Acknowledge(ctx context.Context, id int64, c WarningChange) (WarningRow, error) {
	return w.changeWarning(ctx, id, `state = $2, acknowledged_at = $3`, c.State, c.At)
}

func (w warnings) Assign(ctx context.Context, id int64, c WarningChange) (WarningRow, error) {
	return w.changeWarning(ctx, id, `state = $2, assignee_department = $3, assignee_person = $4, assigned_at = $5`,
		c.State, c.AssigneeDepartment, c.AssigneePerson, c.At)
}

func (w warnings) Close(ctx context.Context, id int64, c WarningChange) (WarningRow, error) {
	return w.changeWarning(ctx, id, `state = $2, closed_note = $3, closed_at = $4`, c.State, c.ClosedNote, c.At)
}

func (w warnings) OpenCounts(ctx context.Context, divisions []string) ([]WarningCount, error) {
	var out []WarningCount
	err := w.d.sel(ctx, &out, `SELECT w.rule, g.division, count(*) AS open
		FROM warning w LEFT JOIN entity_grade g ON g.uscc = w.uscc
		WHERE w.state <> 'CLOSED' AND (coalesce(cardinality($1::text[]), 0) = 0 OR g.division = ANY($1::text[]))
		GROUP BY w.rule, g.division ORDER BY w.rule, g.division NULLS LAST`, pq.Array(divisions))
	return out, err
}

func (w warnings) List(ctx context.Context, f WarningFilter, before int64, limit int) ([]*WarningRow, error) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.USCC != "" {
		add("w.uscc = ?", f.USCC)
	}
	if f.Level != "" {
		add("w.level = ?", f.Level)
	}
	if f.Rule != "" {
		add("w.rule = ?", f.Rule)
	}
	if !f.Since.IsZero() {
		add("w.raised_at >= ?", f.Since)
	}
	if len(f.States) > 0 {
		add("w.state = ANY(?)", pq.Array(f.States))
	}
	if f.Division != "" {
		add("g.division = ?", f.Division)
	}
	if before > 0 {
		add("w.id < ?", before)
	}
	query := warningSelect
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	args = append(args, limit)
	query += " ORDER BY w.id DESC LIMIT $" + strconv.Itoa(len(args))
	var out []*WarningRow
	if err := w.d.sel(ctx, &out, query, args...); err != nil {
		return nil, err
	}
	return out, nil
}

func (w warnings) Announced(ctx context.Context, ids []int64, after int64) ([]*WarningRow, error) {
	var out []*WarningRow
	err := w.d.sel(ctx, &out, warningSelect+` WHERE w.id = ANY($1) OR ($2::bigint > 0 AND w.id > $2::bigint) ORDER BY w.id LIMIT 10000`,
		pq.Array(ids), after)
	return out, err
}

func (w warnings) LastID(ctx context.Context) (int64, error) {
	var last int64
	err := w.d.get(ctx, &last, `SELECT coalesce(max(id), 0) FROM warning`)
	return last, err
}

func (w warnings) LastRaised(ctx context.Context, rule string, usccs []string, since time.Time) (map[string]time.Time, error) {
	var rows []struct {
		USCC string    `db:"uscc"`
		At   time.Time `db:"at"`
	}
	if err := w.d.sel(ctx, &rows, `SELECT uscc, max(raised_at) AS at FROM warning
		WHERE rule = $1 AND uscc = ANY($2) AND raised_at > $3 GROUP BY uscc`,
		rule, pq.Array(usccs), since); err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.USCC] = r.At
	}
	return out, nil
}

func (w warnings) RectificationsDue(ctx context.Context, today string, days int) ([]RectificationDue, error) {
	var out []RectificationDue
	err := w.d.sel(ctx, &out, `SELECT id, uscc, list_type, department,
		to_char(entered_on, 'YYYY-MM-DD') AS entered_on, to_char(rectify_by, 'YYYY-MM-DD') AS rectify_by,
		rectify_by - $1::date AS days_left
		FROM list_entry
		WHERE state = 'LISTED' AND rectify_by BETWEEN $1::date AND $1::date + $2::int
		ORDER BY id`, today, days)
	return out, err
}

func (w warnings) Raise(ctx context.Context, ws []NewWarning, at time.Time) ([]int64, error) {
	if len(ws) == 0 {
		return nil, nil
	}
	cols := make([][]string, 5)
	for _, c := range ws {
		for i, v := range []string{c.Rule, c.USCC, c.Level, c.Message, c.RecordID} {
			cols[i] = append(cols[i], v)
		}
	}
	var ids []int64
	err := w.d.sel(ctx, &ids, `INSERT INTO warning (rule, uscc, level, message, record_id, raised_at)
		SELECT c.rule, c.uscc, c.level, c.message, c.record_id, $6
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS c(rule, uscc, level, message, record_id)
		ON CONFLICT (rule, uscc, record_id) DO NOTHING
		RETURNING id`,
		pq.Array(cols[0]), pq.Array(cols[1]), pq.Array(cols[2]), pq.Array(cols[3]), pq.Array(cols[4]), at)
	if err != nil {
		return nil, fmt.Errorf("raising warnings: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	slices.Sort(ids)
	// Each warning's history starts with its raising, OPEN, by the rules.
	if _, err := w.d.exec(ctx, `INSERT INTO workflow_history (workflow, object_id, action, from_state, to_state, actor, actor_org, at, reason)
		SELECT $1, id, 'raise', '', state, $2, $2, raised_at, rule FROM warning WHERE id = ANY($3) ORDER BY id`,
		WarningWorkflow, WarningRaiser, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("recording the warnings' raising: %w", err)
	}
	if _, err := w.d.exec(ctx, `SELECT pg_notify($1, id::text) FROM unnest($2::bigint[]) AS id`, WarningChannel, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("announcing warnings: %w", err)
	}
	return ids, nil
}

func (w warnings) ScanAlone(ctx context.Context, scan func(conn *DB) error) (bool, error) {
	return w.d.alone(ctx, WarningScanLock, scan)
}

// heldConn is one connection as the stores run statements on it.
type heldConn struct {
	*sqlx.Conn
	driver string
}

func (c heldConn) DriverName() string { return c.driver }

func (c heldConn) BindNamed(query string, arg any) (string, []any, error) {
	return sqlx.BindNamed(sqlx.BindType(c.driver), query, arg)
}

func (w warnings) Watermarked(ctx context.Context, source string) ([]string, error) {
	var kinds []string
	err := w.d.sel(ctx, &kinds, `SELECT kind FROM scan_watermark WHERE source = $1`, source)
	return kinds, err
}

func (w warnings) StartWatermark(ctx context.Context, source, kind string, lastID int64) (bool, error) {
	n, err := w.d.exec(ctx, `INSERT INTO scan_watermark (source, kind, last_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		source, kind, lastID)
	return n > 0, err
}

func (w warnings) LockWatermark(ctx context.Context, source, kind string) (int64, error) {
	var last int64
	err := w.d.get(ctx, &last, `SELECT last_id FROM scan_watermark WHERE source = $1 AND kind = $2 FOR UPDATE`, source, kind)
	return last, err
}

func (w warnings) AdvanceWatermark(ctx context.Context, source, kind string, lastID int64) error {
	_, err := w.d.exec(ctx, `UPDATE scan_watermark SET last_id = $3 WHERE source = $1 AND kind = $2`, source, kind, lastID)
	return err
}
