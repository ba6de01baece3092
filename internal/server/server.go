// Package server serves the graph over HTTP: /graphql (GraphQL over HTTP,
// POST and GET, and subscriptions over WebSocket, to the hub's own pages and
// to browsers on the configured origins: cors.go), GraphiQL at / and the
// dashboard at /dashboard with their assets under /assets/ (internal/web),
// the dashboard's development sign-in at /dev/token (devtoken.go, in
// development only), /healthz and /readyz. It builds the
// per-request state (request id, dataloaders) and holds the one error
// presenter.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"credithub/auth"
	"credithub/internal/hotlist"
	"credithub/internal/loaders"
	"credithub/internal/obs"
	"credithub/internal/sqldb"
	"credithub/internal/web"
)

// Options configure the HTTP server.
type Options struct {
	Schema graphql.ExecutableSchema
	// Loaders are the dependencies of each request's dataloaders.
	Loaders *loaders.Deps
	// Authenticator verifies bearer tokens.
	Authenticator auth.Authenticator
	// Rules are the schema's openness markings, enforced on every field.
	Rules *auth.Rules
	// QueryLog receives a row before any answer carrying personal data.
	QueryLog *auth.QueryLog
	// UnloggedPersonalData lets personal data leave with no query-log row:
	// development only (CREDITHUB_QUERY_LOG=off), to measure the log's cost.
	UnloggedPersonalData bool
	// Authorizations are agencies' written authorisations from persons.
	Authorizations auth.AuthorizationStore
	// Members are industry associations' members, as an association
	// caller reads them (T29).
	Members auth.MemberStore
	// PersonRef turns an ID number into the keyed hash the log stores.
	PersonRef func(idNo string) string
	// Databases are pinged by /readyz: ready only when every one answers.
	Databases []*sqldb.DB
	Logger    *slog.Logger
	// Introspection allows __schema queries (on in development).
	Introspection bool
	// GraphiQL serves the GraphiQL IDE at /.
	GraphiQL bool
	// Dashboard serves the reference dashboard at /dashboard.
	Dashboard bool
	// DevTokens serves the dashboard's development sign-in at /dev/token
	// (devtoken.go): `credithub dev` only, never `serve`.
	DevTokens bool
	// TokenMaxTTL are the longest lifetimes the hub accepts per token
	// kind (CREDITHUB_TOKEN_MAX_TTL): the development sign-in mints no
	// token the hub itself would refuse.
	TokenMaxTTL map[auth.Kind]time.Duration
	// CORSOrigins may call /graphql from a browser, over HTTP and
	// WebSocket: exact origins, as ParseOrigins reads them.
	CORSOrigins []string
	// Profiling serves net/http/pprof under /debug/pprof/ (development and
	// benchmarks: goroutine counts and profiles under load).
	Profiling bool
	// ReportStatements adds the request's SQL statement count per database to
	// the response's extensions (development and benchmarks).
	ReportStatements bool
	// Limits bound each document before it runs (nil: none).
	Limits *Limits
	// Trust applies the agencies' safelist, APQ and the introspection
	// policy (nil: APQ off, introspection as Introspection says).
	Trust *Trust
	// RateLimiter charges each request's cost to its client (nil: none).
	RateLimiter *RateLimiter
	// Metrics are served at /metrics and fed by every request (nil: none).
	Metrics *obs.Metrics
	// Breakers are the departments' circuits, reported by /readyz.
	Breakers []*loaders.Breaker
	// Admission bounds the operations executed at once over HTTP (nil:
	// unbounded); see admission.go.
	Admission *Admission
	// OnePass, when set, writes pages of credit records without gqlgen's
	// field by field execution (internal/hotlist; CREDITHUB_ONE_PASS).
	OnePass *hotlist.Writer
}

// New returns the hub's HTTP handler.
func New(o Options) http.Handler {
	gql := handler.New(o.Schema)
	gql.AddTransport(overWebsocket(o))
	if o.Admission != nil {
		o.Admission.onWait = o.Metrics.AdmissionWaited
	}
	gql.AddTransport(overHTTP{limits: o.Limits, rate: o.RateLimiter, admit: o.Admission, metrics: o.Metrics})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	// Order matters: introspection is enabled first, then Trust narrows it
	// by role and resolves persisted queries, then the limits measure the
	// document that will really run.
	if o.Introspection || o.Trust != nil {
		gql.Use(extension.Introspection{})
	}
	if o.Trust != nil {
		gql.Use(o.Trust)
	}
	if o.Limits != nil {
		gql.Use(o.Limits)
	}
	// Every string argument of the document that will run, bounded by the
	// limits above: NUL, control characters and damaged text are the
	// caller's mistake, refused before any SQL (hostile.go).
	gql.Use(Text{})
	gql.AroundOperations(observeOperation(o.Metrics))
	gql.SetErrorPresenter(presentError(o.Logger))
	gql.SetRecoverFunc(recoverPanic(o.Logger))
	gql.AroundFields(o.Rules.FieldMiddleware)
	// Inside the openness middleware: a page of records is written in one
	// pass only after the field that returns it passed its own rule.
	if o.OnePass != nil {
		gql.AroundFields(o.OnePass.FieldMiddleware)
	}
	// Outermost of all: each event of a subscription gets the fresh state a
	// request gets, before the query log looks at what it disclosed.
	gql.AroundResponses(perEvent(o))
	// Registered next, so it runs outside the rest: after every field
	// resolved and before the answer is written.
	if !o.UnloggedPersonalData {
		gql.AroundResponses(logPersonalData(o.QueryLog, o.Logger, o.Metrics))
	}
	if o.ReportStatements {
		gql.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
			resp := next(ctx)
			if resp != nil {
				if st := statsFrom(ctx); st != nil {
					counts := map[string]int64{}
					for _, db := range o.Databases {
						if n := st.Count(db); n > 0 {
							counts[db.Name] = n
						}
					}
					if resp.Extensions == nil {
						resp.Extensions = map[string]any{}
					}
					resp.Extensions["sqlStatements"] = counts
				}
			}
			return resp
		})
	}

	mux := http.NewServeMux()
	authn := auth.Middleware(o.Authenticator)
	mux.Handle("/graphql", withCORS(o.CORSOrigins, authn(withPrivacy(o, withLoaders(o.Loaders, gql)))))
	mux.Handle("GET "+web.AssetsPrefix, web.Assets())
	if o.GraphiQL {
		mux.Handle("GET /{$}", web.GraphiQL("/graphql"))
	}
	if o.Dashboard {
		mux.Handle("GET /dashboard", web.Dashboard("/graphql", o.DevTokens))
	}
	if o.DevTokens {
		mux.Handle("GET /dev/token", devTokens(o.TokenMaxTTL))
		mux.Handle("POST /dev/token", devTokens(o.TokenMaxTTL))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", readyz(o.Databases, o.Breakers))
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics.Handler())
	}
	if o.Profiling {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	}
	return withRequestID(mux)
}

type statsKey struct{}

func statsFrom(ctx context.Context) *sqldb.RequestStats {
	s, _ := ctx.Value(statsKey{}).(*sqldb.RequestStats)
	return s
}

// withPrivacy gives the request its privacy state: the declared purpose and
// the record of personal data disclosed.
func withPrivacy(o Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := auth.WithPurpose(r.Context(), r.Header.Get(auth.PurposeHeader))
		ctx = auth.WithRequest(ctx, newRequest(o))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// newRequest is a request's (or a subscription event's) privacy state.
func newRequest(o Options) *auth.Request {
	return auth.NewRequest(o.Authorizations, o.PersonRef, nil).WithMembers(o.Members)
}

// withLoaders builds the request's dataloaders and statement counters.
func withLoaders(deps *loaders.Deps, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, stats := sqldb.WithRequestStats(r.Context())
		ctx = context.WithValue(ctx, statsKey{}, stats)
		ctx = loaders.NewContext(ctx, loaders.New(deps))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// readyz answers 200 when every database answers within a second and no
// department's circuit is open, 503 naming what is not: a load balancer
// then sends traffic to instances that can answer in full.
func readyz(dbs []*sqldb.DB, breakers []*loaders.Breaker) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		type result struct {
			name string
			err  error
		}
		results := make(chan result, len(dbs))
		for _, db := range dbs {
			go func() { results <- result{db.Name, db.PingContext(ctx)} }()
		}
		status := map[string]string{}
		ready := true
		for range dbs {
			res := <-results
			status[res.name] = "ok"
			if res.err != nil {
				status[res.name] = "unavailable"
				ready = false
			}
		}
		circuits := map[string]string{}
		for _, b := range breakers {
			circuits[b.Department] = b.State()
			if b.Open() {
				ready = false
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ready": ready, "databases": status, "circuits": circuits})
	}
}

// observeOperation tags the operation's SQL with the request id and the
// operation name, traces it, and records it in the metrics.
func observeOperation(m *obs.Metrics) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		op := graphql.GetOperationContext(ctx)
		name := operationName(op)
		ctx = sqldb.WithTag(ctx, RequestID(ctx), name)
		ctx, span := obs.Tracer.Start(ctx, "graphql "+name)
		start := time.Now()
		handler := next(ctx)
		var once sync.Once
		return func(ctx context.Context) *graphql.Response {
			resp := handler(ctx)
			once.Do(func() {
				outcome := "ok"
				if resp != nil && len(resp.Errors) > 0 {
					outcome = "error"
				}
				m.ObserveRequest(name, outcome, time.Since(start))
				span.End()
			})
			return resp
		}
	}
}

// CloseUnauthenticated is the WebSocket close code of a connection whose
// connection_init carried a token that does not verify (graphql-ws's
// "Forbidden" for a refused connection_init).
const CloseUnauthenticated = 4403

// overWebsocket is the subscription transport: GraphQL over WebSocket, in
// both the graphql-transport-ws protocol and the older graphql-ws one.
// Browsers cannot set headers on a WebSocket, so the caller's token and
// purpose travel in connection_init's payload, as
// {"Authorization": "Bearer …", "X-Query-Purpose": "…"}, and are checked
// like the headers of a request: no token is the anonymous public (whose
// subscriptions the schema's markings refuse), a token that does not
// verify closes the connection. A page on the hub itself or on one of the
// CORS origins may connect; any other origin's handshake is refused.
func overWebsocket(o Options) transport.Websocket {
	return transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: coderws.AcceptOptions{OriginPatterns: originPatterns(o.CORSOrigins)},
		},
		InitFunc:    websocketInit(o),
		InitTimeout: 10 * time.Second,
		// graphql-ws: keep-alive messages; graphql-transport-ws: pings that
		// the client must answer, so that a client gone without closing is
		// noticed and its subscriptions end.
		KeepAlivePingInterval: 15 * time.Second,
		PingPongInterval:      20 * time.Second,
		ErrorFunc: func(ctx context.Context, err error) {
			if o.Logger != nil {
				o.Logger.DebugContext(ctx, "websocket", "err", err)
			}
		},
	}
}

// websocketInit authenticates connection_init's payload with the same
// Authenticator as the HTTP requests, and gives the connection what
// auth.Middleware and withPrivacy give a request: the principal, the
// declared purpose and a privacy state.
func websocketInit(o Options) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if h := strings.TrimSpace(payload.Authorization()); h != "" {
			scheme, tok, ok := strings.Cut(h, " ")
			tok = strings.TrimSpace(tok)
			if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
				return refuseInit(ctx, auth.ReasonMalformed)
			}
			p, err := o.Authenticator.Authenticate(ctx, tok)
			if err != nil {
				reason := auth.ReasonClaims
				var te *auth.TokenError
				if errors.As(err, &te) {
					reason = te.Reason
				}
				return refuseInit(ctx, reason)
			}
			ctx = auth.NewContext(ctx, p)
		}
		purpose := payload.GetString(auth.PurposeHeader)
		if purpose == "" {
			purpose = payload.GetString(strings.ToLower(auth.PurposeHeader))
		}
		if purpose != "" {
			ctx = auth.WithPurpose(ctx, purpose)
		}
		ctx = auth.WithRequest(ctx, newRequest(o))
		// The connection lives no longer than the token it was opened
		// with (connection_init's, or the upgrade request's): at exp its
		// subscriptions end and it closes; the client reconnects with a
		// fresh token.
		if exp := auth.FromContext(ctx).ExpiresAt(); !exp.IsZero() {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, exp)
			context.AfterFunc(ctx, cancel)
			ctx = transport.AppendCloseReason(ctx, "UNAUTHENTICATED: the token this connection was opened with has expired")
		}
		return ctx, nil, nil
	}
}

// refuseInit closes a connection whose token does not verify, naming the
// reason (auth.Reason…) and never the token.
func refuseInit(ctx context.Context, reason string) (context.Context, *transport.InitPayload, error) {
	msg := "UNAUTHENTICATED: the bearer token in connection_init was refused (" + reason + ")"
	ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, CloseUnauthenticated), msg)
	return ctx, nil, errors.New(msg)
}

// perEvent gives each event of a subscription the state a request has: its
// own dataloaders (a subscription lives for hours, and a loader caches what
// one answer needs, never longer) and its own privacy record (each event's
// query log row lists what that event disclosed). Queries and mutations
// keep the request's.
func perEvent(o Options) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if graphql.HasOperationContext(ctx) {
			if op := graphql.GetOperationContext(ctx); op.Operation != nil && op.Operation.Operation == ast.Subscription {
				ctx = loaders.NewContext(ctx, loaders.New(o.Loaders))
				ctx = auth.WithRequest(ctx, newRequest(o))
			}
		}
		return next(ctx)
	}
}
