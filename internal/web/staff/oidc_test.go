package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/brokerfinder/brokerfinder/internal/web/staff"
)

// person is a user of the in-process identity provider, with the role
// claim our configuration names.
type person struct {
	sub, name, role, provider string
}

func (p person) ID() string                        { return p.sub }
func (p person) Userinfo([]string) ([]byte, error) { return []byte(`{"sub":"` + p.sub + `"}`), nil }
func (p person) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &personClaims{IDTokenClaims: base, Name: p.name, Role: p.role, Provider: p.provider}, nil
}

type personClaims struct {
	*mockoidc.IDTokenClaims
	Name     string `json:"name,omitempty"`
	Role     string `json:"org_role,omitempty"`
	Provider string `json:"org_provider,omitempty"`
}

func startIdP(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return m
}

// oidcEnv is a staff server signing in with m; aud, when set, is the only
// audience its ID tokens may have.
func oidcEnv(t *testing.T, m *mockoidc.MockOIDC, aud string) *env {
	t.Helper()
	return newEnvWith(t, func(base string) *staff.OIDC {
		cfg := m.Config()
		o, err := staff.NewOIDC(context.Background(), staff.OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURL: base + "/staff/sign-in/callback", RoleClaim: "org_role", ProviderClaim: "org_provider"})
		if err != nil {
			t.Fatal(err)
		}
		if aud != "" {
			if err := staff.ExpectAudience(context.Background(), o, aud); err != nil {
				t.Fatal(err)
			}
		}
		return o
	})
}

// signInOIDC follows the sign-in round trip as a browser would and returns
// the last response (from our callback).
func signInOIDC(t *testing.T, e *env, c *http.Client) page {
	t.Helper()
	p := e.get(t, c, "/staff/sign-in/oidc")
	for range 5 {
		loc := p.header.Get("Location")
		if p.status != http.StatusSeeOther && p.status != http.StatusFound {
			t.Fatalf("sign-in round trip stopped at %d", p.status)
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(loc, e.srv.URL+"/staff/sign-in/callback") || u.Path == "/staff/sign-in/callback" {
			if !u.IsAbs() {
				loc = e.srv.URL + loc
			}
			req, _ := http.NewRequest(http.MethodGet, loc, nil)
			return do(t, c, req)
		}
		if !strings.Contains(loc, "code_challenge=") || !strings.Contains(loc, "code_challenge_method=S256") {
			t.Errorf("authorization request without PKCE: %s", loc)
		}
		req, _ := http.NewRequest(http.MethodGet, loc, nil)
		p = do(t, c, req)
	}
	t.Fatal("no callback after 5 redirects")
	return page{}
}

// TestOIDCSignIn: the authorization code flow with PKCE signs an adviser
// in with the name and role from the ID token; a token for another
// audience, an expired token and a person with no role are refused.
func TestOIDCSignIn(t *testing.T) {
	m := startIdP(t)

	t.Run("adviser", func(t *testing.T) {
		e := oidcEnv(t, m, "")
		c := e.client(t)
		m.QueueUser(person{sub: "u-1", name: "Olive Oidc", role: "adviser"})
		if p := signInOIDC(t, e, c); p.status != http.StatusSeeOther || p.header.Get("Location") != "/staff/" {
			t.Fatalf("callback: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
		}
		p := e.get(t, c, "/staff/")
		if p.status != http.StatusOK || !strings.Contains(p.body, "Olive Oidc") {
			t.Fatalf("home after OIDC sign-in: %d", p.status)
		}
	})
	refused := func(t *testing.T, e *env, what, why string) {
		t.Helper()
		c := e.client(t)
		p := signInOIDC(t, e, c)
		if p.status != http.StatusForbidden {
			t.Fatalf("%s: callback %d, want 403", what, p.status)
		}
		if sessionCookie(t, e, c) != nil {
			t.Fatalf("%s: a session cookie was set", what)
		}
		if p := e.get(t, c, "/staff/"); p.status != http.StatusSeeOther {
			t.Fatalf("%s: /staff/ gave %d, want a redirect to sign in", what, p.status)
		}
		if !strings.Contains(e.logs.String(), why) {
			t.Errorf("%s: refused, but not because %q; log:\n%s", what, why, e.logs.String())
		}
	}
	t.Run("no role", func(t *testing.T) {
		e := oidcEnv(t, m, "")
		m.QueueUser(person{sub: "u-2", name: "Nora Norole"})
		refused(t, e, "no role", "claims give no valid role")
	})
	t.Run("unknown role", func(t *testing.T) {
		e := oidcEnv(t, m, "")
		m.QueueUser(person{sub: "u-3", name: "Sue Superuser", role: "superuser"})
		refused(t, e, "unknown role", "claims give no valid role")
	})
	t.Run("wrong audience", func(t *testing.T) {
		e := oidcEnv(t, m, "another-client")
		m.QueueUser(person{sub: "u-4", name: "Wanda Wrong", role: "adviser"})
		refused(t, e, "wrong audience", "expected audience")
	})
	t.Run("expired token", func(t *testing.T) {
		e := oidcEnv(t, m, "")
		m.QueueUser(person{sub: "u-5", name: "Ed Expired", role: "adviser"})
		// The provider's clock is behind, so the token it signs expired
		// before it arrives.
		m.FastForward(-(m.AccessTTL + 5*time.Minute))
		defer m.FastForward(m.AccessTTL + 5*time.Minute)
		refused(t, e, "expired token", "token is expired")
	})
}
