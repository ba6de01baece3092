package workflow

import (
	"context"

	"github.com/lib/pq"

	"credithub/sqldb"
)

// The ByID readers answer a batch of objects by row id in one statement:
// node(id) asked many times in one query (aliases, a router's _entities)
// and the list entry of each case of a page go through them. Ids with no
// object are absent from the map.

// CommitmentsByID returns the commitments with these ids.
func (s *Service) CommitmentsByID(ctx context.Context, ids []int64) (map[int64]*Commitment, error) {
	var rows []*Commitment
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+commitmentColumns+` FROM commitment WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, sqldb.MapError(err)
	}
	out := make(map[int64]*Commitment, len(rows))
	for _, c := range rows {
		out[c.DBID] = c
	}
	return out, nil
}

// ListEntriesByID returns the list entries with these ids.
func (s *Service) ListEntriesByID(ctx context.Context, ids []int64) (map[int64]*ListEntry, error) {
	var rows []listEntryRow
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+listEntryColumns+` FROM list_entry WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, sqldb.MapError(err)
	}
	today := s.Today()
	out := make(map[int64]*ListEntry, len(rows))
	for i := range rows {
		e := rows[i].entry(today)
		out[e.DBID] = e
	}
	return out, nil
}

// JointCasesByID returns the cases with these ids.
func (s *Service) JointCasesByID(ctx context.Context, ids []int64) (map[int64]*JointCase, error) {
	var rows []*JointCase
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+jointCaseColumns+` FROM joint_case WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, sqldb.MapError(err)
	}
	out := make(map[int64]*JointCase, len(rows))
	for _, c := range rows {
		out[c.DBID] = c
	}
	return out, nil
}

// ObjectionsByID returns the objections with these ids.
func (s *Service) ObjectionsByID(ctx context.Context, ids []int64) (map[int64]*Objection, error) {
	var rows []objectionRow
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+objectionColumns+` FROM objection WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, sqldb.MapError(err)
	}
	today := s.Today()
	out := make(map[int64]*Objection, len(rows))
	for i := range rows {
		o := rows[i].objection(today)
		out[o.DBID] = o
	}
	return out, nil
}

// RepairsByID returns the repairs with these ids.
func (s *Service) RepairsByID(ctx context.Context, ids []int64) (map[int64]*Repair, error) {
	var rows []repairRow
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+repairColumns+` FROM repair WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, sqldb.MapError(err)
	}
	today := s.Today()
	out := make(map[int64]*Repair, len(rows))
	for i := range rows {
		r := rows[i].repair(today)
		out[r.DBID] = r
	}
	return out, nil
}
