// Package browsertest runs the hub's pages in a real browser for tests:
// Debian's chromium, headless, driven by chromedp, on a fresh profile, with
// every host but the hub unreachable (no name resolves but 127.0.0.1, and
// anything else goes to a proxy that refuses it). It records every request
// the page makes, every console message, uncaught exception and browser log
// entry, and saves screenshots as test artefacts, so that a test can check
// what a person would see and that the page asked nothing of another host.
//
// Chromium is found at CREDITHUB_CHROMIUM or as chromium on PATH. Without
// it a test skips with the reason, except in CI (CREDITHUB_CI set, as
// .ci/run sets it and installs chromium), where it fails.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Options size the window and bound the browser's life.
type Options struct {
	// Width and Height are the page's viewport (default 1366×768, an
	// office screen).
	Width, Height int
	// Timeout bounds everything the test does in the browser (default 90s):
	// a page that hangs fails the test instead of holding the suite.
	Timeout time.Duration
}

// Request is one request the page made.
type Request struct {
	Method string
	URL    string
	// Type is the resource type as DevTools reports it (Document, Script,
	// Fetch, WebSocket, …).
	Type    string
	Headers map[string]string
}

// Message is one console message, uncaught exception or browser log entry.
type Message struct {
	// Source is console, exception, or the browser log's source (network,
	// security, javascript, …).
	Source string
	// Level is error, warning, info, log or debug.
	Level string
	Text  string
}

func (m Message) String() string { return m.Source + " " + m.Level + ": " + m.Text }

// Browser is one headless chromium with one tab, pointed at a hub.
type Browser struct {
	t   testing.TB
	ctx context.Context
	hub *url.URL

	mu       sync.Mutex
	requests []Request
	messages []Message
	// refused are the hosts the refusing proxy was asked for: any request
	// for another host that got past the page's own events.
	refused []string
}

// Open starts chromium for the test and closes it when the test ends. hub
// is the hub's base URL (http://127.0.0.1:port): the one host the page may
// reach. When the test fails, a screenshot of the page is saved.
func Open(t testing.TB, hub string, o Options) *Browser {
	t.Helper()
	bin := chromium(t)
	hubURL, err := url.Parse(hub)
	if err != nil || hubURL.Hostname() != "127.0.0.1" {
		t.Fatalf("browsertest: the hub must be served on 127.0.0.1, the one address the browser reaches; got %q", hub)
	}
	if o.Width == 0 {
		o.Width, o.Height = 1366, 768
	}
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	b := &Browser{t: t, hub: hubURL}
	proxy := b.refusingProxy(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(o.Width, o.Height),
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		// Chromium's own calls home, as many as flags can stop; the rest
		// (its updater, its account check) meet the refusing proxy.
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,DialMediaRouteProvider,NetworkTimeServiceQuerying"),
		chromedp.Flag("disable-component-extensions-with-background-pages", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-field-trial-config", true),
		// No name resolves but the hub's address, and whatever does not
		// need a name (an IP address) goes to a proxy that refuses it;
		// loopback bypasses the proxy, as chromium does by default.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.ProxyServer("http://"+proxy),
	)
	if os.Geteuid() == 0 {
		// Chromium's sandbox refuses to run as root (CI runs as root).
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// The listener sees every event of the tab from its start, in order.
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(b.record))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first Do starts the browser, bound to ctx; the test's actions get
	// the deadline (a deadline on the first Do would end the browser). The
	// page gets exactly the screen asked for, whatever the window's frame.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(o.Width), int64(o.Height))); err != nil {
		t.Fatalf("browsertest: starting %s: %v", bin, err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, o.Timeout)
	t.Cleanup(cancelTimeout)
	b.ctx = ctx
	t.Cleanup(func() {
		if t.Failed() {
			b.Screenshot("failed")
		}
		if r := b.Refused(); len(r) > 0 {
			t.Logf("browsertest: the refusing proxy turned away (chromium's own background requests unless the page's are among them):\n  %s", strings.Join(r, "\n  "))
		}
	})
	return b
}

// chromium returns the browser's path, or ends the test: skipped with the
// reason on a developer's machine, failed in CI.
func chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CREDITHUB_CHROMIUM"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err == nil {
		return p
	}
	const why = "chromium is not installed (apt-get install -y chromium, or set CREDITHUB_CHROMIUM)"
	if os.Getenv("CREDITHUB_CI") != "" {
		t.Fatal(why + ": CI runs the browser tests (.ci/run installs it)")
	}
	t.Skip(why)
	return ""
}

// refusingProxy serves the proxy every request for a host other than
// loopback goes to: it records the host and refuses.
func (b *Browser) refusingProxy(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b.mu.Lock()
			target := r.URL.String() // absolute: a proxy is asked for the whole URL
			if r.Method == http.MethodConnect {
				target = r.Host
			}
			b.refused = append(b.refused, r.Method+" "+target)
			b.mu.Unlock()
			http.Error(w, "browsertest: no host but the hub is reachable", http.StatusForbidden)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// record keeps what the DevTools protocol reports about the tab.
func (b *Browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		headers := map[string]string{}
		for k, v := range ev.Request.Headers {
			headers[http.CanonicalHeaderKey(k)] = fmt.Sprint(v)
		}
		u := ev.Request.URL
		if strings.HasPrefix(u, "data:") && len(u) > 60 {
			u = u[:60] + "…" // an inline font: its type is enough
		}
		b.requests = append(b.requests, Request{Method: ev.Request.Method, URL: u, Type: string(ev.Type), Headers: headers})
	case *network.EventWebSocketCreated:
		b.requests = append(b.requests, Request{Method: "GET", URL: ev.URL, Type: "WebSocket"})
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			parts = append(parts, remoteText(a))
		}
		level := string(ev.Type)
		if ev.Type == runtime.ConsoleAPICalledTypeAssert {
			level = "error"
		}
		b.messages = append(b.messages, Message{Source: "console", Level: level, Text: strings.Join(parts, " ")})
	case *runtime.EventExceptionThrown:
		text := ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil && ex.Description != "" {
			text += " " + ex.Description
		}
		b.messages = append(b.messages, Message{Source: "exception", Level: "error", Text: text})
	case *log.EventEntryAdded:
		text := ev.Entry.Text
		if ev.Entry.URL != "" {
			text += " (" + ev.Entry.URL + ")"
		}
		b.messages = append(b.messages, Message{Source: string(ev.Entry.Source), Level: string(ev.Entry.Level), Text: text})
	}
}

func remoteText(a *runtime.RemoteObject) string {
	switch {
	case a.Description != "":
		return a.Description
	case len(a.Value) > 0:
		return strings.Trim(string(a.Value), `"`)
	}
	return string(a.Type)
}

// Do runs steps in the tab, in order, and fails the test on an error.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail(err)
	}
}

// Run runs an action that returns a value in b's tab, and fails the test
// on an error.
func Run[T any](b *Browser, action chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, action)
	if err != nil {
		b.fail(err)
	}
	return v
}

func (b *Browser) fail(err error) {
	b.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (the browser's time is Options.Timeout)", err)
	}
	b.t.Fatalf("browser: %v\nconsole:\n%s", err, b.messagesText(b.Messages()))
}

// URL returns the hub's URL of path.
func (b *Browser) URL(path string) string {
	return b.hub.ResolveReference(&url.URL{Path: path}).String()
}

// Requests returns every request the page has made so far, in order.
func (b *Browser) Requests() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Request(nil), b.requests...)
}

// Messages returns every console message, uncaught exception and browser
// log entry so far, in order.
func (b *Browser) Messages() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Message(nil), b.messages...)
}

// Foreign returns the requests the page made for a host other than the
// hub. Inline data: and blob: URLs go nowhere and are not counted.
func (b *Browser) Foreign() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var foreign []string
	for _, r := range b.requests {
		u, err := url.Parse(r.URL)
		if err != nil {
			foreign = append(foreign, r.URL)
			continue
		}
		switch u.Scheme {
		case "data", "blob", "about":
			continue
		case "http", "https", "ws", "wss":
			if u.Host == b.hub.Host {
				continue
			}
		}
		foreign = append(foreign, r.Method+" "+r.URL)
	}
	return foreign
}

// Refused returns what the refusing proxy turned away: any request in the
// browser for a host other than loopback, the page's or chromium's own
// (its updater and account checks, which no flag stops). None reached
// its host.
func (b *Browser) Refused() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.refused...)
}

// Errors returns the console's errors, the uncaught exceptions and the
// browser's error log entries (a failed load, a blocked resource).
func (b *Browser) Errors() []Message {
	var errs []Message
	for _, m := range b.Messages() {
		if m.Level == "error" {
			errs = append(errs, m)
		}
	}
	return errs
}

// CheckStayedOnHub fails the test if the page asked for another host.
func (b *Browser) CheckStayedOnHub() {
	b.t.Helper()
	if f := b.Foreign(); len(f) > 0 {
		b.t.Errorf("requests for hosts other than the hub (%s):\n  %s", b.hub.Host, strings.Join(f, "\n  "))
	}
}

// CheckNoErrors fails the test if the console shows an error.
func (b *Browser) CheckNoErrors() {
	b.t.Helper()
	if errs := b.Errors(); len(errs) > 0 {
		b.t.Errorf("the console shows errors:\n%s", b.messagesText(errs))
	}
}

func (b *Browser) messagesText(ms []Message) string {
	var sb strings.Builder
	for _, m := range ms {
		sb.WriteString("  " + m.String() + "\n")
	}
	return sb.String()
}

// Downloads lets the page download files and returns the folder they go
// to (a fresh one of the test's), so that a test reads what a person would
// save.
func (b *Browser) Downloads() string {
	b.t.Helper()
	dir := b.t.TempDir()
	events := true
	_, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, EventsEnabled: &events,
	})
	if err != nil {
		b.fail(err)
	}
	return dir
}

// WaitFile waits until the folder holds a complete file named name (a
// download in progress has another name until it ends) and returns its
// content.
func (b *Browser) WaitFile(dir, name string) []byte {
	b.t.Helper()
	for {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return data
		}
		select {
		case <-b.ctx.Done():
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			b.fail(fmt.Errorf("no download %s (the folder holds %v): %w", name, names, b.ctx.Err()))
			return nil
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Screenshot saves the visible page as a PNG among the test's artefacts
// and returns its path ("" if it could not be taken).
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	// A fresh deadline: a screenshot of a test that timed out is the one
	// most wanted.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	dir := artifactDir(b.t)
	path := filepath.Join(dir, fileName(b.t.Name()+"-"+name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

// artifactDir is where browser tests leave screenshots:
// $CREDITHUB_ARTIFACTS/browser, or .artifacts/browser at the module's root.
func artifactDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv("CREDITHUB_ARTIFACTS")
	if root == "" {
		root = filepath.Join(moduleRoot(t), ".artifacts")
	}
	dir := filepath.Join(root, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func moduleRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string { return unsafeName.ReplaceAllString(s, "_") }
