package staff_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/web"
	"github.com/brokerfinder/brokerfinder/internal/web/staff"
)

// A seeded postcode in Leeds, where the seed has many providers.
const seededPostcode = "LS6 2BS"

// clock is a settable clock for the session timeouts.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer keeps what the server logged, for tests to check why.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

type env struct {
	logs     *logBuffer
	srv      *httptest.Server
	store    *mongodb.Store
	svc      *service.Service
	clock    *clock
	adviser  string // the adviser's access key
	editor   string // a provider editor's access key
	adminKey string
}

const testAdminToken = "admin-token-for-staff-tests-0123456789"

func newEnv(t *testing.T, oidc *staff.OIDC) *env {
	t.Helper()
	return newEnvWith(t, func(string) *staff.OIDC { return oidc })
}

// newEnvWith is newEnv with the OIDC sign-in made once the server's
// address (for the redirect URL) is known.
func newEnvWith(t *testing.T, oidcFor func(base string) *staff.OIDC) *env {
	t.Helper()
	store := mongotest.Store(t)
	ps, err := seed.Load(os.DirFS("../../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := service.New(service.Config{Store: store}).ImportProviders(ctx, ps, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	f, err := finder.Open(ctx, finder.Config{Store: store, IndexDir: t.TempDir(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	clk := &clock{t: time.Now()}
	svc := service.New(service.Config{Store: store, Finder: f, Logger: logger})
	e := &env{logs: logs, store: store, svc: svc, clock: clk, adviser: "adviser-key-" + directory.NewID(), editor: "editor-key-" + directory.NewID(), adminKey: testAdminToken}
	tctx := service.Tool(ctx, "test")
	if err := svc.CreateToken(tctx, &directory.Token{Name: "Ada Adviser", Role: directory.RoleAdviser, Hash: api.HashToken(e.adviser)}); err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateToken(tctx, &directory.Token{Name: "Ed Editor", Role: directory.RoleProviderEditor, ProviderID: ps[0].ID, Hash: api.HashToken(e.editor)}); err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewUnstartedServer(nil)
	routes, _ := staff.Routes(staff.Config{Service: svc, Sessions: store, AdminToken: testAdminToken, OIDC: oidcFor("http://" + e.srv.Listener.Addr().String()),
		Logger: logger, Now: clk.now})
	h := api.New(api.Config{Store: store, Finder: f, Service: svc, Logger: logger, AdminToken: testAdminToken, RateLimit: 1000, RateBurst: 1000,
		Mounts: []api.Mount{web.Routes(web.Config{Finder: f, Service: svc, Shortlists: store, Logger: logger}), routes}})
	e.srv.Config.Handler = h
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// client is a browser-like HTTP client: cookies kept, redirects not
// followed (so tests see them).
func (e *env) client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type page struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, c *http.Client, req *http.Request) page {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(b)}
}

func (e *env) get(t *testing.T, c *http.Client, path string) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, c, req)
}

// post sends a form as the service's own page would (same origin).
func (e *env) post(t *testing.T, c *http.Client, path string, form url.Values) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return do(t, c, req)
}

// signIn signs c in with key and checks it worked.
func (e *env) signIn(t *testing.T, c *http.Client, key string) {
	t.Helper()
	p := e.post(t, c, "/staff/sign-in", url.Values{"access_key": {key}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d, want 303\n%s", p.status, p.body)
	}
}

// interviewForm is five needs for a client in Leeds.
func interviewForm() url.Values {
	return url.Values{
		"where":               {seededPostcode},
		"health_conditions":   {"mental_health"},
		"support":             {"confidence_building", "cv_applications"},
		"contact_preferences": {"office"},
		"hours":               {"part_time"},
	}
}
