package geo_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/geo"
)

// TestGeocoders holds every implementation of geo.Geocoder to the
// interface's contract for input checking, which does not depend on data.
func TestGeocoders(t *testing.T) {
	_, remote, _ := newFake(t)
	file, err := geo.ReadCSV(strings.NewReader(outcodes))
	if err != nil {
		t.Fatal(err)
	}
	chain, _ := newChain(t)
	for name, g := range map[string]geo.Geocoder{
		"Builtin": geo.Builtin(), "Table": file, "Remote": remote, "New": chain,
	} {
		t.Run(name, func(t *testing.T) { testGeocoder(t, g) })
	}
}

func testGeocoder(t *testing.T, g geo.Geocoder) {
	ctx := context.Background()
	for _, in := range []string{"", "LS6*", "12345", "LS6 1AN LS6 1AN", "ＬＳ6"} {
		_, err := g.Postcode(ctx, in)
		checkValidation(t, err, "postcode", "Enter a postcode like LS6 1AN, or the first part like LS6")
	}
	for _, tt := range []struct{ in, msg string }{
		{"", "Enter a town or city"},
		{" \t ", "Enter a town or city"},
		{strings.Repeat("a", 101), "100 characters or fewer"},
		{strings.Repeat("é", 101), "100 characters or fewer"},
		{"Leeds\xff", "using letters"},
	} {
		_, err := g.Town(ctx, tt.in)
		checkValidation(t, err, "town", tt.msg)
	}
	if _, err := g.Town(ctx, strings.Repeat("é", 100)); err == nil || strings.Contains(err.Error(), "invalid") {
		t.Errorf("Town(100 characters) error = %v, want not found", err)
	}
	for _, tt := range []struct {
		lat, lon float64
		field    string
	}{
		{math.NaN(), 0, "lat"}, {91, 0, "lat"}, {-90.5, 0, "lat"},
		{53, math.NaN(), "lon"}, {53, 181, "lon"}, {53, math.Inf(-1), "lon"},
	} {
		_, err := g.Nearest(ctx, tt.lat, tt.lon)
		checkValidation(t, err, tt.field, "must be a number")
	}
	for _, pt := range [][2]float64{{53.8, -1.55}, {-33.9, 151.2}, {90, 180}, {-90, -180}} {
		got, err := g.Nearest(ctx, pt[0], pt[1])
		if err != nil || got.Lat != pt[0] || got.Lon != pt[1] || got.Source != "coordinates" {
			t.Errorf("Nearest(%v, %v) = %+v, %v", pt[0], pt[1], got, err)
		}
	}
}
