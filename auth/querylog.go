package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"credithub/internal/hubdb"
)

// QueryLog is the query log as the hub writes and audits it: a row before
// any answer that carries personal data, in a chain whose every link
// (hubdb.QueryLogRow.Hash) covers the row and its predecessor, so that an
// edited, removed or inserted row is found by Verify.
type QueryLog struct {
	Store hubdb.QueryLogStore
	Now   func() time.Time
}

// Append stamps e with the time and writes it as the next row of the chain;
// when it returns without error, the row is committed.
func (l *QueryLog) Append(ctx context.Context, e hubdb.QueryLogRow) (int64, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	e.LoggedAt = now()
	return l.Store.Append(ctx, e)
}

// Broken says where the chain breaks.
type Broken struct {
	ID     int64
	Reason string
}

func (b *Broken) Error() string { return fmt.Sprintf("query log broken at row %d: %s", b.ID, b.Reason) }

// Verify walks the whole chain and returns the number of rows checked, or a
// *Broken naming the first row that does not verify: a row whose content
// changed, a missing row, a row that does not link to its predecessor, or a
// head that does not match the last row.
func (l *QueryLog) Verify(ctx context.Context) (int64, error) {
	prev := fmt.Sprintf("%064d", 0)
	var n, expect int64 = 0, 1
	err := l.Store.Walk(ctx, func(e hubdb.QueryLogRow) error {
		switch {
		case e.ID != expect:
			return &Broken{ID: expect, Reason: fmt.Sprintf("row is missing (next row is %d)", e.ID)}
		case e.PrevHash != prev:
			return &Broken{ID: e.ID, Reason: "does not link to the previous row"}
		case e.Hash() != e.RowHash:
			return &Broken{ID: e.ID, Reason: "content does not match its hash (edited)"}
		}
		prev, expect, n = e.RowHash, e.ID+1, n+1
		return nil
	})
	if err != nil {
		return n, err
	}
	headID, headHash, err := l.Store.Head(ctx)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (headID != expect-1 || headHash != prev)) {
		return n, &Broken{ID: expect - 1, Reason: "the chain head does not match the last row (rows removed at the end?)"}
	}
	return n, err
}
