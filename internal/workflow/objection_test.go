package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/workday"
	"credithub/internal/workflow"
)

// obBench is a workflow service on a throwaway hub database, on a clock the
// test sets, with the hub's own records as the records objections and
// repairs are about.
type obBench struct {
	svc    *workflow.Service
	state  *hubdb.State
	source *hubdb.RecordSource
	mu     sync.Mutex
	now    time.Time
	keys   int
}

func newObBench(t *testing.T) *obBench {
	t.Helper()
	db := dstest.Open(t, hubdb.Setup, nil)
	state := &hubdb.State{DB: db.DB}
	if err := state.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := &obBench{state: state, source: &hubdb.RecordSource{DB: hubdb.New(db.DB)}}
	b.svc = &workflow.Service{DB: hubdb.New(db.DB), State: state, Calendar: workday.Default(), Now: b.clock}
	return b
}

func (b *obBench) clock() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

func (b *obBench) at(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.now = t
}

func (b *obBench) key() hubdb.Key {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.keys++
	return hubdb.Key{Value: fmt.Sprintf("k%d", b.keys)}
}

// lookup is the RecordLookup the resolvers pass, over the hub's records.
func (b *obBench) lookup(ctx context.Context, ref credit.Ref) (credit.Record, error) {
	found, err := b.source.ByRef(ctx, []credit.Ref{ref})
	return found[ref], err
}

const obEntityCode = "91110000600037341L"

// record creates a commitment-breach record of obEntityCode provided by the
// market regulator and returns its global ID.
func (b *obBench) record(t *testing.T, severity credit.Severity, decided string) string {
	t.Helper()
	var id int64
	err := b.state.DB.Get(&id, `INSERT INTO hub_record (kind, subject_uscc, department, decision_no, decision_date, summary, severity)
		VALUES ('COMMITMENT_BREACH', $1, 'market', '黑市监违诺〔2026〕1号', $2, '违背告知承诺', $3) RETURNING id`, obEntityCode, decided, string(severity))
	if err != nil {
		t.Fatal(err)
	}
	return gid.Record(credit.Ref{Source: hubdb.Source, Kind: credit.KindCommitmentBreach, LocalID: id})
}

func obAs(kind auth.Kind, org string, scopes ...string) context.Context {
	return auth.NewContext(context.Background(), auth.NewPrincipal("tester", org, kind, scopes, ""))
}

var (
	obEntity = obAs(auth.KindEntity, obEntityCode, auth.EntitySelfScopes...)
	obOffice = obAs(auth.KindAdmin, workflow.CreditOfficeOrg, auth.ScopeObjectionHandle)
	obMarket = obAs(auth.KindDepartment, "market", auth.ScopeObjectionHandle, auth.ScopeRepairReview)
)

func obCST(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, scalars.CST)
}

func obDate(s string) scalars.Date {
	d, err := scalars.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// The deadlines of an objection (check 1, decide 2, extension 3 working
// days) fall on the official calendar: across National Day and the Spring
// Festival, on the weekend days made working days, and on the filing's date
// in China Standard Time whatever the server's zone.
func TestObjectionDeadlinesAcrossHolidays(t *testing.T) {
	t.Parallel()
	b := newObBench(t)
	cases := []struct {
		name                               string
		filed, checked                     time.Time
		checkDue, decisionDue, extendedDue string
	}{
		{"filed the day before National Day: checked by the first working day after it",
			obCST(2026, 9, 30, 10, 0), obCST(2026, 10, 8, 9, 0), "2026-10-08", "2026-10-10", "2026-10-14"},
		{"filed at 23:30 CST, which is 15:30 UTC the same day",
			time.Date(2026, 9, 30, 15, 30, 0, 0, time.UTC), obCST(2026, 10, 8, 17, 0), "2026-10-08", "2026-10-10", "2026-10-14"},
		{"filed on Saturday 2026-10-10, a make-up working day",
			obCST(2026, 10, 10, 11, 0), obCST(2026, 10, 12, 9, 0), "2026-10-12", "2026-10-14", "2026-10-19"},
		{"filed at 00:30 CST on that Saturday, still Friday in UTC",
			time.Date(2026, 10, 9, 16, 30, 0, 0, time.UTC), obCST(2026, 10, 12, 9, 0), "2026-10-12", "2026-10-14", "2026-10-19"},
		{"filed the Friday before the Spring Festival: the make-up Saturday counts",
			obCST(2026, 2, 13, 16, 0), obCST(2026, 2, 14, 10, 0), "2026-02-14", "2026-02-25", "2026-02-28"},
		{"filed during the Mid-Autumn holiday; the extension runs over National Day",
			obCST(2026, 9, 25, 9, 0), obCST(2026, 9, 28, 9, 0), "2026-09-28", "2026-09-30", "2026-10-10"},
	}
	for _, c := range cases {
		rec := b.record(t, credit.General, "2026-01-05")
		b.at(c.filed)
		o, err := b.svc.FileObjection(obEntity, b.lookup, rec, "the fine was paid before the decision", b.key())
		if err != nil {
			t.Fatalf("%s: file: %v", c.name, err)
		}
		if o.CheckDue.String() != c.checkDue || o.State != workflow.ObjectionFiled || o.DecisionDue != nil {
			t.Errorf("%s: filed: state %s, checkDue %s, want FILED due %s", c.name, o.State, o.CheckDue, c.checkDue)
		}
		// On its due day an objection is on time; the day after, overdue.
		b.at(obDate(c.checkDue).Time().Add(23 * time.Hour))
		if got, _ := b.svc.Objection(context.Background(), o.DBID); got.Overdue {
			t.Errorf("%s: overdue on its check day", c.name)
		}
		b.at(c.checked)
		o, err = b.svc.CheckObjection(obOffice, o.DBID, b.key())
		if err != nil {
			t.Fatalf("%s: check: %v", c.name, err)
		}
		if o.DecisionDue == nil || o.DecisionDue.String() != c.decisionDue {
			t.Errorf("%s: checked: decisionDue %v, want %s", c.name, o.DecisionDue, c.decisionDue)
		}
		o, err = b.svc.ExtendObjection(obMarket, o.DBID, "王局长", "site visit needed", b.key())
		if err != nil {
			t.Fatalf("%s: extend: %v", c.name, err)
		}
		if !o.Extended || o.DecisionDue.String() != c.extendedDue {
			t.Errorf("%s: extended: decisionDue %v, want %s", c.name, o.DecisionDue, c.extendedDue)
		}
		b.at(obDate(c.extendedDue).Time().Add(23*time.Hour + 59*time.Minute))
		if got, _ := b.svc.Objection(context.Background(), o.DBID); got.Overdue {
			t.Errorf("%s: overdue on its decision day", c.name)
		}
		b.at(obDate(c.extendedDue).Time().AddDate(0, 0, 1))
		got, _ := b.svc.Objection(context.Background(), o.DBID)
		if !got.Overdue {
			t.Errorf("%s: not overdue the day after its decision day", c.name)
		}
		yes := true
		overdue, err := b.svc.Objections(context.Background(), workflow.ObjectionFilter{Overdue: &yes}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		listed := false
		for _, x := range overdue {
			listed = listed || x.DBID == o.DBID
		}
		if !listed {
			t.Errorf("%s: the objections filtered overdue:true do not list it", c.name)
		}
		// Decided, it is no longer overdue.
		if _, err := b.svc.RejectObjection(obMarket, o.DBID, "the fine was paid after the decision", b.key()); err != nil {
			t.Fatal(err)
		}
		if got, _ := b.svc.Objection(context.Background(), o.DBID); got.Overdue {
			t.Errorf("%s: a decided objection is overdue", c.name)
		}
	}
}

// The department's deadline is extended once; a second extension is an
// illegal transition naming the state and the action.
func TestObjectionExtendsOnce(t *testing.T) {
	t.Parallel()
	b := newObBench(t)
	b.at(obCST(2026, 11, 2, 9, 0))
	o, err := b.svc.FileObjection(obEntity, b.lookup, b.record(t, credit.Serious, "2026-03-02"), "wrong company", b.key())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.CheckObjection(obOffice, o.DBID, b.key()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.ExtendObjection(obMarket, o.DBID, "王局长", "needs a site visit", b.key()); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.ExtendObjection(obMarket, o.DBID, "王局长", "and another", b.key())
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.InvalidTransition || ae.Extensions["state"] != "CHECKED" || ae.Extensions["action"] != "extend" {
		t.Fatalf("second extension: %v, want INVALID_TRANSITION naming CHECKED and extend", err)
	}
	events, err := b.svc.History(context.Background(), workflow.WorkflowObjection, []int64{o.DBID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events[o.DBID] {
		actions = append(actions, e.Action)
	}
	if fmt.Sprint(actions) != "[file check extend]" {
		t.Errorf("history %v, want [file check extend]", actions)
	}
}

// A repair's window answers within 10 working days and the department
// decides within 3 of accepting, on the official calendar.
func TestRepairDeadlinesAcrossHolidays(t *testing.T) {
	t.Parallel()
	b := newObBench(t)
	cases := []struct {
		name                 string
		applied, accepted    time.Time
		acceptDue, decideDue string
		decided              string
		severity             credit.Severity
	}{
		{"applied the day before National Day", obCST(2026, 9, 30, 10, 0), obCST(2026, 10, 9, 10, 0), "2026-10-20", "2026-10-13", "2025-06-30", credit.Serious},
		{"applied the Friday before the Spring Festival", obCST(2026, 2, 13, 10, 0), obCST(2026, 2, 13, 15, 0), "2026-03-05", "2026-02-25", "2025-11-13", credit.General},
		{"a minor record may be repaired at once", obCST(2026, 4, 30, 10, 0), obCST(2026, 5, 6, 9, 0), "2026-05-18", "2026-05-09", "2026-04-29", credit.Minor},
	}
	for _, c := range cases {
		rec := b.record(t, c.severity, c.decided)
		b.at(c.applied)
		r, err := b.svc.ApplyRepair(obEntity, b.lookup, rec, "本企业承诺依法经营", true, b.key())
		if err != nil {
			t.Fatalf("%s: apply: %v", c.name, err)
		}
		if r.State != workflow.RepairApplied || r.AcceptDue.String() != c.acceptDue {
			t.Errorf("%s: applied: %s due %s, want APPLIED due %s", c.name, r.State, r.AcceptDue, c.acceptDue)
		}
		b.at(c.accepted)
		r, err = b.svc.AcceptRepair(obMarket, b.lookup, r.DBID, b.key())
		if err != nil {
			t.Fatalf("%s: accept: %v", c.name, err)
		}
		if r.State != workflow.RepairAccepted || r.DecisionDue == nil || r.DecisionDue.String() != c.decideDue {
			t.Errorf("%s: accepted: %s due %v, want ACCEPTED due %s", c.name, r.State, r.DecisionDue, c.decideDue)
		}
		b.at(obDate(c.decideDue).Time().AddDate(0, 0, 1))
		if got, _ := b.svc.Repair(context.Background(), r.DBID); !got.Overdue {
			t.Errorf("%s: undecided the day after its decision day, but not overdue", c.name)
		}
	}
}

// An application before the record's minimum publication period is
// refused at once, naming the rule and the first day it may be made.
func TestRepairBeforeMinimumIsRefused(t *testing.T) {
	t.Parallel()
	b := newObBench(t)
	b.at(obCST(2026, 10, 9, 10, 0))
	for _, c := range []struct {
		severity      credit.Severity
		decided, from string
	}{
		{credit.General, "2026-08-01", "2026-11-01"},
		{credit.General, "2026-07-31", "2026-10-31"},
		{credit.Serious, "2026-02-28", "2027-02-28"},
	} {
		_, err := b.svc.ApplyRepair(obEntity, b.lookup, b.record(t, c.severity, c.decided), "承诺", true, b.key())
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.BadUserInput || ae.Extensions["rule"] != workflow.RepairBeforeMinimum ||
			ae.Extensions["repairableFrom"] != c.from {
			t.Errorf("%s decided %s: %v %+v, want BAD_USER_INPUT BEFORE_MINIMUM from %s", c.severity, c.decided, err, ae, c.from)
		}
	}
	rows, err := b.svc.Repairs(context.Background(), workflow.RepairFilter{}, 0, 0)
	if err != nil || len(rows) != 0 {
		t.Fatalf("refused applications were written: %d rows, %v", len(rows), err)
	}
}

// Periods counted in months end on the same day of the month, or on the
// month's last day when it has none.
func TestAddMonths(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		from   string
		months int
		want   string
	}{
		{"2026-11-30", 3, "2027-02-28"},
		{"2027-11-30", 3, "2028-02-29"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-05-15", 0, "2026-05-15"},
		{"2025-12-31", 36, "2028-12-31"},
	} {
		if got := workflow.AddMonths(obDate(c.from), c.months).String(); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.months, got, c.want)
		}
	}
}
