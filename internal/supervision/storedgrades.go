package supervision

// Stored grades (T12): every entity's grade, computed by a job (and the
// recomputeGrades mutation) into entity_grade, which the distribution and
// inspection plans read.

import (
	"context"
	"encoding/json"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// gradeBatchSize is how many entities one step of a recompute grades: one
// statement per department, one for the commitments, one upsert.
const gradeBatchSize = 300

// gradeBatch grades registered entities through the fan-out (a reader of
// their own: nothing outlives the batch) and stores their grades through
// tx. It returns each entity's grade.
func (s *Service) gradeBatch(ctx context.Context, tx *hubdb.DB, ents []*market.Entity, at time.Time) (map[string]string, error) {
	subjects := make([]datasources.Subject, len(ents))
	usccs := make([]string, len(ents))
	for i, e := range ents {
		subjects[i], usccs[i] = SubjectOf(e), e.USCC
	}
	fetched := s.fetch(SystemContext(ctx), s.BatchDepartments(), subjects, true)
	counts, err := tx.Grades().FulfilledCommitments(ctx, usccs)
	if err != nil {
		return nil, err
	}
	rows := make([]hubdb.StoredGrade, len(ents))
	out := make(map[string]string, len(ents))
	today := scalars.DateOf(at)
	for i, e := range ents {
		g := s.model.Grade(Facts{Records: fetched[i].Records, CommitmentsFulfilled: counts[e.USCC], Today: today})
		reasons, err := json.Marshal(g.Reasons)
		if err != nil {
			return nil, err
		}
		rows[i] = hubdb.StoredGrade{USCC: e.USCC, Grade: g.Grade, Points: g.Points, Reasons: reasons,
			Division: e.DivisionCode, Kind: string(e.Kind()), Complete: fetched[i].Complete()}
		out[e.USCC] = g.Grade
	}
	if err := tx.Grades().Save(ctx, rows, at); err != nil {
		return nil, err
	}
	return out, nil
}

// recompute grades every registered entity in batches, through tx (which
// holds the recompute lock), and drops the grades of entities the registry
// no longer lists. It returns how many entities it graded.
func (s *Service) recompute(ctx context.Context, tx *hubdb.DB) (int, error) {
	start := s.now()
	n := 0
	after := ""
	for {
		page, err := s.listEntities(ctx, market.ListFilter{}, after, gradeBatchSize)
		if err != nil {
			return n, err
		}
		if len(page) == 0 {
			break
		}
		if _, err := s.gradeBatch(ctx, tx, page, start); err != nil {
			return n, err
		}
		n += len(page)
		after = page[len(page)-1].USCC
		if len(page) < gradeBatchSize {
			break
		}
	}
	if err := tx.Grades().DropComputedBefore(ctx, start); err != nil {
		return n, err
	}
	return n, tx.Grades().SnapshotMonth(ctx, start)
}

// Recompute grades every entity now and stores the grades, once per
// idempotency key; it waits while another instance's recompute runs.
func (s *Service) Recompute(ctx context.Context, key hubdb.Key) (int, error) {
	// Grades are for supervisors: an agency or entity holding
	// grade:compute does not recompute them.
	if err := auth.ForSupervisors(ctx); err != nil {
		return 0, err
	}
	p := auth.FromContext(ctx)
	return hubdb.Idempotent(ctx, s.DB, p.Key(), key, "recomputeGrades", func(tx *hubdb.DB) (int, error) {
		if err := tx.Grades().RecomputeAlone(ctx); err != nil {
			return 0, err
		}
		return s.recompute(ctx, tx)
	})
}

// RecomputeIfFree is the grade job's turn: it recomputes every stored grade
// unless another instance is recomputing them or has done so within the
// last half interval (ran false then). Instances take turns through an
// advisory lock, and the recompute's own timestamp makes the job run once
// per interval however many instances start it, staggered or not.
func (s *Service) RecomputeIfFree(ctx context.Context, every time.Duration) (n int, ran bool, err error) {
	err = s.DB.Transact(ctx, func(tx *hubdb.DB) error {
		free, err := tx.Grades().TryRecomputeAlone(ctx)
		if err != nil || !free {
			return err
		}
		last, err := tx.Grades().LastRecompute(ctx)
		if err != nil || time.Since(last) < every/2 {
			return err
		}
		ran = true
		n, err = s.recompute(ctx, tx)
		return err
	})
	return n, ran, err
}

// GradeJobDelay is how long after start-up the grade job first runs.
const GradeJobDelay = 10 * time.Second

// GradeCount is how many entities of a division and kind have a grade.
type GradeCount struct {
	Division string
	Kind     string
	Grade    string
	Count    int
}

// Distribution counts the stored grades by division, kind and grade, for
// one division and kind when given ("" for all); computedAt is the last
// recompute's time (nil before the first).
func (s *Service) Distribution(ctx context.Context, division, kind string) ([]GradeCount, *time.Time, error) {
	rows, err := s.DB.Grades().Distribution(ctx, division, kind)
	if err != nil {
		return nil, nil, err
	}
	out := make([]GradeCount, len(rows))
	var at *time.Time
	for i, r := range rows {
		out[i] = GradeCount{Division: r.Division, Kind: r.Kind, Grade: r.Grade, Count: r.Count}
		if at == nil || r.ComputedAt.After(*at) {
			t := r.ComputedAt
			at = &t
		}
	}
	return out, at, nil
}
