// Package apptest runs a whole hub for tests: real PostgreSQL databases
// (one per department and the hub's own, named with a prefix unique to the
// test), seeded from the synthetic world, behind a real HTTP server. Tests
// talk to it over HTTP as a departmental app would.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/dev/world"
	"credithub/internal/app"
	"credithub/internal/sqldb"
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
// test ends. Use it for tests that change or break the hub's databases;
// read-only tests share one hub per package (Shared).
func Start(t testing.TB, o Options) *Hub {
	t.Helper()
	// PostgreSQL allows 100 connections in all; parallel tests that each
	// start a hub take turns rather than exhaust them.
	hubSlots <- struct{}{}
	t.Cleanup(func() { <-hubSlots })
	h, err := start(o, t.Cleanup, testing.Verbose())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var (
	sharedMu       sync.Mutex
	shared         = map[[2]uint64]*Hub{}
	sharedCleanups []func()
)

// Shared returns the package's hub for o, starting it on first use. Tests
// that use it must not change its data in ways other tests would notice;
// Main tears it down after the package's tests.
func Shared(t testing.TB, o Options) *Hub {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if o.Env != nil {
		t.Fatal("apptest.Shared: hubs with overridden environments are not shared; use Start")
	}
	key := [2]uint64{uint64(o.Entities), o.Seed}
	if h, ok := shared[key]; ok {
		return h
	}
	h, err := start(o, func(f func()) { sharedCleanups = append(sharedCleanups, f) }, false)
	if err != nil {
		t.Fatal(err)
	}
	shared[key] = h
	return h
}

// Main runs a package's tests and then tears down its shared hubs. Call it
// from TestMain: os.Exit(apptest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	for i := len(sharedCleanups) - 1; i >= 0; i-- {
		sharedCleanups[i]()
	}
	return code
}

// testPoolSize keeps a test hub's connections low: PostgreSQL allows 100 in
// all, and test packages run side by side.
const testPoolSize = "2"

// hubSlots bounds the hubs a test package runs at once (besides its shared
// ones): 3 hubs × 6 databases × 2 connections, times two packages running
// side by side, stays well under PostgreSQL's 100.
var hubSlots = make(chan struct{}, 3)

// Databases prepares a test's own seeded databases as Start does, and
// runs no hub: for tests that run the hub as separate processes
// (dev/cluster), with Getenv as their environment. App and URL are unset.
func Databases(t testing.TB, o Options) *Hub {
	t.Helper()
	hubSlots <- struct{}{}
	t.Cleanup(func() { <-hubSlots })
	h, err := prepare(o, t.Cleanup, testing.Verbose())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func start(o Options, cleanup func(func()), verbose bool) (*Hub, error) {
	h, err := prepare(o, cleanup, verbose)
	if err != nil {
		return nil, err
	}
	cfg, err := app.FromEnv(h.getenv)
	if err != nil {
		return nil, err
	}
	if err := h.serve(cfg, cleanup); err != nil {
		return nil, err
	}
	return h, nil
}

func prepare(o Options, cleanup func(func()), verbose bool) (*Hub, error) {
	if o.Entities == 0 {
		o.Entities = 300
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	prefix := "t" + strings.TrimPrefix(dstest.UniqueName("h"), "t_h_") + "_"
	getenv := func(k string) string {
		if v, ok := o.Env[k]; ok {
			return v
		}
		switch {
		case k == "DATABASE_URL":
			return dstest.ServerURL()
		case k == "CREDITHUB_DB_PREFIX":
			return prefix
		case k == "CREDITHUB_DEV":
			return "true"
		case k == "CREDITHUB_SAFELIST":
			// Tests use agency tokens with ad-hoc queries; the safelist
			// has tests of its own that turn it on.
			return "false"
		case k == "CREDITHUB_GRADE_INTERVAL":
			return "off"
		case strings.HasSuffix(k, "_MAX_CONNS"):
			return testPoolSize
		}
		return ""
	}
	cfg, err := app.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, s := range app.Setups() {
			_ = sqldb.DropDatabase(ctx, dstest.ServerURL(), prefix+s.Database)
		}
	})
	if err := app.Prepare(ctx, cfg, app.SeedOptions{Entities: o.Entities, Seed: o.Seed}, logger); err != nil {
		return nil, fmt.Errorf("preparing test databases on %s (is PostgreSQL running?): %w", dstest.ServerURL(), err)
	}
	return &Hub{World: world.New(o.Seed, o.Entities), Prefix: prefix, getenv: getenv, logger: logger}, nil
}

func (h *Hub) serve(cfg app.Config, cleanup func(func())) error {
	// Test hubs are development hubs, as `credithub dev` serves them,
	// the dashboard's development sign-in included.
	cfg.DevTokens = cfg.Development
	a, err := app.Open(context.Background(), cfg, h.logger)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(a.Handler)
	cleanup(func() {
		srv.Close()
		a.Close()
	})
	h.App, h.URL = a, srv.URL
	return nil
}

// Getenv is the environment this hub was configured from: tests that run
// the hub another way (the serve command) point at the same databases.
func (h *Hub) Getenv(k string) string { return h.getenv(k) }

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
	if err := v.serve(cfg, t.Cleanup); err != nil {
		t.Fatal(err)
	}
	return v
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

// Token mints a development token for tests.
func Token(t testing.TB, kind auth.Kind, org string, scopes ...string) string {
	t.Helper()
	tok, err := auth.MintDev(auth.DevToken{Kind: kind, Org: org, Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// As returns the headers of a caller with a development token and, when
// purpose is not empty, a declared purpose.
func As(t testing.TB, kind auth.Kind, org, purpose string, scopes ...string) map[string]string {
	h := map[string]string{"Authorization": "Bearer " + Token(t, kind, org, scopes...)}
	if purpose != "" {
		h[auth.PurposeHeader] = purpose
	}
	return h
}

// PersonToken mints a development token of kind person for the person with
// ID number idNo, its org sealed with this hub's person ID key, holding
// scopes (none given: auth.PersonScopes).
func (h *Hub) PersonToken(t testing.TB, idNo string, scopes ...string) string {
	t.Helper()
	if len(scopes) == 0 {
		scopes = auth.PersonScopes
	}
	return Token(t, auth.KindPerson, h.Sealer.Person(idNo), scopes...)
}

// AsPerson returns the headers of the person with ID number idNo signed in
// as themselves and, when purpose is not empty, a declared purpose.
func (h *Hub) AsPerson(t testing.TB, idNo, purpose string, scopes ...string) map[string]string {
	t.Helper()
	hd := map[string]string{"Authorization": "Bearer " + h.PersonToken(t, idNo, scopes...)}
	if purpose != "" {
		hd[auth.PurposeHeader] = purpose
	}
	return hd
}

// Department is a department's app with the read scopes of the spec's table.
func Department(t testing.TB) map[string]string {
	return As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeRecordRead)
}

// QueryAs posts a query with headers and fails the test on any error.
func (h *Hub) QueryAs(t testing.TB, headers map[string]string, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := h.Do(t, query, vars, headers)
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("query failed (status %d): %s", r.Status, r.Body)
	}
	return r.Data
}
