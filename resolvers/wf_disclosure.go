package resolvers

// Resolvers of disclosure timeliness and working days (T26).

import (
	"context"

	"credithub/apperr"
	"credithub/credit"
	"credithub/graph/model"
	"credithub/scalars"
)

func (r *Resolver) departmentDisclosureOverdueRecords(ctx context.Context, obj *model.DepartmentDisclosure, first *int) ([]credit.Record, error) {
	return nil, notBuilt("departmentDisclosureOverdueRecords")
}

func (r *Resolver) queryDisclosureStats(ctx context.Context, from scalars.Date, to scalars.Date) ([]*model.DepartmentDisclosure, error) {
	return nil, notBuilt("queryDisclosureStats")
}

func (r *Resolver) queryWorkingDays(ctx context.Context, from scalars.Date, to scalars.Date) (int, error) {
	return 0, notBuilt("queryWorkingDays")
}

// notBuilt is the answer of a workflow resolver not written yet.
func notBuilt(name string) error {
	return apperr.New(apperr.Internal, "%s is not built yet", name)
}
