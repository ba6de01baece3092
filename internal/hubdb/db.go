package hubdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"credithub/internal/sqldb"
)

// DB is the hub's database as its stores see it: over the pool, or, inside
// Transact, over one transaction. Every store method runs on whichever it
// was handed, so a workflow's transition reads, locks and writes through
// the same stores in and out of a transaction.
type DB struct {
	pool *sqlx.DB
	// conn, when set, is the one connection d runs on (a session that holds
	// an advisory lock): its transactions begin there too.
	conn *sqlx.Conn
	x    sqlx.ExtContext
	tx   *sqlx.Tx
	// touched collects, in a transaction, the records whose overlays it
	// changed: its notice names them (Notify).
	touched *[]string
}

// New returns the stores over pool.
func New(pool *sqlx.DB) *DB { return &DB{pool: pool, x: pool} }

// InTx reports whether d runs inside a transaction.
func (d *DB) InTx() bool { return d.tx != nil }

// Transact runs fn in one transaction and commits it when fn returns nil;
// inside a transaction it joins it (the outer Transact commits).
func (d *DB) Transact(ctx context.Context, fn func(tx *DB) error) error {
	return d.transact(ctx, false, fn)
}

// TransactPrepared is Transact for a long transaction of many statements
// of a few kinds, such as a batch of workflow transitions: a statement's
// text runs as it is the first time (a wrong one fails with the database's
// own error) and is then prepared, once in the transaction, and run as
// that prepared statement from then on, which spares the database parsing
// and planning it every time. The statement counters count a text's first
// run and its preparation.
func (d *DB) TransactPrepared(ctx context.Context, fn func(tx *DB) error) error {
	return d.transact(ctx, true, fn)
}

func (d *DB) transact(ctx context.Context, prepared bool, fn func(tx *DB) error) (err error) {
	if d.tx != nil {
		return fn(d)
	}
	begin := d.pool.BeginTxx
	if d.conn != nil {
		begin = d.conn.BeginTxx
	}
	tx, err := begin(ctx, nil)
	if err != nil {
		return sqldb.MapError(err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	in := &DB{pool: d.pool, x: tx, tx: tx, touched: new([]string)}
	if prepared {
		in.x = &preparedTx{Tx: tx, stmts: map[string]*sqlx.Stmt{}}
	}
	if err = fn(in); err != nil {
		return err
	}
	return sqldb.MapError(tx.Commit())
}

// preparedTx runs a transaction's statements prepared from their second
// run on (TransactPrepared); the statements close with the transaction.
type preparedTx struct {
	*sqlx.Tx
	// stmts holds, by text, the statements run before: prepared from
	// their second run on (nil until then).
	stmts map[string]*sqlx.Stmt
}

// stmt returns query's prepared statement; nil when query runs as it is:
// the first time, or when it could not be prepared.
func (p *preparedTx) stmt(ctx context.Context, query string) *sqlx.Stmt {
	st, seen := p.stmts[query]
	if !seen {
		p.stmts[query] = nil
		return nil
	}
	if st == nil {
		var err error
		if st, err = p.Tx.PreparexContext(ctx, query); err != nil {
			return nil
		}
		p.stmts[query] = st
	}
	return st
}

func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.Tx.QueryContext(ctx, query, args...)
}

func (p *preparedTx) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryxContext(ctx, args...)
	}
	return p.Tx.QueryxContext(ctx, query, args...)
}

func (p *preparedTx) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowxContext(ctx, args...)
	}
	return p.Tx.QueryRowxContext(ctx, query, args...)
}

func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.Tx.ExecContext(ctx, query, args...)
}

// Transaction is Transact for a function that returns a value.
func Transaction[T any](ctx context.Context, d *DB, fn func(tx *DB) (T, error)) (T, error) {
	var out T
	err := d.Transact(ctx, func(tx *DB) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// Notify queues the transaction's change notice on NotifyChannel: the
// records whose overlays it changed (OverlayStore's Add and End name them).
// PostgreSQL delivers it when the transaction commits, and not at all if it
// rolls back; every instance then refreshes those records' overlays
// (State.Listen). A transaction that changed none sends nothing: the
// records the hub holds itself are read from the database by every
// request, so no instance keeps a copy to refresh.
func (d *DB) Notify(ctx context.Context) error {
	if d.tx == nil {
		return errors.New("hubdb: Notify outside a transaction")
	}
	if len(*d.touched) == 0 {
		return nil
	}
	_, err := d.x.ExecContext(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, notice(*d.touched))
	return err
}

// NotifyAll queues a notice that asks every instance to reload all its
// overlays: after a batch whose transactions notified nothing themselves.
func (d *DB) NotifyAll(ctx context.Context) error {
	if d.tx == nil {
		return errors.New("hubdb: NotifyAll outside a transaction")
	}
	_, err := d.x.ExecContext(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, notifyAll)
	return err
}

// Touched returns the records whose overlays the transaction changed so
// far (global IDs, each once); nil outside a transaction.
func (d *DB) Touched() []string {
	if d.touched == nil {
		return nil
	}
	return slices.Clone(*d.touched)
}

// touch names records whose overlays the transaction changes.
func (d *DB) touch(ids ...string) {
	if d.touched == nil {
		return
	}
	for _, id := range ids {
		if !slices.Contains(*d.touched, id) {
			*d.touched = append(*d.touched, id)
		}
	}
}

// get and sel are the stores' two ways of reading, mapped to the hub's
// errors once.
func (d *DB) get(ctx context.Context, dest any, query string, args ...any) error {
	return sqldb.MapError(sqlx.GetContext(ctx, d.x, dest, query, args...))
}

func (d *DB) sel(ctx context.Context, dest any, query string, args ...any) error {
	return sqldb.MapError(sqlx.SelectContext(ctx, d.x, dest, query, args...))
}

func (d *DB) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := d.x.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, sqldb.MapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}
