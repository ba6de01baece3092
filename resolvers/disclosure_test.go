package resolvers_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"credithub/internal/app/apptest"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/workday"
)

const disclosureQuery = `query($from: Date!, $to: Date!, $first: Int) {
  disclosureStats(from: $from, to: $to) {
    department { code }
    decisions publishedOnTime publishedLate overdue pending onTimeShare
    overdueRecords(first: $first) {
      id kind decisionDate publicity status
      disclosure { dueDate publishedDate onTime overdue workingDaysLate }
    }
  }
}`

// decision is a decision as the test reads it from a department's tables.
type decision struct {
	kind      credit.Kind
	id        int64
	decided   time.Time
	published *time.Time
}

// civilDate is a date column's day as workday counts it (CST midnight).
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return workday.Date(y, m, d)
}

// readDecisions reads, straight from a department's database, the decisions
// of the kinds that must be published, with the day each was published.
func readDecisions(t *testing.T, h *apptest.Hub, dept, from, to string) []decision {
	t.Helper()
	// The information catalogue's disclosure_required kinds, by table, as
	// the departments' migrations name the columns.
	queries := map[string]string{
		"market": `SELECT 'LICENCE', id, decision_date, published_on FROM admin_licence WHERE decision_date BETWEEN $1 AND $2
			UNION ALL SELECT 'PENALTY', id, decision_date, published_on FROM admin_penalty WHERE decision_date BETWEEN $1 AND $2
			UNION ALL SELECT 'INSPECTION', id, inspected_on, published_on FROM random_inspection WHERE inspected_on BETWEEN $1 AND $2
			UNION ALL SELECT 'ABNORMAL_OPERATION', id, listed_on, published_on FROM abnormal_operation WHERE listed_on BETWEEN $1 AND $2
			UNION ALL SELECT 'ADMINISTRATIVE_COERCION', id, decision_date, published_on FROM admin_coercion WHERE decision_date BETWEEN $1 AND $2
			UNION ALL SELECT 'ADMINISTRATIVE_REWARD', id, decision_date, published_on FROM admin_reward WHERE decision_date BETWEEN $1 AND $2
			UNION ALL SELECT 'ADMINISTRATIVE_ADJUDICATION', id, decision_date, published_on FROM patent_ruling WHERE decision_date BETWEEN $1 AND $2`,
		"fire": `SELECT 'INSPECTION', id, (inspected_at AT TIME ZONE 'Asia/Shanghai')::date, (published_at AT TIME ZONE 'Asia/Shanghai')::date
			FROM fire_inspection WHERE (inspected_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $1 AND $2
			UNION ALL SELECT 'PENALTY', id, (decided_at AT TIME ZONE 'Asia/Shanghai')::date, (published_at AT TIME ZONE 'Asia/Shanghai')::date
			FROM fire_penalty WHERE (decided_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $1 AND $2
			UNION ALL SELECT 'ADMINISTRATIVE_COERCION', id, (decided_at AT TIME ZONE 'Asia/Shanghai')::date, (published_at AT TIME ZONE 'Asia/Shanghai')::date
			FROM fire_coercion WHERE (decided_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $1 AND $2`,
	}
	rows, err := h.DBs[dept].QueryContext(context.Background(), queries[dept], from, to)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []decision
	for rows.Next() {
		var d decision
		var pub *time.Time
		if err := rows.Scan(&d.kind, &d.id, &d.decided, &pub); err != nil {
			t.Fatal(err)
		}
		d.decided = civilDate(d.decided)
		if pub != nil {
			p := civilDate(*pub)
			d.published = &p
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type tally struct{ decisions, onTime, late, overdue, pending int }

// classify applies T26 row by row: due 7 working days after the decision on
// the official calendar; on time when published by then.
func classify(ds []decision, today time.Time) (tally, []decision) {
	cal := workday.Default()
	var c tally
	var overdue []decision
	for _, d := range ds {
		c.decisions++
		due := cal.AddWorkingDays(d.decided, 7)
		switch {
		case d.published != nil && !d.published.After(due):
			c.onTime++
		case d.published != nil:
			c.late++
		case today.After(due):
			c.overdue++
			overdue = append(overdue, d)
		default:
			c.pending++
		}
	}
	slices.SortFunc(overdue, func(a, b decision) int {
		if c := a.decided.Compare(b.decided); c != 0 {
			return c
		}
		if a.kind != b.kind {
			if a.kind < b.kind {
				return -1
			}
			return 1
		}
		return int(a.id - b.id)
	})
	return c, overdue
}

func today() time.Time {
	y, m, d := time.Now().In(workday.Location()).Date()
	return workday.Date(y, m, d)
}

func rowOf(t *testing.T, data map[string]any, dept string) map[string]any {
	t.Helper()
	for _, r := range apptest.Get(data, "disclosureStats").([]any) {
		if apptest.Get(r, "department", "code") == dept {
			return r.(map[string]any)
		}
	}
	return nil
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// Each department's timeliness is what the department's own tables say,
// row by row, on the official calendar; its overdue list is its overdue
// decisions, oldest due first.
func TestDisclosureStatsAgreeWithTheDepartmentsData(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	const from, to = "2024-06-01", "2026-11-27"
	for _, dept := range []string{"market", "fire"} {
		t.Run(dept, func(t *testing.T) {
			// The hub counts as of its today; ask again should China's
			// midnight fall between the answer and the reading.
			var data map[string]any
			var before time.Time
			for range 2 {
				before = today()
				data = h.QueryAs(t, apptest.Department(t), disclosureQuery, map[string]any{"from": from, "to": to, "first": 30})
				if today().Equal(before) {
					break
				}
			}
			want, overdue := classify(readDecisions(t, h, dept, from, to), before)
			if want.decisions < 50 || want.onTime == 0 || want.late == 0 || want.overdue == 0 {
				t.Fatalf("the seeded world has too few decisions to test with: %+v", want)
			}
			row := rowOf(t, data, dept)
			if row == nil {
				t.Fatalf("no row for %s: %v", dept, data)
			}
			got := tally{num(row["decisions"]), num(row["publishedOnTime"]), num(row["publishedLate"]), num(row["overdue"]), num(row["pending"])}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			share, _ := row["onTimeShare"].(float64)
			if w := float64(want.onTime) / float64(want.decisions-want.pending); fmt.Sprintf("%.9f", share) != fmt.Sprintf("%.9f", w) {
				t.Errorf("onTimeShare = %v, want %v", row["onTimeShare"], w)
			}
			// A department sees every record: the list is exactly the first
			// overdue decisions in deadline order.
			var wantIDs []string
			for _, d := range overdue[:min(30, len(overdue))] {
				wantIDs = append(wantIDs, gid.Record(credit.Ref{Source: dept, Kind: d.kind, LocalID: d.id}))
			}
			var gotIDs []string
			for _, r := range row["overdueRecords"].([]any) {
				gotIDs = append(gotIDs, apptest.Get(r, "id").(string))
				if apptest.Get(r, "disclosure", "overdue") != true || apptest.Get(r, "disclosure", "publishedDate") != nil {
					t.Errorf("listed as overdue: %v", r)
				}
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("overdueRecords:\n got %v\nwant %v", gotIDs, wantIDs)
			}
		})
	}
}

// The public sees the overdue decisions it may see: public records still
// in their publication period, in the same order.
func TestOverdueRecordsShowThePublicOnlyWhatIsPublic(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	vars := map[string]any{"from": "2021-01-01", "to": "2026-11-27", "first": 100}
	all := h.QueryAs(t, apptest.Department(t), disclosureQuery, vars)
	public := h.Query(t, disclosureQuery, vars)
	for _, dept := range []string{"market", "environment", "fire", "housing"} {
		var deptIDs []string
		for _, r := range rowOf(t, all, dept)["overdueRecords"].([]any) {
			deptIDs = append(deptIDs, apptest.Get(r, "id").(string))
		}
		last := -1
		hidden := false
		for _, r := range rowOf(t, public, dept)["overdueRecords"].([]any) {
			if p := apptest.Get(r, "publicity"); p != "PUBLIC" {
				t.Errorf("%s: the public got a %v record", dept, p)
			}
			if s := apptest.Get(r, "status"); s == "EXPIRED" || s == "REPAIRED" || s == "REVOKED" {
				t.Errorf("%s: the public got a %v record", dept, s)
			}
			i := slices.Index(deptIDs, apptest.Get(r, "id").(string))
			if i < 0 {
				// Past the department's first 100: fine, as long as it
				// comes after everything the public skipped.
				hidden = true
				continue
			}
			if hidden || i <= last {
				t.Errorf("%s: public list out of deadline order", dept)
			}
			last = i
		}
	}
}

// One statement per department, all asked at once: the departments with a
// publication duty; the court's lists have none.
func TestDisclosureStatsCostOneStatementPerDepartment(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	r := h.Do(t, `{ disclosureStats(from: "2020-01-01", to: "2026-12-31") { department { code } decisions onTimeShare } }`, nil, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	var codes []string
	for _, row := range apptest.Get(r.Data, "disclosureStats").([]any) {
		codes = append(codes, apptest.Get(row, "department", "code").(string))
	}
	if want := []string{"market", "environment", "fire", "housing"}; !slices.Equal(codes, want) {
		t.Errorf("rows for %v, want %v", codes, want)
	}
	want := map[string]int{"market": 1, "environment": 1, "fire": 1, "housing": 1}
	st := r.Statements()
	for db, n := range st {
		if n != want[db] {
			t.Errorf("%s: %d statements, want %d (all: %v)", db, n, want[db], st)
		}
	}
	for db, n := range want {
		if st[db] != n {
			t.Errorf("%s: %d statements, want %d (all: %v)", db, st[db], n, st)
		}
	}
}

// A department that does not answer has no row (its counts are unknown,
// never zero) and a SOURCE_UNAVAILABLE error names it; the others answer.
func TestDisclosureStatsWhenADepartmentIsDown(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{})
	takeDown(t, h.Prefix+"dept_fire")
	r := h.Do(t, disclosureQuery, map[string]any{"from": "2025-01-01", "to": "2026-11-27", "first": 5}, nil)
	var codes []string
	for _, row := range apptest.Get(r.Data, "disclosureStats").([]any) {
		codes = append(codes, apptest.Get(row, "department", "code").(string))
		if num(apptest.Get(row, "decisions")) == 0 {
			t.Errorf("%v answered no decisions", apptest.Get(row, "department", "code"))
		}
	}
	if want := []string{"market", "environment", "housing"}; !slices.Equal(codes, want) {
		t.Errorf("rows for %v, want %v: %s", codes, want, r.Body)
	}
	if len(r.Errors) != 1 {
		t.Fatalf("want one error, got %s", r.Body)
	}
	e := r.Errors[0]
	if e.Code() != "SOURCE_UNAVAILABLE" || e.Extensions["source"] != "fire" || fmt.Sprint(e.Path) != "[disclosureStats]" {
		t.Errorf("error = %+v", e)
	}
}

func TestDisclosureStatsRefusesBadPeriods(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	for _, c := range []struct{ from, to, field string }{
		{"2026-03-01", "2026-02-01", "to"},
		{"2019-12-01", "2020-03-01", "from"}, // before the calendar's first year
		{"2026-01-01", "2031-01-01", "to"},
	} {
		r := h.Do(t, `query($f: Date!, $t: Date!) { disclosureStats(from: $f, to: $t) { decisions } }`, map[string]any{"f": c.from, "t": c.to}, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%s..%s: %s", c.from, c.to, r.Body)
		}
	}
}

// workingDays counts on the official calendar: the Spring Festival and the
// National Day holidays of 2026 with their make-up working days.
func TestWorkingDaysAcrossHolidays(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	cases := []struct {
		name     string
		from, to string
		want     int
	}{
		// Sat 14 Feb is a make-up working day; 15–23 Feb the holiday.
		{"spring festival", "2026-02-13", "2026-02-24", 2},
		{"into the holiday", "2026-02-13", "2026-02-23", 1},
		{"through its make-up Saturday", "2026-02-23", "2026-02-28", 5},
		{"a decision on the eve: due on 2 March", "2026-02-13", "2026-03-02", 7},
		// Sun 20 Sep and Sat 10 Oct are working days; 1–7 Oct the holiday.
		{"national day", "2026-09-30", "2026-10-09", 2},
		{"make-up Sunday", "2026-09-18", "2026-09-21", 2},
		{"make-up Saturday", "2026-10-08", "2026-10-10", 2},
		{"same day", "2026-10-01", "2026-10-01", 0},
		{"backwards", "2026-10-09", "2026-09-30", -2},
	}
	for _, c := range cases {
		data := h.Query(t, `query($f: Date!, $t: Date!) { workingDays(from: $f, to: $t) }`, map[string]any{"f": c.from, "t": c.to})
		if got := num(data["workingDays"]); got != c.want {
			t.Errorf("%s: workingDays(%s, %s) = %d, want %d", c.name, c.from, c.to, got, c.want)
		}
	}
	r := h.Do(t, `{ workingDays(from: "2026-12-01", to: "2027-01-05") }`, nil, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "to" {
		t.Errorf("a day the calendar does not cover: %s", r.Body)
	}
}
