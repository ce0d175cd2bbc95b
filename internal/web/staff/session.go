package staff

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Default session lifetimes: a 40-minute interview with pauses fits in the
// idle timeout; a working day in the absolute one.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 8 * time.Hour
)

// touchEvery is how stale LastSeen may get before a request writes it
// again: the idle timeout is judged to within this, and a page view does
// not cost a write.
const touchEvery = time.Minute

// Cookie names. Over TLS the __Host- prefix makes the browser insist on
// Secure, path / and no Domain, so no other site or subdomain can set it.
const (
	cookieName    = "bf_staff"
	cookieNameTLS = "__Host-bf_staff"
)

// Person is who is signed in, as the staff pages and the audit log see
// them.
type Person struct {
	// Token is the person as a token: the API's role rules take it.
	Token *directory.Token
	// Method is how they signed in: "access_key" or "oidc".
	Method string
	// sessionID is the stored session's ID (the cookie secret's hash).
	sessionID string
}

// Name is the person's name, as audited.
func (p *Person) Name() string { return p.Token.Name }

// Role is the person's role.
func (p *Person) Role() directory.Role { return p.Token.Role }

// ProviderID is the provider a provider editor works for.
func (p *Person) ProviderID() string { return p.Token.ProviderID }

const personKey = "staff.person"

// PersonFrom returns the person Require or Optional found, or nil.
func PersonFrom(c *gin.Context) *Person {
	p, _ := c.Get(personKey)
	pp, _ := p.(*Person)
	return pp
}

// Sessions is the staff pages' sign-in layer: server-side sessions in the
// store, a cookie holding only a random secret, and middleware that
// authorises each request by the API's role rule.
type Sessions struct {
	store     directory.SessionStore
	tokens    directory.TokenStore
	adminHash string
	idle, abs time.Duration
	now       func() time.Time
	logger    *slog.Logger
	cop       *http.CrossOriginProtection
	render    func(c *gin.Context, status int, name, title string, data any, errs ...fieldError)
}

func newSessions(cfg Config, tokens directory.TokenStore, now func() time.Time, logger *slog.Logger) *Sessions {
	s := &Sessions{store: cfg.Sessions, tokens: tokens, idle: cfg.IdleTimeout, abs: cfg.AbsoluteTimeout, now: now, logger: logger,
		cop: http.NewCrossOriginProtection()}
	if cfg.AdminToken != "" {
		s.adminHash = api.HashToken(cfg.AdminToken)
	}
	if s.idle <= 0 {
		s.idle = DefaultIdleTimeout
	}
	if s.abs <= 0 {
		s.abs = DefaultAbsoluteTimeout
	}
	return s
}

// crossOrigin refuses a state-changing request another site's page made
// (by the browser's Sec-Fetch-Site and Origin headers): with SameSite=Lax
// cookies a cross-site POST would not carry the session anyway, but the
// sign-in form has none to lose, and this covers older browsers' gaps.
func (s *Sessions) crossOrigin(c *gin.Context) {
	if err := s.cop.Check(c.Request); err != nil {
		c.Abort()
		s.render(c, http.StatusForbidden, "problem", "This form came from another website",
			problem{"For your safety, forms on this service can only be sent from its own pages. Go back to the service and try again."})
		return
	}
	c.Next()
}

func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func secure(r *http.Request) bool { return r.TLS != nil }

func (s *Sessions) cookieName(r *http.Request) string {
	if secure(r) {
		return cookieNameTLS
	}
	return cookieName
}

// Start signs t in: a new session (never a reused one, so a cookie planted
// before sign-in is worthless after it) and its cookie.
func (s *Sessions) Start(c *gin.Context, t *directory.Token, method string) error {
	s.End(c)
	secret := newSecret()
	now := s.now()
	ss := &directory.StaffSession{ID: api.HashToken(secret), TokenID: t.ID, Name: t.Name, Role: t.Role, ProviderID: t.ProviderID,
		Method: method, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.abs)}
	if err := s.store.CreateSession(c.Request.Context(), ss); err != nil {
		return err
	}
	s.setCookie(c, secret, int(s.abs/time.Second))
	c.Set(personKey, &Person{Token: ss.Token(), Method: method, sessionID: ss.ID})
	return nil
}

func (s *Sessions) setCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.cookieName(c.Request), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure(c.Request), SameSite: http.SameSiteLaxMode,
	})
}

// End signs the person out: the stored session is deleted, so the cookie
// is worthless even if kept, and the browser is told to drop it.
func (s *Sessions) End(c *gin.Context) {
	if ck, err := c.Request.Cookie(s.cookieName(c.Request)); err == nil && ck.Value != "" {
		if err := s.store.DeleteSession(context.WithoutCancel(c.Request.Context()), api.HashToken(ck.Value)); err != nil {
			s.logger.Error("deleting a staff session", "err", err)
		}
		s.setCookie(c, "", -1)
	}
	c.Set(personKey, (*Person)(nil))
}

// load returns the signed-in person, nil if nobody is (no cookie, an
// unknown one, or a session past a timeout, which is deleted).
func (s *Sessions) load(c *gin.Context) (*Person, error) {
	ck, err := c.Request.Cookie(s.cookieName(c.Request))
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return nil, nil
	}
	ctx := c.Request.Context()
	id := api.HashToken(ck.Value)
	ss, err := s.store.Session(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(ss.ExpiresAt) || now.Sub(ss.LastSeen) >= s.idle {
		if err := s.store.DeleteSession(ctx, id); err != nil {
			return nil, err
		}
		return nil, nil
	}
	if now.Sub(ss.LastSeen) >= touchEvery {
		if err := s.store.TouchSession(ctx, id, now); err != nil && !errors.Is(err, directory.ErrNotFound) {
			return nil, err
		}
	}
	return &Person{Token: ss.Token(), Method: ss.Method, sessionID: ss.ID}, nil
}

// Optional finds the signed-in person, if any, for pages anyone may see.
func (s *Sessions) Optional(c *gin.Context) {
	p, err := s.load(c)
	if err != nil {
		s.logger.Error("reading a staff session", "err", err)
	}
	if p != nil {
		c.Set(personKey, p)
	}
	c.Next()
}

// Require lets through a signed-in person holding one of roles, by the
// API's own rule (api.Permit), with them as the actor of every write the
// request makes. Nobody signed in goes to the sign-in page; another role
// gets 403.
func (s *Sessions) Require(roles ...directory.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := s.load(c)
		if err != nil {
			s.logger.Error("reading a staff session", "err", err)
			c.Abort()
			s.render(c, http.StatusServiceUnavailable, "problem", "Sorry, the service is unavailable", problem{"Try again in a few minutes."})
			return
		}
		var tok *directory.Token
		if p != nil {
			tok = p.Token
		}
		switch err := api.Permit(tok, roles...); {
		case errors.Is(err, directory.ErrUnauthorized):
			c.Abort()
			if c.Request.Method == http.MethodGet {
				// Only the path: a query could hold anything.
				c.Redirect(http.StatusSeeOther, "/staff/sign-in?next="+url.QueryEscape(c.Request.URL.Path))
				return
			}
			s.render(c, http.StatusUnauthorized, "problem", "You have been signed out",
				problem{"Your session has ended, so what you sent was not kept. Sign in again and start from the beginning."})
			return
		case err != nil:
			c.Set(personKey, p)
			c.Abort()
			s.render(c, http.StatusForbidden, "problem", "You cannot use this page",
				problem{"Your role does not allow this page. Ask your administrator if you need it."})
			return
		}
		c.Set(personKey, p)
		c.Request = c.Request.WithContext(directory.WithActor(c.Request.Context(), directory.ActorOf(p.Token)))
		c.Next()
	}
}

// Sweep deletes ended sessions every interval until ctx is done, so
// sessions nobody signed out of do not pile up.
func (s *Sessions) Sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		now := s.now()
		if _, err := s.store.DeleteSessionsBefore(ctx, now, now.Add(-s.idle)); err != nil && ctx.Err() == nil {
			s.logger.Error("deleting ended staff sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
