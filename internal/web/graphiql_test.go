package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/web/browsertest"
)

func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// In production GraphiQL is not served unless it is configured on; in
// development it is.
func TestGraphiQLIsServedOnlyWhenConfigured(t *testing.T) {
	t.Parallel()
	dev := apptest.Shared(t, apptest.Options{Entities: 50})
	off := dev.Variant(t, map[string]string{"CREDITHUB_GRAPHIQL": "false"})
	if resp, body := get(t, off.URL+"/"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "graphiql") {
		t.Errorf("GraphiQL off: / = %d %.80s, want 404", resp.StatusCode, body)
	}
	if resp, body := get(t, dev.URL+"/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="graphiql"`) {
		t.Errorf("GraphiQL on: / = %d %.80s", resp.StatusCode, body)
	}
}

// SECURITY: the page loads nothing from another host: every script and
// style sheet it names is a path on the hub that the hub serves, and its
// Content-Security-Policy lets the browser fetch nothing else, so a
// library that tried to call home would be stopped.
func TestGraphiQLPageNamesOnlyTheHub(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	resp, page := get(t, h.URL+"/")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, directive := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, directive) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, directive)
		}
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	loaded := 0
	for _, ref := range refs {
		path := ref[1]
		if path == "data:," { // the empty favicon, so the browser asks for none
			continue
		}
		if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
			t.Errorf("the page names %q, which is not a path on the hub", path)
			continue
		}
		resp, body := get(t, h.URL+path)
		ext := path[strings.LastIndex(path, "."):]
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != wantType[ext] || len(body) == 0 {
			t.Errorf("%s = %d %q (%d bytes), want 200 %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body), wantType[ext])
		}
		loaded++
	}
	if loaded != 7 {
		t.Errorf("the page loads %d scripts and style sheets, want React, ReactDOM, graphql-ws, GraphiQL's script and style, and the page's own two", loaded)
	}
}

// departments is the answer's shape, sorted for comparison.
type departments struct {
	Data struct {
		Departments []struct{ Code, Name string }
	}
}

func (d departments) String() string {
	var s []string
	for _, x := range d.Data.Departments {
		s = append(s, x.Code+"="+x.Name)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// A developer on the city's network, which reaches nothing but the hub,
// opens GraphiQL, puts a department's token and a purpose in the Headers
// tab, types a query and runs it: the five departments appear in the
// result pane, the query went with both headers, the page asked no other
// host for anything, and the console shows no error.
func TestGraphiQLRunsAQueryInABrowserOffline(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	var want departments
	if err := json.Unmarshal(h.Do(t, `{ departments { code name } }`, nil, nil).Body, &want); err != nil || len(want.Data.Departments) != 5 {
		t.Fatalf("the API's departments: %v %v", want, err)
	}
	token := apptest.Token(t, auth.KindDepartment, "market", auth.ScopeEntityRead)
	b := browsertest.Open(t, h.URL, browsertest.Options{})

	b.Do(chromedp.Navigate(b.URL("/")))
	runInGraphiQL(t, b, `{"Authorization": "Bearer `+token+`", "X-Query-Purpose": "LAW_ENFORCEMENT"}`, `{ departments { code name } }`)
	pane := resultPane(b, `"departments"`)
	var got departments
	if err := json.Unmarshal([]byte(pane), &got); err != nil {
		t.Fatalf("the result pane holds %q: %v", pane, err)
	}
	if got.String() != want.String() {
		t.Errorf("the result pane shows %s, the API answers %s", got, want)
	}
	b.Screenshot("graphiql")

	sent := false
	for _, r := range b.Requests() {
		if r.Method == http.MethodPost && r.URL == b.URL("/graphql") &&
			r.Headers["Authorization"] == "Bearer "+token && r.Headers["X-Query-Purpose"] == "LAW_ENFORCEMENT" {
			sent = true
		}
	}
	if !sent {
		t.Errorf("no POST /graphql carried the Headers tab's Authorization and X-Query-Purpose: %+v", b.Requests())
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

// A subscription run in GraphiQL goes over WebSocket to the hub with the
// Headers tab in connection_init: the hub holds it as the department's
// (the anonymous public's would be refused FORBIDDEN), and stopping it in
// the page ends it on the hub.
func TestGraphiQLSubscribesWithTheHeadersTab(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	token := apptest.Token(t, auth.KindDepartment, "market", auth.ScopeEntityRead)
	b := browsertest.Open(t, h.URL, browsertest.Options{})
	b.Do(chromedp.Navigate(b.URL("/")))
	runInGraphiQL(t, b, `{"Authorization": "Bearer `+token+`"}`, `subscription { warnings { uscc level } }`)
	subscribers := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); h.Warnings.Subscribers() != want; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				pane := browsertest.Run(b, chromedp.Evaluate[string](resultPaneText))
				t.Fatalf("the hub holds %d subscriptions, want %d; the result pane shows %q", h.Warnings.Subscribers(), want, pane)
			}
		}
	}
	subscribers(1)
	b.Do(chromedp.Click(chromedp.CSS(".graphiql-execute-button"))) // now the stop button
	subscribers(0)

	socket := false
	for _, r := range b.Requests() {
		if r.Type == "WebSocket" && r.URL == "ws://"+strings.TrimPrefix(b.URL("/graphql"), "http://") {
			socket = true
		}
	}
	if !socket {
		t.Errorf("no WebSocket to the hub's /graphql: %+v", b.Requests())
	}
	b.CheckStayedOnHub()
	b.CheckNoErrors()
}

// runInGraphiQL types headers into the Headers tab and query into the query
// editor, as a person would, and presses the run button.
func runInGraphiQL(t *testing.T, b *browsertest.Browser, headers, query string) {
	t.Helper()
	const queryEditor = ".graphiql-query-editor .CodeMirror"
	b.Do(
		chromedp.WaitVisible(chromedp.CSS(queryEditor)),
		chromedp.Click(chromedp.CSS(`button[data-name="headers"]`)),
		chromedp.Click(chromedp.CSS(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")),
		chromedp.KeyEvent(headers),
		chromedp.Click(chromedp.CSS(queryEditor)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(kb.Backspace),
		chromedp.KeyEvent(query),
	)
	// The editor closes brackets as they are typed: what it holds is what
	// runs.
	typed := browsertest.Run(b, chromedp.Evaluate[string](`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()`))
	if typed != query {
		t.Fatalf("the query editor holds %q after typing %q", typed, query)
	}
	b.Do(chromedp.Click(chromedp.CSS(".graphiql-execute-button")))
}

// resultPaneText is the text in GraphiQL's result pane, in JavaScript.
const resultPaneText = `document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()`

// resultPane waits until GraphiQL's result pane holds text with want in
// it, and returns the text.
func resultPane(b *browsertest.Browser, want string) string {
	return browsertest.Run(b, chromedp.Poll[string](`(() => { const v = `+resultPaneText+`; return v.includes(`+strconv.Quote(want)+`) && v; })()`))
}
