package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
)

// Follower appends to the feed what the hub does not write itself: the
// departments' new records, read from their tables by row id from a
// watermark per department and kind (a kind seen for the first time
// starts at its table's current end: the departments' history is not in
// the feed), and the end of every authorisation that expired. Only one hub
// instance follows at a time (hubdb.ChangeStore.FollowAlone), and each
// batch's changes and its watermark's move commit together, so every new
// row becomes exactly one change. Tick is one turn.
type Follower struct {
	DB *hubdb.DB
	// Feeds are the departments' record tables.
	Feeds []datasources.Feed
	// Registry finds the entities of rows filed under an old registration
	// number or organisation code.
	Registry LegacyKeys
	// Keys keep a person's change without the ID number.
	Keys   hubdb.PersonKeys
	Logger *slog.Logger
	// Now is the clock (tests set it): authorisations whose last valid day
	// is before its day have expired.
	Now func() time.Time
	// Batch is the most rows read per kind and transaction (default 500);
	// a turn reads at most 20 batches per kind and leaves the rest to the
	// next.
	Batch int
	// ReadTimeout bounds each read of a department (default 10s).
	ReadTimeout time.Duration
}

// LegacyKeys finds entities by the keys departments filed them under
// before the unified code (market.RegistryStore).
type LegacyKeys interface {
	USCCsByLegacyKey(ctx context.Context, keys []string) (map[string]string, error)
}

// FollowResult is what one turn did.
type FollowResult struct {
	// Added is how many department records went into the feed; Expired
	// how many authorisations' ends.
	Added, Expired int
	// Busy is set when another instance was following and this one did
	// nothing.
	Busy bool
	// Started names the (department/kind) watermarks set for the first
	// time, at their table's end.
	Started []string
	// Failed names the departments that could not be read; their
	// watermarks stay where they were.
	Failed map[string]error
}

func (f *Follower) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Follower) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (f *Follower) batch() int {
	if f.Batch > 0 {
		return f.Batch
	}
	return 500
}

func (f *Follower) readCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	d := f.ReadTimeout
	if d <= 0 {
		d = 10 * time.Second
	}
	return context.WithTimeout(ctx, d)
}

// Tick follows once: every kind of every department from its watermark,
// then the authorisations that expired. It returns at once, Busy, when
// another instance is following.
func (f *Follower) Tick(ctx context.Context) (FollowResult, error) {
	res := FollowResult{Failed: map[string]error{}}
	if f.Keys == nil {
		return res, errors.New("feed: the follower has no Keys")
	}
	ran, err := f.DB.Changes().FollowAlone(ctx, func(conn *hubdb.DB) error {
		for _, src := range f.Feeds {
			if err := f.follow(ctx, conn, src, &res); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				res.Failed[src.Department().Code] = err
			}
		}
		const chunk = 1000
		for {
			n, err := conn.Changes().EndExpired(ctx, f.now(), chunk)
			res.Expired += n
			if err != nil || n < chunk {
				return err
			}
		}
	})
	res.Busy = err == nil && !ran
	return res, err
}

// follow appends one department's new records. A read that fails stops
// the department for this turn; what was committed stays.
func (f *Follower) follow(ctx context.Context, conn *hubdb.DB, src datasources.Feed, res *FollowResult) error {
	source := src.Department().Code
	marks, err := conn.Changes().Watermarks(ctx, source)
	if err != nil {
		return err
	}
	var fresh []credit.Kind
	for _, k := range src.Kinds() {
		if _, ok := marks[string(k)]; !ok {
			fresh = append(fresh, k)
		}
	}
	if len(fresh) > 0 {
		rctx, cancel := f.readCtx(ctx)
		maxIDs, err := src.MaxIDs(rctx, fresh)
		cancel()
		if err != nil {
			return err
		}
		for _, k := range fresh {
			started, err := conn.Changes().StartWatermark(ctx, source, string(k), maxIDs[k])
			if err != nil {
				return err
			}
			if started {
				res.Started = append(res.Started, source+"/"+string(k))
			}
		}
		if marks, err = conn.Changes().Watermarks(ctx, source); err != nil {
			return err
		}
	}
	for _, k := range src.Kinds() {
		last := marks[string(k)]
		for round := 0; round < 20; round++ {
			next, read, err := f.followKind(ctx, conn, src, k, last, res)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			last = next
			if read < f.batch() {
				break
			}
		}
	}
	return nil
}

// followKind reads one batch of one kind after last and, in one short
// transaction, appends its changes and moves the watermark from last to
// the batch's end. The department is read before the transaction begins,
// so that the feed, which waits for every transaction writing, does not
// wait for a department's answer. It returns the new watermark and how
// many rows it read.
func (f *Follower) followKind(ctx context.Context, conn *hubdb.DB, src datasources.Feed, kind credit.Kind, last int64, res *FollowResult) (int64, int, error) {
	source := src.Department().Code
	rctx, cancel := f.readCtx(ctx)
	defer cancel()
	added, err := src.Since(rctx, kind, last, f.batch())
	if err != nil {
		return last, 0, err
	}
	read := len(added.Records) + len(added.Undecodable)
	if read == 0 {
		return last, 0, nil
	}
	for _, bad := range added.Undecodable {
		f.logger().Warn("change feed: a department row does not decode; skipped", "source", source, "err", bad)
	}
	if err := f.resolveLegacy(rctx, added.Records); err != nil {
		return last, 0, fmt.Errorf("resolving old keys through the registry: %w", err)
	}
	var cs []hubdb.ChangeRow
	for _, rec := range added.Records {
		b := rec.Common()
		who := b.FiledAgainst()
		if who == (credit.Subject{}) {
			f.logger().Warn("change feed: a record's old key is not in the registry; it is not in the feed", "record", b.ID)
			continue
		}
		c := hubdb.ChangeRow{Kind: hubdb.ChangeRecord, Action: hubdb.ActionAdded, RecordID: b.ID, RecordKind: string(b.Kind)}
		cs = append(cs, c.Of(f.Keys, who.USCC, who.IDNumber))
	}
	err = conn.Transact(ctx, func(tx *hubdb.DB) error {
		moved, err := tx.Changes().AdvanceWatermark(ctx, source, string(kind), last, added.Last)
		if err != nil {
			return err
		}
		if !moved {
			return fmt.Errorf("the watermark of %s/%s moved under the follower", source, kind)
		}
		return tx.Changes().Append(ctx, cs)
	})
	if err != nil {
		return last, 0, err
	}
	res.Added += len(cs)
	return added.Last, read, nil
}

// resolveLegacy sets the entity of records filed only under an old
// registration number or organisation code, from the registry; records
// whose key the registry does not know keep no subject.
func (f *Follower) resolveLegacy(ctx context.Context, recs []credit.Record) error {
	var keys []string
	for _, r := range recs {
		b := r.Common()
		if b.Subject == (credit.Subject{}) && b.LegacyKey != nil {
			keys = append(keys, *b.LegacyKey)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	if f.Registry == nil {
		return errors.New("no registry to resolve old keys")
	}
	byKey, err := f.Registry.USCCsByLegacyKey(ctx, keys)
	if err != nil {
		return err
	}
	for _, r := range recs {
		b := r.Common()
		if b.Subject == (credit.Subject{}) && b.LegacyKey != nil {
			b.Subject.USCC = byKey[*b.LegacyKey]
		}
	}
	return nil
}
