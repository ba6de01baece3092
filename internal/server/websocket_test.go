package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/server"
)

type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsOpen dials h's /graphql with the graphql-transport-ws protocol and
// sends connection_init with payload.
func wsOpen(t *testing.T, h *apptest.Hub, payload map[string]any) (*websocket.Conn, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	init := map[string]any{"type": "connection_init"}
	if payload != nil {
		init["payload"] = payload
	}
	if err := wsjson.Write(ctx, conn, init); err != nil {
		t.Fatal(err)
	}
	return conn, ctx
}

func wsRead(t *testing.T, ctx context.Context, conn *websocket.Conn) (wsMsg, error) {
	t.Helper()
	for {
		var m wsMsg
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			return m, err
		}
		if m.Type != "ping" {
			return m, nil
		}
	}
}

const subscribeWarnings = `subscription { warnings { id uscc } }`

// SECURITY: a subscription over WebSocket is refused as a query over HTTP
// would be: the anonymous public and a department without entity:read get
// FORBIDDEN naming the scope and no event; a token that does not verify
// closes the connection at connection_init, before anything can be asked.
func TestWebsocketSubscriptionsAreAuthorized(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	refusedWith := func(t *testing.T, payload map[string]any, scope string) {
		conn, ctx := wsOpen(t, h, payload)
		if m, err := wsRead(t, ctx, conn); err != nil || m.Type != "connection_ack" {
			t.Fatalf("connection_init: %+v %v", m, err)
		}
		if err := wsjson.Write(ctx, conn, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": subscribeWarnings}}); err != nil {
			t.Fatal(err)
		}
		m, err := wsRead(t, ctx, conn)
		if err != nil || m.ID != "1" || m.Type != "next" {
			t.Fatalf("subscribe answered %+v %v, want the refusal", m, err)
		}
		var resp struct {
			Data   map[string]any  `json:"data"`
			Errors []apptest.Error `json:"errors"`
		}
		if err := json.Unmarshal(m.Payload, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.Data != nil || len(resp.Errors) != 1 || resp.Errors[0].Code() != "FORBIDDEN" ||
			!strings.Contains(strings.Join(stringsOf(resp.Errors[0].Extensions["requiredScopes"]), " "), scope) {
			t.Fatalf("subscribe answered %s, want FORBIDDEN naming %s", m.Payload, scope)
		}
		if m, err := wsRead(t, ctx, conn); err != nil || m.ID != "1" || m.Type != "complete" {
			t.Fatalf("after the refusal: %+v %v, want complete", m, err)
		}
	}
	t.Run("anonymous", func(t *testing.T) { refusedWith(t, nil, auth.ScopeEntityRead) })
	t.Run("without entity:read", func(t *testing.T) {
		tok := apptest.Token(t, auth.KindDepartment, "market", auth.ScopeRecordRead)
		refusedWith(t, map[string]any{"Authorization": "Bearer " + tok}, auth.ScopeEntityRead)
	})
	for name, payload := range map[string]map[string]any{
		"a token that does not verify": {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"},
		"not a bearer token":           {"Authorization": "Basic dXNlcjpwYXNz"},
		"a token signed by no issuer":  {"Authorization": "Bearer " + strings.Repeat("x", 40)},
	} {
		t.Run(name, func(t *testing.T) {
			conn, ctx := wsOpen(t, h, payload)
			m, err := wsRead(t, ctx, conn)
			if err == nil {
				t.Fatalf("connection_init with %s answered %+v, want the connection closed", name, m)
			}
			if st := websocket.CloseStatus(err); st != server.CloseUnauthenticated {
				t.Fatalf("closed with %v (%v), want %d", st, err, server.CloseUnauthenticated)
			}
			if !strings.Contains(err.Error(), "UNAUTHENTICATED") || strings.Contains(err.Error(), "eyJ") {
				t.Fatalf("close reason %q: want UNAUTHENTICATED, never the token", err)
			}
		})
	}
	t.Run("a bad token in the upgrade's header", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.URL, "http")+"/graphql", &websocket.DialOptions{
			Subprotocols: []string{"graphql-transport-ws"},
			HTTPHeader:   http.Header{"Authorization": {"Bearer not-a-token"}},
		})
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("upgrade with a bad token: %v %v, want 401", resp, err)
		}
	})
}

func stringsOf(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// SECURITY: a WebSocket connection lives no longer than the token it was
// opened with: at exp its subscription ends and the connection closes, so
// a token that has expired does not keep receiving events.
func TestWebsocketEndsWhenTheTokenExpires(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	tok, err := auth.MintDev(auth.DevToken{Kind: auth.KindDepartment, Org: "market", TTL: 2 * time.Second,
		Scopes: []string{auth.ScopeEntityRead, auth.ScopeRecordRead}})
	if err != nil {
		t.Fatal(err)
	}
	conn, ctx := wsOpen(t, h, map[string]any{"Authorization": "Bearer " + tok})
	if m, err := wsRead(t, ctx, conn); err != nil || m.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v %v", m, err)
	}
	if err := wsjson.Write(ctx, conn, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": subscribeWarnings}}); err != nil {
		t.Fatal(err)
	}
	// No event is due: the next thing the client reads is the end of the
	// connection, well before the test's 20s are up.
	for {
		m, err := wsRead(t, ctx, conn)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("the connection outlived its 2s token until the test gave up (20s): %v", err)
			}
			break
		}
		if m.Type == "next" {
			t.Logf("event before expiry: %s", m.Payload)
		}
	}
}

// SECURITY: a subscription's arguments are checked like a query's: a NUL
// in a variable is BAD_USER_INPUT naming the argument, and no subscription
// starts: the one check refuses it before the resolver sees it.
func TestWebsocketHostileArguments(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{Entities: 50})
	tok := apptest.Token(t, auth.KindDepartment, "market", auth.ScopeEntityRead, auth.ScopeRecordRead)
	conn, ctx := wsOpen(t, h, map[string]any{"Authorization": "Bearer " + tok})
	if m, err := wsRead(t, ctx, conn); err != nil || m.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v %v", m, err)
	}
	if err := wsjson.Write(ctx, conn, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($f: WarningFilter) { warnings(filter: $f) { id } }`,
		"variables": map[string]any{"f": map[string]any{"uscc": "912311836272654674", "rule": "PENALTY\x00"}},
	}}); err != nil {
		t.Fatal(err)
	}
	// gqlgen answers an operation refused before it runs with one next
	// carrying the errors, then complete.
	m, err := wsRead(t, ctx, conn)
	if err != nil || m.ID != "1" || (m.Type != "next" && m.Type != "error") ||
		!strings.Contains(string(m.Payload), `"code":"BAD_USER_INPUT"`) || !strings.Contains(string(m.Payload), `"field":"filter.rule"`) || !strings.Contains(string(m.Payload), `"rule":"nul"`) {
		t.Fatalf("subscribe answered %s %s %v, want an error naming filter.rule", m.Type, m.Payload, err)
	}
	if m.Type == "next" {
		if m, err := wsRead(t, ctx, conn); err != nil || m.ID != "1" || m.Type != "complete" {
			t.Fatalf("after the refusal: %s %s %v, want complete", m.Type, m.Payload, err)
		}
	}
}
