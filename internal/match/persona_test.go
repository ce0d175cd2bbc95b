package match_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/match"
	"github.com/brokerfinder/brokerfinder/internal/seed"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// now is the fixed date freshness is judged against in tests.
var now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func seedCatalogue(t testing.TB) *match.Catalogue {
	t.Helper()
	providers, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	c := match.NewCatalogue()
	for i := range providers {
		c.Put(&providers[i])
	}
	return c
}

// persona is one of the ten people in DOMAIN.md, placed in a seed area.
type persona struct {
	name  string
	loc   match.Location
	needs directory.Needs
	// check says what the research says the shortlist must favour or
	// flag for this person; it returns a problem or "".
	check func(res match.Result) string
}

var (
	leedsLS6     = match.Location{Point: directory.LatLon{Lat: 53.8195, Lon: -1.5741}, District: "LS6", Town: "Leeds"}
	manchesterM1 = match.Location{Point: directory.LatLon{Lat: 53.4794, Lon: -2.2384}, District: "M1", Town: "Manchester"}
	sheffieldS2  = match.Location{Point: directory.LatLon{Lat: 53.3717, Lon: -1.4577}, District: "S2", Town: "Sheffield"}
	bristolBS5   = match.Location{Point: directory.LatLon{Lat: 51.4627, Lon: -2.5572}, District: "BS5", Town: "Bristol"}
	birminghamB5 = match.Location{Point: directory.LatLon{Lat: 52.4700, Lon: -1.8900}, District: "B5", Town: "Birmingham"}
	cardiffCF10  = match.Location{Point: directory.LatLon{Lat: 51.4780, Lon: -3.1760}, District: "CF10", Town: "Cardiff"}
	carlisleCA3  = match.Location{Point: directory.LatLon{Lat: 54.9300, Lon: -2.9600}, District: "CA3", Town: "Carlisle"}
	edinburghEH8 = match.Location{Point: directory.LatLon{Lat: 55.9440, Lon: -3.1750}, District: "EH8", Town: "Edinburgh"}
	norwichNR2   = match.Location{Point: directory.LatLon{Lat: 52.6330, Lon: 1.2900}, District: "NR2", Town: "Norwich"}
	glasgowG42   = match.Location{Point: directory.LatLon{Lat: 55.8340, Lon: -4.2600}, District: "G42", Town: "Glasgow"}
)

func offers(p *directory.Provider, code string) bool {
	return slices.ContainsFunc(p.Services, func(s directory.Service) bool { return s.Code == code && s.Provision != "referral" })
}

func flagged(r match.Ranked, code string) bool {
	return slices.ContainsFunc(r.Flags, func(f match.Flag) bool { return f.Code == code })
}

// every checks pred on every result and names the first that fails.
func every(res match.Result, what string, pred func(match.Ranked) bool) string {
	for _, r := range res.Results {
		if !pred(r) {
			return fmt.Sprintf("%s (rank %d): %s", r.Provider.Name, r.Rank, what)
		}
	}
	return ""
}

// first checks pred on the first result.
func first(res match.Result, what string, pred func(*directory.Provider) bool) string {
	if len(res.Results) == 0 || !pred(res.Results[0].Provider) {
		return "the first result should be " + what
	}
	return ""
}

var personas = []persona{
	{
		name: "1 Mary, close to work, stable heart condition, wants any full-time job",
		loc:  leedsLS6,
		needs: directory.Needs{
			HealthConditions: []string{"heart_circulation"}, DistanceFromWork: directory.DistanceClose,
			JobSearchStage: directory.StageSearching, Hours: directory.HoursFullTime,
			WorkKind: []string{directory.WorkEmployee},
		},
		check: func(res match.Result) string {
			if p := first(res, "a quick-into-work provider", func(p *directory.Provider) bool { return p.ServiceModel == "immediate_barriers" }); p != "" {
				return p
			}
			return every(res, "registers only people close to work and must say so", func(r match.Ranked) bool {
				return r.Provider.RegistrationApproach != directory.RegistrationJobReadyOnly || flagged(r, "job_ready_only")
			})
		},
	},
	{
		name: "2 Bob, middle, depression, unsure of direction, wary of full-time pressure",
		loc:  manchesterM1,
		needs: directory.Needs{
			HealthConditions: []string{"mental_health"}, DistanceFromWork: directory.DistanceMiddle,
			UnsureOfWorkGoal: true, Hours: directory.HoursGradual, Support: []string{"confidence_building"},
		},
		check: func(res match.Result) string {
			return first(res, "a mental health specialist that registers people who are not yet job ready, with careers guidance", func(p *directory.Provider) bool {
				return slices.Contains(p.Specialisms, "mental_health") && p.RegistrationApproach != directory.RegistrationJobReadyOnly && offers(p, "vocational_guidance")
			})
		},
	},
	{
		name: "3 Joe, far from work, back pain and low mood, no qualifications, unsure work would pay",
		loc:  sheffieldS2,
		needs: directory.Needs{
			HealthConditions: []string{"back_neck", "mental_health"}, DistanceFromWork: directory.DistanceFar,
			MoneyHelp: []string{directory.MoneyWillWorkPay}, Support: []string{"basic_skills"},
		},
		check: func(res match.Result) string {
			if p := first(res, "a provider offering a better-off calculation that does not register only the job-ready", func(p *directory.Provider) bool {
				return offers(p, "better_off_calculation") && p.RegistrationApproach != directory.RegistrationJobReadyOnly
			}); p != "" {
				return p
			}
			last := res.Results[len(res.Results)-1]
			for _, r := range res.Results {
				if r.Provider.RegistrationApproach == directory.RegistrationJobReadyOnly && r.Rank <= 3 {
					return fmt.Sprintf("%s registers only the job-ready but ranks %d of %d (last %s)", r.Provider.Name, r.Rank, res.Total, last.Provider.Name)
				}
			}
			return ""
		},
	},
	{
		name: "4 young person with learning difficulties wanting a first job with job coaching",
		loc:  bristolBS5,
		needs: directory.Needs{
			HealthConditions: []string{"learning_difficulties"}, DistanceFromWork: directory.DistanceFar,
			Support: []string{"job_coaching"}, InWorkSupport: true, Accessibility: []string{"easy_read"},
		},
		check: func(res match.Result) string {
			// No Job Broker in Bristol specialises in learning
			// difficulties or offers job coaching: the shortlist must say
			// so and point to other provision that does.
			if !res.NoGoodFit {
				return "want no_good_fit: no Bristol Job Broker coaches people with learning difficulties"
			}
			if len(res.OtherProvision) == 0 || !offers(res.OtherProvision[0].Provider, "job_coaching") {
				return "other provision should start with one offering job coaching"
			}
			return ""
		},
	},
	{
		name: "5 sight loss, needs a sensory specialist and Access to Work",
		loc:  birminghamB5,
		needs: directory.Needs{
			HealthConditions: []string{"sight"}, Support: []string{"jcp_programmes"},
			Accessibility: []string{"large_print"},
		},
		check: func(res match.Result) string {
			if p := first(res, "a sight loss specialist", func(p *directory.Provider) bool { return slices.Contains(p.Specialisms, "sight") }); p != "" {
				return p
			}
			// The national telephone sight specialist must be on the list
			// (advisers forgot telephone providers, §6.3.4), flagged.
			for _, r := range res.Results {
				if r.Provider.Name == "Lanternlight Work Line" {
					if !flagged(r, "telephone_only") || r.Rank > 2 {
						return "Lanternlight Work Line should be in the top two and flagged telephone only"
					}
					return ""
				}
			}
			return "the national telephone sight specialist is missing"
		},
	},
	{
		name: "6 interview next week, needs help with clothes and travel costs",
		loc:  cardiffCF10,
		needs: directory.Needs{
			JobSearchStage: directory.StageLinedUp, MoneyHelp: []string{directory.MoneyCosts},
		},
		check: func(res match.Result) string {
			if p := first(res, "a provider paying costs to clients", func(p *directory.Provider) bool {
				return slices.ContainsFunc(p.Incentives, func(in directory.Incentive) bool {
					return in.Recipient == "client" && (in.Kind == "travel_costs" || in.Kind == "clothing_equipment" || in.Kind == "bridging_payment")
				})
			}); p != "" {
				return p
			}
			return every(res, "has discretionary incentives and must be flagged", func(r match.Ranked) bool {
				disc := slices.ContainsFunc(r.Provider.Incentives, func(in directory.Incentive) bool { return in.Discretionary })
				return disc == flagged(r, "incentives_discretionary")
			})
		},
	},
	{
		name: "7 rural client with no driving licence who needs home visits or outreach",
		loc:  carlisleCA3,
		needs: directory.Needs{
			Travel: directory.TravelNone, ContactPreferences: []string{directory.ModeHomeVisits, directory.ModeOutreach},
		},
		check: func(res match.Result) string {
			if len(res.Results) == 0 || !strings.Contains(res.Results[0].Travel, "visit you at home") {
				return "the first result should be able to visit the client at home"
			}
			return ""
		},
	},
	{
		name: "8 former professional returning after depression",
		loc:  edinburghEH8,
		needs: directory.Needs{
			HealthConditions: []string{"mental_health"}, WorkKind: []string{directory.WorkProfessional},
			DistanceFromWork: directory.DistanceMiddle,
		},
		check: func(res match.Result) string {
			return first(res, "a mental health specialist or a provider helping people back into professional work", func(p *directory.Provider) bool {
				return slices.Contains(p.Specialisms, "mental_health") || offers(p, "professional_roles")
			})
		},
	},
	{
		name:  "9 wants self-employment",
		loc:   norwichNR2,
		needs: directory.Needs{WorkKind: []string{directory.WorkSelfEmployed}},
		check: func(res match.Result) string {
			any := slices.ContainsFunc(res.Results, func(r match.Ranked) bool { return offers(r.Provider, "self_employment") })
			if any {
				return first(res, "a provider offering self-employment help", func(p *directory.Provider) bool { return offers(p, "self_employment") })
			}
			if !res.NoGoodFit {
				return "nobody here helps with self-employment: want no_good_fit"
			}
			return ""
		},
	},
	{
		name: "10 wants face-to-face help, not at the Jobcentre",
		loc:  glasgowG42,
		needs: directory.Needs{
			ContactPreferences: []string{directory.ModeOffice}, AvoidJobcentre: true,
		},
		check: func(res match.Result) string {
			// Telephone-only providers are listed (never hidden) but
			// below every local face-to-face one, and say why.
			seenPhone := false
			for _, r := range res.Results {
				phone := flagged(r, "telephone_only")
				local := r.DistanceKm != nil && *r.DistanceKm < 40
				if seenPhone && local {
					return r.Provider.Name + " meets face to face nearby but ranks below a telephone-only provider"
				}
				seenPhone = seenPhone || phone
				if phone && !slices.Contains(r.Explanation.NotMet, "Telephone only: you asked to meet face to face") {
					return r.Provider.Name + " is telephone only but the explanation does not say so"
				}
			}
			if !seenPhone {
				return "telephone-only providers must still be listed"
			}
			return ""
		},
	},
	// Needs the research names that could not be said before (issue 17).
	{
		name: "11 wants the same adviser throughout and contact every fortnight (RR246 §3.4.2, §4.4.1)",
		loc:  leedsLS6,
		needs: directory.Needs{
			NamedAdviser: true, RegularContact: true, DistanceFromWork: directory.DistanceMiddle,
		},
		check: func(res match.Result) string {
			if p := first(res, "a provider with one named adviser in touch at least every two weeks", func(p *directory.Provider) bool {
				return p.Staffing.AdviserModel == "named_adviser" && p.Staffing.ContactFrequencyDays > 0 && p.Staffing.ContactFrequencyDays <= 14
			}); p != "" {
				return p
			}
			return every(res, "says who the client deals with at a glance", func(r match.Ranked) bool {
				return r.AtAGlance.AdviserModel == r.Provider.Staffing.AdviserModel && r.AtAGlance.Adviser != ""
			})
		},
	},
	{
		name: "12 aged 52, rejected by employers again and again (RR246 §4.4.3)",
		loc:  manchesterM1,
		needs: directory.Needs{
			Age50Plus: true, EmployerIncentives: true, JobSearchStage: directory.StageSearching,
		},
		check: func(res match.Result) string {
			return first(res, "a provider that talks to employers and offers them a subsidy", func(p *directory.Provider) bool {
				return offers(p, "employer_liaison") && slices.ContainsFunc(p.Incentives, func(in directory.Incentive) bool {
					return in.Recipient == "employer" && strings.HasPrefix(in.Kind, "employer_")
				})
			})
		},
	},
	{
		name: "13 in work, employer changing their hours (RR246 §5.6.2)",
		loc:  birminghamB5,
		needs: directory.Needs{
			JobSearchStage: directory.StageInWork, EmployerMediation: true, HealthConditions: []string{"mental_health"},
		},
		check: func(res match.Result) string {
			return first(res, "a provider whose in-work support talks to the employer", func(p *directory.Provider) bool {
				return p.InWorkSupport.Offered && p.InWorkSupport.EmployerMediation
			})
		},
	},
	{
		name: "14 lone parent wanting work in school hours (RR246 §5.2.2)",
		loc:  edinburghEH8,
		needs: directory.Needs{
			CaringResponsibilities: true, Hours: directory.HoursSchool, MoneyHelp: []string{directory.MoneyWillWorkPay},
		},
		check: func(res match.Result) string {
			return first(res, "a provider helping with childcare costs or tax credits", func(p *directory.Provider) bool {
				return offers(p, "benefits_advice") || slices.ContainsFunc(p.Incentives, func(in directory.Incentive) bool {
					return in.Recipient == "client" && in.Kind == "childcare_costs"
				})
			})
		},
	},
}

// TestPersonas ranks the seed directory for each persona, checks what the
// research says each should be offered, and compares the whole ranking with
// a golden file (go test ./internal/match -run Personas -update).
func TestPersonas(t *testing.T) {
	c := seedCatalogue(t)
	for _, p := range personas {
		t.Run(p.name, func(t *testing.T) {
			res := c.Match(match.Request{Location: p.loc, Needs: p.needs, Seed: match.QuerySeed(p.loc, p.needs), PerPage: 100, Now: now})
			if res.Total == 0 || len(res.Results) != res.Total {
				t.Fatalf("total %d, %d results on one page of 100", res.Total, len(res.Results))
			}
			if problem := p.check(res); problem != "" {
				t.Error(problem)
			}
			for _, r := range res.Results {
				if n := len(r.Explanation.Met) + len(r.Explanation.PartlyMet) + len(r.Explanation.NotMet); n == 0 {
					t.Errorf("%q has no explanation", r.Provider.Name)
				}
			}
			checkGolden(t, "personas/"+p.name[:strings.IndexByte(p.name, ' ')]+".golden", render(res))
		})
	}
}

// render writes a ranking as text: one provider a line with its score,
// distance, flags and explanation counts.
func render(res match.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "total %d, excluded %d, no good fit %v\n", res.Total, res.Excluded.Count, res.NoGoodFit)
	if res.TopFitsFull {
		fmt.Fprintf(&b, "  %s\n", res.CapacityNote)
	}
	for _, r := range res.Excluded.Reasons {
		fmt.Fprintf(&b, "  excluded: %s\n", r.Text)
	}
	for _, p := range res.Excluded.Providers {
		fmt.Fprintf(&b, "  left out: %s: %s\n", p.Name, p.Text)
	}
	line := func(r match.Ranked) {
		km := "remote"
		if r.DistanceKm != nil {
			km = fmt.Sprintf("%.1f km", *r.DistanceKm)
		}
		var flags []string
		for _, f := range r.Flags {
			flags = append(flags, f.Code)
		}
		fmt.Fprintf(&b, "%2d. %3d  %-45s %-9s [%s]\n", r.Rank, r.Score, r.Provider.Name, km, strings.Join(flags, " "))
		for _, s := range r.Explanation.Met {
			fmt.Fprintf(&b, "      + %s\n", s)
		}
		for _, s := range r.Explanation.PartlyMet {
			fmt.Fprintf(&b, "      ~ %s\n", s)
		}
		for _, s := range r.Explanation.NotMet {
			fmt.Fprintf(&b, "      - %s\n", s)
		}
		for _, f := range r.Flags {
			if f.Code == "incentives_discretionary" {
				fmt.Fprintf(&b, "      ! %s\n", f.Text)
			}
		}
		g := r.AtAGlance
		fmt.Fprintf(&b, "      @ %s. In work: %s. %s. Languages: %s\n", g.Adviser, g.InWorkSupport, g.EmployerToldText, g.LanguagesText)
	}
	for _, r := range res.Results {
		line(r)
	}
	if len(res.OtherProvision) > 0 {
		b.WriteString("other provision:\n")
		for _, r := range res.OtherProvision {
			line(r)
		}
	}
	return b.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); if the change is intended, run with -update and review the diff:\n%s", path, diff)
	}
}
