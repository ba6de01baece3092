package browsertest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The harness catches what the browser tests rely on it to catch: a page
// that asks a CDN for a script is reported (and the request never leaves
// the machine), and so are a console error and an uncaught exception; a
// screenshot lands among the artefacts.
func TestHarnessCatchesForeignRequestsAndErrors(t *testing.T) {
	t.Parallel()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body>
<p id="ready">ready</p>
<script src="https://cdn.example.com/lib.js"></script>
<script>console.error("boom"); setTimeout(() => { throw new Error("bang"); }, 0);</script>
</body></html>`))
	}))
	defer page.Close()

	b := Open(t, page.URL, Options{})
	b.Do(chromedp.Navigate(b.URL("/")), chromedp.WaitVisible(chromedp.ID("ready")))
	// The exception is thrown after the load; wait for the page to have run it.
	Run(b, chromedp.Poll[bool](`new Promise(r => setTimeout(() => r(true), 50))`))

	if f := b.Foreign(); !slices.Contains(f, "GET https://cdn.example.com/lib.js") {
		t.Errorf("Foreign() = %q, want the CDN script", f)
	}
	if r := b.Refused(); !slices.Contains(r, "CONNECT cdn.example.com:443") {
		t.Errorf("Refused() = %q, want the CDN's host turned away", r)
	}
	var console, exception bool
	for _, m := range b.Errors() {
		console = console || (m.Source == "console" && m.Text == "boom")
		exception = exception || (m.Source == "exception" && strings.Contains(m.Text, "bang"))
	}
	if !console || !exception {
		t.Errorf("Errors() = %v, want the console error and the exception", b.Errors())
	}
	shot := b.Screenshot("harness")
	if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
		t.Errorf("screenshot %q: %v", shot, err)
	}
}
