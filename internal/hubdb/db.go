package hubdb

import (
	"context"
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
func (d *DB) Transact(ctx context.Context, fn func(tx *DB) error) (err error) {
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
	if err = fn(&DB{pool: d.pool, x: tx, tx: tx}); err != nil {
		return err
	}
	return sqldb.MapError(tx.Commit())
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
