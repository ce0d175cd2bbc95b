package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// StoreCallStarted times one command sent to the store and traces it as a
// client span; the function it returns ends both. op is the command's name
// (find, update, ...) and collection the collection's; neither ever holds a
// filter or a value. It satisfies mongodb.CallObserver.
func (t *Telemetry) StoreCallStarted(ctx context.Context, op, collection string) func(err error) {
	if t == nil {
		return func(error) {}
	}
	start := time.Now()
	_, span := t.tracer.Start(ctx, "store."+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system", "mongodb"), attribute.String("db.operation", op), attribute.String("db.collection", collection)))
	return func(err error) {
		t.storeDuration.WithLabelValues(op, collection).Observe(time.Since(start).Seconds())
		if err != nil {
			t.storeErrors.WithLabelValues(op, collection).Inc()
		}
		endSpan(span, err, -1, -1)
	}
}
