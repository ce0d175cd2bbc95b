// Package staff is the adviser workspace: server-rendered pages for staff
// who sign in (by the organisation's OpenID Connect provider, or with an
// access key), in the public pages' GOV.UK style and assets.
//
// Sign-in and sessions are a layer of their own (session.go, signin.go) so
// later staff pages (provider editors', admins') mount behind the same
// middleware: Sessions.Require yields the signed-in Person and authorises
// with the API's own rule (api.Permit), and every write goes through
// internal/service with the person as the audited actor.
//
// A client's needs are health data: they travel only in POST bodies (as
// hidden fields from one step to the next), never in a URL, the session or
// a log. Links carry provider ids and shortlist codes only.
package staff

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/web"
)

// Config is what the staff pages need.
type Config struct {
	// Service makes every match and write, and gives the store.
	Service *service.Service
	// Sessions keeps the sign-in sessions; the database's, so replicas
	// share them.
	Sessions directory.SessionStore
	// AdminToken is BROKERFINDER_ADMIN_TOKEN, accepted as an access key as
	// the API accepts it.
	AdminToken string
	// IdleTimeout and AbsoluteTimeout end a session unused for that long,
	// and whatever the use, after that long (defaults 30 min and 8 h).
	IdleTimeout, AbsoluteTimeout time.Duration
	// OIDC, when set, offers sign-in with the organisation's identity
	// provider.
	OIDC   *OIDC
	Logger *slog.Logger
	// Now is the clock; nil means the service's.
	Now func() time.Time
}

// ShortlistLister lists the shortlists a person saved, newest first; the
// home page uses it when the store has it.
type ShortlistLister interface {
	ShortlistsBy(ctx context.Context, createdBy string, limit int) ([]directory.Shortlist, error)
}

type server struct {
	svc       *service.Service
	store     directory.Store
	sessions  *Sessions
	oidc      *OIDC
	logger    *slog.Logger
	now       func() time.Time
	pages     map[string]*template.Template
	shortlist ShortlistLister
}

// Routes returns a function adding the staff pages under /staff to an
// engine (for api.Config.Mounts) and the session layer, for other staff
// pages to mount behind and for the sweep of ended sessions.
func Routes(cfg Config) (func(*gin.Engine), *Sessions) {
	s := newServer(cfg)
	return s.register, s.sessions
}

// Register adds the staff pages under /staff to r and returns the session
// layer.
func Register(r *gin.Engine, cfg Config) *Sessions {
	s := newServer(cfg)
	s.register(r)
	return s.sessions
}

func newServer(cfg Config) *server {
	if cfg.Service == nil || cfg.Sessions == nil {
		panic("staff: Config.Service and Config.Sessions are required")
	}
	s := &server{svc: cfg.Service, store: cfg.Service.Store(), oidc: cfg.OIDC, logger: cfg.Logger, now: cfg.Now}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = cfg.Service.Now
	}
	s.shortlist, _ = s.store.(ShortlistLister)
	s.pages = parsePages()
	s.sessions = newSessions(cfg, s.store, s.now, s.logger)
	s.sessions.render = s.render
	return s
}

func (s *server) register(r *gin.Engine) {
	g := r.Group("/staff", web.PageHeaders, noStore, s.sessions.crossOrigin)
	g.GET("/sign-in", s.sessions.Optional, s.handle(s.signInPage))
	g.POST("/sign-in", s.formBody, s.handle(s.signInKey))
	g.POST("/sign-out", s.handle(s.signOut))
	if s.oidc != nil {
		g.GET("/sign-in/oidc", s.handle(s.oidcStart))
		g.GET("/sign-in/callback", s.handle(s.oidcCallback))
	}

	adviser := g.Group("", s.sessions.Require(directory.RoleAdviser))
	adviser.GET("/", s.handle(s.home))
	adviser.GET("/interview", s.handle(s.interviewGet))
	adviser.POST("/interview", s.formBody, s.handle(s.interviewPost))
	adviser.POST("/compare", s.formBody, s.handle(s.compare))
	adviser.POST("/shortlists", s.formBody, s.handle(s.saveShortlist))
	adviser.GET("/shortlists/:code", s.handle(s.savedShortlist))
	adviser.POST("/refer", s.formBody, s.handle(s.referForm))
	adviser.POST("/referrals", s.formBody, s.handle(s.createReferral))
	adviser.GET("/referrals", s.handle(s.referrals))
	adviser.GET("/referrals/:id", s.handle(s.referral))
	adviser.POST("/referrals/:id/withdraw", s.formBody, s.handle(s.withdraw))
	adviser.POST("/referrals/:id/withdraw-consent", s.formBody, s.handle(s.withdrawConsent))
	r.GET("/staff.js", s.script)
}

// noStore keeps staff pages out of every cache: they hold clients' answers
// and the person's own work.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Next()
}

//go:embed templates/*.html
var templateFS embed.FS

// view is what every staff template gets.
type view struct {
	Title  string
	Nonce  string
	Person *Person
	Errors []fieldError
	Data   any
}

type fieldError struct {
	Field   string
	Message string
}

var pageFiles = map[string][]string{
	"signin":    {"signin.html"},
	"home":      {"home.html"},
	"interview": {"needs.html", "interview.html"},
	"compare":   {"needs.html", "compare.html"},
	"saved":     {"saved.html"},
	"refer":     {"needs.html", "refer.html"},
	"referrals": {"referrals.html"},
	"referral":  {"referral.html"},
	"problem":   {"problem.html"},
}

func parsePages() map[string]*template.Template {
	out := make(map[string]*template.Template, len(pageFiles))
	for name, files := range pageFiles {
		paths := []string{"templates/layout.html", "templates/parts.html"}
		for _, f := range files {
			paths = append(paths, "templates/"+f)
		}
		out[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, paths...))
	}
	return out
}

// render writes page name with status, into a buffer first so a template
// error becomes a clean 500 rather than half a page.
func (s *server) render(c *gin.Context, status int, name, title string, data any, errs ...fieldError) {
	v := view{Title: title, Nonce: web.Nonce(c), Person: PersonFrom(c), Errors: errs, Data: data}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.logger.Error("executing staff template", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Sorry, there is a problem with the service."))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// handle turns a handler's error into a page: validation problems were
// shown by the handler; not found and forbidden get their own wording;
// anything else is logged by route (paths hold codes) and shown as 500.
func (s *server) handle(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		err := h(c)
		if err == nil {
			return
		}
		c.Abort()
		switch {
		case errors.Is(err, directory.ErrNotFound):
			s.render(c, http.StatusNotFound, "problem", "Page not found", problem{"We could not find that page. It may have been removed, or the address may be wrong."})
		case errors.Is(err, directory.ErrForbidden):
			s.render(c, http.StatusForbidden, "problem", "You cannot do that", problem{"Your role does not allow this. Ask your administrator if you need it."})
		case errors.Is(err, directory.ErrUnavailable):
			s.render(c, http.StatusServiceUnavailable, "problem", "Sorry, the service is unavailable", problem{"Try again in a few minutes."})
		default:
			s.logger.Error("staff page", "route", c.FullPath(), "err", err)
			s.render(c, http.StatusInternalServerError, "problem", "Sorry, there is a problem with the service", problem{"Try again later. What you entered has not been kept."})
		}
	}
}

type problem struct{ Text string }

// Err returns the message for field, if it has one, for the templates.
func (v view) Err(field string) string {
	for _, e := range v.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}
