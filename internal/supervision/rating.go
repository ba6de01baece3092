package supervision

// Ratings (T12) computed at query time, for MarketEntity.rating and the
// credit report: the grading model applied to an entity's facts as they
// are now.

import (
	"context"
	"time"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// Rating is a grade computed from the facts as they are now.
type Rating struct {
	Grade
	// Complete is false when a department did not answer: the grade may
	// then be too good.
	Complete   bool
	Missing    []credit.Department
	ComputedAt time.Time
}

// Rate computes an entity's grade now, from all its records (read under
// the supervision's own principal, SystemContext, whoever asks) and its
// fulfilled commitments. Ratings of many entities in one request share
// their statements: one per department and one for the commitments when
// PrefetchRatings started them, else as the loaders' wait gathers them.
func (s *Service) Rate(ctx context.Context, sub datasources.Subject) (*Rating, error) {
	d := s.Departments(ctx)
	f := s.fetch(SystemContext(ctx), d, []datasources.Subject{sub}, false)[0]
	n, err := d.FulfilledCommitments(ctx, sub.USCC)
	if err != nil {
		return nil, err
	}
	now := s.now()
	g := s.model.Grade(Facts{Records: f.Records, CommitmentsFulfilled: n, Today: scalars.DateOf(now)})
	return &Rating{Grade: g, Complete: f.Complete(), Missing: f.Failed, ComputedAt: now}, nil
}

// PrefetchRatings starts, for a list of registered entities whose ratings
// a query asks, their records as one batch per department and their
// fulfilled commitments as one statement, without waiting: each rating's
// Rate then finds its loads under way. (For a list resolver's look-ahead,
// as resolvers/prefetch.go does for records.)
func (s *Service) PrefetchRatings(ctx context.Context, subjects []datasources.Subject) {
	d := s.Departments(ctx)
	ctx = SystemContext(ctx)
	qs := make([]RecordsQuery, len(subjects))
	usccs := make([]string, len(subjects))
	for i, sub := range subjects {
		qs[i], usccs[i] = s.factsQuery(ctx, d, sub), sub.USCC
	}
	d.Prefetch(ctx, qs)
	d.PrefetchFulfilledCommitments(ctx, usccs)
}
