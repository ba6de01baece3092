package obs_test

import (
	"context"
	"os"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"credithub/internal/app/apptest"
	"credithub/internal/obs"
)

func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

// A trace of one query shows its operation and, under it, a span per
// department batch naming the department, which is what an operator
// looks for when a query is slow.
func TestSpanPerDepartmentQuery(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	saved := obs.Tracer
	obs.Tracer = tp.Tracer("test")
	t.Cleanup(func() { obs.Tracer = saved; _ = tp.Shutdown(context.Background()) })

	h := apptest.Shared(t, apptest.Options{Entities: 30})
	r := h.Do(t, `query Profile($u: ID!) { entity(uscc: $u) { name records(first: 5) { edges { node { id } } } } }`,
		map[string]any{"u": h.World.Entities[0].USCC}, apptest.Department(t))
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	spans := exp.GetSpans()
	var root *tracetest.SpanStub
	for i := range spans {
		if spans[i].Name == "graphql Profile" {
			root = &spans[i]
		}
	}
	if root == nil {
		t.Fatalf("no span for the operation among %d spans", len(spans))
	}
	departments := map[string]bool{}
	for _, s := range spans {
		if s.Parent.SpanID() != root.SpanContext.SpanID() || s.SpanContext.TraceID() != root.SpanContext.TraceID() {
			continue
		}
		for _, a := range s.Attributes {
			if a.Key == "department" {
				departments[a.Value.AsString()] = true
			}
		}
	}
	for _, d := range []string{"market", "environment", "fire", "housing", "court"} {
		if !departments[d] {
			t.Errorf("no span for %s under the operation's (found %v)", d, departments)
		}
	}
}
