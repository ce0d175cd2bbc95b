package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/web"
	"github.com/brokerfinder/brokerfinder/internal/web/staff"
	"github.com/brokerfinder/brokerfinder/internal/webhook"
)

// defaultMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT
// is not set. At 100,000 providers about 440 MB of the heap is live (the
// catalogue); the rest is room for garbage, and the less room, the more
// often the collector runs. At 768 MiB it ran every two seconds under the
// load command; at 880 MiB the process stays near 915 MB resident, inside
// the 1 GiB target, and match p99 fell by a few milliseconds.
const defaultMemoryLimit = 880 << 20

// limitMemory sets the default soft memory limit unless GOMEMLIMIT is set.
// Garbage from busy searches, or from building the index, otherwise lets
// the heap grow to twice what is live (a reindex of 100,000 providers
// peaked at 1.4 GB); a soft limit makes the collector work harder instead
// (the reindex took 20 s instead of 18, peaking at 950 MB).
func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := parseConfig("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	logger, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	logger.Info("starting brokerfinder", append([]any{"version", version}, cfg.logValues()...)...)
	limitMemory(getenv)

	tel, stopTelemetry, err := startTelemetry(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer stopTelemetry()
	store, closeStore, err := openStoreWith(ctx, cfg, logger, mongodb.Options{Observer: tel})
	if err != nil {
		return err
	}
	defer closeStore()

	// An empty store gets the seed directory, so a fresh checkout serves a
	// realistic directory with no set-up. (HasProviders, not a count: on
	// the embedded store a count decodes every record, minutes at 100k.)
	has, err := store.HasProviders(ctx)
	if err != nil {
		return err
	}
	if !has {
		if _, statErr := os.Stat(cfg.SeedDir); statErr == nil {
			providers, err := seed.Load(os.DirFS(cfg.SeedDir))
			if err != nil {
				return err
			}
			// Seeded before the search copies open, which then build
			// the index in one pass rather than a record at a time.
			seeder := service.New(service.Config{Store: store, Logger: logger})
			rep, err := seeder.ImportProviders(service.Tool(ctx, "brokerfinder serve (first start)"), providers, service.ImportOptions{Action: "provider.seed"})
			if err != nil {
				return err
			}
			logger.Info("empty store seeded", "dir", cfg.SeedDir, "result", rep.String())
		} else {
			logger.Warn("store is empty and there is no seed directory", "seed_dir", cfg.SeedDir)
		}
	}

	geocoder, err := geo.New(geo.Config{PostcodesFile: cfg.PostcodesFile, HTTPURL: string(cfg.GeocoderURL)})
	if err != nil {
		return err
	}
	f, err := finder.Open(ctx, finder.Config{
		Store: store, Changes: store, PollInterval: time.Second,
		IndexDir: filepath.Join(cfg.DataDir, "index"), Geocoder: geocoder, Logger: logger, Telemetry: tel,
	})
	if err != nil {
		return err
	}
	defer f.Close()

	// The recorder outlives the HTTP server: it is closed after Shutdown so
	// the counts of the last requests are written.
	recorder := service.NewRecorder(store, logger, 0)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := recorder.Close(ctx); err != nil {
			logger.Error("writing the last exposure counts", "err", err)
		}
	}()
	policy, err := webhook.NewPolicy(cfg.WebhookAllowHosts)
	if err != nil {
		return fmt.Errorf("BROKERFINDER_WEBHOOK_ALLOW_HOSTS: %w", err)
	}
	svc := service.New(service.Config{Store: store, Finder: f, Recorder: recorder, Logger: logger,
		Webhooks: service.WebhookConfig{Policy: policy, RetryBase: time.Duration(cfg.WebhookRetryBase)}})
	watchEngine(tel, f, store, recorder)
	// Stopped before the store closes (defers run in reverse).
	stopRetention := startRetention(ctx, svc, service.Retention(cfg.ReferralRetention), retentionEvery, logger)
	defer stopRetention()
	// Expired shortlists are deleted, not kept behind a 410: at start and
	// hourly (a shortlist lives 30 days, so an hour late is nothing).
	sweepCtx, stopSweep := context.WithCancel(ctx)
	sweepDone := make(chan struct{})
	go func() { defer close(sweepDone); svc.SweepShortlists(sweepCtx, time.Hour) }()
	defer func() { stopSweep(); <-sweepDone }()
	// Every replica sends webhooks: each attempt is claimed in the store,
	// so they share the outbox without sending an attempt twice at once.
	deliverCtx, stopDeliver := context.WithCancel(ctx)
	deliverDone := make(chan struct{})
	go func() { defer close(deliverDone); svc.DeliverWebhooks(deliverCtx, time.Second) }()
	defer func() { stopDeliver(); <-deliverDone }()
	oidcCfg, err := cfg.oidcConfig()
	if err != nil {
		return err
	}
	var signIn *staff.OIDC
	if oidcCfg != nil {
		if signIn, err = staff.NewOIDC(ctx, *oidcCfg); err != nil {
			return err
		}
	}
	staffCfg := staff.Config{Service: svc, Sessions: store, AdminToken: cfg.AdminToken, OIDC: signIn, Logger: logger,
		IdleTimeout: time.Duration(cfg.SessionIdleTimeout), AbsoluteTimeout: time.Duration(cfg.SessionAbsoluteTimeout)}
	staffRoutes, sessions := staff.Routes(staffCfg)
	handler := api.New(api.Config{
		Store: store, Finder: f, Logger: logger, AdminToken: cfg.AdminToken,
		RateLimit: float64(cfg.RateLimit), RateBurst: int(cfg.RateBurst),
		ReadRateLimit: float64(cfg.ReadRateLimit), ReadRateBurst: int(cfg.ReadRateBurst), TrustedProxies: cfg.TrustedProxies,
		RequestTimeout: time.Duration(cfg.RequestTimeout), Service: svc, Telemetry: tel, MetricsRoute: cfg.MetricsAddr == "",
		Mounts: []api.Mount{
			web.Routes(web.Config{Finder: f, Service: svc, Shortlists: store, Logger: logger}),
			staffRoutes,
		},
	})
	// Ended staff sessions are swept every ten minutes; each is refused as
	// soon as it ends whatever the sweep.
	sessionCtx, stopSessions := context.WithCancel(ctx)
	sessionsDone := make(chan struct{})
	go func() { defer close(sessionsDone); sessions.Sweep(sessionCtx, 10*time.Minute) }()
	defer func() { stopSessions(); <-sessionsDone }()
	if cfg.MongoURI == "" {
		stopAdmin, err := serveAdminSocket(adminSocketPath(cfg), svc, store, logger)
		if err != nil {
			return err
		}
		defer stopAdmin()
	}
	ln, err := net.Listen("tcp", string(cfg.Addr))
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	logger.Info("listening", "url", fmt.Sprintf("http://%s", ln.Addr()))
	if cfg.MetricsAddr != "" {
		stop, err := serveMetrics(string(cfg.MetricsAddr), tel, logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	if cfg.PprofAddr != "" {
		stop, err := servePprof(string(cfg.PprofAddr), logger)
		if err != nil {
			return err
		}
		defer stop()
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// servePprof serves net/http/pprof's handlers on addr, apart from the
// service's own routes, and returns a function that stops it.
func servePprof(addr string, logger *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("profiler: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("profiler listening", "url", fmt.Sprintf("http://%s/debug/pprof/", ln.Addr()))
	return func() { _ = srv.Close() }, nil
}
