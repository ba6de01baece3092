package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
	"credithub/internal/workflow"
)

// warnBench is a workflow service on a throwaway hub database with
// warnings raised by the rules the migrations seed.
type warnBench struct {
	svc *workflow.Service
	db  *hubdb.DB
	raw *sqlx.DB
	now time.Time
}

func newWarnBench(t *testing.T) *warnBench {
	t.Helper()
	db := dstest.Open(t, hubdb.Setup, nil)
	b := &warnBench{db: hubdb.New(db.DB), raw: db.DB, now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	b.svc = &workflow.Service{DB: b.db, Now: func() time.Time { return b.now }}
	return b
}

// raise raises a warning of rule W-PEN-100K on uscc and returns its id.
func (b *warnBench) raise(t *testing.T, uscc, recordID string) int64 {
	t.Helper()
	ids, err := b.db.Warnings().Raise(context.Background(), []hubdb.NewWarning{{Rule: "W-PEN-100K", USCC: uscc, Level: "WARNING",
		Message: "a fine of 150000.00 yuan", RecordID: recordID}}, b.now)
	if err != nil || len(ids) != 1 {
		t.Fatalf("raising a warning: %v %v", ids, err)
	}
	return ids[0]
}

// rows counts the rows of a hub table that match where.
func (b *warnBench) rows(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := b.raw.Get(&n, `SELECT count(*) FROM `+table+` WHERE `+where, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

var (
	warnOffice = obAs(auth.KindDepartment, workflow.CreditOfficeOrg, auth.ScopeWarningHandle)
	warnFire   = obAs(auth.KindDepartment, "fire", auth.ScopeWarningHandle)
	// warnReader reads warnings (entity:read) but may not handle them.
	warnReader = obAs(auth.KindDepartment, "market", auth.ScopeEntityRead)
)

func wantCode(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("%s: %v (code %s), want %s", what, err, apperr.CodeOf(err), code)
	}
	if field != "" && e.Extensions["field"] != field {
		t.Fatalf("%s: %v names field %v, want %s", what, err, e.Extensions["field"], field)
	}
}

// A warning is acknowledged by the credit office, assigned to the fire
// brigade, re-assigned to one of its officers, and closed with a note by
// the brigade; each step is in its history, oldest first, with who made it;
// a closed warning stays closed.
func TestWarningHandledStepByStep(t *testing.T) {
	t.Parallel()
	b := newWarnBench(t)
	id := b.raise(t, "91231100MA1ABCDE0X", "rec-1")

	w, err := b.svc.AcknowledgeWarning(warnOffice, id, hubdb.Key{Value: "ack-1"})
	if err != nil || w.State != "ACKNOWLEDGED" || w.AcknowledgedAt == nil || w.Rule.Code != "W-PEN-100K" {
		t.Fatalf("acknowledge: %+v %v", w, err)
	}
	b.now = b.now.Add(time.Hour)
	fire := "fire"
	w, err = b.svc.AssignWarning(warnOffice, id, workflow.Assignee{Department: &fire}, hubdb.Key{Value: "assign-1"})
	if err != nil || w.State != "ASSIGNED" || w.AssigneeDepartment == nil || *w.AssigneeDepartment != "fire" || w.AssigneePerson != nil {
		t.Fatalf("assign: %+v %v", w, err)
	}
	b.now = b.now.Add(time.Hour)
	officer := " 王建国 "
	w, err = b.svc.AssignWarning(warnFire, id, workflow.Assignee{Department: &fire, Person: &officer}, hubdb.Key{Value: "assign-2"})
	if err != nil || w.State != "ASSIGNED" || w.AssigneePerson == nil || *w.AssigneePerson != "王建国" || *w.AssigneeDepartment != "fire" {
		t.Fatalf("re-assign: %+v %v", w, err)
	}
	b.now = b.now.Add(time.Hour)
	w, err = b.svc.CloseWarning(warnFire, id, "已现场核查，责令整改完毕", hubdb.Key{Value: "close-1"})
	if err != nil || w.State != "CLOSED" || w.ClosedNote == nil || *w.ClosedNote != "已现场核查，责令整改完毕" || w.ClosedAt == nil {
		t.Fatalf("close: %+v %v", w, err)
	}

	// Closing again is refused, and so is anything else on a closed warning.
	_, err = b.svc.CloseWarning(warnOffice, id, "again", hubdb.Key{Value: "close-2"})
	wantCode(t, "closing a closed warning", err, apperr.InvalidTransition, "")
	_, err = b.svc.AssignWarning(warnOffice, id, workflow.Assignee{Department: &fire}, hubdb.Key{Value: "assign-3"})
	wantCode(t, "assigning a closed warning", err, apperr.InvalidTransition, "")

	events, err := b.svc.History(context.Background(), workflow.WorkflowWarning, []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events[id] {
		got = append(got, fmt.Sprintf("%s %s→%s by %s: %s", e.Action, e.From, e.To, e.ActorOrg, e.Reason))
	}
	want := []string{
		"raise →OPEN by warning-rules: W-PEN-100K",
		"acknowledge OPEN→ACKNOWLEDGED by credit-office: ",
		"assign ACKNOWLEDGED→ASSIGNED by credit-office: to fire",
		"assign ASSIGNED→ASSIGNED by fire: to fire 王建国",
		"close ASSIGNED→CLOSED by fire: 已现场核查，责令整改完毕",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("history:\n%q\nwant\n%q", got, want)
	}
}

// Assigning straight from OPEN is allowed; acknowledging an assigned
// warning is not.
func TestWarningTransitionsFromOpen(t *testing.T) {
	t.Parallel()
	b := newWarnBench(t)
	id := b.raise(t, "91231100MA1ABCDE0X", "rec-2")
	person := "李娜"
	if w, err := b.svc.AssignWarning(warnOffice, id, workflow.Assignee{Person: &person}, hubdb.Key{Value: "a"}); err != nil ||
		w.State != "ASSIGNED" || w.AssigneeDepartment != nil {
		t.Fatalf("assign from OPEN: %+v %v", w, err)
	}
	_, err := b.svc.AcknowledgeWarning(warnOffice, id, hubdb.Key{Value: "b"})
	wantCode(t, "acknowledging an assigned warning", err, apperr.InvalidTransition, "")
	other := b.raise(t, "91231100MA1ABCDE0X", "rec-3")
	if w, err := b.svc.CloseWarning(warnOffice, other, "误报：处罚已撤销", hubdb.Key{Value: "c"}); err != nil || w.State != "CLOSED" {
		t.Fatalf("close from OPEN: %+v %v", w, err)
	}
}

// A retry with the same key answers as the first time and writes nothing;
// the same key with another note is refused.
func TestWarningIdempotentReplay(t *testing.T) {
	t.Parallel()
	b := newWarnBench(t)
	id := b.raise(t, "91231100MA1ABCDE0X", "rec-4")
	key := hubdb.Key{Value: "close-once", Fingerprint: "note-1"}
	first, err := b.svc.CloseWarning(warnOffice, id, "已处理", key)
	if err != nil {
		t.Fatal(err)
	}
	b.now = b.now.Add(time.Minute)
	again, err := b.svc.CloseWarning(warnOffice, id, "已处理", key)
	if err != nil || again.State != "CLOSED" || !again.ClosedAt.Equal(*first.ClosedAt) {
		t.Fatalf("replay: %+v %v, want the first answer %+v", again, err, first)
	}
	if n := b.rows(t, "workflow_history", "workflow = 'warning' AND object_id = $1 AND action = 'close'", id); n != 1 {
		t.Fatalf("%d close events after a replay, want 1", n)
	}
	_, err = b.svc.CloseWarning(warnOffice, id, "另一说明", hubdb.Key{Value: "close-once", Fingerprint: "note-2"})
	wantCode(t, "the same key with another note", err, apperr.BadUserInput, "idempotencyKey")
}

// SECURITY: a caller without warning:handle, or one that is not a
// department, is refused and nothing is written: no state, no history, no
// idempotency row. Bad arguments name the argument.
func TestWarningRefusals(t *testing.T) {
	t.Parallel()
	b := newWarnBench(t)
	id := b.raise(t, "91231100MA1ABCDE0X", "rec-5")
	fire := "fire"
	for name, ctx := range map[string]context.Context{
		"a reader":                              warnReader,
		"the public":                            context.Background(),
		"an entity holding the scope":           obAs(auth.KindEntity, "91231100MA1ABCDE0X", auth.ScopeWarningHandle),
		"an agency holding the scope":           obAs(auth.KindAgency, "agency-1", auth.ScopeWarningHandle),
		"a department with another write scope": obAs(auth.KindDepartment, "market", auth.ScopeObjectionHandle),
	} {
		_, err := b.svc.AcknowledgeWarning(ctx, id, hubdb.Key{Value: "x-" + name})
		wantCode(t, name+" acknowledging", err, apperr.Forbidden, "")
		_, err = b.svc.AssignWarning(ctx, id, workflow.Assignee{Department: &fire}, hubdb.Key{Value: "y-" + name})
		wantCode(t, name+" assigning", err, apperr.Forbidden, "")
		_, err = b.svc.CloseWarning(ctx, id, "done", hubdb.Key{Value: "z-" + name})
		wantCode(t, name+" closing", err, apperr.Forbidden, "")
	}
	if n := b.rows(t, "warning", "id = $1 AND state = 'OPEN' AND acknowledged_at IS NULL AND assignee_department IS NULL AND closed_at IS NULL", id); n != 1 {
		t.Fatal("a refused caller changed the warning")
	}
	if n := b.rows(t, "workflow_history", "workflow = 'warning' AND action <> 'raise'"); n != 0 {
		t.Fatalf("%d history rows after refusals", n)
	}
	if n := b.rows(t, "idempotency", "true"); n != 0 {
		t.Fatalf("%d idempotency rows after refusals", n)
	}

	nowhere, blank := "police", "  "
	for _, c := range []struct {
		name        string
		err         error
		code, field string
	}{
		{"an unknown department", err2(b.svc.AssignWarning(warnOffice, id, workflow.Assignee{Department: &nowhere}, hubdb.Key{Value: "1"})), apperr.BadUserInput, "department"},
		{"a blank person", err2(b.svc.AssignWarning(warnOffice, id, workflow.Assignee{Person: &blank}, hubdb.Key{Value: "2"})), apperr.BadUserInput, "person"},
		{"no assignee", err2(b.svc.AssignWarning(warnOffice, id, workflow.Assignee{}, hubdb.Key{Value: "3"})), apperr.BadUserInput, "department"},
		{"an empty note", err2(b.svc.CloseWarning(warnOffice, id, " ", hubdb.Key{Value: "4"})), apperr.BadUserInput, "note"},
		{"a warning that does not exist", err2(b.svc.AcknowledgeWarning(warnOffice, id+1000, hubdb.Key{Value: "5"})), apperr.NotFound, "id"},
	} {
		wantCode(t, c.name, c.err, c.code, c.field)
	}
}

func err2[T any](_ T, err error) error { return err }

// SECURITY: a department holding warning:handle acts only on a warning
// assigned to it. It may not acknowledge, assign or close a warning that is
// open (assigned to no one) or assigned to another department, nor pass its
// own to another department; each refusal is FORBIDDEN naming who may act,
// and writes nothing. The credit office acts on any warning; an admin
// token is the credit office.
func TestWarningOnlyItsAssigneeOrTheCreditOffice(t *testing.T) {
	t.Parallel()
	b := newWarnBench(t)
	market, fire := obAs(auth.KindDepartment, "market", auth.ScopeWarningHandle), "fire"
	open := b.raise(t, "91231100MA1ABCDE0X", "rec-o1")
	toFire := b.raise(t, "91231100MA1ABCDE0X", "rec-o2")
	if _, err := b.svc.AssignWarning(warnOffice, toFire, workflow.Assignee{Department: &fire}, hubdb.Key{Value: "to-fire"}); err != nil {
		t.Fatal(err)
	}
	refused := func(what string, err error, who string) {
		t.Helper()
		wantCode(t, what, err, apperr.Forbidden, "")
		if msg := err.Error(); !strings.Contains(msg, "credit office") || !strings.Contains(msg, who) {
			t.Errorf("%s: %q does not say who may act (the credit office, %s)", what, msg, who)
		}
	}
	marketOrg := "market"
	refused("market acknowledging an open warning", err2(b.svc.AcknowledgeWarning(market, open, hubdb.Key{Value: "m1"})), "credit-office")
	refused("market closing an open warning", err2(b.svc.CloseWarning(market, open, "不是我的", hubdb.Key{Value: "m2"})), "credit-office")
	refused("market taking an open warning", err2(b.svc.AssignWarning(market, open, workflow.Assignee{Department: &marketOrg}, hubdb.Key{Value: "m3"})), "credit-office")
	refused("market closing fire's warning", err2(b.svc.CloseWarning(market, toFire, "不是我的", hubdb.Key{Value: "m4"})), "fire")
	refused("market taking fire's warning", err2(b.svc.AssignWarning(market, toFire, workflow.Assignee{Department: &marketOrg}, hubdb.Key{Value: "m5"})), "fire")
	refused("fire passing its warning to market", err2(b.svc.AssignWarning(warnFire, toFire, workflow.Assignee{Department: &marketOrg}, hubdb.Key{Value: "f1"})), "credit-office")
	officer := "王建国"
	refused("fire assigning its warning to a person of no department", err2(b.svc.AssignWarning(warnFire, toFire, workflow.Assignee{Person: &officer}, hubdb.Key{Value: "f2"})), "credit-office")
	if n := b.rows(t, "warning", "id = $1 AND state = 'OPEN' AND assignee_department IS NULL AND closed_at IS NULL", open); n != 1 {
		t.Fatal("a refused department changed the open warning")
	}
	if n := b.rows(t, "warning", "id = $1 AND state = 'ASSIGNED' AND assignee_department = 'fire' AND assignee_person IS NULL", toFire); n != 1 {
		t.Fatal("a refused department changed fire's warning")
	}
	if n := b.rows(t, "workflow_history", "workflow = 'warning' AND action <> 'raise' AND actor_org <> 'credit-office'"); n != 0 {
		t.Fatalf("%d history rows after refusals", n)
	}

	// The assignee closes its own; the credit office (an admin token too)
	// acts on any.
	if _, err := b.svc.AssignWarning(warnFire, toFire, workflow.Assignee{Department: &fire, Person: &officer}, hubdb.Key{Value: "f3"}); err != nil {
		t.Fatalf("fire re-assigning its own warning to its officer: %v", err)
	}
	if w, err := b.svc.CloseWarning(warnFire, toFire, "已整改", hubdb.Key{Value: "f4"}); err != nil || w.State != "CLOSED" {
		t.Fatalf("fire closing its own warning: %+v %v", w, err)
	}
	admin := obAs(auth.KindAdmin, "", auth.ScopeWarningHandle)
	if w, err := b.svc.AssignWarning(admin, open, workflow.Assignee{Department: &marketOrg}, hubdb.Key{Value: "a1"}); err != nil || w.State != "ASSIGNED" {
		t.Fatalf("an admin assigning: %+v %v", w, err)
	}
	if w, err := b.svc.CloseWarning(market, open, "已核查", hubdb.Key{Value: "m6"}); err != nil || w.State != "CLOSED" {
		t.Fatalf("market closing the warning assigned to it: %+v %v", w, err)
	}
}

// Listing by state, and the open warnings counted by rule and division
// (the division of the entity's stored grade) in one statement.
func TestWarningStatesListedAndCounted(t *testing.T) {
	t.Parallel()
	b := newWarnBench(t)
	ctx := context.Background()
	a, c, d := "91231100MA1AAAAA0X", "91231100MA1CCCCC0X", "91231100MA1DDDDD0X"
	if _, err := b.raw.Exec(`INSERT INTO entity_grade (uscc, grade, points, reasons, division, kind, complete, computed_at)
		VALUES ($1, 'B', 0, '[]', '231102', 'ENTERPRISE', true, now()), ($2, 'B', 0, '[]', '231181', 'ENTERPRISE', true, now())`, a, c); err != nil {
		t.Fatal(err)
	}
	open := b.raise(t, a, "r1")
	acked := b.raise(t, a, "r2")
	closed := b.raise(t, c, "r3")
	other := b.raise(t, c, "r4")
	ungraded := b.raise(t, d, "r5")
	if _, err := b.svc.AcknowledgeWarning(warnOffice, acked, hubdb.Key{Value: "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.CloseWarning(warnOffice, closed, "已核实", hubdb.Key{Value: "2"}); err != nil {
		t.Fatal(err)
	}
	list := func(f hubdb.WarningFilter) []int64 {
		rows, err := b.db.Warnings().List(ctx, f, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return ids
	}
	for _, c := range []struct {
		f    hubdb.WarningFilter
		want []int64
	}{
		{hubdb.WarningFilter{States: []string{"OPEN"}}, []int64{ungraded, other, open}},
		{hubdb.WarningFilter{States: []string{"OPEN", "ACKNOWLEDGED"}}, []int64{ungraded, other, acked, open}},
		{hubdb.WarningFilter{States: []string{"CLOSED"}}, []int64{closed}},
		{hubdb.WarningFilter{Division: "231181"}, []int64{other, closed}},
		{hubdb.WarningFilter{Division: "231181", States: []string{"OPEN"}}, []int64{other}},
	} {
		if got := list(c.f); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%+v lists %v, want %v", c.f, got, c.want)
		}
	}
	counts, err := b.db.Warnings().OpenCounts(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range counts {
		div := "none"
		if n.Division != nil {
			div = *n.Division
		}
		got = append(got, fmt.Sprintf("%s/%s=%d", n.Rule, div, n.Open))
	}
	if want := "[W-PEN-100K/231102=2 W-PEN-100K/231181=1 W-PEN-100K/none=1]"; fmt.Sprint(got) != want {
		t.Errorf("OpenCounts = %v, want %s", got, want)
	}
	if counts, err = b.db.Warnings().OpenCounts(ctx, []string{"231181"}); err != nil || len(counts) != 1 || counts[0].Open != 1 {
		t.Errorf("OpenCounts(231181) = %+v %v", counts, err)
	}
}

// Two officers close one warning at once: one closes it, the other is told
// so (CONFLICT while the first holds it, INVALID_TRANSITION after), and the
// history has one close.
func TestWarningClosedTwiceAtOnce(t *testing.T) {
	t.Parallel()
	b := newWarnBench(t)
	for round := range 8 {
		id := b.raise(t, "91231100MA1ABCDE0X", fmt.Sprintf("race-%d", round))
		errs := make(chan error, 2)
		for i := range 2 {
			go func() {
				_, err := b.svc.CloseWarning(warnOffice, id, fmt.Sprintf("处理完毕 %d", i), hubdb.Key{Value: fmt.Sprintf("race-%d-%d", round, i)})
				errs <- err
			}()
		}
		var ok, refused int
		for range 2 {
			switch err := <-errs; apperr.CodeOf(err) {
			case apperr.Conflict, apperr.InvalidTransition:
				refused++
			default:
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				ok++
			}
		}
		if ok != 1 || refused != 1 {
			t.Fatalf("round %d: %d closed, %d refused", round, ok, refused)
		}
		if n := b.rows(t, "workflow_history", "workflow = 'warning' AND object_id = $1 AND action = 'close'", id); n != 1 {
			t.Fatalf("round %d: %d close events", round, n)
		}
	}
}
