package resolvers

import (
	"context"

	"credithub/graph/model"
	"credithub/internal/loaders"
	"credithub/internal/workflow"
)

// declarationsPage reads a page of declarations (one more than asked, in
// one statement) and starts their history when the query asks for it.
func (r *Resolver) declarationsPage(ctx context.Context, f workflow.DeclarationFilter, first *int, after *string) (*model.DeclarationConnection, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	if f.After, err = parseRowCursor(cursorDeclaration, after); err != nil {
		return nil, err
	}
	f.Limit = n + 1
	rows, err := r.Workflows.Declarations(ctx, f)
	if err != nil {
		return nil, err
	}
	cursor := func(d *workflow.Declaration) string { return rowCursor(cursorDeclaration, d.DBID) }
	rows, info := pageBy(rows, n, after, cursor)
	loaders.For(ctx).StartHistory(ctx, historyHint(fieldsUnderEdges(ctx, "DeclarationEdge", "Declaration"), workflow.WorkflowDeclaration),
		rowIDs(rows, func(d *workflow.Declaration) int64 { return d.DBID }))
	conn := &model.DeclarationConnection{PageInfo: info, Edges: make([]*model.DeclarationEdge, len(rows))}
	for i, d := range rows {
		conn.Edges[i] = &model.DeclarationEdge{Cursor: cursor(d), Node: d}
	}
	return conn, nil
}
