package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"

	"credithub/graph"
	"credithub/server"
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
