package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestPolygonCoverage creates a provider whose only coverage is polygons
// through the API, reads it back in GeoJSON's shape, and matches points
// inside and outside them. On the embedded store the create once failed
// with a 500: FerretDB refuses GeoJSON's nested arrays.
func TestPolygonCoverage(t *testing.T) {
	e := newEnv(t)
	p := storetest.PolygonProvider("Polygon Broker")
	created := e.create(p)

	r := e.do("GET", "/v1/providers/"+created.ID, nil)
	if r.status != http.StatusOK {
		t.Fatalf("read: %d %s", r.status, r.body)
	}
	var got directory.Provider
	r.json(t, &got)
	if diff := storetest.Diff(p.Coverage, got.Coverage); diff != "" {
		t.Errorf("coverage read back differs (-sent +read):\n%s", diff)
	}

	// The ORUK view of the stored record carries each polygon as GeoJSON.
	r = e.do("GET", "/oruk/services/"+hsds.ServiceID(&got), nil)
	if r.status != http.StatusOK {
		t.Fatalf("ORUK service: %d %s", r.status, r.body)
	}
	var svc hsds.Service
	r.json(t, &svc)
	var extents []directory.Polygon
	for _, sa := range svc.ServiceAreas {
		if sa.ExtentType == "geojson" {
			var pg directory.Polygon
			if err := json.Unmarshal([]byte(sa.Extent), &pg); err != nil {
				t.Fatalf("ORUK extent %q: %v", sa.Extent, err)
			}
			extents = append(extents, pg)
		}
	}
	if diff := storetest.Diff(p.Coverage.Polygons, extents); diff != "" {
		t.Errorf("ORUK service areas' polygons differ (-sent +ORUK):\n%s", diff)
	}

	for _, tc := range []struct {
		name     string
		lat, lon float64
		matched  bool
	}{
		// The first polygon is round Leeds with a small triangular hole;
		// the second is a triangle by York, far from the provider's site.
		{"inside the first polygon", 53.75, -1.65, true},
		{"inside the second polygon", 53.96, -1.05, true},
		{"in the first polygon's hole", 53.795, -1.545, false},
		{"outside both", 53.48, -2.24, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/v1/match", map[string]any{"location": map[string]any{"lat": tc.lat, "lon": tc.lon}})
			if r.status != http.StatusOK {
				t.Fatalf("match: %d %s", r.status, r.body)
			}
			var res api.MatchResponse
			r.json(t, &res)
			found := false
			for _, m := range res.Results {
				found = found || m.Provider.ID == created.ID
			}
			if found != tc.matched || res.Total != len(res.Results) {
				t.Errorf("matched %v (total %d, %d results), want %v", found, res.Total, len(res.Results), tc.matched)
			}
		})
	}
}
