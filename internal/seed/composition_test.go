package seed_test

import (
	"io/fs"
	"math"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
)

// The composition tests check that the shipped seed is a realistic directory
// (DOMAIN.md): enough Job Brokers in enough real areas, every kind of provider
// the research describes, and fictional contact details. They read the same
// directory as TestShippedSeedIsValid.

const seedDir = "../../seed"

// seedAsOf is the date the seed's freshness dates were written against. The
// freshness mix is checked relative to it, not to the clock, so the test does
// not start failing as the calendar moves on.
var seedAsOf = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// seedArea is one of the real UK areas the local Job Brokers are spread over.
type seedArea struct {
	name         string  // as in coverage.areas and site addresses
	postcodeArea string  // letters of the area's postcode districts
	lat, lon     float64 // approximate town centre
}

var seedAreas = []seedArea{
	{"Leeds", "LS", 53.7965, -1.5478},
	{"Manchester", "M", 53.4794, -2.2453},
	{"Birmingham", "B", 52.4797, -1.9027},
	{"Newcastle upon Tyne", "NE", 54.9738, -1.6132},
	{"Glasgow", "G", 55.8609, -4.2514},
	{"Edinburgh", "EH", 55.9533, -3.1883},
	{"Cardiff", "CF", 51.4816, -3.1791},
	{"Bristol", "BS", 51.4545, -2.5879},
	{"Sheffield", "S", 53.3811, -1.4701},
	{"Nottingham", "NG", 52.9548, -1.1581},
	{"Liverpool", "L", 53.4084, -2.9916},
	{"Norwich", "NR", 52.6309, 1.2974},
	{"Plymouth", "PL", 50.3755, -4.1427},
	{"Carlisle", "CA", 54.8925, -2.9329},
}

// maxSiteKm is how far a local provider's site may be from its town centre.
const maxSiteKm = 12

func findArea(name string) (seedArea, bool) {
	i := slices.IndexFunc(seedAreas, func(a seedArea) bool { return a.name == name })
	if i < 0 {
		return seedArea{}, false
	}
	return seedAreas[i], true
}

// loadSeed loads the shipped seed and splits it into Job Brokers and other
// provision.
func loadSeed(t *testing.T) (all, brokers, others []directory.Provider) {
	t.Helper()
	all, err := seed.Load(os.DirFS(seedDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Type == directory.TypeJobBroker {
			brokers = append(brokers, p)
		} else {
			others = append(others, p)
		}
	}
	return all, brokers, others
}

// isNational reports whether p is a national provider, which has no home area.
func isNational(p directory.Provider) bool { return p.Coverage.National }

// homeArea is the area a local or regional provider is counted in: the first
// entry of coverage.areas.
func homeArea(p directory.Provider) string {
	if isNational(p) || len(p.Coverage.Areas) == 0 {
		return ""
	}
	return p.Coverage.Areas[0]
}

func count(ps []directory.Provider, pred func(p directory.Provider) bool) int {
	n := 0
	for _, p := range ps {
		if pred(p) {
			n++
		}
	}
	return n
}

func TestSeedCounts(t *testing.T) {
	all, brokers, others := loadSeed(t)
	nationalBrokers := count(brokers, isNational)
	telephoneOnlyNational := count(brokers, func(p directory.Provider) bool { return isNational(p) && p.TelephoneOnly() })
	suspended := count(all, func(p directory.Provider) bool { return p.Status == directory.StatusSuspended })
	areas := map[string]bool{}
	for _, p := range brokers {
		if a := homeArea(p); a != "" {
			areas[a] = true
		}
	}
	tests := []struct {
		name     string
		got      int
		min, max int
	}{
		{"job brokers", len(brokers), 60, 120},
		{"other provision", len(others), 30, 120},
		{"broker areas", len(areas), 12, len(seedAreas)},
		{"national brokers", nationalBrokers, 3, 10},
		{"national telephone-only brokers", telephoneOnlyNational, 3, 10},
		{"suspended records", suspended, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got < tt.min || tt.got > tt.max {
				t.Errorf("got %d, want %d to %d", tt.got, tt.min, tt.max)
			}
		})
	}
}

func TestSeedBrokersPerArea(t *testing.T) {
	_, brokers, others := loadSeed(t)
	brokersIn, othersIn := map[string]int{}, map[string]int{}
	for _, p := range brokers {
		if !isNational(p) {
			brokersIn[homeArea(p)]++
		}
	}
	for _, p := range others {
		if !isNational(p) {
			othersIn[homeArea(p)]++
		}
	}
	for _, a := range seedAreas {
		t.Run(a.name, func(t *testing.T) {
			// Most areas had 2 to 8 Job Brokers, some 8 or 9 (DOMAIN.md).
			if n := brokersIn[a.name]; n < 2 || n > 9 {
				t.Errorf("%d job brokers, want 2 to 9", n)
			}
			if n := othersIn[a.name]; n < 2 {
				t.Errorf("%d other provision records, want at least 2", n)
			}
		})
	}
	t.Run("no other areas", func(t *testing.T) {
		for _, counts := range []map[string]int{brokersIn, othersIn} {
			for area, n := range counts {
				if _, ok := findArea(area); !ok {
					t.Errorf("%d local records have home area %q, not one of the seed areas", n, area)
				}
			}
		}
	})
}

func TestSeedScaleMatchesCoverage(t *testing.T) {
	_, brokers, _ := loadSeed(t)
	for _, p := range brokers {
		national := p.Organisation.Scale == "national"
		if national != p.Coverage.National {
			t.Errorf("%s: scale %q but coverage.national %v", p.Name, p.Organisation.Scale, p.Coverage.National)
		}
		if !p.Coverage.National && len(p.Coverage.Areas) == 0 {
			t.Errorf("%s: a local or regional broker needs coverage.areas", p.Name)
		}
	}
}

func TestSeedTelephoneOnlyBrokers(t *testing.T) {
	_, brokers, _ := loadSeed(t)
	allowed := []string{directory.ModeTelephone, directory.ModeOnline, directory.ModeOneToOne}
	byPost := 0
	for _, p := range brokers {
		if !p.TelephoneOnly() {
			continue
		}
		t.Run(p.Name, func(t *testing.T) {
			if !p.Coverage.National {
				t.Error("a telephone-only broker in the seed should cover the whole country")
			}
			for _, m := range p.DeliveryModes {
				if !slices.Contains(allowed, m) {
					t.Errorf("delivery mode %q, want only %v", m, allowed)
				}
			}
			if len(p.Sites) != 1 || p.Sites[0].Kind != directory.SiteRemote || p.Sites[0].Location != nil {
				t.Errorf("sites = %+v, want one remote site with no location", p.Sites)
			}
		})
		if p.Contact.RegistrationByPost {
			byPost++
		}
	}
	if byPost < 2 {
		t.Errorf("%d telephone-only brokers register by post, want at least 2", byPost)
	}
}

// TestSeedHasEachKind checks that the seed holds at least a few of every kind
// of Job Broker the research describes, so matching has something to tell
// apart.
func TestSeedHasEachKind(t *testing.T) {
	_, brokers, _ := loadSeed(t)
	has := func(list []string, code string) bool { return slices.Contains(list, code) }
	tests := []struct {
		name string
		min  int
		pred func(p directory.Provider) bool
	}{
		{"home visits", 3, func(p directory.Provider) bool {
			return p.HasMode(directory.ModeHomeVisits) && p.Coverage.TravelsToClients && p.Coverage.TravelRadiusKm > 0
		}},
		{"at the Jobcentre on set days", 3, func(p directory.Provider) bool {
			return p.HasMode(directory.ModeJobcentre) && slices.ContainsFunc(p.Sites, func(s directory.Site) bool {
				return s.Kind == directory.SiteJobcentre && len(s.JobcentreDays) > 0 && s.Location != nil
			})
		}},
		{"community outreach", 3, func(p directory.Provider) bool { return p.HasMode(directory.ModeOutreach) }},
		{"group sessions", 3, func(p directory.Provider) bool { return p.HasMode(directory.ModeGroups) }},
		{"severe mental health specialist", 3, func(p directory.Provider) bool {
			return has(p.Specialisms, "mental_health") && p.SevereConditions
		}},
		{"learning difficulties specialist", 3, func(p directory.Provider) bool { return has(p.Specialisms, "learning_difficulties") }},
		{"sight specialist", 2, func(p directory.Provider) bool { return has(p.Specialisms, "sight") }},
		{"hearing specialist with BSL", 2, func(p directory.Provider) bool {
			return has(p.Specialisms, "hearing") && has(p.Accessibility, "bsl")
		}},
		{"serves only one group", 1, func(p directory.Provider) bool { return len(p.ServesOnly) == 1 }},
		{"serves only some groups", 2, func(p directory.Provider) bool { return len(p.ServesOnly) > 0 }},
		{"generalist, no specialisms", 20, func(p directory.Provider) bool { return len(p.Specialisms) == 0 }},
		{"generalist, many specialisms", 2, func(p directory.Provider) bool { return len(p.Specialisms) >= 5 }},
		{"public sector", 3, func(p directory.Provider) bool { return p.Organisation.Sector == "public" }},
		{"private sector", 5, func(p directory.Provider) bool { return p.Organisation.Sector == "private" }},
		{"voluntary sector", 5, func(p directory.Provider) bool { return p.Organisation.Sector == "voluntary" }},
		{"run by Jobcentre Plus", 2, func(p directory.Provider) bool {
			return p.Organisation.JobcentrePlusRun && p.Organisation.Sector == "public"
		}},
		{"partnership", 3, func(p directory.Provider) bool { return len(p.Organisation.PartnershipMembers) >= 2 }},
		{"regional", 1, func(p directory.Provider) bool { return p.Organisation.Scale == "regional" }},
		{"service model immediate barriers", 3, func(p directory.Provider) bool { return p.ServiceModel == "immediate_barriers" }},
		{"service model broad confidence", 3, func(p directory.Provider) bool { return p.ServiceModel == "broad_confidence" }},
		{"service model intensive supported", 3, func(p directory.Provider) bool { return p.ServiceModel == "intensive_supported" }},
		{"registers anyone motivated", 3, func(p directory.Provider) bool { return p.RegistrationApproach == directory.RegistrationAnyone }},
		{"works before registering", 3, func(p directory.Provider) bool {
			return p.RegistrationApproach == directory.RegistrationWorksBefore
		}},
		{"registers only the job ready", 3, func(p directory.Provider) bool {
			return p.RegistrationApproach == directory.RegistrationJobReadyOnly
		}},
		{"no incentives", 3, func(p directory.Provider) bool { return len(p.Incentives) == 0 }},
		{"in-work job coaching", 3, func(p directory.Provider) bool { return p.InWorkSupport.Model == "job_coaching" }},
		{"in-work scheduled contact", 3, func(p directory.Provider) bool { return p.InWorkSupport.Model == "scheduled_contact" }},
		{"in-work reactive", 3, func(p directory.Provider) bool { return p.InWorkSupport.Model == "reactive" }},
		{"client decides on disclosure", 3, func(p directory.Provider) bool { return p.InWorkSupport.Disclosure == "client_decides" }},
		{"employer must know", 3, func(p directory.Provider) bool { return p.InWorkSupport.Disclosure == "employer_must_know" }},
		{"employer mediation", 3, func(p directory.Provider) bool { return p.InWorkSupport.EmployerMediation }},
		{"no employer mediation", 1, func(p directory.Provider) bool { return !p.InWorkSupport.EmployerMediation }},
		{"caseloads full", 3, func(p directory.Provider) bool { return !p.Capacity.TakingNewClients }},
		{"performance figures", 10, func(p directory.Provider) bool { return p.Performance != nil }},
		{"no performance figures", 10, func(p directory.Provider) bool { return p.Performance == nil }},
		{"performance on small numbers", 1, func(p directory.Provider) bool {
			return p.Performance != nil && p.Performance.SmallNumbers()
		}},
		{"signposts needs out of scope", 5, func(p directory.Provider) bool { return len(p.OutOfScope) > 0 }},
		{"self-employment", 1, func(p directory.Provider) bool {
			return slices.ContainsFunc(p.Services, func(s directory.Service) bool { return s.Code == "self_employment" })
		}},
		{"professional roles", 2, func(p directory.Provider) bool {
			return slices.ContainsFunc(p.Services, func(s directory.Service) bool { return s.Code == "professional_roles" })
		}},
		{"textphone", 2, func(p directory.Provider) bool { return p.Contact.Textphone != "" }},
		{"freephone", 2, func(p directory.Provider) bool { return p.Contact.Freephone }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := count(brokers, tt.pred); n < tt.min {
				t.Errorf("%d job brokers, want at least %d", n, tt.min)
			}
		})
	}
}

func TestSeedOtherProvisionTypes(t *testing.T) {
	_, _, others := loadSeed(t)
	byType := map[string]int{}
	for _, p := range others {
		byType[p.Type]++
	}
	for _, typ := range []string{
		"condition_management", "work_preparation", "workstep", "training", "debt_advice", "drugs_alcohol",
		"in_work_support", "access_to_work", "progress2work", "bereavement", "housing", "programme_centre",
	} {
		t.Run(typ, func(t *testing.T) {
			if byType[typ] == 0 {
				t.Errorf("no %s records", typ)
			}
		})
	}
	t.Run("published", func(t *testing.T) {
		for _, p := range others {
			if p.Status != directory.StatusPublished {
				t.Errorf("%s: status %q, want published", p.Name, p.Status)
			}
		}
	})
}

func TestSeedStatuses(t *testing.T) {
	all, _, _ := loadSeed(t)
	for _, p := range all {
		switch p.Status {
		case directory.StatusPublished:
			if p.Organisation.ContractStatus != directory.ContractActive {
				t.Errorf("%s: published with contract status %q", p.Name, p.Organisation.ContractStatus)
			}
		case directory.StatusSuspended:
			if p.Organisation.ContractStatus != directory.ContractNotRegistering {
				t.Errorf("%s: suspended with contract status %q, want %s", p.Name, p.Organisation.ContractStatus, directory.ContractNotRegistering)
			}
		default:
			t.Errorf("%s: status %q, want published or suspended", p.Name, p.Status)
		}
		if !p.Visible() {
			t.Errorf("%s: not visible", p.Name)
		}
	}
}

func TestSeedIncentives(t *testing.T) {
	_, brokers, _ := loadSeed(t)
	kinds := map[string]int{}
	discretionary := map[bool]int{}
	for _, p := range brokers {
		for _, in := range p.Incentives {
			kinds[in.Kind]++
			discretionary[in.Discretionary]++
			wantRecipient := "client"
			if strings.HasPrefix(in.Kind, "employer_") {
				wantRecipient = "employer"
			}
			if in.Recipient != wantRecipient {
				t.Errorf("%s: %s paid to %q, want %q", p.Name, in.Kind, in.Recipient, wantRecipient)
			}
			// Job entry payments ranged from £25 to £200 (DOMAIN.md).
			if in.Kind == "job_entry_payment" && (in.AmountPence < 2500 || in.AmountPence > 20000) {
				t.Errorf("%s: job entry payment of %d pence, want 2500 to 20000", p.Name, in.AmountPence)
			}
		}
	}
	for _, kind := range []string{
		"job_entry_payment", "thirteen_week_payment", "bridging_payment", "travel_costs",
		"clothing_equipment", "training_fees", "employer_wage_subsidy",
	} {
		t.Run(kind, func(t *testing.T) {
			if kinds[kind] == 0 {
				t.Errorf("no job broker offers %s", kind)
			}
		})
	}
	t.Run("discretionary and automatic", func(t *testing.T) {
		if discretionary[true] == 0 || discretionary[false] == 0 {
			t.Errorf("discretionary %d, automatic %d; want some of each", discretionary[true], discretionary[false])
		}
	})
}

func TestSeedInWorkSupport(t *testing.T) {
	_, brokers, _ := loadSeed(t)
	longer := 0
	for _, p := range brokers {
		w := p.InWorkSupport
		// The Job Broker contract required 26 weeks of in-work support.
		if !w.Offered || w.Weeks < 26 {
			t.Errorf("%s: in-work support offered %v for %d weeks, want at least 26", p.Name, w.Offered, w.Weeks)
		}
		if w.Weeks > 26 {
			longer++
		}
	}
	if longer < 5 {
		t.Errorf("%d brokers support people in work beyond 26 weeks, want at least 5", longer)
	}
}

func TestSeedCapacityAndStaffing(t *testing.T) {
	_, brokers, _ := loadSeed(t)
	taking := count(brokers, func(p directory.Provider) bool { return p.Capacity.TakingNewClients })
	if taking*4 < len(brokers)*3 {
		t.Errorf("%d of %d brokers taking new clients, want most (at least three quarters)", taking, len(brokers))
	}
	for _, p := range brokers {
		if w := p.Capacity.WeeksToFirstAppointment; w < 0 || w > 6 {
			t.Errorf("%s: %d weeks to a first appointment, want 0 to 6", p.Name, w)
		}
		s := p.Staffing
		if s.AdviserModel == "" {
			t.Errorf("%s: no adviser model", p.Name)
		}
		if s.CaseloadPerAdviser < 70 || s.CaseloadPerAdviser > 400 {
			t.Errorf("%s: caseload %d, want 70 to 400", p.Name, s.CaseloadPerAdviser)
		}
		maxDays := 20
		if p.ServiceModel == "intensive_supported" {
			maxDays = 4 // intensive brokers see people several times a week
		}
		if s.ContactFrequencyDays < 1 || s.ContactFrequencyDays > maxDays {
			t.Errorf("%s (%s): contact every %d days, want 1 to %d", p.Name, p.ServiceModel, s.ContactFrequencyDays, maxDays)
		}
	}
}

func TestSeedFreshness(t *testing.T) {
	all, _, _ := loadSeed(t)
	fiveMonths, sixMonths, oneYear := seedAsOf.AddDate(0, -5, 0), seedAsOf.AddDate(0, -6, 0), seedAsOf.AddDate(-1, 0, 0)
	var recent, sixToTwelve, overAYear int
	for _, p := range all {
		d, ok := p.Freshness.LastVerified.Time()
		if !ok {
			t.Errorf("%s: last_verified %q is not a date", p.Name, p.Freshness.LastVerified)
			continue
		}
		if d.After(seedAsOf) {
			t.Errorf("%s: last verified %s, after %s", p.Name, p.Freshness.LastVerified, seedAsOf.Format(time.DateOnly))
		}
		if p.Freshness.VerifiedBy == "" {
			t.Errorf("%s: verified_by is empty", p.Name)
		}
		switch {
		case !d.Before(fiveMonths):
			recent++
		case d.Before(oneYear):
			overAYear++
		case !d.After(sixMonths):
			sixToTwelve++
		}
	}
	tests := []struct {
		name string
		got  int
		ok   bool
	}{
		{"most verified in the last five months", recent, recent*2 > len(all)},
		{"several six to twelve months old", sixToTwelve, sixToTwelve >= 5},
		{"at least five over a year old", overAYear, overAYear >= 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("got %d of %d records", tt.got, len(all))
			}
		})
	}
}

func TestSeedPerformance(t *testing.T) {
	_, brokers, _ := loadSeed(t)
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), seedAsOf
	for _, p := range brokers {
		perf := p.Performance
		if perf == nil {
			continue
		}
		start, _ := perf.PeriodStart.Time()
		end, _ := perf.PeriodEnd.Time()
		if start.Before(from) || end.After(to) {
			t.Errorf("%s: period %s to %s, want within 2025 and 2026", p.Name, perf.PeriodStart, perf.PeriodEnd)
		}
		if perf.SustainedWeeks != 13 {
			t.Errorf("%s: sustained_weeks %d, want 13", p.Name, perf.SustainedWeeks)
		}
		if perf.JobEntries > perf.Registrations || perf.SustainedJobs > perf.JobEntries {
			t.Errorf("%s: %d registrations, %d job entries, %d sustained", p.Name, perf.Registrations, perf.JobEntries, perf.SustainedJobs)
		}
		if perf.Note == "" {
			t.Errorf("%s: performance figures need a note giving context", p.Name)
		}
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSeedIDs(t *testing.T) {
	all, _, _ := loadSeed(t)
	seen := map[string]string{}
	check := func(id, what string) {
		if !uuidV4.MatchString(id) {
			t.Errorf("%s: id %q is not a lower-case UUID v4", what, id)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("%s: id %s is also used by %s", what, id, other)
		}
		seen[id] = what
	}
	for _, p := range all {
		check(p.ID, p.Name)
		for _, s := range p.Sites {
			check(s.ID, p.Name+" site "+s.Name)
		}
		if p.Version != 0 || !p.CreatedAt.IsZero() || !p.UpdatedAt.IsZero() {
			t.Errorf("%s: seed sets fields the store owns (version, created_at, updated_at)", p.Name)
		}
	}
}

func TestSeedSitesAndCoverageAreReal(t *testing.T) {
	all, _, _ := loadSeed(t)
	physical, withHours := 0, 0
	for _, p := range all {
		for _, s := range p.Sites {
			if s.Kind != directory.SiteRemote {
				physical++
				if len(s.OpeningHours) > 0 {
					withHours++
				}
			}
		}
		if isNational(p) {
			continue
		}
		area, ok := findArea(homeArea(p))
		if !ok {
			t.Errorf("%s: home area %q is not a seed area", p.Name, homeArea(p))
			continue
		}
		for _, d := range p.Coverage.PostcodeDistricts {
			if postcodeArea(d) != area.postcodeArea {
				t.Errorf("%s: covers district %s, want one in postcode area %s", p.Name, d, area.postcodeArea)
			}
		}
		for _, s := range p.Sites {
			if s.Address.Town != area.name {
				t.Errorf("%s site %s: town %q, want %q", p.Name, s.Name, s.Address.Town, area.name)
			}
			if postcodeArea(s.Address.Postcode) != area.postcodeArea {
				t.Errorf("%s site %s: postcode %q, want one in postcode area %s", p.Name, s.Name, s.Address.Postcode, area.postcodeArea)
			}
			if s.Location == nil {
				t.Errorf("%s site %s: no location", p.Name, s.Name)
				continue
			}
			if km := distanceKm(area.lat, area.lon, s.Location.Lat, s.Location.Lon); km > maxSiteKm {
				t.Errorf("%s site %s: %.1f km from %s centre, want at most %d", p.Name, s.Name, km, area.name, maxSiteKm)
			}
		}
	}
	if withHours*5 < physical*4 {
		t.Errorf("%d of %d physical sites give opening hours, want at least four in five", withHours, physical)
	}
}

// postcodeArea returns the letters that start a postcode or district: "LS"
// for "LS11 5AB", "M" for "M1".
func postcodeArea(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' })
	if i < 0 {
		return s
	}
	return s[:i]
}

// distanceKm is the great-circle distance between two points.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const earthKm = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthKm * math.Asin(math.Sqrt(a))
}

// dramaNumber matches Ofcom's numbers reserved for drama, so no seed number
// rings a real person.
var dramaNumber = regexp.MustCompile(`^(18001 )?(01(1[3-8]|21|31|41|51|61) 496 0[0-9]{3}|0191 498 0[0-9]{3}|020 7946 0[0-9]{3}|029 2018 0[0-9]{3}|01632 960[0-9]{3}|0808 157 0[0-9]{3})$`)

// exampleHost reports whether host is a documentation domain (RFC 2606).
func exampleHost(host string) bool {
	for _, d := range []string{"example.org", "example.com", "example.net"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

func TestSeedContactsAreFictional(t *testing.T) {
	all, _, _ := loadSeed(t)
	phones := map[string]string{}
	for _, p := range all {
		c := p.Contact
		if c.Phone == "" || !dramaNumber.MatchString(c.Phone) {
			t.Errorf("%s: phone %q is not in an Ofcom drama range", p.Name, c.Phone)
		}
		if other, dup := phones[c.Phone]; dup {
			t.Errorf("%s: phone %s is also %s's", p.Name, c.Phone, other)
		}
		phones[c.Phone] = p.Name
		if c.Freephone != strings.HasPrefix(c.Phone, "0808 ") {
			t.Errorf("%s: freephone %v but phone %s", p.Name, c.Freephone, c.Phone)
		}
		if c.Textphone != "" && !dramaNumber.MatchString(c.Textphone) {
			t.Errorf("%s: textphone %q is not in an Ofcom drama range", p.Name, c.Textphone)
		}
		if _, host, _ := strings.Cut(c.Email, "@"); !exampleHost(host) {
			t.Errorf("%s: email %q is not on an example domain", p.Name, c.Email)
		}
		if u, err := url.Parse(p.Organisation.Website); err != nil || !exampleHost(u.Hostname()) {
			t.Errorf("%s: website %q is not on an example domain", p.Name, p.Organisation.Website)
		}
	}
}

// realOrganisations are names of real employment, disability and advice
// organisations that the fictional seed must not use.
var realOrganisations = regexp.MustCompile(`(?i)\b(shaw trust|remploy|mind|rnib|rnid|scope|mencap|status employment|` +
	`tomorrow'?s people|working links|a4e|ingeus|reed|maximus|serco|seetec|pertemps|leonard cheshire|` +
	`papworth|enham|sense|shelter|citizens advice|turning point|richmond fellowship|royal british legion|` +
	`action for blind people|careers development group|kennedy scott|rehab)\b`)

func TestSeedNamesAndSummaries(t *testing.T) {
	all, _, _ := loadSeed(t)
	names := map[string]bool{}
	for _, p := range all {
		if names[p.Name] {
			t.Errorf("name %q is used twice", p.Name)
		}
		names[p.Name] = true
		texts := append([]string{p.Name}, p.Organisation.PartnershipMembers...)
		for _, s := range p.Services {
			texts = append(texts, s.Partner)
		}
		for _, txt := range texts {
			if m := realOrganisations.FindString(txt); m != "" {
				t.Errorf("%s: %q names a real organisation (%s)", p.Name, txt, m)
			}
		}
		if p.Summary == "" {
			t.Errorf("%s: no summary", p.Name)
		}
		// Many clients dislike being labelled "disabled" (DOMAIN.md).
		if strings.Contains(strings.ToLower(p.Summary), "disabled") {
			t.Errorf("%s: summary labels clients as disabled: %q", p.Name, p.Summary)
		}
	}
}

func TestSeedLanguages(t *testing.T) {
	all, _, _ := loadSeed(t)
	tests := []struct {
		lang  string
		areas []string
	}{
		{"ur", []string{"Leeds", "Birmingham", "Manchester"}},
		{"pa", []string{"Leeds", "Birmingham", "Manchester"}},
		{"bn", []string{"Leeds", "Birmingham", "Manchester"}},
		{"cy", []string{"Cardiff"}},
		{"pl", nil},
		{"so", []string{"Bristol", "Sheffield"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			n := count(all, func(p directory.Provider) bool {
				return slices.Contains(p.Languages, tt.lang) && (tt.areas == nil || slices.Contains(tt.areas, homeArea(p)))
			})
			if n == 0 {
				t.Errorf("no provider speaks %s in %v", tt.lang, tt.areas)
			}
		})
	}
}

func TestSeedServices(t *testing.T) {
	all, _, _ := loadSeed(t)
	provision := map[string]int{}
	for _, p := range all {
		for _, s := range p.Services {
			provision[s.Provision]++
			if s.Provision == "partner" && s.Partner == "" {
				t.Errorf("%s: %s through a partner that is not named", p.Name, s.Code)
			}
		}
	}
	for _, prov := range []string{"in_house", "partner", "referral"} {
		t.Run(prov, func(t *testing.T) {
			if provision[prov] == 0 {
				t.Errorf("no service is provided %s", prov)
			}
		})
	}
}

func TestSeedSize(t *testing.T) {
	const maxBytes = 1_500_000
	var total int64
	err := fs.WalkDir(os.DirFS(seedDir), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > maxBytes {
		t.Errorf("seed directory is %d bytes, want at most %d", total, maxBytes)
	}
}
