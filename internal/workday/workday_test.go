package workday

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// d is a short form of Date for the tables below.
func d(y int, m time.Month, day int) time.Time { return Date(y, m, day) }

func TestDefaultYears(t *testing.T) {
	t.Parallel()
	c := Default()
	want := []int{2020, 2021, 2022, 2023, 2024, 2025, 2026}
	if got := c.Years(); !slices.Equal(got, want) {
		t.Fatalf("Years() = %v, want %v", got, want)
	}
	cases := []struct {
		t    time.Time
		want bool
	}{
		{d(2019, 12, 31), false},
		{d(2020, 1, 1), true},
		{d(2026, 12, 31), true},
		{d(2027, 1, 1), false},
		// 16:00 UTC on 31 Dec 2019 is already 1 Jan 2020 in CST.
		{time.Date(2019, 12, 31, 16, 0, 0, 0, time.UTC), true},
		{time.Date(2019, 12, 31, 15, 59, 59, 0, time.UTC), false},
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), false},
	}
	for _, tc := range cases {
		if got := c.Covers(tc.t); got != tc.want {
			t.Errorf("Covers(%v) = %v, want %v", tc.t, got, tc.want)
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	t.Parallel()
	c := Default()
	cases := []struct {
		date time.Time
		want bool
		why  string
	}{
		{d(2024, 3, 4), true, "plain Monday"},
		{d(2024, 3, 2), false, "plain Saturday"},
		{d(2020, 1, 19), true, "2020 Spring Festival make-up Sunday"},
		{d(2020, 1, 30), false, "2020 Spring Festival, original notice"},
		{d(2020, 1, 31), false, "2020 Spring Festival extension (Friday)"},
		{d(2020, 2, 1), false, "Saturday: make-up working day cancelled by the 2020 extension"},
		{d(2020, 2, 3), true, "work resumed after the 2020 extension"},
		{d(2020, 10, 8), false, "2020 National Day + Mid-Autumn, 8 days"},
		{d(2020, 10, 10), true, "2020 National Day make-up Saturday"},
		{d(2021, 9, 18), true, "2021 Mid-Autumn make-up Saturday"},
		{d(2022, 4, 2), true, "2022 Qingming make-up Saturday"},
		{d(2022, 12, 31), false, "Saturday, first day of 2023 New Year holiday"},
		{d(2023, 1, 2), false, "2023 New Year holiday (Monday)"},
		{d(2023, 9, 29), false, "2023 Mid-Autumn + National Day"},
		{d(2023, 10, 6), false, "2023 Mid-Autumn + National Day, last day"},
		{d(2023, 10, 7), true, "2023 make-up Saturday"},
		{d(2023, 10, 8), true, "2023 make-up Sunday"},
		{d(2024, 2, 4), true, "2024 Spring Festival make-up Sunday"},
		{d(2024, 2, 9), true, "除夕 2024 was not an official holiday"},
		{d(2024, 2, 16), false, "2024 Spring Festival (Friday)"},
		{d(2024, 2, 18), true, "2024 Spring Festival make-up Sunday"},
		{d(2025, 1, 26), true, "2025 Spring Festival make-up Sunday"},
		{d(2025, 1, 28), false, "除夕 2025, statutory since 国务院令第795号"},
		{d(2025, 2, 4), false, "2025 Spring Festival, last day"},
		{d(2025, 2, 8), true, "2025 Spring Festival make-up Saturday"},
		{d(2025, 5, 2), false, "2 May 2025, statutory since 国务院令第795号"},
		{d(2025, 5, 5), false, "2025 Labour Day (Monday)"},
		{d(2025, 10, 8), false, "2025 National Day + Mid-Autumn, 8 days"},
		{d(2025, 10, 11), true, "2025 National Day make-up Saturday"},
		{d(2026, 1, 2), false, "2026 New Year (Friday)"},
		{d(2026, 1, 4), true, "2026 New Year make-up Sunday"},
		{d(2026, 2, 14), true, "2026 Spring Festival make-up Saturday"},
		{d(2026, 2, 23), false, "2026 Spring Festival, 9th day (Monday)"},
		{d(2026, 2, 28), true, "2026 Spring Festival make-up Saturday"},
		{d(2026, 9, 20), true, "2026 National Day make-up Sunday"},
		{d(2026, 10, 7), false, "2026 National Day (Wednesday)"},
		{d(2026, 10, 10), true, "2026 National Day make-up Saturday"},
		{d(2027, 1, 1), true, "not covered: Monday–Friday fallback (really a holiday)"},
		{d(2019, 10, 1), true, "not covered: Monday–Friday fallback (really a holiday)"},
		{d(2019, 10, 12), false, "not covered: Monday–Friday fallback (really a make-up day)"},
	}
	for _, tc := range cases {
		if got := c.IsWorkingDay(tc.date); got != tc.want {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v (%s)",
				tc.date.Format("2006-01-02"), tc.date.Weekday(), got, tc.want, tc.why)
		}
	}
}

func TestTimeZone(t *testing.T) {
	t.Parallel()
	c := Default()
	// 2024-02-09T16:00Z is 00:00 on 10 Feb in CST: Spring Festival.
	if c.IsWorkingDay(time.Date(2024, 2, 9, 16, 0, 0, 0, time.UTC)) {
		t.Error("2024-02-09T16:00Z should be 10 Feb CST, a holiday")
	}
	if !c.IsWorkingDay(time.Date(2024, 2, 9, 15, 59, 59, 0, time.UTC)) {
		t.Error("2024-02-09T15:59:59Z should be 9 Feb CST, a working day")
	}
	// A far-west zone: 8 Feb 20:00 at UTC-10 is 9 Feb 14:00 CST.
	hst := time.FixedZone("HST", -10*3600)
	got := c.AddWorkingDays(time.Date(2024, 2, 8, 20, 0, 0, 0, hst), 7)
	if want := d(2024, 2, 26); !got.Equal(want) {
		t.Errorf("AddWorkingDays from 8 Feb 20:00 HST = %v, want %v", got, want)
	}
	if _, off := got.Zone(); off != 8*3600 || got.Hour() != 0 || got.Minute() != 0 || got.Second() != 0 || got.Nanosecond() != 0 {
		t.Errorf("result %v is not 00:00 UTC+8", got)
	}
	if got.Location() != Location() {
		t.Errorf("result location = %v, want Location()", got.Location())
	}
}

func TestAddWorkingDays(t *testing.T) {
	t.Parallel()
	c := Default()
	cases := []struct {
		from time.Time
		n    int
		want time.Time
		why  string
	}{
		{d(2024, 3, 4), 0, d(2024, 3, 4), "n=0 on a working day"},
		{d(2024, 3, 2), 0, d(2024, 3, 4), "n=0 on a Saturday"},
		{d(2024, 2, 12), 0, d(2024, 2, 18), "n=0 inside the 2024 Spring Festival: next is make-up Sunday"},
		{d(2024, 3, 4), 1, d(2024, 3, 5), "plain next day"},
		{d(2024, 3, 1), 1, d(2024, 3, 4), "Friday + 1 = Monday"},

		// 2020 Spring Festival with the extension to 2 Feb: decision on the
		// last working day before the holiday.
		{d(2020, 1, 23), 7, d(2020, 2, 11), "2020 extension: work resumed 3 Feb"},
		{d(2020, 1, 23), 1, d(2020, 2, 3), "2020 extension: 1 Feb is no longer a working day"},
		{d(2020, 1, 17), 1, d(2020, 1, 19), "2020 make-up Sunday 19 Jan"},

		// 2021 Spring Festival: 11–17 Feb, make-up 7 and 20 Feb.
		{d(2021, 2, 10), 7, d(2021, 2, 25), "2021 Spring Festival"},
		// 2022 Spring Festival: 31 Jan – 6 Feb, make-up 29 and 30 Jan.
		{d(2022, 1, 28), 7, d(2022, 2, 11), "2022 Spring Festival, two make-up days before it"},
		// 2022 National Day: 1–7 Oct, make-up 8 and 9 Oct.
		{d(2022, 9, 30), 7, d(2022, 10, 14), "2022 National Day"},
		// 2023 New Year across the year boundary: 31 Dec 2022 – 2 Jan 2023.
		{d(2022, 12, 30), 7, d(2023, 1, 11), "2023 New Year holiday across the year boundary"},
		// 2023 Mid-Autumn + National Day: 29 Sep – 6 Oct, make-up 7 and 8 Oct.
		{d(2023, 9, 28), 7, d(2023, 10, 13), "just before National Day 2023"},
		{d(2023, 9, 28), 2, d(2023, 10, 8), "make-up Saturday and Sunday are days 1 and 2"},
		// 2024 Spring Festival: 10–17 Feb, make-up 4 and 18 Feb; 除夕 9 Feb works.
		{d(2024, 2, 9), 7, d(2024, 2, 26), "last working day before 2024 Spring Festival"},
		{d(2024, 2, 9), 1, d(2024, 2, 18), "make-up Sunday 18 Feb is day 1"},
		{d(2024, 2, 2), 1, d(2024, 2, 4), "make-up Sunday 4 Feb"},
		{d(2024, 2, 14), 7, d(2024, 2, 26), "decision dated inside the holiday: same deadline as from 9 Feb"},
		// 2025, new rules: 除夕 28 Jan and 2 May are holidays.
		{d(2025, 1, 27), 7, d(2025, 2, 12), "2025 Spring Festival from 除夕"},
		{d(2025, 1, 27), 4, d(2025, 2, 8), "2025 make-up Saturday 8 Feb"},
		{d(2025, 4, 30), 7, d(2025, 5, 14), "2025 Labour Day, 5 days with 2 May statutory"},
		{d(2025, 9, 30), 7, d(2025, 10, 16), "2025 National Day + Mid-Autumn with make-up 11 Oct"},
		// 2026: Spring Festival 15–23 Feb, make-up 14 and 28 Feb.
		{d(2026, 2, 13), 7, d(2026, 3, 2), "2026 Spring Festival"},
		{d(2026, 2, 14), 7, d(2026, 3, 3), "decision on the 2026 make-up Saturday"},
		{d(2026, 9, 30), 7, d(2026, 10, 15), "2026 National Day with make-up 10 Oct"},
		{d(2025, 12, 31), 3, d(2026, 1, 6), "2026 New Year with make-up Sunday 4 Jan"},
		// Across a covered/uncovered boundary: 2027 falls back to Mon–Fri.
		{d(2026, 12, 31), 1, d(2027, 1, 1), "uncovered 2027: plain Monday–Friday"},
	}
	for _, tc := range cases {
		got := c.AddWorkingDays(tc.from, tc.n)
		if !got.Equal(tc.want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s (%s)",
				tc.from.Format("2006-01-02"), tc.n, got.Format("2006-01-02 Mon"),
				tc.want.Format("2006-01-02 Mon"), tc.why)
		}
	}
}

func TestAddWorkingDaysNegativePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("AddWorkingDays(_, -1) did not panic")
		}
	}()
	Default().AddWorkingDays(d(2024, 1, 2), -1)
}

func TestWorkingDaysBetween(t *testing.T) {
	t.Parallel()
	c := Default()
	cases := []struct {
		from, to time.Time
		want     int
	}{
		{d(2024, 3, 4), d(2024, 3, 4), 0},
		{d(2024, 3, 4), d(2024, 3, 5), 1},
		{d(2024, 3, 1), d(2024, 3, 4), 1},
		{d(2024, 3, 2), d(2024, 3, 3), 0},
		{d(2024, 2, 9), d(2024, 2, 26), 7},
		{d(2024, 2, 26), d(2024, 2, 9), -7},
		{d(2024, 2, 9), d(2024, 2, 17), 0}, // holiday only
		{d(2023, 9, 28), d(2023, 10, 13), 7},
		{d(2023, 9, 28), d(2023, 10, 16), 8}, // one working day late
		{d(2020, 1, 23), d(2020, 2, 11), 7},
		{d(2025, 1, 27), d(2025, 2, 12), 7},
		{d(2026, 2, 13), d(2026, 3, 2), 7},
		{d(2022, 12, 30), d(2023, 1, 11), 7},
		// Whole years: weekdays minus statutory holidays. 2024: 262 - 11;
		// 2025: 261 - 13; 2026: 261 - 13.
		{d(2023, 12, 31), d(2024, 12, 31), 251},
		{d(2024, 12, 31), d(2025, 12, 31), 248},
		{d(2025, 12, 31), d(2026, 12, 31), 248},
	}
	for _, tc := range cases {
		if got := c.WorkingDaysBetween(tc.from, tc.to); got != tc.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d",
				tc.from.Format("2006-01-02"), tc.to.Format("2006-01-02"), got, tc.want)
		}
	}
	// Time of day does not matter, only the CST date.
	from := time.Date(2024, 2, 9, 23, 59, 0, 0, Location())
	to := time.Date(2024, 2, 26, 0, 1, 0, 0, Location())
	if got := c.WorkingDaysBetween(from, to); got != 7 {
		t.Errorf("WorkingDaysBetween with times of day = %d, want 7", got)
	}
}

// bruteCount counts working days in (a, b] one day at a time.
func bruteCount(c *Calendar, a, b time.Time) int {
	n := 0
	for x := a.AddDate(0, 0, 1); !x.After(b); x = x.AddDate(0, 0, 1) {
		if c.IsWorkingDay(x) {
			n++
		}
	}
	return n
}

// TestConsistency checks, for every start date from late 2019 to early 2027,
// that AddWorkingDays and WorkingDaysBetween agree with each other and with a
// day-by-day count.
func TestConsistency(t *testing.T) {
	t.Parallel()
	c := Default()
	start, end := d(2019, 11, 1), d(2027, 3, 1)
	for x := start; x.Before(end); x = x.AddDate(0, 0, 1) {
		for n := 0; n <= 12; n++ {
			r := c.AddWorkingDays(x, n)
			if !c.IsWorkingDay(r) {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, not a working day", x.Format("2006-01-02"), n, r.Format("2006-01-02"))
			}
			if n == 0 {
				if got := bruteCount(c, x.AddDate(0, 0, -1), r); got != 1 {
					t.Fatalf("AddWorkingDays(%s, 0) = %s, not the first working day from it", x.Format("2006-01-02"), r.Format("2006-01-02"))
				}
				continue
			}
			if got := c.WorkingDaysBetween(x, r); got != n {
				t.Fatalf("WorkingDaysBetween(%s, AddWorkingDays(_, %d) = %s) = %d", x.Format("2006-01-02"), n, r.Format("2006-01-02"), got)
			}
			if got := c.WorkingDaysBetween(x, r.AddDate(0, 0, -1)); got != n-1 {
				t.Fatalf("AddWorkingDays(%s, %d) = %s is not the first date with %d working days", x.Format("2006-01-02"), n, r.Format("2006-01-02"), n)
			}
		}
		for _, span := range []int{1, 5, 17, 40, 400} {
			y := x.AddDate(0, 0, span)
			want := bruteCount(c, x, y)
			if got := c.WorkingDaysBetween(x, y); got != want {
				t.Fatalf("WorkingDaysBetween(%s, %s) = %d, brute force %d", x.Format("2006-01-02"), y.Format("2006-01-02"), got, want)
			}
			if got := c.WorkingDaysBetween(y, x); got != -want {
				t.Fatalf("WorkingDaysBetween(%s, %s) = %d, want %d", y.Format("2006-01-02"), x.Format("2006-01-02"), got, -want)
			}
		}
	}
	// Far from the epoch and before it.
	for _, x := range []time.Time{d(1, 1, 1), d(1969, 12, 25), d(2100, 6, 1)} {
		y := x.AddDate(0, 0, 100)
		if got, want := c.WorkingDaysBetween(x, y), bruteCount(c, x, y); got != want {
			t.Errorf("WorkingDaysBetween(%s, +100d) = %d, brute force %d", x.Format("2006-01-02"), got, want)
		}
	}
}

var docNumber = regexp.MustCompile(`国办发明电〔\d{4}〕\d+号`)

// TestDataIntegrity checks every row of the embedded calendar and, per year,
// the number of statutory holidays implied by the rows.
func TestDataIntegrity(t *testing.T) {
	t.Parallel()
	c := Default()
	entries := c.Entries()
	if len(entries) == 0 {
		t.Fatal("no entries")
	}
	// Weekday holiday rows minus make-up working days = statutory holiday
	// days that year: 11 until 2024, 13 from 2025 (国务院令第795号); 2020
	// has 2 more from the Spring Festival extension (Friday 31 Jan off and
	// Saturday 1 Feb no longer a working day).
	wantNet := map[int]int{2020: 13, 2021: 11, 2022: 11, 2023: 11, 2024: 11, 2025: 13, 2026: 13}
	net := map[int]int{}
	for _, e := range entries {
		day := e.Date.Format("2006-01-02")
		if strings.TrimSpace(e.Source) == "" {
			t.Errorf("%s: empty source", day)
		}
		if strings.TrimSpace(e.Name) == "" {
			t.Errorf("%s: empty name", day)
		}
		if !strings.HasPrefix(e.Source, "国务院办公厅关于") || !docNumber.MatchString(e.Source) {
			t.Errorf("%s: source %q lacks the notice title or document number", day, e.Source)
		}
		if strings.Contains(e.Source, "(unverified)") {
			t.Errorf("%s: embedded row is marked unverified: %q", day, e.Source)
		}
		y := e.Date.Year()
		if !strings.Contains(e.Source, fmt.Sprintf("关于%d年", y)) &&
			!strings.Contains(e.Source, fmt.Sprintf("关于延长%d年", y)) &&
			!(e.Date.Month() == time.December && strings.Contains(e.Source, fmt.Sprintf("关于%d年", y+1))) {
			t.Errorf("%s: source %q is not a notice for that year", day, e.Source)
		}
		if h, m, s := e.Date.Clock(); h != 0 || m != 0 || s != 0 {
			t.Errorf("%s: entry date not at midnight: %v", day, e.Date)
		}
		weekend := e.Date.Weekday() == time.Saturday || e.Date.Weekday() == time.Sunday
		switch {
		case e.Type == Workday && !weekend:
			t.Errorf("%s: workday row on a weekday", day)
		case e.Type == Workday:
			net[y]--
		case e.Type == Holiday && !weekend:
			net[y]++
		}
	}
	for y, want := range wantNet {
		if net[y] != want {
			t.Errorf("%d: weekday holidays minus make-up days = %d, want %d", y, net[y], want)
		}
	}
	for _, y := range c.Years() {
		if c.Source(y) == "" {
			t.Errorf("Source(%d) is empty", y)
		}
		if _, ok := wantNet[y]; !ok {
			t.Errorf("year %d is covered but not checked here; extend wantNet", y)
		}
	}
	if c.Source(2019) != "" || c.Source(2027) != "" {
		t.Error("Source of an uncovered year should be empty")
	}
	for _, want := range []string{"国办发明电〔2019〕16号", "国办发明电〔2020〕1号"} {
		if !strings.Contains(c.Source(2020), want) {
			t.Errorf("Source(2020) = %q, want it to mention %s", c.Source(2020), want)
		}
	}
	for y, doc := range map[int]string{2021: "〔2020〕27号", 2022: "〔2021〕11号", 2023: "〔2022〕16号",
		2024: "〔2023〕7号", 2025: "〔2024〕12号", 2026: "〔2025〕7号"} {
		if !strings.Contains(c.Source(y), doc) {
			t.Errorf("Source(%d) = %q, want it to mention %s", y, c.Source(y), doc)
		}
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	c := Default()
	e, ok := c.Lookup(time.Date(2020, 2, 1, 3, 0, 0, 0, time.UTC))
	if !ok || e.Type != Holiday || e.Name != "春节" || !strings.Contains(e.Source, "国办发明电〔2020〕1号") {
		t.Errorf("Lookup(2020-02-01) = %+v, %v; want the extension's holiday row", e, ok)
	}
	e, ok = c.Lookup(d(2023, 10, 7))
	if !ok || e.Type != Workday || e.Name != "中秋节、国庆节" {
		t.Errorf("Lookup(2023-10-07) = %+v, %v; want a 中秋节、国庆节 workday row", e, ok)
	}
	if _, ok := c.Lookup(d(2024, 2, 9)); ok {
		t.Error("Lookup(2024-02-09) found a row; 除夕 2024 was an ordinary working day")
	}
	if Holiday.String() != "holiday" || Workday.String() != "workday" {
		t.Error("DayType.String spelling changed")
	}
}

func TestImmutable(t *testing.T) {
	t.Parallel()
	c := Default()
	ys := c.Years()
	ys[0] = 1999
	es := c.Entries()
	es[0].Type = Workday
	es[0].Name = "changed"
	if c.Years()[0] != 2020 {
		t.Error("Years() exposes internal state")
	}
	if e := c.Entries()[0]; e.Type != Holiday || e.Name == "changed" {
		t.Error("Entries() exposes internal state")
	}
}

func TestNilCalendar(t *testing.T) {
	t.Parallel()
	var c *Calendar
	if !c.IsWorkingDay(d(2024, 2, 12)) || c.Covers(d(2024, 2, 12)) || c.Years() != nil || c.Source(2024) != "" {
		t.Error("nil calendar should be plain Monday–Friday with nothing covered")
	}
	if got := c.WorkingDaysBetween(d(2024, 3, 1), d(2024, 3, 8)); got != 5 {
		t.Errorf("nil calendar WorkingDaysBetween = %d, want 5", got)
	}
	if got := c.AddWorkingDays(d(2024, 3, 1), 1); !got.Equal(d(2024, 3, 4)) {
		t.Errorf("nil calendar AddWorkingDays = %v", got)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	in := "\uFEFF# custom calendar\r\n" +
		"\r\n" +
		"date\ttype\tname\tsource\r\n" +
		"2030-02-04\tholiday\t春节\tlocal notice\r\n" +
		"  # indented comment\n" +
		"2030-02-02\tworkday\t春节\tlocal notice\n" +
		"2031-01-01\tholiday\t元旦\tother notice\n" +
		"2031-01-02 \t holiday \t 元旦 \t other notice \n"
	c, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Years(); !slices.Equal(got, []int{2030, 2031}) {
		t.Errorf("Years() = %v", got)
	}
	if !c.Covers(d(2030, 6, 1)) || c.Covers(d(2032, 1, 1)) {
		t.Error("Covers wrong")
	}
	if c.Source(2030) != "local notice" || c.Source(2031) != "other notice" {
		t.Errorf("Source = %q, %q", c.Source(2030), c.Source(2031))
	}
	if c.IsWorkingDay(d(2030, 2, 4)) || !c.IsWorkingDay(d(2030, 2, 2)) || c.IsWorkingDay(d(2031, 1, 2)) {
		t.Error("IsWorkingDay disagrees with the rows")
	}
	if es := c.Entries(); len(es) != 4 || !es[0].Date.Equal(d(2030, 2, 2)) {
		t.Errorf("Entries not sorted by date: %v", es)
	}
	// Shared sources across years are joined.
	c, err = Parse(strings.NewReader("date\ttype\tname\tsource\n" +
		"2022-06-03\tholiday\t端午节\tA\n2022-12-31\tholiday\t元旦\tB\n2023-01-02\tholiday\t元旦\tB\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Source(2022) != "A; B" || c.Source(2023) != "B" {
		t.Errorf("Source(2022) = %q, Source(2023) = %q", c.Source(2022), c.Source(2023))
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const hdr = "date\ttype\tname\tsource\n"
	cases := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"empty input", "", 0, "empty"},
		{"only comments", "# nothing\n\n", 2, "no header"},
		{"missing header", "2024-02-10\tholiday\t春节\tX\n", 1, "expected header"},
		{"no rows", "# c\n" + hdr, 2, "no rows"},
		{"bad date", hdr + "2024-02-10\tholiday\t春节\tX\n2024-02-30\tholiday\t春节\tX\n", 3, `bad date "2024-02-30"`},
		{"bad date format", hdr + "2024/02/10\tholiday\t春节\tX\n", 2, `bad date "2024/02/10"`},
		{"unknown type", hdr + "2024-02-10\tvacation\t春节\tX\n", 2, `unknown type "vacation"`},
		{"type is case-sensitive", hdr + "2024-02-10\tHoliday\t春节\tX\n", 2, "unknown type"},
		{"duplicate date", hdr + "2024-02-10\tholiday\t春节\tX\n# c\n2024-02-11\tholiday\t春节\tX\n2024-02-10\tholiday\t春节\tY\n", 5, "duplicate date 2024-02-10 (first on line 2)"},
		{"too few fields", hdr + "2024-02-10\tholiday\t春节\n", 2, "got 3"},
		{"too many fields", hdr + "2024-02-10\tholiday\t春节\tX\textra\n", 2, "got 5"},
		{"spaces not tabs", hdr + "2024-02-10 holiday 春节 X\n", 2, "got 1"},
		{"empty name", hdr + "2024-02-10\tholiday\t\tX\n", 2, "empty name"},
		{"empty source", hdr + "2024-02-10\tholiday\t春节\t \n", 2, "empty source"},
		{"workday on a weekday", hdr + "2024-02-09\tworkday\t春节\tX\n", 2, "workday row on 2024-02-09, a Friday"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", c)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Line != tc.line {
				t.Errorf("Line = %d, want %d (%v)", pe.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
			if tc.line > 0 && !strings.Contains(err.Error(), fmt.Sprintf("line %d:", tc.line)) {
				t.Errorf("error %q does not name line %d", err, tc.line)
			}
		})
	}
}

func TestEmbeddedParsesIdentically(t *testing.T) {
	t.Parallel()
	c, err := Parse(strings.NewReader(embeddedCalendar))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Entries(), Default().Entries()) {
		t.Error("re-parsing the embedded file gives different entries")
	}
}

func ExampleCalendar_AddWorkingDays() {
	cal := Default()
	// A penalty decision made on Friday 9 February 2024, the last working
	// day before the Spring Festival holiday (10–17 February; Sunday 18
	// February was a make-up working day), must be published within 7
	// working days.
	decision := Date(2024, 2, 9)
	deadline := cal.AddWorkingDays(decision, 7)
	fmt.Println(deadline.Format("2006-01-02 Mon"), cal.Covers(deadline))

	published := Date(2024, 2, 28)
	late := cal.WorkingDaysBetween(decision, published) - 7
	fmt.Println("working days late:", late)
	// Output:
	// 2024-02-26 Mon true
	// working days late: 2
}
