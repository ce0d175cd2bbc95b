package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// VocabularyList is every controlled vocabulary.
type VocabularyList struct {
	Vocabularies []directory.Vocabulary `json:"vocabularies"`
} // @name VocabularyList

// vocabularies godoc
//
//	@Summary		List controlled vocabularies
//	@Description	Every code used in records and requests, with plain-English labels and descriptions.
//	@Tags			reference
//	@Produce		json
//	@Success		200	{object}	VocabularyList
//	@Router			/v1/vocabularies [get]
func (s *Server) vocabularies(c *gin.Context) error {
	writeJSON(c, http.StatusOK, VocabularyList{Vocabularies: directory.Vocabularies()})
	return nil
}

// Status is a health or readiness report.
type Status struct {
	Status string `json:"status" example:"ok"`
	Store  string `json:"store,omitempty" example:"ok"`
	Index  string `json:"index,omitempty" example:"ok"`
} // @name Status

// healthz godoc
//
//	@Summary	Liveness
//	@Tags		operations
//	@Produce	json
//	@Success	200	{object}	Status
//	@Router		/healthz [get]
func (s *Server) healthz(c *gin.Context) error {
	writeJSON(c, http.StatusOK, Status{Status: "ok"})
	return nil
}

// readyz godoc
//
//	@Summary		Readiness
//	@Description	200 when the store answers and the search index is loaded; 503 with status "degraded" (or "starting") when not.
//	@Tags			operations
//	@Produce		json
//	@Success		200	{object}	Status
//	@Failure		503	{object}	Status
//	@Router			/readyz [get]
func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	st := Status{Status: "ready", Store: "ok", Index: "ok"}
	if s.finderReady() != nil {
		st.Status, st.Index = "starting", "loading"
	}
	if err := s.store.Ping(ctx); err != nil {
		st.Status, st.Store = "degraded", "unreachable"
	}
	code := http.StatusOK
	if st.Status != "ready" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(c, code, st)
	return nil
}
