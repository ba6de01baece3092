package hubdb

// Ids in blocks: transactions that add workflow rows side by side (a bulk
// load cut into parts) get the same ids however their statements
// interleave. A table's id is the next value of its sequence, which goes to
// whichever transaction asks first; with blocks, each transaction reserves
// a block of every sequence before it writes, in an order the caller
// fixes, and draws its ids from its blocks. PostgreSQL does the drawing:
// a sequence with CACHE n hands a session n values at its first call and
// the next ones from that block.

import (
	"context"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"credithub/internal/sqldb"
)

// blockTables are the tables the workflows' transitions add rows to, each
// with a bigserial id whose sequence is <table>_id_seq.
var blockTables = []string{"commitment", "list_entry", "interview", "joint_case", "case_push", "objection", "repair",
	"finding", "notification", "hub_record", "record_overlay", "workflow_history", "declaration"}

// IDBlocks are the blocks a transaction reserved: the first id of each
// table's, which the reservation itself took.
type IDBlocks struct {
	size  int64
	first []int64 // by blockTables
}

// IDBlockStore hands the workflow tables' ids out in blocks.
type IDBlockStore interface {
	// HandOut makes the sequences continue just past their tables'
	// highest ids and hand ids out in blocks of size (1: one at a time, as
	// the hub runs). It is for a hub no one else writes to meanwhile.
	HandOut(ctx context.Context, size int64) error
	// Reserve, within a transaction, drops the blocks its session held and
	// reserves the next block of every sequence: the rows it adds next
	// take their ids from them.
	Reserve(ctx context.Context) (IDBlocks, error)
	// Release checks that the transaction's rows took their ids within
	// its blocks — an error names a table whose block ran out: the ids
	// past it depend on timing — and drops what is left of them.
	Release(ctx context.Context, b IDBlocks) error
}

// IDBlocks returns the hand-out of ids in blocks.
func (d *DB) IDBlocks() IDBlockStore { return idBlocks{d} }

type idBlocks struct{ d *DB }

func sequenceOf(table string) string { return table + "_id_seq" }

func (s idBlocks) HandOut(ctx context.Context, size int64) error {
	if size < 1 {
		return fmt.Errorf("hubdb: blocks of %d ids", size)
	}
	return s.d.Transact(ctx, func(tx *DB) error {
		for _, t := range blockTables {
			if _, err := tx.exec(ctx, fmt.Sprintf(`ALTER SEQUENCE %s CACHE %d`, pq.QuoteIdentifier(sequenceOf(t)), size)); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, fmt.Sprintf(`SELECT setval($1, coalesce(max(id), 0) + 1, false) FROM %s`, pq.QuoteIdentifier(t)),
				sequenceOf(t)); err != nil {
				return err
			}
		}
		return nil
	})
}

// sequenceCalls is one SELECT of fn (nextval, currval) of every sequence.
func sequenceCalls(fn string) string {
	calls := make([]string, len(blockTables))
	for i, t := range blockTables {
		calls[i] = fmt.Sprintf("%s('%s')", fn, sequenceOf(t))
	}
	return `SELECT ` + strings.Join(calls, ", ")
}

func (s idBlocks) Reserve(ctx context.Context) (IDBlocks, error) {
	if !s.d.InTx() {
		return IDBlocks{}, fmt.Errorf("hubdb: ids are reserved in blocks within a transaction")
	}
	var b IDBlocks
	if err := s.d.get(ctx, &b.size, `SELECT min(cache_size) FROM pg_sequences WHERE sequencename = ANY($1)`,
		pq.Array(sequenceNames())); err != nil {
		return b, err
	}
	if _, err := s.d.exec(ctx, `DISCARD SEQUENCES`); err != nil {
		return b, err
	}
	var err error
	b.first, err = s.values(ctx, "nextval")
	return b, err
}

func (s idBlocks) Release(ctx context.Context, b IDBlocks) error {
	last, err := s.values(ctx, "currval")
	if err != nil {
		return err
	}
	for i, t := range blockTables {
		if last[i]-b.first[i] >= b.size {
			return fmt.Errorf("hubdb: the rows added to %s took %d ids, past their block of %d", t, last[i]-b.first[i], b.size)
		}
	}
	_, err = s.d.exec(ctx, `DISCARD SEQUENCES`)
	return err
}

// values reads fn of every sequence, in one statement.
func (s idBlocks) values(ctx context.Context, fn string) ([]int64, error) {
	out := make([]int64, len(blockTables))
	dest := make([]any, len(out))
	for i := range out {
		dest[i] = &out[i]
	}
	return out, sqldb.MapError(s.d.x.QueryRowxContext(ctx, sequenceCalls(fn)).Scan(dest...))
}

func sequenceNames() []string {
	out := make([]string, len(blockTables))
	for i, t := range blockTables {
		out[i] = sequenceOf(t)
	}
	return out
}
