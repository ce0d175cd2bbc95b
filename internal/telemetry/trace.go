package telemetry

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Propagator reads and writes W3C trace context (traceparent, tracestate).
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// TracerProvider returns an OTLP/HTTP-exporting tracer provider when the
// standard OTEL_EXPORTER_OTLP_ENDPOINT (or its traces-only form) is set, and
// nil otherwise, so that nothing is recorded or sent and spans cost a no-op
// call. The exporter reads the other OTEL_* variables itself. The returned
// function flushes and stops it.
func TracerProvider(ctx context.Context, getenv func(string) string) (trace.TracerProvider, func(context.Context) error, error) {
	if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return nil, func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	return tp, tp.Shutdown, nil
}

// endSpan ends span, noting an error (its kind only: messages may quote
// input) and the counts that are not negative.
func endSpan(span trace.Span, err error, candidates, results int) {
	if !span.IsRecording() {
		span.End()
		return
	}
	if candidates >= 0 {
		span.SetAttributes(attribute.Int("brokerfinder.candidates", candidates))
	}
	if results >= 0 {
		span.SetAttributes(attribute.Int("brokerfinder.results", results))
	}
	if err != nil {
		span.SetStatus(codes.Error, fmt.Sprintf("%T", err))
	}
	span.End()
}
