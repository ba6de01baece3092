package hubdb

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/internal/sqldb"
)

// StaleGradeStore keeps the grade-stale marks: the entities whose stored
// grade is out of date, for supervision's grade worker to regrade
// (supervision.RegradeStale).
type StaleGradeStore interface {
	// Mark records, within the transaction that changed their grade's
	// facts, that these entities' grades are out of date. An entity
	// already marked keeps its first mark; empty codes are skipped.
	Mark(ctx context.Context, usccs []string) error
}

// StaleGrades returns the grade-stale marks.
func (d *DB) StaleGrades() StaleGradeStore { return staleGrades{d} }

type staleGrades struct{ d *DB }

func (s staleGrades) Mark(ctx context.Context, usccs []string) error {
	return sqldb.MapError(MarkGradesStale(ctx, s.d.x, usccs))
}

// MarkGradesStale is StaleGrades().Mark for a caller that holds a bare
// transaction or pool rather than a DB.
func MarkGradesStale(ctx context.Context, tx sqlx.ExecerContext, usccs []string) error {
	if len(usccs) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO grade_stale (uscc) SELECT DISTINCT u FROM unnest($1::text[]) AS u WHERE u <> ''
		ON CONFLICT (uscc) DO NOTHING`, pq.StringArray(usccs))
	return err
}
