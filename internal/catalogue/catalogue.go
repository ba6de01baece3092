// Package catalogue applies what the hub knows about every kind of record on
// top of what a department returned: how open the record is (from the
// information catalogue, T8), when it had to be published (T26, on the
// official working-day calendar), and whether its publication period has run
// out (NDRC Order No. 36). Departments do not know these rules, and should not
// have to.
package catalogue

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/workday"
)

// DisclosureWorkingDays is T26's publication deadline.
const DisclosureWorkingDays = 7

// Entry is the catalogue's line on one kind of record.
type Entry struct {
	Kind               credit.Kind
	Name               string
	Sources            []string
	EntityPublicity    credit.Publicity
	PersonPublicity    credit.Publicity
	DisclosureRequired bool
	LegalBasis         string
	// PeriodApplies: the publication periods of dishonesty information
	// expire these records (not the courts' lists, which the courts keep).
	PeriodApplies bool
	// PublicOnceConcluded: records of the kind are as open as
	// EntityPublicity only once concluded (a complaint handled, T10) and
	// shared before.
	PublicOnceConcluded bool
	// PersonCeiling is how open a person's records of the kind may ever be
	// made (T8): the law's, as the migrations set it.
	PersonCeiling credit.Publicity
	// PublicationMonths is how long the kind's records stay published,
	// counted from the decision, where the dishonesty classes do not say
	// (a record without a class, or PeriodApplies false): a reward
	// counts for three years (T26). 0: no period of its own.
	PublicationMonths int
}

// Period is the publication period of one dishonesty class.
type Period struct {
	Severity  credit.Severity
	Published bool
	MinMonths int
	MaxMonths int
	Source    string
}

// Catalogue is the information catalogue, shared by every request. The
// credit office manages it as data (T8): each change, with its effective
// date, is applied by Refresh on every instance, which swaps in a new
// immutable snapshot; a request that already holds an entry keeps it.
type Catalogue struct {
	data     atomic.Pointer[snapshot]
	calendar *workday.Calendar
}

// snapshot is the catalogue as of one refresh.
type snapshot struct {
	entries []Entry
	byKind  map[credit.Kind]*Entry
	periods map[credit.Severity]Period
	// version is the last change the snapshot has seen, and day the day
	// it applied the changes effective by then.
	version int64
	day     scalars.Date
}

// Load reads the catalogue from the hub's database, with the credit
// office's changes effective today, and checks that it covers every record
// kind the graph knows.
func Load(ctx context.Context, store hubdb.CatalogueStore, cal *workday.Calendar) (*Catalogue, error) {
	c := &Catalogue{calendar: cal}
	if _, err := c.Refresh(ctx, store, time.Now()); err != nil {
		return nil, err
	}
	return c, nil
}

// Refresh brings the catalogue up to the credit office's changes effective
// on now's day (T8): when a change was made since the last refresh, or the
// day has turned, it reads the catalogue again and swaps it in; else it
// asks one cheap statement. It reports whether the catalogue changed.
func (c *Catalogue) Refresh(ctx context.Context, store hubdb.CatalogueStore, now time.Time) (bool, error) {
	version, err := store.ChangeVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("reading the catalogue's changes: %w", err)
	}
	today := Today(now)
	if old := c.data.Load(); old != nil && old.version == version && old.day.Equal(today) {
		return false, nil
	}
	rows, err := store.Entries(ctx)
	if err != nil {
		return false, fmt.Errorf("loading the information catalogue: %w", err)
	}
	periods, err := store.PublicationPeriods(ctx)
	if err != nil {
		return false, fmt.Errorf("loading publication periods: %w", err)
	}
	changes, err := store.Changes(ctx)
	if err != nil {
		return false, fmt.Errorf("reading the catalogue's changes: %w", err)
	}
	var entries []Entry
	at := map[credit.Kind]int{}
	for _, r := range rows {
		at[credit.Kind(r.Kind)] = len(entries)
		entries = append(entries, Entry{
			Kind: credit.Kind(r.Kind), Name: r.Name, Sources: r.Sources,
			EntityPublicity: credit.Publicity(r.EntityPublicity), PersonPublicity: credit.Publicity(r.PersonPublicity),
			DisclosureRequired: r.DisclosureRequired, LegalBasis: r.LegalBasis, PeriodApplies: r.PeriodApplies,
			PublicOnceConcluded: r.PublicOnceConcluded, PersonCeiling: credit.Publicity(r.PersonCeiling),
			PublicationMonths: months(r.PublicationMonths),
		})
	}
	for _, ch := range changes {
		i, ok := at[credit.Kind(ch.Kind)]
		if !ok || today.Before(scalars.DateOf(ch.EffectiveFrom)) {
			continue
		}
		e := &entries[i]
		e.EntityPublicity, e.PersonPublicity = credit.Publicity(ch.EntityPublicity), credit.Publicity(ch.PersonPublicity)
		e.DisclosureRequired, e.PeriodApplies, e.LegalBasis, e.Sources = ch.DisclosureRequired, ch.PeriodApplies, ch.LegalBasis, ch.Sources
		e.PublicationMonths = months(ch.PublicationMonths)
	}
	var ps []Period
	for _, p := range periods {
		ps = append(ps, Period{Severity: credit.Severity(p.Severity), Published: p.Published,
			MinMonths: p.MinMonths, MaxMonths: p.MaxMonths, Source: p.Source})
	}
	snap, err := newSnapshot(entries, ps)
	if err != nil {
		return false, err
	}
	snap.version, snap.day = version, today
	c.data.Store(snap)
	return true, nil
}

// months is a nullable column of months, 0 for none.
func months(m *int) int {
	if m == nil {
		return 0
	}
	return *m
}

// New builds a catalogue from its entries and periods.
func New(entries []Entry, periods []Period, cal *workday.Calendar) (*Catalogue, error) {
	c := &Catalogue{calendar: cal}
	snap, err := newSnapshot(entries, periods)
	if err != nil {
		return nil, err
	}
	c.data.Store(snap)
	return c, nil
}

func newSnapshot(entries []Entry, periods []Period) (*snapshot, error) {
	c := &snapshot{entries: entries, byKind: map[credit.Kind]*Entry{}, periods: map[credit.Severity]Period{}}
	for i := range c.entries {
		c.byKind[c.entries[i].Kind] = &c.entries[i]
	}
	for _, k := range credit.Kinds {
		if c.byKind[k] == nil {
			return nil, fmt.Errorf("the information catalogue has no entry for record kind %s", k)
		}
	}
	for _, p := range periods {
		c.periods[p.Severity] = p
	}
	for _, s := range credit.Severities {
		if _, ok := c.periods[s]; !ok {
			return nil, fmt.Errorf("no publication period for severity %s", s)
		}
	}
	return c, nil
}

// Entries returns the catalogue in its order.
func (c *Catalogue) Entries() []Entry { return c.data.Load().entries }

// Entry returns the line on kind k.
func (c *Catalogue) Entry(k credit.Kind) *Entry { return c.data.Load().byKind[k] }

// Period returns the publication period of severity s.
func (c *Catalogue) Period(s credit.Severity) Period { return c.data.Load().periods[s] }

// Calendar returns the working-day calendar deadlines are counted on.
func (c *Catalogue) Calendar() *workday.Calendar { return c.calendar }

// Annotate sets a record's publicity, disclosure and expiry as of today.
func (c *Catalogue) Annotate(r credit.Record, today scalars.Date) {
	b := r.Common()
	snap := c.data.Load()
	e := snap.byKind[b.Kind]
	if e == nil {
		b.Publicity = credit.Shared // unknown kinds are never public
		return
	}
	// The party's openness, on every path (a restriction order against a
	// company is the company's among its legal representative's records).
	b.Publicity = e.EntityPublicity
	if b.FiledAgainst().IsPerson() {
		b.Publicity = e.PersonPublicity
	}
	// A complaint is published once handled (T10): until then it is
	// shared among departments, never more open.
	if p, ok := r.(credit.Concluder); ok && e.PublicOnceConcluded && !p.Concluded() && b.Publicity == credit.Public {
		b.Publicity = credit.Shared
	}
	if e.DisclosureRequired {
		b.Disclosure = c.Disclosure(b.DecisionDate, b.PublishedOn, today)
	}
	// A ban restricts from its start to its end (T21), whatever state
	// its list entry is in until the job that ends it runs.
	if w, ok := r.(credit.Windowed); ok && b.Status == credit.Effective {
		switch start, end := w.Window(); {
		case end != nil && !today.Before(*end):
			b.Status = credit.Expired
		case start != nil && today.Before(*start):
			b.Status = credit.Scheduled
		}
	}
	switch {
	case b.Status != credit.Effective:
	case e.PeriodApplies && b.Severity != nil:
		p := snap.periods[*b.Severity]
		end := b.DecisionDate.Time().AddDate(0, p.MaxMonths, 0)
		if !today.Time().Before(end) {
			b.Status = credit.Expired
		}
	case e.PublicationMonths > 0:
		// The kind's own publication period (T26): a reward published
		// three years ago no longer counts.
		end := b.DecisionDate.Time().AddDate(0, e.PublicationMonths, 0)
		if !today.Time().Before(end) {
			b.Status = credit.Expired
		}
	}
}

// Publicity is how open records of kind are when filed against an entity,
// or against a natural person when person is set (Annotate's rule, before
// what a record's own state may close: a complaint not yet concluded).
// Unknown kinds are shared, never public.
func (c *Catalogue) Publicity(kind credit.Kind, person bool) credit.Publicity {
	e := c.data.Load().byKind[kind]
	switch {
	case e == nil:
		return credit.Shared
	case person:
		return e.PersonPublicity
	}
	return e.EntityPublicity
}

// Disclosure computes a decision's publication duty: due 7 working days
// after the decision; on time when published by then.
func (c *Catalogue) Disclosure(decided scalars.Date, published *scalars.Date, today scalars.Date) *credit.Disclosure {
	due := scalars.DateOf(c.calendar.AddWorkingDays(decided.Time(), DisclosureWorkingDays))
	d := &credit.Disclosure{DueDate: due, PublishedDate: published}
	switch {
	case published != nil && !published.After(due):
		d.OnTime = true
	case published != nil:
		d.Overdue = true
		d.WorkingDaysLate = c.calendar.WorkingDaysBetween(due.Time(), published.Time())
	case today.After(due):
		d.Overdue = true
		d.WorkingDaysLate = c.calendar.WorkingDaysBetween(due.Time(), today.Time())
	}
	return d
}

// Today is the current date in China Standard Time.
func Today(now time.Time) scalars.Date { return scalars.DateOf(now) }
