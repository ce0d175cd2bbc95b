package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// SearchResponse is one page of published providers, with facet counts over
// all the results.
type SearchResponse struct {
	Total   int          `json:"total" example:"12"`
	Page    int          `json:"page" example:"1"`
	PerPage int          `json:"per_page" example:"20"`
	Near    *PlaceView   `json:"near,omitempty"`
	Items   []SearchItem `json:"items"`
	// Facets counts, for each filter, how many results carry each code.
	Facets map[string][]match.FacetCount `json:"facets"`
} // @name SearchResponse

// SearchItem is one search result.
type SearchItem struct {
	Provider   ProviderSummary `json:"provider"`
	DistanceKm *float64        `json:"distance_km"`
	Flags      []match.Flag    `json:"flags"`
} // @name SearchItem

// searchParams are the query parameters search accepts; any other is an
// error, so a mistyped filter never silently widens the results.
var searchParams = map[string]bool{
	"q": true, "type": true, "specialism": true, "delivery_mode": true, "service": true,
	"incentive": true, "accessibility": true, "language": true, "taking_new_clients": true,
	"near": true, "radius_km": true, "page": true, "per_page": true,
}

// search godoc
//
//	@Summary		Search the directory
//	@Description	Free text (plain words: query syntax is never interpreted) and filters over published providers, with facet counts for every filter and the total. Repeat a filter, or separate codes with commas, to require all of them (any of them for type). With near (a postcode, a town or "lat,lon"), only providers covering that place and reachable within radius_km are listed, nearest first; with q, best match first; otherwise in a fair order that varies by query. Health details belong in POST /v1/match, never in this URL.
//	@Tags			matching
//	@Produce		json
//	@Param			q					query		string		false	"Plain words to find, at most 200 characters"
//	@Param			type				query		[]string	false	"Provider type codes (any of)"	collectionFormat(multi)
//	@Param			specialism			query		[]string	false	"Specialism codes (all of)"	collectionFormat(multi)
//	@Param			delivery_mode		query		[]string	false	"Delivery mode codes (all of)"	collectionFormat(multi)
//	@Param			service				query		[]string	false	"Service codes (all of)"	collectionFormat(multi)
//	@Param			incentive			query		[]string	false	"Incentive kind codes (all of)"	collectionFormat(multi)
//	@Param			accessibility		query		[]string	false	"Accessibility codes (all of)"	collectionFormat(multi)
//	@Param			language			query		[]string	false	"Language codes (all of)"	collectionFormat(multi)
//	@Param			taking_new_clients	query		bool		false	"Only providers taking (true) or not taking (false) new clients"
//	@Param			near				query		string		false	"Postcode, town, or lat,lon"
//	@Param			radius_km			query		number		false	"How far to meet in person, with near (default 25, at most 200)"
//	@Param			page				query		int			false	"Page number, from 1"	default(1)
//	@Param			per_page			query		int			false	"Items per page, at most 100"	default(20)
//	@Success		200					{object}	SearchResponse
//	@Failure		400					{object}	ErrorResponse
//	@Failure		422					{object}	ErrorResponse
//	@Failure		503					{object}	ErrorResponse
//	@Router			/v1/search [get]
func (s *Server) search(c *gin.Context) error {
	if err := s.finderReady(); err != nil {
		return err
	}
	var problems []directory.FieldProblem
	query := c.Request.URL.Query()
	for name := range query {
		if !searchParams[name] {
			problems = append(problems, directory.FieldProblem{Field: name, Message: "is not a search parameter"})
		}
	}
	list := func(name string) []string {
		var out []string
		for _, v := range query[name] {
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
		return out
	}
	q := finder.SearchQuery{
		Text: c.Query("q"), Near: c.Query("near"),
		Types: list("type"), Specialisms: list("specialism"), DeliveryModes: list("delivery_mode"),
		Services: list("service"), Incentives: list("incentive"), Accessibility: list("accessibility"),
		Languages: list("language"),
	}
	if v, ok := c.GetQuery("taking_new_clients"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			problems = append(problems, directory.FieldProblem{Field: "taking_new_clients", Message: "must be true or false"})
		}
		q.TakingNewClients = &b
	}
	if v, ok := c.GetQuery("radius_km"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 1 || f > finder.MaxRadiusKm {
			problems = append(problems, directory.FieldProblem{Field: "radius_km", Message: fmt.Sprintf("must be a number from 1 to %d", finder.MaxRadiusKm)})
		}
		q.RadiusKm = f
	}
	var more []directory.FieldProblem
	q.Page, q.PerPage, more = pagingProblems(c)
	problems = append(problems, more...)
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	res, near, err := s.finder.Search(c.Request.Context(), q)
	if err != nil {
		return err
	}
	setLinks(c, res.Page, res.PerPage, int64(res.Total))
	out := SearchResponse{Total: res.Total, Page: res.Page, PerPage: res.PerPage, Facets: res.Facets, Items: make([]SearchItem, len(res.Items))}
	if near != nil {
		v := placeView(*near)
		out.Near = &v
	}
	for i, it := range res.Items {
		out.Items[i] = SearchItem{Provider: summarise(it.Provider), DistanceKm: it.DistanceKm, Flags: it.Flags}
	}
	writeJSON(c, http.StatusOK, out)
	return nil
}
