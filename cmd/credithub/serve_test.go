package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"credithub/datasources/dstest"
	"credithub/internal/app"
	"credithub/internal/app/apptest"
)

// An operator's restart must not cut a caller off: when serve is told to
// stop, it refuses new connections but lets the request in flight finish
// (here one held up by a lock in the market database) and then returns
// cleanly.
func TestServeDrainsInFlightRequests(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Entities: 20})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg, err := app.FromEnv(func(k string) string {
		if k == "CREDITHUB_ADDR" {
			return addr
		}
		return h.Getenv(k)
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, cfg, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	url := "http://" + addr + "/graphql"
	waitFor(t, func() bool {
		r, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			r.Body.Close()
		}
		return err == nil
	})

	market, err := sql.Open("postgres", dstest.DSN(t, h.Prefix+"dept_market"))
	if err != nil {
		t.Fatal(err)
	}
	defer market.Close()
	lock, err := market.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec(`LOCK TABLE registry_entity IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		body, _ := json.Marshal(map[string]any{"query": `query($u: ID!) { entity(uscc: $u) { name } }`,
			"variables": map[string]any{"u": h.World.Entities[0].USCC}})
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range apptest.Department(t) {
			req.Header.Set(k, v)
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		answered <- answer{status: r.StatusCode, body: string(b)}
	}()
	// The request is in flight once it waits on the lock.
	waitFor(t, func() bool {
		var n int
		_ = market.QueryRow(`SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'registry_entity'::regclass`).Scan(&n)
		return n > 0
	})
	stop()
	// Shutting down: new connections are refused while the old one waits.
	waitFor(t, func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case a := <-answered:
		t.Fatalf("the request in flight ended before its data was there: %+v", a)
	case err := <-served:
		t.Fatalf("serve returned with a request in flight: %v", err)
	default:
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	a := <-answered
	if a.err != nil || a.status != http.StatusOK || !strings.Contains(a.body, h.World.Entities[0].Name) || strings.Contains(a.body, `"errors"`) {
		t.Fatalf("in-flight request: %d %v %s", a.status, a.err, a.body)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after the last request finished")
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatal("timed out waiting")
}
