package sqldb

import (
	"context"
	"database/sql/driver"
	"sync/atomic"
)

// Every connection the hub opens goes through this thin wrapper around lib/pq
// so that statements can be counted per database and per request. The
// statement-count tests and the benchmark read these counters instead of
// timing anything.

// Stats counts the statements sent to one database.
type Stats struct {
	Statements atomic.Int64
}

// RequestStats counts statements per database for one request. It is carried
// in the context, so a statement run for a request is charged to it.
type RequestStats struct {
	counts [maxDatabases]atomic.Int64
}

// maxDatabases bounds the databases a hub opens (five departments and its own).
const maxDatabases = 8

type requestStatsKey struct{}

// WithRequestStats returns a context that counts the statements run under it.
func WithRequestStats(ctx context.Context) (context.Context, *RequestStats) {
	s := &RequestStats{}
	return context.WithValue(ctx, requestStatsKey{}, s), s
}

// WithoutRequestStats returns a context whose statements count toward no
// request: the housekeeping a request occasionally triggers on behalf of
// many (a rate-limit lease), which is not what its query costs.
func WithoutRequestStats(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestStatsKey{}, (*RequestStats)(nil))
}

// Count returns the statements sent to db under the request.
func (s *RequestStats) Count(db *DB) int64 {
	if s == nil || db == nil {
		return 0
	}
	return s.counts[db.slot].Load()
}

// Total returns the statements sent to every database under the request.
func (s *RequestStats) Total() int64 {
	var n int64
	for i := range s.counts {
		n += s.counts[i].Load()
	}
	return n
}

type countingConnector struct {
	driver.Connector
	db *DB
}

func (c *countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{conn: conn, db: c.db}, nil
}

// pqConn is the set of interfaces lib/pq's connection implements; the
// wrapper forwards every one of them so database/sql keeps its fast paths.
type pqConn interface {
	driver.Conn
	driver.QueryerContext
	driver.ExecerContext
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

type countingConn struct {
	conn driver.Conn
	db   *DB
}

func (c *countingConn) count(ctx context.Context) {
	c.db.stats.Statements.Add(1)
	if s, ok := ctx.Value(requestStatsKey{}).(*RequestStats); ok && s != nil {
		s.counts[c.db.slot].Add(1)
	}
}

func (c *countingConn) pq() pqConn { return c.conn.(pqConn) }

func (c *countingConn) Prepare(query string) (driver.Stmt, error) {
	return c.conn.Prepare(query)
}

func (c *countingConn) Close() error { return c.conn.Close() }

func (c *countingConn) Begin() (driver.Tx, error) {
	return c.pq().BeginTx(context.Background(), driver.TxOptions{})
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.count(ctx)
	return c.pq().QueryContext(ctx, tagged(ctx, query), args)
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.count(ctx)
	return c.pq().ExecContext(ctx, tagged(ctx, query), args)
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.count(ctx)
	return c.pq().PrepareContext(ctx, query) // COPY statements: pq parses them, no comment
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.pq().BeginTx(ctx, opts)
}

func (c *countingConn) Ping(ctx context.Context) error { return c.pq().Ping(ctx) }

func (c *countingConn) ResetSession(ctx context.Context) error { return c.pq().ResetSession(ctx) }

func (c *countingConn) IsValid() bool { return c.pq().IsValid() }

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.pq().CheckNamedValue(nv)
}

type tagKey struct{}

// WithTag returns a context whose statements carry a comment naming the
// request and operation that sent them (/* credithub request_id=… operation=… */),
// so that a department's DBA can tell, in pg_stat_activity or the
// statement log, who sent a statement. Only identifier characters are
// kept: the values come from clients and must not close the comment.
func WithTag(ctx context.Context, requestID, operation string) context.Context {
	return context.WithValue(ctx, tagKey{}, "/* credithub request_id="+clean(requestID)+" operation="+clean(operation)+" */ ")
}

func clean(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 64; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}

func tagged(ctx context.Context, query string) string {
	if t, ok := ctx.Value(tagKey{}).(string); ok {
		return t + query
	}
	return query
}
