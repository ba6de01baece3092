package workflow

import (
	"context"

	"github.com/lib/pq"

	"credithub/internal/sqldb"
)

// The ByID readers answer a batch of objects by row id in one statement:
// node(id) asked many times in one query (aliases, a router's _entities)
// and the list entry of each case of a page go through them. Ids with no
// object are absent from the map.

// byID selects the rows of table with these ids into R and maps each to its
// object.
func byID[R any, T any](ctx context.Context, s *Service, columns, table string, ids []int64, object func(*R) *T, id func(*T) int64) (map[int64]*T, error) {
	var rows []R
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+columns+` FROM `+table+` WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, sqldb.MapError(err)
	}
	out := make(map[int64]*T, len(rows))
	for i := range rows {
		o := object(&rows[i])
		out[id(o)] = o
	}
	return out, nil
}

// CommitmentsByID returns the commitments with these ids.
func (s *Service) CommitmentsByID(ctx context.Context, ids []int64) (map[int64]*Commitment, error) {
	return byID(ctx, s, commitmentColumns, "commitment", ids,
		func(c *Commitment) *Commitment { return c }, func(c *Commitment) int64 { return c.DBID })
}

// ListEntriesByID returns the list entries with these ids.
func (s *Service) ListEntriesByID(ctx context.Context, ids []int64) (map[int64]*ListEntry, error) {
	today := s.Today()
	return byID(ctx, s, listEntryColumns, "list_entry", ids,
		func(r *listEntryRow) *ListEntry { return r.entry(today) }, func(e *ListEntry) int64 { return e.DBID })
}

// JointCasesByID returns the cases with these ids.
func (s *Service) JointCasesByID(ctx context.Context, ids []int64) (map[int64]*JointCase, error) {
	return byID(ctx, s, jointCaseColumns, "joint_case", ids,
		func(c *JointCase) *JointCase { return c }, func(c *JointCase) int64 { return c.DBID })
}

// ObjectionsByID returns the objections with these ids.
func (s *Service) ObjectionsByID(ctx context.Context, ids []int64) (map[int64]*Objection, error) {
	today := s.Today()
	return byID(ctx, s, objectionColumns, "objection", ids,
		func(r *objectionRow) *Objection { return r.objection(today) }, func(o *Objection) int64 { return o.DBID })
}

// RepairsByID returns the repairs with these ids.
func (s *Service) RepairsByID(ctx context.Context, ids []int64) (map[int64]*Repair, error) {
	today := s.Today()
	return byID(ctx, s, repairColumns, "repair", ids,
		func(r *repairRow) *Repair { return r.repair(today) }, func(r *Repair) int64 { return r.DBID })
}
