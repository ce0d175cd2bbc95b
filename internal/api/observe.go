package api

import (
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/brokerfinder/brokerfinder/internal/telemetry"
)

// requestIDHeader carries a request's id in and out.
const requestIDHeader = "X-Request-ID"

// observe is the outermost middleware, for the API and every page mounted
// on the same engine: it gives the request an id (the caller's when well
// formed), returns it, puts it in the context every log line of the request
// is written with, continues the caller's W3C trace (traceparent), and
// counts and times the request by route pattern and status. Nothing it
// records carries a path, query, body or id from the request.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	id := telemetry.RequestID(c.GetHeader(requestIDHeader))
	c.Header(requestIDHeader, id)
	ctx := telemetry.WithRequestID(c.Request.Context(), id)
	ctx = telemetry.Propagator.Extract(ctx, propagation.HeaderCarrier(c.Request.Header))
	rt := route(c)
	ctx, span := s.tel.Tracer().Start(ctx, c.Request.Method+" "+rt, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", c.Request.Method), attribute.String("http.route", rt)))
	c.Request = c.Request.WithContext(ctx)
	c.Next()
	status := c.Writer.Status()
	if span.IsRecording() {
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, "")
		}
	}
	span.End()
	s.tel.ObserveRequest(rt, c.Request.Method, status, time.Since(start))
}

// metrics serves the Prometheus metrics (mounted, admin only, when they
// have no listener of their own).
func (s *Server) metrics(c *gin.Context) {
	s.tel.Handler().ServeHTTP(c.Writer, c.Request)
}
