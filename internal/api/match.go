package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// MatchResponse is every eligible provider, ranked and explained, one page
// at a time.
type MatchResponse struct {
	Total    int            `json:"total" example:"9"`
	Page     int            `json:"page" example:"1"`
	PerPage  int            `json:"per_page" example:"20"`
	Location PlaceView      `json:"location"`
	Results  []MatchResult  `json:"results"`
	Excluded match.Excluded `json:"excluded"`
	// NoGoodFit is true when no provider meets at least half of what was
	// asked for; Message then says so and OtherProvision lists other kinds
	// of help that meet part of it.
	NoGoodFit      bool          `json:"no_good_fit"`
	Message        string        `json:"message"`
	OtherProvision []MatchResult `json:"other_provision"`
	// TopFitsFull is true when every provider with the best score is not
	// taking new clients; CapacityNote says so in a sentence for the page.
	TopFitsFull  bool   `json:"top_fits_full"`
	CapacityNote string `json:"capacity_note,omitempty"`
} // @name MatchResponse

// postMatch godoc
//
//	@Summary		Rank providers against a client's needs
//	@Description	Returns every eligible provider for the location (paged, with the total), ranked by how many of the stated needs each meets, with a plain-English explanation and flags (telephone only, not taking new clients, information over a year old, discretionary incentives). Among equal scores, providers taking new clients come first, then (when the client has not said how they travel) nearer distance bands, then a per-query shuffle: the same query always gives the same order. sort=distance lists the nearest place to meet first. Ranking never uses Jobcentre presence, feedback, incentive amounts, names or the order records were added. Providers covering the location but left out are counted with reasons. Every part of needs is optional; codes are in GET /v1/vocabularies. An unknown town gives 422 saying what to type instead. A well-formed postcode of an area the service does not know yet lists the providers covering the whole country, with location.source unknown_area and a message saying so.
//	@Tags			matching
//	@Accept			json
//	@Produce		json
//	@Param			request	body		finder.MatchQuery	true	"Where the client lives and what they need. Health details travel only in this body: never in a URL, never in logs."
//	@Success		200		{object}	MatchResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse
//	@Failure		415		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse
//	@Failure		503		{object}	ErrorResponse
//	@Router			/v1/match [post]
func (s *Server) postMatch(c *gin.Context) error {
	if err := s.svc.Ready(); err != nil {
		return err
	}
	var q finder.MatchQuery
	if err := s.decodeJSON(c, &q); err != nil {
		return err
	}
	res, place, err := s.svc.Match(c.Request.Context(), q)
	if err != nil {
		return err
	}
	out := MatchResponse{
		Total: res.Total, Page: res.Page, PerPage: res.PerPage,
		Location:       placeView(place),
		Results:        matchResults(res.Results),
		Excluded:       res.Excluded,
		NoGoodFit:      res.NoGoodFit,
		Message:        matchMessage(res),
		OtherProvision: matchResults(res.OtherProvision),
		TopFitsFull:    res.TopFitsFull,
		CapacityNote:   res.CapacityNote,
	}
	if place.Source == geo.SourceUnknownArea {
		out.Message = finder.UnknownAreaMessage
	}
	writeJSON(c, http.StatusOK, out)
	return nil
}

// matchMessage says in one sentence what the shortlist is.
func matchMessage(res match.Result) string {
	switch {
	case res.Total == 0 && len(res.OtherProvision) > 0:
		return "No provider of this kind covers where you live. Other kinds of help that meet part of what you need are listed."
	case res.Total == 0:
		return "No provider of this kind covers where you live. Ask a Jobcentre adviser about other help."
	case res.NoGoodFit && len(res.OtherProvision) > 0:
		return "No provider here meets most of what you asked for. Every provider covering your area is listed, and other kinds of help that meet part of what you need are shown too."
	case res.NoGoodFit:
		return "No provider here meets most of what you asked for. Every provider covering your area is listed; talk to them or an adviser about what they can do."
	}
	return "Every provider covering your area is listed, best fit to what you told us first. You choose which to contact."
}
