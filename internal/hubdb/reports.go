package hubdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ReportRow is a credit report as issued and stored (credit_report).
type ReportRow struct {
	Number        string    `db:"number"`
	USCC          string    `db:"uscc"`
	Purpose       string    `db:"purpose"`
	IssuedAt      time.Time `db:"issued_at"`
	IssuedTo      string    `db:"issued_to"`
	Content       string    `db:"content"`
	ContentSHA256 string    `db:"content_sha256"`
	Signature     string    `db:"signature"`
	KeyID         string    `db:"key_id"`
}

// ListingInForce is a list entry in force as a report states it, its dates
// as YYYY-MM-DD.
type ListingInForce struct {
	ID         int64   `db:"id"`
	ListType   string  `db:"list_type"`
	Domain     *string `db:"domain"`
	Department string  `db:"department"`
	Basis      string  `db:"basis"`
	EnteredOn  string  `db:"entered_on"`
	RectifyBy  *string `db:"rectify_by"`
	BanStart   *string `db:"ban_start"`
	BanEnd     *string `db:"ban_end"`
	Permanent  bool    `db:"permanent"`
}

// ReportStore keeps the signed credit reports the hub issued (T7, T30) and
// reads the list entries a report states.
type ReportStore interface {
	// NextNumber draws the sequence number of the next report.
	NextNumber(ctx context.Context) (int64, error)
	// Save stores an issued report.
	Save(ctx context.Context, r ReportRow) error
	// Find returns the report with a number; nil when there is none. Its
	// content is the stored copy (jsonb: the same JSON value, not
	// necessarily the same bytes).
	Find(ctx context.Context, number string) (*ReportRow, error)
	// ListingsInForce returns the entity's list entries in force on today
	// (YYYY-MM-DD), newest first: listed, and for market bans not past
	// their end.
	ListingsInForce(ctx context.Context, uscc, today string) ([]ListingInForce, error)
	// OnEntity returns the reports issued on an entity, newest first:
	// those after the report numbered after ("" from the newest), at most
	// limit, in one statement; content left out.
	OnEntity(ctx context.Context, uscc, after string, limit int) ([]ReportOnEntity, error)
	// IssuedTo returns the reports issued to a caller (kind:org), newest
	// first, after the report numbered after ("" from the newest), at most
	// limit, in one statement; content left out.
	IssuedTo(ctx context.Context, issuedTo, after string, limit int) ([]ReportIssued, error)
}

// ReportIssued is a report as the caller it was issued to lists it.
type ReportIssued struct {
	Number   string    `db:"number"`
	USCC     string    `db:"uscc"`
	Purpose  string    `db:"purpose"`
	IssuedAt time.Time `db:"issued_at"`
}

// ReportOnEntity is a report as the entity it is about may see it.
type ReportOnEntity struct {
	Number   string    `db:"number"`
	Purpose  string    `db:"purpose"`
	IssuedAt time.Time `db:"issued_at"`
	IssuedTo string    `db:"issued_to"`
}

// Reports returns the credit report store.
func (d *DB) Reports() ReportStore { return reports{d} }

type reports struct{ d *DB }

func (r reports) NextNumber(ctx context.Context) (int64, error) {
	var seq int64
	if err := r.d.get(ctx, &seq, `SELECT nextval('credit_report_seq')`); err != nil {
		return 0, fmt.Errorf("drawing a report number: %w", err)
	}
	return seq, nil
}

func (r reports) Save(ctx context.Context, row ReportRow) error {
	if _, err := r.d.exec(ctx, `INSERT INTO credit_report
		(number, uscc, purpose, issued_at, issued_to, content, content_sha256, signature, key_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		row.Number, row.USCC, row.Purpose, row.IssuedAt, row.IssuedTo, row.Content, row.ContentSHA256, row.Signature, row.KeyID); err != nil {
		return fmt.Errorf("storing report %s: %w", row.Number, err)
	}
	return nil
}

func (r reports) Find(ctx context.Context, number string) (*ReportRow, error) {
	var row ReportRow
	err := r.d.get(ctx, &row, `SELECT number, uscc, purpose, issued_at, issued_to, content::text AS content,
		content_sha256, signature, key_id FROM credit_report WHERE number = $1`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &row, nil
}

func (r reports) ListingsInForce(ctx context.Context, uscc, today string) ([]ListingInForce, error) {
	var out []ListingInForce
	err := r.d.sel(ctx, &out, `SELECT id, list_type, domain, department, basis,
		to_char(entered_on, 'YYYY-MM-DD') AS entered_on, to_char(rectify_by, 'YYYY-MM-DD') AS rectify_by,
		to_char(ban_start, 'YYYY-MM-DD') AS ban_start, to_char(ban_end, 'YYYY-MM-DD') AS ban_end, permanent
		FROM list_entry
		WHERE uscc = $1 AND state = 'LISTED' AND (list_type <> 'MARKET_BAN' OR permanent OR ban_end IS NULL OR ban_end >= $2::date)
		ORDER BY entered_on DESC, id DESC`, uscc, today)
	return out, err
}

func (r reports) OnEntity(ctx context.Context, uscc, after string, limit int) ([]ReportOnEntity, error) {
	out := []ReportOnEntity{}
	err := r.d.sel(ctx, &out, `SELECT number, purpose, issued_at, issued_to FROM credit_report
		WHERE uscc = $1 AND ($2 = '' OR (issued_at, number) < (SELECT issued_at, number FROM credit_report WHERE number = $2 AND uscc = $1))
		ORDER BY issued_at DESC, number DESC LIMIT $3`, uscc, after, limit)
	return out, err
}

func (r reports) IssuedTo(ctx context.Context, issuedTo, after string, limit int) ([]ReportIssued, error) {
	out := []ReportIssued{}
	err := r.d.sel(ctx, &out, `SELECT number, uscc, purpose, issued_at FROM credit_report
		WHERE issued_to = $1 AND ($2 = '' OR (issued_at, number) < (SELECT issued_at, number FROM credit_report WHERE number = $2 AND issued_to = $1))
		ORDER BY issued_at DESC, number DESC LIMIT $3`, issuedTo, after, limit)
	return out, err
}
