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
}

// Period is the publication period of one dishonesty class.
type Period struct {
	Severity  credit.Severity
	Published bool
	MinMonths int
	MaxMonths int
	Source    string
}

// Catalogue is the loaded information catalogue. It is immutable and shared by
// every request.
type Catalogue struct {
	entries  []Entry
	byKind   map[credit.Kind]*Entry
	periods  map[credit.Severity]Period
	calendar *workday.Calendar
}

// Load reads the catalogue from the hub's database and checks that it covers
// every record kind the graph knows.
func Load(ctx context.Context, store hubdb.CatalogueStore, cal *workday.Calendar) (*Catalogue, error) {
	rows, err := store.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the information catalogue: %w", err)
	}
	periods, err := store.PublicationPeriods(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading publication periods: %w", err)
	}
	var entries []Entry
	for _, r := range rows {
		entries = append(entries, Entry{
			Kind: credit.Kind(r.Kind), Name: r.Name, Sources: r.Sources,
			EntityPublicity: credit.Publicity(r.EntityPublicity), PersonPublicity: credit.Publicity(r.PersonPublicity),
			DisclosureRequired: r.DisclosureRequired, LegalBasis: r.LegalBasis, PeriodApplies: r.PeriodApplies,
			PublicOnceConcluded: r.PublicOnceConcluded,
		})
	}
	var ps []Period
	for _, p := range periods {
		ps = append(ps, Period{Severity: credit.Severity(p.Severity), Published: p.Published,
			MinMonths: p.MinMonths, MaxMonths: p.MaxMonths, Source: p.Source})
	}
	return New(entries, ps, cal)
}

// New builds a catalogue from its entries and periods.
func New(entries []Entry, periods []Period, cal *workday.Calendar) (*Catalogue, error) {
	c := &Catalogue{entries: entries, byKind: map[credit.Kind]*Entry{}, periods: map[credit.Severity]Period{}, calendar: cal}
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
func (c *Catalogue) Entries() []Entry { return c.entries }

// Entry returns the line on kind k.
func (c *Catalogue) Entry(k credit.Kind) *Entry { return c.byKind[k] }

// Period returns the publication period of severity s.
func (c *Catalogue) Period(s credit.Severity) Period { return c.periods[s] }

// Calendar returns the working-day calendar deadlines are counted on.
func (c *Catalogue) Calendar() *workday.Calendar { return c.calendar }

// Annotate sets a record's publicity, disclosure and expiry as of today.
func (c *Catalogue) Annotate(r credit.Record, today scalars.Date) {
	b := r.Common()
	e := c.byKind[b.Kind]
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
	if e.PeriodApplies && b.Severity != nil && b.Status == credit.Effective {
		p := c.periods[*b.Severity]
		end := b.DecisionDate.Time().AddDate(0, p.MaxMonths, 0)
		if !today.Time().Before(end) {
			b.Status = credit.Expired
		}
	}
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
