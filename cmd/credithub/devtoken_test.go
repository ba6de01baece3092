package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"credithub/internal/app/apptest"
)

// SECURITY: `credithub serve` has no development sign-in, even with
// CREDITHUB_DEV=true and the dashboard on: /dev/token answers 404 to GET
// and POST, and the dashboard asks for a token instead of offering roles.
// Only `credithub dev` mints tokens for the dashboard's role picker.
func TestServeHasNoDevTokenEndpoint(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Entities: 20})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	getenv := func(k string) string {
		switch k {
		case "CREDITHUB_ADDR":
			return addr
		case "CREDITHUB_DASHBOARD", "CREDITHUB_DEV":
			return "true"
		}
		return h.Getenv(k)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- run(ctx, []string{"serve"}, getenv, io.Discard, io.Discard) }()
	t.Cleanup(func() {
		stop()
		<-served
	})
	base := "http://" + addr
	waitFor(t, func() bool {
		r, err := http.Get(base + "/healthz")
		if err == nil {
			r.Body.Close()
		}
		return err == nil
	})

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		req, _ := http.NewRequest(method, base+"/dev/token", strings.NewReader(`{"role":"credit-office"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "token") {
			t.Errorf("serve: %s /dev/token = %d %q, want 404", method, resp.StatusCode, body)
		}
	}
	resp, err := http.Get(base + "/dashboard")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `data-dev-sign-in="false"`) {
		t.Errorf("serve: /dashboard = %d, want the page without the development sign-in: %.300s", resp.StatusCode, page)
	}
}
