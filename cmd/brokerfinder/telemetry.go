package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/telemetry"
)

// startTelemetry makes serve's metrics and tracer: spans are exported by
// OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set. stop flushes them.
func startTelemetry(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*telemetry.Telemetry, func(), error) {
	tp, shutdown, err := telemetry.TracerProvider(ctx, getenv)
	if err != nil {
		return nil, nil, err
	}
	if tp != nil {
		logger.Info("tracing exported by OTLP")
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			logger.Warn("flushing traces", "err", err)
		}
	}
	return telemetry.New(tp), stop, nil
}

// watchEngine registers the metrics read from the finder, store and
// fairness recorder.
func watchEngine(tel *telemetry.Telemetry, f *finder.Finder, store *mongodb.Store, rec *service.Recorder) {
	tel.Watch(telemetry.Sources{
		Ready:     f.Ready,
		Catalogue: func() int { return f.Catalogue().Len() },
		Stale: func() int {
			n, now := 0, time.Now()
			f.Catalogue().Each(func(p *directory.Provider) bool {
				if p.Status != directory.StatusEnded && p.VerifiedBefore(now, directory.VerificationOverdueMonths) {
					n++
				}
				return true
			})
			return n
		},
		Position: f.Seq, Head: store.LastChange, CaughtUp: f.CaughtUp, Rebuilds: f.Rebuilds,
		RecorderQueue: rec.Queued, RecorderDropped: rec.Dropped,
	})
}

// serveMetrics serves the metrics on their own listener at addr and returns
// a function that stops it.
func serveMetrics(addr string, tel *telemetry.Telemetry, logger *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", tel.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("metrics listening", "url", fmt.Sprintf("http://%s/metrics", ln.Addr()))
	return func() { _ = srv.Close() }, nil
}
