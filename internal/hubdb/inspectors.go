package hubdb

import (
	"context"
	"database/sql"
	"time"

	"credithub/internal/apperr"
	"credithub/internal/sqldb"
)

// InspectorRow is a member of a department's roster of inspectors (T13):
// retired ones keep their row, since past plans name them, but are never
// drawn again.
type InspectorRow struct {
	ID           int64          `db:"id"`
	Department   string         `db:"department"`
	Name         string         `db:"name"`
	BadgeNo      string         `db:"badge_no"`
	Active       bool           `db:"active"`
	RetiredAt    sql.NullTime   `db:"retired_at"`
	RetireReason sql.NullString `db:"retire_reason"`
}

// InspectorStore keeps the departments' rosters of inspectors, from which
// inspection plans draw (T13).
type InspectorStore interface {
	// Active returns the ids of a department's active inspectors, in id
	// order.
	Active(ctx context.Context, department string) ([]int64, error)
	// List returns the roster of one department ("" for all), retired
	// inspectors too when retired is set, in department and id order.
	List(ctx context.Context, department string, retired bool) ([]InspectorRow, error)
	// ByID returns one inspector, locked for update, or nil when there is
	// none with that id.
	ByID(ctx context.Context, id int64) (*InspectorRow, error)
	// Add stores a new active inspector and returns its id. A badge number
	// already on any roster is refused BAD_USER_INPUT naming field.
	Add(ctx context.Context, department, name, badgeNo, field string) (int64, error)
	// Update changes an inspector's name and badge number (the same check
	// of the badge number as Add).
	Update(ctx context.Context, id int64, name, badgeNo, field string) error
	// Retire marks an inspector as retired at a time, with a reason.
	Retire(ctx context.Context, id int64, at time.Time, reason string) error
}

// Inspectors returns the inspector roster store.
func (d *DB) Inspectors() InspectorStore { return inspectors{d} }

type inspectors struct{ d *DB }

func (i inspectors) Active(ctx context.Context, department string) ([]int64, error) {
	var out []int64
	err := i.d.sel(ctx, &out, `SELECT id FROM inspector WHERE department = $1 AND active ORDER BY id`, department)
	return out, err
}

const inspectorColumns = `id, department, name, badge_no, active, retired_at, retire_reason`

func (i inspectors) List(ctx context.Context, department string, retired bool) ([]InspectorRow, error) {
	out := []InspectorRow{}
	err := i.d.sel(ctx, &out, `SELECT `+inspectorColumns+` FROM inspector
		WHERE ($1 = '' OR department = $1) AND (active OR $2) ORDER BY department, id`, department, retired)
	return out, err
}

func (i inspectors) ByID(ctx context.Context, id int64) (*InspectorRow, error) {
	var out []InspectorRow
	if err := i.d.sel(ctx, &out, `SELECT `+inspectorColumns+` FROM inspector WHERE id = $1 FOR UPDATE`, id); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

// badgeTaken refuses a badge number another inspector (not id) holds.
func (i inspectors) badgeTaken(ctx context.Context, id int64, badgeNo, field string) error {
	var holders []string
	if err := i.d.sel(ctx, &holders, `SELECT department FROM inspector WHERE badge_no = $1 AND id <> $2`, badgeNo, id); err != nil {
		return err
	}
	if len(holders) > 0 {
		return apperr.BadInput(field, "certificate number %s is already on the roster of %s; each inspector's law-enforcement certificate number is unique", badgeNo, holders[0])
	}
	return nil
}

// duplicate maps a concurrent insert of the same badge number to the same
// error as badgeTaken.
func duplicate(err error, badgeNo, field string) error {
	if sqldb.IsUniqueViolation(err, "inspector_badge_no_key") {
		return apperr.BadInput(field, "certificate number %s is already on a roster; each inspector's law-enforcement certificate number is unique", badgeNo)
	}
	return err
}

func (i inspectors) Add(ctx context.Context, department, name, badgeNo, field string) (int64, error) {
	if err := i.badgeTaken(ctx, 0, badgeNo, field); err != nil {
		return 0, err
	}
	var id int64
	err := i.d.get(ctx, &id, `INSERT INTO inspector (department, name, badge_no) VALUES ($1, $2, $3) RETURNING id`, department, name, badgeNo)
	return id, duplicate(err, badgeNo, field)
}

func (i inspectors) Update(ctx context.Context, id int64, name, badgeNo, field string) error {
	if err := i.badgeTaken(ctx, id, badgeNo, field); err != nil {
		return err
	}
	_, err := i.d.exec(ctx, `UPDATE inspector SET name = $2, badge_no = $3 WHERE id = $1`, id, name, badgeNo)
	return duplicate(err, badgeNo, field)
}

func (i inspectors) Retire(ctx context.Context, id int64, at time.Time, reason string) error {
	_, err := i.d.exec(ctx, `UPDATE inspector SET active = false, retired_at = $2, retire_reason = $3 WHERE id = $1`, id, at, reason)
	return err
}
