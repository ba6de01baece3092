package workflow_test

import (
	"context"
	"testing"
	"time"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/workday"
	"credithub/internal/workflow"
)

// A batch makes the mutations' transitions — their checks, history rows
// and effects — on the caller's transaction, each at the moment the
// caller's clock gives and by the actor of its context, with no idempotency
// row; nothing shows before the caller commits.
func TestBatchRunsTheTransitionsOnTheCallersTransaction(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	hub := hubdb.New(db.DB)
	ctx := context.Background()
	svc := &workflow.Service{DB: hub, Calendar: workday.Default()}
	signed, breached := obCST(2025, 3, 4, 9, 30), obCST(2025, 6, 10, 15, 0)
	entity := obAs(auth.KindEntity, obEntityCode, auth.EntitySelfScopes...)
	market := obAs(auth.KindDepartment, "market", auth.ScopeCommitmentWrite)
	fire := obAs(auth.KindDepartment, "fire", auth.ScopeCommitmentWrite)

	var id int64
	err := hub.TransactPrepared(ctx, func(tx *hubdb.DB) error {
		var now time.Time
		b := svc.Batch(tx, func() time.Time { return now })
		now = signed
		c, err := b.SignCommitment(entity, workflow.SignInput{ItemCode: "MA-001", USCC: obEntityCode, Content: "本企业承诺设立登记材料真实有效。"}, hubdb.Key{})
		if err != nil {
			return err
		}
		id = c.DBID
		now = breached
		// The same checks: only the holding department decides.
		if _, err := b.BreachCommitment(fire, id, credit.General, "承诺内容不实", hubdb.Key{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("another department breached the commitment: %v", err)
		}
		if _, err := b.BreachCommitment(market, id, credit.General, "承诺内容不实", hubdb.Key{}); err != nil {
			return err
		}
		if found, err := svc.CommitmentsByID(ctx, []int64{id}); err != nil || len(found) != 0 {
			t.Errorf("the batch's commitment shows before the commit: %v %v", found, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Announce(ctx); err != nil {
		t.Fatal(err)
	}

	history, err := svc.History(ctx, workflow.WorkflowCommitment, []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action, actor, org string
		at                 time.Time
	}{{"sign", "tester", obEntityCode, signed}, {"breach", "tester", "market", breached}}
	if len(history[id]) != len(want) {
		t.Fatalf("history %+v, want %+v", history[id], want)
	}
	for i, e := range history[id] {
		if w := want[i]; e.Action != w.action || e.Actor != w.actor || e.ActorOrg != w.org || !e.At.Equal(w.at) {
			t.Errorf("history[%d] = %+v, want %+v", i, *e, w)
		}
	}
	var record struct {
		Kind    string    `db:"kind"`
		Decided time.Time `db:"decision_date"`
		Created time.Time `db:"created_at"`
	}
	if err := db.GetContext(ctx, &record, `SELECT kind, decision_date, created_at FROM hub_record`); err != nil {
		t.Fatal(err)
	}
	if record.Kind != "COMMITMENT_BREACH" || !record.Created.Equal(breached) || record.Decided.Format(time.DateOnly) != "2025-06-10" {
		t.Errorf("the breach's record: %+v", record)
	}
	var keys int
	if err := db.GetContext(ctx, &keys, `SELECT count(*) FROM idempotency`); err != nil || keys != 0 {
		t.Errorf("%d idempotency rows (%v)", keys, err)
	}
}

// A batch runs on a transaction: on the pool its transitions would commit
// one statement at a time.
func TestBatchNeedsATransaction(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	hub := hubdb.New(db.DB)
	svc := &workflow.Service{DB: hub, Calendar: workday.Default()}
	b := svc.Batch(hub, time.Now)
	_, err := b.SignCommitment(obAs(auth.KindEntity, obEntityCode, auth.EntitySelfScopes...),
		workflow.SignInput{ItemCode: "MA-001", USCC: obEntityCode, Content: "本企业承诺设立登记材料真实有效。"}, hubdb.Key{})
	if err == nil {
		t.Error("a batch on the pool signed a commitment")
	}
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT count(*) FROM commitment`); err != nil || n != 0 {
		t.Errorf("%d commitments written (%v)", n, err)
	}
}
