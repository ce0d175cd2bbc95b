package web

import (
	_ "embed"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
)

// embedAreaSize is how many providers an area listing shows; it links to
// the full search for the rest.
const embedAreaSize = 5

func (s *server) embedProvider(c *gin.Context) error {
	id := c.Param("id")
	p, ok := s.finder.Provider(id)
	if !directory.ValidID(id) || !ok {
		s.render(c, http.StatusNotFound, "embed-problem", "Provider not found", "We could not find this provider. It may no longer be listed.")
		return nil
	}
	s.render(c, http.StatusOK, "embed-provider", p.Name, newProviderView(p, s.now()))
	return nil
}

// embedAreaData is a short listing of providers covering a place.
type embedAreaData struct {
	Place     string
	Total     int
	Providers []providerView
}

// embedArea lists Job Brokers covering the place in "near" (chosen by the
// host site, not by a client). Its order is the search's: nearest first,
// with a fair shuffle among equals, never the host's own listing first.
func (s *server) embedArea(c *gin.Context) error {
	near := c.Query("near")
	if near == "" {
		s.render(c, http.StatusBadRequest, "embed-problem", "Place needed", "This listing needs a place: add near=postcode or town to its address.")
		return nil
	}
	res, place, err := s.finder.Search(c.Request.Context(), finder.SearchQuery{
		Near: near, Types: []string{directory.TypeJobBroker}, Page: 1, PerPage: embedAreaSize,
	})
	var ve *directory.ValidationError
	var pe *directory.PlaceError
	switch {
	case errors.As(err, &ve), errors.As(err, &pe):
		s.render(c, http.StatusBadRequest, "embed-problem", "Place not found", "We could not find that place.")
		return nil
	case err != nil:
		return err
	}
	d := embedAreaData{Total: res.Total}
	if place != nil {
		d.Place = placeName(*place)
	}
	now := s.now()
	for _, f := range res.Items {
		d.Providers = append(d.Providers, newProviderView(f.Provider, now))
	}
	s.render(c, http.StatusOK, "embed-area", "Job Brokers near "+d.Place, d)
	return nil
}

//go:embed embed.js
var embedJS []byte

// embedScript is the snippet provider websites include: it renders listing
// cards into their pages (see the README, "Embedding a listing").
func (s *server) embedScript(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", embedJS)
}
