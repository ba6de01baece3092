package supervision

// Stored grades follow the facts: a workflow transition, or the warning
// scan reading a department's new records, marks the entity's grade out of
// date in its own transaction (hubdb.MarkGradesStale), and the regrade
// worker of any instance regrades the marked entities within seconds,
// between the full recomputes.

import (
	"context"
	"time"

	"github.com/lib/pq"

	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/internal/apperr"
	"credithub/internal/sqldb"
)

// RegradeEvery is how often the regrade worker looks for marked entities.
const RegradeEvery = 5 * time.Second

// RegradeStale regrades the entities marked out of date that have a stored
// grade, a batch at a time until none is left, and returns how many it
// regraded. Instances share the marks (FOR UPDATE SKIP LOCKED). While a
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
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return 0, 0, sqldb.MapError(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var free bool
	if err := tx.GetContext(ctx, &free, `SELECT pg_try_advisory_xact_lock_shared($1)`, gradeLock); err != nil || !free {
		return 0, 0, sqldb.MapError(err)
	}
	var marked []string
	if err := tx.SelectContext(ctx, &marked, `SELECT uscc FROM grade_stale ORDER BY since, uscc LIMIT $1 FOR UPDATE SKIP LOCKED`, gradeBatchSize); err != nil {
		return 0, 0, sqldb.MapError(err)
	}
	if len(marked) == 0 {
		return 0, 0, nil
	}
	var stored []string
	if err := tx.SelectContext(ctx, &stored, `SELECT uscc FROM entity_grade WHERE uscc = ANY($1) ORDER BY uscc`, pq.StringArray(marked)); err != nil {
		return 0, 0, sqldb.MapError(err)
	}
	if len(stored) > 0 {
		ents, err := s.entitiesByUSCC(ctx, stored)
		if err != nil {
			return 0, 0, err
		}
		if _, err := s.gradeBatch(ctx, tx, ents, s.now()); err != nil {
			return 0, 0, err
		}
		graded = len(ents)
		if gone := len(stored) - len(ents); gone > 0 {
			// Entities the registry no longer lists lose their grade, as
			// in the full recompute.
			keep := make([]string, len(ents))
			for i, e := range ents {
				keep[i] = e.USCC
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM entity_grade WHERE uscc = ANY($1) AND NOT uscc = ANY($2)`,
				pq.StringArray(stored), pq.StringArray(keep)); err != nil {
				return 0, 0, sqldb.MapError(err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM grade_stale WHERE uscc = ANY($1)`, pq.StringArray(marked)); err != nil {
		return 0, 0, sqldb.MapError(err)
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, sqldb.MapError(err)
	}
	return len(marked), graded, nil
}

// entitiesByUSCC reads the registry rows of usccs, in their order (the
// order in which gradeBatch's upsert locks their rows), within the
// registry's budget; codes the registry does not know are left out.
func (s *Service) entitiesByUSCC(ctx context.Context, usccs []string) ([]*market.Entity, error) {
	rctx, cancel := s.registryCtx(ctx)
	defer cancel()
	found, err := s.Registry.EntitiesByUSCC(rctx, usccs)
	if err != nil {
		return nil, apperr.Unavailable(datasources.Market, err)
	}
	out := make([]*market.Entity, 0, len(found))
	for _, u := range usccs {
		if e, ok := found[u]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// RunRegrades regrades marked entities every RegradeEvery until ctx ends.
func (s *Service) RunRegrades(ctx context.Context) {
	ticker := time.NewTicker(RegradeEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		start := time.Now()
		n, err := s.RegradeStale(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log().Error("regrading entities whose facts changed", "err", err, "regraded", n)
		case n > 0:
			s.log().Info("regraded entities whose facts changed", "entities", n, "took", time.Since(start).Round(time.Millisecond).String())
		}
	}
}
