package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/match"
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
//	@Description	Role rule: adviser only. Runs the match in query (as POST /v1/match does), saves what it showed (providers in order, scores, explanations, flags, and other provision when nothing fitted), the postcode district only, the provider the client chose and the adviser's note, and returns a short code the client can open at GET /v1/shortlists/{code} for 30 days. The shortlist holds no client data: the needs are used for the match and not kept.
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
	if err := s.finderReady(); err != nil {
		return err
	}
	var req ShortlistRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	req.Note = strings.TrimSpace(req.Note)
	if len(req.Note) > directory.MaxNote {
		return directory.Invalid("note", "must be at most %d characters", directory.MaxNote)
	}
	res, place, err := s.finder.Match(c.Request.Context(), req.Query)
	if err != nil {
		return renamePrefix(err, "query.")
	}
	sl := directory.Shortlist{District: area(place), Total: res.Total, NoGoodFit: res.NoGoodFit,
		ChosenProviderID: strings.TrimSpace(req.ChosenProviderID), Note: req.Note, CreatedBy: caller(c).ID}
	for _, r := range res.Results {
		sl.Items = append(sl.Items, shortlistItem(r, false))
	}
	for _, r := range res.OtherProvision {
		sl.Items = append(sl.Items, shortlistItem(r, true))
	}
	if sl.Items == nil {
		sl.Items = []directory.ShortlistItem{}
	}
	if sl.ChosenProviderID != "" && !shown(sl.Items, sl.ChosenProviderID) {
		return directory.Invalid("chosen_provider_id", "must be one of the providers shown")
	}
	if err := s.store.CreateShortlist(c.Request.Context(), &sl); err != nil {
		return err
	}
	s.recordMatch(place, req.Query.Needs, res, sl.ChosenProviderID)
	s.audit(c, "shortlist.create", "shortlist", sl.Code, 0)
	c.Header("Location", "/v1/shortlists/"+sl.Code)
	writeJSON(c, http.StatusCreated, sl)
	return nil
}

func shortlistItem(r match.Ranked, other bool) directory.ShortlistItem {
	flags := make([]string, len(r.Flags))
	for i, f := range r.Flags {
		flags[i] = f.Code
	}
	return directory.ShortlistItem{ProviderID: r.Provider.ID, Name: r.Provider.Name, Rank: r.Rank, Score: r.Score,
		Met: nonNil(r.Explanation.Met), PartlyMet: nonNil(r.Explanation.PartlyMet), NotMet: nonNil(r.Explanation.NotMet),
		Flags: flags, OtherProvision: other}
}

func shown(items []directory.ShortlistItem, id string) bool {
	for _, it := range items {
		if it.ProviderID == id {
			return true
		}
	}
	return false
}

// renamePrefix puts prefix before every field a validation error names, so
// problems inside the nested query point at the right place.
func renamePrefix(err error, prefix string) error {
	switch e := err.(type) {
	case *directory.ValidationError:
		out := &directory.ValidationError{Problems: make([]directory.FieldProblem, len(e.Problems))}
		for i, p := range e.Problems {
			out.Problems[i] = directory.FieldProblem{Field: prefix + p.Field, Message: p.Message}
		}
		return out
	case *directory.PlaceError:
		return &directory.PlaceError{Field: prefix + e.Field, Message: e.Message}
	}
	return err
}

// area is where a match was made, as coarse as the reports need: the
// postcode district, else the town; never a full postcode.
func area(p geo.Place) string {
	switch {
	case p.District != "":
		return p.District
	case p.Town != "":
		return strings.ToLower(p.Town)
	}
	return "unknown"
}

// recordMatch queues the fairness counts for a match that was shown: each
// provider in the ranked page shown (and in the top three), the chosen one
// chosen; and, when nothing fitted, each stated need as unmet in the area.
func (s *Server) recordMatch(place geo.Place, needs directory.Needs, res match.Result, chosen string) {
	a := area(place)
	exp := make([]directory.ExposureCount, 0, len(res.Results))
	for _, r := range res.Results {
		e := directory.ExposureCount{Area: a, ProviderID: r.Provider.ID, Shown: 1}
		if r.Rank <= 3 {
			e.Top3 = 1
		}
		if r.Provider.ID == chosen {
			e.Chosen = 1
		}
		exp = append(exp, e)
	}
	for _, r := range res.OtherProvision {
		if r.Provider.ID == chosen {
			exp = append(exp, directory.ExposureCount{Area: a, ProviderID: chosen, Chosen: 1})
		}
	}
	var unmet []directory.UnmetNeedCount
	if res.NoGoodFit {
		unmet = append(unmet, directory.UnmetNeedCount{Area: a, Need: directory.UnmetNeedMatches, Count: 1})
		for _, n := range directory.NeedCodes(needs) {
			unmet = append(unmet, directory.UnmetNeedCount{Area: a, Need: n, Count: 1})
		}
	}
	s.recorder.Record(exp, unmet)
}

// getShortlist godoc
//
//	@Summary		Open a saved shortlist
//	@Description	Role rule: public (the code is the key). What the adviser showed, in order, with explanations, the provider chosen and the adviser's note. 404 for an unknown code, 410 once 30 days have passed.
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
