package hubdb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"credithub/datasources/dstest"
	"credithub/internal/hubdb"
)

// Transactions that reserve their ids in blocks, in a fixed order, give
// their rows the same ids whichever writes first; one that takes more ids
// than its block holds is told; handed out one at a time again, ids follow
// the highest.
func TestIDBlocksMakeIdsIndependentOfInterleaving(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	hub := hubdb.New(db.DB)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	record := func(tx *hubdb.DB, object int64) error {
		return tx.History().Record(ctx, hubdb.EventRow{Workflow: "commitment", ObjectID: object, Action: "sign", To: "SIGNED", At: at})
	}
	ids := func() map[int64]int64 {
		t.Helper()
		var rows []struct {
			ID     int64 `db:"id"`
			Object int64 `db:"object_id"`
		}
		if err := db.SelectContext(ctx, &rows, `SELECT id, object_id FROM workflow_history`); err != nil {
			t.Fatal(err)
		}
		out := map[int64]int64{}
		for _, r := range rows {
			out[r.Object] = r.ID
		}
		return out
	}
	if err := hub.IDBlocks().HandOut(ctx, 10); err != nil {
		t.Fatal(err)
	}

	// A reserves first, B second; B writes first.
	aReserved, bWrote := make(chan struct{}), make(chan struct{})
	var g errgroup.Group
	g.Go(func() error {
		return hub.Transact(ctx, func(tx *hubdb.DB) error {
			b, err := tx.IDBlocks().Reserve(ctx)
			if err != nil {
				return err
			}
			close(aReserved)
			<-bWrote
			if err := record(tx, 1); err != nil {
				return err
			}
			return tx.IDBlocks().Release(ctx, b)
		})
	})
	g.Go(func() error {
		return hub.Transact(ctx, func(tx *hubdb.DB) error {
			<-aReserved
			b, err := tx.IDBlocks().Reserve(ctx)
			if err != nil {
				return err
			}
			if err := record(tx, 2); err != nil {
				return err
			}
			close(bWrote)
			return tx.IDBlocks().Release(ctx, b)
		})
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := ids(); got[1] != 2 || got[2] != 12 {
		t.Errorf("ids by object %v, want 2 for the first block's row and 12 for the second's", got)
	}

	err := hub.Transact(ctx, func(tx *hubdb.DB) error {
		b, err := tx.IDBlocks().Reserve(ctx)
		if err != nil {
			return err
		}
		for range 10 {
			if err := record(tx, 3); err != nil {
				return err
			}
		}
		return tx.IDBlocks().Release(ctx, b)
	})
	if err == nil || !strings.Contains(err.Error(), "workflow_history") {
		t.Errorf("eleven ids from a block of ten: %v", err)
	}

	if err := hub.IDBlocks().HandOut(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := hub.Transact(ctx, func(tx *hubdb.DB) error { return record(tx, 4) }); err != nil {
		t.Fatal(err)
	}
	if got := ids(); got[4] != 13 {
		t.Errorf("the next id after the blocks: %d, want 13", got[4])
	}
}
