package hubdb

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// MarkGradesStale records, within the transaction that changed their
// grade's facts, that these entities' stored grades are out of date; the
// supervision's grade worker regrades them (supervision.RegradeStale). An
// entity already marked keeps its first mark.
func MarkGradesStale(ctx context.Context, tx sqlx.ExecerContext, usccs []string) error {
	if len(usccs) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO grade_stale (uscc) SELECT DISTINCT u FROM unnest($1::text[]) AS u WHERE u <> ''
		ON CONFLICT (uscc) DO NOTHING`, pq.StringArray(usccs))
	return err
}
