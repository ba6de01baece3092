package hubdb

import (
	"context"
	"time"

	"github.com/lib/pq"

	"credithub/internal/credit"
)

// CommitmentRow is a row of commitment: a credit commitment an entity
// signed for an item, held by the department receiving the item's
// applications.
type CommitmentRow struct {
	ID             int64            `db:"id"`
	ItemCode       string           `db:"item_code"`
	USCC           string           `db:"uscc"`
	Content        string           `db:"content"`
	DepartmentCode string           `db:"department"`
	State          string           `db:"state"`
	Severity       *credit.Severity `db:"severity"`
	SignedAt       time.Time        `db:"signed_at"`
	// RecordID is the hub_record a breach created (0: none).
	RecordID int64 `db:"record_id"`
}

const commitmentColumns = `id, item_code, uscc, content, department, state, severity, signed_at, record_id`

// CommitmentFilter selects commitments; zero fields select all. The page is
// keyset by id, newest first: Before is the last id of the previous page.
type CommitmentFilter struct {
	USCC       string
	ItemCode   string
	State      string
	Department string
	Before     int64
	Limit      int
}

// CommitmentStore keeps the commitments.
type CommitmentStore interface {
	// Sign writes a new commitment (its ID is ignored) and returns its id.
	Sign(ctx context.Context, c CommitmentRow) (int64, error)
	// LockForDecision reads commitment id and locks it for a decision;
	// ErrNotFound when there is none, CONFLICT when another decision holds
	// it.
	LockForDecision(ctx context.Context, id int64) (CommitmentRow, error)
	// Decide writes the outcome: the state, and for a breach its severity
	// and the record it created.
	Decide(ctx context.Context, id int64, state string, severity *credit.Severity, recordID int64) error
	// Find returns a page of commitments, newest first.
	Find(ctx context.Context, f CommitmentFilter) ([]CommitmentRow, error)
	// Of returns the newest perEntity commitments of each of the entities
	// in one statement, newest first within each.
	Of(ctx context.Context, usccs []string, perEntity int) ([]CommitmentRow, error)
	// ByID returns the commitments with these ids, in one statement.
	ByID(ctx context.Context, ids []int64) ([]CommitmentRow, error)
}

// Commitments returns the commitments.
func (d *DB) Commitments() CommitmentStore { return commitments{d} }

type commitments struct{ d *DB }

func (s commitments) Sign(ctx context.Context, c CommitmentRow) (int64, error) {
	var id int64
	err := s.d.get(ctx, &id, `INSERT INTO commitment (item_code, uscc, content, department, state, signed_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.ItemCode, c.USCC, c.Content, c.DepartmentCode, c.State, c.SignedAt)
	return id, err
}

func (s commitments) LockForDecision(ctx context.Context, id int64) (CommitmentRow, error) {
	return lockByID[CommitmentRow](ctx, s.d, commitmentColumns, "commitment", id)
}

func (s commitments) Decide(ctx context.Context, id int64, state string, severity *credit.Severity, recordID int64) error {
	_, err := s.d.exec(ctx, `UPDATE commitment SET state = $2, severity = $3, record_id = $4 WHERE id = $1`, id, state, severity, recordID)
	return err
}

func (s commitments) Find(ctx context.Context, f CommitmentFilter) ([]CommitmentRow, error) {
	var rows []CommitmentRow
	err := s.d.sel(ctx, &rows, `SELECT `+commitmentColumns+` FROM commitment
		WHERE ($1 = '' OR uscc = $1) AND ($2 = '' OR item_code = $2) AND ($3 = '' OR state = $3)
		  AND ($4 = '' OR department = $4) AND ($5 = 0 OR id < $5)
		ORDER BY id DESC LIMIT $6`, f.USCC, f.ItemCode, f.State, f.Department, f.Before, pageLimit(f.Limit))
	return rows, err
}

func (s commitments) Of(ctx context.Context, usccs []string, perEntity int) ([]CommitmentRow, error) {
	var rows []CommitmentRow
	err := s.d.sel(ctx, &rows, `SELECT `+commitmentColumns+` FROM (
		SELECT *, row_number() OVER (PARTITION BY uscc ORDER BY id DESC) AS rank
		FROM commitment WHERE uscc = ANY($1::text[])) c
		WHERE rank <= $2 ORDER BY uscc, id DESC`, pq.StringArray(usccs), pageLimit(perEntity))
	return rows, err
}

func (s commitments) ByID(ctx context.Context, ids []int64) ([]CommitmentRow, error) {
	return rowsByID[CommitmentRow](ctx, s.d, commitmentColumns, "commitment", ids)
}
