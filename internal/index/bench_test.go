package index_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/index"
	"github.com/brokerfinder/brokerfinder/internal/match"
	"github.com/brokerfinder/brokerfinder/internal/synth"
	"github.com/brokerfinder/brokerfinder/internal/synth/synthtest"
)

// fiveNeeds is the benchmark's client: five stated needs, 25 km of travel.
var fiveNeeds = directory.Needs{
	HealthConditions:   []string{"mental_health"},
	Support:            []string{"confidence_building", "cv_applications"},
	ContactPreferences: []string{directory.ModeOffice},
	InWorkSupport:      true,
	MaxTravelKm:        25,
}

// baselineKm is how far the Bleve baseline searches around the client: the
// furthest any synthetic provider travels to clients (40 km), so it also
// finds those who would visit a client from further than 25 km away (the
// distance DESIGN.md measured Bleve at, too).
const baselineKm = 40

// queries returns n match requests at random real districts.
func queries(ds []synth.District, n int) []match.Request {
	r := rand.New(rand.NewPCG(11, 12))
	out := make([]match.Request, n)
	for i := range out {
		d := ds[r.IntN(len(ds))]
		loc := match.Location{Point: directory.LatLon{Lat: d.Lat, Lon: d.Lon}, District: d.Code, Town: d.Town}
		out[i] = match.Request{Location: loc, Needs: fiveNeeds, Seed: uint64(i), PerPage: 20, Now: time.Now()}
	}
	return out
}

var (
	fixtures   sync.Map // size -> *fixture
	fixtureDir string   // holds the baselines' indexes; removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		_ = os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func mkdirTemp() (string, error) {
	if fixtureDir == "" {
		d, err := os.MkdirTemp("", "bf-bench-")
		if err != nil {
			return "", err
		}
		fixtureDir = d
	}
	return os.MkdirTemp(fixtureDir, "baseline-")
}

type fixture struct {
	n        int
	catOnce  sync.Once
	cat      *match.Catalogue
	baseOnce sync.Once
	base     *index.GeoBaseline
}

func load(n int) *fixture {
	f, _ := fixtures.LoadOrStore(n, &fixture{n: n})
	return f.(*fixture)
}

// catalogue builds the in-memory catalogue of the fixture's directory once.
func (f *fixture) catalogue(b *testing.B) *match.Catalogue {
	f.catOnce.Do(func() {
		ps := synthtest.Directory(b, f.n)
		// In the order the finder puts a directory in (see finder.load).
		all := make([]*directory.Provider, len(ps))
		for i := range ps {
			all[i] = &ps[i]
		}
		match.SortForLocality(all)
		f.cat = match.NewCatalogue()
		for _, p := range all {
			f.cat.Put(p)
		}
	})
	return f.cat
}

// baseline builds the Bleve baseline of the fixture's directory once.
func (f *fixture) baseline(b *testing.B) *index.GeoBaseline {
	f.baseOnce.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			b.Fatal(err)
		}
		if f.base, err = index.NewGeoBaseline(dir, synthtest.Directory(b, f.n)); err != nil {
			b.Fatal(err)
		}
	})
	return f.base
}

// sizes are the directory sizes benchmarked; 100,000 only without -short,
// because building it (and its Bleve baseline) takes about a minute.
func sizes() []int {
	if testing.Short() {
		return []int{1_000, 10_000}
	}
	return []int{1_000, 10_000, 100_000}
}

// timed runs fn b.N times and reports the 50th and 99th percentile of one
// call in microseconds.
func timed(b *testing.B, fn func(i int)) {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		fn(i)
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkMatch measures a 25 km match with five needs, in memory
// (catalogue) and the Bleve GeoDistanceQuery way (bleve-geo), on the same
// synthetic directory in the same run. Compare the two lines of each size:
//
//	go test -run '^$' -bench Match -benchtime 2000x ./internal/index
func BenchmarkMatch(b *testing.B) {
	ds := synthtest.Districts(b)
	qs := queries(ds, 1000)
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("catalogue/%dk", n/1000), func(b *testing.B) {
			cat := load(n).catalogue(b)
			timed(b, func(i int) { cat.Match(qs[i%len(qs)]) })
		})
		b.Run(fmt.Sprintf("bleve-geo/%dk", n/1000), func(b *testing.B) {
			base := load(n).baseline(b)
			ctx := context.Background()
			timed(b, func(i int) {
				q := qs[i%len(qs)]
				if _, _, err := base.Match(ctx, q.Location.Point, baselineKm, q.Location.District, q.Location.Town, q.Needs, 20); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// TestBaselineRecall keeps the comparison honest: on the same data the
// Bleve baseline must find (among its hits) at least 90% of the providers
// the catalogue finds eligible, so it is not faster by finding less. It
// finds more besides: Bleve cannot test each provider's own coverage
// radius, so its geo clause lets in everyone with a site within 25 km.
func TestBaselineRecall(t *testing.T) {
	ps := synthtest.Directory(t, 2000)
	cat := match.NewCatalogue()
	for i := range ps {
		cat.Put(&ps[i])
	}
	base, err := index.NewGeoBaseline(t.TempDir(), ps)
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	var found, missed int
	for _, q := range queries(synthtest.Districts(t), 50) {
		q.Types = directory.MustVocabulary(directory.VocabProviderTypes).Codes()
		q.PerPage = directory.MaxPerPage
		res := cat.Match(q)
		_, ids, err := base.Match(context.Background(), q.Location.Point, baselineKm, q.Location.District, q.Location.Town, q.Needs, len(ps))
		if err != nil {
			t.Fatal(err)
		}
		hit := map[string]bool{}
		for _, id := range ids {
			hit[id] = true
		}
		for _, r := range res.Results {
			if hit[r.Provider.ID] {
				found++
			} else {
				missed++
			}
		}
	}
	t.Logf("baseline found %d of the catalogue's %d eligible providers", found, found+missed)
	if found == 0 || found*10 < (found+missed)*9 {
		t.Fatalf("baseline recall %d of %d: below 90%%, not comparable", found, found+missed)
	}
}
