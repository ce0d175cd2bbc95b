package api_test

import (
	"os"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
)

// TestMatchOutsideSeedAreas: a real postcode far from every seed area is
// placed by the built-in table, and a well-formed postcode of an area the
// service does not know still gets the national providers, with a plain
// message instead of "check it".
func TestMatchOutsideSeedAreas(t *testing.T) {
	e, _ := newSeededEnv(t)
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	national := map[string]bool{}
	brokers := 0
	for _, p := range ps {
		if p.Coverage.National && p.Type == directory.TypeJobBroker && p.Status == directory.StatusPublished {
			national[p.ID] = true
			brokers++
		}
	}
	if brokers == 0 {
		t.Fatal("the seed has no national Job Brokers to list")
	}

	for _, tt := range []struct {
		postcode, source, district string
		message                    string
	}{
		{"TR18 4AA", "builtin", "TR18", "Every provider covering your area is listed"},
		{"SW1A 1AA", "builtin", "SW1A", "Every provider covering your area is listed"},
		{"ZZ9 9ZZ", "unknown_area", "ZZ9", "We do not have this area yet"},
	} {
		t.Run(tt.postcode, func(t *testing.T) {
			r := e.do("POST", "/v1/match", map[string]any{"location": map[string]any{"postcode": tt.postcode}, "per_page": 100})
			if r.status != 200 {
				t.Fatalf("match: %d %s", r.status, r.body)
			}
			var res api.MatchResponse
			r.json(t, &res)
			if res.Location.Source != tt.source || res.Location.District != tt.district || res.Location.Postcode != tt.postcode {
				t.Errorf("location %+v, want %s from %s", res.Location, tt.district, tt.source)
			}
			if !strings.HasPrefix(res.Message, tt.message) {
				t.Errorf("message %q, want it to start %q", res.Message, tt.message)
			}
			if strings.Contains(strings.ToLower(res.Message), "check") {
				t.Errorf("message %q asks to check a postcode that is well formed", res.Message)
			}
			listed := 0
			for _, m := range res.Results {
				if national[m.Provider.ID] {
					listed++
				} else if tt.source == "unknown_area" {
					t.Errorf("%s listed for an unknown area, but does not cover the whole country", m.Provider.Name)
				}
				if tt.source == "unknown_area" && m.DistanceKm != nil {
					t.Errorf("%s is %v km from a place with no position", m.Provider.Name, *m.DistanceKm)
				}
			}
			if listed != brokers || res.Total < brokers {
				t.Errorf("%d of the %d national Job Brokers listed (total %d)", listed, brokers, res.Total)
			}
		})
	}

	// A search needs a position: it says plainly that the area is unknown.
	r := e.do("GET", "/v1/search?near=ZZ9+9ZZ", nil)
	if r.status != 422 || !strings.Contains(string(r.body), "We do not have this area yet") {
		t.Errorf("search near=ZZ9 9ZZ: %d %s", r.status, r.body)
	}
}
