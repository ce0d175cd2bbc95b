package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// IndexState is what one replica's search copies hold, for comparing with
// the store (brokerfinder check --url).
type IndexState struct {
	// Seq is the last change of the store's change log this replica applied.
	Seq int64 `json:"seq"`
	// Count is how many documents the full-text index holds.
	Count uint64 `json:"count"`
	// Fingerprint is the one the index recorded with its last write: 16 hex
	// digits of the XOR of FNV-64a("id@version") over visible providers.
	Fingerprint string `json:"fingerprint"`
	// Versions is the provider version each index document was made from,
	// by provider id.
	Versions map[string]int64 `json:"versions"`
	// Catalogue is the version of each visible provider in the in-memory
	// catalogue (which answers match and filters), by provider id.
	Catalogue map[string]int64 `json:"catalogue"`
} // @name IndexState

// indexState godoc
//
//	@Summary		What this replica's search copies hold
//	@Description	Role rule: admin only. The change-log position, document count, fingerprint and provider versions held by this replica's full-text index and catalogue, taken at one instant. brokerfinder check --url compares them with the store's visible providers. Each replica answers for itself only.
//	@Tags			admin
//	@Produce		json
//	@Security		BearerToken
//	@Success		200	{object}	IndexState
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		503	{object}	ErrorResponse
//	@Router			/v1/admin/index [get]
func (s *Server) indexState(c *gin.Context) error {
	if err := s.finderReady(); err != nil {
		return err
	}
	h, err := s.finder.Held(c.Request.Context())
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, IndexState{
		Seq: h.Seq, Count: h.Count, Fingerprint: fmt.Sprintf("%016x", h.Fingerprint),
		Versions: h.Index, Catalogue: h.Catalogue,
	})
	return nil
}
