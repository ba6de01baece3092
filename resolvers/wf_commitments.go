package resolvers

// Resolvers of commitments and their items, lists, interviews,
// joint-punishment cases, the measures catalogue and the workflow rules
// (workflow/commitment.go, items.go, listing.go, jointcase.go, rules.go):
// arguments → check → workflow.Service → the workflow's types, which gqlgen
// reads directly.

import (
	"context"
	"slices"

	"credithub/auth"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/workflow"
)

// decodeObjectID returns the row id of a workflow object's global ID, or
// BAD_USER_INPUT naming the argument.
func decodeObjectID(field, typ, what, id string) (int64, error) {
	n, ok := workflow.DecodeID(typ, id)
	if !ok {
		return 0, apperr.BadInput(field, "%s is not the ID of a %s", field, what)
	}
	return n, nil
}

// pageAfter checks a connection's size and cursor: the cursor of a
// workflow connection is the ID of the last object of the previous page.
func pageAfter(first *int, after *string, typ string) (n int, before int64, err error) {
	if n, err = pageSize(first); err != nil {
		return 0, 0, err
	}
	if after != nil {
		var ok bool
		if before, ok = workflow.DecodeID(typ, *after); !ok {
			return 0, 0, apperr.BadInput("after", "after must be a cursor returned by this connection")
		}
	}
	return n, before, nil
}

// pageOf cuts the extra row a page query asks for and fills pageInfo; a
// row's cursor is its global ID.
func pageOf[T interface{ ID() string }](rows []T, n int, after *string) ([]T, *model.PageInfo) {
	return pageBy(rows, n, after, T.ID)
}

// pageBy is pageOf for rows whose cursor is cursor(row).
func pageBy[T any](rows []T, n int, after *string, cursor func(T) string) ([]T, *model.PageInfo) {
	info := &model.PageInfo{HasPreviousPage: after != nil}
	if len(rows) > n {
		rows, info.HasNextPage = rows[:n], true
	}
	if k := len(rows); k > 0 {
		start, end := cursor(rows[0]), cursor(rows[k-1])
		info.StartCursor, info.EndCursor = &start, &end
	}
	return rows, info
}

// registryEntity resolves a workflow object's entity through the request's
// loaders.
func registryEntity(ctx context.Context, uscc string) (*model.MarketEntity, error) {
	e, err := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, apperr.New(apperr.NotFound, "the registry no longer holds entity %s", uscc)
	}
	return entityModel(e), nil
}

// checkKnownEntity checks a mutation's uscc argument: a valid code of an
// entity the registry holds, which it returns.
func checkKnownEntity(ctx context.Context, field, uscc string) (*model.MarketEntity, error) {
	if err := checkUSCC(ctx, field, uscc); err != nil {
		return nil, err
	}
	e, err := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, apperr.New(apperr.NotFound, "the registry holds no entity %s", uscc).With("field", field)
	}
	return entityModel(e), nil
}

// keyAttentionRefusal says why the caller may not see the key-attention
// entries of the entity uscc ("" for any entity); nil when it may. They are
// shared among departments (T15): the entity:read scope, or the entity
// itself. The openness middleware guards a shared list entry's fields with
// record:read, so that is asked too: an entry whose fields would all be
// refused is not listed.
func keyAttentionRefusal(ctx context.Context, uscc string) error {
	subj := auth.Subject{USCC: uscc}
	if err := auth.Decide(ctx, auth.Shared, auth.ScopeEntityRead, subj); err != nil {
		return err
	}
	return auth.Decide(ctx, auth.Shared, auth.ScopeRecordRead, subj)
}

// keyAttentionView fills a list filter with what the caller may see.
func keyAttentionView(ctx context.Context, f *workflow.ListEntryFilter) {
	if keyAttentionRefusal(ctx, "") == nil {
		return
	}
	f.HideKeyAttention = true
	if p := auth.FromContext(ctx); p.Kind() == auth.KindEntity {
		f.SeenBy = p.Org()
	}
}

// ——— the commitment items, the measures, the workflow rules ———

func (r *Resolver) queryCommitmentItems(ctx context.Context, activeOnly *bool) ([]*workflow.CommitmentItem, error) {
	return r.Workflows.CommitmentItems(ctx, activeOnly == nil || *activeOnly)
}

func (r *Resolver) queryMeasures(ctx context.Context) ([]*catalogue.Measure, error) {
	return r.Measures.InCodeOrder(), nil
}

func (r *Resolver) queryWorkflowRules(ctx context.Context) ([]*workflow.Rule, error) {
	return r.Workflows.RuleList(ctx)
}

func (r *Resolver) mutationUpsertCommitmentItem(ctx context.Context, input model.CommitmentItemInput, idempotencyKey string) (*workflow.CommitmentItem, error) {
	return r.Workflows.UpsertCommitmentItem(ctx, workflow.CommitmentItem{
		Code: input.Code, Name: input.Name, Domain: input.Domain, DepartmentCode: input.Department,
		LegalBasis: input.LegalBasis, Active: input.Active,
	}, keyOf(ctx, idempotencyKey))
}

// ——— commitments ———

func (r *Resolver) mutationSignCommitment(ctx context.Context, input model.SignCommitmentInput, idempotencyKey string) (*workflow.Commitment, error) {
	if _, err := checkKnownEntity(ctx, "input.uscc", input.Uscc); err != nil {
		return nil, err
	}
	return r.Workflows.SignCommitment(ctx, workflow.SignInput{ItemCode: input.ItemCode, USCC: input.Uscc, Content: input.Content}, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationFulfilCommitment(ctx context.Context, id string, reason *string, idempotencyKey string) (*workflow.Commitment, error) {
	n, err := decodeObjectID("id", workflow.TypeCommitment, "commitment", id)
	if err != nil {
		return nil, err
	}
	var why string
	if reason != nil {
		why = *reason
	}
	return r.Workflows.FulfilCommitment(ctx, n, why, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationBreachCommitment(ctx context.Context, id string, severity credit.Severity, reason string, idempotencyKey string) (*workflow.Commitment, error) {
	n, err := decodeObjectID("id", workflow.TypeCommitment, "commitment", id)
	if err != nil {
		return nil, err
	}
	return r.Workflows.BreachCommitment(ctx, n, severity, reason, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationFindCommitmentFalse(ctx context.Context, id string, reason string, idempotencyKey string) (*workflow.Commitment, error) {
	n, err := decodeObjectID("id", workflow.TypeCommitment, "commitment", id)
	if err != nil {
		return nil, err
	}
	return r.Workflows.FindCommitmentFalse(ctx, n, reason, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) commitmentsConnection(ctx context.Context, f workflow.CommitmentFilter, first *int, after *string) (*model.CommitmentConnection, error) {
	n, before, err := pageAfter(first, after, workflow.TypeCommitment)
	if err != nil {
		return nil, err
	}
	f.Before, f.Limit = before, n+1
	rows, err := r.Workflows.Commitments(ctx, f)
	if err != nil {
		return nil, err
	}
	primeHistory(ctx, r, fieldsUnderEdges(ctx, "CommitmentEdge", "Commitment"), workflow.WorkflowCommitment,
		rows[:min(n, len(rows))], func(c *workflow.Commitment) int64 { return c.DBID })
	return commitmentConnection(rows, n, after), nil
}

// commitmentConnection is a page of n from rows, which hold one more when
// there is a next page.
func commitmentConnection(rows []*workflow.Commitment, n int, after *string) *model.CommitmentConnection {
	rows, info := pageOf(rows, n, after)
	conn := &model.CommitmentConnection{Edges: make([]*model.CommitmentEdge, len(rows)), PageInfo: info}
	for i, c := range rows {
		conn.Edges[i] = &model.CommitmentEdge{Cursor: c.ID(), Node: c}
	}
	return conn
}

func (r *Resolver) queryCommitments(ctx context.Context, filter *model.CommitmentFilter, first *int, after *string) (*model.CommitmentConnection, error) {
	var f workflow.CommitmentFilter
	if filter != nil {
		if filter.Uscc != nil {
			if err := checkUSCC(ctx, "filter.uscc", *filter.Uscc); err != nil {
				return nil, err
			}
			f.USCC = *filter.Uscc
		}
		if filter.ItemCode != nil {
			f.ItemCode = *filter.ItemCode
		}
		if filter.State != nil {
			f.State = *filter.State
		}
		if filter.Department != nil {
			f.Department = *filter.Department
		}
	}
	return r.commitmentsConnection(ctx, f, first, after)
}

func (r *Resolver) marketEntityCommitments(ctx context.Context, obj *model.MarketEntity, first *int, after *string) (*model.CommitmentConnection, error) {
	return r.entityCommitments(ctx, obj, first, after)
}

func (r *Resolver) commitmentItem(ctx context.Context, obj *workflow.Commitment) (*workflow.CommitmentItem, error) {
	it, err := r.Workflows.CommitmentItem(ctx, obj.ItemCode)
	if err == nil && it == nil {
		err = apperr.New(apperr.NotFound, "commitment item %s is no longer in the catalogue", obj.ItemCode)
	}
	return it, err
}

func (r *Resolver) commitmentEntity(ctx context.Context, obj *workflow.Commitment) (*model.MarketEntity, error) {
	return registryEntity(ctx, obj.USCC)
}

// commitmentRecord is the hub's COMMITMENT_BREACH record of a breached or
// false commitment, as the records pipeline shows it to this caller: out of
// its publicity period it is gone for the public.
func (r *Resolver) commitmentRecord(ctx context.Context, obj *workflow.Commitment) (credit.Record, error) {
	if obj.RecordID == 0 {
		return nil, nil
	}
	rec, err := loaders.For(ctx).Record(ctx, credit.Ref{Source: hubdb.Source, Kind: credit.KindCommitmentBreach, LocalID: obj.RecordID})
	if err != nil || rec == nil {
		return nil, err
	}
	b := rec.Common()
	view := auth.ViewOf(ctx, auth.Subject{USCC: b.Subject.USCC, IDNumber: b.Subject.IDNumber})
	if !slices.Contains(view.Publicities, b.Publicity) || !view.Sees(rec) {
		return nil, nil
	}
	return rec, nil
}

func (r *Resolver) commitmentHistory(ctx context.Context, obj *workflow.Commitment) ([]*workflow.Event, error) {
	return r.history(ctx, workflow.WorkflowCommitment, obj.DBID)
}

func (r *Resolver) commitmentNode(ctx context.Context, id int64) (model.Node, error) {
	c, err := r.commitmentByID(ctx).Load(ctx, id)()
	if err != nil || c == nil {
		return nil, err
	}
	return c, nil
}

// ——— lists and interviews ———

func (r *Resolver) mutationEnterListing(ctx context.Context, input model.EnterListingInput, idempotencyKey string) (*workflow.ListEntry, error) {
	ent, err := checkKnownEntity(ctx, "input.uscc", input.Uscc)
	if err != nil {
		return nil, err
	}
	// Departments still file some records under the entity's old keys.
	var legacy []string
	if sub := entitySubject(ent); sub.OrgCode != "" || sub.RegNo != "" {
		legacy = append(legacy, sub.OrgCode, sub.RegNo)
	}
	in := workflow.ListingInput{
		ListType: input.ListType, Domain: input.Domain, USCC: input.Uscc, Basis: input.Basis,
		LinkedRecordIDs: input.LinkedRecordIds, RectifyBy: input.RectifyBy, BanStart: input.BanStart, BanEnd: input.BanEnd,
		Permanent: input.Permanent != nil && *input.Permanent, LegacyKeys: legacy,
	}
	// A linked record must be one the caller may see.
	lookup := func(ctx context.Context, ref credit.Ref) (credit.Record, error) {
		rec, err := loaders.For(ctx).Record(ctx, ref)
		if err != nil || rec == nil {
			return nil, err
		}
		b := rec.Common()
		if !slices.Contains(auth.ViewOf(ctx, auth.Subject{USCC: b.Subject.USCC, IDNumber: b.Subject.IDNumber}).Publicities, b.Publicity) {
			return nil, nil
		}
		return rec, nil
	}
	return r.Workflows.EnterListing(ctx, in, lookup, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationRemoveListing(ctx context.Context, id string, reason workflow.RemovalReason, note *string, idempotencyKey string) (*workflow.ListEntry, error) {
	n, err := decodeObjectID("id", workflow.TypeListEntry, "list entry", id)
	if err != nil {
		return nil, err
	}
	var why string
	if note != nil {
		why = *note
	}
	return r.Workflows.RemoveListing(ctx, n, reason, why, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationRecordInterview(ctx context.Context, listEntryID string, typeArg credit.InterviewType, heldOn scalars.Date, notes string, idempotencyKey string) (*workflow.Interview, error) {
	n, err := decodeObjectID("listEntryId", workflow.TypeListEntry, "list entry", listEntryID)
	if err != nil {
		return nil, err
	}
	return r.Workflows.RecordInterview(ctx, n, typeArg, heldOn, notes, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) queryListEntries(ctx context.Context, filter *model.ListEntryFilter, first *int, after *string) (*model.ListEntryConnection, error) {
	n, before, err := pageAfter(first, after, workflow.TypeListEntry)
	if err != nil {
		return nil, err
	}
	f := workflow.ListEntryFilter{Before: before, Limit: n + 1}
	if filter != nil {
		if filter.ListType != nil {
			f.ListType = *filter.ListType
		}
		if filter.State != nil {
			f.State = *filter.State
		}
		if filter.Department != nil {
			f.Department = *filter.Department
		}
		if filter.Uscc != nil {
			if err := checkUSCC(ctx, "filter.uscc", *filter.Uscc); err != nil {
				return nil, err
			}
			f.USCC = *filter.Uscc
		}
		f.RectificationOverdue = filter.RectificationOverdue
	}
	keyAttentionView(ctx, &f)
	rows, err := r.Workflows.ListEntries(ctx, f)
	if err != nil {
		return nil, err
	}
	rows, info := pageOf(rows, n, after)
	r.primeListEntries(ctx, fieldsUnderEdges(ctx, "ListEntryEdge", "ListEntry"), rows)
	conn := &model.ListEntryConnection{Edges: make([]*model.ListEntryEdge, len(rows)), PageInfo: info}
	for i, e := range rows {
		conn.Edges[i] = &model.ListEntryEdge{Cursor: e.ID(), Node: e}
	}
	return conn, nil
}

func (r *Resolver) marketEntityListings(ctx context.Context, obj *model.MarketEntity, activeOnly *bool) ([]*workflow.ListEntry, error) {
	all, err := r.listingsLoader(ctx, selectedHere(ctx, "ListEntry")).Load(ctx, obj.Uscc)()
	if err != nil || activeOnly == nil || !*activeOnly {
		return all, err
	}
	listed := []*workflow.ListEntry{} // a new slice: all is shared through the loader's cache
	for _, e := range all {
		if e.State == workflow.Listed {
			listed = append(listed, e)
		}
	}
	return listed, nil
}

func (r *Resolver) listEntryEntity(ctx context.Context, obj *workflow.ListEntry) (*model.MarketEntity, error) {
	return registryEntity(ctx, obj.USCC)
}

func (r *Resolver) listEntryInterviews(ctx context.Context, obj *workflow.ListEntry) ([]*workflow.Interview, error) {
	return r.interviewsOf(ctx, obj.DBID)
}

func (r *Resolver) listEntryCases(ctx context.Context, obj *workflow.ListEntry) ([]*workflow.JointCase, error) {
	return r.casesOf(ctx, obj.DBID)
}

func (r *Resolver) listEntryHistory(ctx context.Context, obj *workflow.ListEntry) ([]*workflow.Event, error) {
	return r.history(ctx, workflow.WorkflowListing, obj.DBID)
}

// listEntryNode answers node(id) for a list entry; a key-attention entry
// is refused, naming the scope, to callers who may not see it.
func (r *Resolver) listEntryNode(ctx context.Context, id int64) (model.Node, error) {
	e, err := r.listEntryByID(ctx).Load(ctx, id)()
	if err != nil || e == nil {
		return nil, err
	}
	if e.ListType == credit.ListKeyAttention {
		if err := keyAttentionRefusal(ctx, e.USCC); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// ——— joint-punishment cases ———

func (r *Resolver) mutationOpenJointCase(ctx context.Context, listEntryID string, idempotencyKey string) (*workflow.JointCase, error) {
	n, err := decodeObjectID("listEntryId", workflow.TypeListEntry, "list entry", listEntryID)
	if err != nil {
		return nil, err
	}
	return r.Workflows.OpenJointCase(ctx, n, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationAnswerPush(ctx context.Context, pushID string, measureApplied string, appliedOn scalars.Date, idempotencyKey string) (*workflow.CasePush, error) {
	n, err := decodeObjectID("pushId", workflow.TypeCasePush, "case push", pushID)
	if err != nil {
		return nil, err
	}
	return r.Workflows.AnswerPush(ctx, n, measureApplied, appliedOn, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) queryJointCases(ctx context.Context, filter *model.JointCaseFilter, first *int, after *string) (*model.JointCaseConnection, error) {
	n, before, err := pageAfter(first, after, workflow.TypeJointCase)
	if err != nil {
		return nil, err
	}
	f := workflow.JointCaseFilter{Before: before, Limit: n + 1}
	if filter != nil {
		if filter.State != nil {
			f.State = *filter.State
		}
		if filter.Department != nil {
			f.Department = *filter.Department
		}
	}
	rows, err := r.Workflows.JointCases(ctx, f)
	if err != nil {
		return nil, err
	}
	rows, info := pageOf(rows, n, after)
	r.primeCases(ctx, fieldsUnderEdges(ctx, "JointCaseEdge", "JointCase"), rows)
	conn := &model.JointCaseConnection{Edges: make([]*model.JointCaseEdge, len(rows)), PageInfo: info}
	for i, c := range rows {
		conn.Edges[i] = &model.JointCaseEdge{Cursor: c.ID(), Node: c}
	}
	return conn, nil
}

func (r *Resolver) queryOverduePushes(ctx context.Context, department *string) ([]*workflow.CasePush, error) {
	var d string
	if department != nil {
		d = *department
	}
	return r.Workflows.OverduePushes(ctx, d)
}

func (r *Resolver) jointCaseListEntry(ctx context.Context, obj *workflow.JointCase) (*workflow.ListEntry, error) {
	e, err := r.listEntryByID(ctx).Load(ctx, obj.ListEntryDBID)()
	if err == nil && e == nil {
		err = apperr.New(apperr.NotFound, "the list entry of case %s is missing", obj.ID())
	}
	return e, err
}

func (r *Resolver) jointCasePushes(ctx context.Context, obj *workflow.JointCase) ([]*workflow.CasePush, error) {
	return r.pushesOf(ctx, obj.DBID)
}

func (r *Resolver) jointCaseHistory(ctx context.Context, obj *workflow.JointCase) ([]*workflow.Event, error) {
	return r.history(ctx, workflow.WorkflowCase, obj.DBID)
}

func (r *Resolver) casePushMeasures(ctx context.Context, obj *workflow.CasePush) ([]*catalogue.Measure, error) {
	return r.Measures.ByCodes(obj.MeasureCodes), nil
}

func (r *Resolver) jointCaseNode(ctx context.Context, id int64) (model.Node, error) {
	c, err := r.jointCaseByID(ctx).Load(ctx, id)()
	if err != nil || c == nil {
		return nil, err
	}
	return c, nil
}
