package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// ShortlistRequest saves a shortlist for signposting. The server runs the
// match itself and saves exactly what it showed, so the record (and the
// exposure counts made from it) cannot be edited into something else.
type ShortlistRequest struct {
	Query finder.MatchQuery `json:"query"`
	// ChosenProviderID is the provider the client chose, if they chose; it
	// must be one of those shown.
	ChosenProviderID string `json:"chosen_provider_id,omitempty"`
	// Note is the adviser's suitability note. No names or health details:
	// the client carries the code away and anyone with it can read this.
	Note string `json:"note,omitempty"`
} // @name ShortlistRequest

// createShortlist godoc
//
//	@Summary		Save a shortlist for the client
//	@Description	Role rule: adviser only. Runs the match in query (as POST /v1/match does), saves the providers it showed in order (with their flags, which are facts of the provider, and other provision when nothing fitted), the postcode district only, the provider the client chose and the adviser's note, and returns a short code the client can open at GET /v1/shortlists/{code} for 30 days. The shortlist holds no client data and nothing derived from it: the needs are used for the match and not kept, and neither are the match's explanations (met, not met) or scores, which would tell anyone with the code about the client's health.
//	@Tags			shortlists
//	@Accept			json
//	@Produce		json
//	@Security		BearerToken
//	@Param			shortlist	body		ShortlistRequest	true	"The match query, choice and note"
//	@Success		201			{object}	directory.Shortlist
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Failure		422			{object}	ErrorResponse
//	@Failure		503			{object}	ErrorResponse
//	@Router			/v1/shortlists [post]
func (s *Server) createShortlist(c *gin.Context) error {
	if err := s.svc.Ready(); err != nil {
		return err
	}
	var req ShortlistRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	sl, err := s.svc.SaveShortlist(c.Request.Context(), service.ShortlistRequest{
		Query: req.Query, ChosenProviderID: req.ChosenProviderID, Note: req.Note})
	if err != nil {
		return err
	}
	c.Header("Location", "/v1/shortlists/"+sl.Code)
	writeJSON(c, http.StatusCreated, sl)
	return nil
}

// getShortlist godoc
//
//	@Summary		Open a saved shortlist
//	@Description	Role rule: public (the code is the key), but not readable from other sites (no CORS), and the code is never logged. The providers the adviser showed, in order, the provider chosen and the adviser's note; no explanations or scores. 404 for an unknown code, 410 once 30 days have passed; expired shortlists are deleted within the hour, and then give 404.
//	@Tags			shortlists
//	@Produce		json
//	@Param			code	path		string	true	"The 8-character code"
//	@Success		200		{object}	directory.Shortlist
//	@Failure		404		{object}	ErrorResponse
//	@Failure		410		{object}	ErrorResponse
//	@Router			/v1/shortlists/{code} [get]
func (s *Server) getShortlist(c *gin.Context) error {
	code := strings.ToUpper(strings.TrimSpace(c.Param("code")))
	if !directory.ValidShortlistCode(code) {
		return directory.ErrNotFound
	}
	sl, err := s.store.Shortlist(c.Request.Context(), code)
	if err != nil {
		return err
	}
	if !s.now().Before(sl.ExpiresAt) {
		return errGone
	}
	writeJSON(c, http.StatusOK, sl)
	return nil
}
