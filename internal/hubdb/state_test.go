package hubdb_test

import (
	"context"
	"testing"
	"time"

	"credithub/datasources/dstest"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

// statusOf is the status and summary a State gives an effective record
// with global ID id.
func statusOf(s *hubdb.State, id string) (credit.Status, string) {
	r := &credit.Penalty{Base: credit.Base{ID: id, Status: credit.Effective, Summary: "原文"}}
	s.Apply(r)
	return r.Status, r.Summary
}

// eventually waits, up to 20 s, for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Issue #16: an instance applies another's change to the overlays
// incrementally: a transaction's notice names the records whose overlays
// it changed, and each instance reads those records' overlays again, not
// every overlay (a row written without a notice stays unseen until a
// whole reload is asked for).
func TestOverlaysRefreshFromTheNotice(t *testing.T) {
	t.Parallel()
	name, dsn := dstest.NewDatabase(t, hubdb.Setup.Name)
	db, err := sqldb.Open(sqldb.Config{Name: name, DSN: dsn, MaxOpenConns: 4, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := sqldb.Migrate(ctx, db, hubdb.Setup.Migrations); err != nil {
		t.Fatal(err)
	}
	hub := hubdb.New(db.DB)
	silently := func(id string, kind credit.Status) {
		t.Helper()
		if err := hub.Overlays().Add(ctx, hubdb.OverlayRow{RecordID: id, Kind: kind, Source: "objection", SourceID: 1, CreatedAt: time.Now(), CreatedBy: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	// Instance B listens; once it does, it has read what was there.
	silently("r0", credit.UnderObjection)
	b := &hubdb.State{DB: db.DB}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Listen(ctx, dsn)
	}()
	t.Cleanup(func() { cancel(); <-done })
	eventually(t, "B reads the overlays when it starts listening", func() bool { st, _ := statusOf(b, "r0"); return st == credit.UnderObjection })

	silently("r9", credit.Revoked)
	// Instance A's transition corrects r1 and puts r2 under objection.
	a := &hubdb.State{DB: db.DB}
	summary := "更正后的摘要"
	var touched []string
	err = hub.Transact(ctx, func(tx *hubdb.DB) error {
		for _, o := range []hubdb.OverlayRow{
			{RecordID: "r1", Kind: credit.Corrected, Fields: hubdb.Correction{Summary: &summary}, Source: "objection", SourceID: 7},
			{RecordID: "r2", Kind: credit.UnderObjection, Source: "objection", SourceID: 8},
		} {
			o.CreatedAt, o.CreatedBy = time.Now(), "test"
			if err := tx.Overlays().Add(ctx, o); err != nil {
				return err
			}
		}
		touched = tx.Touched()
		return tx.Notify(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(touched) != 2 {
		t.Errorf("the transaction touched %v, want r1 and r2", touched)
	}
	if err := a.Refresh(ctx, touched); err != nil {
		t.Fatal(err)
	}
	if st, sum := statusOf(a, "r1"); st != credit.Corrected || sum != summary {
		t.Errorf("A, after its own change: r1 %s %q", st, sum)
	}
	eventually(t, "B applies A's change", func() bool {
		st1, sum := statusOf(b, "r1")
		st2, _ := statusOf(b, "r2")
		return st1 == credit.Corrected && sum == summary && st2 == credit.UnderObjection
	})
	if st, _ := statusOf(b, "r9"); st != credit.Effective {
		t.Errorf("B reloaded everything on a notice naming two records: r9 is %s", st)
	}
	if st, _ := statusOf(b, "r0"); st != credit.UnderObjection {
		t.Errorf("B lost r0's overlay: %s", st)
	}

	// Ending the objection's overlay on r2: B drops it.
	err = hub.Transact(ctx, func(tx *hubdb.DB) error {
		if err := tx.Overlays().End(ctx, credit.UnderObjection, "objection", 8); err != nil {
			return err
		}
		return tx.Notify(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "B drops the ended overlay", func() bool { st, _ := statusOf(b, "r2"); return st == credit.Effective })
	if n := b.Len(); n != 2 {
		t.Errorf("B holds overlays of %d records, want 2 (r0, r1)", n)
	}

	// A batch's announcement asks for a whole reload: r9 appears.
	if err := hub.Transact(ctx, func(tx *hubdb.DB) error { return tx.NotifyAll(ctx) }); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B reloads everything on a batch's announcement", func() bool { st, _ := statusOf(b, "r9"); return st == credit.Revoked })
}

// Issue #16: a whole reload builds the index as the rows come, by record,
// without a copy of them all: several overlays on one record, in the order
// they were put, records whose IDs sort differently bytewise than in a
// collation (upper and lower case, digits), and ended overlays left out.
func TestReloadStreamsTheOverlays(t *testing.T) {
	t.Parallel()
	name, dsn := dstest.NewDatabase(t, hubdb.Setup.Name)
	db, err := sqldb.Open(sqldb.Config{Name: name, DSN: dsn, MaxOpenConns: 2, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := sqldb.Migrate(ctx, db, hubdb.Setup.Migrations); err != nil {
		t.Fatal(err)
	}
	hub := hubdb.New(db.DB)
	corrected := "更正后的摘要"
	for i, o := range []hubdb.OverlayRow{
		{RecordID: "b1", Kind: credit.Corrected, Fields: hubdb.Correction{Summary: &corrected}},
		{RecordID: "B2", Kind: credit.UnderObjection},
		{RecordID: "a3", Kind: credit.Revoked, Source: "ended"},
		{RecordID: "b1", Kind: credit.UnderObjection},
		{RecordID: "A9", Kind: credit.Repaired},
	} {
		if o.Source == "" {
			o.Source = "objection"
		}
		o.SourceID, o.CreatedAt, o.CreatedBy = int64(i+1), time.Now(), "test"
		if err := hub.Overlays().Add(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := hub.Overlays().End(ctx, credit.Revoked, "ended", 3); err != nil {
		t.Fatal(err)
	}
	s := &hubdb.State{DB: db.DB}
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3 {
		t.Errorf("%d records with overlays, want 3 (b1, B2, A9)", s.Len())
	}
	for _, c := range []struct {
		id      string
		status  credit.Status
		summary string
	}{
		{"b1", credit.UnderObjection, corrected},
		{"B2", credit.UnderObjection, "原文"},
		{"A9", credit.Repaired, "原文"},
		{"a3", credit.Effective, "原文"},
		{"zz", credit.Effective, "原文"},
	} {
		if st, sum := statusOf(s, c.id); st != c.status || sum != c.summary {
			t.Errorf("%s: %s %q, want %s %q", c.id, st, sum, c.status, c.summary)
		}
	}
}
