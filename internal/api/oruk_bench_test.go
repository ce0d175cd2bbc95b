package api_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/synth/synthtest"
)

// memStore serves providers from memory, so the ORUK benchmarks measure the
// API and the catalogue, not a store. Only what the read paths call is
// implemented.
type memStore struct {
	directory.Store
	byID map[string]*directory.Provider
	all  []directory.Provider
}

func (m *memStore) Provider(_ context.Context, id string) (*directory.Provider, error) {
	if p, ok := m.byID[id]; ok {
		cp := *p
		return &cp, nil
	}
	return nil, directory.ErrNotFound
}

func (m *memStore) EachProvider(_ context.Context, fn func(*directory.Provider) error) error {
	for i := range m.all {
		if err := fn(&m.all[i]); err != nil {
			return err
		}
	}
	return nil
}

// outcodeGeocoder places outward codes at the synthetic districts.
type outcodeGeocoder struct {
	geo.Geocoder
	at map[string]geo.Place
}

func (g outcodeGeocoder) Postcode(_ context.Context, s string) (geo.Place, error) {
	if p, ok := g.at[s]; ok {
		return p, nil
	}
	return geo.Place{}, directory.ErrNotFound
}

type orukBench struct {
	h         http.Handler
	providers []directory.Provider
	districts []string
}

var orukBenches sync.Map // size -> *orukBench

// orukBenchAPI is the API over n synthetic providers held in memory.
func orukBenchAPI(b *testing.B, n int) *orukBench {
	if v, ok := orukBenches.Load(n); ok {
		return v.(*orukBench)
	}
	ps := synthtest.Directory(b, n)
	st := &memStore{byID: map[string]*directory.Provider{}, all: ps}
	for i := range ps {
		st.byID[ps[i].ID] = &ps[i]
	}
	at := map[string]geo.Place{}
	var codes []string
	for _, d := range synthtest.Districts(b) {
		codes = append(codes, d.Code)
		at[d.Code] = geo.Place{Lat: d.Lat, Lon: d.Lon, District: d.Code, Town: d.Town, Source: "test"}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f, err := finder.Open(context.Background(), finder.Config{Store: st, IndexDir: b.TempDir(), Geocoder: outcodeGeocoder{at: at}, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	// Lookups ask for what the public may see.
	var visible []directory.Provider
	for _, p := range ps {
		if p.Visible() {
			visible = append(visible, p)
		}
	}
	ob := &orukBench{h: api.New(api.Config{Store: st, Finder: f, Logger: quiet}), providers: visible, districts: codes}
	orukBenches.Store(n, ob)
	return ob
}

func (ob *orukBench) get(b *testing.B, path string) {
	w := httptest.NewRecorder()
	ob.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	if w.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", path, w.Code, w.Body.Bytes())
	}
}

// BenchmarkORUK measures the ORUK API at 20,000 providers: a lookup by a
// random id (service, and service at location), a page of services, and a
// page of services at locations near a random district.
//
//	go test -run '^$' -bench ORUK -benchtime 200x ./internal/api
func BenchmarkORUK(b *testing.B) {
	ob := orukBenchAPI(b, 20_000)
	r := rand.New(rand.NewPCG(1, 2))
	b.Run("service_by_id", func(b *testing.B) {
		for b.Loop() {
			p := &ob.providers[r.IntN(len(ob.providers))]
			ob.get(b, "/oruk/services/"+hsds.ServiceID(p))
		}
	})
	b.Run("service_at_location_by_id", func(b *testing.B) {
		for b.Loop() {
			p := &ob.providers[r.IntN(len(ob.providers))]
			if len(p.Sites) == 0 {
				continue
			}
			ob.get(b, "/oruk/service_at_locations/"+hsds.ServiceAtLocationID(p, &p.Sites[0]))
		}
	})
	b.Run("services_page", func(b *testing.B) {
		for b.Loop() {
			ob.get(b, "/oruk/services?per_page=20&page="+itoa(1+r.IntN(50)))
		}
	})
	b.Run("postcode_proximity_page", func(b *testing.B) {
		for b.Loop() {
			ob.get(b, "/oruk/service_at_locations?proximity=10000&postcode="+ob.districts[r.IntN(len(ob.districts))])
		}
	})
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}
