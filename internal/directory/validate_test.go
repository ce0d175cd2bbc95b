package directory_test

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Indexes of the sites in the fixture.
const (
	fxOffice    = 0 // sites[0]: an office with a location and opening hours
	fxJobcentre = 1 // sites[1]: a Jobcentre the provider uses on set days
	fxRemote    = 2 // sites[2]: a remote base with no location
)

// fixtureProvider returns a fresh, fully valid provider in normal form that
// uses every part of the record. Each call returns new slices, so tests may
// mutate the result freely.
func fixtureProvider() *directory.Provider {
	return &directory.Provider{
		ID:      "3f1c2a9e-0b7d-4c5e-9a21-6d8e4b2f1a07",
		Name:    "Leeds Works Job Broker",
		Type:    directory.TypeJobBroker,
		Status:  directory.StatusPublished,
		Summary: "Help into work for people with health conditions.\nFree and voluntary.",
		Organisation: directory.Organisation{
			Sector:             "voluntary",
			JobcentrePlusRun:   false,
			PartnershipMembers: []string{"Leeds Mind", "Age UK Leeds"},
			Scale:              "regional",
			Website:            "https://example.org/leeds",
			ContractStatus:     directory.ContractActive,
		},
		Sites: []directory.Site{
			fxOffice: {
				ID:   "site-office",
				Name: "City centre office",
				Kind: directory.SiteOffice,
				Address: directory.Address{
					Lines:    []string{"1 Park Row"},
					Town:     "Leeds",
					Postcode: "LS1 1AN",
				},
				Location: &directory.LatLon{Lat: 53.7997, Lon: -1.5492},
				OpeningHours: []directory.OpeningHours{
					{Day: "mon", Opens: "09:00", Closes: "17:00"},
					{Day: "sat", Opens: "10:00", Closes: "12:30"},
				},
				Accessibility: []string{"step_free", "hearing_loop"},
			},
			fxJobcentre: {
				ID:            "site-jobcentre",
				Name:          "Leeds City Jobcentre",
				Kind:          directory.SiteJobcentre,
				Address:       directory.Address{Town: "Leeds", Postcode: "LS2 7UA"},
				Location:      &directory.LatLon{Lat: 53.8008, Lon: -1.5410},
				JobcentreDays: []string{"tue", "thu"},
			},
			fxRemote: {
				ID:   "site-remote",
				Name: "Telephone service",
				Kind: directory.SiteRemote,
			},
		},
		Coverage: directory.Coverage{
			Areas:             []string{"Leeds"},
			PostcodeDistricts: []string{"LS1", "LS2", "EC1A"},
			Polygons: []directory.Polygon{{
				Type: "Polygon",
				Coordinates: [][][2]float64{{
					{-1.70, 53.70}, {-1.30, 53.70}, {-1.30, 53.95}, {-1.70, 53.95}, {-1.70, 53.70},
				}},
			}},
			RadiusKm:         10,
			TravelsToClients: true,
			TravelRadiusKm:   15,
		},
		DeliveryModes: []string{directory.ModeOffice, directory.ModeJobcentre, directory.ModeTelephone, directory.ModeOneToOne},
		Services: []directory.Service{
			{Code: "vocational_guidance", Provision: "in_house"},
			{Code: "debt_advice", Provision: "partner", Partner: "Citizens Advice Leeds"},
			{Code: "condition_management", Provision: "referral", Note: "Through the local Condition Management Programme."},
		},
		Specialisms:          []string{"mental_health", "learning_difficulties"},
		ServesOnly:           []string{"mental_health"},
		SevereConditions:     true,
		ServiceModel:         "broad_confidence",
		RegistrationApproach: directory.RegistrationAnyone,
		OutOfScope:           []directory.Signpost{{Need: "housing", To: "Leeds Housing Options"}},
		Incentives: []directory.Incentive{
			{Kind: "job_entry_payment", Recipient: "client", AmountPence: 5000, Trigger: "Starting work of 16 hours a week or more"},
			{Kind: "employer_wage_subsidy", Recipient: "employer", AmountPence: 100000, Trigger: "Taking on a client for 26 weeks", Discretionary: true},
		},
		InWorkSupport: directory.InWorkSupport{
			Offered: true, Model: "scheduled_contact", Weeks: 26, EmployerMediation: true, Disclosure: "client_decides",
		},
		Capacity:      directory.Capacity{TakingNewClients: true, WeeksToFirstAppointment: 2},
		Staffing:      directory.Staffing{AdviserModel: "named_adviser", ContactFrequencyDays: 14, CaseloadPerAdviser: 40},
		Accessibility: []string{"step_free", "bsl"},
		Languages:     []string{"en", "ur"},
		Contact: directory.Contact{
			Phone: "0113 496 0000", Textphone: "+44 (0)113 496-0001", Email: "hello@example.org",
		},
		Performance: &directory.Performance{
			PeriodStart: "2003-10-01", PeriodEnd: "2004-09-30",
			Registrations: 120, JobEntries: 45, SustainedJobs: 30, SustainedWeeks: 13,
			LongTermClaimantPercent: 35, Note: "Figures from the contract manager.",
		},
		Freshness: directory.Freshness{LastVerified: "2024-05-01", VerifiedBy: "A. Adviser"},
	}
}

// problemFields checks that err is a validation error and returns the fields
// it names, sorted.
func problemFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("Validate() = nil, want a validation error")
	}
	if !errors.Is(err, directory.ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false, want true", err)
	}
	var ve *directory.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() error %T (%v) is not a *directory.ValidationError", err, err)
	}
	if !sort.SliceIsSorted(ve.Problems, func(i, j int) bool { return ve.Problems[i].Field < ve.Problems[j].Field }) {
		t.Errorf("problems are not in field order: %v", ve.Problems)
	}
	fields := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		if p.Message == "" {
			t.Errorf("problem for %q has an empty message", p.Field)
		}
		fields[i] = p.Field
	}
	sort.Strings(fields)
	return fields
}

func TestFixtureIsValid(t *testing.T) {
	p := fixtureProvider()
	p.Normalize()
	if diff := cmp.Diff(fixtureProvider(), p); diff != "" {
		t.Errorf("fixture is not in normal form; Normalize changed it (-before +after):\n%s", diff)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("Validate() on the fixture = %v, want nil", err)
	}
}

// repeat returns n copies of s.
func repeat[T any](s T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// closedRing returns a closed ring of n positions (n >= 4) around Leeds.
func closedRing(n int) [][2]float64 {
	ring := make([][2]float64, n)
	for i := 0; i < n-1; i++ {
		a := 2 * math.Pi * float64(i) / float64(n-1)
		ring[i] = [2]float64{-1.55 + 0.1*math.Cos(a), 53.8 + 0.1*math.Sin(a)}
	}
	ring[n-1] = ring[0]
	return ring
}

func TestValidateRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name   string
		mutate func(p *directory.Provider)
		// normalize runs Normalize after mutate, as the API does.
		normalize bool
		want      []string
	}{
		// Top-level fields.
		{"id with upper case", func(p *directory.Provider) { p.ID = "Provider-1" }, false, []string{"id"}},
		{"id with space", func(p *directory.Provider) { p.ID = "provider 1" }, false, []string{"id"}},
		{"id starting with hyphen", func(p *directory.Provider) { p.ID = "-provider" }, false, []string{"id"}},
		{"id over 64 characters", func(p *directory.Provider) { p.ID = strings.Repeat("a", 65) }, false, []string{"id"}},
		{"name empty", func(p *directory.Provider) { p.Name = "" }, false, []string{"name"}},
		{"name only spaces", func(p *directory.Provider) { p.Name = "   \t " }, true, []string{"name"}},
		{"name over long", func(p *directory.Provider) { p.Name = long(directory.MaxNameLen + 1) }, false, []string{"name"}},
		{"name with control character", func(p *directory.Provider) { p.Name = "Leeds\x07Works" }, false, []string{"name"}},
		{"name with tab", func(p *directory.Provider) { p.Name = "Leeds\tWorks" }, false, []string{"name"}},
		{"name with newline", func(p *directory.Provider) { p.Name = "Leeds\r\nWorks" }, false, []string{"name"}},
		{"name not UTF-8", func(p *directory.Provider) { p.Name = "Leeds \xff Works" }, false, []string{"name"}},
		{"type empty", func(p *directory.Provider) { p.Type = "" }, false, []string{"type"}},
		{"type unknown", func(p *directory.Provider) { p.Type = "jobbroker" }, false, []string{"type"}},
		{"status empty", func(p *directory.Provider) { p.Status = "" }, false, []string{"status"}},
		{"status unknown", func(p *directory.Provider) { p.Status = "live" }, false, []string{"status"}},
		{"summary over long", func(p *directory.Provider) { p.Summary = long(directory.MaxTextLen + 1) }, false, []string{"summary"}},
		{"summary with control character", func(p *directory.Provider) { p.Summary = "a\x00b" }, false, []string{"summary"}},

		// Organisation.
		{"sector empty", func(p *directory.Provider) { p.Organisation.Sector = "" }, false, []string{"organisation.sector"}},
		{"sector unknown", func(p *directory.Provider) { p.Organisation.Sector = "government" }, false, []string{"organisation.sector"}},
		{"scale empty", func(p *directory.Provider) { p.Organisation.Scale = "" }, false, []string{"organisation.scale"}},
		{"scale unknown", func(p *directory.Provider) { p.Organisation.Scale = "global" }, false, []string{"organisation.scale"}},
		{"contract status empty", func(p *directory.Provider) { p.Organisation.ContractStatus = "" }, false, []string{"organisation.contract_status"}},
		{"contract status unknown", func(p *directory.Provider) { p.Organisation.ContractStatus = "paused" }, false, []string{"organisation.contract_status"}},
		{"too many partnership members", func(p *directory.Provider) {
			p.Organisation.PartnershipMembers = repeat("Partner", directory.MaxListLen+1)
		}, false, []string{"organisation.partnership_members"}},
		{"partnership member empty", func(p *directory.Provider) { p.Organisation.PartnershipMembers[1] = "" }, false, []string{"organisation.partnership_members[1]"}},
		{"partnership member over long", func(p *directory.Provider) {
			p.Organisation.PartnershipMembers[0] = long(directory.MaxShortLen + 1)
		}, false, []string{"organisation.partnership_members[0]"}},
		{"website without scheme", func(p *directory.Provider) { p.Organisation.Website = "example.org" }, false, []string{"organisation.website"}},
		{"website ftp", func(p *directory.Provider) { p.Organisation.Website = "ftp://example.org" }, false, []string{"organisation.website"}},
		{"website javascript", func(p *directory.Provider) { p.Organisation.Website = "javascript:alert(1)" }, false, []string{"organisation.website"}},
		{"website without host", func(p *directory.Provider) { p.Organisation.Website = "https://" }, false, []string{"organisation.website"}},
		{"website unparsable", func(p *directory.Provider) { p.Organisation.Website = "http://[::1" }, false, []string{"organisation.website"}},
		{"website over 500 characters", func(p *directory.Provider) {
			p.Organisation.Website = "https://example.org/" + strings.Repeat("a", 481)
		}, false, []string{"organisation.website"}},

		// Sites.
		{"too many sites", func(p *directory.Provider) {
			p.Sites = nil
			for i := range directory.MaxSites + 1 {
				p.Sites = append(p.Sites, directory.Site{
					ID: fmt.Sprintf("s%d", i), Name: "Base", Kind: directory.SiteOffice,
					Location: &directory.LatLon{Lat: 53.8, Lon: -1.55},
				})
			}
		}, false, []string{"sites"}},
		{"site id empty", func(p *directory.Provider) { p.Sites[fxOffice].ID = "" }, false, []string{"sites[0].id"}},
		{"site id invalid", func(p *directory.Provider) { p.Sites[fxJobcentre].ID = "Site_1" }, false, []string{"sites[1].id"}},
		{"site name empty", func(p *directory.Provider) { p.Sites[fxRemote].Name = "" }, false, []string{"sites[2].name"}},
		{"site name over long", func(p *directory.Provider) { p.Sites[fxOffice].Name = long(directory.MaxNameLen + 1) }, false, []string{"sites[0].name"}},
		{"site kind empty", func(p *directory.Provider) { p.Sites[fxOffice].Kind = "" }, false, []string{"sites[0].kind"}},
		{"site kind unknown", func(p *directory.Provider) { p.Sites[fxOffice].Kind = "castle" }, false, []string{"sites[0].kind"}},
		{"too many address lines", func(p *directory.Provider) {
			p.Sites[fxOffice].Address.Lines = repeat("Line", 7)
		}, false, []string{"sites[0].address.lines"}},
		{"address line empty", func(p *directory.Provider) {
			p.Sites[fxOffice].Address.Lines = []string{"1 Park Row", ""}
		}, false, []string{"sites[0].address.lines[1]"}},
		{"address line over long", func(p *directory.Provider) {
			p.Sites[fxOffice].Address.Lines[0] = long(directory.MaxShortLen + 1)
		}, false, []string{"sites[0].address.lines[0]"}},
		{"town over 100 characters", func(p *directory.Provider) { p.Sites[fxOffice].Address.Town = long(101) }, false, []string{"sites[0].address.town"}},
		{"postcode not normalised", func(p *directory.Provider) { p.Sites[fxOffice].Address.Postcode = "ls11an" }, false, []string{"sites[0].address.postcode"}},
		{"postcode only a district", func(p *directory.Provider) { p.Sites[fxJobcentre].Address.Postcode = "LS2" }, true, []string{"sites[1].address.postcode"}},
		{"postcode nonsense", func(p *directory.Provider) { p.Sites[fxOffice].Address.Postcode = "not a postcode" }, true, []string{"sites[0].address.postcode"}},
		{"office without location", func(p *directory.Provider) { p.Sites[fxOffice].Location = nil }, false, []string{"sites[0].location"}},
		{"jobcentre without location", func(p *directory.Provider) { p.Sites[fxJobcentre].Location = nil }, false, []string{"sites[1].location"}},
		{"latitude over 90", func(p *directory.Provider) { p.Sites[fxOffice].Location.Lat = 91 }, false, []string{"sites[0].location.lat"}},
		{"latitude under -90", func(p *directory.Provider) { p.Sites[fxOffice].Location.Lat = -90.5 }, false, []string{"sites[0].location.lat"}},
		{"latitude NaN", func(p *directory.Provider) { p.Sites[fxOffice].Location.Lat = math.NaN() }, false, []string{"sites[0].location.lat"}},
		{"latitude infinite", func(p *directory.Provider) { p.Sites[fxOffice].Location.Lat = math.Inf(1) }, false, []string{"sites[0].location.lat"}},
		{"latitude south of UK", func(p *directory.Provider) { p.Sites[fxOffice].Location.Lat = 48.85 }, false, []string{"sites[0].location.lat"}},
		{"latitude north of UK", func(p *directory.Provider) { p.Sites[fxOffice].Location.Lat = 61.5 }, false, []string{"sites[0].location.lat"}},
		{"longitude over 180", func(p *directory.Provider) { p.Sites[fxJobcentre].Location.Lon = 181 }, false, []string{"sites[1].location.lon"}},
		{"longitude NaN", func(p *directory.Provider) { p.Sites[fxJobcentre].Location.Lon = math.NaN() }, false, []string{"sites[1].location.lon"}},
		{"longitude east of UK", func(p *directory.Provider) { p.Sites[fxOffice].Location.Lon = 2.35 }, false, []string{"sites[0].location.lon"}},
		{"longitude west of UK", func(p *directory.Provider) { p.Sites[fxOffice].Location.Lon = -10 }, false, []string{"sites[0].location.lon"}},
		{"latitude and longitude swapped", func(p *directory.Provider) {
			p.Sites[fxOffice].Location = &directory.LatLon{Lat: -1.5492, Lon: 53.7997}
		}, false, []string{"sites[0].location.lat", "sites[0].location.lon"}},
		{"remote site with location outside UK", func(p *directory.Provider) {
			p.Sites[fxRemote].Location = &directory.LatLon{Lat: 40.7, Lon: -74.0}
		}, false, []string{"sites[2].location.lat", "sites[2].location.lon"}},
		{"jobcentre site without days", func(p *directory.Provider) { p.Sites[fxJobcentre].JobcentreDays = nil }, false, []string{"sites[1].jobcentre_days"}},
		{"jobcentre day unknown", func(p *directory.Provider) { p.Sites[fxJobcentre].JobcentreDays[1] = "thursday" }, false, []string{"sites[1].jobcentre_days[1]"}},
		{"jobcentre day empty", func(p *directory.Provider) { p.Sites[fxJobcentre].JobcentreDays[0] = "" }, false, []string{"sites[1].jobcentre_days[0]"}},
		{"too many jobcentre days", func(p *directory.Provider) {
			p.Sites[fxJobcentre].JobcentreDays = repeat("mon", directory.MaxListLen+1)
		}, false, []string{"sites[1].jobcentre_days"}},
		{"too many opening hours", func(p *directory.Provider) {
			p.Sites[fxOffice].OpeningHours = repeat(directory.OpeningHours{Day: "mon", Opens: "09:00", Closes: "10:00"}, 22)
		}, false, []string{"sites[0].opening_hours"}},
		{"opening day empty", func(p *directory.Provider) { p.Sites[fxOffice].OpeningHours[0].Day = "" }, false, []string{"sites[0].opening_hours[0].day"}},
		{"opening day unknown", func(p *directory.Provider) { p.Sites[fxOffice].OpeningHours[1].Day = "Saturday" }, false, []string{"sites[0].opening_hours[1].day"}},
		{"opens not HH:MM", func(p *directory.Provider) { p.Sites[fxOffice].OpeningHours[0].Opens = "9:00" }, false, []string{"sites[0].opening_hours[0].opens"}},
		{"opens empty", func(p *directory.Provider) { p.Sites[fxOffice].OpeningHours[0].Opens = "" }, false, []string{"sites[0].opening_hours[0].opens"}},
		{"closes at 24:00", func(p *directory.Provider) { p.Sites[fxOffice].OpeningHours[0].Closes = "24:00" }, false, []string{"sites[0].opening_hours[0].closes"}},
		{"closes minute 60", func(p *directory.Provider) { p.Sites[fxOffice].OpeningHours[1].Closes = "12:60" }, false, []string{"sites[0].opening_hours[1].closes"}},
		{"opens and closes both bad", func(p *directory.Provider) {
			p.Sites[fxOffice].OpeningHours[0] = directory.OpeningHours{Day: "mon", Opens: "9am", Closes: "5pm"}
		}, false, []string{"sites[0].opening_hours[0].closes", "sites[0].opening_hours[0].opens"}},
		{"closes before opens", func(p *directory.Provider) {
			p.Sites[fxOffice].OpeningHours[0] = directory.OpeningHours{Day: "mon", Opens: "17:00", Closes: "09:00"}
		}, false, []string{"sites[0].opening_hours[0].closes"}},
		{"closes when it opens", func(p *directory.Provider) {
			p.Sites[fxOffice].OpeningHours[1] = directory.OpeningHours{Day: "sat", Opens: "10:00", Closes: "10:00"}
		}, false, []string{"sites[0].opening_hours[1].closes"}},
		{"site accessibility unknown", func(p *directory.Provider) { p.Sites[fxOffice].Accessibility[1] = "loop" }, false, []string{"sites[0].accessibility[1]"}},
		{"too many site accessibility codes", func(p *directory.Provider) {
			p.Sites[fxOffice].Accessibility = repeat("step_free", directory.MaxListLen+1)
		}, false, []string{"sites[0].accessibility"}},

		// Coverage.
		{"coverage with nothing", func(p *directory.Provider) { p.Coverage = directory.Coverage{} }, false, []string{"coverage"}},
		{"coverage national only is enough", func(p *directory.Provider) {
			p.Coverage = directory.Coverage{National: true}
		}, false, nil},
		{"radius without located site", func(p *directory.Provider) {
			p.Sites = []directory.Site{p.Sites[fxRemote]}
		}, false, []string{"coverage"}},
		{"radius alone without located site", func(p *directory.Provider) {
			p.Sites = nil
			p.Coverage = directory.Coverage{RadiusKm: 5}
		}, false, []string{"coverage"}},
		{"travel without located site", func(p *directory.Provider) {
			p.Sites = nil
			p.Coverage = directory.Coverage{TravelsToClients: true, TravelRadiusKm: 5}
		}, false, []string{"coverage"}},
		{"too many areas", func(p *directory.Provider) { p.Coverage.Areas = repeat("Leeds", directory.MaxListLen+1) }, false, []string{"coverage.areas"}},
		{"area empty", func(p *directory.Provider) { p.Coverage.Areas = []string{"Leeds", ""} }, false, []string{"coverage.areas[1]"}},
		{"area only spaces", func(p *directory.Provider) { p.Coverage.Areas = []string{"  "} }, true, []string{"coverage.areas[0]"}},
		{"area over 100 characters", func(p *directory.Provider) { p.Coverage.Areas[0] = long(101) }, false, []string{"coverage.areas[0]"}},
		{"too many postcode districts", func(p *directory.Provider) {
			p.Coverage.PostcodeDistricts = nil
			for i := range 501 {
				p.Coverage.PostcodeDistricts = append(p.Coverage.PostcodeDistricts,
					fmt.Sprintf("%c%c%d", 'A'+i/260, 'A'+i/10%26, i%10))
			}
		}, false, []string{"coverage.postcode_districts"}},
		{"postcode district lower case", func(p *directory.Provider) { p.Coverage.PostcodeDistricts[0] = "ls1" }, false, []string{"coverage.postcode_districts[0]"}},
		{"postcode district is a full postcode", func(p *directory.Provider) {
			p.Coverage.PostcodeDistricts[1] = "LS2 7UA"
		}, true, []string{"coverage.postcode_districts[1]"}},
		{"postcode district nonsense", func(p *directory.Provider) { p.Coverage.PostcodeDistricts[2] = "123" }, false, []string{"coverage.postcode_districts[2]"}},
		{"too many polygons", func(p *directory.Provider) {
			p.Coverage.Polygons = repeat(directory.Polygon{Type: "Polygon", Coordinates: [][][2]float64{closedRing(5)}}, directory.MaxPolygons+1)
		}, false, []string{"coverage.polygons"}},
		{"too many polygon positions", func(p *directory.Provider) {
			p.Coverage.Polygons = []directory.Polygon{{Type: "Polygon", Coordinates: [][][2]float64{closedRing(directory.MaxPolygonPts + 1)}}}
		}, false, []string{"coverage.polygons"}},
		{"polygon type wrong", func(p *directory.Provider) { p.Coverage.Polygons[0].Type = "MultiPolygon" }, false, []string{"coverage.polygons[0].type"}},
		{"polygon without rings", func(p *directory.Provider) { p.Coverage.Polygons[0].Coordinates = nil }, false, []string{"coverage.polygons[0].coordinates"}},
		{"polygon ring too short", func(p *directory.Provider) {
			p.Coverage.Polygons[0].Coordinates[0] = [][2]float64{{-1.7, 53.7}, {-1.3, 53.7}, {-1.7, 53.7}}
		}, false, []string{"coverage.polygons[0].coordinates[0]"}},
		{"polygon not closed", func(p *directory.Provider) {
			ring := p.Coverage.Polygons[0].Coordinates[0]
			ring[len(ring)-1] = [2]float64{-1.70, 53.71}
		}, false, []string{"coverage.polygons[0].coordinates[0]"}},
		{"polygon hole not closed", func(p *directory.Provider) {
			hole := closedRing(6)
			hole[5] = [2]float64{0, 0}
			p.Coverage.Polygons[0].Coordinates = append(p.Coverage.Polygons[0].Coordinates, hole)
		}, false, []string{"coverage.polygons[0].coordinates[1]"}},
		{"polygon longitude out of range", func(p *directory.Provider) {
			p.Coverage.Polygons[0].Coordinates[0][2] = [2]float64{-181, 53.95}
		}, false, []string{"coverage.polygons[0].coordinates[0][2]"}},
		{"polygon latitude out of range", func(p *directory.Provider) {
			p.Coverage.Polygons[0].Coordinates[0][1] = [2]float64{-1.3, 91}
			p.Coverage.Polygons[0].Coordinates[0][3] = [2]float64{-1.7, -91}
		}, false, []string{"coverage.polygons[0].coordinates[0][1]"}}, // one problem per ring
		{"radius negative", func(p *directory.Provider) { p.Coverage.RadiusKm = -1 }, false, []string{"coverage.radius_km"}},
		{"radius over max", func(p *directory.Provider) { p.Coverage.RadiusKm = directory.MaxRadiusKm + 0.5 }, false, []string{"coverage.radius_km"}},
		{"radius NaN", func(p *directory.Provider) { p.Coverage.RadiusKm = math.NaN() }, false, []string{"coverage.radius_km"}},
		{"travel radius over max", func(p *directory.Provider) { p.Coverage.TravelRadiusKm = 301 }, false, []string{"coverage.travel_radius_km"}},
		{"travel radius negative", func(p *directory.Provider) { p.Coverage.TravelRadiusKm = -5 }, false, []string{"coverage.travel_radius_km"}},
		{"travels to clients without radius", func(p *directory.Provider) { p.Coverage.TravelRadiusKm = 0 }, false, []string{"coverage.travel_radius_km"}},

		// Delivery modes and services.
		{"delivery modes empty", func(p *directory.Provider) { p.DeliveryModes = nil }, false, []string{"delivery_modes"}},
		{"delivery mode unknown", func(p *directory.Provider) { p.DeliveryModes[2] = "phone" }, false, []string{"delivery_modes[2]"}},
		{"delivery mode empty", func(p *directory.Provider) { p.DeliveryModes[0] = "" }, false, []string{"delivery_modes[0]"}},
		{"too many delivery modes", func(p *directory.Provider) {
			p.DeliveryModes = repeat(directory.ModeOffice, directory.MaxListLen+1)
		}, false, []string{"delivery_modes"}},
		{"service code unknown", func(p *directory.Provider) { p.Services[1].Code = "debt" }, false, []string{"services[1].code"}},
		{"service code empty", func(p *directory.Provider) { p.Services[0].Code = "" }, false, []string{"services[0].code"}},
		{"service listed twice", func(p *directory.Provider) { p.Services[1].Code = p.Services[0].Code }, false, []string{"services[1].code"}},
		{"service provision empty", func(p *directory.Provider) { p.Services[0].Provision = "" }, false, []string{"services[0].provision"}},
		{"service provision unknown", func(p *directory.Provider) { p.Services[2].Provision = "outsourced" }, false, []string{"services[2].provision"}},
		{"service partner over long", func(p *directory.Provider) { p.Services[1].Partner = long(directory.MaxShortLen + 1) }, false, []string{"services[1].partner"}},
		{"service partner control character", func(p *directory.Provider) { p.Services[1].Partner = "Citizens\x1bAdvice" }, false, []string{"services[1].partner"}},
		{"service note over long", func(p *directory.Provider) { p.Services[2].Note = long(directory.MaxTextLen/4 + 1) }, false, []string{"services[2].note"}},

		// Other code lists and codes.
		{"specialism unknown", func(p *directory.Provider) { p.Specialisms[1] = "no_such_condition" }, false, []string{"specialisms[1]"}},
		{"too many specialisms", func(p *directory.Provider) {
			p.Specialisms = repeat("mental_health", directory.MaxListLen+1)
		}, false, []string{"specialisms"}},
		{"serves only unknown", func(p *directory.Provider) { p.ServesOnly = []string{"Mental_Health"} }, false, []string{"serves_only[0]"}},
		{"service model unknown", func(p *directory.Provider) { p.ServiceModel = "intensive" }, false, []string{"service_model"}},
		{"registration approach unknown", func(p *directory.Provider) { p.RegistrationApproach = "anyone" }, false, []string{"registration_approach"}},
		{"too many out of scope entries", func(p *directory.Provider) {
			p.OutOfScope = repeat(directory.Signpost{Need: "debt"}, directory.MaxListLen+1)
		}, false, []string{"out_of_scope"}},
		{"out of scope need empty", func(p *directory.Provider) { p.OutOfScope[0].Need = "" }, false, []string{"out_of_scope[0].need"}},
		{"out of scope need unknown", func(p *directory.Provider) { p.OutOfScope[0].Need = "homelessness" }, false, []string{"out_of_scope[0].need"}},
		{"out of scope to over long", func(p *directory.Provider) { p.OutOfScope[0].To = long(directory.MaxShortLen + 1) }, false, []string{"out_of_scope[0].to"}},

		// Incentives.
		{"too many incentives", func(p *directory.Provider) {
			p.Incentives = repeat(p.Incentives[0], directory.MaxListLen+1)
		}, false, []string{"incentives"}},
		{"incentive kind empty", func(p *directory.Provider) { p.Incentives[0].Kind = "" }, false, []string{"incentives[0].kind"}},
		{"incentive kind unknown", func(p *directory.Provider) { p.Incentives[0].Kind = "bonus" }, false, []string{"incentives[0].kind"}},
		{"incentive recipient empty", func(p *directory.Provider) { p.Incentives[0].Recipient = "" }, false, []string{"incentives[0].recipient"}},
		{"incentive recipient empty for employer kind", func(p *directory.Provider) { p.Incentives[1].Recipient = "" }, false, []string{"incentives[1].recipient"}},
		{"incentive recipient unknown", func(p *directory.Provider) { p.Incentives[0].Recipient = "family" }, false, []string{"incentives[0].recipient"}},
		{"employer incentive paid to client", func(p *directory.Provider) { p.Incentives[1].Recipient = "client" }, false, []string{"incentives[1].recipient"}},
		{"employer incentive paid to unknown recipient", func(p *directory.Provider) {
			p.Incentives[1].Recipient = "agency"
		}, false, []string{"incentives[1].recipient", "incentives[1].recipient"}},
		{"incentive amount negative", func(p *directory.Provider) { p.Incentives[0].AmountPence = -1 }, false, []string{"incentives[0].amount_pence"}},
		{"incentive amount over max", func(p *directory.Provider) {
			p.Incentives[1].AmountPence = directory.MaxAmountPence + 1
		}, false, []string{"incentives[1].amount_pence"}},
		{"incentive trigger empty", func(p *directory.Provider) { p.Incentives[0].Trigger = "" }, false, []string{"incentives[0].trigger"}},
		{"incentive trigger over long", func(p *directory.Provider) { p.Incentives[1].Trigger = long(directory.MaxShortLen + 1) }, false, []string{"incentives[1].trigger"}},

		// In-work support, capacity, staffing.
		{"in-work support offered without model", func(p *directory.Provider) { p.InWorkSupport.Model = "" }, false, []string{"in_work_support.model"}},
		{"in-work support model unknown", func(p *directory.Provider) { p.InWorkSupport.Model = "coaching" }, false, []string{"in_work_support.model"}},
		{"in-work support model unknown when not offered", func(p *directory.Provider) {
			p.InWorkSupport = directory.InWorkSupport{Model: "coaching"}
		}, false, []string{"in_work_support.model"}},
		{"in-work support weeks negative", func(p *directory.Provider) { p.InWorkSupport.Weeks = -1 }, false, []string{"in_work_support.weeks"}},
		{"in-work support weeks over 260", func(p *directory.Provider) { p.InWorkSupport.Weeks = 261 }, false, []string{"in_work_support.weeks"}},
		{"disclosure unknown", func(p *directory.Provider) { p.InWorkSupport.Disclosure = "employer_decides" }, false, []string{"in_work_support.disclosure"}},
		{"weeks to first appointment negative", func(p *directory.Provider) { p.Capacity.WeeksToFirstAppointment = -1 }, false, []string{"capacity.weeks_to_first_appointment"}},
		{"weeks to first appointment over 52", func(p *directory.Provider) { p.Capacity.WeeksToFirstAppointment = 53 }, false, []string{"capacity.weeks_to_first_appointment"}},
		{"adviser model unknown", func(p *directory.Provider) { p.Staffing.AdviserModel = "team" }, false, []string{"staffing.adviser_model"}},
		{"contact frequency over 365", func(p *directory.Provider) { p.Staffing.ContactFrequencyDays = 366 }, false, []string{"staffing.contact_frequency_days"}},
		{"contact frequency negative", func(p *directory.Provider) { p.Staffing.ContactFrequencyDays = -7 }, false, []string{"staffing.contact_frequency_days"}},
		{"caseload over 2000", func(p *directory.Provider) { p.Staffing.CaseloadPerAdviser = 2001 }, false, []string{"staffing.caseload_per_adviser"}},
		{"caseload negative", func(p *directory.Provider) { p.Staffing.CaseloadPerAdviser = -1 }, false, []string{"staffing.caseload_per_adviser"}},

		// Accessibility and languages.
		{"accessibility unknown", func(p *directory.Provider) { p.Accessibility[0] = "wheelchair" }, false, []string{"accessibility[0]"}},
		{"too many accessibility codes", func(p *directory.Provider) {
			p.Accessibility = repeat("bsl", directory.MaxListLen+1)
		}, false, []string{"accessibility"}},
		{"language unknown", func(p *directory.Provider) { p.Languages[1] = "urdu" }, false, []string{"languages[1]"}},
		{"language empty", func(p *directory.Provider) { p.Languages = []string{""} }, false, []string{"languages[0]"}},
		{"too many languages", func(p *directory.Provider) { p.Languages = repeat("en", directory.MaxListLen+1) }, false, []string{"languages"}},

		// Contact.
		{"phone with letters", func(p *directory.Provider) { p.Contact.Phone = "call 0113 496 0000" }, false, []string{"contact.phone"}},
		{"phone too short", func(p *directory.Provider) { p.Contact.Phone = "12345" }, false, []string{"contact.phone"}},
		{"phone too long", func(p *directory.Provider) { p.Contact.Phone = strings.Repeat("0", 31) }, false, []string{"contact.phone"}},
		{"textphone with letters", func(p *directory.Provider) { p.Contact.Textphone = "minicom" }, false, []string{"contact.textphone"}},
		{"email without at", func(p *directory.Provider) { p.Contact.Email = "hello.example.org" }, false, []string{"contact.email"}},
		{"email without dot in domain", func(p *directory.Provider) { p.Contact.Email = "hello@localhost" }, false, []string{"contact.email"}},
		{"email with two ats", func(p *directory.Provider) { p.Contact.Email = "hello@@example.org" }, false, []string{"contact.email"}},
		{"email with space", func(p *directory.Provider) { p.Contact.Email = "hello there@example.org" }, false, []string{"contact.email"}},
		{"email local part over 64", func(p *directory.Provider) {
			p.Contact.Email = strings.Repeat("a", 65) + "@example.org"
		}, false, []string{"contact.email"}},
		{"email over 254 characters", func(p *directory.Provider) {
			p.Contact.Email = "a@" + strings.Repeat("b", 250) + ".org"
		}, false, []string{"contact.email"}},

		// Performance.
		{"period start not a date", func(p *directory.Provider) { p.Performance.PeriodStart = "2003-13-01" }, false, []string{"performance.period_start"}},
		{"period start empty", func(p *directory.Provider) { p.Performance.PeriodStart = "" }, false, []string{"performance.period_start"}},
		{"period end not a date", func(p *directory.Provider) { p.Performance.PeriodEnd = "30/09/2004" }, false, []string{"performance.period_end"}},
		{"period end before start", func(p *directory.Provider) { p.Performance.PeriodEnd = "2003-09-30" }, false, []string{"performance.period_end"}},
		{"registrations over max", func(p *directory.Provider) { p.Performance.Registrations = 1_000_001 }, false, []string{"performance.registrations"}},
		{"registrations negative", func(p *directory.Provider) {
			*p.Performance = directory.Performance{PeriodStart: "2003-10-01", PeriodEnd: "2004-09-30", Registrations: -1, JobEntries: -1, SustainedJobs: -1, SustainedWeeks: 26}
		}, false, []string{"performance.job_entries", "performance.registrations", "performance.sustained_jobs"}},
		{"job entries more than registrations", func(p *directory.Provider) { p.Performance.JobEntries = 121 }, false, []string{"performance.job_entries"}},
		{"job entries negative", func(p *directory.Provider) {
			p.Performance.JobEntries = -1
			p.Performance.SustainedJobs = 0
		}, false, []string{"performance.job_entries", "performance.sustained_jobs"}},
		{"job entries over max", func(p *directory.Provider) {
			p.Performance.Registrations = 1_000_000
			p.Performance.JobEntries = 1_000_001
		}, false, []string{"performance.job_entries", "performance.job_entries"}},
		{"sustained jobs more than job entries", func(p *directory.Provider) { p.Performance.SustainedJobs = 46 }, false, []string{"performance.sustained_jobs"}},
		{"sustained jobs negative", func(p *directory.Provider) { p.Performance.SustainedJobs = -1 }, false, []string{"performance.sustained_jobs"}},
		{"sustained weeks zero", func(p *directory.Provider) { p.Performance.SustainedWeeks = 0 }, false, []string{"performance.sustained_weeks"}},
		{"sustained weeks 52", func(p *directory.Provider) { p.Performance.SustainedWeeks = 52 }, false, []string{"performance.sustained_weeks"}},
		{"long-term claimant percent over 100", func(p *directory.Provider) { p.Performance.LongTermClaimantPercent = 101 }, false, []string{"performance.long_term_claimant_percent"}},
		{"long-term claimant percent negative", func(p *directory.Provider) { p.Performance.LongTermClaimantPercent = -1 }, false, []string{"performance.long_term_claimant_percent"}},
		{"performance note over long", func(p *directory.Provider) { p.Performance.Note = long(directory.MaxTextLen/2 + 1) }, false, []string{"performance.note"}},

		// Freshness.
		{"last verified not a date", func(p *directory.Provider) { p.Freshness.LastVerified = "01/05/2024" }, false, []string{"freshness.last_verified"}},
		{"last verified impossible date", func(p *directory.Provider) { p.Freshness.LastVerified = "2023-02-29" }, false, []string{"freshness.last_verified"}},
		{"verified by over long", func(p *directory.Provider) { p.Freshness.VerifiedBy = long(directory.MaxShortLen + 1) }, false, []string{"freshness.verified_by"}},
		{"verified by control character", func(p *directory.Provider) { p.Freshness.VerifiedBy = "A.\x7fAdviser" }, false, []string{"freshness.verified_by"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := fixtureProvider()
			tc.mutate(p)
			if tc.normalize {
				p.Normalize()
			}
			err := p.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			got := problemFields(t, err)
			want := slices.Clone(tc.want)
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Validate() problem fields (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

// TestValidateTooManyServices is separate because 51 services must repeat
// codes, so each repeat is reported too.
func TestValidateTooManyServices(t *testing.T) {
	codes := directory.MustVocabulary(directory.VocabServices).Terms
	p := fixtureProvider()
	p.Services = nil
	want := []string{"services"}
	for i := range directory.MaxListLen + 1 {
		p.Services = append(p.Services, directory.Service{Code: codes[i%len(codes)].Code, Provision: "in_house"})
		if i >= len(codes) {
			want = append(want, fmt.Sprintf("services[%d].code", i))
		}
	}
	sort.Strings(want)
	if diff := cmp.Diff(want, problemFields(t, p.Validate())); diff != "" {
		t.Errorf("problem fields (-want +got):\n%s", diff)
	}
}

// TestValidateEdges checks values on the valid side of each limit.
func TestValidateEdges(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *directory.Provider)
	}{
		{"no id", func(p *directory.Provider) { p.ID = "" }},
		{"id of 64 characters", func(p *directory.Provider) { p.ID = strings.Repeat("a", 64) }},
		{"name of exactly max characters, multi-byte", func(p *directory.Provider) { p.Name = strings.Repeat("é", directory.MaxNameLen) }},
		{"summary with new lines", func(p *directory.Provider) { p.Summary = "one\ntwo\n" }},
		{"empty optional codes", func(p *directory.Provider) {
			p.ServiceModel, p.RegistrationApproach, p.Staffing.AdviserModel, p.InWorkSupport.Disclosure = "", "", "", ""
		}},
		{"in-work support not offered needs no model", func(p *directory.Provider) { p.InWorkSupport = directory.InWorkSupport{} }},
		{"no website, contact or performance", func(p *directory.Provider) {
			p.Organisation.Website = ""
			p.Contact = directory.Contact{}
			p.Performance = nil
		}},
		{"http website", func(p *directory.Provider) { p.Organisation.Website = "http://example.org" }},
		{"no freshness", func(p *directory.Provider) { p.Freshness = directory.Freshness{} }},
		{"UK corner points", func(p *directory.Provider) {
			p.Sites[fxOffice].Location = &directory.LatLon{Lat: 49.8, Lon: -8.8}
			p.Sites[fxJobcentre].Location = &directory.LatLon{Lat: 61.0, Lon: 2.0}
		}},
		{"opening until 23:59", func(p *directory.Provider) {
			p.Sites[fxOffice].OpeningHours[0] = directory.OpeningHours{Day: "sun", Opens: "00:00", Closes: "23:59"}
		}},
		{"21 opening hours", func(p *directory.Provider) {
			p.Sites[fxOffice].OpeningHours = repeat(directory.OpeningHours{Day: "mon", Opens: "09:00", Closes: "10:00"}, 21)
		}},
		{"6 address lines", func(p *directory.Provider) { p.Sites[fxOffice].Address.Lines = repeat("Line", 6) }},
		{"no postcode", func(p *directory.Provider) { p.Sites[fxOffice].Address.Postcode = "" }},
		{"remote sites only with national coverage", func(p *directory.Provider) {
			p.Sites = []directory.Site{p.Sites[fxRemote]}
			p.Coverage = directory.Coverage{National: true}
		}},
		{"no sites with district coverage", func(p *directory.Provider) {
			p.Sites = nil
			p.Coverage = directory.Coverage{PostcodeDistricts: []string{"W1"}}
		}},
		{"max radius", func(p *directory.Provider) {
			p.Coverage.RadiusKm, p.Coverage.TravelRadiusKm = directory.MaxRadiusKm, directory.MaxRadiusKm
		}},
		{"polygon with a closed hole", func(p *directory.Provider) {
			p.Coverage.Polygons[0].Coordinates = append(p.Coverage.Polygons[0].Coordinates, closedRing(4))
		}},
		{"max polygons and positions", func(p *directory.Provider) {
			p.Coverage.Polygons = repeat(directory.Polygon{Type: "Polygon", Coordinates: [][][2]float64{closedRing(directory.MaxPolygonPts / directory.MaxPolygons)}}, directory.MaxPolygons)
		}},
		{"50 delivery modes", func(p *directory.Provider) { p.DeliveryModes = repeat(directory.ModeOnline, directory.MaxListLen) }},
		{"incentive amount max and zero", func(p *directory.Provider) {
			p.Incentives[0].AmountPence = 0
			p.Incentives[1].AmountPence = directory.MaxAmountPence
		}},
		{"client incentive paid to employer", func(p *directory.Provider) { p.Incentives[0].Recipient = "employer" }},
		{"performance period of one day", func(p *directory.Provider) {
			p.Performance.PeriodEnd = p.Performance.PeriodStart
		}},
		{"performance all equal", func(p *directory.Provider) {
			p.Performance.Registrations, p.Performance.JobEntries, p.Performance.SustainedJobs = 7, 7, 7
			p.Performance.SustainedWeeks = 26
			p.Performance.LongTermClaimantPercent = 100
		}},
		{"phone with plus and brackets", func(p *directory.Provider) { p.Contact.Phone = "+44 (0)113 496-0000" }},
		{"limits of ranges", func(p *directory.Provider) {
			p.Capacity.WeeksToFirstAppointment = 52
			p.Staffing.ContactFrequencyDays = 365
			p.Staffing.CaseloadPerAdviser = 2000
			p.InWorkSupport.Weeks = 260
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := fixtureProvider()
			tc.mutate(p)
			if err := p.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *directory.Provider)
		want   []string
	}{
		{
			name: "four fields",
			mutate: func(p *directory.Provider) {
				p.Name = ""
				p.Sites[fxOffice].Location.Lat = 0
				p.Services[1].Code = "nope"
				p.Contact.Email = "not-an-email"
			},
			want: []string{"contact.email", "name", "services[1].code", "sites[0].location.lat"},
		},
		{
			name: "across every part of the record",
			mutate: func(p *directory.Provider) {
				p.ID = "BAD ID"
				p.Organisation.Website = "example.org"
				p.Sites[fxJobcentre].JobcentreDays = nil
				p.Sites[fxOffice].OpeningHours[0].Closes = "08:00"
				p.Coverage.PostcodeDistricts[0] = "ls1"
				p.Coverage.Polygons[0].Coordinates[0] = p.Coverage.Polygons[0].Coordinates[0][:4]
				p.Incentives[0].Recipient = ""
				p.Languages[0] = "english"
				p.Performance.SustainedWeeks = 12
				p.Freshness.LastVerified = "yesterday"
			},
			want: []string{
				"coverage.polygons[0].coordinates[0]",
				"coverage.postcode_districts[0]",
				"freshness.last_verified",
				"id",
				"incentives[0].recipient",
				"languages[0]",
				"organisation.website",
				"performance.sustained_weeks",
				"sites[0].opening_hours[0].closes",
				"sites[1].jobcentre_days",
			},
		},
		{
			name:   "empty provider",
			mutate: func(p *directory.Provider) { *p = directory.Provider{} },
			want: []string{
				"coverage", "delivery_modes", "name",
				"organisation.contract_status", "organisation.scale", "organisation.sector",
				"status", "type",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := fixtureProvider()
			tc.mutate(p)
			err := p.Validate()
			if diff := cmp.Diff(tc.want, problemFields(t, err)); diff != "" {
				t.Errorf("problem fields (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestValidateAfterNormalizeOfEmptyProvider(t *testing.T) {
	var p directory.Provider
	p.Normalize()
	want := []string{"coverage", "delivery_modes", "name", "organisation.scale", "organisation.sector", "type"}
	if diff := cmp.Diff(want, problemFields(t, p.Validate())); diff != "" {
		t.Errorf("problem fields (-want +got):\n%s", diff)
	}
}

func TestValidationErrorWrapped(t *testing.T) {
	p := fixtureProvider()
	p.Name = ""
	err := fmt.Errorf("saving provider: %w", p.Validate())
	if !errors.Is(err, directory.ErrInvalid) {
		t.Errorf("errors.Is(wrapped, ErrInvalid) = false, want true")
	}
	if errors.Is(err, directory.ErrNotFound) {
		t.Errorf("errors.Is(wrapped, ErrNotFound) = true, want false")
	}
	var ve *directory.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("errors.As(wrapped, *ValidationError) = false")
	}
	if got, want := ve.Error(), "invalid input: name: is required"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestInvalid(t *testing.T) {
	err := directory.Invalid("sites[0].id", "bad %s", "id")
	want := []directory.FieldProblem{{Field: "sites[0].id", Message: "bad id"}}
	if diff := cmp.Diff(want, err.Problems); diff != "" {
		t.Errorf("Invalid problems (-want +got):\n%s", diff)
	}
	if !errors.Is(err, directory.ErrInvalid) {
		t.Error("errors.Is(Invalid(...), ErrInvalid) = false, want true")
	}
	if got, want := err.Error(), "invalid input: sites[0].id: bad id"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestNormalizePostcode(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lower case without space", "ls11an", "LS1 1AN"},
		{"padded with double space", " ls1  1an ", "LS1 1AN"},
		{"already normal", "LS1 1AN", "LS1 1AN"},
		{"four-character outward code", "ec1a1bb", "EC1A 1BB"},
		{"short outward code", "w1a 0ax", "W1A 0AX"},
		{"space in wrong place", "LS11 AN", "LS1 1AN"},
		{"tab and new line", "\tls1\n1an", "LS1 1AN"},
		{"too short for an inward code", " ls1 ", "LS1"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := directory.NormalizePostcode(tc.in); got != tc.want {
				t.Errorf("NormalizePostcode(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *directory.Provider)
		check  func(t *testing.T, p *directory.Provider)
	}{
		{
			name: "site postcodes",
			mutate: func(p *directory.Provider) {
				p.Sites[fxOffice].Address.Postcode = "ls11an"
				p.Sites[fxJobcentre].Address.Postcode = " ls2  7ua "
				p.Sites[fxRemote].Address.Postcode = ""
			},
			check: func(t *testing.T, p *directory.Provider) {
				got := []string{p.Sites[0].Address.Postcode, p.Sites[1].Address.Postcode, p.Sites[2].Address.Postcode}
				if diff := cmp.Diff([]string{"LS1 1AN", "LS2 7UA", ""}, got); diff != "" {
					t.Errorf("postcodes (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "postcode districts upper-cased, trimmed and deduplicated",
			mutate: func(p *directory.Provider) {
				p.Coverage.PostcodeDistricts = []string{" ls1", "ec1a ", "LS1", "ls2", "Ec1A"}
			},
			check: func(t *testing.T, p *directory.Provider) {
				if diff := cmp.Diff([]string{"LS1", "EC1A", "LS2"}, p.Coverage.PostcodeDistricts); diff != "" {
					t.Errorf("districts (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "duplicate codes removed keeping order",
			mutate: func(p *directory.Provider) {
				p.DeliveryModes = []string{"telephone", "office", "telephone", "online", "office"}
				p.Specialisms = []string{"sight", "hearing", "sight", " hearing"}
				p.ServesOnly = []string{"epilepsy", "epilepsy"}
				p.Accessibility = []string{"bsl", "braille", "bsl", "parking", "braille"}
				p.Languages = []string{"en", "cy", "en", "cy", "pl"}
				p.Sites[fxJobcentre].JobcentreDays = []string{"thu", "tue", "thu", " tue "}
				p.Sites[fxOffice].Accessibility = []string{"parking", "parking"}
			},
			check: func(t *testing.T, p *directory.Provider) {
				got := [][]string{p.DeliveryModes, p.Specialisms, p.ServesOnly, p.Accessibility, p.Languages,
					p.Sites[fxJobcentre].JobcentreDays, p.Sites[fxOffice].Accessibility}
				want := [][]string{
					{"telephone", "office", "online"},
					{"sight", "hearing"},
					{"epilepsy"},
					{"bsl", "braille", "parking"},
					{"en", "cy", "pl"},
					{"thu", "tue"},
					{"parking"},
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("codes (-want +got):\n%s", diff)
				}
			},
		},
		{
			name:   "status defaults to draft",
			mutate: func(p *directory.Provider) { p.Status = "" },
			check: func(t *testing.T, p *directory.Provider) {
				if p.Status != directory.StatusDraft {
					t.Errorf("Status = %q, want %q", p.Status, directory.StatusDraft)
				}
			},
		},
		{
			name:   "status kept when set",
			mutate: func(p *directory.Provider) { p.Status = directory.StatusSuspended },
			check: func(t *testing.T, p *directory.Provider) {
				if p.Status != directory.StatusSuspended {
					t.Errorf("Status = %q, want %q", p.Status, directory.StatusSuspended)
				}
			},
		},
		{
			name:   "contract status defaults to active",
			mutate: func(p *directory.Provider) { p.Organisation.ContractStatus = "" },
			check: func(t *testing.T, p *directory.Provider) {
				if got := p.Organisation.ContractStatus; got != directory.ContractActive {
					t.Errorf("ContractStatus = %q, want %q", got, directory.ContractActive)
				}
			},
		},
		{
			name:   "contract status kept when set",
			mutate: func(p *directory.Provider) { p.Organisation.ContractStatus = directory.ContractEnded },
			check: func(t *testing.T, p *directory.Provider) {
				if got := p.Organisation.ContractStatus; got != directory.ContractEnded {
					t.Errorf("ContractStatus = %q, want %q", got, directory.ContractEnded)
				}
			},
		},
		{
			name: "sites without ids get distinct valid ids",
			mutate: func(p *directory.Provider) {
				p.Sites[fxOffice].ID = ""
				p.Sites[fxJobcentre].ID = "   "
				p.Sites[fxRemote].ID = " site-remote "
			},
			check: func(t *testing.T, p *directory.Provider) {
				a, b := p.Sites[fxOffice].ID, p.Sites[fxJobcentre].ID
				for _, id := range []string{a, b} {
					if !directory.ValidID(id) {
						t.Errorf("generated site id %q is not valid", id)
					}
				}
				if a == b {
					t.Errorf("generated site ids are equal: %q", a)
				}
				if got := p.Sites[fxRemote].ID; got != "site-remote" {
					t.Errorf("given site id = %q, want trimmed %q", got, "site-remote")
				}
			},
		},
		{
			name: "text trimmed",
			mutate: func(p *directory.Provider) {
				p.ID = " abc-1 "
				p.Name = "  Leeds Works \n"
				p.Summary = "\tHelp into work. "
				p.Organisation.Website = " https://example.org "
				p.Sites[fxOffice].Name = " Office "
				p.Sites[fxOffice].Address.Town = " Leeds "
				p.Coverage.Areas = []string{" Leeds ", "Bradford\t"}
				p.Contact.Email = " hello@example.org "
				p.Contact.Phone = " 0113 496 0000\n"
			},
			check: func(t *testing.T, p *directory.Provider) {
				got := []string{p.ID, p.Name, p.Summary, p.Organisation.Website, p.Sites[fxOffice].Name,
					p.Sites[fxOffice].Address.Town, p.Coverage.Areas[0], p.Coverage.Areas[1], p.Contact.Email, p.Contact.Phone}
				want := []string{"abc-1", "Leeds Works", "Help into work.", "https://example.org", "Office",
					"Leeds", "Leeds", "Bradford", "hello@example.org", "0113 496 0000"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("trimmed text (-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := fixtureProvider()
			tc.mutate(p)
			p.Normalize()
			tc.check(t, p)
			if err := p.Validate(); err != nil {
				t.Errorf("Validate() after Normalize = %v, want nil", err)
			}
		})
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewID(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		id := directory.NewID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("NewID() = %q, not a lower-case version 4 UUID", id)
		}
		if !directory.ValidID(id) {
			t.Fatalf("ValidID(NewID()) = false for %q", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestValidPostcode(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"LS1 1AN", true},
		{"EC1A 1BB", true},
		{"W1A 0AX", true},
		{"M1 1AE", true},
		{"B33 8TH", true},
		{"CR2 6XH", true},
		{"DN55 1PT", true},
		{"ls1 1an", false},
		{"LS11AN", false},
		{"LS1  1AN", false},
		{" LS1 1AN", false},
		{"LS1 1AN ", false},
		{"LS1", false},
		{"1LS 1AN", false},
		{"LS1 AAN", false},
		{"LS1 11N", false},
		{"ABC1 1AN", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			if got := directory.ValidPostcode(tc.in); got != tc.want {
				t.Errorf("ValidPostcode(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestValidDistrict(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"LS1", true},
		{"EC1A", true},
		{"W1", true},
		{"M60", true},
		{"DN55", true},
		{"SW1A", true},
		{"ls1", false},
		{"LS", false},
		{"1LS", false},
		{"LS1 1AN", false},
		{"LS123", false},
		{"ABC1", false},
		{" LS1", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			if got := directory.ValidDistrict(tc.in); got != tc.want {
				t.Errorf("ValidDistrict(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"a", true},
		{"0", true},
		{"site-1", true},
		{"3f1c2a9e-0b7d-4c5e-9a21-6d8e4b2f1a07", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"-a", false},
		{"Site", false},
		{"site_1", false},
		{"site 1", false},
		{"site.1", false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			if got := directory.ValidID(tc.in); got != tc.want {
				t.Errorf("ValidID(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestDateTime(t *testing.T) {
	tests := []struct {
		in     directory.Date
		want   time.Time
		wantOK bool
	}{
		{"2024-05-01", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), true},
		{"2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"2003-10-01", time.Date(2003, 10, 1, 0, 0, 0, 0, time.UTC), true},
		{"2023-02-29", time.Time{}, false},
		{"2024-13-01", time.Time{}, false},
		{"2024-5-1", time.Time{}, false},
		{"01/05/2024", time.Time{}, false},
		{"2024-05-01T00:00:00Z", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			got, ok := tc.in.Time()
			if ok != tc.wantOK {
				t.Fatalf("Date(%q).Time() ok = %v, want %v", tc.in, ok, tc.wantOK)
			}
			if ok && !got.Equal(tc.want) {
				t.Errorf("Date(%q).Time() = %v, want %v", tc.in, got, tc.want)
			}
			if ok && got.Location() != time.UTC {
				t.Errorf("Date(%q).Time() location = %v, want UTC", tc.in, got.Location())
			}
		})
	}
}

func TestDateOf(t *testing.T) {
	east := time.FixedZone("UTC+10", 10*60*60)
	tests := []struct {
		name string
		in   time.Time
		want directory.Date
	}{
		{"UTC", time.Date(2024, 5, 1, 23, 59, 0, 0, time.UTC), "2024-05-01"},
		{"ahead of UTC", time.Date(2024, 5, 1, 5, 0, 0, 0, east), "2024-04-30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := directory.DateOf(tc.in); got != tc.want {
				t.Errorf("DateOf(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestProviderTelephoneOnly(t *testing.T) {
	tests := []struct {
		name  string
		modes []string
		want  bool
	}{
		{"telephone only", []string{directory.ModeTelephone}, true},
		{"telephone and online", []string{directory.ModeTelephone, directory.ModeOnline}, true},
		{"online only", []string{directory.ModeOnline}, true},
		{"telephone and one to one", []string{directory.ModeOneToOne, directory.ModeTelephone}, true},
		{"telephone and office", []string{directory.ModeTelephone, directory.ModeOffice}, false},
		{"office and telephone", []string{directory.ModeOffice, directory.ModeTelephone}, false},
		{"online and jobcentre", []string{directory.ModeOnline, directory.ModeJobcentre}, false},
		{"telephone and home visits", []string{directory.ModeTelephone, directory.ModeHomeVisits}, false},
		{"telephone and outreach", []string{directory.ModeTelephone, directory.ModeOutreach}, false},
		{"groups only", []string{directory.ModeGroups}, false},
		{"one to one only", []string{directory.ModeOneToOne}, false},
		{"none", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &directory.Provider{DeliveryModes: tc.modes}
			if got := p.TelephoneOnly(); got != tc.want {
				t.Errorf("TelephoneOnly() with %v = %v, want %v", tc.modes, got, tc.want)
			}
		})
	}
}

func TestProviderStale(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	const month = 30 * 24 * time.Hour
	tests := []struct {
		name     string
		verified directory.Date
		maxAge   time.Duration
		want     bool
	}{
		{"never verified", "", month, true},
		{"unreadable date", "June 2024", month, true},
		{"verified today", "2024-06-01", month, false},
		{"verified within max age", "2024-05-15", month, false},
		{"verified exactly max age ago", "2024-05-02", month + 12*time.Hour, false},
		{"verified just over max age ago", "2024-05-02", month + 12*time.Hour - time.Nanosecond, true},
		{"verified long ago", "2003-10-01", 365 * 24 * time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &directory.Provider{Freshness: directory.Freshness{LastVerified: tc.verified}}
			if got := p.Stale(now, tc.maxAge); got != tc.want {
				t.Errorf("Stale(%v, %v) with last verified %q = %v, want %v", now, tc.maxAge, tc.verified, got, tc.want)
			}
		})
	}
}
