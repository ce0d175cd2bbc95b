package staff

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
)

type signInData struct {
	OIDC bool
	Next string
}

// safeNext keeps a return address on the staff pages: a path of ours, never
// another site ("//evil", "/\evil").
func safeNext(next string) string {
	if strings.HasPrefix(next, "/staff/") && !strings.ContainsAny(next, "\\?#") && !strings.HasPrefix(next, "//") &&
		!strings.Contains(next, "/sign-") && len(next) < 200 {
		return next
	}
	return "/staff/"
}

func (s *server) signInPage(c *gin.Context) error {
	if PersonFrom(c) != nil {
		c.Redirect(http.StatusSeeOther, "/staff/")
		return nil
	}
	s.render(c, http.StatusOK, "signin", "Sign in", signInData{OIDC: s.oidc != nil, Next: safeNext(c.Query("next"))})
	return nil
}

// signInKey exchanges an access key (an API token) for a session. The key
// is checked exactly as the API checks a bearer token and is not kept: the
// browser gets only the session's cookie.
func (s *server) signInKey(c *gin.Context) error {
	key := strings.TrimSpace(c.PostForm("access_key"))
	next := safeNext(c.PostForm("next"))
	data := signInData{OIDC: s.oidc != nil, Next: next}
	if key == "" {
		s.render(c, http.StatusBadRequest, "signin", "Sign in", data, fieldError{"access_key", "Enter your access key"})
		return nil
	}
	tok, err := api.LookupToken(c.Request.Context(), s.store, s.sessions.adminHash, key)
	if errors.Is(err, directory.ErrUnauthorized) {
		s.render(c, http.StatusUnauthorized, "signin", "Sign in", data, fieldError{"access_key", "That access key is not right, or has been withdrawn. Check it and try again"})
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.sessions.Start(c, tok, "access_key"); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

func (s *server) signOut(c *gin.Context) error {
	s.sessions.End(c)
	c.Redirect(http.StatusSeeOther, "/staff/sign-in")
	return nil
}

// OIDCConfig is the organisation's OpenID Connect provider and how its
// claims give a person's role and provider.
type OIDCConfig struct {
	Issuer, ClientID, ClientSecret, RedirectURL string
	// RoleClaim names the ID token claim holding the role (admin, adviser
	// or provider_editor); ProviderClaim the one holding a provider
	// editor's provider id.
	RoleClaim, ProviderClaim string
}

// OIDC signs people in with the authorization code flow and PKCE.
type OIDC struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// NewOIDC discovers the provider at cfg.Issuer.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("staff: discovering the OpenID provider: %w", err)
	}
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = "brokerfinder_role"
	}
	if cfg.ProviderClaim == "" {
		cfg.ProviderClaim = "brokerfinder_provider"
	}
	return &OIDC{
		cfg: cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}},
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
	}, nil
}

const oidcCookie = "bf_oidc"

// oidcStart sends the person to the identity provider. The state, nonce
// and PKCE verifier wait in a short-lived HttpOnly cookie of their own.
func (s *server) oidcStart(c *gin.Context) error {
	state, nonce, verifier := newSecret(), newSecret(), oauth2.GenerateVerifier()
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + verifier, Path: "/staff/sign-in/",
		MaxAge: 600, HttpOnly: true, Secure: secure(c.Request), SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, s.oidc.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
	return nil
}

// errOIDC is a sign-in the identity provider did not vouch for, or vouched
// for someone with no role here.
type errOIDC struct{ why string }

func (e errOIDC) Error() string { return "oidc sign-in refused: " + e.why }

func (s *server) oidcCallback(c *gin.Context) error {
	tok, err := s.oidcPerson(c)
	var refused errOIDC
	if errors.As(err, &refused) {
		s.logger.Warn("staff sign-in refused", "method", "oidc", "why", refused.why)
		s.render(c, http.StatusForbidden, "problem", "You could not be signed in",
			problem{"Your organisation's sign-in did not give you access to this service. Ask your administrator to give you a role, then try again."})
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.sessions.Start(c, tok, "oidc"); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/")
	return nil
}

// oidcPerson checks the callback and returns the person it vouches for.
func (s *server) oidcPerson(c *gin.Context) (*directory.Token, error) {
	ck, err := c.Request.Cookie(oidcCookie)
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcCookie, Path: "/staff/sign-in/", MaxAge: -1, HttpOnly: true, Secure: secure(c.Request), SameSite: http.SameSiteLaxMode})
	if err != nil {
		return nil, errOIDC{"no sign-in in progress"}
	}
	parts := strings.Split(ck.Value, ".")
	if len(parts) != 3 {
		return nil, errOIDC{"malformed state cookie"}
	}
	state, nonce, verifier := parts[0], parts[1], parts[2]
	if subtle.ConstantTimeCompare([]byte(c.Query("state")), []byte(state)) != 1 {
		return nil, errOIDC{"state does not match"}
	}
	if c.Query("error") != "" || c.Query("code") == "" {
		return nil, errOIDC{"no code"}
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 10*time.Second)
	defer cancel()
	ot, err := s.oidc.oauth.Exchange(ctx, c.Query("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, errOIDC{"code exchange failed"}
	}
	raw, _ := ot.Extra("id_token").(string)
	if raw == "" {
		return nil, errOIDC{"no id token"}
	}
	// Verify checks the signature, issuer, audience (our client id) and
	// expiry.
	idt, err := s.oidc.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, errOIDC{"id token not valid: " + err.Error()}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, errOIDC{"nonce does not match"}
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, errOIDC{"claims unreadable"}
	}
	return personFromClaims(idt.Subject, claims, s.oidc.cfg.RoleClaim, s.oidc.cfg.ProviderClaim)
}

// personFromClaims maps an ID token's claims to a token: its role must be
// one of ours, and a provider editor's provider is required, checked as a
// new token's would be.
func personFromClaims(sub string, claims map[string]any, roleClaim, providerClaim string) (*directory.Token, error) {
	str := func(k string) string { v, _ := claims[k].(string); return strings.TrimSpace(v) }
	name := str("name")
	if name == "" {
		name = str("preferred_username")
	}
	if name == "" {
		name = str("email")
	}
	if len(name) > directory.MaxTokenName {
		name = name[:directory.MaxTokenName]
	}
	t := &directory.Token{ID: "oidc:" + sub, Name: name, Role: directory.Role(str(roleClaim))}
	if t.Role == directory.RoleProviderEditor {
		t.ProviderID = str(providerClaim)
	}
	if sub == "" {
		return nil, errOIDC{"no subject"}
	}
	if err := t.Validate(); err != nil {
		return nil, errOIDC{"claims give no valid role: " + err.Error()}
	}
	return t, nil
}
