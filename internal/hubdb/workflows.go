package hubdb

// What the workflows' stores share: reading one row, locking it for a
// decision, reading a batch by id, bounding a page, and writing dates.
//
// The workflows' objects are rows of commitment, list_entry (with
// interview), joint_case (with case_push), objection and repair; each
// transition also writes workflow_history (history.go) and its effects:
// hub_record (records.go), record_overlay (overlays.go), grade_stale
// (stale.go). The rules of who may move which object from which state are
// not here: they are in package workflow, which calls these stores inside
// one transaction per transition.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/internal/apperr"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// ErrNotFound is what a store's read of one row answers when there is no
// such row; the caller names what was missing in its own words.
var ErrNotFound = errors.New("hubdb: no such row")

// ErrAlreadyOpen is what an insert answers when the table's one-open index
// refuses it: the record already has an open objection, or a repair under
// way or granted.
var ErrAlreadyOpen = errors.New("hubdb: one is already open")

// getRow reads one row into dest; ErrNotFound when there is none.
func (d *DB) getRow(ctx context.Context, dest any, query string, args ...any) error {
	err := d.get(ctx, dest, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// rowByID reads the row of table with id; ErrNotFound when there is none.
func rowByID[R any](ctx context.Context, d *DB, columns, table string, id int64) (R, error) {
	var row R
	err := d.getRow(ctx, &row, `SELECT `+columns+` FROM `+table+` WHERE id = $1`, id)
	return row, err
}

// lockByID reads the row of table with id and locks it for a decision;
// ErrNotFound when there is none. A concurrent decision holding the lock
// makes this one fail at once with CONFLICT rather than wait and then find
// the state changed: of two deciders exactly one wins.
func lockByID[R any](ctx context.Context, d *DB, columns, table string, id int64) (R, error) {
	var row R
	err := sqlx.GetContext(ctx, d.x, &row, `SELECT `+columns+` FROM `+table+` WHERE id = $1 FOR UPDATE NOWAIT`, id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return row, ErrNotFound
	case sqldb.IsLockNotAvailable(err):
		return row, apperr.New(apperr.Conflict, "another decision on this is being made right now; read it again before deciding")
	}
	return row, sqldb.MapError(err)
}

// insertOpen inserts one row and reads what it returns into dest; a
// violation of the one-open index named index is ErrAlreadyOpen.
func (d *DB) insertOpen(ctx context.Context, dest any, index, query string, args ...any) error {
	err := sqlx.GetContext(ctx, d.x, dest, query, args...)
	if sqldb.IsUniqueViolation(err, index) {
		return ErrAlreadyOpen
	}
	return sqldb.MapError(err)
}

// rowsByID reads the rows of table with these ids, in one statement: node(id)
// asked many times in one query (aliases, a router's _entities) and the list
// entry of each case of a page go through it. Ids with no row are absent.
func rowsByID[R any](ctx context.Context, d *DB, columns, table string, ids []int64) ([]R, error) {
	var rows []R
	err := d.sel(ctx, &rows, `SELECT `+columns+` FROM `+table+` WHERE id = ANY($1)`, pq.Array(ids))
	return rows, err
}

// pageLimit bounds a page's rows: at most 1,000 (the resolvers ask one more
// than they show).
func pageLimit(n int) int {
	if n <= 0 || n > 1000 {
		return 1000
	}
	return n
}

// batchLimit is pageLimit for a query of one or no entity, and no limit
// (SQL NULL) for a batch of entities asked without one: each entity's rows
// are few, and cutting the batch at 1,000 would drop some entities' rows.
func batchLimit(entities, n int) any {
	if entities > 0 && n <= 0 {
		return nil
	}
	return pageLimit(n)
}

// day is what a DATE column stores for t: its civil date in China Standard
// Time, as scalars.DateOf reads it back.
func day(t time.Time) string { return scalars.DateOf(t).String() }

// dayOrNull is day for a DATE column that may be NULL.
func dayOrNull(t *time.Time) any {
	if t == nil {
		return nil
	}
	return day(*t)
}

// DeadlineFilter selects the objects of a workflow that runs against
// deadlines (objections, repairs); zero fields select everything.
type DeadlineFilter struct {
	State      string
	Department string
	USCC       string
	// USCCs keeps those of these entities (a page of entities: one
	// statement).
	USCCs []string
	// Overdue, when set, keeps the objects past their deadline on Today
	// (true), or the others (false).
	Overdue *bool
	Today   scalars.Date
	// After keeps the ids below it (0: from the newest); Limit bounds the
	// rows (0: all).
	After int64
	Limit int
}

// findByDeadline reads the rows of table matching f, newest first, in one
// statement: entity is the column of the entity's code, overdue the
// condition of f.Overdue (its %[1]s is the day), more any further
// conditions, without parameters.
func findByDeadline[R any](ctx context.Context, d *DB, columns, table, entity, overdue string, f DeadlineFilter, more ...string) ([]R, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.State != "" {
		where = append(where, "state = "+arg(f.State))
	}
	if f.Department != "" {
		where = append(where, "department = "+arg(f.Department))
	}
	if f.USCC != "" {
		where = append(where, entity+" = "+arg(f.USCC))
	}
	if len(f.USCCs) > 0 {
		where = append(where, entity+" = ANY("+arg(pq.StringArray(f.USCCs))+"::text[])")
	}
	if f.Overdue != nil {
		cond := fmt.Sprintf(overdue, arg(f.Today.String())+"::date")
		if !*f.Overdue {
			cond = "NOT " + cond
		}
		where = append(where, cond)
	}
	where = append(where, more...)
	if f.After > 0 {
		where = append(where, "id < "+arg(f.After))
	}
	q := `SELECT ` + columns + ` FROM ` + table
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	var rows []R
	err := d.sel(ctx, &rows, q, args...)
	return rows, err
}
