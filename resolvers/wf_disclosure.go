package resolvers

// Resolvers of disclosure timeliness and working days (T26).
//
// A department's timeliness is counted without loading its records: each
// department answers one statement that counts its decisions of the period
// by (decision day, publication day), and the hub applies the official
// calendar to each pair, which are few where the decisions are many. The
// overdue list is one more statement per department, asked only when the
// field is: the unpublished decisions up to the last decision day whose
// deadline has passed, in deadline order.

import (
	"context"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/workday"
)

// checkCovered refuses a date the official holiday calendar does not cover:
// outside its years the calendar only knows weekends, and a count of
// working days across a Spring Festival it does not know would be wrong
// without saying so.
func checkCovered(field string, d scalars.Date) error {
	cal := workday.Default()
	if cal.Covers(d.Time()) {
		return nil
	}
	years := cal.Years()
	return apperr.BadInput(field, "%s is outside the official holiday calendar, which covers %d to %d",
		d, years[0], years[len(years)-1])
}

// checkPeriod validates a [from, to] period of decision dates.
func checkPeriod(from, to scalars.Date) error {
	if to.Before(from) {
		return apperr.BadInput("to", "to (%s) is before from (%s)", to, from)
	}
	if err := checkCovered("from", from); err != nil {
		return err
	}
	return checkCovered("to", to)
}

// disclosureKinds are the kinds the information catalogue says must be
// published within 7 working days.
func disclosureKinds(cat *catalogue.Catalogue) []credit.Kind {
	var ks []credit.Kind
	for _, e := range cat.Entries() {
		if e.DisclosureRequired {
			ks = append(ks, e.Kind)
		}
	}
	return ks
}

// disclosingDepartments are the departments that provide a kind of record
// with a publication duty, in the contract's order, with that set of kinds.
// The hub's own records have no such duty; neither have the court's lists.
func disclosingDepartments(l *loaders.Loaders) ([]loaders.Department, datasources.KindSet) {
	required := datasources.KindSetOf(disclosureKinds(l.Catalogue())...)
	var out []loaders.Department
	for _, dep := range l.Departments() {
		if dep.Internal {
			continue
		}
		for _, k := range dep.Source.Kinds() {
			if required.Has(k) {
				out = append(out, dep)
				break
			}
		}
	}
	return out, required
}

func (r *Resolver) queryDisclosureStats(ctx context.Context, from scalars.Date, to scalars.Date) ([]*model.DepartmentDisclosure, error) {
	if err := checkPeriod(from, to); err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	deps, kinds := disclosingDepartments(l)
	type answer struct {
		counts []datasources.DisclosureCount
		err    error
	}
	answers := make([]answer, len(deps))
	var wg sync.WaitGroup
	for i, dep := range deps {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, dep.Timeout)
			defer cancel()
			answers[i].counts, answers[i].err = dep.Source.Disclosures(ctx, kinds, from.String(), to.String())
		})
	}
	wg.Wait()
	cat, today := l.Catalogue(), l.Today()
	out := make([]*model.DepartmentDisclosure, 0, len(deps))
	for i, dep := range deps {
		d := dep.Source.Department()
		if err := answers[i].err; err != nil {
			// No row rather than a row of zeros: its counts are not known,
			// and the error says whose are missing.
			r.unavailable(ctx, d.Code, err)
			continue
		}
		row := &model.DepartmentDisclosure{Department: &d}
		for _, c := range answers[i].counts {
			row.Decisions += c.Count
			disc := cat.Disclosure(c.Decided, c.Published, today)
			switch {
			case disc.OnTime:
				row.PublishedOnTime += c.Count
			case c.Published != nil:
				row.PublishedLate += c.Count
			case disc.Overdue:
				row.Overdue += c.Count
			default:
				row.Pending += c.Count
			}
		}
		if due := row.Decisions - row.Pending; due > 0 {
			share := float64(row.PublishedOnTime) / float64(due)
			row.OnTimeShare = &share
		}
		out = append(out, row)
	}
	return out, nil
}

// unavailable reports a department that did not answer as an error of the
// field being resolved, and logs its cause.
func (r *Resolver) unavailable(ctx context.Context, code string, err error) {
	if r.Logger != nil {
		r.Logger.WarnContext(ctx, "department did not answer", "source", code, "err", err)
	}
	graphql.AddError(ctx, apperr.Unavailable(code, err))
}

// disclosurePeriod finds the period of the disclosureStats field a
// DepartmentDisclosure row belongs to: the row carries only its counts.
func disclosurePeriod(ctx context.Context) (from, to scalars.Date, err error) {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Field.Field == nil || fc.Field.Name != "disclosureStats" {
			continue
		}
		from, okFrom := fc.Args["from"].(scalars.Date)
		to, okTo := fc.Args["to"].(scalars.Date)
		if okFrom && okTo {
			return from, to, nil
		}
	}
	return scalars.Date{}, scalars.Date{}, fmt.Errorf("DepartmentDisclosure.overdueRecords outside disclosureStats")
}

// lastOverdueDecision is the last decision day whose publication deadline
// was before today. Deadlines never move backwards as the decision day moves
// forwards, so every decision up to that day is overdue when unpublished and
// none after it is: the day bounds the department's query exactly.
func lastOverdueDecision(cal *workday.Calendar, today scalars.Date) scalars.Date {
	d := today.Time().AddDate(0, 0, -1)
	for !cal.AddWorkingDays(d, catalogue.DisclosureWorkingDays).Before(today.Time()) {
		d = d.AddDate(0, 0, -1)
	}
	return scalars.DateOf(d)
}

func (r *Resolver) departmentDisclosureOverdueRecords(ctx context.Context, obj *model.DepartmentDisclosure, first *int) ([]credit.Record, error) {
	n := 20
	if first != nil {
		if *first < 0 || *first > MaxPageSize {
			return nil, apperr.BadInput("first", "first must be between 0 and %d, got %d", MaxPageSize, *first)
		}
		n = *first
	}
	out := []credit.Record{}
	if n == 0 || obj.Overdue == 0 {
		return out, nil
	}
	from, to, err := disclosurePeriod(ctx)
	if err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	var dep *loaders.Department
	for _, d := range l.Departments() {
		if d.Source.Department().Code == obj.Department.Code {
			dep = &d
			break
		}
	}
	if dep == nil {
		return out, nil
	}
	cat, today := l.Catalogue(), l.Today()
	through := lastOverdueDecision(cat.Calendar(), today)
	if through.After(to) {
		through = to
	}
	if through.Before(from) {
		return out, nil
	}
	_, kinds := disclosingDepartments(l)
	q := datasources.UnpublishedQuery{Kinds: kinds, From: from.String(), To: through.String()}
	// Usually one page is the answer. Records the caller may not see (a
	// repaired one, say, or one past its publication period, for the public)
	// are skipped, so a further, larger page is asked only when the first
	// did not fill the list.
	q.Limit = max(2*n, 50)
	ctx, cancel := context.WithTimeout(ctx, dep.Timeout)
	defer cancel()
	for page := 0; len(out) < n; page++ {
		if page > 0 {
			q.Limit = min(2*q.Limit, 2000)
		}
		recs, err := dep.Source.Unpublished(ctx, q)
		if err != nil {
			r.unavailable(ctx, dep.Source.Department().Code, err)
			return out, nil
		}
		for _, rec := range recs {
			b := rec.Common()
			q.After = datasources.Cursor{Date: b.DecisionDate.String(), Kind: b.Kind, LocalID: b.Ref.LocalID}
			if len(out) < n && r.overdueAndVisible(ctx, rec, today) {
				out = append(out, rec)
			}
		}
		if len(recs) < q.Limit {
			break
		}
	}
	return out, nil
}

// overdueAndVisible annotates a department's record as the loaders do (the
// catalogue, then the hub's overlays) and reports whether it is overdue on
// the exact calendar and the caller may see it (auth.ViewOf, the records'
// own rule).
func (r *Resolver) overdueAndVisible(ctx context.Context, rec credit.Record, today scalars.Date) bool {
	loaders.For(ctx).Catalogue().Annotate(rec, today)
	if r.Workflows != nil && r.Workflows.State != nil {
		r.Workflows.State.Apply(rec)
	}
	b := rec.Common()
	if b.Disclosure == nil || !b.Disclosure.Overdue || b.Disclosure.PublishedDate != nil {
		return false
	}
	return auth.ViewOf(ctx, auth.Subject{USCC: b.Subject.USCC, IDNumber: b.Subject.IDNumber}).Sees(rec)
}

func (r *Resolver) queryWorkingDays(ctx context.Context, from scalars.Date, to scalars.Date) (int, error) {
	if err := checkCovered("from", from); err != nil {
		return 0, err
	}
	if err := checkCovered("to", to); err != nil {
		return 0, err
	}
	return workday.Default().WorkingDaysBetween(from.Time(), to.Time()), nil
}

// notBuilt is the answer of a workflow resolver not written yet.
func notBuilt(name string) error {
	return apperr.New(apperr.Internal, "%s is not built yet", name)
}
