package resolvers

// Resolvers of supervision: credit checks, grades, inspection plans, reports and warnings (supervision/).

import (
	"context"
	"credithub/credit"
	"credithub/graph/model"
	"credithub/scalars"
)

func (r *Resolver) creditCheckEntity(ctx context.Context, obj *model.CreditCheck) (*model.MarketEntity, error) {
	return nil, notBuilt("creditCheckEntity")
}

func (r *Resolver) inspectionPlanSample(ctx context.Context, obj *model.InspectionPlan) ([]*model.PlanSample, error) {
	return nil, notBuilt("inspectionPlanSample")
}

func (r *Resolver) marketEntityRating(ctx context.Context, obj *model.MarketEntity) (*model.CreditRating, error) {
	return nil, notBuilt("marketEntityRating")
}

func (r *Resolver) marketEntityWarnings(ctx context.Context, obj *model.MarketEntity, first *int) ([]*model.Warning, error) {
	return nil, notBuilt("marketEntityWarnings")
}

func (r *Resolver) mutationReportMeasureApplied(ctx context.Context, checkID string, measureCode string, applied bool, note *string, idempotencyKey string) (*model.MeasureApplication, error) {
	return nil, notBuilt("mutationReportMeasureApplied")
}

func (r *Resolver) mutationCreateInspectionPlan(ctx context.Context, input model.InspectionPlanInput, idempotencyKey string) (*model.InspectionPlan, error) {
	return nil, notBuilt("mutationCreateInspectionPlan")
}

func (r *Resolver) mutationRecomputeGrades(ctx context.Context, idempotencyKey string) (int, error) {
	return 0, notBuilt("mutationRecomputeGrades")
}

func (r *Resolver) planSampleEntity(ctx context.Context, obj *model.PlanSample) (*model.MarketEntity, error) {
	return nil, notBuilt("planSampleEntity")
}

func (r *Resolver) queryCreditCheck(ctx context.Context, uscc string, scenario credit.Scenario) (*model.CreditCheck, error) {
	return nil, notBuilt("queryCreditCheck")
}

func (r *Resolver) queryCreditChecks(ctx context.Context, usccs []string, scenario credit.Scenario) ([]*model.CreditCheck, error) {
	return nil, notBuilt("queryCreditChecks")
}

func (r *Resolver) queryCreditCheckStats(ctx context.Context, from scalars.Date, to scalars.Date) ([]*model.DepartmentCheckStats, error) {
	return nil, notBuilt("queryCreditCheckStats")
}

func (r *Resolver) queryGradeDistribution(ctx context.Context, division *string, kind *model.EntityKind) (*model.GradeDistribution, error) {
	return nil, notBuilt("queryGradeDistribution")
}

func (r *Resolver) queryGradeModel(ctx context.Context) (*model.GradeModel, error) {
	return nil, notBuilt("queryGradeModel")
}

func (r *Resolver) queryInspectionPlans(ctx context.Context, department *string, first *int, after *string) (*model.InspectionPlanConnection, error) {
	return nil, notBuilt("queryInspectionPlans")
}

func (r *Resolver) queryCreditReport(ctx context.Context, uscc string, purpose model.ReportPurpose) (*model.CreditReport, error) {
	return nil, notBuilt("queryCreditReport")
}

func (r *Resolver) queryVerifyCreditReport(ctx context.Context, input model.VerifyReportInput) (*model.ReportVerification, error) {
	return nil, notBuilt("queryVerifyCreditReport")
}

func (r *Resolver) queryWarnings(ctx context.Context, filter *model.WarningFilter, first *int, after *string) (*model.WarningConnection, error) {
	return nil, notBuilt("queryWarnings")
}

func (r *Resolver) queryWarningRules(ctx context.Context) ([]*model.WarningRule, error) {
	return nil, notBuilt("queryWarningRules")
}

func (r *Resolver) subscriptionWarnings(ctx context.Context, filter *model.WarningFilter) (<-chan *model.Warning, error) {
	return nil, notBuilt("subscriptionWarnings")
}

func (r *Resolver) warningEntity(ctx context.Context, obj *model.Warning) (*model.MarketEntity, error) {
	return nil, notBuilt("warningEntity")
}
