package seed

// The batch in parts side by side, with ids that do not depend on how the
// parts interleave.

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

// parts is how many parts the entities are cut into. The parts run side by
// side, as many at a time as the hub's pool allows (a part that finds no
// connection free runs after another, in that one's transaction); each
// draws the ids of the rows it adds from blocks of its own, reserved in
// part order (hubdb.IDBlockStore), so that two seeds of a world give every
// row the same id.
const parts = 4

// errAbandoned is a part's answer when another part failed: all are rolled
// back.
var errAbandoned = errors.New("seed: another part failed")

// write makes the transitions of work in parts side by side, all or
// nothing: the parts' transactions commit once every part is made, and
// none does when one fails.
func (s *seeder) write(ctx context.Context, db *sqldb.DB, hub *hubdb.DB, work []*timeline) (err error) {
	cut := split(work, parts)
	// A block holds every id a part may take: no transition adds more rows
	// to one table than the opening of a case adds history rows (a push
	// each, the case, the listing); the reservation takes one.
	most := 0
	for _, part := range cut {
		n := 0
		for _, t := range part {
			n += len(t.steps)
		}
		most = max(most, n)
	}
	ids := hub.IDBlocks()
	if err := ids.HandOut(ctx, int64(most)*int64(len(s.depts)+2)+1); err != nil {
		return err
	}
	defer func() {
		if herr := ids.HandOut(context.WithoutCancel(ctx), 1); err == nil {
			err = herr
		}
	}()
	workers := parts
	if n := db.Stats().MaxOpenConnections; n > 0 && n < workers {
		workers = n
	}
	reserved := make([]chan struct{}, parts)
	for i := range reserved {
		reserved[i] = make(chan struct{})
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var failed atomic.Bool
	var made, ended sync.WaitGroup // parts made (or failed); transactions ended
	made.Add(workers)
	ended.Add(workers)
	errs := make([]error, workers)
	for w := range workers {
		go func() {
			defer ended.Done()
			ran := false
			errs[w] = hub.TransactPrepared(wctx, func(tx *hubdb.DB) error {
				ran = true
				err := s.writeParts(wctx, tx, cut, w, workers, reserved)
				if err != nil {
					failed.Store(true)
					cancel()
				}
				made.Done()
				made.Wait()
				if err == nil && failed.Load() {
					err = errAbandoned
				}
				return err
			})
			if !ran {
				failed.Store(true)
				cancel()
				made.Done()
			}
		}()
	}
	ended.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, errAbandoned) && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// writeParts makes parts w, w+workers, … of cut on tx, each after the
// part before it reserved its ids.
func (s *seeder) writeParts(ctx context.Context, tx *hubdb.DB, cut [][]*timeline, w, workers int, reserved []chan struct{}) error {
	for j := w; j < len(cut); j += workers {
		if j > 0 {
			select {
			case <-reserved[j-1]:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		blocks, err := tx.IDBlocks().Reserve(ctx)
		if err != nil {
			return err
		}
		close(reserved[j])
		if err := run(ctx, s.flows, tx, cut[j]); err != nil {
			return err
		}
		if err := tx.IDBlocks().Release(ctx, blocks); err != nil {
			return err
		}
	}
	return nil
}

// split cuts work into n consecutive parts of about as many steps each.
func split(work []*timeline, n int) [][]*timeline {
	total := 0
	for _, t := range work {
		total += len(t.steps)
	}
	out := make([][]*timeline, 0, n)
	start, sum := 0, 0
	for i, t := range work {
		sum += len(t.steps)
		if len(out) < n-1 && sum*n >= total*(len(out)+1) {
			out = append(out, work[start:i+1])
			start = i + 1
		}
	}
	out = append(out, work[start:])
	for len(out) < n {
		out = append(out, nil)
	}
	return out
}
