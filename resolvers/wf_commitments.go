package resolvers

// Resolvers of commitments, lists, interviews, joint-punishment cases and
// the measures catalogue (workflow/commitment.go, listing.go, jointcase.go).

import (
	"context"

	"credithub/credit"
	"credithub/graph/model"
	"credithub/scalars"
	"credithub/workflow"
)

func (r *Resolver) casePushMeasures(ctx context.Context, obj *workflow.CasePush) ([]*workflow.Measure, error) {
	return nil, notBuilt("casePushMeasures")
}

func (r *Resolver) commitmentItem(ctx context.Context, obj *workflow.Commitment) (*workflow.CommitmentItem, error) {
	return nil, notBuilt("commitmentItem")
}

func (r *Resolver) commitmentEntity(ctx context.Context, obj *workflow.Commitment) (*model.MarketEntity, error) {
	return nil, notBuilt("commitmentEntity")
}

func (r *Resolver) commitmentRecord(ctx context.Context, obj *workflow.Commitment) (credit.Record, error) {
	return nil, notBuilt("commitmentRecord")
}

func (r *Resolver) commitmentHistory(ctx context.Context, obj *workflow.Commitment) ([]*workflow.Event, error) {
	return nil, notBuilt("commitmentHistory")
}

func (r *Resolver) jointCaseListEntry(ctx context.Context, obj *workflow.JointCase) (*workflow.ListEntry, error) {
	return nil, notBuilt("jointCaseListEntry")
}

func (r *Resolver) jointCasePushes(ctx context.Context, obj *workflow.JointCase) ([]*workflow.CasePush, error) {
	return nil, notBuilt("jointCasePushes")
}

func (r *Resolver) jointCaseHistory(ctx context.Context, obj *workflow.JointCase) ([]*workflow.Event, error) {
	return nil, notBuilt("jointCaseHistory")
}

func (r *Resolver) listEntryEntity(ctx context.Context, obj *workflow.ListEntry) (*model.MarketEntity, error) {
	return nil, notBuilt("listEntryEntity")
}

func (r *Resolver) listEntryInterviews(ctx context.Context, obj *workflow.ListEntry) ([]*workflow.Interview, error) {
	return nil, notBuilt("listEntryInterviews")
}

func (r *Resolver) listEntryCases(ctx context.Context, obj *workflow.ListEntry) ([]*workflow.JointCase, error) {
	return nil, notBuilt("listEntryCases")
}

func (r *Resolver) listEntryHistory(ctx context.Context, obj *workflow.ListEntry) ([]*workflow.Event, error) {
	return nil, notBuilt("listEntryHistory")
}

func (r *Resolver) marketEntityCommitments(ctx context.Context, obj *model.MarketEntity, first *int, after *string) (*model.CommitmentConnection, error) {
	return nil, notBuilt("marketEntityCommitments")
}

func (r *Resolver) marketEntityListings(ctx context.Context, obj *model.MarketEntity, activeOnly *bool) ([]*workflow.ListEntry, error) {
	return nil, notBuilt("marketEntityListings")
}

func (r *Resolver) mutationUpsertCommitmentItem(ctx context.Context, input model.CommitmentItemInput, idempotencyKey string) (*workflow.CommitmentItem, error) {
	return nil, notBuilt("mutationUpsertCommitmentItem")
}

func (r *Resolver) mutationSignCommitment(ctx context.Context, input model.SignCommitmentInput, idempotencyKey string) (*workflow.Commitment, error) {
	return nil, notBuilt("mutationSignCommitment")
}

func (r *Resolver) mutationFulfilCommitment(ctx context.Context, id string, reason *string, idempotencyKey string) (*workflow.Commitment, error) {
	return nil, notBuilt("mutationFulfilCommitment")
}

func (r *Resolver) mutationBreachCommitment(ctx context.Context, id string, severity credit.Severity, reason string, idempotencyKey string) (*workflow.Commitment, error) {
	return nil, notBuilt("mutationBreachCommitment")
}

func (r *Resolver) mutationFindCommitmentFalse(ctx context.Context, id string, reason string, idempotencyKey string) (*workflow.Commitment, error) {
	return nil, notBuilt("mutationFindCommitmentFalse")
}

func (r *Resolver) mutationEnterListing(ctx context.Context, input model.EnterListingInput, idempotencyKey string) (*workflow.ListEntry, error) {
	return nil, notBuilt("mutationEnterListing")
}

func (r *Resolver) mutationRemoveListing(ctx context.Context, id string, reason workflow.RemovalReason, note *string, idempotencyKey string) (*workflow.ListEntry, error) {
	return nil, notBuilt("mutationRemoveListing")
}

func (r *Resolver) mutationRecordInterview(ctx context.Context, listEntryID string, typeArg credit.InterviewType, heldOn scalars.Date, notes string, idempotencyKey string) (*workflow.Interview, error) {
	return nil, notBuilt("mutationRecordInterview")
}

func (r *Resolver) mutationOpenJointCase(ctx context.Context, listEntryID string, idempotencyKey string) (*workflow.JointCase, error) {
	return nil, notBuilt("mutationOpenJointCase")
}

func (r *Resolver) mutationAnswerPush(ctx context.Context, pushID string, measureApplied string, appliedOn scalars.Date, idempotencyKey string) (*workflow.CasePush, error) {
	return nil, notBuilt("mutationAnswerPush")
}

func (r *Resolver) queryCommitmentItems(ctx context.Context, activeOnly *bool) ([]*workflow.CommitmentItem, error) {
	return nil, notBuilt("queryCommitmentItems")
}

func (r *Resolver) queryCommitments(ctx context.Context, filter *model.CommitmentFilter, first *int, after *string) (*model.CommitmentConnection, error) {
	return nil, notBuilt("queryCommitments")
}

func (r *Resolver) queryListEntries(ctx context.Context, filter *model.ListEntryFilter, first *int, after *string) (*model.ListEntryConnection, error) {
	return nil, notBuilt("queryListEntries")
}

func (r *Resolver) queryJointCases(ctx context.Context, filter *model.JointCaseFilter, first *int, after *string) (*model.JointCaseConnection, error) {
	return nil, notBuilt("queryJointCases")
}

func (r *Resolver) queryOverduePushes(ctx context.Context, department *string) ([]*workflow.CasePush, error) {
	return nil, notBuilt("queryOverduePushes")
}

func (r *Resolver) queryMeasures(ctx context.Context) ([]*workflow.Measure, error) {
	return nil, notBuilt("queryMeasures")
}

func (r *Resolver) queryWorkflowRules(ctx context.Context) ([]*workflow.Rule, error) {
	return nil, notBuilt("queryWorkflowRules")
}

// commitmentNode resolves node(id) for this workflow's objects; nil when unknown.
func (r *Resolver) commitmentNode(ctx context.Context, id int64) (model.Node, error) {
	return nil, notBuilt("commitmentNode")
}

// listEntryNode resolves node(id) for this workflow's objects; nil when unknown.
func (r *Resolver) listEntryNode(ctx context.Context, id int64) (model.Node, error) {
	return nil, notBuilt("listEntryNode")
}

// jointCaseNode resolves node(id) for this workflow's objects; nil when unknown.
func (r *Resolver) jointCaseNode(ctx context.Context, id int64) (model.Node, error) {
	return nil, notBuilt("jointCaseNode")
}
