package match_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/match"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
	"github.com/brokerfinder/brokerfinder/internal/synth/synthtest"
)

func seedProviders(t testing.TB) []directory.Provider {
	t.Helper()
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

var places = []match.Location{leedsLS6, manchesterM1, sheffieldS2, bristolBS5, birminghamB5, cardiffCF10, carlisleCA3, edinburghEH8, norwichNR2, glasgowG42,
	{Point: directory.LatLon{Lat: 54.2, Lon: -3.0}}, // Cumbrian fells: only national and travelling providers
}

// randomNeeds picks a few needs from every vocabulary.
func randomNeeds(r *rand.Rand) directory.Needs {
	pick := func(vocab string, most int) []string {
		terms := directory.MustVocabulary(vocab).Terms
		var out []string
		for range r.IntN(most + 1) {
			out = append(out, terms[r.IntN(len(terms))].Code)
		}
		return out
	}
	one := func(vocab string) string {
		if r.IntN(2) == 0 {
			return ""
		}
		terms := directory.MustVocabulary(vocab).Terms
		return terms[r.IntN(len(terms))].Code
	}
	n := directory.Needs{
		HealthConditions:    pick(directory.VocabSpecialisms, 2),
		SevereOrFluctuating: r.IntN(4) == 0,
		DistanceFromWork:    one(directory.VocabDistanceFromWork),
		JobSearchStage:      one(directory.VocabJobSearchStages),
		Support:             pick(directory.VocabServices, 3),
		ContactPreferences:  pick(directory.VocabDeliveryModes, 2),
		AvoidGroups:         r.IntN(4) == 0,
		Hours:               one(directory.VocabHours),
		WorkKind:            pick(directory.VocabWorkKinds, 1),
		MoneyHelp:           pick(directory.VocabMoneyHelp, 1),
		InWorkSupport:       r.IntN(3) == 0,
		Languages:           pick(directory.VocabLanguages, 1),
		Accessibility:       pick(directory.VocabAccessibility, 1),
		Travel:              one(directory.VocabTravel),
		AvoidJobcentre:      r.IntN(4) == 0,
		// The needs from RR246 §3.4.2, §4.4.1, §4.4.3, §5.6.2, §5.2.2.
		NamedAdviser:           r.IntN(4) == 0,
		RegularContact:         r.IntN(4) == 0,
		Age50Plus:              r.IntN(4) == 0,
		EmployerIncentives:     r.IntN(4) == 0,
		EmployerMediation:      r.IntN(4) == 0,
		CaringResponsibilities: r.IntN(4) == 0,
	}
	if r.IntN(4) == 0 {
		n.MaxTravelKm = float64(5 + r.IntN(40))
	}
	n.Normalize()
	return n
}

// all pages through a match and returns every result.
func all(c *match.Catalogue, req match.Request) (match.Result, []match.Ranked) {
	req.PerPage = 7 // small pages, to exercise paging
	var out []match.Ranked
	var first match.Result
	for page := 1; ; page++ {
		req.Page = page
		res := c.Match(req)
		if page == 1 {
			first = res
		}
		out = append(out, res.Results...)
		if len(res.Results) < req.PerPage {
			return first, out
		}
	}
}

// coversBruteForce is an independent statement of eligibility, checked
// against every provider without the catalogue's lookups.
func coversBruteForce(p *directory.Provider, loc match.Location, n directory.Needs) bool {
	if p.Status != directory.StatusPublished || p.Organisation.ContractStatus == directory.ContractEnded || p.Type != directory.TypeJobBroker {
		return false
	}
	// nearest is any located site, for coverage; usable is one the client
	// can use: not a Jobcentre when they avoid it.
	nearest, located := 1e9, false
	usable, usableOK := 1e9, false
	for _, s := range p.Sites {
		if s.Location != nil && s.Kind != directory.SiteRemote {
			d := directory.DistanceKm(loc.Point, *s.Location)
			nearest, located = min(nearest, d), true
			if !n.AvoidJobcentre || s.Kind != directory.SiteJobcentre {
				usable, usableOK = min(usable, d), true
			}
		}
	}
	c := p.Coverage
	covered := c.National ||
		slices.ContainsFunc(c.PostcodeDistricts, func(d string) bool { return strings.EqualFold(d, loc.District) && loc.District != "" }) ||
		slices.ContainsFunc(c.Areas, func(a string) bool { return strings.EqualFold(a, loc.Town) && loc.Town != "" }) ||
		(located && nearest <= c.RadiusKm) || (located && c.TravelsToClients && nearest <= c.TravelRadiusKm)
	if !covered {
		return false
	}
	if len(p.ServesOnly) > 0 && len(n.HealthConditions) > 0 &&
		!slices.ContainsFunc(p.ServesOnly, func(s string) bool { return slices.Contains(n.HealthConditions, s) }) {
		return false
	}
	if n.MaxTravelKm > 0 {
		remote := p.HasMode(directory.ModeTelephone) || p.HasMode(directory.ModeOnline)
		visits := usableOK && c.TravelsToClients && usable <= c.TravelRadiusKm
		if !remote && !visits && (!usableOK || usable > n.MaxTravelKm) {
			return false
		}
	}
	return true
}

// TestCompleteness: every eligible provider appears exactly once, across
// pages, and the total says how many.
func TestCompleteness(t *testing.T) {
	ps := seedProviders(t)
	c := match.NewCatalogue()
	for i := range ps {
		c.Put(&ps[i])
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		loc := places[i%len(places)]
		n := randomNeeds(r)
		first, got := all(c, match.Request{Location: loc, Needs: n, Seed: uint64(i)})
		var want []string
		for j := range ps {
			if coversBruteForce(&ps[j], loc, n) {
				want = append(want, ps[j].ID)
			}
		}
		var ids []string
		for _, g := range got {
			ids = append(ids, g.Provider.ID)
		}
		slices.Sort(want)
		slices.Sort(ids)
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Fatalf("case %d at %+v: eligible providers differ (-want +got):\n%s", i, loc, diff)
		}
		if first.Total != len(want) {
			t.Fatalf("case %d: total %d, want %d", i, first.Total, len(want))
		}
	}
}

func ranking(rs []match.Ranked) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Provider.ID
	}
	return out
}

// TestDeterminism: the same query gives the same order, whatever order the
// providers were added in; different queries rotate ties.
func TestDeterminism(t *testing.T) {
	ps := seedProviders(t)
	forward, backward := match.NewCatalogue(), match.NewCatalogue()
	for i := range ps {
		forward.Put(&ps[i])
		backward.Put(&ps[len(ps)-1-i])
	}
	r := rand.New(rand.NewPCG(3, 4))
	firsts := map[string]bool{}
	for i := range 100 {
		loc := places[i%len(places)]
		n := randomNeeds(r)
		req := match.Request{Location: loc, Needs: n, Seed: match.QuerySeed(loc, n), Now: now}
		_, a := all(forward, req)
		_, b := all(forward, req)
		_, c := all(backward, req)
		if diff := cmp.Diff(ranking(a), ranking(b)); diff != "" {
			t.Fatalf("case %d: same query, different order:\n%s", i, diff)
		}
		if diff := cmp.Diff(ranking(a), ranking(c)); diff != "" {
			t.Fatalf("case %d: insertion order changed the ranking:\n%s", i, diff)
		}
	}
	// With no needs stated every provider ties: the first place must
	// rotate between queries rather than always go to the same one.
	for i := range 50 {
		res := forward.Match(match.Request{Location: leedsLS6, Seed: uint64(i) * 7919})
		firsts[res.Results[0].Provider.ID] = true
	}
	if len(firsts) < 4 {
		t.Fatalf("only %d different providers came first over 50 tied queries; ties must rotate", len(firsts))
	}
}

// TestNeutrality: Jobcentre presence, incentive amounts and the name never
// move a provider, when the client has not asked about them.
func TestNeutrality(t *testing.T) {
	ps := seedProviders(t)
	// Jobcentre presence is changed only for providers that meet people in
	// person elsewhere too: turning a telephone-only provider into one you
	// can meet, or the reverse, legitimately changes how it meets a wish
	// to meet face to face.
	inPersonElsewhere := func(p *directory.Provider) bool {
		return p.HasMode(directory.ModeOffice) || p.HasMode(directory.ModeOutreach) || p.HasMode(directory.ModeHomeVisits)
	}
	changes := map[string]func(p *directory.Provider){
		"at the Jobcentre": func(p *directory.Provider) {
			if inPersonElsewhere(p) && !p.HasMode(directory.ModeJobcentre) {
				p.DeliveryModes = append(p.DeliveryModes, directory.ModeJobcentre)
			}
			p.Organisation.JobcentrePlusRun = true
		},
		"not at the Jobcentre": func(p *directory.Provider) {
			if !inPersonElsewhere(p) {
				return
			}
			p.DeliveryModes = slices.DeleteFunc(slices.Clone(p.DeliveryModes), func(m string) bool { return m == directory.ModeJobcentre })
			if len(p.DeliveryModes) == 0 {
				p.DeliveryModes = []string{directory.ModeOneToOne}
			}
			p.Organisation.JobcentrePlusRun = false
		},
		"bigger incentives": func(p *directory.Provider) {
			p.Incentives = slices.Clone(p.Incentives)
			for i := range p.Incentives {
				p.Incentives[i].AmountPence = p.Incentives[i].AmountPence*10 + 5000
			}
		},
		"renamed": func(p *directory.Provider) { p.Name = "AAA " + p.Name },
		// Who the client deals with counts only when they ask about it.
		"other staffing": func(p *directory.Provider) {
			p.Staffing = directory.Staffing{AdviserModel: "specialist_team", ContactFrequencyDays: 30}
		},
		// Employer subsidies count only when asked about (never by size).
		"employer subsidy": func(p *directory.Provider) {
			p.Incentives = append(slices.Clone(p.Incentives), directory.Incentive{Kind: "employer_training_subsidy", Recipient: "employer", AmountPence: 500000})
		},
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 60 {
		loc := places[i%10]
		n := randomNeeds(r)
		n.AvoidJobcentre = false
		n.NamedAdviser, n.RegularContact, n.Age50Plus, n.EmployerIncentives = false, false, false, false
		n.ContactPreferences = slices.DeleteFunc(n.ContactPreferences, func(m string) bool { return m == directory.ModeJobcentre })
		req := match.Request{Location: loc, Needs: n, Seed: match.QuerySeed(loc, n), Now: now}
		base := match.NewCatalogue()
		for j := range ps {
			base.Put(&ps[j])
		}
		_, before := all(base, req)
		if len(before) == 0 {
			continue
		}
		target := before[r.IntN(len(before))].Provider
		for name, change := range changes {
			c := match.NewCatalogue()
			for j := range ps {
				p := ps[j]
				if p.ID == target.ID {
					change(&p)
				}
				c.Put(&p)
			}
			_, after := all(c, req)
			if diff := cmp.Diff(ranking(before), ranking(after)); diff != "" {
				t.Fatalf("case %d: %q %s moved the ranking:\n%s", i, target.Name, name, diff)
			}
		}
	}
}

// TestMonotonicity: a provider that meets one more of the stated needs never
// scores lower.
func TestMonotonicity(t *testing.T) {
	ps := seedProviders(t)
	r := rand.New(rand.NewPCG(7, 8))
	improvements := []func(p *directory.Provider, n directory.Needs){
		func(p *directory.Provider, n directory.Needs) { // offer a wanted service
			for _, code := range n.Support {
				p.Services = slices.DeleteFunc(slices.Clone(p.Services), func(s directory.Service) bool { return s.Code == code })
				p.Services = append(p.Services, directory.Service{Code: code, Provision: "in_house"})
				return
			}
		},
		func(p *directory.Provider, n directory.Needs) { // specialise in a stated condition
			if len(n.HealthConditions) > 0 && !slices.Contains(p.Specialisms, n.HealthConditions[0]) {
				p.Specialisms = append(slices.Clone(p.Specialisms), n.HealthConditions[0])
			}
		},
		func(p *directory.Provider, n directory.Needs) { // speak a wanted language
			if len(n.Languages) > 0 && !slices.Contains(p.Languages, n.Languages[0]) {
				p.Languages = append(slices.Clone(p.Languages), n.Languages[0])
			}
		},
		func(p *directory.Provider, n directory.Needs) { // one named adviser, in touch weekly
			if n.NamedAdviser || n.RegularContact {
				p.Staffing = directory.Staffing{AdviserModel: "named_adviser", ContactFrequencyDays: 7}
			}
		},
		func(p *directory.Provider, n directory.Needs) { // offer employers a subsidy
			if n.Age50Plus || n.EmployerIncentives {
				p.Incentives = append(slices.Clone(p.Incentives), directory.Incentive{Kind: "employer_wage_subsidy", Recipient: "employer", Discretionary: true})
			}
		},
		func(p *directory.Provider, n directory.Needs) { // talk to the employer in work
			if n.EmployerMediation && p.InWorkSupport.Offered {
				p.InWorkSupport.EmployerMediation = true
			}
		},
		func(p *directory.Provider, n directory.Needs) { // pay childcare costs
			if n.CaringResponsibilities {
				p.Incentives = append(slices.Clone(p.Incentives), directory.Incentive{Kind: "childcare_costs", Recipient: "client"})
			}
		},
		func(p *directory.Provider, n directory.Needs) { // add an accessibility feature
			if len(n.Accessibility) > 0 && !slices.Contains(p.Accessibility, n.Accessibility[0]) {
				p.Accessibility = append(slices.Clone(p.Accessibility), n.Accessibility[0])
			}
		},
	}
	score := func(c *match.Catalogue, req match.Request, id string) int {
		_, rs := all(c, req)
		for _, x := range rs {
			if x.Provider.ID == id {
				return x.Score
			}
		}
		return -1
	}
	checked := 0
	for i := range 80 {
		loc := places[i%10]
		n := randomNeeds(r)
		n.HealthConditions = n.HealthConditions[:min(1, len(n.HealthConditions))] // keep serves-only eligibility unchanged
		req := match.Request{Location: loc, Needs: n, Seed: 1}
		base := match.NewCatalogue()
		for j := range ps {
			base.Put(&ps[j])
		}
		_, rs := all(base, req)
		if len(rs) == 0 {
			continue
		}
		target := rs[r.IntN(len(rs))]
		for k, improve := range improvements {
			c := match.NewCatalogue()
			for j := range ps {
				p := ps[j]
				if p.ID == target.Provider.ID {
					improve(&p, n)
				}
				c.Put(&p)
			}
			if got := score(c, req, target.Provider.ID); got < target.Score {
				t.Fatalf("case %d, improvement %d: %q scored %d, then %d after meeting one more need", i, k, target.Provider.Name, target.Score, got)
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d checks ran", checked)
	}
}

// TestCataloguePutRemove keeps lookups right through updates: a provider
// moved elsewhere is no longer found where it was.
func TestCataloguePutRemove(t *testing.T) {
	ps := seedProviders(t)
	c := match.NewCatalogue()
	for i := range ps {
		c.Put(&ps[i])
	}
	before := c.Match(match.Request{Location: leedsLS6, PerPage: 100})
	var leeds directory.Provider
	for _, r := range before.Results {
		if r.Provider.Coverage.National {
			continue
		}
		leeds = *r.Provider
		break
	}
	moved := leeds
	moved.Coverage = directory.Coverage{Areas: []string{"Norwich"}, PostcodeDistricts: []string{"NR2"}}
	moved.Sites = []directory.Site{{ID: "nr", Name: "Norwich office", Kind: directory.SiteOffice, Location: &norwichNR2.Point}}
	c.Put(&moved)
	after := c.Match(match.Request{Location: leedsLS6, PerPage: 100})
	if after.Total != before.Total-1 {
		t.Fatalf("after moving %s away: total %d, want %d", leeds.Name, after.Total, before.Total-1)
	}
	norwich := c.Match(match.Request{Location: norwichNR2, PerPage: 100})
	if !slices.ContainsFunc(norwich.Results, func(r match.Ranked) bool { return r.Provider.ID == leeds.ID }) {
		t.Fatal("moved provider not found at its new place")
	}
	draft := moved
	draft.Status = directory.StatusDraft
	c.Put(&draft)
	if _, ok := c.Get(leeds.ID); ok {
		t.Fatal("a provider turned back into a draft is still public")
	}
	c.Remove(ps[0].ID)
	if c.Len() != len(ps)-2 {
		t.Fatalf("Len %d, want %d", c.Len(), len(ps)-2)
	}
}

// TestPlaceKeysMeetCoveringProviders: a provider covering a place is always
// filed under one of the place's keys, so a text search limited to those
// keys (index.SearchIn) misses no provider the catalogue would show. Checked
// with the catalogue's own eligibility and with the brute-force statement of
// coverage, on the seed and a generated directory, at named places and
// random points.
func TestPlaceKeysMeetCoveringProviders(t *testing.T) {
	ps := append(slices.Clone(seedProviders(t)), synthtest.Directory(t, 3000)...)
	c := match.NewCatalogue()
	keys := map[string][]string{}
	for i := range ps {
		c.Put(&ps[i])
		keys[ps[i].ID] = match.PlaceKeys(&ps[i])
	}
	var types []string
	for _, term := range directory.MustVocabulary(directory.VocabProviderTypes).Terms {
		types = append(types, term.Code)
	}
	locs := slices.Clone(places)
	r := rand.New(rand.NewPCG(3, 4))
	// Up to 200 districts: the seed directory's 95 when the shared
	// outcodes file is not beside the project.
	ds := synthtest.Districts(t)
	for _, d := range ds[:min(200, len(ds))] {
		locs = append(locs, match.Location{Point: directory.LatLon{Lat: d.Lat, Lon: d.Lon}, District: d.Code})
	}
	for range 200 {
		locs = append(locs, match.Location{Point: directory.LatLon{Lat: 50 + 8*r.Float64(), Lon: -6 + 7*r.Float64()}})
	}
	shares := func(id string, loc match.Location) bool {
		return slices.ContainsFunc(loc.Keys(), func(k string) bool { return slices.Contains(keys[id], k) })
	}
	checked := 0
	for _, loc := range locs {
		_, got := all(c, match.Request{Location: loc, Types: types})
		for _, g := range got {
			checked++
			if !shares(g.Provider.ID, loc) {
				t.Fatalf("%s covers %+v but shares no key with it: provider %v, place %v", g.Provider.Name, loc, keys[g.Provider.ID], loc.Keys())
			}
		}
		for i := range ps {
			p := &ps[i]
			if p.Visible() && p.Coverage.National && !shares(p.ID, loc) {
				t.Fatalf("national provider %s is not filed under %v", p.Name, loc.Keys())
			}
			if p.Visible() && coversBruteForce(p, loc, directory.Needs{}) && !shares(p.ID, loc) {
				t.Fatalf("%s covers %+v (brute force) but shares no key with it", p.Name, loc)
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d covering providers checked: the test proves little", checked)
	}
}

// TestCoverageAtTheEdgeOfReach: a provider whose radius or travel reaches
// a client only just, or only just not, covers the client exactly when the
// great-circle distance says so, whatever the bearing and however large the
// reach (up to the 300 km allowed), for searches and matches alike.
func TestCoverageAtTheEdgeOfReach(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 40 {
		origin := directory.LatLon{Lat: 50 + 8*r.Float64(), Lon: -6 + 7*r.Float64()}
		c := match.NewCatalogue()
		var ps []directory.Provider
		for i := range 50 {
			p := storetest.Provider(fmt.Sprintf("edge %d-%d", round, i))
			p.ID = fmt.Sprintf("p%d-%d", round, i)
			km := 1 + 299*r.Float64()
			site := destination(origin, km, 360*r.Float64())
			p.Sites = p.Sites[:1]
			p.Sites[0].Location = &site
			p.Coverage = directory.Coverage{}
			// The reach is the distance give or take a little, or exactly.
			reach := directory.DistanceKm(origin, site)
			switch i % 3 {
			case 0:
				reach *= 1 + (r.Float64()-0.5)*0.04
			case 1:
				reach = math.Nextafter(reach, math.Inf(-1+2*(i%2)))
			}
			if i%2 == 0 {
				p.Coverage.RadiusKm = reach
			} else {
				p.Coverage.TravelsToClients, p.Coverage.TravelRadiusKm = true, reach
			}
			ps = append(ps, p)
		}
		for i := range ps {
			c.Put(&ps[i])
		}
		loc := match.Location{Point: origin}
		var want []string
		for i := range ps {
			if coversBruteForce(&ps[i], loc, directory.Needs{}) {
				want = append(want, ps[i].ID)
			}
		}
		_, got := all(c, match.Request{Location: loc, Types: []string{directory.TypeJobBroker}})
		ids := ranking(got)
		slices.Sort(want)
		slices.Sort(ids)
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Fatalf("round %d from %v: matched providers differ (-want +got):\n%s", round, origin, diff)
		}
		if len(want) == 0 || len(want) == len(ps) {
			t.Fatalf("round %d: %d of %d covered: the test proves little", round, len(want), len(ps))
		}
		res := c.Search(match.SearchRequest{Near: &loc, RadiusKm: 1000, PerPage: directory.MaxPerPage})
		if res.Total != len(want) {
			t.Fatalf("round %d: search found %d, want %d", round, res.Total, len(want))
		}
	}
}

// destination returns the point km from p on an initial bearing of deg.
func destination(p directory.LatLon, km, deg float64) directory.LatLon {
	const rad = math.Pi / 180
	d, b := km/6371.0088, deg*rad
	lat1, lon1 := p.Lat*rad, p.Lon*rad
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(b))
	lon2 := lon1 + math.Atan2(math.Sin(b)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	return directory.LatLon{Lat: lat2 / rad, Lon: lon2 / rad}
}
