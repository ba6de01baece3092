package hubdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
// of a few kinds, such as a batch of workflow transitions: each statement's
// text is prepared once in the transaction and run as that prepared
// statement from then on, which spares the database parsing and planning
// it every time. The statement counters count a text once, when it is
// prepared.
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
	in := &DB{pool: d.pool, x: tx, tx: tx}
	if prepared {
		in.x = &preparedTx{Tx: tx, stmts: map[string]*sqlx.Stmt{}}
	}
	if err = fn(in); err != nil {
		return err
	}
	return sqldb.MapError(tx.Commit())
}

// preparedTx runs a transaction's statements prepared, each text once
// (TransactPrepared); the statements close with the transaction.
type preparedTx struct {
	*sqlx.Tx
	stmts map[string]*sqlx.Stmt
}

func (p *preparedTx) stmt(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := p.stmts[query]; ok {
		return st, nil
	}
	st, err := p.Tx.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.stmts[query] = st
	return st, nil
}

func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (p *preparedTx) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryxContext(ctx, args...)
}

// QueryRowxContext runs a statement that could not be prepared as it is:
// a row carries its error only when read.
func (p *preparedTx) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return p.Tx.QueryRowxContext(ctx, query, args...)
	}
	return st.QueryRowxContext(ctx, args...)
}

func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
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

// Notify queues the change notice on NotifyChannel within the transaction:
// PostgreSQL delivers it when the transaction commits, and not at all if it
// rolls back. Every instance then reloads its State.
func (d *DB) Notify(ctx context.Context) error {
	if d.tx == nil {
		return errors.New("hubdb: Notify outside a transaction")
	}
	_, err := d.x.ExecContext(ctx, `SELECT pg_notify($1, '')`, NotifyChannel)
	return err
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
