package supervision

// Stored grades follow the facts: a workflow transition, or the warning
// scan reading a department's new records, marks the entity's grade out of
// date in its own transaction (hubdb.GradeStore.MarkStale), and the regrade
// worker of any instance regrades the marked entities within seconds,
// between the full recomputes.

import (
	"context"
	"maps"
	"slices"
	"time"

	"credithub/datasources/market"
	"credithub/internal/hubdb"
)

// RegradeEvery is how often the regrade worker looks for marked entities.
const RegradeEvery = 5 * time.Second

// RegradeStale regrades the entities marked out of date that have a stored
// grade, a batch at a time until none is left, and returns how many it
// regraded. Instances share the marks (GradeStore.ClaimStale). While a
// full recompute runs it does nothing: the marks wait for the next turn,
// so that no mark is dropped for a grade the recompute computed from the
// facts before the change. An entity without a stored grade waits for the
// full recompute and its mark is dropped.
func (s *Service) RegradeStale(ctx context.Context) (int, error) {
	n := 0
	for {
		taken, graded, err := s.regradeStep(ctx)
		n += graded
		if err != nil || taken == 0 {
			return n, err
		}
	}
}

func (s *Service) regradeStep(ctx context.Context) (taken, graded int, err error) {
	err = s.DB.Transact(ctx, func(tx *hubdb.DB) error {
		free, err := tx.Grades().TryRegradeWithoutRecompute(ctx)
		if err != nil || !free {
			return err
		}
		marked, err := tx.Grades().ClaimStale(ctx, gradeBatchSize)
		if err != nil || len(marked) == 0 {
			return err
		}
		stored, err := tx.Grades().Stored(ctx, marked)
		if err != nil {
			return err
		}
		n := 0
		if len(stored) > 0 {
			usccs := slices.Sorted(maps.Keys(stored))
			ents, err := s.entitiesByUSCC(ctx, usccs)
			if err != nil {
				return err
			}
			if _, err := s.gradeBatch(ctx, tx, ents, s.now()); err != nil {
				return err
			}
			n = len(ents)
			// Entities the registry no longer lists lose their grade, as
			// in the full recompute.
			gone := slices.DeleteFunc(usccs, func(u string) bool {
				return slices.ContainsFunc(ents, func(e *market.Entity) bool { return e.USCC == u })
			})
			if len(gone) > 0 {
				if err := tx.Grades().Drop(ctx, gone); err != nil {
					return err
				}
			}
		}
		if err := tx.Grades().ClearStale(ctx, marked); err != nil {
			return err
		}
		taken, graded = len(marked), n
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return taken, graded, nil
}
