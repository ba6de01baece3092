package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"credithub/internal/apperr"
	"credithub/internal/obs"
)

// The two response media types of the GraphQL-over-HTTP specification.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// MaxBodyBytes bounds a request body. A real query is a few kilobytes.
const MaxBodyBytes = 1 << 20

// overHTTP is the GraphQL-over-HTTP transport
// (https://graphql.github.io/graphql-over-http/draft/), written here because
// gqlgen's POST and GET transports differ from it where clients notice: they
// echo an undecodable body back in the error, answer 406 instead of 405 for a
// mutation over GET, 400 instead of 415 for a wrong content type, and 422 for
// invalid documents under application/json.
//
// Status codes: a request that is not well-formed (body, JSON, media type,
// a body or query string that is not UTF-8) gets 4xx whatever the media
// type; a document that does not parse or validate, or whose arguments the
// hub refuses before running it (hostile.go), gets 400 under
// application/graphql-response+json and 200 under application/json (the
// legacy behaviour clients of that type expect), and no data entry under
// either; an executed operation gets 200, with errors in the body.
type overHTTP struct {
	limits  *Limits
	rate    *RateLimiter
	admit   *Admission
	metrics *obs.Metrics
}

var _ graphql.Transport = overHTTP{}

func (t overHTTP) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && (r.Method == http.MethodPost || r.Method == http.MethodGet)
}

// request is the JSON body of a POST, or the URL parameters of a GET.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

func (t overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := responseMedia(r.Header.Get("Accept"))
	if !ok {
		writeProtocolError(w, mediaJSON, http.StatusNotAcceptable,
			"Accept must allow application/graphql-response+json or application/json")
		return
	}
	var req request
	switch r.Method {
	case http.MethodPost:
		ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || ct != mediaJSON {
			writeProtocolError(w, media, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeProtocolError(w, media, http.StatusRequestEntityTooLarge, "request body is larger than 1 MiB")
				return
			}
			writeProtocolError(w, media, http.StatusBadRequest, "the request body could not be read")
			return
		}
		// JSON is UTF-8 (RFC 8259 §8.1); Go's decoder would quietly turn
		// the bytes that are not into U+FFFD.
		if !utf8.Valid(body) {
			writeProtocolError(w, media, http.StatusBadRequest, "request body must be UTF-8 (JSON is UTF-8)")
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&req); err != nil {
			writeProtocolError(w, media, http.StatusBadRequest, "request body must be a JSON object with a query string")
			return
		}
		if dec.More() {
			writeProtocolError(w, media, http.StatusBadRequest, "request body must hold exactly one JSON object")
			return
		}
	case http.MethodGet:
		q := r.URL.Query()
		for name, vs := range q {
			for _, v := range append(vs, name) {
				if !utf8.ValidString(v) {
					writeProtocolError(w, media, http.StatusBadRequest, "the query string must be UTF-8 once percent-decoded")
					return
				}
			}
		}
		req.Query, req.OperationName = q.Get("query"), q.Get("operationName")
		for name, dst := range map[string]*map[string]any{"variables": &req.Variables, "extensions": &req.Extensions} {
			if v := q.Get(name); v != "" {
				dec := json.NewDecoder(strings.NewReader(v))
				dec.UseNumber()
				if err := dec.Decode(dst); err != nil {
					writeProtocolError(w, media, http.StatusBadRequest, name+" must be a JSON object")
					return
				}
			}
		}
	}
	if strings.TrimSpace(req.Query) == "" && req.Extensions["persistedQuery"] == nil {
		writeProtocolError(w, media, http.StatusBadRequest, "the request has no query")
		return
	}

	raw := &graphql.RawParams{
		Query: req.Query, OperationName: req.OperationName, Variables: req.Variables,
		Extensions: req.Extensions, Headers: r.Header,
	}
	raw.ReadTime.Start = graphql.Now()
	raw.ReadTime.End = graphql.Now()
	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, raw)
	if errs != nil {
		for _, e := range errs {
			if code, ok := e.Extensions["code"].(string); ok && (code == apperr.QueryTooComplex || code == apperr.OperationNotAllowed) {
				t.metrics.Refusal(code)
			}
		}
		w.Header().Set("Content-Type", media)
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		w.WriteHeader(status)
		writeJSON(w, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs))
		return
	}
	if op := opCtx.Doc.Operations.ForName(opCtx.OperationName); op != nil && op.Operation == ast.Subscription {
		writeProtocolError(w, media, http.StatusBadRequest, "subscriptions run over WebSocket (graphql-transport-ws) at /graphql, not over POST or GET")
		return
	}
	if r.Method == http.MethodGet {
		if op := opCtx.Doc.Operations.ForName(opCtx.OperationName); op == nil || op.Operation != ast.Query {
			w.Header().Set("Allow", http.MethodPost)
			writeProtocolError(w, media, http.StatusMethodNotAllowed, "GET runs queries only; send mutations with POST")
			return
		}
	}
	// What the query costs, in every answer (extensions.cost), so that a
	// client sees its budget without asking for it in the query as GitHub's
	// rateLimit field makes it do.
	var costExt map[string]any
	cost := 1
	if t.limits != nil {
		m := t.limits.Measure(opCtx.Doc, opCtx.Operation, opCtx.Variables)
		cost = m.Points
		costExt = map[string]any{"static": m.Cost, "points": m.Points}
	}
	if t.rate != nil {
		// Charged before it runs, its static cost, as GitHub's API does.
		b := t.rate.Charge(ctx, r, cost)
		b.setHeaders(w.Header())
		if b.Exceeded {
			t.metrics.Refusal(apperr.RateLimited)
			writeRetryLater(w, media, http.StatusTooManyRequests, int(time.Until(b.Reset).Seconds())+1,
				fmt.Sprintf("this client's budget of %d points per hour is spent (this query costs %d); it is renewed at %s",
					b.Limit, cost, b.Reset.Format(time.RFC3339)),
				map[string]any{"code": apperr.RateLimited, "cost": cost, "limit": b.Limit,
					"remaining": b.Remaining, "resetAt": b.Reset.Format(time.RFC3339)})
			return
		}
		if costExt == nil {
			costExt = map[string]any{"points": cost}
		}
		costExt["limit"], costExt["remaining"], costExt["resetAt"] = b.Limit, b.Remaining, b.Reset.Format(time.RFC3339)
	}
	// Its turn comes after every check that costs nothing to run, so that
	// a refused document never waits, and before anything executes.
	release, admitted := t.admit.Enter(ctx)
	if !admitted {
		t.metrics.Refusal(apperr.Overloaded)
		writeRetryLater(w, media, http.StatusServiceUnavailable, 1,
			fmt.Sprintf("this instance is answering its limit of %d requests at once and none finished within %s; retry in a second",
				t.admit.Limit(), t.admit.wait),
			map[string]any{"code": apperr.Overloaded, "limit": t.admit.Limit()})
		return
	}
	defer release()
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if costExt != nil && resp != nil {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = costExt
	}
	w.Header().Set("Content-Type", media)
	writeJSON(w, resp)
}

// responseMedia picks the response media type from Accept. No Accept header
// means application/json, as the specification asks for legacy clients.
func responseMedia(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	best, bestQ := "", -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		var m string
		switch mt {
		case mediaGraphQLResponse:
			m = mediaGraphQLResponse
		case mediaJSON:
			m = mediaJSON
		case "application/*", "*/*":
			m = mediaJSON
		default:
			continue
		}
		if q > bestQ || (q == bestQ && m == mediaGraphQLResponse) {
			best, bestQ = m, q
		}
	}
	if best == "" || bestQ <= 0 {
		return "", false
	}
	return best, true
}

// writeRetryLater refuses a request before it runs, for a while: status,
// Retry-After in seconds, one error with its extensions.
func writeRetryLater(w http.ResponseWriter, media string, status, retryAfter int, msg string, ext map[string]any) {
	w.Header().Set("Content-Type", media)
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	w.WriteHeader(status)
	writeJSON(w, &graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: ext}}})
}

// writeProtocolError answers a request that never reached GraphQL.
func writeProtocolError(w http.ResponseWriter, media string, status int, msg string) {
	w.Header().Set("Content-Type", media)
	w.WriteHeader(status)
	writeJSON(w, &graphql.Response{Errors: gqlerror.List{{
		Message:    msg,
		Extensions: map[string]any{"code": apperr.BadRequest},
	}}})
}

// writeJSON writes a response. One that never reached execution (a
// request that is not GraphQL, a document that does not parse or validate,
// a refused argument, a rate limit) has no data entry at all: the GraphQL
// specification (§7.1.1 "If an error was raised before execution begins,
// the data entry should not be present") and GraphQL over HTTP's
// application/graphql-response+json ask for that, where gqlgen's Response
// would write "data": null. An executed operation keeps its data, null
// included (a null that reached the root).
//
// The bytes are json.Marshal's, but the data is not handed to
// encoding/json. Why: Data is a json.RawMessage gqlgen has already
// written, and json.Marshal re-scans a RawMessage to compact it
// (appendCompact), one step of its scanner per byte, then copies the whole
// body out of its buffer: 4–7% of the hub's CPU on a page of 100 entities
// and on S2 (issue #16, point 3), to remove whitespace gqlgen never
// writes. What json.Marshal also does to the data is kept, the escaping of
// <, >, & and U+2028, U+2029 (writeHTMLSafe), so that the body stays as
// safe to embed in HTML or a script as it was. Everything around the data
// (errors, label, path, hasNext, extensions) is still json.Marshal's, in
// graphql.Response's field order and with its omitempty rules, and is
// marshalled before the first byte is written, so that a value
// encoding/json refuses still turns the whole answer into an internal
// error. TestWriteJSONIsJSONMarshal compares the two writers.
func writeJSON(w io.Writer, resp *graphql.Response) {
	head, tail, err := envelope(resp)
	if err != nil {
		_, _ = w.Write([]byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`))
		return
	}
	_, _ = w.Write(head)
	if tail != nil {
		writeHTMLSafe(w, resp.Data)
		_, _ = w.Write(tail)
	}
}

// envelope is what writeJSON writes around resp's data: head up to
// `"data":` and tail after it. Without data (nil tail), head is the whole
// answer.
func envelope(resp *graphql.Response) (head, tail []byte, err error) {
	if resp == nil || resp.Data == nil {
		var v any = resp // nil: null, as json.Marshal writes a nil pointer
		if resp != nil {
			v = struct {
				Errors     gqlerror.List  `json:"errors,omitempty"`
				Extensions map[string]any `json:"extensions,omitempty"`
			}{resp.Errors, resp.Extensions}
		}
		head, err = json.Marshal(v)
		return head, nil, err
	}
	if len(resp.Data) == 0 {
		// json.Marshal refuses an empty RawMessage: it is no JSON value.
		return nil, nil, errors.New("the response's data is empty")
	}
	head = []byte(`{`)
	if len(resp.Errors) > 0 {
		b, err := json.Marshal(resp.Errors)
		if err != nil {
			return nil, nil, err
		}
		head = append(append(append(head, `"errors":`...), b...), ',')
	}
	head = append(head, `"data":`...)
	if resp.Label == "" && len(resp.Path) == 0 && resp.HasNext == nil && len(resp.Extensions) == 0 {
		return head, []byte(`}`), nil
	}
	// The fields after data, marshalled as graphql.Response's tags say.
	b, err := json.Marshal(struct {
		Label      string         `json:"label,omitempty"`
		Path       ast.Path       `json:"path,omitempty"`
		HasNext    *bool          `json:"hasNext,omitempty"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Label, resp.Path, resp.HasNext, resp.Extensions})
	if err != nil {
		return nil, nil, err
	}
	b[0] = ',' // its {, now the comma after data; its } closes the answer
	return head, b, nil
}

// writeHTMLSafe writes the JSON value src escaping <, >, & and U+2028,
// U+2029 as \u003c, \u003e, \u0026, \u2028, \u2029: what json.Marshal's
// compaction of a RawMessage (encoding/json's appendCompact, escapeHTML)
// writes for the compact JSON gqlgen writes. It does not check that src is
// JSON: gqlgen's marshallers wrote it. Runs between escapes are written
// as they are, without a copy.
func writeHTMLSafe(w io.Writer, src []byte) {
	const hex = "0123456789abcdef"
	esc := []byte(`\u0000`)
	start := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '<' || c == '>' || c == '&':
			esc[2], esc[3], esc[4], esc[5] = '0', '0', hex[c>>4], hex[c&0xF]
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			esc[2], esc[3], esc[4], esc[5] = '2', '0', '2', hex[src[i+2]&0xF]
		default:
			continue
		}
		if start < i {
			_, _ = w.Write(src[start:i])
		}
		_, _ = w.Write(esc)
		if esc[2] == '2' {
			i += 2 // the separator's other two bytes
		}
		start = i + 1
	}
	if start < len(src) {
		_, _ = w.Write(src[start:])
	}
}
