package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/api/cachepolicy"
	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// HashToken returns the hex SHA-256 of a token, the only form stored. Tokens
// are long random strings, so a fast hash is enough.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

const tokenKey = "brokerfinder.token"

// authenticate returns the caller's token, or ErrUnauthorized. The answer
// is kept on the request, so checking a token twice costs one lookup.
func (s *Server) authenticate(c *gin.Context) (*directory.Token, error) {
	if t, ok := c.Get(checkedKey); ok {
		return t.(*directory.Token), nil
	}
	t, err := s.lookupToken(c)
	if err == nil {
		c.Set(checkedKey, t)
	}
	return t, err
}

const checkedKey = "brokerfinder.checked-token"

// rejectBadTokens applies one rule to every route: a request that sends an
// Authorization header must send a valid token, or it is refused 401, even
// where no token is needed, so a client with an expired or mistyped token
// finds out at once rather than silently getting the public answer.
// Health checks and documentation never look at tokens.
func (s *Server) rejectBadTokens(c *gin.Context) error {
	if c.GetHeader("Authorization") == "" || cachepolicy.Free(c.Request.URL.Path) {
		return nil
	}
	_, err := s.authenticate(c)
	return err
}

func (s *Server) lookupToken(c *gin.Context) (*directory.Token, error) {
	h := c.GetHeader("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, directory.ErrUnauthorized
	}
	return LookupToken(c.Request.Context(), s.store, s.adminHash, secret)
}

// LookupToken returns the live token a secret stands for: the admin token
// from the environment when its hash is adminHash (empty for none), else
// the store's. ErrUnauthorized for an empty, unknown or revoked secret.
// The API's bearer tokens and the staff pages' access keys both go through
// it, so a key means the same person in both.
func LookupToken(ctx context.Context, store directory.TokenStore, adminHash, secret string) (*directory.Token, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, directory.ErrUnauthorized
	}
	hash := HashToken(secret)
	if adminHash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(adminHash)) == 1 {
		return &directory.Token{ID: "env", Name: "BROKERFINDER_ADMIN_TOKEN", Role: directory.RoleAdmin}, nil
	}
	// The store is searched by hash, so timing reveals nothing of the token.
	t, err := store.TokenByHash(ctx, hash)
	if errors.Is(err, directory.ErrNotFound) {
		return nil, directory.ErrUnauthorized
	}
	return t, err
}

// Permit is the role rule every route applies: nil when t holds one of
// roles, ErrUnauthorized without a token, ErrForbidden for another role.
func Permit(t *directory.Token, roles ...directory.Role) error {
	if t == nil {
		return directory.ErrUnauthorized
	}
	if !slices.Contains(roles, t.Role) {
		return directory.ErrForbidden
	}
	return nil
}

// require lets through only tokens with one of the roles: no token (or a
// bad one) is 401, another role 403. It stores the token for the handler and
// puts the actor in the request's context, so store writes record who made
// them (directory.WithActor).
func (s *Server) require(roles ...directory.Role) gin.HandlerFunc {
	return s.handle(func(c *gin.Context) error {
		t, err := s.authenticate(c)
		if err != nil {
			return err
		}
		if err := Permit(t, roles...); err != nil {
			return err
		}
		c.Set(tokenKey, t)
		c.Request = c.Request.WithContext(directory.WithActor(c.Request.Context(), directory.ActorOf(t)))
		return nil
	})
}

// caller returns the token require stored.
func caller(c *gin.Context) *directory.Token {
	t, _ := c.Get(tokenKey)
	tok, _ := t.(*directory.Token)
	return tok
}

// OwnsProvider reports whether the caller may act for provider id: admins
// for every provider, provider editors for their own only.
func OwnsProvider(t *directory.Token, id string) bool {
	switch t.Role {
	case directory.RoleAdmin:
		return true
	case directory.RoleProviderEditor:
		return t.ProviderID != "" && subtle.ConstantTimeCompare([]byte(t.ProviderID), []byte(id)) == 1
	}
	return false
}

// optionalToken returns the caller's token if a valid one was sent, nil if
// none was sent, and ErrUnauthorized for a bad one.
func (s *Server) optionalToken(c *gin.Context) (*directory.Token, error) {
	if c.GetHeader("Authorization") == "" {
		return nil, nil
	}
	return s.authenticate(c)
}
