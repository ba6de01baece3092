package app

import (
	"context"

	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/internal/catalogue"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/supervision"
)

// loaderDepartments is how supervision reads the departments: through
// loaders, the request's (loaders.For) or a batch's own (loaders.New).
// supervision declares what it needs (supervision.Departments) and does
// not know the loaders.
type loaderDepartments struct{ l *loaders.Loaders }

var _ supervision.Departments = loaderDepartments{}

func (d loaderDepartments) Catalogue() *catalogue.Catalogue { return d.l.Catalogue() }

func (d loaderDepartments) Today() scalars.Date { return d.l.Today() }

func (d loaderDepartments) Records(ctx context.Context, q supervision.RecordsQuery) supervision.RecordsPage {
	pg := d.l.Records(ctx, recordsRequest(q))
	out := supervision.RecordsPage{Records: pg.Records, HasNext: pg.HasNext, End: pg.End}
	for _, f := range pg.Failed {
		out.Failed = append(out.Failed, supervision.Unavailable{Department: f.Department, Err: f.Err})
	}
	return out
}

// Prefetch is for subjects whose registry rows are known (as
// supervision.Departments asks).
func (d loaderDepartments) Prefetch(ctx context.Context, qs []supervision.RecordsQuery) {
	reqs := make([]loaders.RecordsRequest, len(qs))
	for i, q := range qs {
		reqs[i] = recordsRequest(q)
	}
	d.l.Prefetch(ctx, reqs, true)
}

func recordsRequest(q supervision.RecordsQuery) loaders.RecordsRequest {
	return loaders.RecordsRequest{Subject: q.Subject, Kinds: datasources.KindSetOf(q.Kinds...), NoMatch: len(q.Kinds) == 0,
		First: q.First, After: q.After, Visible: q.Visible}
}

func (d loaderDepartments) Entity(ctx context.Context, uscc string) (*market.Entity, error) {
	return d.l.Entity.Load(ctx, uscc)()
}

func (d loaderDepartments) PrefetchEntities(ctx context.Context, usccs []string) {
	d.l.Entity.LoadAll(ctx, usccs)
}

func (d loaderDepartments) Members(ctx context.Context, uscc string) ([]market.Member, error) {
	return d.l.Members.Load(ctx, uscc)()
}

func (d loaderDepartments) FulfilledCommitments(ctx context.Context, uscc string) (int, error) {
	return d.l.Fulfilled.Load(ctx, uscc)()
}

func (d loaderDepartments) PrefetchFulfilledCommitments(ctx context.Context, usccs []string) {
	d.l.Fulfilled.LoadAll(ctx, usccs)
}
