package finder_test

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/synth/synthtest"
)

// walkAll pages through one query at per a page and returns every id
// listed, in order, and the total page 1 gave; it fails the test if a page
// disagrees on the total or a page past the last lists anything.
func walkAll(t *testing.T, per int, page func(page, per int) ([]string, int)) ([]string, int) {
	t.Helper()
	ids, total := page(1, per)
	for p := 2; p <= (total+per-1)/per+1; p++ {
		more, tot := page(p, per)
		if tot != total {
			t.Fatalf("per %d page %d: total %d, page 1 said %d", per, p, tot, total)
		}
		ids = append(ids, more...)
	}
	return ids, total
}

// checkComplete checks that walks at several page sizes each list every
// result exactly once, as many as the total, all in one order.
func checkComplete(t *testing.T, pers []int, page func(page, per int) ([]string, int)) int {
	t.Helper()
	var first []string
	var total int
	for i, per := range pers {
		ids, tot := walkAll(t, per, page)
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("per %d: %s listed twice", per, id)
			}
			seen[id] = true
		}
		if len(ids) != tot {
			t.Fatalf("per %d: %d listed, total %d", per, len(ids), tot)
		}
		if i == 0 {
			first, total = ids, tot
			t.Logf("%d results", tot)
			continue
		}
		if tot != total || !slices.Equal(ids, first) {
			t.Fatalf("per %d lists %d in another order than per %d (%d)", per, tot, pers[0], total)
		}
	}
	return total
}

// TestPagingIsCompleteAtScale: searches and matches over a generated
// directory of 10,000 providers (2,000 with -short) list every result
// exactly once whatever the page size, as many as the total says.
func TestPagingIsCompleteAtScale(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 2_000
	}
	ps := synthtest.Directory(t, n)
	at := map[string]geo.Place{}
	for _, d := range synthtest.Districts(t) {
		at[d.Code] = geo.Place{Lat: d.Lat, Lon: d.Lon, District: d.Code, Town: d.Town, Source: "test"}
	}
	f, err := finder.Open(context.Background(), finder.Config{
		Store: finder.SliceStore{Providers: ps}, IndexDir: t.TempDir(),
		Geocoder: districtGeocoder{at: at}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })

	// The busiest districts: the most providers have sites there.
	count := map[string]int{}
	for i := range ps {
		for _, s := range ps[i].Sites {
			if code, _, ok := strings.Cut(directory.NormalizePostcode(s.Address.Postcode), " "); ok {
				count[code]++
			}
		}
	}
	busy := make([]string, 0, len(count))
	for code := range count {
		if _, ok := at[code]; ok {
			busy = append(busy, code)
		}
	}
	slices.SortFunc(busy, func(a, b string) int { return cmp.Or(count[b]-count[a], strings.Compare(a, b)) })
	if len(busy) < 3 {
		t.Fatalf("only %d districts with sites", len(busy))
	}
	ctx := context.Background()
	every := []string{}
	for _, term := range directory.MustVocabulary(directory.VocabProviderTypes).Terms {
		every = append(every, term.Code)
	}

	searches := []struct {
		name string
		q    finder.SearchQuery
		min  int // fewest results for the walk to prove anything
	}{
		{"everything", finder.SearchQuery{}, n / 2},
		{"filters", finder.SearchQuery{Types: []string{"job_broker"}, DeliveryModes: []string{"telephone"}}, 50},
		{"words", finder.SearchQuery{Text: "confidence"}, 50},
		{"near", finder.SearchQuery{Near: busy[0], RadiusKm: 50}, 20},
		{"words near", finder.SearchQuery{Text: "employment", Near: busy[1]}, 10},
		{"filters near", finder.SearchQuery{Near: busy[2], Services: []string{"confidence_building"}, RadiusKm: 100}, 10},
	}
	for _, tt := range searches {
		t.Run("search "+tt.name, func(t *testing.T) {
			page := func(page, per int) ([]string, int) {
				q := tt.q
				q.Page, q.PerPage = page, per
				res, _, err := f.Search(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				ids := make([]string, len(res.Items))
				for i, it := range res.Items {
					ids[i] = it.Provider.ID
				}
				return ids, res.Total
			}
			total := checkComplete(t, pageSizes(page), page)
			if total < tt.min {
				t.Fatalf("%d results, want at least %d for the walk to prove anything", total, tt.min)
			}
		})
	}

	// One question asked two ways (codes in another order, words in
	// another case and spacing) is one query: one order.
	t.Run("search asked two ways", func(t *testing.T) {
		ids := func(q finder.SearchQuery) []string {
			q.PerPage = 100
			res, _, err := f.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range res.Items {
				out = append(out, it.Provider.ID)
			}
			return out
		}
		a := ids(finder.SearchQuery{Text: "confidence", Types: []string{"job_broker", "work_preparation"}, Services: []string{"job_search", "cv_applications"}})
		b := ids(finder.SearchQuery{Text: " Confidence ", Types: []string{"work_preparation", "job_broker"}, Services: []string{"cv_applications", "job_search", "cv_applications"}})
		if len(a) < 20 || !slices.Equal(a, b) {
			t.Fatalf("%d and %d results, or another order", len(a), len(b))
		}
	})

	matches := []struct {
		name string
		q    finder.MatchQuery
	}{
		{"no needs", finder.MatchQuery{Location: finder.LocationQuery{Postcode: busy[0]}, Types: every}},
		{"needs", finder.MatchQuery{Location: finder.LocationQuery{Postcode: busy[1]}, Types: every, Needs: directory.Needs{
			HealthConditions: []string{"mental_health"}, Support: []string{"confidence_building"}, InWorkSupport: true}}},
		{"job brokers within reach", finder.MatchQuery{Location: finder.LocationQuery{Postcode: busy[2]}, Needs: directory.Needs{
			ContactPreferences: []string{"office"}, MaxTravelKm: 20, AvoidGroups: true}}},
	}
	for _, tt := range matches {
		t.Run("match "+tt.name, func(t *testing.T) {
			page := func(page, per int) ([]string, int) {
				q := tt.q
				q.Page, q.PerPage = page, per
				res, _, err := f.Match(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				ids := make([]string, len(res.Results))
				for i, r := range res.Results {
					ids[i] = r.Provider.ID
					if want := (page-1)*per + i + 1; r.Rank != want {
						t.Fatalf("per %d page %d: rank %d, want %d", per, page, r.Rank, want)
					}
				}
				return ids, res.Total
			}
			if total := checkComplete(t, pageSizes(page), page); total < 10 {
				t.Fatalf("%d results: the walk proves little", total)
			}
		})
	}
}

// pageSizes are the page sizes a query is walked with: small ones only
// where the walk stays short.
func pageSizes(page func(page, per int) ([]string, int)) []int {
	_, total := page(1, 1)
	switch {
	case total <= 100:
		return []int{1, 3, 7, 100}
	case total <= 1000:
		return []int{7, 10, 100}
	}
	return []int{100, 80}
}
