package finder_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/synth/synthtest"
)

// districtGeocoder places outward codes at the synthetic districts.
type districtGeocoder struct {
	geo.Geocoder
	at map[string]geo.Place
}

func (g districtGeocoder) Postcode(_ context.Context, s string) (geo.Place, error) {
	if p, ok := g.at[s]; ok {
		return p, nil
	}
	return geo.Place{}, directory.ErrNotFound
}

var finders sync.Map // size -> *finder.Finder

func benchFinder(b *testing.B, n int) (*finder.Finder, []string) {
	ds := synthtest.Districts(b)
	codes := make([]string, len(ds))
	at := map[string]geo.Place{}
	for i, d := range ds {
		codes[i] = d.Code
		at[d.Code] = geo.Place{Lat: d.Lat, Lon: d.Lon, District: d.Code, Town: d.Town, Source: "test"}
	}
	if f, ok := finders.Load(n); ok {
		return f.(*finder.Finder), codes
	}
	f, err := finder.Open(context.Background(), finder.Config{
		Store: finder.SliceStore{Providers: synthtest.Directory(b, n)}, IndexDir: b.TempDir(),
		Geocoder: districtGeocoder{at: at}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	finders.Store(n, f)
	return f, codes
}

// searches are the load command's search mix.
var searches = []finder.SearchQuery{
	{},
	{Types: []string{"job_broker"}},
	{Services: []string{"confidence_building"}},
	{DeliveryModes: []string{"home_visits"}},
	{Specialisms: []string{"mental_health"}, TakingNewClients: ptrBool(true)},
	{Text: "confidence"},
	{Text: "self employment"},
	{Accessibility: []string{"step_free"}, Types: []string{"job_broker"}},
}

func ptrBool(b bool) *bool { return &b }

// BenchmarkSearch measures GET /v1/search's work in process: the load
// command's mix of filters and words near random real districts.
//
//	go test -run '^$' -bench Search -benchtime 2000x ./internal/finder
func BenchmarkSearch(b *testing.B) {
	sizes := []int{1_000, 10_000, 100_000}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			f, codes := benchFinder(b, n)
			r := rand.New(rand.NewPCG(1, 2))
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := searches[i%len(searches)]
				q.Near = codes[r.IntN(len(codes))]
				t := time.Now()
				if _, _, err := f.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
