package resolvers

// Resolvers of objections and repairs (workflow/objection.go, repair.go).

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/workflow"
)

// lookupRecord is the workflows' RecordLookup: any record, annotated and
// with the hub's overlays. It asks the record's department afresh rather
// than through the request's record loader, which would keep the record as
// it was before the write: the mutation's answer (its record field, read
// through the loader afterwards) must show the record as the write left it.
func (r *Resolver) lookupRecord(ctx context.Context, ref credit.Ref) (credit.Record, error) {
	l := loaders.For(ctx)
	for _, dep := range l.Departments() {
		code := dep.Source.Department().Code
		if code != ref.Source {
			continue
		}
		qctx := ctx
		if dep.Timeout > 0 {
			var cancel context.CancelFunc
			qctx, cancel = context.WithTimeout(ctx, dep.Timeout)
			defer cancel()
		}
		found, err := dep.Source.ByRef(qctx, []credit.Ref{ref})
		if err != nil {
			return nil, apperr.Unavailable(code, err)
		}
		rec := found[ref]
		if rec == nil {
			return nil, nil
		}
		l.Catalogue().Annotate(rec, l.Today())
		if r.Workflows.State != nil {
			r.Workflows.State.Apply(rec)
		}
		if err := legacySubject(ctx, rec.Common()); err != nil {
			return nil, err
		}
		return rec, nil
	}
	return nil, nil
}

// legacySubject fills in the subject of a record its department filed under
// a legacy key only (an organisation code, a registration number): a record
// fetched by ID, unlike one fetched for an entity, arrives without its
// unified code. The key is checked against the calling entity's own code —
// the organisation code is its positions 9–17, the registration number is
// in the registry — which is what filing or applying for the record needs;
// for other callers the subject stays unknown.
func legacySubject(ctx context.Context, b *credit.Base) error {
	p := auth.FromContext(ctx)
	if b.Subject != (credit.Subject{}) || b.LegacyKey == nil || p.Kind() != auth.KindEntity {
		return nil
	}
	key, own := *b.LegacyKey, p.Org()
	if len(own) == 18 && key == ident.OrgCodeOf(own) {
		b.Subject.USCC = own
		return nil
	}
	e, err := loaders.For(ctx).Entity.Load(ctx, own)()
	if err != nil {
		return err
	}
	if e != nil && e.RegNo.Valid && e.RegNo.String == key {
		b.Subject.USCC = own
	}
	return nil
}

// workflowID returns the row id of a workflow object's global ID.
func workflowID(typ, id string) (int64, error) {
	n, ok := workflow.DecodeID(typ, id)
	if !ok {
		return 0, apperr.BadInput("id", "id is not the ID of a %s; use the id the graph returned for it", typ)
	}
	return n, nil
}

// seesPersonsObjection reports whether the caller may see an objection
// against a natural person's record: what reading the person's data needs.
func seesPersonsObjection(ctx context.Context, idNo string) error {
	return auth.Decide(ctx, auth.Personal, "", auth.Subject{IDNumber: idNo})
}

// recordAsSeen resolves a workflow object's record the way node(id) does:
// FORBIDDEN naming the scope when the caller may not see its kind, null when
// it is out of the caller's view (a public caller and a repaired record).
func recordAsSeen(ctx context.Context, recordID string) (credit.Record, error) {
	typ, payload, err := gid.Decode(recordID)
	if err != nil || typ != gid.TypeRecord {
		return nil, nil
	}
	ref, err := gid.ParseRecord(payload)
	if err != nil {
		return nil, nil
	}
	rec, err := loaders.For(ctx).Record(ctx, ref)
	if err != nil || rec == nil {
		return nil, err
	}
	return auth.SeeRecord(ctx, rec)
}

func (r *Resolver) marketEntityObjections(ctx context.Context, obj *model.MarketEntity) ([]*workflow.Objection, error) {
	return r.objectionsLoader(ctx, selectedHere(ctx, "Objection")).Load(ctx, obj.Uscc)()
}

func (r *Resolver) marketEntityRepairs(ctx context.Context, obj *model.MarketEntity) ([]*workflow.Repair, error) {
	return r.repairsLoader(ctx, selectedHere(ctx, "Repair")).Load(ctx, obj.Uscc)()
}

func (r *Resolver) mutationFileObjection(ctx context.Context, recordID string, reason string, idempotencyKey string) (*workflow.Objection, error) {
	return r.Workflows.FileObjection(ctx, r.lookupRecord, recordID, reason, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationCheckObjection(ctx context.Context, id string, idempotencyKey string) (*workflow.Objection, error) {
	n, err := workflowID(workflow.TypeObjection, id)
	if err != nil {
		return nil, err
	}
	return r.Workflows.CheckObjection(ctx, n, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationExtendObjection(ctx context.Context, id string, approvedBy string, reason string, idempotencyKey string) (*workflow.Objection, error) {
	n, err := workflowID(workflow.TypeObjection, id)
	if err != nil {
		return nil, err
	}
	return r.Workflows.ExtendObjection(ctx, n, approvedBy, reason, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationUpholdObjection(ctx context.Context, id string, outcome workflow.ObjectionOutcome, correction *model.RecordCorrectionInput, reason string, idempotencyKey string) (*workflow.Objection, error) {
	n, err := workflowID(workflow.TypeObjection, id)
	if err != nil {
		return nil, err
	}
	var c *hubdb.Correction
	if correction != nil {
		c = &hubdb.Correction{Summary: correction.Summary, DecisionNo: correction.DecisionNo, DecisionDate: correction.DecisionDate}
	}
	return r.Workflows.UpholdObjection(ctx, n, outcome, c, reason, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationRejectObjection(ctx context.Context, id string, reason string, idempotencyKey string) (*workflow.Objection, error) {
	n, err := workflowID(workflow.TypeObjection, id)
	if err != nil {
		return nil, err
	}
	return r.Workflows.RejectObjection(ctx, n, reason, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationApplyRepair(ctx context.Context, input model.ApplyRepairInput, idempotencyKey string) (*workflow.Repair, error) {
	return r.Workflows.ApplyRepair(ctx, r.lookupRecord, input.RecordID, input.Commitment, input.ObligationsFulfilled, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationAcceptRepair(ctx context.Context, id string, idempotencyKey string) (*workflow.Repair, error) {
	n, err := workflowID(workflow.TypeRepair, id)
	if err != nil {
		return nil, err
	}
	return r.Workflows.AcceptRepair(ctx, r.lookupRecord, n, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationRefuseRepair(ctx context.Context, id string, rule string, reason string, idempotencyKey string) (*workflow.Repair, error) {
	n, err := workflowID(workflow.TypeRepair, id)
	if err != nil {
		return nil, err
	}
	return r.Workflows.RefuseRepair(ctx, n, rule, reason, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationDecideRepair(ctx context.Context, id string, repaired bool, reason string, idempotencyKey string) (*workflow.Repair, error) {
	n, err := workflowID(workflow.TypeRepair, id)
	if err != nil {
		return nil, err
	}
	return r.Workflows.DecideRepair(ctx, n, repaired, reason, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationSampleRepairsForRecheck(ctx context.Context, count int, seed string, idempotencyKey string) ([]*workflow.Repair, error) {
	return r.Workflows.SampleRepairsForRecheck(ctx, count, seed, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) mutationRecheckRepair(ctx context.Context, id string, correct bool, reason string, idempotencyKey string) (*workflow.Repair, error) {
	n, err := workflowID(workflow.TypeRepair, id)
	if err != nil {
		return nil, err
	}
	return r.Workflows.RecheckRepair(ctx, n, correct, reason, keyOf(ctx, idempotencyKey))
}

func (r *Resolver) objectionRecord(ctx context.Context, obj *workflow.Objection) (credit.Record, error) {
	return recordAsSeen(ctx, obj.RecordID)
}

func (r *Resolver) objectionHistory(ctx context.Context, obj *workflow.Objection) ([]*workflow.Event, error) {
	return r.history(ctx, workflow.WorkflowObjection, obj.DBID)
}

// Cursors of the workflow connections: the row id.
const (
	cursorObjection = "ObjectionCursor"
	cursorRepair    = "RepairCursor"
)

func workflowCursor(typ string, id int64) string { return gid.Encode(typ, strconv.FormatInt(id, 10)) }

func parseWorkflowCursor(typ string, after *string) (int64, error) {
	if after == nil {
		return 0, nil
	}
	t, payload, err := gid.Decode(*after)
	n, perr := strconv.ParseInt(payload, 10, 64)
	if err != nil || t != typ || perr != nil || n <= 0 {
		return 0, apperr.BadInput("after", "after must be a cursor returned by this connection")
	}
	return n, nil
}

// workflowFilter validates the department and uscc of a workflow filter.
func workflowFilter(ctx context.Context, department, uscc *string) (string, string, error) {
	var d, u string
	if department != nil {
		if _, ok := datasources.DepartmentByCode(*department); !ok {
			return "", "", apperr.BadInput("filter.department", "unknown department %q; departments are market, environment, fire, housing and court", truncate(*department))
		}
		d = *department
	}
	if uscc != nil {
		if err := checkUSCC(ctx, "filter.uscc", *uscc); err != nil {
			return "", "", err
		}
		u = *uscc
	}
	return d, u, nil
}

func (r *Resolver) queryObjections(ctx context.Context, filter *model.ObjectionFilter, first *int, after *string) (*model.ObjectionConnection, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	before, err := parseWorkflowCursor(cursorObjection, after)
	if err != nil {
		return nil, err
	}
	// Objections against natural persons' records only for callers who may
	// read personal data.
	f := workflow.ObjectionFilter{WithPersons: seesPersonsObjection(ctx, "") == nil}
	if filter != nil {
		if f.Department, f.USCC, err = workflowFilter(ctx, filter.Department, filter.Uscc); err != nil {
			return nil, err
		}
		if filter.State != nil {
			f.State = *filter.State
		}
		f.Overdue = filter.Overdue
	}
	rows, err := r.Workflows.Objections(ctx, f, before, n+1)
	if err != nil {
		return nil, err
	}
	cursor := func(o *workflow.Objection) string { return workflowCursor(cursorObjection, o.DBID) }
	rows, info := pageBy(rows, n, after, cursor)
	primeHistory(ctx, r, fieldsUnderEdges(ctx, "ObjectionEdge", "Objection"), workflow.WorkflowObjection, rows, func(o *workflow.Objection) int64 { return o.DBID })
	conn := &model.ObjectionConnection{PageInfo: info, Edges: make([]*model.ObjectionEdge, len(rows))}
	for i, o := range rows {
		conn.Edges[i] = &model.ObjectionEdge{Cursor: cursor(o), Node: o}
	}
	return conn, nil
}

func (r *Resolver) queryRepairs(ctx context.Context, filter *model.RepairFilter, first *int, after *string) (*model.RepairConnection, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	before, err := parseWorkflowCursor(cursorRepair, after)
	if err != nil {
		return nil, err
	}
	var f workflow.RepairFilter
	if filter != nil {
		if f.Department, f.USCC, err = workflowFilter(ctx, filter.Department, filter.Uscc); err != nil {
			return nil, err
		}
		if filter.State != nil {
			f.State = *filter.State
		}
		f.Overdue = filter.Overdue
	}
	rows, err := r.Workflows.Repairs(ctx, f, before, n+1)
	if err != nil {
		return nil, err
	}
	cursor := func(o *workflow.Repair) string { return workflowCursor(cursorRepair, o.DBID) }
	rows, info := pageBy(rows, n, after, cursor)
	primeHistory(ctx, r, fieldsUnderEdges(ctx, "RepairEdge", "Repair"), workflow.WorkflowRepair, rows, func(o *workflow.Repair) int64 { return o.DBID })
	conn := &model.RepairConnection{PageInfo: info, Edges: make([]*model.RepairEdge, len(rows))}
	for i, o := range rows {
		conn.Edges[i] = &model.RepairEdge{Cursor: cursor(o), Node: o}
	}
	return conn, nil
}

func (r *Resolver) repairRecord(ctx context.Context, obj *workflow.Repair) (credit.Record, error) {
	return recordAsSeen(ctx, obj.RecordID)
}

func (r *Resolver) repairEntity(ctx context.Context, obj *workflow.Repair) (*model.MarketEntity, error) {
	known := &model.MarketEntity{ID: gid.Entity(obj.USCC), Uscc: obj.USCC, OrganizationCode: ident.OrgCodeOf(obj.USCC)}
	e, err := loaders.For(ctx).Entity.Load(ctx, obj.USCC)()
	if err != nil {
		// The registry did not answer: what is known of the entity, and why
		// the rest is missing.
		graphql.AddError(ctx, err)
		return known, nil
	}
	if e == nil {
		return known, nil
	}
	return entityModel(e), nil
}

func (r *Resolver) repairHistory(ctx context.Context, obj *workflow.Repair) ([]*workflow.Event, error) {
	return r.history(ctx, workflow.WorkflowRepair, obj.DBID)
}

// objectionNode resolves node(id) for this workflow's objects; nil when unknown.
func (r *Resolver) objectionNode(ctx context.Context, id int64) (model.Node, error) {
	o, err := r.objectionByID(ctx).Load(ctx, id)()
	if err != nil || o == nil {
		return nil, err
	}
	if o.SubjectIDNo != "" {
		if err := seesPersonsObjection(ctx, o.SubjectIDNo); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// repairNode resolves node(id) for this workflow's objects; nil when unknown.
func (r *Resolver) repairNode(ctx context.Context, id int64) (model.Node, error) {
	rep, err := r.repairByID(ctx).Load(ctx, id)()
	if err != nil || rep == nil {
		return nil, err
	}
	return rep, nil
}
