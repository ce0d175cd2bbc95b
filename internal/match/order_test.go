package match_test

import (
	"slices"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

func ids(res match.Result) []string { return ranking(res.Results) }

// TestFullProvidersAfterOpenOnes: among equal scores a provider not taking
// new clients never comes before one that is, whatever the seed; when the
// best fits are all full the result says so.
func TestFullProvidersAfterOpenOnes(t *testing.T) {
	var ps []directory.Provider
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		p := near(id, 1)
		p.Capacity.TakingNewClients = id < "d"
		ps = append(ps, p)
	}
	c := catalogueOf(ps...)
	for seed := range uint64(40) {
		res := c.Match(match.Request{Location: match.Location{Point: client}, PerPage: 100, Now: now, Seed: seed})
		seenFull := false
		for _, r := range res.Results {
			full := !r.Provider.Capacity.TakingNewClients
			if seenFull && !full {
				t.Fatalf("seed %d: %s takes new clients but ranks after a full provider: %v", seed, r.Provider.ID, ids(res))
			}
			seenFull = seenFull || full
		}
		if res.TopFitsFull {
			t.Fatalf("seed %d: open providers fit as well, yet top_fits_full", seed)
		}
	}
	// Only the full ones meet the need: the page must say the top fits are full.
	for i := range ps {
		if !ps[i].Capacity.TakingNewClients {
			ps[i].Services = append(slices.Clone(ps[i].Services), directory.Service{Code: "job_coaching", Provision: "in_house"})
		}
	}
	res := matchAt(catalogueOf(ps...), directory.Needs{Support: []string{"job_coaching"}})
	if !res.TopFitsFull || res.CapacityNote == "" {
		t.Fatalf("top fits full not said: %v %q", res.TopFitsFull, res.CapacityNote)
	}
	if res.Results[0].Provider.Capacity.TakingNewClients {
		t.Fatal("a worse fit taking clients was put before the better full ones")
	}
}

// TestDistanceBands: when the client has not said how they travel, equal
// scores come nearest band first (a provider 0.2 km away before one 52 km
// away, whatever the seed), and equal providers in one town still rotate.
func TestDistanceBands(t *testing.T) {
	var ps []directory.Provider
	for i, km := range []float64{52, 0.2, 1, 2, 3, 20} {
		ps = append(ps, near(string(rune('a'+i)), km))
	}
	c := catalogueOf(ps...)
	firsts := map[string]bool{}
	for seed := range uint64(60) {
		res := c.Match(match.Request{Location: match.Location{Point: client}, PerPage: 100, Now: now, Seed: seed})
		last := -1.0
		band := func(km float64) int {
			switch {
			case km <= 5*1.609344:
				return 0
			case km <= 15*1.609344:
				return 1
			case km <= 40*1.609344:
				return 2
			}
			return 3
		}
		for _, r := range res.Results {
			b := float64(band(*r.DistanceKm))
			if b < last {
				t.Fatalf("seed %d: bands out of order: %v", seed, ids(res))
			}
			last = b
		}
		if got := res.Results[len(res.Results)-1].Provider.ID; got != "a" {
			t.Fatalf("seed %d: the provider 52 km away is not last: %v", seed, ids(res))
		}
		firsts[res.Results[0].Provider.ID] = true
	}
	if len(firsts) < 3 {
		t.Fatalf("only %v came first: equal providers in one town must rotate", firsts)
	}
}

// TestSortByDistance: sort=distance lists nearest place to meet first,
// whatever the score.
func TestSortByDistance(t *testing.T) {
	far := near("far", 30)
	far.Services = append(far.Services, directory.Service{Code: "job_coaching", Provision: "in_house"})
	c := catalogueOf(far, near("mid", 5), near("close", 0.5))
	n := directory.Needs{Support: []string{"job_coaching"}}
	req := match.Request{Location: match.Location{Point: client}, Needs: n, PerPage: 100, Now: now, Seed: 3, Sort: match.SortDistance}
	if got, want := ids(c.Match(req)), []string{"close", "mid", "far"}; !slices.Equal(got, want) {
		t.Errorf("by distance %v, want %v", got, want)
	}
	req.Sort = ""
	if got := ids(c.Match(req)); got[0] != "far" {
		t.Errorf("by fit %v: the only one offering job coaching should be first", got)
	}
}

// TestExcludedReadOut: a provider left out is named with a reason an
// adviser can read out.
func TestExcludedReadOut(t *testing.T) {
	deaf := near("deaf", 1)
	deaf.Name = "Deaf Futures"
	deaf.ServesOnly = []string{"hearing"}
	far := near("far", 40)
	far.Name = "Far Away Works"
	res := matchAt(catalogueOf(deaf, far, near("ok", 1)), directory.Needs{HealthConditions: []string{"mental_health"}, MaxTravelKm: 10})
	want := []match.LeftOut{
		{ID: "deaf", Name: "Deaf Futures", Code: "serves_only", Text: "Only works with people with hearing loss"},
		{ID: "far", Name: "Far Away Works", Code: "too_far", Text: "Meets people only in person, more than 6.2 miles away, and does not visit you at home"},
	}
	if !slices.Equal(res.Excluded.Providers, want) {
		t.Errorf("left out %+v\nwant %+v", res.Excluded.Providers, want)
	}
}

// TestAtAGlance: every result says who the client deals with and how
// often, in-work support, whether the employer is told, and languages.
func TestAtAGlance(t *testing.T) {
	p := near("p", 1)
	p.Languages = []string{"en", "cy"}
	p.Staffing = directory.Staffing{AdviserModel: "named_adviser", ContactFrequencyDays: 14}
	p.InWorkSupport = directory.InWorkSupport{Offered: true, Model: "job_coaching", Weeks: 26, EmployerMediation: true, Disclosure: "client_decides"}
	g := matchAt(catalogueOf(p), directory.Needs{}).Results[0].AtAGlance
	want := match.Glance{
		Languages: []string{"en", "cy"}, LanguagesText: "English and Welsh",
		AdviserModel: "named_adviser", ContactFrequencyDays: 14, Adviser: "One named adviser throughout; usually in touch every 14 days",
		InWorkSupportModel: "job_coaching", InWorkSupport: "Job coaching, for up to 26 weeks; will talk to your employer",
		EmployerTold: "client_decides", EmployerToldText: "You decide whether your employer is told about your condition",
	}
	if !slices.Equal(g.Languages, want.Languages) || g.LanguagesText != want.LanguagesText || g.Adviser != want.Adviser ||
		g.InWorkSupport != want.InWorkSupport || g.EmployerTold != want.EmployerTold || g.EmployerToldText != want.EmployerToldText ||
		g.AdviserModel != want.AdviserModel || g.ContactFrequencyDays != 14 || g.InWorkSupportModel != want.InWorkSupportModel {
		t.Errorf("at a glance %+v\nwant %+v", g, want)
	}
}
