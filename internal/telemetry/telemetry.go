// Package telemetry holds brokerfinder's metrics (Prometheus, on a registry
// of its own, never the global one) and traces (OpenTelemetry). Its methods
// are safe on a nil *Telemetry and then do nothing, so engines and tests that
// are given none pay nothing.
//
// Labels and span attributes are bounded and never carry client data: route
// patterns not paths, command names not filters, counts not needs.
package telemetry

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Telemetry is the service's metrics registry and tracer.
type Telemetry struct {
	reg    *prometheus.Registry
	tracer trace.Tracer

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	matchCandidates prometheus.Histogram
	matchResults    prometheus.Histogram
	searchResults   prometheus.Histogram
	storeDuration   *prometheus.HistogramVec
	storeErrors     *prometheus.CounterVec
	indexWrites     prometheus.Counter
}

// New returns a Telemetry whose spans go to tp (nil means none are
// recorded: a no-op tracer) and whose metrics include the Go runtime's and
// the process's.
func New(tp trace.TracerProvider) *Telemetry {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	counts := []float64{0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 20000, 100000}
	t := &Telemetry{
		reg:    prometheus.NewRegistry(),
		tracer: tp.Tracer("github.com/brokerfinder/brokerfinder"),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "brokerfinder_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "brokerfinder_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern, method and status.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		matchCandidates: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "brokerfinder_match_candidates", Help: "Providers a match considered (eligible plus excluded).", Buckets: counts,
		}),
		matchResults: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "brokerfinder_match_results", Help: "Eligible providers a match returned in total (all pages).", Buckets: counts,
		}),
		searchResults: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "brokerfinder_search_results", Help: "Providers a search found in total (all pages).", Buckets: counts,
		}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "brokerfinder_store_call_duration_seconds", Help: "Time of commands sent to the store, by command and collection.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation", "collection"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "brokerfinder_store_call_errors_total", Help: "Commands the store refused or that failed, by command and collection.",
		}, []string{"operation", "collection"}),
		indexWrites: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "brokerfinder_index_writes_total", Help: "Provider writes applied to the catalogue and search index.",
		}),
	}
	t.reg.MustRegister(t.requests, t.requestDuration, t.matchCandidates, t.matchResults, t.searchResults,
		t.storeDuration, t.storeErrors, t.indexWrites,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return t
}

// Handler serves the metrics in Prometheus's text format.
func (t *Telemetry) Handler() http.Handler {
	return promhttp.HandlerFor(t.reg, promhttp.HandlerOpts{Registry: t.reg})
}

// Registry is the registry the metrics are on (tests gather from it).
func (t *Telemetry) Registry() *prometheus.Registry { return t.reg }

// Tracer is the tracer spans are started on; a no-op one for a nil t.
func (t *Telemetry) Tracer() trace.Tracer {
	if t == nil {
		return noop.NewTracerProvider().Tracer("")
	}
	return t.tracer
}

// ObserveRequest counts one HTTP request. route must be a route pattern
// (or a fixed word such as "unmatched"), never a raw path.
func (t *Telemetry) ObserveRequest(route, method string, status int, d time.Duration) {
	if t == nil {
		return
	}
	s := statusText(status)
	t.requests.WithLabelValues(route, method, s).Inc()
	t.requestDuration.WithLabelValues(route, method, s).Observe(d.Seconds())
}

// StartMatch starts a match's span; end records its counts and ends it.
func (t *Telemetry) StartMatch(ctx context.Context) (context.Context, func(candidates, results int, err error)) {
	ctx, span := t.Tracer().Start(ctx, "match")
	return ctx, func(candidates, results int, err error) {
		if t != nil && err == nil {
			t.matchCandidates.Observe(float64(candidates))
			t.matchResults.Observe(float64(results))
		}
		endSpan(span, err, candidates, results)
	}
}

// StartSearch starts a search's span; end records its total and ends it.
func (t *Telemetry) StartSearch(ctx context.Context) (context.Context, func(results int, err error)) {
	ctx, span := t.Tracer().Start(ctx, "search")
	return ctx, func(results int, err error) {
		if t != nil && err == nil {
			t.searchResults.Observe(float64(results))
		}
		endSpan(span, err, -1, results)
	}
}

// StartIndexWrite starts the span of one write to the catalogue and index.
func (t *Telemetry) StartIndexWrite(ctx context.Context) func(err error) {
	_, span := t.Tracer().Start(ctx, "index.write")
	return func(err error) {
		if t != nil && err == nil {
			t.indexWrites.Inc()
		}
		endSpan(span, err, -1, -1)
	}
}

func statusText(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return itoa(code)
}

func itoa(n int) string {
	var b [3]byte
	b[0], b[1], b[2] = byte('0'+n/100), byte('0'+n/10%10), byte('0'+n%10)
	return string(b[:])
}
