package hubdb

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"time"

	"github.com/lib/pq"

	"credithub/internal/credit"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// OverlayRow is a row of record_overlay: what a workflow object (Source,
// SourceID: an objection, a repair) puts on top of a record, by the
// record's global ID. The department's database is never written; State
// applies the active overlays to every record a request reads.
type OverlayRow struct {
	RecordID  string        `db:"record_id"`
	Kind      credit.Status `db:"kind"`
	Fields    Correction    `db:"fields"`
	Source    string        `db:"source"`
	SourceID  int64         `db:"source_id"`
	CreatedAt time.Time     `db:"created_at"`
	CreatedBy string        `db:"created_by"`
}

// Correction holds the corrected fields of a CORRECTED overlay (the fields
// column, JSON; empty for the other kinds).
type Correction struct {
	Summary      *string       `json:"summary,omitempty"`
	DecisionNo   *string       `json:"decisionNo,omitempty"`
	DecisionDate *scalars.Date `json:"decisionDate,omitempty"`
}

// Value writes the fields as JSON.
func (c Correction) Value() (driver.Value, error) { return json.Marshal(c) }

// Scan reads the fields from their JSON.
func (c *Correction) Scan(src any) error { return scanJSON(src, c, "an overlay's fields") }

// OverlayStore keeps the overlays on records.
type OverlayStore interface {
	// Add puts an active overlay on a record.
	Add(ctx context.Context, o OverlayRow) error
	// End deactivates the active overlays of kind that a workflow object
	// (source, sourceID) put on a record; the rows stay as history.
	End(ctx context.Context, kind credit.Status, source string, sourceID int64) error
	// Active returns the active overlays in the order they were put.
	Active(ctx context.Context) ([]OverlayRow, error)
	// EachActive calls fn with every active overlay, by record ID (bytewise)
	// and, for one record, in the order they were put, one row at a time:
	// a reload holds no copy of them all.
	EachActive(ctx context.Context, fn func(OverlayRow) error) error
	// ActiveOn is Active for the records ids (global IDs) only.
	ActiveOn(ctx context.Context, ids []string) ([]OverlayRow, error)
}

// Overlays returns the overlays on records.
func (d *DB) Overlays() OverlayStore { return overlays{d} }

type overlays struct{ d *DB }

// Add and End name the record they change to the transaction's notice
// (DB.Notify), so that every instance refreshes its overlays.
func (s overlays) Add(ctx context.Context, o OverlayRow) error {
	s.d.touch(o.RecordID)
	_, err := s.d.exec(ctx, `INSERT INTO record_overlay (record_id, kind, fields, source, source_id, active, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, true, $6, $7)`, o.RecordID, o.Kind, o.Fields, o.Source, o.SourceID, o.CreatedAt, o.CreatedBy)
	return err
}

func (s overlays) End(ctx context.Context, kind credit.Status, source string, sourceID int64) error {
	var ids []string
	err := s.d.sel(ctx, &ids, `UPDATE record_overlay SET active = false
		WHERE source = $1 AND source_id = $2 AND kind = $3 AND active RETURNING record_id`, source, sourceID, kind)
	s.d.touch(ids...)
	return err
}

func (s overlays) Active(ctx context.Context) ([]OverlayRow, error) {
	var rows []OverlayRow
	err := s.d.sel(ctx, &rows, `SELECT record_id, kind, fields, source, source_id, created_at, created_by
		FROM record_overlay WHERE active ORDER BY id`)
	return rows, err
}

func (s overlays) EachActive(ctx context.Context, fn func(OverlayRow) error) error {
	rows, err := s.d.x.QueryxContext(ctx, `SELECT record_id, kind, fields, source, source_id, created_at, created_by
		FROM record_overlay WHERE active ORDER BY record_id COLLATE "C", id`)
	if err != nil {
		return sqldb.MapError(err)
	}
	defer rows.Close()
	var o OverlayRow
	for rows.Next() {
		o = OverlayRow{}
		if err := rows.StructScan(&o); err != nil {
			return err
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return sqldb.MapError(rows.Err())
}

func (s overlays) ActiveOn(ctx context.Context, ids []string) ([]OverlayRow, error) {
	var rows []OverlayRow
	err := s.d.sel(ctx, &rows, `SELECT record_id, kind, fields, source, source_id, created_at, created_by
		FROM record_overlay WHERE record_id = ANY($1::text[]) AND active ORDER BY id`, pq.Array(ids))
	return rows, err
}
