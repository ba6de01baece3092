package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"credithub/internal/app/apptest"
	"credithub/internal/server"
)

// dashOrigin is the one origin the CORS tests' hub allows.
const dashOrigin = "https://dash.example.gov.cn"

// corsHeaders returns the response's Access-Control-* headers.
func corsHeaders(h http.Header) map[string]string {
	m := map[string]string{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			m[k] = strings.Join(v, ", ")
		}
	}
	return m
}

func preflight(t *testing.T, url, origin string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, url+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-query-purpose")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func postFrom(t *testing.T, h *apptest.Hub, origin string) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.URL+"/graphql", strings.NewReader(`{"query":"{ departments { code } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apptest.Token(t, "department", "market"))
	req.Header.Set("Origin", origin)
	return h.Send(t, req)
}

func hasVaryOrigin(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Origin") {
				return true
			}
		}
	}
	return false
}

// CORS, on one hub that lists two origins (a hub of its own per test
// would hold PostgreSQL connections that the suite needs elsewhere).
func TestCORS(t *testing.T) {
	t.Parallel()
	shared := apptest.Shared(t, apptest.Options{Entities: 50})
	h := shared.Variant(t, map[string]string{"CREDITHUB_CORS_ORIGINS": "https://other.example.gov.cn, " + dashOrigin})
	t.Run("the listed origin", func(t *testing.T) { corsAllowsTheListedOrigin(t, h) })
	t.Run("other origins", func(t *testing.T) { corsRefusesOtherOrigins(t, h, shared) })
	t.Run("subscriptions", func(t *testing.T) { corsOriginsOpenSubscriptions(t, h) })
}

// A dashboard on a listed origin calls the hub from the browser: the
// preflight allows its token and purpose headers, and the answer lets the
// page read the rate limit and the request id, without credentials mode.
func corsAllowsTheListedOrigin(t *testing.T, h *apptest.Hub) {

	resp := preflight(t, h.URL, dashOrigin)
	got := corsHeaders(resp.Header)
	want := map[string]string{
		"Access-Control-Allow-Origin":  dashOrigin,
		"Access-Control-Allow-Methods": "GET, POST",
		"Access-Control-Allow-Headers": "Authorization, Content-Type, X-Query-Purpose",
		"Access-Control-Max-Age":       "600",
	}
	if resp.StatusCode != http.StatusNoContent || len(got) != len(want) {
		t.Errorf("preflight = %d %v, want 204 %v", resp.StatusCode, got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("preflight %s = %q, want %q", k, got[k], v)
		}
	}
	if !hasVaryOrigin(resp.Header) {
		t.Errorf("preflight Vary = %q, want Origin in it", resp.Header.Values("Vary"))
	}

	r := postFrom(t, h, dashOrigin)
	if r.Status != 200 || len(r.Errors) > 0 {
		t.Fatalf("POST from %s = %d %s", dashOrigin, r.Status, r.Body)
	}
	got = corsHeaders(r.Header)
	if got["Access-Control-Allow-Origin"] != dashOrigin {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", got["Access-Control-Allow-Origin"], dashOrigin)
	}
	exposed := map[string]bool{}
	for _, name := range strings.Split(got["Access-Control-Expose-Headers"], ",") {
		exposed[http.CanonicalHeaderKey(strings.TrimSpace(name))] = true
	}
	for _, name := range []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Retry-After", "X-Request-Id"} {
		if !exposed[name] {
			t.Errorf("Access-Control-Expose-Headers = %q, without %s", got["Access-Control-Expose-Headers"], name)
		}
		if name != "Retry-After" && r.Header.Get(name) == "" {
			t.Errorf("the answer has no %s to expose", name)
		}
	}
	if _, ok := got["Access-Control-Allow-Credentials"]; ok {
		t.Error("Access-Control-Allow-Credentials is set: bearer tokens need no credentials mode")
	}
	if !hasVaryOrigin(r.Header) {
		t.Errorf("Vary = %q, want Origin in it", r.Header.Values("Vary"))
	}
}

// SECURITY: a page on any other origin, one that only starts like the
// listed one, a sandboxed frame's "null", or the listed host over another
// scheme or port, gets no CORS header at all: its preflight is refused and
// the browser keeps every answer from it. A hub with no origins listed
// (the default) treats the listed one the same way.
func corsRefusesOtherOrigins(t *testing.T, h, shared *apptest.Hub) {
	for _, tc := range []struct {
		hub    *apptest.Hub
		origin string
	}{
		{h, "https://evil.example.com"},
		{h, "null"},
		{h, "https://dash.example.gov.cn.evil.com"},
		{h, "https://evil.com/https://dash.example.gov.cn"},
		{h, "http://dash.example.gov.cn"},
		{h, "https://dash.example.gov.cn:8443"},
		{h, "https://DASH.example.gov.cn"},
		{shared, dashOrigin},
	} {
		name := tc.origin
		if tc.hub == shared {
			name += " to a hub that lists none"
		}
		t.Run(name, func(t *testing.T) {
			resp := preflight(t, tc.hub.URL, tc.origin)
			if got := corsHeaders(resp.Header); resp.StatusCode != http.StatusForbidden || len(got) > 0 {
				t.Errorf("preflight = %d %v, want 403 and no Access-Control-* header", resp.StatusCode, got)
			}
			r := postFrom(t, tc.hub, tc.origin)
			if got := corsHeaders(r.Header); len(got) > 0 {
				t.Errorf("POST answered with %v, want no Access-Control-* header", got)
			}
			if !hasVaryOrigin(r.Header) {
				t.Errorf("Vary = %q, want Origin in it: a cache must not serve this answer to another origin", r.Header.Values("Vary"))
			}
		})
	}
}

// A dashboard on a listed origin follows warnings live: its WebSocket
// handshake is accepted. SECURITY: a page on another origin cannot open one.
func corsOriginsOpenSubscriptions(t *testing.T, h *apptest.Hub) {
	for origin, wantOK := range map[string]bool{
		dashOrigin:                             true,
		"https://dash.example.gov.cn.evil.com": false,
		"http://dash.example.gov.cn":           false,
		"null":                                 false,
	} {
		t.Run(origin, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.URL, "http")+"/graphql", &websocket.DialOptions{
				Subprotocols: []string{"graphql-transport-ws"},
				HTTPHeader:   http.Header{"Origin": {origin}},
			})
			if wantOK {
				if err != nil {
					t.Fatalf("handshake from %s refused: %v", origin, err)
				}
				conn.Close(websocket.StatusNormalClosure, "")
				return
			}
			if err == nil {
				conn.Close(websocket.StatusNormalClosure, "")
				t.Fatalf("handshake from %s accepted", origin)
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Errorf("handshake from %s: %v, want 403", origin, err)
			}
		})
	}
}

// An operator learns which origin in the list is wrong and how to write it;
// only what a browser would send in Origin is accepted.
func TestParseOrigins(t *testing.T) {
	t.Parallel()
	good, err := server.ParseOrigins(" https://dash.example.gov.cn, http://127.0.0.1:8081,,https://xn--fiq228c.cn,http://[::1]:3000 ")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(good, " ") != "https://dash.example.gov.cn http://127.0.0.1:8081 https://xn--fiq228c.cn http://[::1]:3000" {
		t.Errorf("parsed %q", good)
	}
	if none, err := server.ParseOrigins(""); err != nil || len(none) != 0 {
		t.Errorf("empty list = %v, %v", none, err)
	}
	for bad, why := range map[string]string{
		"*":                                "wildcard",
		"https://*.example.gov.cn":         "wildcard",
		"null":                             "not null",
		"https://dash.example.gov.cn/":     "path",
		"https://dash.example.gov.cn/app":  "path",
		"https://dash.example.gov.cn?x":    "query",
		"dash.example.gov.cn":              "scheme",
		"ftp://dash.example.gov.cn":        "scheme",
		"HTTPS://dash.example.gov.cn":      "lower case",
		"https://Dash.example.gov.cn":      "lower case",
		"https://信用.cn":                    "xn--",
		"https://dash.example.gov.cn:443":  "default port",
		"http://dash.example.gov.cn:80":    "default port",
		"https://dash.example.gov.cn:0":    "port",
		"https://dash.example.gov.cn:":     "port",
		"https://user@dash.example.gov.cn": "user",
		"https://":                         "host",
	} {
		_, err := server.ParseOrigins("https://ok.example.gov.cn," + bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
			continue
		}
		if !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q refused with %q, which does not name it and say %q", bad, err, why)
		}
	}
}
