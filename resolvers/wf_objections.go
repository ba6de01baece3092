package resolvers

// Resolvers of objections and repairs (workflow/objection.go, repair.go).

import (
	"context"

	"credithub/credit"
	"credithub/graph/model"
	"credithub/workflow"
)

func (r *Resolver) marketEntityObjections(ctx context.Context, obj *model.MarketEntity) ([]*workflow.Objection, error) {
	return nil, notBuilt("marketEntityObjections")
}

func (r *Resolver) marketEntityRepairs(ctx context.Context, obj *model.MarketEntity) ([]*workflow.Repair, error) {
	return nil, notBuilt("marketEntityRepairs")
}

func (r *Resolver) mutationFileObjection(ctx context.Context, recordID string, reason string, idempotencyKey string) (*workflow.Objection, error) {
	return nil, notBuilt("mutationFileObjection")
}

func (r *Resolver) mutationCheckObjection(ctx context.Context, id string, idempotencyKey string) (*workflow.Objection, error) {
	return nil, notBuilt("mutationCheckObjection")
}

func (r *Resolver) mutationExtendObjection(ctx context.Context, id string, approvedBy string, reason string, idempotencyKey string) (*workflow.Objection, error) {
	return nil, notBuilt("mutationExtendObjection")
}

func (r *Resolver) mutationUpholdObjection(ctx context.Context, id string, outcome workflow.ObjectionOutcome, correction *model.RecordCorrectionInput, reason string, idempotencyKey string) (*workflow.Objection, error) {
	return nil, notBuilt("mutationUpholdObjection")
}

func (r *Resolver) mutationRejectObjection(ctx context.Context, id string, reason string, idempotencyKey string) (*workflow.Objection, error) {
	return nil, notBuilt("mutationRejectObjection")
}

func (r *Resolver) mutationApplyRepair(ctx context.Context, input model.ApplyRepairInput, idempotencyKey string) (*workflow.Repair, error) {
	return nil, notBuilt("mutationApplyRepair")
}

func (r *Resolver) mutationAcceptRepair(ctx context.Context, id string, idempotencyKey string) (*workflow.Repair, error) {
	return nil, notBuilt("mutationAcceptRepair")
}

func (r *Resolver) mutationRefuseRepair(ctx context.Context, id string, rule string, reason string, idempotencyKey string) (*workflow.Repair, error) {
	return nil, notBuilt("mutationRefuseRepair")
}

func (r *Resolver) mutationDecideRepair(ctx context.Context, id string, repaired bool, reason string, idempotencyKey string) (*workflow.Repair, error) {
	return nil, notBuilt("mutationDecideRepair")
}

func (r *Resolver) mutationSampleRepairsForRecheck(ctx context.Context, count int, seed string, idempotencyKey string) ([]*workflow.Repair, error) {
	return nil, notBuilt("mutationSampleRepairsForRecheck")
}

func (r *Resolver) mutationRecheckRepair(ctx context.Context, id string, correct bool, reason string, idempotencyKey string) (*workflow.Repair, error) {
	return nil, notBuilt("mutationRecheckRepair")
}

func (r *Resolver) objectionRecord(ctx context.Context, obj *workflow.Objection) (credit.Record, error) {
	return nil, notBuilt("objectionRecord")
}

func (r *Resolver) objectionHistory(ctx context.Context, obj *workflow.Objection) ([]*workflow.Event, error) {
	return nil, notBuilt("objectionHistory")
}

func (r *Resolver) queryObjections(ctx context.Context, filter *model.ObjectionFilter, first *int, after *string) (*model.ObjectionConnection, error) {
	return nil, notBuilt("queryObjections")
}

func (r *Resolver) queryRepairs(ctx context.Context, filter *model.RepairFilter, first *int, after *string) (*model.RepairConnection, error) {
	return nil, notBuilt("queryRepairs")
}

func (r *Resolver) repairRecord(ctx context.Context, obj *workflow.Repair) (credit.Record, error) {
	return nil, notBuilt("repairRecord")
}

func (r *Resolver) repairEntity(ctx context.Context, obj *workflow.Repair) (*model.MarketEntity, error) {
	return nil, notBuilt("repairEntity")
}

func (r *Resolver) repairHistory(ctx context.Context, obj *workflow.Repair) ([]*workflow.Event, error) {
	return nil, notBuilt("repairHistory")
}

// objectionNode resolves node(id) for this workflow's objects; nil when unknown.
func (r *Resolver) objectionNode(ctx context.Context, id int64) (model.Node, error) {
	return nil, notBuilt("objectionNode")
}

// repairNode resolves node(id) for this workflow's objects; nil when unknown.
func (r *Resolver) repairNode(ctx context.Context, id int64) (model.Node, error) {
	return nil, notBuilt("repairNode")
}
