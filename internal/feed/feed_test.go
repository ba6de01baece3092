package feed_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"credithub/datasources/dstest"
	"credithub/internal/apperr"
	"credithub/internal/feed"
	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

func newFeed(t *testing.T, conns int) (*sqldb.DB, *hubdb.DB, *feed.Service) {
	t.Helper()
	db := dstest.Open(t, hubdb.Setup, nil)
	pool, err := sqldb.Open(sqldb.Config{Name: db.Name, DSN: dstest.DSN(t, db.Name), MaxOpenConns: conns, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	cursors, err := feed.NewCursors([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	hub := hubdb.New(pool.DB)
	return pool, hub, &feed.Service{DB: hub, Cursors: cursors}
}

// entityChange is a change of an entity's listing, which every agency
// follows.
func entityChange(n int) hubdb.ChangeRow {
	return hubdb.ChangeRow{Kind: hubdb.ChangeListing, Action: hubdb.ActionEntered, USCC: "91230000000000000X",
		ListType: "JOINT_PUNISHMENT", ObjectID: int64(n)}
}

func read(t *testing.T, svc *feed.Service, agency, since string, n int) ([]int64, *feed.Page) {
	t.Helper()
	p, err := svc.Read(context.Background(), feed.Request{Agency: agency, Since: since, First: n, ListTypes: []string{"JOINT_PUNISHMENT"}})
	if err != nil {
		t.Fatal(err)
	}
	var objs []int64
	for _, c := range p.Changes {
		objs = append(objs, c.ObjectID)
	}
	return objs, p
}

// A change whose transaction commits after a later one's is not passed
// over: the feed stops below the oldest transaction still writing, and
// delivers both, in transaction order, once it ended. A cursor replayed
// returns the same changes; a changed, forged, another agency's or
// another purpose's cursor is refused, naming since and why.
func TestFeedWaitsForTheSlowerWriter(t *testing.T) {
	t.Parallel()
	_, hub, svc := newFeed(t, 6)
	ctx := context.Background()
	appendOne := func(n int) {
		if err := hub.Transact(ctx, func(tx *hubdb.DB) error { return tx.Changes().Append(ctx, []hubdb.ChangeRow{entityChange(n)}) }); err != nil {
			t.Fatal(err)
		}
	}
	appendOne(1)
	// Transaction 2 writes first and commits last.
	written, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- hub.Transact(ctx, func(tx *hubdb.DB) error {
			if err := tx.Changes().Append(ctx, []hubdb.ChangeRow{entityChange(2)}); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written
	appendOne(3)
	got, first := read(t, svc, "agency-a", "", 10)
	if !slices.Equal(got, []int64{1}) || first.HasMore {
		t.Fatalf("while 2 is being written the feed gives %v (more: %v), want [1]: 3 must wait for 2", got, first.HasMore)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, second := read(t, svc, "agency-a", first.Cursor, 10)
	if !slices.Equal(got, []int64{2, 3}) {
		t.Fatalf("after 2 committed the feed gives %v, want [2 3]", got)
	}
	// Replays: the same changes, from any cursor given.
	if again, _ := read(t, svc, "agency-a", first.Cursor, 10); !slices.Equal(again, got) {
		t.Errorf("replaying a cursor gave %v, then %v", got, again)
	}
	if again, _ := read(t, svc, "agency-a", second.Cursors[0], 10); !slices.Equal(again, []int64{3}) {
		t.Errorf("from the cursor of change 2: %v, want [3]", again)
	}
	if again, p := read(t, svc, "agency-a", second.Cursor, 10); len(again) != 0 || p.Cursor != second.Cursor || p.HasMore {
		t.Errorf("caught up: %v, cursor moved %v, more %v", again, p.Cursor != second.Cursor, p.HasMore)
	}

	// SECURITY: cursors that this hub did not issue to this agency for
	// this purpose.
	tampered := []byte(first.Cursor)
	if i := len(tampered) - 20; tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	for name, c := range map[string]struct {
		agency, purpose, cursor, reason string
	}{
		"tampered":        {"agency-a", "", string(tampered), "NOT_ISSUED"},
		"forged":          {"agency-a", "", "c1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "NOT_ISSUED"},
		"another agency":  {"agency-b", "", first.Cursor, "NOT_ISSUED"},
		"another purpose": {"agency-a", "AUTHORIZED_QUERY", first.Cursor, "OTHER_PURPOSE"},
		"not a cursor":    {"agency-a", "", "42", "MALFORMED"},
		"truncated":       {"agency-a", "", first.Cursor[:len(first.Cursor)-4], "MALFORMED"},
	} {
		_, err := svc.Read(ctx, feed.Request{Agency: c.agency, Purpose: c.purpose, Since: c.cursor, First: 10})
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.BadCursor || ae.Extensions["field"] != "since" || ae.Extensions["reason"] != c.reason {
			t.Errorf("%s cursor: %v %+v, want BAD_CURSOR on since, %s", name, err, ae, c.reason)
		}
	}
}

// Many writers commit in every order while an agency pages through the
// feed with small pages: when they are done, the agency has read every
// change exactly once, in (transaction, row) order — nothing skipped,
// nothing twice.
func TestFeedHasNoGapUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	const writers, transactions = 6, 60
	pool, hub, svc := newFeed(t, writers+2)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range transactions {
				err := hub.Transact(ctx, func(tx *hubdb.DB) error {
					rows := make([]hubdb.ChangeRow, 1+rnd.IntN(3))
					for j := range rows {
						rows[j] = entityChange(w*100000 + i*10 + j)
					}
					if err := tx.Changes().Append(ctx, rows); err != nil {
						return err
					}
					// Hold the transaction open a while: commits land out
					// of their transactions' order.
					time.Sleep(time.Duration(rnd.IntN(3000)) * time.Microsecond)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	var got, want []int64
	cursor := ""
	// Read while they write, then until the feed has given everything:
	// a transaction of this database still open (an autovacuum's) may
	// hold the last changes back a moment, never skip them.
	var deadline time.Time
	for {
		objs, p := read(t, svc, "agency-a", cursor, 7)
		got, cursor = append(got, objs...), p.Cursor
		if deadline.IsZero() {
			select {
			case <-stopped:
				deadline = time.Now().Add(30 * time.Second)
				if err := pool.Select(&want, `SELECT object_id FROM feed_change ORDER BY xid, id`); err != nil {
					t.Fatal(err)
				}
			default:
			}
		}
		if !deadline.IsZero() && ((len(got) >= len(want) && !p.HasMore) || time.Now().After(deadline)) {
			break
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(got) != len(want) || !slices.Equal(got, want) {
		seen := map[int64]int{}
		for _, o := range got {
			seen[o]++
		}
		var missing, twice []int64
		for _, o := range want {
			if seen[o] == 0 {
				missing = append(missing, o)
			}
			if seen[o] > 1 {
				twice = append(twice, o)
			}
		}
		t.Fatalf("read %d changes, the feed holds %d; missing %v, read twice %v", len(got), len(want), missing, twice)
	}
	t.Logf("%d changes from %d writers read in order, exactly once each", len(got), writers)
}

// Transactions of another database on the same server (a department's)
// begin and end all the time. One that ends between a read's snapshot and
// its look at who is running must not make the feed look caught up below a
// change already committed: each change is read back by the first read
// after its commit, while another database churns short transactions.
func TestFeedIsNotHeldBackByAnotherDatabaseEnding(t *testing.T) {
	t.Parallel()
	_, hub, svc := newFeed(t, 4)
	_, otherDSN := dstest.NewDatabase(t, "feedother")
	other, err := sqldb.Open(sqldb.Config{Name: "other", DSN: otherDSN, MaxOpenConns: 3, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	ctx, stop := context.WithCancel(context.Background())
	var churn sync.WaitGroup
	for range 3 {
		churn.Go(func() {
			for ctx.Err() == nil {
				// pg_current_xact_id gives the transaction an id, as a
				// write does; it runs for a few milliseconds, so that reads
				// find it running, or just ended.
				other.ExecContext(ctx, `SELECT pg_current_xact_id(), pg_sleep(0.003)`)
			}
		})
	}
	defer func() { stop(); churn.Wait() }()

	cursor := ""
	for n := 1; n <= 300; n++ {
		if err := hub.Transact(context.Background(), func(tx *hubdb.DB) error {
			return tx.Changes().Append(context.Background(), []hubdb.ChangeRow{entityChange(n)})
		}); err != nil {
			t.Fatal(err)
		}
		got, p := read(t, svc, "agency-a", cursor, 10)
		if !slices.Equal(got, []int64{int64(n)}) {
			t.Fatalf("read %d: the change committed just before gives %v, want [%d]", n, got, n)
		}
		cursor = p.Cursor
	}
}
