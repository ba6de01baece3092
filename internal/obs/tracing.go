package obs

import (
	"context"
	"fmt"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Tracer is the hub's tracer; a no-op until StartTracing configures one.
var Tracer trace.Tracer = noop.NewTracerProvider().Tracer("credithub")

// StartTracing installs an exporter: "stdout" (development), "otlp" (an
// OTLP/HTTP collector, endpoint from OTEL_EXPORTER_OTLP_ENDPOINT) or "" /
// "off". It returns the function that flushes and stops it.
func StartTracing(ctx context.Context, exporter string) (func(context.Context) error, error) {
	var exp sdktrace.SpanExporter
	var err error
	switch exporter {
	case "", "off":
		return func(context.Context) error { return nil }, nil
	case "stdout":
		exp, err = stdouttrace.New(stdouttrace.WithWriter(os.Stderr))
	case "otlp":
		exp, err = otlptracehttp.New(ctx)
	default:
		return nil, fmt.Errorf("CREDITHUB_TRACING must be off, stdout or otlp, got %q", exporter)
	}
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName("credithub"))),
	)
	otel.SetTracerProvider(tp)
	Tracer = tp.Tracer("credithub")
	return tp.Shutdown, nil
}
