package hubdb_test

import (
	"context"
	"testing"
	"time"

	"credithub/datasources/dstest"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
)

// A prepared transaction reads and writes as a plain one does, prepares
// a statement once however often it runs again, and answers a statement
// the database refuses with the database's error, rolling back.
func TestTransactPreparedRunsEachStatementPreparedOnce(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	hub := hubdb.New(db.DB)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	before := db.Statements()
	err := hub.TransactPrepared(ctx, func(tx *hubdb.DB) error {
		for i := range 50 {
			if err := tx.History().Record(ctx, hubdb.EventRow{Workflow: "commitment", ObjectID: int64(i % 5), Action: "sign",
				To: "SIGNED", Actor: "tester", ActorOrg: "market", At: at}); err != nil {
				return err
			}
		}
		got, err := tx.History().Of(ctx, "commitment", []int64{0, 1, 2, 3, 4})
		if err != nil {
			return err
		}
		if len(got) != 5 || len(got[3]) != 10 {
			t.Errorf("read back %d objects, %d events of object 3", len(got), len(got[3]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The history's insert: its first run and its preparation; its read:
	// one run, as it is.
	if n := db.Statements() - before; n != 3 {
		t.Errorf("%d statements counted, want 3", n)
	}

	err = hub.TransactPrepared(ctx, func(tx *hubdb.DB) error {
		if err := tx.History().Record(ctx, hubdb.EventRow{Workflow: "listing", ObjectID: 1, Action: "interview", At: at}); err != nil {
			return err
		}
		_, err := tx.ListEntries().AddInterview(ctx, hubdb.InterviewRow{ListEntryID: 1, USCC: "x", Type: credit.InterviewPrompt,
			HeldOn: at, DepartmentCode: "market", Notes: "no such listing"})
		return err
	})
	if apperr.CodeOf(err) != apperr.BadUserInput {
		t.Errorf("an interview on no listing: %v, want the foreign key's BAD_USER_INPUT", err)
	}
	var events int
	if err := db.GetContext(ctx, &events, `SELECT count(*) FROM workflow_history`); err != nil || events != 50 {
		t.Errorf("%d events (%v), want the first transaction's 50", events, err)
	}
}
