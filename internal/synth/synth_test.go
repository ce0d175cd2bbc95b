package synth

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
)

const outcodesCSV = "../../../shared/geo/outcodes.csv"

// seedDistricts are the districts of the shipped seed directory: always
// present, so most tests use them.
var seedDistricts = sync.OnceValues(func() ([]District, error) {
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		return nil, err
	}
	return SeedDistricts(ps), nil
})

func testDistricts(t testing.TB) []District {
	t.Helper()
	ds, err := seedDistricts()
	if err != nil {
		t.Fatalf("loading seed districts: %v", err)
	}
	if len(ds) < 20 {
		t.Fatalf("only %d seed districts", len(ds))
	}
	return ds
}

// csvDistricts loads the third-party outcodes file, which lives outside the
// repository; tests that need it skip when it is absent.
func csvDistricts(t testing.TB) []District {
	t.Helper()
	f, err := os.Open(outcodesCSV)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not present: it is third-party data kept outside the repository", outcodesCSV)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := LoadDistricts(f)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

var tenK = struct {
	sync.Once
	ps  []directory.Provider
	err error
}{}

// generate10k returns one shared 10k directory (seed 42 over the seed
// districts); callers must not modify it.
func generate10k(t *testing.T) []directory.Provider {
	t.Helper()
	ds := testDistricts(t)
	tenK.Do(func() { tenK.ps, tenK.err = Generate(Options{Providers: 10_000, Seed: 42, Districts: ds}) })
	if tenK.err != nil {
		t.Fatal(tenK.err)
	}
	if len(tenK.ps) != 10_000 {
		t.Fatalf("got %d providers, want 10000", len(tenK.ps))
	}
	return tenK.ps
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerateDeterministic(t *testing.T) {
	ds := testDistricts(t)
	gen := func(n int, s int64) []directory.Provider {
		ps, err := Generate(Options{Providers: n, Seed: s, Districts: ds})
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	a, b := gen(3000, 7), gen(3000, 7)
	if !bytes.Equal(mustJSON(t, a), mustJSON(t, b)) {
		t.Fatal("two runs with the same options differ")
	}
	// Provider i depends only on (seed, i), not on the count.
	if small := gen(500, 7); !reflect.DeepEqual(small, a[:500]) {
		t.Fatal("the first 500 of 3000 differ from a run of 500")
	}
	c := gen(3000, 8)
	same := 0
	for i := range a {
		if a[i].ID == c[i].ID {
			t.Fatalf("seeds 7 and 8 give the same id %s at %d", a[i].ID, i)
		}
		a[i].ID, a[i].Sites = c[i].ID, c[i].Sites
		a[i].Freshness = c[i].Freshness
		if bytes.Equal(mustJSON(t, a[i]), mustJSON(t, c[i])) {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("%d of 3000 records have the same content under seeds 7 and 8", same)
	}
}

func TestGenerateValidAndNormal(t *testing.T) {
	ps := generate10k(t)
	ids := map[string]bool{}
	for i := range ps {
		before := mustJSON(t, ps[i])
		var p directory.Provider
		if err := json.Unmarshal(before, &p); err != nil {
			t.Fatal(err)
		}
		p.Normalize()
		if err := p.Validate(); err != nil {
			t.Fatalf("provider %d (%s) is invalid: %v", i, p.Name, err)
		}
		if after := mustJSON(t, p); !bytes.Equal(before, after) {
			t.Fatalf("Normalize changed provider %d:\nbefore %s\nafter  %s", i, before, after)
		}
		if !directory.ValidID(p.ID) || len(p.ID) != 36 || strings.Count(p.ID, "-") != 4 {
			t.Fatalf("provider %d: id %q is not a UUID-shaped id", i, p.ID)
		}
		if ids[p.ID] {
			t.Fatalf("id %s repeats", p.ID)
		}
		ids[p.ID] = true
		for _, s := range p.Sites {
			if ids[s.ID] {
				t.Fatalf("site id %s repeats", s.ID)
			}
			ids[s.ID] = true
		}
	}
}

func TestGenerateMix(t *testing.T) {
	ps := generate10k(t)
	n := float64(len(ps))
	count := func(f func(p *directory.Provider) bool) float64 {
		c := 0
		for i := range ps {
			if f(&ps[i]) {
				c++
			}
		}
		return float64(c) / n
	}
	within := func(name string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s: share %.4f, want %.3f..%.3f", name, got, lo, hi)
		}
	}
	within("job_broker", count(func(p *directory.Provider) bool { return p.Type == directory.TypeJobBroker }), 0.55, 0.65)
	within("national", count(func(p *directory.Provider) bool { return p.Coverage.National }), 0.0001, 0.01)
	within("published", count(func(p *directory.Provider) bool { return p.Status == directory.StatusPublished }), 0.92, 0.96)
	within("ended", count(func(p *directory.Provider) bool { return p.Status == directory.StatusEnded }), 0.01, 0.03)
	within("draft", count(func(p *directory.Provider) bool { return p.Status == directory.StatusDraft }), 0.01, 0.03)
	within("travels to clients", count(func(p *directory.Provider) bool { return p.Coverage.TravelsToClients }), 0.2, 0.3)
	within("taking new clients", count(func(p *directory.Provider) bool { return p.Capacity.TakingNewClients }), 0.8, 0.9)
	within("in-work support", count(func(p *directory.Provider) bool { return p.InWorkSupport.Offered }), 0.65, 0.75)
	within("performance", count(func(p *directory.Provider) bool { return p.Performance != nil }), 0.55, 0.65)
	within("serves only", count(func(p *directory.Provider) bool { return len(p.ServesOnly) > 0 }), 0.03, 0.07)
	within("job ready only", count(func(p *directory.Provider) bool { return p.RegistrationApproach == directory.RegistrationJobReadyOnly }), 0.12, 0.18)
	within("regional", count(func(p *directory.Provider) bool { return p.Organisation.Scale == "regional" }), 0.15, 0.25)

	types := map[string]int{}
	sectors := map[string]int{}
	size := 0
	for i := range ps {
		types[ps[i].Type]++
		sectors[ps[i].Organisation.Sector]++
		size += len(mustJSON(t, ps[i]))
	}
	for _, term := range directory.MustVocabulary(directory.VocabProviderTypes).Terms {
		if types[term.Code] == 0 {
			t.Errorf("no provider of type %s", term.Code)
		}
	}
	for _, s := range []string{"public", "private", "voluntary"} {
		if sectors[s] == 0 {
			t.Errorf("no provider in sector %s", s)
		}
	}
	if mean := float64(size) / n; mean < 1500 || mean > 3000 {
		t.Errorf("mean JSON size %.0f bytes, want 1500..3000", mean)
	} else {
		t.Logf("mean JSON size %.0f bytes", mean)
	}
}

// TestGenerateConsistency checks rules validation does not: modes match
// sites, national providers are telephone-based, figures add up.
func TestGenerateConsistency(t *testing.T) {
	ps := generate10k(t)
	siteMode := map[string]string{
		directory.SiteOffice: directory.ModeOffice, directory.SiteJobcentre: directory.ModeJobcentre,
		directory.SiteCommunity: directory.ModeOutreach,
	}
	for i := range ps {
		p := &ps[i]
		if p.Status == directory.StatusEnded && p.Organisation.ContractStatus != directory.ContractEnded {
			t.Errorf("%s: ended but contract %s", p.ID, p.Organisation.ContractStatus)
		}
		if p.Coverage.National {
			if len(p.Sites) != 1 || p.Sites[0].Kind != directory.SiteRemote || p.Sites[0].Location != nil ||
				!p.HasMode(directory.ModeTelephone) || !p.TelephoneOnly() || !p.Contact.RegistrationByPost {
				t.Errorf("%s: national provider is not telephone-based with one remote site: %+v", p.ID, p)
			}
			continue
		}
		if n := len(p.Sites); n < 1 || n > 3 {
			t.Errorf("%s: %d sites", p.ID, n)
		}
		for _, s := range p.Sites {
			if m := siteMode[s.Kind]; !p.HasMode(m) {
				t.Errorf("%s: has a %s site but not delivery mode %s", p.ID, s.Kind, m)
			}
			if pc := s.Address.Postcode; pc != "" && !strings.HasPrefix(pc, p.Coverage.PostcodeDistricts[0]+" ") {
				t.Errorf("%s: site postcode %s is not in home district %s", p.ID, pc, p.Coverage.PostcodeDistricts[0])
			}
		}
		if p.Coverage.TravelsToClients != p.HasMode(directory.ModeHomeVisits) {
			t.Errorf("%s: travels_to_clients %v but home visits %v", p.ID, p.Coverage.TravelsToClients, p.HasMode(directory.ModeHomeVisits))
		}
		if n := len(p.Coverage.PostcodeDistricts); n < 3 || n > 9 {
			t.Errorf("%s: covers %d districts, want the home one plus 2..8", p.ID, n)
		}
		if n := len(p.Services); n < 4 || n > 14 {
			t.Errorf("%s: %d services", p.ID, n)
		}
		for _, so := range p.ServesOnly {
			if !slices.Contains(p.Specialisms, so) {
				t.Errorf("%s: serves only %s but does not specialise in it", p.ID, so)
			}
		}
		for _, in := range p.Incentives {
			if in.AmountPence < 2500 || in.AmountPence > 20000 {
				t.Errorf("%s: incentive of %d pence", p.ID, in.AmountPence)
			}
		}
		if pf := p.Performance; pf != nil && (pf.SustainedJobs > pf.JobEntries || pf.JobEntries > pf.Registrations || pf.SustainedWeeks != 13) {
			t.Errorf("%s: inconsistent performance %+v", p.ID, *pf)
		}
		if d, ok := p.Freshness.LastVerified.Time(); !ok || !d.Before(referenceDate) || referenceDate.Sub(d).Hours() > 24*verifiedWindowDays {
			t.Errorf("%s: last verified %s outside the 30 months before %s", p.ID, p.Freshness.LastVerified, referenceDate.Format("2006-01-02"))
		}
	}
}

// checkPlaces asserts every site lies in the UK bounds and within about
// 3 km of its home district's centre, and that every covered district is a
// known one.
func checkPlaces(t *testing.T, ps []directory.Provider, ds []District) {
	t.Helper()
	byCode := map[string]District{}
	for _, d := range ds {
		byCode[d.Code] = d
	}
	for i := range ps {
		p := &ps[i]
		for _, c := range p.Coverage.PostcodeDistricts {
			if _, ok := byCode[c]; !ok {
				t.Fatalf("%s covers unknown district %s", p.ID, c)
			}
		}
		for _, s := range p.Sites {
			if s.Location == nil {
				continue
			}
			if !inUK(s.Location.Lat, s.Location.Lon) {
				t.Fatalf("%s: site at %v is outside the UK bounds", p.ID, *s.Location)
			}
			home := byCode[p.Coverage.PostcodeDistricts[0]]
			if d := directory.DistanceKm(*s.Location, latLon(home)); d > 3.1 {
				t.Fatalf("%s: site %.1f km from its district %s", p.ID, d, home.Code)
			}
		}
	}
}

func TestGeneratePlaces(t *testing.T) {
	checkPlaces(t, generate10k(t), testDistricts(t))
}

// TestGenerateFromCSV generates over every UK district: 10k always, and
// 100k (which must reach at least 2,000 districts) unless -short.
func TestGenerateFromCSV(t *testing.T) {
	ds := csvDistricts(t)
	if len(ds) < 2500 {
		t.Fatalf("only %d districts loaded from %s", len(ds), outcodesCSV)
	}
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	ps, err := Generate(Options{Providers: n, Seed: 1, Districts: ds})
	if err != nil {
		t.Fatal(err)
	}
	checkPlaces(t, ps, ds)
	homes := map[string]bool{}
	for i := range ps {
		if !ps[i].Coverage.National {
			homes[ps[i].Coverage.PostcodeDistricts[0]] = true
		}
	}
	want := 2000
	if testing.Short() {
		want = 1500
	}
	if len(homes) < want {
		t.Fatalf("%d providers sit in %d distinct districts, want at least %d", n, len(homes), want)
	}
	t.Logf("%d providers in %d of %d districts", n, len(homes), len(ds))
	for _, i := range []int{0, n / 2, n - 1} {
		p := ps[i]
		p.Normalize()
		if err := p.Validate(); err != nil {
			t.Fatalf("provider %d invalid: %v", i, err)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	ds := []District{{Code: "LS1", Lat: 53.8, Lon: -1.55}}
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"negative count", Options{Providers: -1, Districts: ds}},
		{"too many", Options{Providers: MaxProviders + 1, Districts: ds}},
		{"no districts", Options{Providers: 10}},
		{"bad code", Options{Providers: 10, Districts: []District{{Code: "ls1", Lat: 53.8, Lon: -1.55}}}},
		{"outside the UK", Options{Providers: 10, Districts: []District{{Code: "LS1", Lat: -1.55, Lon: 53.8}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Generate(tc.opts); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	// One district alone still gives valid records (no neighbours to cover).
	ps, err := Generate(Options{Providers: 50, Seed: 3, Districts: ds})
	if err != nil || len(ps) != 50 {
		t.Fatalf("one district: %d providers, %v", len(ps), err)
	}
	for i := range ps {
		ps[i].Normalize()
		if err := ps[i].Validate(); err != nil {
			t.Fatalf("one district, provider %d: %v", i, err)
		}
	}
}

func TestLoadDistricts(t *testing.T) {
	const in = "postcode,easting,northing,latitude,longitude,city,county\n" +
		"LS1,429900,433400,53.79648,-1.54785,Leeds,West Yorkshire\n" +
		"S63,444500,402600,53.51794,-1.32879,,Barnsley\n" +
		"GY1,361100,-48888,49.45856,-2.53684,St Peter Port,Guernsey\n" + // south of the bounds
		"LS2,1,2,notanumber,-1.5,Leeds,\n" +
		"Leeds,1,2,53.8,-1.5,Leeds,\n" + // not a district
		"LS1,1,2,50.1,-1.5,Elsewhere,\n" + // repeat
		"LS3,1,2,53.8\n" // short row
	ds, err := LoadDistricts(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []District{
		{Code: "LS1", Lat: 53.79648, Lon: -1.54785, Town: "Leeds"},
		{Code: "S63", Lat: 53.51794, Lon: -1.32879},
	}
	if !reflect.DeepEqual(ds, want) {
		t.Fatalf("got %+v\nwant %+v", ds, want)
	}
	for name, bad := range map[string]string{
		"no latitude column": "postcode,lon\nLS1,-1.5\n",
		"no usable rows":     "postcode,latitude,longitude\nGY1,49.4,-2.5\n",
		"empty":              "",
	} {
		if _, err := LoadDistricts(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestSeedDistricts(t *testing.T) {
	site := func(pc, town string, lat, lon float64) directory.Site {
		return directory.Site{Address: directory.Address{Postcode: pc, Town: town}, Location: &directory.LatLon{Lat: lat, Lon: lon}}
	}
	ps := []directory.Provider{
		{Sites: []directory.Site{site("LS11 8QD", "Leeds", 53.78, -1.56), site("ls11 1aa", "Leeds", 53.76, -1.54)}},
		{Sites: []directory.Site{site("B1 2RF", "Birmingham", 52.48, -1.9), {Kind: directory.SiteRemote, Address: directory.Address{Postcode: "M1 1AA"}}}},
		{Sites: []directory.Site{site("", "Nowhere", 52, -1)}},
	}
	got := SeedDistricts(ps)
	want := []District{{Code: "B1", Lat: 52.48, Lon: -1.9, Town: "Birmingham"}, {Code: "LS11", Lat: 53.77, Lon: -1.55, Town: "Leeds"}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Code != w.Code || g.Town != w.Town || math.Abs(g.Lat-w.Lat) > 1e-9 || math.Abs(g.Lon-w.Lon) > 1e-9 {
			t.Errorf("district %d: got %+v, want %+v", i, g, w)
		}
	}
}

// TestNearest checks the grid search against brute force.
func TestNearest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ds []District
	for i := range 800 {
		ds = append(ds, District{Code: "X" + string(rune('0'+i%10)), Lat: 50 + 8*r.Float64(), Lon: -5 + 6*r.Float64()})
	}
	// A clump and an outlier exercise dense cells and wide rings.
	for range 30 {
		ds = append(ds, District{Lat: 53.8 + 0.01*r.Float64(), Lon: -1.5 + 0.01*r.Float64()})
	}
	ds = append(ds, District{Lat: 60.8, Lon: -0.9})
	const k = 8
	got := nearest(ds, k)
	for i := range ds {
		xi, yi := xy(ds[i])
		idx := make([]int32, 0, len(ds)-1)
		for j := range ds {
			if j != i {
				idx = append(idx, int32(j))
			}
		}
		dist := func(j int32) float64 { xj, yj := xy(ds[j]); return math.Hypot(xj-xi, yj-yi) }
		slices.SortStableFunc(idx, func(a, b int32) int {
			switch da, db := dist(a), dist(b); {
			case da < db:
				return -1
			case da > db:
				return 1
			}
			return 0
		})
		if !slices.Equal(got[i], idx[:k]) {
			t.Fatalf("district %d: grid gives %v, brute force %v", i, got[i], idx[:k])
		}
	}
}

// BenchmarkGenerate measures generation over every UK district when the
// outcodes file is present, else over the seed districts.
func BenchmarkGenerate(b *testing.B) {
	var ds []District
	if f, err := os.Open(outcodesCSV); err == nil {
		ds, err = LoadDistricts(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	} else {
		ds = testDistricts(b)
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(strconvItoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Generate(Options{Providers: n, Seed: 1, Districts: ds}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func strconvItoa(n int) string {
	return map[int]string{1_000: "1k", 10_000: "10k", 100_000: "100k"}[n]
}
