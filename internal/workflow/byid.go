package workflow

import (
	"context"

	"credithub/internal/hubdb"
)

// The ByID readers answer a batch of objects by row id in one statement:
// node(id) asked many times in one query (aliases, a router's _entities)
// and the list entry of each case of a page go through them. Ids with no
// object are absent from the map.

// byID maps the rows a store read by id to their objects, by id.
func byID[R, T any](rows []R, err error, object func(*R) *T, id func(*T) int64) (map[int64]*T, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*T, len(rows))
	for _, o := range mapRows(rows, object) {
		out[id(o)] = o
	}
	return out, nil
}

// CommitmentsByID returns the commitments with these ids.
func (s *Service) CommitmentsByID(ctx context.Context, ids []int64) (map[int64]*Commitment, error) {
	rows, err := s.DB.Commitments().ByID(ctx, ids)
	return byID(rows, err, CommitmentOf, func(c *Commitment) int64 { return c.DBID })
}

// ObjectionsByID returns the objections with these ids.
func (s *Service) ObjectionsByID(ctx context.Context, ids []int64) (map[int64]*Objection, error) {
	today := s.Today()
	rows, err := s.DB.Objections().ByID(ctx, ids)
	return byID(rows, err, func(r *hubdb.ObjectionRow) *Objection { return ObjectionOf(r, today) }, func(o *Objection) int64 { return o.DBID })
}

// RepairsByID returns the repairs with these ids.
func (s *Service) RepairsByID(ctx context.Context, ids []int64) (map[int64]*Repair, error) {
	today := s.Today()
	rows, err := s.DB.Repairs().ByID(ctx, ids)
	return byID(rows, err, func(r *hubdb.RepairRow) *Repair { return RepairOf(r, today) }, func(r *Repair) int64 { return r.DBID })
}
