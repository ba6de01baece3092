package sqldb

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// CopyIn bulk-loads rows into table with COPY FROM STDIN inside one
// transaction: the seed generator loads hundreds of thousands of rows this
// way in seconds, where INSERTs would take minutes. rows calls put once per
// row, with the values in the order of cols.
func CopyIn(ctx context.Context, db *DB, table string, cols []string, rows func(put func(values ...any) error) error) (n int64, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	// A seed can be redone; losing its last transaction on a crash is fine.
	if _, err = tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return 0, err
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return 0, fmt.Errorf("copy into %s: %w", table, err)
	}
	err = rows(func(values ...any) error {
		if len(values) != len(cols) {
			return fmt.Errorf("copy into %s: %d values for %d columns", table, len(values), len(cols))
		}
		n++
		_, err := stmt.ExecContext(ctx, values...)
		return err
	})
	if err != nil {
		_ = stmt.Close()
		return 0, fmt.Errorf("copy into %s: %w", table, err)
	}
	if _, err = stmt.ExecContext(ctx); err != nil {
		_ = stmt.Close()
		return 0, fmt.Errorf("copy into %s: %w", table, err)
	}
	if err = stmt.Close(); err != nil {
		return 0, err
	}
	if err = tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}
