package server_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2"

	"credithub/dev/bench/scenarios"
	"credithub/graph"
	"credithub/internal/obs"
	"credithub/internal/server"
)

// hostileDocuments are what an attacker sends to make the hub parse: a
// 10,000-alias document (refused at its size, unread), 2,000 aliases under
// the size limit (refused at the token count, unparsed) and depth 50
// (parsed, refused at the depth).
func hostileDocuments() map[string]string {
	var many strings.Builder
	many.WriteString("{ ")
	for i := 0; i < 10000; i++ {
		many.WriteString("a")
		many.WriteString(strings.Repeat("x", i%5))
		many.WriteString(": __typename ")
	}
	many.WriteString("}")
	return map[string]string{
		"10000aliases": many.String(),
		"2000aliases":  "{ entities(first: 1) { edges { node { " + strings.Repeat("a:uscc ", 2000) + "} } } }",
		"depth50":      nested(16),
	}
}

func limitedExecutor(tb testing.TB) *executor.Executor {
	es := graph.NewExecutableSchema(graph.Config{})
	exec := executor.New(es)
	l := server.DefaultLimits()
	exec.Use(&l)
	return exec
}

// The refusals come from gqlgen's real pipeline (size, tokens, parse,
// validation, measure), with no resolver behind it.
func TestHostileDocumentsRefusedBeforeExecution(t *testing.T) {
	t.Parallel()
	exec := limitedExecutor(t)
	want := map[string]string{"10000aliases": "bytes", "2000aliases": "tokens", "depth50": "depth"}
	for name, doc := range hostileDocuments() {
		ctx := graphql.StartOperationTrace(context.Background())
		_, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: doc, Variables: map[string]any{"u": "91231100MA1B2C3D4E"}})
		if len(errs) != 1 || errs[0].Extensions["limit"] != want[name] {
			t.Errorf("%s: %v, want a refusal at %s", name, errs, want[name])
		}
	}
}

// go test -run '^$' -bench Refuse -benchmem ./server/
func BenchmarkRefuseHostileDocument(b *testing.B) {
	exec := limitedExecutor(b)
	for name, doc := range hostileDocuments() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx := graphql.StartOperationTrace(context.Background())
				if _, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: doc, Variables: map[string]any{"u": "91231100MA1B2C3D4E"}}); len(errs) == 0 {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// The static cost follows the rules a client can work out from the
// schema: a connection multiplies what is under it by its first, a plain
// list by ten, a field its @cost weight; edges and node of a page do not
// multiply again. Points against the rate limit are GitHub's: the pages
// needed, over 100.
func TestStaticCost(t *testing.T) {
	t.Parallel()
	es := graph.NewExecutableSchema(graph.Config{})
	l := server.DefaultLimits()
	if err := l.Validate(es); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, query  string
		cost, points int
		vars         map[string]any
	}{
		{"one entity", `{ entity(uscc: "x") { name division { name } } }`, 2, 1, nil},
		// entities 1, its 100 edges and nodes, 100 records connections,
		// and 100×100 edges, nodes and sources.
		{"100 entities × 100 records",
			`{ entities(first: 100) { edges { node { records(first: 100) { edges { node { id source { code } } } } } } } }`,
			1 + 100 + 100 + 100 + 3*100*100, 2, nil},
		// The same page with grades: each weighs 10.
		{"100 grades", `{ entities(first: 100) { edges { node { rating { grade } } } } }`, 1 + 100 + 100 + 100*10, 1, nil},
		// A plain list is assumed to hold ten.
		{"persons' roles", `{ entity(uscc: "x") { responsiblePersons { person { roles { entity { name } } } } } }`, 1 + 1 + 10 + 10 + 100, 1, nil},
		// A fragment counts where it is spread.
		{"fragments", `query { a: entity(uscc: "x") { ...E } b: entity(uscc: "y") { ...E } } fragment E on MarketEntity { division { name } }`, 4, 1, nil},
		// A connection's pageInfo is one object, its edges the page.
		{"pageInfo once", `{ entities(first: 100) { pageInfo { hasNextPage } edges { node { name } } } }`, 1 + 1 + 100 + 100, 1, nil},
		// A router's batch counts each representation as an object.
		{"_entities", `query($r: [_Any!]!) { _entities(representations: $r) { ... on MarketEntity { division { name } } } }`, 3 + 3, 1,
			map[string]any{"r": []any{map[string]any{"__typename": "MarketEntity", "uscc": "a"}, map[string]any{"__typename": "MarketEntity", "uscc": "b"}, map[string]any{"__typename": "MarketEntity", "uscc": "c"}}}},
	} {
		doc, err := gqlparser.LoadQuery(es.Schema(), tc.query)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		m := l.Measure(doc, doc.Operations[0], tc.vars)
		if m.Cost != tc.cost || m.Points != tc.points {
			t.Errorf("%s: cost %d points %d, want %d and %d", tc.name, m.Cost, m.Points, tc.cost, tc.points)
		}
	}
}

// The work the production features add to every request, in process, for
// bench/README.md: the limits (size, tokens, measure) on the benchmark's
// S1 and S2 documents against the same pipeline without them, and the
// metrics and rate-limit bookkeeping of one S1 request (its 12 department
// batches).
//
//	go test -run '^$' -bench ProductionOverhead -benchmem ./server/
func BenchmarkProductionOverhead(b *testing.B) {
	es := graph.NewExecutableSchema(graph.Config{})
	plain := executor.New(es)
	l := server.DefaultLimits()
	if err := l.Validate(es); err != nil {
		b.Fatal(err)
	}
	docs := map[string]map[string]any{
		"S1": {"uscc": "91231100MA1B2C3D4M"},
		"S2": {"after": nil},
	}
	texts := map[string]string{"S1": scenarios.S1, "S2": scenarios.S2}
	for name, vars := range docs {
		// For scale: what gqlgen does with every document anyway.
		b.Run(name+"/parse-and-validate", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx := graphql.StartOperationTrace(context.Background())
				if _, errs := plain.CreateOperationContext(ctx, &graphql.RawParams{Query: texts[name], Variables: vars}); len(errs) > 0 {
					b.Fatal(errs)
				}
			}
		})
		doc, err := gqlparser.LoadQuery(es.Schema(), texts[name])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/limits", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := l.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: texts[name]}); err != nil {
					b.Fatal(err)
				}
				if m := l.Measure(doc, doc.Operations[0], vars); m.BadPage != "" {
					b.Fatal(m)
				}
			}
		})
	}
	b.Run("S1/metrics-and-rate-limit", func(b *testing.B) {
		m := obs.NewMetrics()
		rl := &server.RateLimiter{PerHour: 1 << 30, Anonymous: 1 << 30}
		req := httptest.NewRequest("POST", "/graphql", nil)
		deps := []string{"market", "market", "market", "market", "environment", "environment", "fire", "fire", "housing", "housing", "court", "court"}
		b.ReportAllocs()
		for b.Loop() {
			rl.Charge(context.Background(), req, 1)
			for _, d := range deps {
				m.ObserveBatch(d, "records", 1, "ok", time.Millisecond)
			}
			m.ObserveRequest(m.Operation("S1"), "ok", 15*time.Millisecond)
		}
	})
}

// The benchmark's scenarios, as the dashboards and departmental apps send
// them, pass the default limits; their costs are the figures the README
// quotes next to the default maximum.
func TestScenariosPassDefaultLimits(t *testing.T) {
	t.Parallel()
	es := graph.NewExecutableSchema(graph.Config{})
	l := server.DefaultLimits()
	if err := l.Validate(es); err != nil {
		t.Fatal(err)
	}
	usccs := make([]any, 50)
	for i := range usccs {
		usccs[i] = fmt.Sprintf("u%d", i)
	}
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		cost        int
	}{
		// entity, division, legal representative, the persons list and
		// its 10 assumed persons, records, its missing sources, 100 edges
		// and nodes with each node's source, disclosure and findings,
		// records' pageInfo, the sources list and its 10 departments. A
		// connection's pageInfo and missingSources exist once, not once
		// per edge.
		{"S1", scenarios.S1, map[string]any{"uscc": "x"}, 1 + 1 + 1 + 1 + 10 + 1 + 1 + 5*100 + 1 + 1 + 10},
		{"S2", scenarios.S2, nil, 1 + 100 + 100 + 100 + 3*100*5 + 1},
		// 50 checks weighing 10, their missing sources and measures
		// lists (10 assumed each), each measure's definition and triggers.
		{"C50", scenarios.C50, map[string]any{"usccs": usccs}, 50*10 + 50 + 50 + 500 + 500},
	} {
		doc, err := gqlparser.LoadQuery(es.Schema(), tc.query)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		m := l.Measure(doc, doc.Operations[0], tc.vars)
		t.Logf("%s: cost %d, depth %d, aliases %d", tc.name, m.Cost, m.Depth, m.Aliases)
		if m.Cost != tc.cost {
			t.Errorf("%s: cost %d, want %d", tc.name, m.Cost, tc.cost)
		}
		if m.Cost > l.MaxCost || m.Depth > l.MaxDepth {
			t.Errorf("%s: cost %d depth %d over the defaults %d and %d", tc.name, m.Cost, m.Depth, l.MaxCost, l.MaxDepth)
		}
	}
}
