package hubdb

import (
	"context"
	"time"

	"github.com/lib/pq"

	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// ListEntryRow is a row of list_entry: an entity on a list (T14, T15, T21).
// Its DATE columns read as midnight UTC of the day and are written as the
// China Standard Time date of the time given.
type ListEntryRow struct {
	ID             int64           `db:"id"`
	ListType       credit.ListType `db:"list_type"`
	Domain         *string         `db:"domain"`
	USCC           string          `db:"uscc"`
	DepartmentCode string          `db:"department"`
	Basis          string          `db:"basis"`
	LinkedRecords  pq.StringArray  `db:"linked_records"`
	EnteredOn      time.Time       `db:"entered_on"`
	RectifyBy      *time.Time      `db:"rectify_by"`
	BanStart       *time.Time      `db:"ban_start"`
	BanEnd         *time.Time      `db:"ban_end"`
	Permanent      bool            `db:"permanent"`
	State          string          `db:"state"`
	RemovedOn      *time.Time      `db:"removed_on"`
	RemovalReason  *string         `db:"removal_reason"`
}

const listEntryColumns = `id, list_type, domain, uscc, department, basis, linked_records, entered_on, rectify_by,
	ban_start, ban_end, permanent, state, removed_on, removal_reason`

// InterviewRow is a row of interview: an interview the identifying
// department held with a listed entity (T16).
type InterviewRow struct {
	ID             int64                `db:"id"`
	ListEntryID    int64                `db:"list_entry_id"`
	USCC           string               `db:"uscc"`
	Type           credit.InterviewType `db:"type"`
	HeldOn         time.Time            `db:"held_on"`
	DepartmentCode string               `db:"department"`
	Notes          string               `db:"notes"`
}

// ListEntryFilter selects list entries; zero fields select all. The page
// is keyset by id, newest first: Before is the last id of the previous page.
type ListEntryFilter struct {
	ListType   credit.ListType
	State      string
	Department string
	USCC       string
	// USCCs keeps the entries of these entities (a page of entities asking
	// for their listings: one statement); with Limit 0, all of them.
	USCCs []string
	// RectificationOverdue, when set, keeps the LISTED entries whose
	// rectification deadline is before Today (true), or the others (false).
	RectificationOverdue *bool
	Today                scalars.Date
	// HideKeyAttention leaves out key-attention entries, except those of
	// the entity SeenBy.
	HideKeyAttention bool
	SeenBy           string
	Before           int64
	Limit            int
}

// ListEntryStore keeps the list entries and the interviews held on them.
type ListEntryStore interface {
	// Enter writes a new entry (its ID is ignored) and returns its id.
	Enter(ctx context.Context, e ListEntryRow) (int64, error)
	// LockForDecision reads entry id and locks it for a decision;
	// ErrNotFound when there is none, CONFLICT when another decision holds
	// it.
	LockForDecision(ctx context.Context, id int64) (ListEntryRow, error)
	// Remove takes entry id off its list on day on, for reason.
	Remove(ctx context.Context, id int64, state string, on time.Time, reason string) error
	// Find returns the entries matching f, newest first.
	Find(ctx context.Context, f ListEntryFilter) ([]ListEntryRow, error)
	// ByID returns the entries with these ids, in one statement.
	ByID(ctx context.Context, ids []int64) ([]ListEntryRow, error)
	// AddInterview writes an interview (its ID is ignored) and returns its id.
	AddInterview(ctx context.Context, iv InterviewRow) (int64, error)
	// InterviewsOf returns the interviews held on each of the entries,
	// oldest first, in one statement.
	InterviewsOf(ctx context.Context, entryIDs []int64) ([]InterviewRow, error)
	// BansEnding returns up to limit listed, not permanent market bans
	// whose end date is today or earlier (T21), soonest first.
	BansEnding(ctx context.Context, today time.Time, limit int) ([]int64, error)
	// BansStarting returns up to limit listed market bans whose start has
	// come and whose start is not yet recorded.
	BansStarting(ctx context.Context, today time.Time, limit int) ([]int64, error)
	// MarkBanStarted records that ban id started on day on; false when it
	// was already recorded.
	MarkBanStarted(ctx context.Context, id int64, on time.Time) (bool, error)
}

// ListEntries returns the list entries and their interviews.
func (d *DB) ListEntries() ListEntryStore { return listEntries{d} }

type listEntries struct{ d *DB }

func (s listEntries) Enter(ctx context.Context, e ListEntryRow) (int64, error) {
	var id int64
	err := s.d.get(ctx, &id, `INSERT INTO list_entry (list_type, domain, uscc, department, basis, linked_records,
			entered_on, rectify_by, ban_start, ban_end, permanent, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		e.ListType, e.Domain, e.USCC, e.DepartmentCode, e.Basis, e.LinkedRecords,
		day(e.EnteredOn), dayOrNull(e.RectifyBy), dayOrNull(e.BanStart), dayOrNull(e.BanEnd), e.Permanent, e.State)
	return id, err
}

func (s listEntries) LockForDecision(ctx context.Context, id int64) (ListEntryRow, error) {
	return lockByID[ListEntryRow](ctx, s.d, listEntryColumns, "list_entry", id)
}

func (s listEntries) Remove(ctx context.Context, id int64, state string, on time.Time, reason string) error {
	_, err := s.d.exec(ctx, `UPDATE list_entry SET state = $2, removed_on = $3, removal_reason = $4 WHERE id = $1`,
		id, state, day(on), reason)
	return err
}

func (s listEntries) BansEnding(ctx context.Context, today time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.d.sel(ctx, &ids, `SELECT id FROM list_entry
		WHERE list_type = 'MARKET_BAN' AND state = 'LISTED' AND NOT permanent AND ban_end <= $1::date
		ORDER BY ban_end, id LIMIT $2`, day(today), limit)
	return ids, err
}

func (s listEntries) BansStarting(ctx context.Context, today time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.d.sel(ctx, &ids, `SELECT id FROM list_entry
		WHERE list_type = 'MARKET_BAN' AND state = 'LISTED' AND ban_started_on IS NULL AND ban_start <= $1::date
		ORDER BY ban_start, id LIMIT $2`, day(today), limit)
	return ids, err
}

func (s listEntries) MarkBanStarted(ctx context.Context, id int64, on time.Time) (bool, error) {
	n, err := s.d.exec(ctx, `UPDATE list_entry SET ban_started_on = $2 WHERE id = $1 AND ban_started_on IS NULL`, id, day(on))
	return n == 1, err
}

func (s listEntries) Find(ctx context.Context, f ListEntryFilter) ([]ListEntryRow, error) {
	var rows []ListEntryRow
	err := s.d.sel(ctx, &rows, `SELECT `+listEntryColumns+` FROM list_entry
		WHERE ($1 = '' OR list_type = $1) AND ($2 = '' OR state = $2) AND ($3 = '' OR department = $3) AND ($4 = '' OR uscc = $4)
		  AND ($5::boolean IS NULL OR (state = 'LISTED' AND COALESCE(rectify_by < $6::date, false)) = $5::boolean)
		  AND (NOT $7 OR list_type <> 'KEY_ATTENTION' OR uscc = $8)
		  AND ($9 = 0 OR id < $9)
		  AND (COALESCE(cardinality($11::text[]), 0) = 0 OR uscc = ANY($11::text[]))
		ORDER BY id DESC LIMIT $10`,
		string(f.ListType), f.State, f.Department, f.USCC, f.RectificationOverdue, f.Today.String(),
		f.HideKeyAttention, f.SeenBy, f.Before, batchLimit(len(f.USCCs), f.Limit), pq.StringArray(f.USCCs))
	return rows, err
}

func (s listEntries) ByID(ctx context.Context, ids []int64) ([]ListEntryRow, error) {
	return rowsByID[ListEntryRow](ctx, s.d, listEntryColumns, "list_entry", ids)
}

func (s listEntries) AddInterview(ctx context.Context, iv InterviewRow) (int64, error) {
	var id int64
	err := s.d.get(ctx, &id, `INSERT INTO interview (list_entry_id, uscc, type, held_on, department, notes)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, iv.ListEntryID, iv.USCC, iv.Type, day(iv.HeldOn), iv.DepartmentCode, iv.Notes)
	return id, err
}

func (s listEntries) InterviewsOf(ctx context.Context, entryIDs []int64) ([]InterviewRow, error) {
	var rows []InterviewRow
	err := s.d.sel(ctx, &rows, `SELECT id, list_entry_id, uscc, type, held_on, department, notes
		FROM interview WHERE list_entry_id = ANY($1) ORDER BY held_on, id`, pq.Array(entryIDs))
	return rows, err
}
