package resolvers

// Connections: cursors, and cutting a page of rows into edges and
// pageInfo. Every connection asks its source for one row more than the
// page: that row says whether there is a next page.

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"credithub/datasources"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/workflow"
)

// Cursors are opaque to clients; their payloads are the position only.
// Those of the workflows' connections without a cursor type of their own
// (commitments, list entries, cases) are the objects' global IDs.
const (
	cursorRecord        = "RecordCursor"
	cursorEntity        = "EntityCursor"
	cursorLog           = "QueryLogCursor"
	cursorAccess        = "PersonAccessCursor"
	cursorObjection     = "ObjectionCursor"
	cursorRepair        = "RepairCursor"
	cursorPlan          = "InspectionPlanCursor"
	cursorWarning       = "WarningCursor"
	cursorCheck         = "CheckOnEntityCursor"
	cursorReport        = "ReportOnEntityCursor"
	cursorAuthorization = "PersonAuthorizationCursor"
	cursorFinding       = "FindingCursor"
	cursorDeclaration   = "DeclarationCursor"
	cursorCourtList     = "CourtListCursor"
	cursorNotification  = "NotificationCursor"
	// typeRecordKindChange is the global ID type of a catalogue change.
	typeRecordKindChange = "RecordKindChange"
)

// errBadCursor is the answer to an after that is not one of the
// connection's cursors.
func errBadCursor() error {
	return apperr.BadInput("after", "after must be a cursor returned by this connection")
}

func recordCursor(c datasources.Cursor) string {
	return gid.Encode(cursorRecord, strings.Join([]string{c.Date, c.Source, string(c.Kind), strconv.FormatInt(c.LocalID, 10)}, "|"))
}

func parseRecordCursor(s string) (datasources.Cursor, error) {
	bad := errBadCursor()
	typ, payload, err := gid.Decode(s)
	if err != nil || typ != cursorRecord {
		return datasources.Cursor{}, bad
	}
	parts := strings.Split(payload, "|")
	if len(parts) != 4 {
		return datasources.Cursor{}, bad
	}
	if _, err := scalars.ParseDate(parts[0]); err != nil {
		return datasources.Cursor{}, bad
	}
	// A cursor stands on a department's record or on one of the hub's own
	// (a listing, a breach), whose source in the cursor is the hub.
	if _, ok := datasources.DepartmentByCode(parts[1]); (!ok && parts[1] != hubdb.Source) || !slices.Contains(credit.Kinds, credit.Kind(parts[2])) {
		return datasources.Cursor{}, bad
	}
	id, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return datasources.Cursor{}, bad
	}
	return datasources.Cursor{Date: parts[0], Source: parts[1], Kind: credit.Kind(parts[2]), LocalID: id}, nil
}

func entityCursor(uscc string) string { return gid.Encode(cursorEntity, uscc) }

func parseEntityCursor(s string) (string, error) {
	typ, payload, err := gid.Decode(s)
	if err != nil || typ != cursorEntity || utf8.RuneCountInString(payload) != 18 {
		return "", errBadCursor()
	}
	return payload, nil
}

// rowCursor is the cursor of a row of the hub's database whose connection
// has a cursor type of its own (typ): its id.
func rowCursor(typ string, id int64) string { return gid.Encode(typ, strconv.FormatInt(id, 10)) }

// parseRowCursor returns the id a rowCursor of type typ stands for; 0
// when after is nil.
func parseRowCursor(typ string, after *string) (int64, error) {
	if after == nil {
		return 0, nil
	}
	t, payload, err := gid.Decode(*after)
	n, perr := strconv.ParseInt(payload, 10, 64)
	if err != nil || t != typ || perr != nil || n <= 0 {
		return 0, errBadCursor()
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
			return 0, 0, errBadCursor()
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

// commitmentsPage answers a commitments connection (of the root query, or
// an entity's later pages) from the workflow, and starts the history of
// the page's commitments when the query asks for it.
func commitmentsPage(ctx context.Context, flows *workflow.Service, f workflow.CommitmentFilter, first *int, after *string) (*model.CommitmentConnection, error) {
	n, before, err := pageAfter(first, after, workflow.TypeCommitment)
	if err != nil {
		return nil, err
	}
	f.Before, f.Limit = before, n+1
	rows, err := flows.Commitments(ctx, f)
	if err != nil {
		return nil, err
	}
	sel := fieldsUnderEdges(ctx, "CommitmentEdge", "Commitment")
	loaders.For(ctx).StartHistory(ctx, historyHint(sel, workflow.WorkflowCommitment), rowIDs(rows[:min(n, len(rows))], func(c *workflow.Commitment) int64 { return c.DBID }))
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

// recordsConnection answers a records(...) field: one page merged from every
// department concerned. A department that did not answer is named in
// missingSources and in an error with code SOURCE_UNAVAILABLE; the others'
// records are still returned.
func recordsConnection(ctx context.Context, cat *catalogue.Catalogue, sub datasources.Subject, filter *model.RecordFilter, first *int, after *string) (*model.CreditRecordConnection, error) {
	req, err := recordsRequest(ctx, cat, sub, filter, first, after)
	if err != nil {
		return nil, err
	}
	page := loaders.For(ctx).Records(ctx, req)
	conn := &model.CreditRecordConnection{
		Edges:          make([]*model.CreditRecordEdge, 0, len(page.Records)),
		PageInfo:       &model.PageInfo{HasNextPage: page.HasNext, HasPreviousPage: after != nil},
		Complete:       len(page.Failed) == 0,
		MissingSources: []*credit.Department{},
	}
	for _, f := range page.Failed {
		d := f.Department
		conn.MissingSources = append(conn.MissingSources, &d)
		graphql.AddError(ctx, f.Err)
	}
	for _, rec := range page.Records {
		c := recordCursor(datasources.CursorOf(rec))
		conn.Edges = append(conn.Edges, &model.CreditRecordEdge{Cursor: c, Node: rec})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	if page.End != (datasources.Cursor{}) {
		end := recordCursor(page.End)
		conn.PageInfo.EndCursor = &end
	}
	return conn, nil
}

// parseReportCursor returns the report number a report cursor stands for;
// "" when after is nil.
func parseReportCursor(after *string) (string, error) {
	if after == nil {
		return "", nil
	}
	t, number, err := gid.Decode(*after)
	if err != nil || t != cursorReport || number == "" {
		return "", errBadCursor()
	}
	return number, nil
}
