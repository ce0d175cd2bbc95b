package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// verifyProvider godoc
//
//	@Summary		Confirm a listing is still accurate
//	@Description	Role rule: admin, or a provider editor for their own provider only. Sets freshness.last_verified to today and verified_by to the kind of confirmer, "provider" for a provider editor or "directory_team" for an admin (never the token's name, which the audit log keeps), as a new version. Needs If-Match with the ETag of the version being confirmed.
//	@Tags			providers
//	@Produce		json
//	@Security		BearerToken
//	@Param			id			path		string	true	"Provider id"
//	@Param			If-Match	header		string	true	"ETag of the version you checked"
//	@Success		200			{object}	ProviderView
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Failure		404			{object}	ErrorResponse
//	@Failure		412			{object}	ErrorResponse
//	@Failure		428			{object}	ErrorResponse
//	@Router			/v1/providers/{id}/verify [post]
func (s *Server) verifyProvider(c *gin.Context) error {
	tok := caller(c)
	if !OwnsProvider(tok, c.Param("id")) {
		return forbidden("A provider editor can confirm only their own listing.")
	}
	return s.changeProvider(c, s.svc.VerifyProvider)
}

// Revision is one version of a provider in its history.
type Revision struct {
	Version   int64            `json:"version"`
	At        string           `json:"at" example:"2026-03-01T10:00:00Z"`
	ChangedBy *directory.Actor `json:"changed_by,omitempty"`
	// Changes are the fields that differ from the previous version (none
	// for the first).
	Changes []directory.FieldChange `json:"changes"`
} // @name Revision

// History is every version of a provider, oldest first.
type History struct {
	ProviderID string     `json:"provider_id"`
	Versions   []Revision `json:"versions"`
} // @name History

// providerHistory godoc
//
//	@Summary		A provider's change history
//	@Description	Role rule: admin, or a provider editor for their own provider only. Every version, oldest first: when, who (token name and role; none for seed and import tools), and field by field (JSON paths) what changed from the version before.
//	@Tags			providers
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Provider id"
//	@Success		200	{object}	History
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/providers/{id}/history [get]
func (s *Server) providerHistory(c *gin.Context) error {
	id := c.Param("id")
	if !OwnsProvider(caller(c), id) {
		return forbidden("A provider editor can see only their own listing's history.")
	}
	if !directory.ValidID(id) {
		return directory.ErrNotFound
	}
	revs, err := s.store.ProviderHistory(c.Request.Context(), id)
	if err != nil {
		return err
	}
	out := History{ProviderID: id, Versions: make([]Revision, len(revs))}
	for i, r := range revs {
		changes := []directory.FieldChange{}
		if i > 0 {
			changes = append(changes, directory.DiffProviders(&revs[i-1].Provider, &r.Provider)...)
		}
		out.Versions[i] = Revision{Version: r.Version, At: r.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"), ChangedBy: r.ChangedBy, Changes: changes}
	}
	writeJSON(c, http.StatusOK, out)
	return nil
}

// RevertRequest names the version to go back to.
type RevertRequest struct {
	Version int64 `json:"version" example:"3"`
} // @name RevertRequest

// revertProvider godoc
//
//	@Summary		Revert a provider to an earlier version
//	@Description	Role rule: admin only. Writes the content of the given version as a new version; history is never deleted, so a revert can itself be reverted. Needs If-Match with the current ETag.
//	@Tags			providers
//	@Accept			json
//	@Produce		json
//	@Security		BearerToken
//	@Param			id			path		string			true	"Provider id"
//	@Param			If-Match	header		string			true	"The current ETag"
//	@Param			revert		body		RevertRequest	true	"The version to restore"
//	@Success		200			{object}	ProviderView
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Failure		404			{object}	ErrorResponse
//	@Failure		412			{object}	ErrorResponse
//	@Failure		428			{object}	ErrorResponse
//	@Router			/v1/providers/{id}/revert [post]
func (s *Server) revertProvider(c *gin.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var req RevertRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	id := c.Param("id")
	if !directory.ValidID(id) {
		return directory.ErrNotFound
	}
	next, err := s.svc.RevertProvider(c.Request.Context(), id, version, req.Version)
	if err != nil {
		return err
	}
	s.writeProvider(c, http.StatusOK, next)
	return nil
}
