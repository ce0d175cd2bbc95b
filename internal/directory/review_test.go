package directory_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TestSplitReviewed: each change to who sees a listing or what it claims
// is held, alone; everything else goes live; applying the held fields onto
// the live part gives back the proposal.
func TestSplitReviewed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(p *directory.Provider)
		held   []string
	}{
		{"summary", func(p *directory.Provider) { p.Summary = "New words." }, nil},
		{"capacity", func(p *directory.Provider) { p.Capacity.TakingNewClients = false }, nil},
		{"incentive wording", func(p *directory.Provider) { p.Incentives[0].Trigger = "Starting any job" }, nil},
		{"office address", func(p *directory.Provider) { p.Sites[0].Address.Lines = []string{"2 Park Row"} }, nil},
		{"office position re-typed", func(p *directory.Provider) { p.Sites[0].Location.Lat += 0.0001 }, nil},
		{"office moved 100 km", func(p *directory.Provider) { p.Sites[0].Location.Lat += 0.9 }, []string{"sites"}},
		{"delivery modes but the Jobcentre", func(p *directory.Provider) { p.DeliveryModes = append(p.DeliveryModes, directory.ModeOnline) }, nil},
		{"national", func(p *directory.Provider) { p.Coverage.National = true }, []string{"coverage"}},
		{"districts", func(p *directory.Provider) { p.Coverage.PostcodeDistricts = append(p.Coverage.PostcodeDistricts, "M1") }, []string{"coverage"}},
		{"radius", func(p *directory.Provider) { p.Coverage.RadiusKm = 200 }, []string{"coverage"}},
		{"travel", func(p *directory.Provider) { p.Coverage.TravelRadiusKm = 80 }, []string{"coverage"}},
		{"polygons", func(p *directory.Provider) { p.Coverage.Polygons = nil }, []string{"coverage"}},
		{"type", func(p *directory.Provider) { p.Type = "work_preparation" }, []string{"type"}},
		{"job entries", func(p *directory.Provider) { p.Performance.JobEntries = 99 }, []string{"performance"}},
		{"figures removed", func(p *directory.Provider) { p.Performance = nil }, []string{"performance"}},
		{"Jobcentre run", func(p *directory.Provider) { p.Organisation.JobcentrePlusRun = true }, []string{"organisation.jobcentre_plus_run"}},
		{"Jobcentre days", func(p *directory.Provider) { p.Sites[1].JobcentreDays = []string{"mon"} }, []string{"sites"}},
		{"office becomes a Jobcentre", func(p *directory.Provider) { p.Sites[0].Kind = directory.SiteJobcentre }, []string{"sites"}},
		{"Jobcentre mode dropped", func(p *directory.Provider) { p.DeliveryModes = p.DeliveryModes[:1] }, []string{"delivery_modes"}},
		{"amount", func(p *directory.Provider) { p.Incentives[0].AmountPence = 500000 }, []string{"incentives"}},
		{"recipient", func(p *directory.Provider) { p.Incentives[1].Recipient = "client" }, []string{"incentives"}},
		{"several", func(p *directory.Provider) { p.Coverage.National, p.Summary, p.Type = true, "x", "work_preparation" },
			[]string{"type", "coverage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur := fixtureProvider()
			next := fixtureProvider()
			tc.change(next)
			proposed := *fixtureProvider()
			tc.change(&proposed)
			live, held := directory.SplitReviewed(next, cur)
			if !cmp.Equal(held, tc.held) {
				t.Fatalf("held %v, want %v", held, tc.held)
			}
			if d := cmp.Diff(proposed, *next); d != "" {
				t.Fatalf("SplitReviewed changed its argument:\n%s", d)
			}
			if len(held) > 0 {
				if directory.SameContent(&live, next) {
					t.Fatal("the live part carries the held change")
				}
			} else if !directory.SameContent(&live, next) {
				t.Fatal("nothing held, yet the live part differs from the proposal")
			}
			directory.ApplyReviewed(&live, next, held)
			if !directory.SameContent(&live, next) {
				t.Fatalf("live part with the held fields applied differs from the proposal: %+v", directory.DiffProviders(next, &live))
			}
		})
	}
}

// TestReviewedFieldsNamed: every reviewed field can be found by its name,
// which is what a stored change keeps.
// TestSiteMovesHeldOnlyWhenCoverageIsFromSites: where the sites are decides
// who sees a listing only when it reaches clients by a radius from them or
// travels from them; otherwise moving an office is an address change.
func TestSiteMovesHeldOnlyWhenCoverageIsFromSites(t *testing.T) {
	cur := fixtureProvider()
	cur.Coverage.RadiusKm, cur.Coverage.TravelsToClients, cur.Coverage.TravelRadiusKm = 0, false, 0
	next := *cur
	next.Sites = append([]directory.Site(nil), cur.Sites...)
	moved := *next.Sites[0].Location
	moved.Lat += 0.9
	next.Sites[0].Location = &moved
	if _, held := directory.SplitReviewed(&next, cur); len(held) != 0 {
		t.Errorf("moving an office of a listing covering named areas held %v, want nothing", held)
	}
}

func TestReviewedFieldsNamed(t *testing.T) {
	for _, f := range directory.ReviewedFields {
		if g, ok := directory.ReviewedFieldNamed(f.Name); !ok || g.Name != f.Name || f.Why == "" {
			t.Errorf("%q: found %v", f.Name, ok)
		}
	}
	if _, ok := directory.ReviewedFieldNamed("summary"); ok {
		t.Error("summary is not reviewed")
	}
}
