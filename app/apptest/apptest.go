// Package apptest runs a whole hub for tests: real PostgreSQL databases
// (one per department and the hub's own, named with a prefix unique to the
// test), seeded from the synthetic world, behind a real HTTP server. Tests
// talk to it over HTTP as a departmental app would.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"credithub/app"
	"credithub/datasources/dstest"
	"credithub/datasources/world"
	"credithub/sqldb"
)

// Hub is a running hub under test.
type Hub struct {
	*app.App
	URL   string
	World *world.World
	// Prefix is the database name prefix of this hub's databases.
	Prefix string
	getenv func(string) string
	logger *slog.Logger
}

// Options size and adjust the hub.
type Options struct {
	Entities int    // default 300
	Seed     uint64 // default 1
	// Env overrides environment variables (e.g. a department's DSN).
	Env map[string]string
}

// Start prepares fresh databases, seeds them and serves the hub until the
// test ends.
func Start(t testing.TB, o Options) *Hub {
	t.Helper()
	if o.Entities == 0 {
		o.Entities = 300
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	prefix := strings.TrimPrefix(dstest.UniqueName("h"), "t_h_")
	prefix = "t" + prefix + "_"
	getenv := func(k string) string {
		if v, ok := o.Env[k]; ok {
			return v
		}
		switch k {
		case "DATABASE_URL":
			return dstest.ServerURL()
		case "CREDITHUB_DB_PREFIX":
			return prefix
		case "CREDITHUB_DEV":
			return "true"
		}
		return ""
	}
	cfg, err := app.FromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, s := range app.Setups() {
			if err := sqldb.DropDatabase(ctx, dstest.ServerURL(), prefix+s.Database); err != nil {
				t.Logf("dropping %s: %v", prefix+s.Database, err)
			}
		}
	})
	if err := app.Prepare(ctx, cfg, app.SeedOptions{Entities: o.Entities, Seed: o.Seed}, logger); err != nil {
		t.Fatalf("preparing test databases on %s (is PostgreSQL running?): %v", dstest.ServerURL(), err)
	}
	h := &Hub{World: world.New(o.Seed, o.Entities), Prefix: prefix, getenv: getenv, logger: logger}
	h.serve(t, cfg)
	return h
}

func (h *Hub) serve(t testing.TB, cfg app.Config) {
	t.Helper()
	a, err := app.Open(context.Background(), cfg, h.logger)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	h.App, h.URL = a, srv.URL
}

// Variant serves a second hub over the same databases with some
// environment variables overridden (a department pointed elsewhere, say).
func (h *Hub) Variant(t testing.TB, env map[string]string) *Hub {
	t.Helper()
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return h.getenv(k)
	}
	cfg, err := app.FromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	v := &Hub{World: h.World, Prefix: h.Prefix, getenv: getenv, logger: h.logger}
	v.serve(t, cfg)
	return v
}

type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Response is a decoded GraphQL response.
type Response struct {
	Status     int
	Header     http.Header
	Body       []byte
	Data       map[string]any
	Errors     []Error
	Extensions map[string]any
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the error's extensions.code.
func (e Error) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// Do posts a query with variables and extra headers.
func (h *Hub) Do(t testing.TB, query string, vars map[string]any, headers map[string]string) *Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, h.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return h.Send(t, req)
}

// Send sends a raw request to the hub and decodes the answer.
func (h *Hub) Send(t testing.TB, req *http.Request) *Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	var decoded struct {
		Data       map[string]any `json:"data"`
		Errors     []Error        `json:"errors"`
		Extensions map[string]any `json:"extensions"`
	}
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatalf("response is not JSON (status %d): %s", resp.StatusCode, b)
	}
	out.Data, out.Errors, out.Extensions = decoded.Data, decoded.Errors, decoded.Extensions
	return out
}

// Query posts a query and fails the test on any GraphQL error.
func (h *Hub) Query(t testing.TB, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := h.Do(t, query, vars, nil)
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("query failed (status %d): %s", r.Status, r.Body)
	}
	return r.Data
}

// Statements returns the statements the response reports per database.
func (r *Response) Statements() map[string]int {
	out := map[string]int{}
	m, _ := r.Extensions["sqlStatements"].(map[string]any)
	for k, v := range m {
		if f, ok := v.(float64); ok {
			out[k] = int(f)
		}
	}
	return out
}

// Get walks a decoded JSON value by keys and indexes ("entity", "records",
// "edges", 0, "node").
func Get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}
