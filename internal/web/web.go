// Package web is the public search page and the embeddable listings:
// server-rendered html/template pages in GOV.UK Frontend's style, with every
// asset embedded in the binary so the service works offline. Every page
// works without JavaScript; the scripts only add conveniences ("use my
// location", a print button) and the GOV.UK components' behaviour.
//
// Health details never appear in a URL: the search form is posted, results
// are rendered in the POST response, and paging and refining re-post the
// answers as hidden fields. Links and GET forms carry provider ids only.
package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// Config is what the web pages need.
type Config struct {
	// Finder supplies every provider, search and match; pages read nothing
	// from the store directly, so they keep working when it is down.
	Finder *finder.Finder
	// Service makes every match, so the fairness reports count what the
	// public page shows.
	Service *service.Service
	// Shortlists, when set, serves the shortlists advisers save
	// (/shortlists/{code}); without it that page is not offered.
	Shortlists directory.ShortlistStore
	Logger     *slog.Logger
	// Now is the clock freshness is judged by; nil means time.Now.
	Now func() time.Time
}

type server struct {
	finder     *finder.Finder
	svc        *service.Service
	shortlists directory.ShortlistStore
	logger     *slog.Logger
	now        func() time.Time
	pages      map[string]*template.Template
	assets     *assetSet
}

// Routes returns Register bound to cfg, for api.Config.Mounts.
func Routes(cfg Config) func(*gin.Engine) {
	return func(r *gin.Engine) { Register(r, cfg) }
}

// Register adds the pages, embeds and assets to r. It runs after api.New,
// so the API's recovery, request logging and baseline security headers
// apply here too; each route below adds its own Content-Security-Policy.
func Register(r *gin.Engine, cfg Config) {
	if cfg.Service == nil {
		panic("web: Config.Service is required: every match goes through it")
	}
	s := &server{finder: cfg.Finder, svc: cfg.Service, shortlists: cfg.Shortlists, logger: cfg.Logger, now: cfg.Now, assets: loadAssets()}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.pages = parsePages(s.assets)

	page := r.Group("/", pageHeaders)
	page.GET("/", s.handle(s.home))
	page.POST("/results", s.formBody, s.handle(s.results))
	page.GET("/results", s.handle(s.resultsGet))
	page.GET("/questions", s.handle(s.questionsStart))
	page.POST("/place", s.formBody, s.place)
	page.POST("/questions", s.formBody, s.handle(s.questions))
	page.GET("/providers/:slug", s.handle(s.provider))
	page.GET("/accessibility", s.handle(s.static("accessibility", "Accessibility statement")))
	page.GET("/privacy", s.handle(s.static("privacy", "Privacy notice")))
	page.GET("/compare", s.handle(s.compare))
	page.POST("/compare", s.formBody, s.handle(s.compareResults))
	page.GET("/shortlist", s.handle(s.shortlist))
	page.POST("/shortlist", s.formBody, s.handle(s.shortlistResults))
	if s.shortlists != nil {
		page.GET("/shortlists/:code", s.handle(s.savedShortlist))
	}

	embed := r.Group("/embed", embedHeaders)
	embed.GET("/providers/:id", s.handle(s.embedProvider))
	embed.GET("/area", s.handle(s.embedArea))

	r.GET("/embed.js", s.embedScript)
	r.GET("/assets/*file", s.asset)
}

// handle adapts a handler that returns an error: the error becomes an HTML
// page (never JSON, never internal detail) and the chain stops.
func (s *server) handle(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			var nf notFound
			if errors.As(err, &nf) {
				s.render(c, http.StatusNotFound, "notfound", "Page not found", nil)
			} else {
				// The route pattern, never the path: paths hold
				// shortlist codes, which are the key to a shortlist.
				s.logger.ErrorContext(c.Request.Context(), "rendering page", "route", c.FullPath(), "err", err)
				s.render(c, http.StatusInternalServerError, "problem", "Sorry, there is a problem with the service", nil)
			}
			c.Abort()
		}
	}
}

// notFound is returned by handlers when the thing asked for does not exist.
type notFound struct{}

func (notFound) Error() string { return "not found" }

const nonceKey = "web.nonce"

// csp is the policy for every HTML response: nothing from other origins,
// scripts only from us or carrying this response's nonce, no inline styles.
func csp(nonce, frameAncestors string) string {
	return "default-src 'self'; script-src 'self' 'nonce-" + nonce + "'; style-src 'self'; " +
		"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors " + frameAncestors
}

func newNonce() string {
	var b [18]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// pageHeaders forbids framing: the pages hold a form, and clickjacking a
// person into a choice is exactly what the service must not allow.
func pageHeaders(c *gin.Context) {
	nonce := newNonce()
	c.Set(nonceKey, nonce)
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", csp(nonce, "'none'"))
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

// embedHeaders lets any site frame the embed pages (provider websites show
// their own listing); they hold no form and no client data.
func embedHeaders(c *gin.Context) {
	nonce := newNonce()
	c.Set(nonceKey, nonce)
	c.Writer.Header().Set("Content-Security-Policy", csp(nonce, "*"))
	c.Writer.Header().Set("Access-Control-Allow-Origin", "*")
	c.Next()
}
