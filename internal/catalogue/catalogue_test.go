package catalogue_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/scalars"
	"credithub/internal/workday"
)

// order36 are the publication periods of NDRC Order No. 36, as the hub's
// migrations carry them: minor at most 3 months, general 3 to 12, serious
// 12 to 36, counted from the decision.
var order36 = []catalogue.Period{
	{Severity: credit.Minor, Published: false, MinMonths: 0, MaxMonths: 3},
	{Severity: credit.General, Published: true, MinMonths: 3, MaxMonths: 12},
	{Severity: credit.Serious, Published: true, MinMonths: 12, MaxMonths: 36},
}

// lines are the catalogue lines the tests below rely on; every other kind
// gets a plain line (public about organisations, personal about persons,
// no disclosure duty, Order No. 36 applies).
var lines = map[credit.Kind]catalogue.Entry{
	credit.KindPenalty: {EntityPublicity: credit.Public, PersonPublicity: credit.Personal,
		DisclosureRequired: true, PeriodApplies: true},
	credit.KindComplaint: {EntityPublicity: credit.Shared, PersonPublicity: credit.Personal, PeriodApplies: true},
	// The court publishes the persons on its list too, and keeps the list itself.
	credit.KindDishonestDebtor: {EntityPublicity: credit.Public, PersonPublicity: credit.Public},
}

// entries returns a catalogue line on every kind but those left out.
func entries(leftOut ...credit.Kind) []catalogue.Entry {
	var es []catalogue.Entry
	for _, k := range credit.Kinds {
		if slices.Contains(leftOut, k) {
			continue
		}
		e, ok := lines[k]
		if !ok {
			e = catalogue.Entry{EntityPublicity: credit.Public, PersonPublicity: credit.Personal, PeriodApplies: true}
		}
		e.Kind = k
		es = append(es, e)
	}
	return es
}

// testCatalogue is the catalogue of lines and order36 on the official
// working-day calendar.
func testCatalogue(t *testing.T) *catalogue.Catalogue {
	t.Helper()
	c, err := catalogue.New(entries(), order36, workday.Default())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// day is a date written YYYY-MM-DD.
func day(s string) scalars.Date {
	d, err := scalars.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// dayPtr is day for optional dates; "" is none.
func dayPtr(s string) *scalars.Date {
	if s == "" {
		return nil
	}
	d := day(s)
	return &d
}

var (
	anEntity = credit.Subject{USCC: "91231100MA1BX7KQ5R"}
	aPerson  = credit.Subject{IDNumber: "231102198503150017"}
)

// The catalogue, not the department, decides how open a record is, and a
// record about a person is as open as the catalogue's person column says.
// A kind the catalogue does not know is shared at most, whatever it arrived
// with.
func TestAnnotatePublicity(t *testing.T) {
	t.Parallel()
	cat := testCatalogue(t)
	cases := []struct {
		name    string
		kind    credit.Kind
		subject credit.Subject
		want    credit.Publicity
	}{
		{"penalty on an organisation", credit.KindPenalty, anEntity, credit.Public},
		{"penalty on a person", credit.KindPenalty, aPerson, credit.Personal},
		{"complaint on an organisation", credit.KindComplaint, anEntity, credit.Shared},
		{"complaint on a person", credit.KindComplaint, aPerson, credit.Personal},
		{"dishonest debtor who is a person", credit.KindDishonestDebtor, aPerson, credit.Public},
		{"unknown kind on an organisation", credit.Kind("TAX_ARREARS"), anEntity, credit.Shared},
		{"unknown kind on a person", credit.Kind("TAX_ARREARS"), aPerson, credit.Shared},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// Records arrive marked public, as a careless department would.
			r := &credit.Penalty{Base: credit.Base{Kind: c.kind, Subject: c.subject, Publicity: credit.Public,
				Status: credit.Effective, DecisionDate: day("2024-03-01")}}
			cat.Annotate(r, day("2024-03-04"))
			if r.Publicity != c.want {
				t.Errorf("publicity %s, want %s", r.Publicity, c.want)
			}
		})
	}
}

// describe renders a disclosure duty for comparison.
func describe(d *credit.Disclosure) string {
	if d == nil {
		return "no duty"
	}
	published := "unpublished"
	if d.PublishedDate != nil {
		published = "published " + d.PublishedDate.String()
	}
	return fmt.Sprintf("due %s, %s, onTime %v, overdue %v, %d working days late",
		d.DueDate, published, d.OnTime, d.Overdue, d.WorkingDaysLate)
}

// A decision is due online 7 working days after it was made (T26), counted
// on the State Council's holiday calendar: holidays do not count, make-up
// working days do, and lateness is counted in working days too.
func TestAnnotateDisclosure(t *testing.T) {
	t.Parallel()
	cat := testCatalogue(t)
	cases := []struct {
		name      string
		decided   string
		published string // "" when not published yet
		today     string
		want      string
	}{
		{
			// 10–17 February 2024 are the holiday; Sunday 18 February,
			// a make-up working day, is day 1.
			name:    "Spring Festival 2024, published on the last day",
			decided: "2024-02-09", published: "2024-02-26", today: "2024-06-03",
			want: "due 2024-02-26, published 2024-02-26, onTime true, overdue false, 0 working days late",
		},
		{
			name:    "Spring Festival 2024, published on the make-up Sunday",
			decided: "2024-02-09", published: "2024-02-18", today: "2024-06-03",
			want: "due 2024-02-26, published 2024-02-18, onTime true, overdue false, 0 working days late",
		},
		{
			// Lateness runs to the publication, not to today.
			name:    "Spring Festival 2024, published the next working day",
			decided: "2024-02-09", published: "2024-02-27", today: "2024-06-03",
			want: "due 2024-02-26, published 2024-02-27, onTime false, overdue true, 1 working days late",
		},
		{
			name:    "published on a Saturday after the deadline",
			decided: "2024-02-09", published: "2024-03-02", today: "2024-06-03",
			want: "due 2024-02-26, published 2024-03-02, onTime false, overdue true, 4 working days late",
		},
		{
			// The extension notice made 31 January – 2 February holidays and
			// cancelled the make-up Saturday of 1 February.
			name:    "Spring Festival 2020, extended",
			decided: "2020-01-23", published: "2020-02-11", today: "2020-03-02",
			want: "due 2020-02-11, published 2020-02-11, onTime true, overdue false, 0 working days late",
		},
		{
			name:    "Spring Festival 2025, 除夕 a holiday",
			decided: "2025-01-24", published: "2025-02-11", today: "2025-03-03",
			want: "due 2025-02-10, published 2025-02-11, onTime false, overdue true, 1 working days late",
		},
		{
			name:    "Spring Festival 2025, not published, deadline ahead",
			decided: "2025-01-24", today: "2025-02-04",
			want: "due 2025-02-10, unpublished, onTime false, overdue false, 0 working days late",
		},
		{
			// 29 September – 6 October 2023 are the holiday; Saturday 7 and
			// Sunday 8 October are make-up working days and count as late.
			name:    "National Day 2023, published after the holiday",
			decided: "2023-09-15", published: "2023-10-09", today: "2023-12-01",
			want: "due 2023-09-26, published 2023-10-09, onTime false, overdue true, 5 working days late",
		},
		{
			name:    "National Day 2023, published on the make-up Saturday",
			decided: "2023-09-15", published: "2023-10-07", today: "2023-12-01",
			want: "due 2023-09-26, published 2023-10-07, onTime false, overdue true, 3 working days late",
		},
		{
			// 1–8 October 2025 are the holiday; Sunday 28 September and
			// Saturday 11 October are make-up working days.
			name:    "National Day 2025, unpublished on the last day",
			decided: "2025-09-26", today: "2025-10-13",
			want: "due 2025-10-13, unpublished, onTime false, overdue false, 0 working days late",
		},
		{
			name:    "National Day 2025, unpublished a week later",
			decided: "2025-09-26", today: "2025-10-20",
			want: "due 2025-10-13, unpublished, onTime false, overdue true, 5 working days late",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := &credit.Penalty{Base: credit.Base{Kind: credit.KindPenalty, Subject: anEntity, Status: credit.Effective,
				DecisionDate: day(c.decided), PublishedOn: dayPtr(c.published)}}
			cat.Annotate(r, day(c.today))
			if got := describe(r.Disclosure); got != c.want {
				t.Errorf("disclosure\n got %s\nwant %s", got, c.want)
			}
		})
	}
	t.Run("kinds without the duty", func(t *testing.T) {
		t.Parallel()
		for _, k := range []credit.Kind{credit.KindComplaint, credit.KindDishonestDebtor, credit.Kind("TAX_ARREARS")} {
			r := &credit.Complaint{Base: credit.Base{Kind: k, Subject: anEntity, Status: credit.Effective,
				DecisionDate: day("2024-02-09")}}
			cat.Annotate(r, day("2024-06-03"))
			if r.Disclosure != nil {
				t.Errorf("%s: %s, want no duty", k, describe(r.Disclosure))
			}
		}
	})
}

// Administrative dishonesty information stops being published at the
// maximum period of its class, counted from the decision date: on the day
// the period ends the record is expired. The courts' lists keep their own
// time, and a record with no class, or no longer effective, keeps its
// status.
func TestAnnotateExpiry(t *testing.T) {
	t.Parallel()
	cat := testCatalogue(t)
	minor, general, serious := credit.Minor, credit.General, credit.Serious
	cases := []struct {
		name      string
		kind      credit.Kind
		severity  *credit.Severity
		status    credit.Status
		decided   string
		published string
		today     string
		want      credit.Status
	}{
		{"minor, the day before 3 months", credit.KindPenalty, &minor, credit.Effective, "2024-01-15", "", "2024-04-14", credit.Effective},
		{"minor, at 3 months", credit.KindPenalty, &minor, credit.Effective, "2024-01-15", "", "2024-04-15", credit.Expired},
		{"minor, counted from the decision, not the publication", credit.KindPenalty, &minor, credit.Effective,
			"2024-01-15", "2024-03-01", "2024-04-15", credit.Expired},
		{"general, past its minimum", credit.KindPenalty, &general, credit.Effective, "2024-01-15", "", "2024-04-15", credit.Effective},
		{"general, the day before 12 months", credit.KindPenalty, &general, credit.Effective, "2024-01-15", "", "2025-01-14", credit.Effective},
		{"general, at 12 months", credit.KindPenalty, &general, credit.Effective, "2024-01-15", "", "2025-01-15", credit.Expired},
		{"serious, past its minimum", credit.KindPenalty, &serious, credit.Effective, "2024-01-15", "", "2025-01-15", credit.Effective},
		{"serious, the day before 36 months", credit.KindPenalty, &serious, credit.Effective, "2024-01-15", "", "2027-01-14", credit.Effective},
		{"serious, at 36 months", credit.KindPenalty, &serious, credit.Effective, "2024-01-15", "", "2027-01-15", credit.Expired},
		{"serious, years later", credit.KindPenalty, &serious, credit.Effective, "2020-06-01", "", "2025-06-01", credit.Expired},
		{"no class", credit.KindPenalty, nil, credit.Effective, "2015-06-01", "", "2025-06-01", credit.Effective},
		{"repaired stays repaired", credit.KindPenalty, &minor, credit.Repaired, "2024-01-15", "", "2024-06-03", credit.Repaired},
		{"under objection stays under objection", credit.KindPenalty, &minor, credit.UnderObjection, "2024-01-15", "", "2024-06-03", credit.UnderObjection},
		{"court list, serious, ten years on", credit.KindDishonestDebtor, &serious, credit.Effective, "2015-03-02", "", "2025-03-03", credit.Effective},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := &credit.Penalty{Base: credit.Base{Kind: c.kind, Subject: anEntity, Severity: c.severity, Status: c.status,
				DecisionDate: day(c.decided), PublishedOn: dayPtr(c.published)}}
			cat.Annotate(r, day(c.today))
			if r.Status != c.want {
				t.Errorf("decided %s, on %s: status %s, want %s", c.decided, c.today, r.Status, c.want)
			}
		})
	}
}

// A catalogue that misses a kind or a class cannot be loaded: the hub would
// otherwise publish or expire records by rules nobody wrote down.
func TestNewRefusesAnIncompleteCatalogue(t *testing.T) {
	t.Parallel()
	for _, k := range credit.Kinds {
		t.Run("without "+string(k), func(t *testing.T) {
			t.Parallel()
			_, err := catalogue.New(entries(k), order36, workday.Default())
			if err == nil || !strings.Contains(err.Error(), string(k)) {
				t.Errorf("New = %v, want an error naming %s", err, k)
			}
		})
	}
	for i, p := range order36 {
		t.Run("without "+string(p.Severity), func(t *testing.T) {
			t.Parallel()
			periods := slices.Delete(slices.Clone(order36), i, i+1)
			_, err := catalogue.New(entries(), periods, workday.Default())
			if err == nil || !strings.Contains(err.Error(), string(p.Severity)) {
				t.Errorf("New = %v, want an error naming %s", err, p.Severity)
			}
		})
	}
}

// Today is the date in Heihe: half past midnight Beijing time is already
// the next day while UTC is still on the previous one.
func TestToday(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 2, 8, 16, 30, 0, 0, time.UTC)
	if got := catalogue.Today(now); got.String() != "2024-02-09" {
		t.Errorf("Today(%s) = %s, want 2024-02-09", now, got)
	}
}
