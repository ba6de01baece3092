package resolvers

import (
	"context"

	"credithub/auth"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/gid"
	"credithub/internal/loaders"
	"credithub/internal/workflow"
)

// cursorAssociation is the cursor type of the associations' connection:
// its payload is the last association's code.
const cursorAssociation = "AssociationCursor"

// membersPage reads a page of memberships (one more than asked, in one
// statement) and starts their history when the query asks for it.
func (r *Resolver) membersPage(ctx context.Context, f workflow.AssociationFilter, first *int, after *string) (*model.MembershipConnection, error) {
	n, before, err := pageAfter(first, after, workflow.TypeMembership)
	if err != nil {
		return nil, err
	}
	f.After, f.Limit = before, n+1
	rows, err := r.Workflows.Memberships(ctx, f)
	if err != nil {
		return nil, err
	}
	rows, info := pageOf(rows, n, after)
	loaders.For(ctx).StartHistory(ctx, historyHint(fieldsUnderEdges(ctx, "MembershipEdge", "Membership"), workflow.WorkflowMembership),
		rowIDs(rows, func(m *workflow.Membership) int64 { return m.DBID }))
	conn := &model.MembershipConnection{PageInfo: info, Edges: make([]*model.MembershipEdge, len(rows))}
	for i, m := range rows {
		conn.Edges[i] = &model.MembershipEdge{Cursor: m.ID(), Node: m}
	}
	return conn, nil
}

// checkAssociationCode checks an association's code argument.
func checkAssociationCode(field, code string) error {
	if err := auth.ValidateAssociationCode(code); err != nil {
		return apperr.BadInput(field, "%s must be an association's unified social credit code (51…): %v", field, err)
	}
	return nil
}

// associationNode resolves the global ID of an association, an
// authorisation or a membership: public, all three; nil when none.
func (r *Resolver) associationNode(ctx context.Context, typ, payload, id string) (model.Node, error) {
	bad := apperr.BadInput("id", "id is not an ID issued by this graph")
	if typ == workflow.TypeAssociation {
		if checkAssociationCode("id", payload) != nil {
			return nil, bad
		}
		a, err := r.Workflows.Association(ctx, payload)
		if err != nil || a == nil {
			return nil, err
		}
		return a, nil
	}
	n, ok := workflow.DecodeID(typ, id)
	if !ok {
		return nil, bad
	}
	if typ == workflow.TypeAssociationAuthorization {
		a, err := r.Workflows.AssociationAuthorizationByID(ctx, n)
		if err != nil || a == nil {
			return nil, err
		}
		return a, nil
	}
	m, err := r.Workflows.MembershipByID(ctx, n)
	if err != nil || m == nil {
		return nil, err
	}
	return m, nil
}

// associationCursor is the cursor of an association in the associations'
// connection; parseAssociationCursor reads it back ("" when after is nil).
func associationCursor(a *workflow.AssociationInfo) string {
	return gid.Encode(cursorAssociation, a.Code)
}

func parseAssociationCursor(after *string) (string, error) {
	if after == nil {
		return "", nil
	}
	t, payload, err := gid.Decode(*after)
	if err != nil || t != cursorAssociation || auth.ValidateAssociationCode(payload) != nil {
		return "", errBadCursor()
	}
	return payload, nil
}

// memberOfRegistry reads what registering a member needs of the entity
// from the registry: its name and its industry (GB/T 4754 section).
func memberOfRegistry(ctx context.Context, field, uscc string) (name, industry string, err error) {
	if _, err := checkKnownEntity(ctx, field, uscc); err != nil {
		return "", "", err
	}
	e, err := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if err != nil {
		return "", "", err
	}
	if e == nil {
		return "", "", apperr.New(apperr.NotFound, "the registry holds no entity %s", uscc).With("field", field)
	}
	return e.Name, e.IndustryCode.String, nil
}
