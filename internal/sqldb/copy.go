package sqldb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lib/pq"
	"golang.org/x/sync/errgroup"
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

// WithoutIndexes runs load with the indexes of db's public tables that back
// no constraint dropped, and then builds them again from their own
// definitions (pg_get_indexdef): a bulk load into a table with its indexes
// maintains them row by row (a trigram index most slowly), where building
// one afterwards sorts once. Constraints' indexes (primary keys, unique
// keys) stay, so that a duplicate still fails the load. For an empty
// database being seeded only: queries meanwhile would scan.
func WithoutIndexes(ctx context.Context, db *DB, load func() error) error {
	var defs []struct {
		Name string `db:"name"`
		Def  string `db:"def"`
	}
	if err := db.SelectContext(ctx, &defs, `
		SELECT quote_ident(ic.relname) AS name, pg_get_indexdef(i.indexrelid) AS def
		FROM pg_index i
		JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = 'public'
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		ORDER BY ic.relname`); err != nil {
		return fmt.Errorf("listing indexes: %w", err)
	}
	for _, d := range defs {
		if _, err := db.ExecContext(ctx, `DROP INDEX `+d.Name); err != nil {
			return fmt.Errorf("dropping index %s: %w", d.Name, err)
		}
	}
	// The indexes are built again even when the load fails: a database
	// left without them would answer every later query by scanning.
	if err := load(); err != nil {
		return errors.Join(err, rebuildIndexes(ctx, db, defs))
	}
	return rebuildIndexes(ctx, db, defs)
}

// rebuildWorkers is how many indexes are built at once: a GIN index of
// names takes most of a million-row registry's rebuild, the B-trees of
// the other tables can be built beside it.
const rebuildWorkers = 3

func rebuildIndexes(ctx context.Context, db *DB, defs []struct {
	Name string `db:"name"`
	Def  string `db:"def"`
}) error {
	// The GIN indexes, the longest to build, first.
	order := make([]int, len(defs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return boolRank(!strings.Contains(defs[a].Def, "USING gin")) - boolRank(!strings.Contains(defs[b].Def, "USING gin"))
	})
	workers := min(rebuildWorkers, len(defs))
	if n := db.Stats().MaxOpenConnections; n > 0 && n < workers {
		workers = n
	}
	next := make(chan int)
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error {
			conn, err := db.Conn(gctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			if _, err := conn.ExecContext(gctx, `SET maintenance_work_mem = '256MB'`); err != nil {
				return err
			}
			for i := range next {
				if _, err := conn.ExecContext(gctx, defs[i].Def); err != nil {
					return fmt.Errorf("building index %s again: %w", defs[i].Name, err)
				}
			}
			_, err = conn.ExecContext(gctx, `RESET maintenance_work_mem`)
			return err
		})
	}
	g.Go(func() error {
		defer close(next)
		for _, i := range order {
			select {
			case next <- i:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	return g.Wait()
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Rows are one table's rows of a bulk load, copied at once (CopyRows).
type Rows struct {
	Table  string
	Cols   []string
	Values [][]any
}

// CopyRows copies each of ts in turn, each in a transaction of its own
// (CopyIn).
func CopyRows(ctx context.Context, db *DB, ts []Rows) error {
	for _, t := range ts {
		if _, err := CopyIn(ctx, db, t.Table, t.Cols, func(put func(values ...any) error) error {
			for _, v := range t.Values {
				if err := put(v...); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// CopyPipelined copies the rows that draw hands to next, batch after batch
// in the order they come (CopyRows), while draw goes on drawing the next
// batch: the generator's CPU and the server's work on the copy overlap
// instead of taking turns. At most two batches wait. It returns draw's
// error or the first copy's; after a copy failed, next returns its error.
func CopyPipelined(ctx context.Context, db *DB, draw func(next func([]Rows) error) error) error {
	batches := make(chan []Rows, 1)
	copied := make(chan error, 1)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for ts := range batches {
			if err := CopyRows(cctx, db, ts); err != nil {
				cancel()
				for range batches { // let draw finish
				}
				copied <- err
				return
			}
		}
		copied <- nil
	}()
	err := draw(func(ts []Rows) error {
		select {
		case batches <- ts:
			return nil
		case <-cctx.Done():
			return cctx.Err()
		}
	})
	close(batches)
	if cerr := <-copied; cerr != nil {
		return cerr
	}
	return err
}
