package web_test

import (
	"bytes"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	_ "github.com/lib/pq"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/internal/app/apptest"
	"credithub/internal/supervision"
	"credithub/internal/web"
	"credithub/internal/web/browsertest"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "copy the dashboard tests' screenshots to docs/screenshots/")

// screenshot saves the page among the test's artefacts and, with
// -update-screenshots, as docs/screenshots/<name>.png, which the README
// shows.
func screenshot(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	path := b.Screenshot(name)
	if !*updateScreenshots || path == "" {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join("..", "..", "docs", "screenshots", name+".png")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// devToken asks the hub's development sign-in for role's token, as the
// dashboard's role picker does.
func devToken(t *testing.T, h *apptest.Hub, role string) string {
	t.Helper()
	resp, err := http.Post(h.URL+"/dev/token", "application/json", strings.NewReader(`{"role":"`+role+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /dev/token %s = %d %v %s", role, resp.StatusCode, err, out.Error)
	}
	return out.Token
}

// asRole answers what the API tells role, failing on any error.
func asRole(t *testing.T, h *apptest.Hub, role, query string, vars map[string]any) map[string]any {
	t.Helper()
	return h.QueryAs(t, map[string]string{"Authorization": "Bearer " + devToken(t, h, role)}, query, vars)
}

// openDashboard opens the dashboard in chromium and signs in with the role
// picker as role.
func openDashboard(t *testing.T, h *apptest.Hub, role string, o browsertest.Options) *browsertest.Browser {
	t.Helper()
	b := browsertest.Open(t, h.URL, o)
	b.Do(
		chromedp.Navigate(b.URL("/dashboard")),
		chromedp.WaitVisible(chromedp.CSS(`button.role[data-role="`+role+`"]`)),
		chromedp.Click(chromedp.CSS(`button.role[data-role="`+role+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#role[data-role="`+role+`"]`)),
	)
	return b
}

// show navigates to a route of the dashboard and waits for sel.
func show(b *browsertest.Browser, route, sel string) {
	b.Do(
		chromedp.Evaluate[chromedp.Void](`location.hash = `+jsString(route)),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	)
}

// click clicks sel as a person would, after bringing it to the middle of
// the screen (at the top, the sticky header would take the click).
func click(b *browsertest.Browser, sel string) {
	b.Do(
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+jsString(sel)+`).scrollIntoView({block: 'center'})`),
		chromedp.Click(chromedp.CSS(sel)),
	)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// cells returns the text of every cell of the table in the card id, row
// by row.
func cells(b *browsertest.Browser, id string) [][]string {
	return browsertest.Run(b, chromedp.Evaluate[[][]string](`[...document.querySelectorAll('#`+id+` tbody tr')]
	  .filter((tr) => !tr.querySelector('td.empty'))
	  .map((tr) => [...tr.children].map((td) => td.textContent.trim()))`))
}

// checkCSV exports the table in the card id, as a person would with its
// button, and checks the saved file: UTF-8 with a byte-order mark, the
// Chinese header, and as many rows as the table shows.
func checkCSV(t *testing.T, b *browsertest.Browser, downloads, id, header string) []string {
	t.Helper()
	file := browsertest.Run(b, chromedp.Evaluate[string](`document.querySelector('#`+id+` button.csv').dataset.csv`))
	click(b, `#`+id+` button.csv`)
	data := b.WaitFile(downloads, file)
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Errorf("%s does not start with the UTF-8 byte-order mark: % x", file, data[:min(len(data), 8)])
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	lines := strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n")
	if !strings.HasPrefix(lines[0], header) {
		t.Errorf("%s's header is %q, want it to start with %q", file, lines[0], header)
	}
	if rows := len(cells(b, id)); len(lines)-1 != rows {
		t.Errorf("%s holds %d rows, the table shows %d", file, len(lines)-1, rows)
	}
	return lines
}

// The dashboard is served from the binary, in Chinese, in development and
// when configured on; the development sign-in hands out the roles'
// tokens, which the hub accepts, and the public's empty one.
func TestDashboardIsServedOnlyWhenConfigured(t *testing.T) {
	// Not parallel: its own hub or instance holds connections of its own,
	// and PostgreSQL allows 100 to every package tested at once.
	dev := apptest.Shared(t, apptest.Options{Entities: 50})
	resp, page := get(t, dev.URL+"/dashboard")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<html lang="zh-CN">`) || !strings.Contains(page, "echarts@") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "connect-src 'self'") {
		t.Errorf("/dashboard = %d %q %.200s", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), page)
	}
	off := dev.Variant(t, map[string]string{"CREDITHUB_DASHBOARD": "false"})
	if resp, _ := get(t, off.URL+"/dashboard"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("dashboard off: /dashboard = %d, want 404", resp.StatusCode)
	}

	resp, body := get(t, dev.URL+"/dev/token")
	var roles struct {
		Roles []struct{ Code, Label string }
	}
	if err := json.Unmarshal([]byte(body), &roles); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /dev/token = %d %s", resp.StatusCode, body)
	}
	var codes []string
	for _, r := range roles.Roles {
		codes = append(codes, r.Code)
	}
	if strings.Join(codes, " ") != "credit-office department agency association public" {
		t.Errorf("the roles are %v", codes)
	}
	if tok := devToken(t, dev, "public"); tok != "" {
		t.Errorf("the public's token = %q, want none", tok)
	}
	d := asRole(t, dev, "credit-office", `{ warnings(first: 1) { edges { node { id } } } }`, nil)
	if apptest.Get(d, "warnings") == nil {
		t.Errorf("the credit office's token does not read warnings: %v", d)
	}
	// The association signs in as the seed's construction association (T29).
	if a := asRole(t, dev, "association", `{ associations(first: 10) { edges { node { code name } } } }`, nil); !strings.Contains(fmt.Sprint(a), "建筑业协会") {
		t.Errorf("the association's token reads %v", a)
	}
	resp2, err := http.Post(dev.URL+"/dev/token", "application/json", strings.NewReader(`{"role":"root"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusBadRequest {
		t.Errorf("POST /dev/token root = %d, want 400", resp2.StatusCode)
	}
}

// chart is an ECharts chart's numbers: series name → category → value.
type chart map[string]map[string]float64

// chartOf reads the chart drawn in the element id from ECharts itself.
func chartOf(t *testing.T, b *browsertest.Browser, id string) chart {
	t.Helper()
	var opt struct {
		X      []string
		Series []struct {
			Name string
			Data []float64
		}
	}
	raw := browsertest.Run(b, chromedp.Evaluate[string](`(() => {
	  const o = echarts.getInstanceByDom(document.getElementById('`+id+`')).getOption();
	  return JSON.stringify({x: o.xAxis[0].data, series: o.series.map((s) => ({name: s.name, data: s.data}))});
	})()`))
	if err := json.Unmarshal([]byte(raw), &opt); err != nil {
		t.Fatalf("chart %s: %v in %s", id, err, raw)
	}
	c := chart{}
	for _, s := range opt.Series {
		c[s.Name] = map[string]float64{}
		for i, v := range s.Data {
			if v != 0 {
				c[s.Name][opt.X[i]] = v
			}
		}
	}
	return c
}

func (c chart) add(series, cat string, v float64) {
	if c[series] == nil {
		c[series] = map[string]float64{}
	}
	if v != 0 {
		c[series][cat] += v
	}
}

func (c chart) String() string {
	var s []string
	for name, m := range c {
		for cat, v := range m {
			s = append(s, fmt.Sprintf("%s/%s=%g", name, cat, v))
		}
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

const cityStatsQuery = `{ cityStats {
  records { month department { name } count }
  listedNow { listType entities }
  disclosure { department { name } publishedOnTime publishedLate overdue pending }
  dishonestShare { division { name } share }
  grades { month division { name } grade count }
  checks { month checks measuresApplied measuresNotApplied }
} }`

// The city overview as the credit office sees it: every chart holds the
// numbers the API gives the credit office for the same question, the page
// asked nothing of another host, and the console shows no error.
func TestDashboardOverviewChartsHoldTheAPIsNumbers(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	var api struct {
		CityStats struct {
			Records []struct {
				Month      string
				Department struct{ Name string }
				Count      float64
			}
			ListedNow []struct {
				ListType string
				Entities float64
			}
			Disclosure []struct {
				Department                                       struct{ Name string }
				PublishedOnTime, PublishedLate, Overdue, Pending float64
			}
			DishonestShare []struct {
				Division struct{ Name string }
				Share    *float64
			}
			Grades []struct {
				Month    *string
				Division *struct{ Name string }
				Grade    string
				Count    float64
			}
			Checks []struct {
				Month                                       string
				Checks, MeasuresApplied, MeasuresNotApplied float64
			}
		}
	}
	// The grades by division come from the stored grades, which the hub
	// recomputes on a timer that test hubs do not run: the credit office
	// recomputes them first, as it can from GraphiQL, so that the chart is
	// compared on numbers and not on an empty series.
	asRole(t, h, "credit-office", `mutation($k: String!) { recomputeGrades(idempotencyKey: $k) }`,
		map[string]any{"k": fmt.Sprintf("dashboard-overview-%d", time.Now().UnixNano())})
	raw, _ := json.Marshal(asRole(t, h, "credit-office", cityStatsQuery, nil))
	if err := json.Unmarshal(raw, &api); err != nil {
		t.Fatal(err)
	}
	s := api.CityStats
	if len(s.Grades) == 0 || len(s.Records) == 0 {
		t.Fatalf("cityStats gave %d grade and %d record counts after a recompute; the charts would be compared on nothing", len(s.Grades), len(s.Records))
	}
	want := map[string]chart{}
	for id := range map[string]bool{"chart-records": true, "chart-grades": true, "chart-listings": true, "chart-disclosure": true, "chart-checks": true, "chart-dishonest": true} {
		want[id] = chart{}
	}
	for _, r := range s.Records {
		want["chart-records"].add(r.Department.Name, r.Month, r.Count)
	}
	for _, g := range s.Grades {
		if g.Month == nil && g.Division != nil {
			want["chart-grades"].add(g.Grade, g.Division.Name, g.Count)
		}
	}
	listLabel := map[string]string{"JOINT_PUNISHMENT": "联合惩戒对象名单", "KEY_ATTENTION": "重点关注对象名单", "MARKET_BAN": "市场和行业禁入"}
	for _, l := range s.ListedNow {
		want["chart-listings"].add("在列主体", listLabel[l.ListType], l.Entities)
	}
	for _, d := range s.Disclosure {
		want["chart-disclosure"].add("按时公示", d.Department.Name, d.PublishedOnTime)
		want["chart-disclosure"].add("逾期公示", d.Department.Name, d.PublishedLate)
		want["chart-disclosure"].add("逾期未公示", d.Department.Name, d.Overdue)
		want["chart-disclosure"].add("待公示", d.Department.Name, d.Pending)
	}
	for _, c := range s.Checks {
		want["chart-checks"].add("信用核查", c.Month, c.Checks)
		want["chart-checks"].add("措施已落实", c.Month, c.MeasuresApplied)
		want["chart-checks"].add("措施未落实", c.Month, c.MeasuresNotApplied)
	}
	for _, d := range s.DishonestShare {
		if d.Share != nil {
			want["chart-dishonest"].add("失信主体占比", d.Division.Name, math.Round(*d.Share*10000)/100)
		}
	}

	b := openDashboard(t, h, "credit-office", browsertest.Options{})
	show(b, "#/overview", `[data-tile="records"]`)
	for id, w := range want {
		if got := chartOf(t, b, id); got.String() != w.String() {
			t.Errorf("%s shows %s\nthe API answers %s", id, got, w)
		}
	}
	total := 0.0
	for _, r := range s.Records {
		total += r.Count
	}
	if got := browsertest.Run(b, chromedp.Evaluate[string](`document.querySelector('[data-tile="records"] .tile-value').textContent`)); got != fmt.Sprint(total) {
		t.Errorf("the records tile shows %s, the API counts %v", got, total)
	}
	screenshot(t, b, "dashboard-overview")
	if n := browsertest.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('#table-dishonest').length`)); n != 1 {
		t.Errorf("the page shows %d tables of the dishonest share, want one", n)
	}
	dl := b.Downloads()
	checkCSV(t, b, dl, "table-dishonest", "地区,主体数,失信主体数,占比")
	// A chart's rows export too: the records chart's, one line a row of
	// the API's answer.
	click(b, `[data-csv="chart-records.csv"]`)
	data := string(b.WaitFile(dl, "chart-records.csv"))
	if !strings.HasPrefix(data, "\uFEFF月份,部门,类别,条数\r\n") || strings.Count(data, "\r\n") != len(s.Records)+1 {
		t.Errorf("chart-records.csv holds %d lines for %d rows: %.200q", strings.Count(data, "\r\n"), len(s.Records), data)
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

// The overview fits an office screen and a wall screen: no horizontal
// scrollbar, and the navigation, the figure tiles and every chart inside
// the width of the screen.
func TestDashboardFitsOfficeAndWallScreens(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	for _, size := range [][2]int{{1366, 768}, {1920, 1080}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			b := openDashboard(t, h, "credit-office", browsertest.Options{Width: size[0], Height: size[1]})
			// Measured once the answer is drawn (or, before the aggregates
			// exist, once the page says it has none).
			show(b, "#/overview", `[data-tile="records"], #overview-status .error`)
			var fit struct {
				ScrollWidth, ClientWidth int
				Outside                  []string
			}
			raw := browsertest.Run(b, chromedp.Evaluate[string](`JSON.stringify({
			  scrollWidth: document.documentElement.scrollWidth,
			  clientWidth: document.documentElement.clientWidth,
			  outside: ['#nav', '#tiles', '#chart-records', '#chart-grades', '#chart-listings', '#chart-disclosure', '#chart-checks', '#chart-dishonest']
			    .filter((sel) => { const r = document.querySelector(sel).getBoundingClientRect();
			      return r.width === 0 || r.height === 0 && sel !== '#tiles' || r.left < 0 || r.right > document.documentElement.clientWidth; }),
			})`))
			if err := json.Unmarshal([]byte(raw), &fit); err != nil {
				t.Fatal(err)
			}
			if fit.ScrollWidth > fit.ClientWidth {
				t.Errorf("the page is %d px wide on a %d px screen: a horizontal scrollbar", fit.ScrollWidth, fit.ClientWidth)
			}
			if len(fit.Outside) > 0 {
				t.Errorf("not visible across the screen: %v", fit.Outside)
			}
			// The six charts are on the first screen of an office screen.
			bottom := browsertest.Run(b, chromedp.Evaluate[float64](`document.querySelector('#chart-dishonest').getBoundingClientRect().bottom`))
			if bottom > float64(size[1])+1 {
				t.Errorf("the last chart ends at %v px, below the %d px screen", bottom, size[1])
			}
			if size[0] == 1920 {
				b.Screenshot("wall")
			}
			b.CheckStayedOnHub()
		})
	}
}

// worklistsQuery is what the test asks the API, as the credit office, to
// compare with the worklists.
const worklistsQuery = `query($from: Date!, $to: Date!) {
  overduePushes { id }
  warnings(filter: {state: [OPEN]}, first: 50) { edges { node { id } } }
  disclosureStats(from: $from, to: $to) { department { name } decisions publishedOnTime publishedLate overdue pending }
}`

// The worklists as the credit office sees them hold what the API answers;
// a warning raised while the page is open (a penalty above the threshold
// entered in the market regulator's database, read by the hub's scanner)
// appears on the list without a reload; the warnings export as CSV.
func TestDashboardWorklistsAndALiveWarning(t *testing.T) {
	// Not parallel: its own hub or instance holds connections of its own,
	// and PostgreSQL allows 100 to every package tested at once.
	h := apptest.Start(t, apptest.Options{Entities: 60, Env: map[string]string{"CREDITHUB_WARNING_SCAN": "200ms"}})
	b := openDashboard(t, h, "credit-office", browsertest.Options{})
	show(b, "#/worklists", "#warnings-live")
	to := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	from := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -90).Format("2006-01-02")
	// The page computes its dates in the browser's zone; the test's
	// chromium runs in the machine's, which may differ at midnight.
	pageTo := browsertest.Run(b, chromedp.Evaluate[string](`(() => { const d = new Date(); return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10); })()`))
	if pageTo != to {
		to = pageTo
		from = browsertest.Run(b, chromedp.Evaluate[string](`(() => { const d = new Date(); d.setDate(d.getDate() - 90); return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10); })()`))
	}
	var api struct {
		OverduePushes []struct{ ID string }
		Warnings      struct {
			Edges []struct{ Node struct{ ID string } }
		}
		DisclosureStats []struct {
			Department                                                  struct{ Name string }
			Decisions, PublishedOnTime, PublishedLate, Overdue, Pending int
		}
	}
	raw, _ := json.Marshal(asRole(t, h, "credit-office", worklistsQuery, map[string]any{"from": from, "to": to}))
	if err := json.Unmarshal(raw, &api); err != nil {
		t.Fatal(err)
	}
	if got := len(cells(b, "list-pushes")); got != len(api.OverduePushes) {
		t.Errorf("the overdue pushes list shows %d rows, the API has %d", got, len(api.OverduePushes))
	}
	if got := len(cells(b, "list-warnings")); got != len(api.Warnings.Edges) {
		t.Errorf("the warnings list shows %d rows, the API has %d", got, len(api.Warnings.Edges))
	}
	var wantDisclosure, gotDisclosure []string
	for _, d := range api.DisclosureStats {
		wantDisclosure = append(wantDisclosure, fmt.Sprintf("%s %d %d %d %d %d", d.Department.Name, d.Decisions, d.PublishedOnTime, d.PublishedLate, d.Overdue, d.Pending))
	}
	for _, row := range cells(b, "list-disclosure") {
		gotDisclosure = append(gotDisclosure, strings.Join(row[:6], " "))
	}
	if strings.Join(gotDisclosure, "; ") != strings.Join(wantDisclosure, "; ") {
		t.Errorf("the disclosure list shows\n  %s\nthe API answers\n  %s", strings.Join(gotDisclosure, "; "), strings.Join(wantDisclosure, "; "))
	}

	// The page holds the subscription before the warning is raised.
	for deadline := time.Now().Add(20 * time.Second); h.Warnings.Subscribers() != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the page holds no subscription to warnings (the hub has %d)", h.Warnings.Subscribers())
		}
	}
	e := h.World.Entities[3]
	market, err := sql.Open("postgres", dstest.DSN(t, h.Prefix+"dept_market"))
	if err != nil {
		t.Fatal(err)
	}
	defer market.Close()
	if _, err := market.Exec(`INSERT INTO admin_penalty (uscc, decision_no, decision_date, violation, penalty_kinds, fine_yuan, authority)
		VALUES ($1, $2, current_date, '发布虚假广告', '{罚款}', 180000.00, '黑河市市场监督管理局')`,
		e.USCC, fmt.Sprintf("黑市监罚〔2026〕D%d号", time.Now().UnixNano()%1e6)); err != nil {
		t.Fatal(err)
	}
	// Within seconds, without a reload: a generous deadline, no timing
	// assertion.
	row := browsertest.Run(b, chromedp.Poll[string](`(() => { const tr = document.querySelector('#list-warnings tbody tr.new'); return tr && tr.textContent; })()`))
	if !strings.Contains(row, e.Name) || !strings.Contains(row, "180000.00") {
		t.Errorf("the new row reads %q, want the entity %s and the fine", row, e.Name)
	}
	screenshot(t, b, "dashboard-worklists")
	lines := checkCSV(t, b, b.Downloads(), "list-warnings", "时间,级别,规则,主体,内容")
	if !strings.Contains(strings.Join(lines, "\n"), e.Name) {
		t.Errorf("the warnings CSV lacks the new warning on %s:\n%s", e.Name, strings.Join(lines, "\n"))
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

// The credit office acknowledges an open warning from the worklist: the
// button calls acknowledgeWarning and the API then holds the warning as
// acknowledged.
func TestDashboardAcknowledgesAWarning(t *testing.T) {
	// Not parallel: its own hub or instance holds connections of its own,
	// and PostgreSQL allows 100 to every package tested at once.
	h := apptest.Start(t, apptest.Options{Entities: 60, Env: map[string]string{"CREDITHUB_WARNING_SCAN": "200ms"}})
	e := h.World.Entities[4]
	market, err := sql.Open("postgres", dstest.DSN(t, h.Prefix+"dept_market"))
	if err != nil {
		t.Fatal(err)
	}
	defer market.Close()
	if _, err := market.Exec(`INSERT INTO admin_penalty (uscc, decision_no, decision_date, violation, penalty_kinds, fine_yuan, authority)
		VALUES ($1, $2, current_date, '虚假宣传', '{罚款}', 250000.00, '黑河市市场监督管理局')`,
		e.USCC, fmt.Sprintf("黑市监罚〔2026〕A%d号", time.Now().UnixNano()%1e6)); err != nil {
		t.Fatal(err)
	}
	q := `query($u: ID!) { warnings(filter: {uscc: $u}) { edges { node { id state } } } }`
	var id string
	for deadline := time.Now().Add(20 * time.Second); id == ""; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the scanner raised no warning on the penalty")
		}
		id, _ = apptest.Get(asRole(t, h, "credit-office", q, map[string]any{"u": e.USCC}), "warnings", "edges", 0, "node", "id").(string)
	}
	b := openDashboard(t, h, "credit-office", browsertest.Options{})
	show(b, "#/worklists", `[data-ack="`+id+`"]`)
	b.Do(
		chromedp.Click(chromedp.CSS(`[data-ack="`+id+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-acked="`+id+`"]`)),
	)
	if state := apptest.Get(asRole(t, h, "credit-office", q, map[string]any{"u": e.USCC}), "warnings", "edges", 0, "node", "state"); state != "ACKNOWLEDGED" {
		t.Errorf("after the click the warning is %v, want ACKNOWLEDGED", state)
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

const profileQuery = `query($u: ID!) {
  entity(uscc: $u) {
    name
    sources { department { code } ok }
    records(first: 100) { edges { node { id decisionNo } } }
    rating { grade }
  }
}`

// An entity's profile while the fire brigade's database does not answer:
// the page says the fire brigade did not answer (never that it holds
// nothing), shows the records the others gave as the API gives them, the
// grade, a credit check that is marked incomplete, and a signed credit
// report the hub verifies; the timeline exports as CSV.
func TestDashboardProfileSaysADepartmentIsDown(t *testing.T) {
	// Not parallel: its own hub or instance holds connections of its own,
	// and PostgreSQL allows 100 to every package tested at once.
	h := apptest.Shared(t, apptest.Options{Entities: 50}).Variant(t, map[string]string{
		"CREDITHUB_FIRE_DSN": "postgres://postgres@127.0.0.1:1/dept_fire?sslmode=disable",
	})
	e := h.World.Entities[1]
	// What the API tells the credit office; its errors name the fire
	// brigade, so this goes through Do rather than QueryAs.
	r := h.Do(t, profileQuery, map[string]any{"u": e.USCC}, map[string]string{"Authorization": "Bearer " + devToken(t, h, "credit-office")})
	var api struct {
		Entity struct {
			Name    string
			Sources []struct {
				Department struct{ Code string }
				OK         bool
			}
			Records struct {
				Edges []struct {
					Node struct{ ID, DecisionNo string }
				}
			}
			Rating struct{ Grade string }
		}
	}
	if err := json.Unmarshal(mustJSON(r.Data), &api); err != nil {
		t.Fatal(err)
	}
	fireDown := false
	for _, s := range api.Entity.Sources {
		fireDown = fireDown || (s.Department.Code == "fire" && !s.OK)
	}
	if !fireDown {
		t.Fatalf("the API does not report the fire brigade down: %s", r.Body)
	}

	b := openDashboard(t, h, "credit-office", browsertest.Options{})
	show(b, "#/entity/"+e.USCC, "#profile-records")
	// Each department's line: its name, then what it gave ("无记录" for
	// one that answered with nothing).
	lines := browsertest.Run(b, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll('#profile-sources [data-source]')]
	  .map((li) => [li.dataset.source, li.querySelector('span').textContent]))`))
	if fire := lines["fire"]; !strings.Contains(fire, "未响应") || fire == "无记录" {
		t.Errorf("the fire brigade's line reads %q, want it named as not answering, never as holding nothing", fire)
	}
	// Every source the API reports gets its line: the five departments and
	// the credit office itself, for the records the hub holds.
	if len(lines) != len(api.Entity.Sources) {
		t.Errorf("the profile names %d sources, the API %d: %v", len(lines), len(api.Entity.Sources), lines)
	}
	for _, s := range api.Entity.Sources {
		if _, ok := lines[s.Department.Code]; !ok {
			t.Errorf("the profile has no line for %s: %v", s.Department.Code, lines)
		}
	}
	for dept, status := range lines {
		if dept != "fire" && strings.Contains(status, "未响应") {
			t.Errorf("%s, which answered, reads %q", dept, status)
		}
	}
	banner := browsertest.Run(b, chromedp.Evaluate[string](`(document.querySelector('#sources-missing') || {}).textContent || ''`))
	if !strings.Contains(banner, "消防") || !strings.Contains(banner, "不能视为") {
		t.Errorf("the warning above the profile reads %q", banner)
	}
	var want, got []string
	for _, ed := range api.Entity.Records.Edges {
		want = append(want, ed.Node.DecisionNo)
	}
	for _, row := range cells(b, "profile-records") {
		got = append(got, row[3])
	}
	for i := range want {
		if want[i] == "" {
			want[i] = "—"
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("the timeline shows decisions %v, the API %v", got, want)
	}
	if g := browsertest.Run(b, chromedp.Evaluate[string](`document.querySelector('[data-grade]').dataset.grade`)); g != api.Entity.Rating.Grade {
		t.Errorf("the grade shows %s, the API %s", g, api.Entity.Rating.Grade)
	}
	screenshot(t, b, "dashboard-profile")

	b.Do(
		chromedp.SetValue(chromedp.CSS("#check-scenario"), "PUBLIC_PROCUREMENT"),
		chromedp.Click(chromedp.CSS("#run-check")),
		chromedp.WaitVisible(chromedp.CSS("#check-result .warn")),
	)
	if txt := browsertest.Run(b, chromedp.Evaluate[string](`document.querySelector('#check-result .warn').textContent`)); !strings.Contains(txt, "不完整") || !strings.Contains(txt, "消防") {
		t.Errorf("the credit check reads %q, want it marked incomplete naming the fire brigade", txt)
	}

	dl := b.Downloads()
	csv := checkCSV(t, b, dl, "profile-records", "决定日期,部门,类别,文号,摘要")
	if len(want) > 0 && !strings.Contains(strings.Join(csv, "\n"), want[0]) {
		t.Errorf("the timeline's CSV lacks decision %s", want[0])
	}

	b.Do(
		chromedp.SetValue(chromedp.CSS("#report-purpose"), "BIDDING"),
		chromedp.Click(chromedp.CSS("#issue-report")),
		chromedp.WaitVisible(chromedp.CSS("#report-number")),
	)
	number := browsertest.Run(b, chromedp.Evaluate[string](`document.querySelector('#report-number').dataset.number`))
	var report struct {
		Number, IssuedAt, Content, Signature, PublicKey string
	}
	saved := b.WaitFile(dl, "credit-report-"+number+".json")
	if err := json.Unmarshal(saved, &report); err != nil || report.Number != number {
		t.Fatalf("the downloaded report: %v %+v", err, report)
	}
	// Offline, as `credithub report verify` reads the file.
	var presented supervision.Presented
	pub, err := base64.StdEncoding.DecodeString(report.PublicKey)
	if err != nil || json.Unmarshal(saved, &presented) != nil {
		t.Fatalf("the downloaded report: public key %v", err)
	}
	if v := supervision.CheckOffline(ed25519.PublicKey(pub), presented); !v.Genuine {
		t.Errorf("the downloaded report does not verify offline: %s", v.Reason)
	}
	v := h.Query(t, `query($i: VerifyReportInput!) { verifyCreditReport(input: $i) { genuine reason } }`,
		map[string]any{"i": map[string]any{"number": report.Number, "issuedAt": report.IssuedAt, "content": report.Content, "signature": report.Signature}})
	if apptest.Get(v, "verifyCreditReport", "genuine") != true {
		t.Errorf("the hub does not verify the downloaded report: %v", v)
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

// Searching by name lists the entities the API finds, and a result opens
// the profile.
func TestDashboardSearchOpensAProfile(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	e := h.World.Entities[2]
	name := []rune(e.Name)
	q := string(name[len(name)-4:])
	d := asRole(t, h, "credit-office", `query($q: String!) { entities(filter: {nameContains: $q}, first: 50) { edges { node { uscc } } } }`, map[string]any{"q": q})
	want := len(apptest.Get(d, "entities", "edges").([]any))
	b := openDashboard(t, h, "credit-office", browsertest.Options{})
	show(b, "#/entities", "#search")
	b.Do(
		chromedp.SendKeys(chromedp.CSS("#search"), q),
		chromedp.Click(chromedp.CSS(`form.search button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#search-results")),
	)
	if got := len(cells(b, "search-results")); got != want {
		t.Errorf("the search for %q lists %d entities, the API %d", q, got, want)
	}
	b.Do(
		chromedp.Click(chromedp.CSS(`#search-results a[href="#/entity/`+e.USCC+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#profile-facts")),
	)
	if title := browsertest.Run(b, chromedp.Evaluate[string](`document.querySelector('#entity-name').textContent`)); !strings.Contains(title, e.Name) {
		t.Errorf("the profile is titled %q, want %s", title, e.Name)
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// In production there is no role picker: the page asks for a bearer token
// from the deployment's identity provider, and with one pasted it asks
// the hub as that caller, over HTTP and over WebSocket. The page is served
// here as `serve` serves it (no development sign-in), by a front server
// that forwards /graphql to the hub.
func TestDashboardSignsInWithAPastedToken(t *testing.T) {
	// Not parallel: its own hub or instance holds connections of its own,
	// and PostgreSQL allows 100 to every package tested at once.
	// An instance of its own, whose subscriptions are this page's alone.
	h := apptest.Shared(t, apptest.Options{Entities: 50}).Variant(t, nil)
	front := servedAsServe(t, h)

	token := apptest.Token(t, auth.KindAdmin, "credit-office", auth.ScopeEntityRead, auth.ScopeRecordRead)
	b := browsertest.Open(t, front.URL, browsertest.Options{})
	b.Do(chromedp.Navigate(b.URL("/dashboard")), chromedp.WaitVisible(chromedp.CSS("#token")))
	if n := browsertest.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('button.role').length`)); n != 0 {
		t.Errorf("the page offers %d development roles without the development sign-in", n)
	}
	b.Do(
		chromedp.SendKeys(chromedp.CSS("#token"), "Bearer "+token),
		chromedp.Click(chromedp.CSS("#use-token")),
		chromedp.WaitVisible(chromedp.CSS(`#role[data-role="token"]`)),
	)
	show(b, "#/worklists", "#warnings-live")
	// The subscription reaches the hub with the token (the public's would
	// be refused).
	for deadline := time.Now().Add(20 * time.Second); h.Warnings.Subscribers() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the page holds no subscription to warnings")
		}
	}
	sent := false
	for _, r := range b.Requests() {
		if r.Method == http.MethodPost && r.URL == b.URL("/graphql") && r.Headers["Authorization"] == "Bearer "+token {
			sent = true
		}
		if strings.Contains(r.URL, "/dev/token") {
			t.Errorf("the page asked for %s", r.URL)
		}
	}
	if !sent {
		t.Errorf("no POST /graphql carried the pasted token")
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

// A token that has expired (development tokens live an hour or a working
// day) sends the user back to the sign-in with the reason, rather than
// leaving an error on every panel; the page asks nothing more with it.
func TestDashboardSendsAnExpiredTokenBackToSignIn(t *testing.T) {
	// Not parallel: a front server and a browser of its own, as above.
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	front := servedAsServe(t, h)

	expired, err := auth.MintDev(auth.DevToken{Kind: auth.KindAdmin, Org: "credit-office", Scopes: []string{auth.ScopeEntityRead},
		TTL: time.Hour, Now: time.Now().Add(-2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.Open(t, front.URL, browsertest.Options{})
	b.Do(
		chromedp.Navigate(b.URL("/dashboard")),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), "Bearer "+expired),
		chromedp.Click(chromedp.CSS("#use-token")),
		chromedp.WaitVisible(chromedp.CSS("#signin-notice")),
	)
	notice := browsertest.Run(b, chromedp.Evaluate[string](`document.querySelector('#signin-notice').textContent`))
	if !strings.Contains(notice, "登录已过期") {
		t.Errorf("the sign-in says %q, want that the sign-in has expired", notice)
	}
	if n := browsertest.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('#token').length`)); n != 1 {
		t.Errorf("the sign-in asks for a token %d times, want once", n)
	}
	if s := browsertest.Run(b, chromedp.Evaluate[string](`sessionStorage.getItem('credithub.dashboard.session') || ''`)); s != "" {
		t.Errorf("the expired session is still kept: %s", s)
	}
	b.CheckStayedOnHub()
	// The one error the console may show is the hub's 401 itself.
	for _, m := range b.Errors() {
		if !strings.Contains(m.Text, "401") {
			t.Errorf("the console shows %s", m)
		}
	}
}

// The public sees an entity's profile with what is public: the registry
// facts and the public records the API gives the public, and where a part
// needs a right it lacks (the grade, objections and repairs) the page says
// so instead of failing.
func TestDashboardProfileAsThePublic(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	e := h.World.Entities[1]
	d := h.Query(t, `query($u: ID!) { entity(uscc: $u) { name records(first: 100) { edges { node { decisionNo } } } } }`, map[string]any{"u": e.USCC})
	want := len(apptest.Get(d, "entity", "records", "edges").([]any))
	b := openDashboard(t, h, "public", browsertest.Options{})
	show(b, "#/entity/"+e.USCC, "#profile-records")
	if got := len(cells(b, "profile-records")); got != want {
		t.Errorf("the public's timeline shows %d records, the API gives the public %d", got, want)
	}
	texts := browsertest.Run(b, chromedp.Evaluate[map[string]string](`({
	  name: document.querySelector('#entity-name').textContent,
	  grade: document.querySelector('#profile-grade').textContent,
	  objections: document.querySelector('#profile-objections tbody').textContent,
	})`))
	if !strings.Contains(texts["name"], e.Name) || !strings.Contains(texts["grade"], "无权查看") || !strings.Contains(texts["objections"], "无权查看") {
		t.Errorf("the public's profile reads %v", texts)
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

// An agency, which may not read objections and repairs, still gets the
// other worklists; the refused ones say so.
func TestDashboardWorklistsAsAnAgency(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	d := asRole(t, h, "agency", `{ overduePushes { id } }`, nil)
	want := len(apptest.Get(d, "overduePushes").([]any))
	b := openDashboard(t, h, "agency", browsertest.Options{})
	show(b, "#/worklists", "#list-pushes")
	if got := len(cells(b, "list-pushes")); got != want {
		t.Errorf("the agency's overdue pushes list shows %d rows, the API %d", got, want)
	}
	for _, id := range []string{"list-objections", "list-repairs"} {
		if txt := browsertest.Run(b, chromedp.Evaluate[string](`document.querySelector('#`+id+` tbody').textContent`)); !strings.Contains(txt, "无权查看") {
			t.Errorf("%s reads %q for an agency, want it to say the agency may not see it", id, txt)
		}
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

// A department acknowledges no warning (that is the credit office's; it
// handles only the warnings assigned to it): its worklist of open warnings
// offers no acknowledge button, and says who acknowledges.
func TestDashboardWorklistsAsADepartment(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	b := openDashboard(t, h, "department", browsertest.Options{})
	show(b, "#/worklists", "#list-warnings")
	rows := browsertest.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('#list-warnings tbody tr[data-id]').length`))
	buttons := browsertest.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('#list-warnings [data-ack]').length`))
	notes := browsertest.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('#list-warnings [data-ack-by="credit-office"]').length`))
	if rows == 0 || buttons != 0 || notes != rows {
		t.Errorf("a department's worklist: %d warnings, %d acknowledge buttons (want none), %d saying the credit office acknowledges", rows, buttons, notes)
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

// servedAsServe serves the dashboard as `serve` does (no development
// sign-in) from a front server that forwards /graphql to hub h.
func servedAsServe(t *testing.T, h *apptest.Hub) *httptest.Server {
	t.Helper()
	hub, err := url.Parse(h.URL)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /dashboard", web.Dashboard("/graphql", false))
	mux.Handle("GET "+web.AssetsPrefix, web.Assets())
	mux.Handle("/graphql", httputil.NewSingleHostReverseProxy(hub))
	front := httptest.NewServer(mux)
	t.Cleanup(front.Close)
	return front
}
