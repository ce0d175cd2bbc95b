// Package api is brokerfinder's REST API over Gin: handlers, request decoding,
// authentication and the one mapping from domain errors to HTTP responses.
// It is the only package (with internal/web) that imports Gin.
//
//	@title						brokerfinder API
//	@version					1
//	@description				Directory of employment support providers (Job Brokers and other provision) and choice matching for people on incapacity benefits.
//	@BasePath					/
//	@securityDefinitions.apikey	BearerToken
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by an API token.
package api

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/telemetry"
)

// Config is what the API needs.
type Config struct {
	Store directory.Store
	// Finder answers search and match, and is told about every write.
	Finder *finder.Finder
	Logger *slog.Logger
	// AdminToken, when set, is accepted as an admin bearer token in addition
	// to tokens in the store.
	AdminToken string
	// MaxBodyBytes caps request bodies; 0 means 1 MiB.
	MaxBodyBytes int64
	// RateLimit is how many requests a second one client address may make
	// for matches (POST /v1/match, the public page's results) and for
	// writes, each counted apart, with bursts of RateBurst; 0 turns all
	// limiting off. Health checks, static files and documentation are
	// never limited.
	RateLimit float64
	RateBurst int
	// ReadRateLimit and ReadRateBurst are the same for GET requests (public
	// data, ORUK, search, the pages), counted apart from the others; a
	// ReadRateLimit of 0 leaves reads unlimited. The Default* constants are
	// the service's defaults.
	ReadRateLimit float64
	ReadRateBurst int
	// RequestTimeout bounds every request; 0 means 10 s.
	RequestTimeout time.Duration
	// TrustedProxies are the addresses (CIDRs) whose X-Forwarded-For is
	// believed when telling clients apart; none by default.
	TrustedProxies []string
	// Mounts add more routes to the same engine after the API's (the public
	// pages, web.Routes), so they share its recovery, logging, limits and
	// security headers.
	Mounts []Mount
	// Service is the one path every write and match goes through. When nil
	// the API makes one on Store and Finder (with its own fairness
	// recorder, whose pending counts are lost at exit: serve passes a
	// service whose recorder it closes after shutting the server down).
	Service *service.Service
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// Telemetry, when set, counts, times and traces every request; with
	// MetricsRoute, GET /metrics serves its metrics to admins (serve sets it
	// when the metrics have no listener of their own).
	Telemetry    *telemetry.Telemetry
	MetricsRoute bool
}

// Server holds the API's dependencies.
type Server struct {
	store        directory.Store
	finder       *finder.Finder
	logger       *slog.Logger
	adminHash    string
	maxBodyBytes int64
	limiter      *limiter
	svc          *service.Service
	now          func() time.Time
	tel          *telemetry.Telemetry
	// proxies are Config.TrustedProxies, for X-Forwarded-Proto and -Host.
	proxies []netip.Prefix
}

// New returns the API as an http.Handler.
func New(cfg Config) http.Handler {
	s := &Server{store: cfg.Store, finder: cfg.Finder, logger: cfg.Logger, maxBodyBytes: cfg.MaxBodyBytes, svc: cfg.Service, now: cfg.Now, tel: cfg.Telemetry,
		proxies: parseProxies(cfg.TrustedProxies)}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	s.logger = slog.New(telemetry.LogHandler(s.logger.Handler()))
	if s.now == nil {
		s.now = time.Now
	}
	if s.svc == nil {
		s.svc = service.New(service.Config{Store: cfg.Store, Finder: cfg.Finder, Logger: s.logger, Now: s.now})
	}
	if s.maxBodyBytes <= 0 {
		s.maxBodyBytes = 1 << 20
	}
	if cfg.AdminToken != "" {
		s.adminHash = HashToken(cfg.AdminToken)
	}
	if cfg.RateLimit > 0 {
		s.limiter = newLimiter(cfg.RateLimit, cfg.RateBurst, cfg.ReadRateLimit, cfg.ReadRateBurst, maxClients, s.now)
	}
	timeout := cfg.RequestTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// Only configured proxies may say who the client is; by default the
	// connection's address is the client, so X-Forwarded-For cannot be used
	// to dodge the rate limit.
	_ = r.SetTrustedProxies(cfg.TrustedProxies)
	r.Use(s.observe, s.recoverPanics, s.logRequests, securityHeaders, cacheHeaders, s.capBody, timeLimit(timeout), s.handle(s.limitRequests), s.handle(s.rejectBadTokens), s.handle(rejectUnknownQuery), clientTags())
	r.NoRoute(s.handle(func(*gin.Context) error { return errRoute }))
	r.NoMethod(s.handle(func(*gin.Context) error { return errMethod }))

	r.GET("/healthz", s.handle(s.healthz))
	r.GET("/readyz", s.handle(s.readyz))
	if cfg.MetricsRoute && s.tel != nil {
		r.GET("/metrics", s.require(directory.RoleAdmin), s.metrics)
	}

	v1 := r.Group("/v1")
	v1.GET("/vocabularies", publicRead, s.handle(s.vocabularies))
	v1.GET("/providers", publicRead, s.handle(s.listProviders))
	v1.GET("/providers/:id", publicRead, s.handle(s.getProvider))
	v1.POST("/providers", s.require(directory.RoleAdmin), s.handle(s.createProvider))
	v1.PUT("/providers/:id", s.require(directory.RoleAdmin, directory.RoleProviderEditor), s.handle(s.updateProvider))
	v1.PATCH("/providers/:id", s.require(directory.RoleAdmin, directory.RoleProviderEditor), s.handle(s.patchProvider))
	v1.DELETE("/providers/:id", s.require(directory.RoleAdmin), s.handle(s.endProvider))
	v1.GET("/search", publicRead, s.handle(s.search))
	v1.POST("/match", s.handle(s.postMatch))
	s.registerWorkflow(v1)
	s.registerWebhooks(v1)
	s.registerORUK(r)
	for _, m := range cfg.Mounts {
		m(r)
	}
	return &handler{engine: r, next: wrapHTTP(&orukCORSHandler{engine: r})}
}

// Mount adds routes to the API's engine.
type Mount func(*gin.Engine)

// handle adapts a handler that returns an error, so that no path can forget
// to write one: a non-nil error is written once, as JSON, and the chain stops.
func (s *Server) handle(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.writeError(c, err)
			c.Abort()
		}
	}
}

// recoverPanics turns a panic into a logged 500 with no internal detail.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.ErrorContext(c.Request.Context(), "panic serving request", "method", c.Request.Method, "route", route(c), "panic", v)
			s.writeError(c, errInternal)
			c.Abort()
		}
	}()
	c.Next()
}

// logRequests logs one line per request: method, route, status, size and
// duration. It never logs query strings or bodies, which may hold a client's
// postcode or health details, nor the path itself: paths carry ids and
// shortlist codes (the code is the key to a shortlist), so the line names
// the route pattern (/v1/shortlists/:code) instead.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.logger.InfoContext(c.Request.Context(), "request",
		"method", c.Request.Method,
		"route", route(c),
		"status", c.Writer.Status(),
		"bytes", c.Writer.Size(),
		"duration", time.Since(start).Round(time.Microsecond))
}

// capBody caps every route's request body at MaxBodyBytes before any
// handler or Gin's form parsing reads it: a reader that errors past the cap
// instead of buffering whatever a client sends. Routes that take bodies
// refuse one declared too large before reading it (readJSONBody; the pages'
// form check, which caps its form lower still).
func (s *Server) capBody(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBodyBytes)
	}
	c.Next()
}

// route is the request's route pattern for logs, never the raw path; a
// request that matched no route is logged as "unmatched".
func route(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// publicRead lets pages on other sites (provider websites embedding a
// listing) read public data. Only public GET routes carry it; writes and
// matches (which carry health details) never do.
func publicRead(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	c.Next()
}

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	c.Next()
}

// finderReady returns ErrUnavailable until the search copies are loaded.
func (s *Server) finderReady() error {
	if s.finder == nil || !s.finder.Ready() {
		return directory.ErrUnavailable
	}
	return nil
}
