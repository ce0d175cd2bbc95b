package api_test

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
)

// pageSizes are the page sizes every walk is repeated with.
var pageSizes = []int{1, 3, 7, 10, 100}

// checkWalks checks the walks of one query, one per page size, against the
// walk one provider a page: every walk lists every provider exactly once, in
// the same order, as many as the total says. walk returns the ids of one
// page and the total.
func checkWalks(t *testing.T, walk func(page, per int) ([]string, int)) {
	t.Helper()
	var want []string
	for _, per := range pageSizes {
		var got []string
		seen := map[string]int{}
		_, total := walk(1, per)
		pages := (total + per - 1) / per
		for page := 1; page <= pages+1; page++ { // one past the end: empty
			ids, tot := walk(page, per)
			if tot != total {
				t.Fatalf("per_page %d page %d: total %d, page 1 said %d", per, page, tot, total)
			}
			if page > pages && len(ids) > 0 {
				t.Fatalf("per_page %d: page %d past the last (%d) lists %d", per, page, pages, len(ids))
			}
			for _, id := range ids {
				seen[id]++
			}
			got = append(got, ids...)
		}
		var twice []string
		for id, n := range seen {
			if n > 1 {
				twice = append(twice, id)
			}
		}
		if len(twice) > 0 || len(seen) != total || len(got) != total {
			t.Fatalf("per_page %d: %d listed, %d distinct, %d twice, total %d", per, len(got), len(seen), len(twice), total)
		}
		if want == nil {
			want = got
			if total < 2 {
				t.Fatalf("total %d: the walk proves little", total)
			}
			continue
		}
		if !slices.Equal(got, want) {
			t.Fatalf("per_page %d lists another order than per_page %d", per, pageSizes[0])
		}
	}
}

// TestSearchPagingIsComplete: walking a search page by page, at any page
// size, lists every result exactly once, in one order, as many as the total
// says; with every result on one page, the same list.
func TestSearchPagingIsComplete(t *testing.T) {
	e, _ := newSeededEnv(t)
	get := func(q string) api.SearchResponse { t.Helper(); return e.search(q) }
	for _, tt := range []struct{ name, query string }{
		{"no words", ""},
		{"words", "q=" + url.QueryEscape("employment support")},
		{"near", "near=Leeds&radius_km=200"},
		{"words near", "q=work&near=LS6"},
		{"filters", "delivery_mode=telephone&type=job_broker&type=work_preparation"},
		{"filters near", "near=M1&radius_km=100&taking_new_clients=true"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			walk := func(page, per int) ([]string, int) {
				res := get(fmt.Sprintf("%s&page=%d&per_page=%d", tt.query, page, per))
				ids := make([]string, len(res.Items))
				for i, it := range res.Items {
					ids[i] = it.Provider.ID
				}
				return ids, res.Total
			}
			checkWalks(t, walk)
			if all, total := walk(1, 100); total <= 100 {
				var one []string
				for page := 1; page <= total; page++ {
					ids, _ := walk(page, 1)
					one = append(one, ids...)
				}
				if !slices.Equal(one, all) {
					t.Fatalf("one a page lists another order than all on one page")
				}
			}
		})
	}
	// Unfiltered, the walk is the seed's published providers, more than one
	// page of 100 holds.
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range ps {
		if p.Status == directory.StatusPublished && p.Organisation.ContractStatus != directory.ContractEnded {
			want = append(want, p.ID)
		}
	}
	var got []string
	for page := 1; page <= 2; page++ {
		for _, it := range get(fmt.Sprintf("page=%d&per_page=100", page)).Items {
			got = append(got, it.Provider.ID)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) <= 100 || !slices.Equal(got, want) {
		t.Fatalf("two pages of 100 list %d providers; the seed publishes %d", len(got), len(want))
	}
}

// TestMatchPagingIsComplete: the same for matches, with ranks counting on
// from page to page.
func TestMatchPagingIsComplete(t *testing.T) {
	e, _ := newSeededEnv(t)
	allTypes := []string{"job_broker", "condition_management", "work_preparation", "workstep", "training", "in_work_support", "debt_advice"}
	for _, tt := range []struct {
		name  string
		query map[string]any
	}{
		{"no needs", map[string]any{"location": map[string]any{"town": "Leeds"}}},
		{"every type", map[string]any{"location": map[string]any{"postcode": "M1 1AE"}, "types": allTypes}},
		{"needs", map[string]any{
			"location": map[string]any{"postcode": "LS6 2BS"},
			"needs":    map[string]any{"health_conditions": []string{"mental_health"}, "in_work_support": true},
			"types":    allTypes,
		}},
		{"travel limit", map[string]any{
			"location": map[string]any{"town": "Birmingham"},
			"needs":    map[string]any{"support": []string{"confidence_building"}, "max_travel_km": 30, "avoid_groups": true},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			walk := func(page, per int) ([]string, int) {
				body := map[string]any{"page": page, "per_page": per}
				for k, v := range tt.query {
					body[k] = v
				}
				r := e.do("POST", "/v1/match", body)
				if r.status != 200 {
					t.Fatalf("match %v: %d %s", body, r.status, r.body)
				}
				var res api.MatchResponse
				r.json(t, &res)
				ids := make([]string, len(res.Results))
				for i, m := range res.Results {
					ids[i] = m.Provider.ID
					if want := (page-1)*per + i + 1; m.Rank != want {
						t.Fatalf("per_page %d page %d: rank %d, want %d", per, page, m.Rank, want)
					}
				}
				return ids, res.Total
			}
			checkWalks(t, walk)
		})
	}
}
