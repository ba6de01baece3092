package resolvers

import (
	"context"

	"credithub/graph/model"
	"credithub/internal/loaders"
	"credithub/internal/workflow"
)

// findingFilter validates a findings list's filter.
func findingFilter(ctx context.Context, state *workflow.FindingState, kind *workflow.FindingKind, uscc, department *string) (workflow.FindingFilter, error) {
	var f workflow.FindingFilter
	var err error
	if f.Department, f.USCC, err = workflowFilter(ctx, department, uscc); err != nil {
		return f, err
	}
	if state != nil {
		f.State = *state
	}
	if kind != nil {
		f.Kind = *kind
	}
	return f, nil
}

// findingConnection cuts a page of findings (read with one more than n)
// and starts the history of its findings when the query asks for it: a
// page costs one statement, two with the history.
func findingConnection(ctx context.Context, rows []*workflow.Finding, n int, after *string) *model.FindingConnection {
	cursor := func(f *workflow.Finding) string { return rowCursor(cursorFinding, f.DBID) }
	rows, info := pageBy(rows, n, after, cursor)
	loaders.For(ctx).StartHistory(ctx, historyHint(fieldsUnderEdges(ctx, "FindingEdge", "Finding"), workflow.WorkflowFinding),
		rowIDs(rows, func(f *workflow.Finding) int64 { return f.DBID }))
	conn := &model.FindingConnection{PageInfo: info, Edges: make([]*model.FindingEdge, len(rows))}
	for i, f := range rows {
		conn.Edges[i] = &model.FindingEdge{Cursor: cursor(f), Node: f}
	}
	return conn
}
