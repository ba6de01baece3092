package workday

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

//go:embed calendar.tsv
var embeddedCalendar string

// cst is China Standard Time, UTC+8 without daylight saving time. A fixed
// zone is used on purpose so that the package does not depend on the tz
// database being installed.
var cst = time.FixedZone("CST", 8*3600)

// defaultCalendar is the embedded calendar, parsed once at package
// initialisation.
var defaultCalendar = mustParseEmbedded()

func mustParseEmbedded() *Calendar {
	c, err := Parse(strings.NewReader(embeddedCalendar))
	if err != nil {
		// The embedded file is covered by the package tests; failing here
		// means the binary was built from a broken calendar.tsv.
		panic("workday: embedded calendar.tsv: " + err.Error())
	}
	return c
}

// Default returns the calendar embedded in the package (calendar.tsv), built
// from the State Council General Office notices listed in its source column.
// The returned value is shared and immutable.
func Default() *Calendar { return defaultCalendar }

// Location returns the fixed UTC+8 zone ("CST") in which dates are
// interpreted and in which results are returned.
func Location() *time.Location { return cst }

// Date returns 00:00 of the given civil date in China Standard Time (UTC+8).
// Like time.Date, out-of-range values are normalised (Date(2024, 2, 30) is
// 1 March 2024).
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, cst)
}

// DayType says how a calendar row deviates from the plain Monday–Friday rule.
type DayType uint8

const (
	// Holiday is a day of an official holiday period (放假调休). Weekend days
	// inside a period are Holiday rows too.
	Holiday DayType = iota + 1
	// Workday is a Saturday or Sunday made a working day (调休上班).
	Workday
)

// String returns the spelling used in the calendar file: "holiday" or
// "workday".
func (t DayType) String() string {
	switch t {
	case Holiday:
		return "holiday"
	case Workday:
		return "workday"
	default:
		return fmt.Sprintf("DayType(%d)", uint8(t))
	}
}

// Entry is one row of a calendar.
type Entry struct {
	Date   time.Time // 00:00 CST of the row's date
	Type   DayType
	Name   string // holiday name as worded in the notice, e.g. 春节 or 国庆节、中秋节
	Source string // notice title and document number
}

// Calendar is an immutable working-day calendar: the official rows of the
// covered years on top of the Monday–Friday rule. It is safe for concurrent
// use. A nil *Calendar behaves as a calendar with no rows (plain
// Monday–Friday, no covered years).
type Calendar struct {
	entries []Entry        // sorted by date
	days    []int64        // day numbers of entries, same order
	byDay   map[int64]int  // day number -> index into entries
	years   []int          // covered years, ascending
	sources map[int]string // year -> distinct sources of its rows
}

// ParseError reports a malformed line of a calendar file.
type ParseError struct {
	Line int    // 1-based line number in the input; 0 if the input has no lines
	Msg  string // what is wrong with it
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return "workday: calendar: " + e.Msg
	}
	return fmt.Sprintf("workday: calendar line %d: %s", e.Line, e.Msg)
}

// header is the required first non-comment line of a calendar file.
var header = []string{"date", "type", "name", "source"}

// Parse reads a calendar in the format of the embedded calendar.tsv:
//
//   - lines are separated by "\n" (a trailing "\r" is ignored) and the input
//     may start with a UTF-8 byte order mark;
//   - blank lines and lines whose first non-blank character is '#' are
//     comments;
//   - the first other line is the header "date<TAB>type<TAB>name<TAB>source";
//   - every further line has exactly four TAB-separated fields: a date as
//     YYYY-MM-DD, the type "holiday" or "workday", a non-empty name and a
//     non-empty source.
//
// A date may appear only once, and a workday row must fall on a Saturday or
// Sunday (a weekday is a working day anyway, so such a row is a mistake).
// At least one row is required. Errors are *ParseError values naming the
// line.
func Parse(r io.Reader) (*Calendar, error) {
	c := &Calendar{
		byDay:   make(map[int64]int),
		sources: make(map[int]string),
	}
	lineOf := make(map[int64]int)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	lineNo := 0
	sawHeader := false
	for sc.Scan() {
		lineNo++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if !sawHeader {
			if !isHeader(fields) {
				return nil, &ParseError{lineNo, fmt.Sprintf("expected header %q, got %q",
					strings.Join(header, "\t"), trimmed)}
			}
			sawHeader = true
			continue
		}
		e, err := parseRow(fields)
		if err != nil {
			return nil, &ParseError{lineNo, err.Error()}
		}
		day := dayNumber(e.Date)
		if first, dup := lineOf[day]; dup {
			return nil, &ParseError{lineNo, fmt.Sprintf("duplicate date %s (first on line %d)",
				e.Date.Format(dateLayout), first)}
		}
		lineOf[day] = lineNo
		c.entries = append(c.entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{lineNo + 1, "read error: " + err.Error()}
	}
	if !sawHeader {
		return nil, &ParseError{lineNo, "no header line: the calendar is empty"}
	}
	if len(c.entries) == 0 {
		return nil, &ParseError{lineNo, "calendar has no rows"}
	}

	sort.Slice(c.entries, func(i, j int) bool { return c.entries[i].Date.Before(c.entries[j].Date) })
	c.days = make([]int64, len(c.entries))
	seen := make(map[int]map[string]bool)
	for i, e := range c.entries {
		day := dayNumber(e.Date)
		c.days[i] = day
		c.byDay[day] = i
		y := e.Date.Year()
		if seen[y] == nil {
			seen[y] = make(map[string]bool)
			c.years = append(c.years, y)
		}
		if !seen[y][e.Source] {
			seen[y][e.Source] = true
			if s := c.sources[y]; s != "" {
				c.sources[y] = s + "; " + e.Source
			} else {
				c.sources[y] = e.Source
			}
		}
	}
	return c, nil
}

const dateLayout = "2006-01-02"

func isHeader(fields []string) bool {
	if len(fields) != len(header) {
		return false
	}
	for i, f := range fields {
		if !strings.EqualFold(f, header[i]) {
			return false
		}
	}
	return true
}

func parseRow(fields []string) (Entry, error) {
	if len(fields) != 4 {
		return Entry{}, fmt.Errorf("want 4 TAB-separated fields (date, type, name, source), got %d", len(fields))
	}
	t, err := time.ParseInLocation(dateLayout, fields[0], cst)
	if err != nil {
		return Entry{}, fmt.Errorf("bad date %q: want YYYY-MM-DD", fields[0])
	}
	var typ DayType
	switch fields[1] {
	case "holiday":
		typ = Holiday
	case "workday":
		typ = Workday
	default:
		return Entry{}, fmt.Errorf("unknown type %q: want \"holiday\" or \"workday\"", fields[1])
	}
	if fields[2] == "" {
		return Entry{}, errors.New("empty name")
	}
	if fields[3] == "" {
		return Entry{}, errors.New("empty source")
	}
	if typ == Workday && !isWeekend(dayNumber(t)) {
		return Entry{}, fmt.Errorf("workday row on %s, a %s: only a Saturday or Sunday can be made a working day",
			fields[0], t.Weekday())
	}
	return Entry{Date: t, Type: typ, Name: fields[2], Source: fields[3]}, nil
}

// dayNumber returns the number of days from 1970-01-01 to the civil date of
// t in CST.
func dayNumber(t time.Time) int64 {
	y, m, d := t.In(cst).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400 // exact multiple
}

// dateOf is the inverse of dayNumber: 00:00 CST of the given day.
func dateOf(day int64) time.Time {
	y, m, d := time.Unix(day*86400, 0).UTC().Date()
	return Date(y, m, d)
}

// mondayIndex is the position of the day in its week, 0 for Monday through
// 6 for Sunday. Day 0 (1970-01-01) was a Thursday.
func mondayIndex(day int64) int64 {
	return ((day+3)%7 + 7) % 7
}

func isWeekend(day int64) bool { return mondayIndex(day) >= 5 }

// weekdaysThrough counts Monday–Friday days from an arbitrary fixed origin
// through day; only differences of it are meaningful.
func weekdaysThrough(day int64) int64 {
	k := day + 3 // 0 on Monday 1969-12-29
	weeks := k / 7
	if k%7 < 0 {
		weeks--
	}
	r := k - weeks*7 // 0..6, 0 = Monday
	return weeks*5 + min(r+1, 5)
}

func (c *Calendar) entryAt(day int64) (Entry, bool) {
	if c == nil {
		return Entry{}, false
	}
	i, ok := c.byDay[day]
	if !ok {
		return Entry{}, false
	}
	return c.entries[i], true
}

func (c *Calendar) working(day int64) bool {
	if e, ok := c.entryAt(day); ok {
		return e.Type == Workday
	}
	return !isWeekend(day)
}

// IsWorkingDay reports whether the civil date of d in CST (UTC+8) is a
// working day: a row of the calendar decides if there is one, otherwise
// Monday–Friday are working days and Saturday and Sunday are not. The time of
// day and d's own location are irrelevant beyond determining that date.
func (c *Calendar) IsWorkingDay(d time.Time) bool {
	return c.working(dayNumber(d))
}

// AddWorkingDays returns 00:00 CST of the n-th working day after the civil
// date of d in CST. The day d itself is never counted for n ≥ 1: the deadline
// for "within 7 working days of a decision made on day D" is
// AddWorkingDays(D, 7), and the 7th working day after D is the last day on
// which the act is still on time. For n = 0 the result is d's date if that is
// a working day, otherwise the next working day.
//
// AddWorkingDays panics if n is negative.
func (c *Calendar) AddWorkingDays(d time.Time, n int) time.Time {
	if n < 0 {
		panic(fmt.Sprintf("workday: AddWorkingDays with negative n (%d)", n))
	}
	day := dayNumber(d)
	if n == 0 {
		for !c.working(day) {
			day++
		}
		return dateOf(day)
	}
	for n > 0 {
		day++
		if c.working(day) {
			n--
		}
	}
	return dateOf(day)
}

// WorkingDaysBetween returns the number of working days in the interval
// (from, to] of civil dates in CST: from excluded, to included. It is
// negative, -WorkingDaysBetween(to, from), if to is before from, and 0 if
// both fall on the same date. For n ≥ 1,
// WorkingDaysBetween(D, AddWorkingDays(D, n)) == n; a disclosure made on
// date P for a decision on D is late if WorkingDaysBetween(D, P) exceeds the
// allowed number of working days, by the difference.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	a, b := dayNumber(from), dayNumber(to)
	if a == b {
		return 0
	}
	if b < a {
		return -c.countWorking(b, a)
	}
	return c.countWorking(a, b)
}

// countWorking counts working days in (a, b], a < b.
func (c *Calendar) countWorking(a, b int64) int {
	n := weekdaysThrough(b) - weekdaysThrough(a)
	if c != nil {
		lo := sort.Search(len(c.days), func(i int) bool { return c.days[i] > a })
		hi := sort.Search(len(c.days), func(i int) bool { return c.days[i] > b })
		for i := lo; i < hi; i++ {
			plain := !isWeekend(c.days[i])
			actual := c.entries[i].Type == Workday
			switch {
			case plain && !actual:
				n--
			case !plain && actual:
				n++
			}
		}
	}
	return int(n)
}

// Covers reports whether the calendar has rows for the year of d's civil
// date in CST, i.e. whether an official schedule is known for it. Outside
// the covered years every method silently falls back to the Monday–Friday
// rule, which ignores holidays and make-up working days; callers computing
// legal deadlines should check Covers for the dates involved (for a deadline,
// the decision date and the result of AddWorkingDays).
func (c *Calendar) Covers(d time.Time) bool {
	if c == nil {
		return false
	}
	_, ok := c.sources[d.In(cst).Year()]
	return ok
}

// Years returns the covered years in ascending order: the years of the
// calendar's row dates. The slice is a copy.
func (c *Calendar) Years() []int {
	if c == nil {
		return nil
	}
	return append([]int(nil), c.years...)
}

// Source returns the notice (title and document number) from which the rows
// dated in the given year come, or "" if the year is not covered. Where a
// year's rows come from more than one notice, the distinct sources are
// joined with "; " in date order: 2020 lists the annual notice and the
// Spring Festival extension, and 2022 also lists the 2023 notice, whose New
// Year holiday starts on 2022-12-31.
func (c *Calendar) Source(year int) string {
	if c == nil {
		return ""
	}
	return c.sources[year]
}

// Lookup returns the calendar row for the civil date of d in CST, if any.
func (c *Calendar) Lookup(d time.Time) (Entry, bool) {
	return c.entryAt(dayNumber(d))
}

// Entries returns a copy of all rows, in date order.
func (c *Calendar) Entries() []Entry {
	if c == nil {
		return nil
	}
	return append([]Entry(nil), c.entries...)
}
