package server_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"credithub/internal/app/apptest"
)

func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

// The GraphQL-over-HTTP specification, as clients see it.
func TestGraphQLOverHTTP(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	const valid = `{"query":"{ departments { code } }"}`
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		accept      string
		body        string
		wantStatus  int
		wantType    string
		wantInBody  string
	}{
		{"POST query", "POST", "/graphql", "application/json", "", valid, 200, "application/json", `"code":"market"`},
		{"POST with charset", "POST", "/graphql", "application/json; charset=utf-8", "application/graphql-response+json", valid, 200, "application/graphql-response+json", `"code":"court"`},
		{"GET query", "GET", "/graphql?query=" + url.QueryEscape("{ departments { code } }"), "", "", "", 200, "application/json", `"code":"fire"`},
		{"parse error, legacy JSON", "POST", "/graphql", "application/json", "application/json", `{"query":"{ departments { "}`, 200, "application/json", "GRAPHQL_PARSE_FAILED"},
		{"parse error, graphql-response", "POST", "/graphql", "application/json", "application/graphql-response+json", `{"query":"{ departments { "}`, 400, "application/graphql-response+json", "GRAPHQL_PARSE_FAILED"},
		{"validation error, graphql-response", "POST", "/graphql", "application/json", "application/graphql-response+json", `{"query":"{ nope }"}`, 400, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED"},
		{"validation error, legacy JSON", "POST", "/graphql", "application/json", "", `{"query":"{ nope }"}`, 200, "application/json", "GRAPHQL_VALIDATION_FAILED"},
		{"variable of the wrong type, graphql-response", "POST", "/graphql", "application/json", "application/graphql-response+json", `{"query":"query($n: Int) { entities(first: $n) { totalCount } }","variables":{"n":"x"}}`, 400, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED"},
		{"unknown operation name, graphql-response", "POST", "/graphql", "application/json", "application/graphql-response+json", `{"query":"query A { __typename }","operationName":"B"}`, 400, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED"},
		{"body not UTF-8", "POST", "/graphql", "application/json", "application/graphql-response+json", "{\"query\":\"{ __typename }\",\"x\":\"\xff\"}", 400, "application/graphql-response+json", "UTF-8"},
		{"wrong content type", "POST", "/graphql", "text/plain", "", valid, 415, "application/json", "Content-Type must be application/json"},
		{"body not JSON", "POST", "/graphql", "application/json", "", `{"query": <hostile>`, 400, "application/json", "request body must be a JSON object"},
		{"no query", "POST", "/graphql", "application/json", "", `{}`, 400, "application/json", "no query"},
		{"unacceptable Accept", "POST", "/graphql", "application/json", "text/html", valid, 406, "application/json", "Accept must allow"},
		{"variables not JSON", "GET", "/graphql?query=%7B__typename%7D&variables=%7Bx", "", "", "", 400, "application/json", "variables must be a JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, h.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d: %s", resp.StatusCode, tc.wantStatus, b)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", ct, tc.wantType)
			}
			if !strings.Contains(string(b), tc.wantInBody) {
				t.Errorf("body %s lacks %q", b, tc.wantInBody)
			}
			// A request that never reached execution has no data entry
			// (GraphQL §7.1.1; graphql-response+json): only an executed
			// operation has data.
			if executed := tc.wantStatus == 200 && !strings.Contains(tc.wantInBody, "FAILED"); !executed && strings.Contains(string(b), `"data"`) {
				t.Errorf("a request refused before execution has a data entry: %s", b)
			}
			if strings.Contains(string(b), "<hostile>") {
				t.Errorf("the request body is echoed back: %s", b)
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

func TestHealthAndGraphiQL(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": `"ready":true`, "/": "graphiql"} {
		resp, err := http.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(strings.ToLower(string(b)), want) {
			t.Errorf("%s = %d %s", path, resp.StatusCode, b)
		}
	}
}
