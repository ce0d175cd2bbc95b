package match_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/match"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// client is where the people of these tests live (Leeds city centre).
var client = directory.LatLon{Lat: 53.7997, Lon: -1.5492}

// near builds a Job Broker with one office km east of the client, covering
// 150 km around it, meeting only at that office.
func near(id string, km float64) directory.Provider {
	p := storetest.Provider(id)
	p.ID = id
	at := destination(client, km, 90)
	p.Sites = p.Sites[:1]
	p.Sites[0].Location = &at
	p.Coverage = directory.Coverage{RadiusKm: 150}
	p.Incentives = nil
	return p
}

func catalogueOf(ps ...directory.Provider) *match.Catalogue {
	c := match.NewCatalogue()
	for i := range ps {
		c.Put(&ps[i])
	}
	return c
}

func matchAt(c *match.Catalogue, n directory.Needs) match.Result {
	n.Normalize()
	return c.Match(match.Request{Location: match.Location{Point: client}, Needs: n, PerPage: 100, Now: now, Seed: 1})
}

func byName(res match.Result, id string) match.Ranked {
	for _, r := range res.Results {
		if r.Provider.ID == id {
			return r
		}
	}
	return match.Ranked{}
}

func flagText(r match.Ranked, code string) string {
	for _, f := range r.Flags {
		if f.Code == code {
			return f.Text
		}
	}
	return ""
}

// TestMoneyExplainedPerPayment (issue 17, 1.1): travel costs paid to
// everyone who qualifies are not called discretionary because an employer
// subsidy is; payments to employers are never money for the client.
func TestMoneyExplainedPerPayment(t *testing.T) {
	rea := near("rea", 2)
	rea.Incentives = []directory.Incentive{
		{Kind: "travel_costs", Recipient: "client", Trigger: "For interviews", Discretionary: false},
		{Kind: "employer_wage_subsidy", Recipient: "employer", Trigger: "For 26 weeks", Discretionary: true},
	}
	employerOnly := near("employer-only", 2)
	employerOnly.Incentives = []directory.Incentive{{Kind: "employer_wage_subsidy", Recipient: "employer", Discretionary: true}}
	res := matchAt(catalogueOf(rea, employerOnly), directory.Needs{MoneyHelp: []string{directory.MoneyCosts}})

	r := byName(res, "rea")
	if want := "Helps with costs: travel costs, paid to everyone who qualifies"; !slices.Contains(r.Explanation.Met, want) {
		t.Errorf("met %q, want %q", r.Explanation.Met, want)
	}
	for _, s := range r.Explanation.Met {
		if strings.Contains(s, "discretion") || strings.Contains(s, "employer") {
			t.Errorf("the client's costs are described with the employer's payment: %q", s)
		}
	}
	if got, want := flagText(r, "incentives_discretionary"), "At the provider's discretion, not automatic: wage subsidy to the employer. Paid to everyone who qualifies: travel costs"; got != want {
		t.Errorf("flag %q, want %q", got, want)
	}
	e := byName(res, "employer-only")
	if !slices.Contains(e.Explanation.NotMet, "Does not offer help with costs") {
		t.Errorf("a provider paying only employers helps with the client's costs: %+v", e.Explanation)
	}
}

// TestAvoidJobcentreSites (issue 17, 1.2): twins share an office 45 km
// away; one also meets at a Jobcentre 0.8 km from the client. For a
// client avoiding the Jobcentre the Jobcentre counts for nothing.
func TestAvoidJobcentreSites(t *testing.T) {
	twin := func(id string) directory.Provider {
		p := near(id, 45)
		p.DeliveryModes = []string{directory.ModeOffice, directory.ModeJobcentre, directory.ModeOneToOne}
		return p
	}
	a, b := twin("a"), twin("b")
	jc := destination(client, 0.8, 200)
	b.Sites = append(b.Sites, directory.Site{ID: "site-2", Name: "Jobcentre Plus Eastgate", Kind: directory.SiteJobcentre,
		Address: directory.Address{Lines: []string{"1 Eastgate"}, Town: "Leeds", Postcode: "LS2 7JL"}, Location: &jc})
	c := catalogueOf(a, b)

	// The Jobcentre site counts when the client has not said to avoid it:
	// otherwise this test could not fail.
	if r := byName(matchAt(c, directory.Needs{Travel: directory.TravelPublicTransport}), "b"); r.DistanceKm == nil || *r.DistanceKm > 1 {
		t.Fatalf("without avoid_jobcentre the twin's Jobcentre should be its nearest site: %+v", r.DistanceKm)
	}

	res := matchAt(c, directory.Needs{AvoidJobcentre: true, Travel: directory.TravelPublicTransport})
	ra, rb := byName(res, "a"), byName(res, "b")
	if ra.Score != rb.Score {
		t.Errorf("twins score %d and %d: the Jobcentre site counted", ra.Score, rb.Score)
	}
	if rb.DistanceKm != nil && *rb.DistanceKm < 44 {
		t.Errorf("distance %v km: the Jobcentre site counted", *rb.DistanceKm)
	}
	if strings.Contains(rb.Travel, "Jobcentre") {
		t.Errorf("travel note offers the Jobcentre: %q", rb.Travel)
	}
	for _, s := range rb.Explanation.Met {
		if strings.HasPrefix(s, "Easy to get to") {
			t.Errorf("met %q", s)
		}
	}

	res = matchAt(c, directory.Needs{AvoidJobcentre: true, MaxTravelKm: 5})
	if res.Total != 0 || res.Excluded.Count != 2 {
		t.Errorf("max_travel_km 5: total %d, excluded %d; want both twins left out", res.Total, res.Excluded.Count)
	}
}

// TestWording (issue 17, 1.3): distances in miles people understand,
// "meet locally" only when the office is local, the form's words in the
// explanation.
func TestWording(t *testing.T) {
	here := near("here", 0.01)
	far := near("far", 99)
	c := catalogueOf(here, far)
	res := matchAt(c, directory.Needs{ContactPreferences: []string{directory.ModeHomeVisits}, Travel: directory.TravelCar,
		Support: []string{"confidence_building"}})
	h := byName(res, "here")
	all := strings.Join(slices.Concat([]string{h.Travel}, h.Explanation.Met, h.Explanation.PartlyMet), " | ")
	if strings.Contains(all, "0.0") || !strings.Contains(all, "less than 0.1 miles") {
		t.Errorf("a provider next door: %q", all)
	}
	if h.DistanceMiles == nil || *h.DistanceMiles != 0 {
		t.Errorf("distance_miles %v", h.DistanceMiles)
	}
	f := byName(res, "far")
	for _, s := range slices.Concat(f.Explanation.Met, f.Explanation.PartlyMet) {
		if strings.Contains(s, "locally") {
			t.Errorf("a provider 99 km away: %q", s)
		}
	}
	if want := "No home visits, and the nearest place to meet is 62 miles away"; !slices.Contains(f.Explanation.NotMet, want) {
		t.Errorf("not met %q, want %q", f.Explanation.NotMet, want)
	}
	if f.DistanceMiles == nil || *f.DistanceMiles != 61.5 {
		t.Errorf("distance_miles %v, want 61.5", f.DistanceMiles)
	}
	label := directory.MustVocabulary(directory.VocabServices).Label("confidence_building")
	if want := "Does not offer " + directory.LowerFirst(label); !slices.Contains(h.Explanation.NotMet, want) {
		t.Errorf("not met %q, want %q (the vocabulary's label, as the form shows it)", h.Explanation.NotMet, want)
	}
}
