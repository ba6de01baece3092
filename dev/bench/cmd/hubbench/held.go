package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"credithub/internal/credit"
	"credithub/internal/hubdb"
)

// The records the hub holds itself (listings, interviews, key attention,
// commitment breaches, agencies' findings, self-declarations, inspection
// results: the table hub_record of the hub's database) are on an entity's
// list beside the departments' (issue #16). The baseline reads them as a
// PostgreSQL user would: straight from hub_record by the entity's code,
// newest first in the graph's order, concurrently with the departments,
// and shows each row as the graph does (hubdb.HeldRecord, as the
// departments' rows go through their own decoders).

// heldColumns are the columns of hub_record the baseline reads, from h.
const heldColumns = `h.id, h.kind, h.subject_uscc, h.subject_id_no, h.subject_name, h.department,
  h.decision_no, h.decision_date, h.summary, h.severity, h.status, h.detail`

// heldOrder is the graph's record order among the hub's rows.
const heldOrder = `h.decision_date DESC, h.kind COLLATE "C", h.id DESC`

// s1HeldSQL: $1 the code, $2 the records limit. The entity's count and its
// newest rows, as JSON, in one statement.
const s1HeldSQL = `SELECT (SELECT count(*) FROM hub_record h WHERE h.subject_uscc = $1) AS total,
  (SELECT coalesce(json_agg(r ORDER BY r.decision_date DESC, r.kind COLLATE "C", r.id DESC), '[]'::json) FROM (
     SELECT ` + heldColumns + ` FROM hub_record h WHERE h.subject_uscc = $1 ORDER BY ` + heldOrder + ` LIMIT $2) r) AS records`

// s2HeldSQL: $1 the page's codes, $2 the records per entity.
const s2HeldSQL = `SELECT k.uscc AS page_uscc, h.* FROM unnest($1::text[]) AS k(uscc)
  CROSS JOIN LATERAL (SELECT ` + heldColumns + ` FROM hub_record h WHERE h.subject_uscc = k.uscc ORDER BY ` + heldOrder + ` LIMIT $2) h`

// heldJSON is a row of hub_record as json_agg writes it.
type heldJSON struct {
	ID           int64            `json:"id"`
	Kind         credit.Kind      `json:"kind"`
	SubjectUSCC  string           `json:"subject_uscc"`
	SubjectIDNo  string           `json:"subject_id_no"`
	SubjectName  string           `json:"subject_name"`
	Department   string           `json:"department"`
	DecisionNo   *string          `json:"decision_no"`
	DecisionDate string           `json:"decision_date"`
	Summary      string           `json:"summary"`
	Severity     *credit.Severity `json:"severity"`
	Status       credit.Status    `json:"status"`
	Detail       hubdb.Detail     `json:"detail"`
}

// s1Held reads the entity's records the hub holds and their count.
func (b *baseline) s1Held(ctx context.Context, uscc string) deptAnswer {
	var (
		total int
		agg   []byte
	)
	if err := b.dbs[hubdb.Source].QueryRowContext(ctx, s1HeldSQL, uscc, s1First+1).Scan(&total, &agg); err != nil {
		return deptAnswer{err: err}
	}
	var rows []heldJSON
	if err := json.Unmarshal(agg, &rows); err != nil {
		return deptAnswer{err: fmt.Errorf("hub: %w", err)}
	}
	recs := make([]credit.Record, 0, len(rows))
	for _, r := range rows {
		d, err := time.Parse(time.DateOnly, r.DecisionDate)
		if err != nil {
			return deptAnswer{err: fmt.Errorf("hub record %d: %w", r.ID, err)}
		}
		rec, err := hubdb.HeldRecord(&hubdb.HubRecordRow{ID: r.ID, Kind: r.Kind, SubjectUSCC: r.SubjectUSCC, SubjectIDNo: r.SubjectIDNo,
			SubjectName: r.SubjectName, Department: r.Department, DecisionNo: r.DecisionNo, DecisionDate: d, Summary: r.Summary,
			Severity: r.Severity, Status: r.Status, Detail: r.Detail})
		if err != nil {
			return deptAnswer{err: err}
		}
		recs = append(recs, rec)
	}
	return deptAnswer{recs: recs, count: total}
}

// s2Held reads the newest records the hub holds of each entity of a page.
func (b *baseline) s2Held(ctx context.Context, usccs []string) (map[string][]credit.Record, error) {
	rows, err := b.dbs[hubdb.Source].QueryxContext(ctx, s2HeldSQL, pq.Array(usccs), s2First)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]credit.Record{}
	for rows.Next() {
		var r struct {
			PageUSCC string `db:"page_uscc"`
			hubdb.HubRecordRow
		}
		if err := rows.StructScan(&r); err != nil {
			return nil, err
		}
		rec, err := hubdb.HeldRecord(&r.HubRecordRow)
		if err != nil {
			return nil, err
		}
		out[r.PageUSCC] = append(out[r.PageUSCC], rec)
	}
	return out, rows.Err()
}
