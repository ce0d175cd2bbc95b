package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/finder"
)

// placeAnswer is what "Use my location" puts in the form: a place a person
// recognises, never raw coordinates.
type placeAnswer struct {
	// Where is what goes in the search box: the postcode district
	// ("LS6"), or the town when no district is known.
	Where string `json:"where"`
	// Name is how the page says where that is ("LS6, Leeds").
	Name string `json:"name"`
}

// place turns the browser's position into the nearest place the built-in
// table (or the configured geocoder) knows. The position comes in a POST
// body, never a URL, and nothing is kept; the search that follows is by
// district, which says less about where someone lives than coordinates.
func (s *server) place(c *gin.Context) {
	lat, err1 := strconv.ParseFloat(c.PostForm("lat"), 64)
	lon, err2 := strconv.ParseFloat(c.PostForm("lon"), 64)
	if err1 != nil || err2 != nil {
		c.JSON(http.StatusBadRequest, gin.H{"code": "invalid", "message": "lat and lon must be numbers", "fields": []string{"lat", "lon"}})
		return
	}
	_, p, err := s.finder.Locate(c.Request.Context(), finder.LocationQuery{Lat: &lat, Lon: &lon}, "location")
	if err != nil || (p.District == "" && p.Town == "") {
		c.JSON(http.StatusNotFound, gin.H{"code": "not_found", "message": "No place we know is near there", "fields": []string{}})
		return
	}
	c.Header("Cache-Control", "no-store")
	a := placeAnswer{Where: p.District, Name: placeName(p)}
	if a.Where == "" {
		a.Where = p.Town
	}
	c.JSON(http.StatusOK, a)
}
