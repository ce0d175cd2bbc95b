package match_test

import (
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// TestMatchNationalOnly: a place known to be real but not where (a postcode
// of a district no geocoder knows) is covered by national providers only,
// with no distances, even if its Point happens to be in a seed area.
func TestMatchNationalOnly(t *testing.T) {
	c := seedCatalogue(t)
	types := []string{directory.TypeJobBroker}
	placed := c.Match(match.Request{Location: leedsLS6, Types: types, PerPage: 100, Now: now})
	unplaced := leedsLS6
	unplaced.NationalOnly = true
	res := c.Match(match.Request{Location: unplaced, Types: types, PerPage: 100, Now: now})

	national := 0
	for _, r := range placed.Results {
		if r.Provider.Coverage.National {
			national++
		}
	}
	if national == 0 || res.Total != national || len(res.Results) != national {
		t.Fatalf("national only: total %d, %d results; want the %d national providers of the %d covering LS6", res.Total, len(res.Results), national, placed.Total)
	}
	for _, r := range res.Results {
		if !r.Provider.Coverage.National {
			t.Errorf("%q does not cover the whole country", r.Provider.Name)
		}
		if r.DistanceKm != nil {
			t.Errorf("%q has distance %v km from a place with no position", r.Provider.Name, *r.DistanceKm)
		}
	}
	if match.QuerySeed(leedsLS6) == match.QuerySeed(unplaced) {
		t.Error("QuerySeed ignores NationalOnly")
	}
	if got, want := match.QuerySeed(leedsLS6), match.QuerySeed(struct {
		Point          directory.LatLon
		District, Town string
	}{leedsLS6.Point, leedsLS6.District, leedsLS6.Town}); got != want {
		t.Error("QuerySeed of a placed location changed: every query's rotation would move")
	}
}
