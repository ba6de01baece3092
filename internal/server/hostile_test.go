package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
)

// SECURITY: a NUL byte, a control character or damaged text in any
// argument — literal or variable, inside input objects and lists, in
// queries and mutations, in fragments — is the caller's mistake: refused as
// BAD_USER_INPUT naming the argument, before any SQL, and never blamed on a
// department (PostgreSQL refuses a NUL in text, which the hub used to
// report as the market department being unavailable).
func TestHostileStringsAreTheCallersMistake(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	const code = "912311836272654674"
	admin := apptest.As(t, auth.KindAdmin, "credit-office", "", auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopeAuditRead)
	tests := []struct {
		name       string
		body       string // the raw JSON body, so that it can hold \ud800
		field, arg string
		rule       string
	}{
		{"literal in an input object",
			`{"query":"{ entities(filter: {nameContains: \"ab\\u0000\"}) { totalCount } }"}`,
			"entities", "filter.nameContains", "nul"},
		{"variable in an input object",
			`{"query":"query($n: String) { entities(filter: {nameContains: $n}) { totalCount } }","variables":{"n":"ab\u0000cd"}}`,
			"entities", "filter.nameContains", "nul"},
		{"an input object as a variable",
			`{"query":"query($f: EntityFilter) { entities(filter: $f) { totalCount } }","variables":{"f":{"nameContains":"ab\u0001"}}}`,
			"entities", "filter.nameContains", "control_character"},
		{"escape sequence",
			`{"query":"query($f: EntityFilter) { entities(filter: $f) { totalCount } }","variables":{"f":{"nameContains":"\u001b[2Jab"}}}`,
			"entities", "filter.nameContains", "control_character"},
		{"C1 control",
			`{"query":"query($f: EntityFilter) { entities(filter: $f) { totalCount } }","variables":{"f":{"nameContains":"ab\u009b"}}}`,
			"entities", "filter.nameContains", "control_character"},
		{"lone surrogate in a variable",
			`{"query":"query($n: String) { entities(filter: {nameContains: $n}) { totalCount } }","variables":{"n":"ab\ud800"}}`,
			"entities", "filter.nameContains", "replacement_character"},
		{"lone surrogate in the document",
			`{"query":"{ entities(filter: {nameContains: \"ab\\uDC00\"}) { totalCount } }"}`,
			"entities", "filter.nameContains", "replacement_character"},
		{"scalar argument",
			`{"query":"{ entity(uscc: \"` + code + `\\u0000\") { name } }"}`,
			"entity", "uscc", "nul"},
		{"argument of a nested field",
			`{"query":"{ entity(uscc: \"` + code + `\") { name records(first: 1, after: \"x\\u0000\") { complete } } }"}`,
			"records", "after", "nul"},
		{"list literal in a nested field",
			`{"query":"{ entity(uscc: \"` + code + `\") { records(filter: {sources: [\"market\", \"fi\\u0000re\"]}) { complete } } }"}`,
			"records", "filter.sources[1]", "nul"},
		{"list variable",
			`{"query":"query($u: [ID!]!) { creditChecks(usccs: $u, scenario: BIDDING) { uscc } }","variables":{"u":["` + code + `","9123\u0000"]}}`,
			"creditChecks", "usccs[1]", "nul"},
		{"in a fragment",
			`{"query":"query { ...F } fragment F on Query { entities(filter: {nameContains: \"a\\u0000b\"}) { totalCount } }"}`,
			"entities", "filter.nameContains", "nul"},
		{"in an inline fragment, aliased",
			`{"query":"query { ... on Query { e: entities(filter: {nameContains: \"a\\u0000b\"}) { totalCount } } }"}`,
			"entities", "filter.nameContains", "nul"},
		{"mutation input object",
			`{"query":"mutation { signCommitment(input: {itemCode: \"C01\", uscc: \"` + code + `\", content: \"I promise\\u0000\"}, idempotencyKey: \"hostile-1\") { id } }"}`,
			"signCommitment", "input.content", "nul"},
		{"mutation variable",
			`{"query":"mutation($r: String!) { fileObjection(recordId: \"x\", reason: $r, idempotencyKey: \"hostile-2\") { id } }","variables":{"r":"wrong\u0007"}}`,
			"fileObjection", "reason", "control_character"},
		{"mutation key",
			`{"query":"mutation($k: String!) { recomputeGrades(idempotencyKey: $k) }","variables":{"k":"k\u0000"}}`,
			"recomputeGrades", "idempotencyKey", "nul"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, media := range []string{"application/json", "application/graphql-response+json"} {
				req, _ := http.NewRequest(http.MethodPost, h.URL+"/graphql", strings.NewReader(tc.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", media)
				for k, v := range admin {
					req.Header.Set(k, v)
				}
				r := h.Send(t, req)
				want := http.StatusOK
				if media == "application/graphql-response+json" {
					want = http.StatusBadRequest // a request error, as for a variable of the wrong type
				}
				if r.Status != want || len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" ||
					r.Errors[0].Extensions["field"] != tc.arg || r.Errors[0].Extensions["graphqlField"] != tc.field ||
					r.Errors[0].Extensions["rule"] != tc.rule || !strings.Contains(r.Errors[0].Message, "argument "+tc.arg+" of "+tc.field) {
					t.Fatalf("%s: status %d, %s; want BAD_USER_INPUT on %s of %s (%s)", media, r.Status, r.Body, tc.arg, tc.field, tc.rule)
				}
				if bytes.Contains(r.Body, []byte(`"data"`)) {
					t.Errorf("%s: a refused request has a data entry: %s", media, r.Body)
				}
				if n := sum(r.Statements()); n != 0 {
					t.Errorf("%s: %d SQL statements ran for a refused request", media, n)
				}
			}
		})
	}
	// Tab, line feed and carriage return are text; so is Chinese.
	r := h.Do(t, `query($n: String) { entities(filter: {nameContains: $n}) { totalCount } }`, map[string]any{"n": "黑河\t\r\n"}, admin)
	if len(r.Errors) != 0 {
		t.Fatalf("tab and new lines refused: %s", r.Body)
	}
	// Sixteen refused requests, more than a circuit's failures in a row:
	// every department is still ready.
	resp, err := http.Get(h.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ready struct {
		Circuits map[string]string `json:"circuits"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&ready)
	for dept, state := range ready.Circuits {
		if state != "closed" {
			t.Errorf("department %s's circuit is %s after hostile strings", dept, state)
		}
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// SECURITY: JSON is UTF-8; a body or a GET query string that is not is a
// 400, not a request whose bytes the decoder quietly replaces.
func TestRequestsThatAreNotUTF8(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	for _, tc := range []struct {
		name, method, path, body string
	}{
		{"POST body", "POST", "/graphql", "{\"query\":\"{ entities(filter: {nameContains: \\\"ab\xff\\\"}) { totalCount } }\"}"},
		{"POST variables", "POST", "/graphql", "{\"query\":\"query($n: String) { entities(filter: {nameContains: $n}) { totalCount } }\",\"variables\":{\"n\":\"\xc3\x28\"}}"},
		{"overlong encoding", "POST", "/graphql", "{\"query\":\"{ __typename }\",\"variables\":{\"n\":\"\xc0\xaf\"}}"},
		{"GET query", "GET", "/graphql?query=%7B%20entities(filter%3A%20%7BnameContains%3A%20%22ab%FF%22%7D)%20%7B%20totalCount%20%7D%20%7D", ""},
		{"GET variables", "GET", "/graphql?query=query(%24n%3AString)%7Bentities(filter%3A%7BnameContains%3A%24n%7D)%7BtotalCount%7D%7D&variables=%7B%22n%22%3A%22%ED%A0%80%22%7D", ""},
	} {
		for _, media := range []string{"application/json", "application/graphql-response+json"} {
			req, _ := http.NewRequest(tc.method, h.URL+tc.path, strings.NewReader(tc.body))
			if tc.method == "POST" {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Accept", media)
			r := h.Send(t, req)
			if r.Status != http.StatusBadRequest || len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_REQUEST" ||
				!strings.Contains(r.Errors[0].Message, "UTF-8") || bytes.Contains(r.Body, []byte(`"data"`)) {
				t.Errorf("%s, %s: %d %s", tc.name, media, r.Status, r.Body)
			}
		}
	}
}

// SECURITY: the hub applies the longest lifetimes it is configured with
// (CREDITHUB_TOKEN_MAX_TTL), over HTTP.
func TestTokenLifetimeConfigured(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	short := h.Variant(t, map[string]string{"CREDITHUB_TOKEN_MAX_TTL": "department=30m"})
	tok, err := auth.MintDev(auth.DevToken{Kind: auth.KindDepartment, Org: "market", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	headers := map[string]string{"Authorization": "Bearer " + tok}
	if r := h.Do(t, `{ __typename }`, nil, headers); r.Status != http.StatusOK {
		t.Fatalf("a 1h department token under the defaults: %d %s", r.Status, r.Body)
	}
	r := short.Do(t, `{ __typename }`, nil, headers)
	if r.Status != http.StatusUnauthorized || len(r.Errors) != 1 || r.Errors[0].Extensions["reason"] != "lifetime_too_long" ||
		!strings.Contains(r.Errors[0].Message, "at most 30m") {
		t.Fatalf("a 1h department token under department=30m: %d %s", r.Status, r.Body)
	}
}
