package api

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// NewTokenSecret returns a random token: 32 bytes, URL-safe base64, prefixed
// so it is recognisable in a leaked-secrets scan.
func NewTokenSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "bf_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// TokenRequest asks for a new token.
type TokenRequest struct {
	Role string `json:"role" example:"provider_editor" binding:"required"`
	Name string `json:"name" example:"Aire Works listings" binding:"required"`
	// ProviderID is required for provider_editor tokens and refused for
	// others.
	ProviderID string `json:"provider_id,omitempty"`
} // @name TokenRequest

// TokenCreated is a new token, with its secret shown this once.
type TokenCreated struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Role       directory.Role `json:"role"`
	ProviderID string         `json:"provider_id,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	// Token is the secret to send as "Authorization: Bearer <token>". Only
	// its hash is kept: it cannot be shown again.
	Token string `json:"token"`
} // @name TokenCreated

// TokenList is every token, revoked ones included.
type TokenList struct {
	Items []directory.Token `json:"items"`
} // @name TokenList

// createToken godoc
//
//	@Summary		Create an API token
//	@Description	Role rule: admin only. Roles are adviser, provider_editor (give provider_id: the one provider it may edit) and admin. The response carries the token once; only its hash is stored.
//	@Tags			admin
//	@Accept			json
//	@Produce		json
//	@Security		BearerToken
//	@Param			token	body		TokenRequest	true	"Role, name and, for provider editors, the provider"
//	@Success		201		{object}	TokenCreated
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/v1/admin/tokens [post]
func (s *Server) createToken(c *gin.Context) error {
	var req TokenRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	t := directory.Token{Name: req.Name, Role: directory.Role(req.Role), ProviderID: req.ProviderID}
	secret := NewTokenSecret()
	t.Hash = HashToken(secret)
	if err := s.svc.CreateToken(c.Request.Context(), &t); err != nil {
		return err
	}
	writeJSON(c, http.StatusCreated, TokenCreated{ID: t.ID, Name: t.Name, Role: t.Role, ProviderID: t.ProviderID, CreatedAt: t.CreatedAt, Token: secret})
	return nil
}

// TokenRevoked confirms a revocation.
type TokenRevoked struct {
	ID      string `json:"id"`
	Revoked bool   `json:"revoked"`
} // @name TokenRevoked

// listTokens godoc
//
//	@Summary		List API tokens
//	@Description	Role rule: admin only. Every token, revoked ones included; never the secrets.
//	@Tags			admin
//	@Produce		json
//	@Security		BearerToken
//	@Success		200	{object}	TokenList
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Router			/v1/admin/tokens [get]
func (s *Server) listTokens(c *gin.Context) error {
	list, err := s.store.Tokens(c.Request.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []directory.Token{}
	}
	writeJSON(c, http.StatusOK, TokenList{Items: list})
	return nil
}

// revokeToken godoc
//
//	@Summary		Revoke an API token
//	@Description	Role rule: admin only. The token stops working at once; its record stays, marked revoked.
//	@Tags			admin
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path	string	true	"Token id"
//	@Success		200	{object}	TokenRevoked
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/admin/tokens/{id} [delete]
func (s *Server) revokeToken(c *gin.Context) error {
	id := c.Param("id")
	if err := s.svc.RevokeToken(c.Request.Context(), id); err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, TokenRevoked{ID: id, Revoked: true})
	return nil
}

// AuditList is one page of the audit log, newest first.
type AuditList struct {
	Items []directory.AuditEntry `json:"items"`
	Page
} // @name AuditList

// listAudit godoc
//
//	@Summary		Read the audit log
//	@Description	Role rule: admin only. One entry per successful write (who, role, action, target, when), newest first. Entries never hold clients' details. Filter by target_type (provider, referral, shortlist, token) and target_id.
//	@Tags			admin
//	@Produce		json
//	@Security		BearerToken
//	@Param			target_type	query		string	false	"provider, referral, shortlist or token"
//	@Param			target_id	query		string	false	"The target's id (or shortlist code)"
//	@Param			page		query		int		false	"Page number, from 1"	default(1)
//	@Param			per_page	query		int		false	"Items per page (capped at 100)"	default(20)
//	@Success		200			{object}	AuditList
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Router			/v1/admin/audit [get]
func (s *Server) listAudit(c *gin.Context) error {
	page, per, err := paging(c)
	if err != nil {
		return err
	}
	f := directory.AuditFilter{TargetType: c.Query("target_type"), TargetID: c.Query("target_id"), Page: page, PerPage: per}
	items, total, err := s.store.AuditEntries(c.Request.Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []directory.AuditEntry{}
	}
	setLinks(c, page, per, total)
	writeJSON(c, http.StatusOK, AuditList{Items: items, Page: Page{Total: total, Page: page, PerPage: per}})
	return nil
}
