package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/hsds/hsdstest"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// seeded is the API over a store holding the whole seed directory and one
// draft, shared by the subtests of TestSeededDirectory (seeding the embedded
// store is the slow part).
type seeded struct {
	url       string
	providers []directory.Provider // the seed, as loaded
	draft     directory.Provider
	sites     int
}

type httpResp struct {
	status int
	header http.Header
	body   []byte
}

func (s *seeded) get(t *testing.T, path string) httpResp {
	t.Helper()
	return s.request(t, http.MethodGet, path)
}

func (s *seeded) request(t *testing.T, method, path string) httpResp {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return httpResp{res.StatusCode, res.Header, b}
}

func decode(t *testing.T, r httpResp, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.body)
	}
}

// TestSeededDirectory runs the ORUK and OpenAPI checks against one seeded
// store.
func TestSeededDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the embedded store (slow); skipped in -short")
	}
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	store := mongotest.Store(t)
	ctx := context.Background()
	if _, err := service.New(service.Config{Store: store}).ImportProviders(ctx, ps, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	draft := ps[0]
	draft.ID, draft.Name, draft.Status = "draft-provider", "Draft Works", directory.StatusDraft
	draft.Sites = nil
	draft.Coverage.RadiusKm, draft.Coverage.TravelsToClients, draft.Coverage.TravelRadiusKm = 0, false, 0
	if err := store.CreateProvider(ctx, &draft); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f, err := finder.Open(ctx, finder.Config{Store: store, IndexDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	h := api.New(api.Config{Store: store, Finder: f, Logger: quiet})
	srv := httptest.NewServer(contract(t, h))
	t.Cleanup(srv.Close)
	s := &seeded{url: srv.URL, providers: ps, draft: draft}
	for _, p := range ps {
		s.sites += len(p.Sites)
	}
	t.Run("oruk", func(t *testing.T) { testORUK(t, s) })
	t.Run("spec", func(t *testing.T) { testSpecResponses(t, s) })
	t.Run("listings from the catalogue", func(t *testing.T) { testListings(t, s, store) })
}

// testListings: public listings, served from the catalogue, are the pages
// the store lists for the same filters, in the same order, with the same
// totals; a draft never appears.
func testListings(t *testing.T, s *seeded, store directory.ProviderStore) {
	visible := []string{directory.StatusPublished, directory.StatusSuspended, directory.StatusEnded}
	for _, c := range []struct {
		query string
		f     directory.ProviderFilter
	}{
		{"", directory.ProviderFilter{}},
		{"page=2&per_page=7", directory.ProviderFilter{Page: 2, PerPage: 7}},
		{"type=job_broker&per_page=100", directory.ProviderFilter{Type: directory.TypeJobBroker, PerPage: 100}},
		{"specialism=mental_health&per_page=100", directory.ProviderFilter{Specialism: "mental_health", PerPage: 100}},
		{"area=Leeds&per_page=100", directory.ProviderFilter{Area: "Leeds", PerPage: 100}},
		{"area=ls6&per_page=100", directory.ProviderFilter{Area: "ls6", PerPage: 100}},
		{"status=suspended&per_page=100", directory.ProviderFilter{Statuses: []string{directory.StatusSuspended}, PerPage: 100}},
		{"area=nowhere", directory.ProviderFilter{Area: "nowhere"}},
	} {
		f := c.f
		if f.Statuses == nil {
			f.Statuses = visible
		}
		f.Page = max(f.Page, 1)
		if f.PerPage == 0 {
			f.PerPage = 20
		}
		want, wantTotal, err := store.ListProviders(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Items []directory.Provider `json:"items"`
			Total int64                `json:"total"`
		}
		r := s.get(t, "/v1/providers?"+c.query)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", c.query, r.status, r.body)
		}
		decode(t, r, &got)
		ids := func(ps []directory.Provider) []string {
			out := []string{}
			for _, p := range ps {
				out = append(out, p.ID+"@"+strconv.FormatInt(p.Version, 10))
			}
			return out
		}
		if got.Total != wantTotal || !slices.Equal(ids(got.Items), ids(want)) {
			t.Errorf("%s: total %d, items %v; the store lists total %d, items %v", c.query, got.Total, ids(got.Items), wantTotal, ids(want))
		}
		if wantTotal == 0 && c.query != "area=nowhere" {
			t.Errorf("%s: the store lists nothing: the case proves little", c.query)
		}
		for _, p := range got.Items {
			if p.ID == s.draft.ID {
				t.Errorf("%s: the draft is listed", c.query)
			}
		}
	}
}

// envelopeKeys are exactly the HSDS page envelope's properties.
var envelopeKeys = []string{"contents", "empty", "first_page", "last_page", "page_number", "size", "total_items", "total_pages"}

type page struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

// listPage fetches one page, checks the CORS header, the exact envelope and
// its arithmetic, and validates every item against itemSchema.
func (s *seeded) listPage(t *testing.T, schemas *hsdstest.Schemas, path string, pageNo, per int, itemSchema string) page {
	t.Helper()
	sep := "?"
	if u, _ := url.Parse(path); u.RawQuery != "" {
		sep = "&"
	}
	r := s.get(t, path+sep+"page="+strconv.Itoa(pageNo)+"&per_page="+strconv.Itoa(per))
	if r.status != http.StatusOK {
		t.Fatalf("%s page %d: %d %s", path, pageNo, r.status, r.body)
	}
	if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("%s: Access-Control-Allow-Origin %q", path, got)
	}
	var keys map[string]json.RawMessage
	decode(t, r, &keys)
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	sort.Strings(got)
	if diff := cmp.Diff(envelopeKeys, got); diff != "" {
		t.Errorf("%s: envelope keys (-want +got):\n%s", path, diff)
	}
	var pg page
	decode(t, r, &pg)
	wantPages := (pg.TotalItems + per - 1) / per
	wantSize := max(0, min(per, pg.TotalItems-(pageNo-1)*per))
	if pg.TotalPages != wantPages || pg.PageNumber != pageNo || pg.Size != wantSize || len(pg.Contents) != wantSize ||
		pg.FirstPage != (pageNo == 1) || pg.LastPage != (pageNo >= wantPages) || pg.Empty != (wantSize == 0) {
		t.Errorf("%s page %d per %d: envelope %+v (contents %d)", path, pageNo, per, pg, len(pg.Contents))
	}
	for _, item := range pg.Contents {
		schemas.Validate(t, itemSchema, item)
	}
	return pg
}

// walkList fetches the first, a middle and the last page of a list and
// returns up to 10 ids from them.
func (s *seeded) walkList(t *testing.T, schemas *hsdstest.Schemas, path string, per int, itemSchema string) (total int, ids []string) {
	t.Helper()
	first := s.listPage(t, schemas, path, 1, per, itemSchema)
	pages := []page{first}
	if first.TotalPages >= 3 {
		pages = append(pages, s.listPage(t, schemas, path, (first.TotalPages+1)/2, per, itemSchema))
	}
	if first.TotalPages >= 2 {
		pages = append(pages, s.listPage(t, schemas, path, first.TotalPages, per, itemSchema))
	}
	for _, pg := range pages {
		for _, item := range pg.Contents {
			var v struct{ ID string }
			_ = json.Unmarshal(item, &v)
			if len(ids) < 10 {
				ids = append(ids, v.ID)
			}
		}
	}
	return first.TotalItems, ids
}

func testORUK(t *testing.T, s *seeded) {
	schemas := hsdstest.Load(t, hsdstest.Dir(t))
	visible := len(s.providers) // every seed record is published or suspended

	t.Run("meta", func(t *testing.T) {
		r := s.get(t, "/oruk/")
		var m map[string]string
		decode(t, r, &m)
		if r.status != 200 || m["version"] != "HSDS-UK-3.0" || m["profile"] == "" || m["openapi_url"] != s.url+"/openapi/oruk.json" {
			t.Errorf("%d %v", r.status, m)
		}
		if r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Error("no CORS header")
		}
	})

	lists := []struct {
		path, itemSchema, idSchema string
		per, want                  int
	}{
		{"/oruk/services", "compiled/service_list.json", "compiled/service.json", 10, visible},
		// openapi30.json names compiled/service.json for a single
		// service_at_location, but its example and every consumer use the
		// service_at_location shape; validate against that.
		{"/oruk/service_at_locations", "compiled/service_at_location_list.json", "compiled/service_at_location.json", 25, s.sites},
		{"/oruk/taxonomies", "taxonomy.json", "taxonomy.json", 5, len(directory.Vocabularies()) + 1},
		{"/oruk/taxonomy_terms", "taxonomy_term.json", "taxonomy_term.json", 50, len(hsds.TaxonomyTerms())},
	}
	for _, l := range lists {
		t.Run(l.path, func(t *testing.T) {
			total, ids := s.walkList(t, schemas, l.path, l.per, l.itemSchema)
			if total != l.want {
				t.Errorf("total_items %d, want %d", total, l.want)
			}
			if len(ids) != 10 {
				t.Fatalf("%d ids collected, want 10", len(ids))
			}
			for _, id := range ids {
				r := s.get(t, l.path+"/"+id)
				if r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != "*" {
					t.Fatalf("%s/%s: %d %s", l.path, id, r.status, r.body)
				}
				schemas.Validate(t, l.idSchema, r.body)
			}
			// A page past the end is empty and still a valid envelope.
			pg := s.listPage(t, schemas, l.path, (total+l.per-1)/l.per+1, l.per, l.itemSchema)
			if !pg.Empty || !pg.LastPage {
				t.Errorf("page past the end: %+v", pg)
			}
			for _, bad := range []string{"not-a-uuid", hsds.UUID5("nothing")} {
				r := s.get(t, l.path+"/"+bad)
				want := http.StatusNotFound
				if bad == "not-a-uuid" {
					want = http.StatusBadRequest
				}
				if r.status != want || r.header.Get("Access-Control-Allow-Origin") != "*" {
					t.Errorf("%s/%s: %d, want %d", l.path, bad, r.status, want)
				}
			}
		})
	}

	// Lists build only the items on the page they return: every page, in
	// turn, gives every item once, whichever filter is on.
	t.Run("every page in turn", func(t *testing.T) {
		for _, l := range []struct {
			path string
			want int
		}{
			{"/oruk/services?", visible},
			{"/oruk/service_at_locations?", s.sites},
			{"/oruk/services?modified_after=2000-01-01T00:00:00Z&", visible},
			{"/oruk/services?search=work&", -1},
		} {
			seen := map[string]bool{}
			total := -1
			for n := 1; n < 100; n++ {
				var pg page
				r := s.get(t, fmt.Sprintf("%spage=%d&per_page=7", l.path, n))
				if r.status != http.StatusOK {
					t.Fatalf("%s page %d: %d %s", l.path, n, r.status, r.body)
				}
				decode(t, r, &pg)
				total = pg.TotalItems
				for _, c := range pg.Contents {
					var v struct{ ID string }
					_ = json.Unmarshal(c, &v)
					if seen[v.ID] {
						t.Fatalf("%s: %s on two pages", l.path, v.ID)
					}
					seen[v.ID] = true
				}
				if pg.LastPage {
					break
				}
			}
			if len(seen) != total || (l.want >= 0 && total != l.want) || total == 0 {
				t.Errorf("%s: %d items over all pages, total_items %d, want %d", l.path, len(seen), total, l.want)
			}
		}
	})

	t.Run("drafts never appear", func(t *testing.T) {
		if r := s.get(t, "/oruk/services/"+hsds.ServiceID(&s.draft)); r.status != http.StatusNotFound {
			t.Errorf("draft: %d", r.status)
		}
		if total := s.ids(t, "/oruk/services?search=draft+works"); len(total) != 0 {
			t.Errorf("draft listed: %v", total)
		}
	})

	t.Run("filters are ANDed", func(t *testing.T) {
		mh := hsds.TermID(directory.VocabSpecialisms, "mental_health")
		search := s.ids(t, "/oruk/services?search=Support")
		term := s.ids(t, "/oruk/services?taxonomy_term_id="+mh)
		both := s.ids(t, "/oruk/services?search=Support&taxonomy_term_id="+mh)
		var want []string
		for _, id := range search {
			if slices.Contains(term, id) {
				want = append(want, id)
			}
		}
		if len(search) == 0 || len(term) == 0 || len(search) == visible || len(term) == visible || len(want) == 0 {
			t.Fatalf("filters do not discriminate: search %d, term %d, both %d", len(search), len(term), len(want))
		}
		if diff := cmp.Diff(want, both); diff != "" {
			t.Errorf("search AND term (-want +got):\n%s", diff)
		}
		// Several words must all appear, in any case.
		if a, b := s.ids(t, "/oruk/services?search=SUPPORT"), search; !slices.Equal(a, b) {
			t.Errorf("search is case-sensitive: %d vs %d", len(a), len(b))
		}
		if got := s.ids(t, "/oruk/services?search=support+zzzqqq"); len(got) != 0 {
			t.Errorf("a word that appears nowhere still matched %d", len(got))
		}
		// Query syntax is text, not operators.
		if got := s.ids(t, "/oruk/services?search="+url.QueryEscape(`* OR name:x`)); len(got) != 0 {
			t.Errorf("query syntax was interpreted: %d results", len(got))
		}
		tax := s.ids(t, "/oruk/services?taxonomy_id="+hsds.TaxonomyID(directory.VocabServiceModels))
		if len(tax) == 0 || len(tax) == visible {
			t.Errorf("taxonomy_id matched %d of %d", len(tax), visible)
		}
		if got := s.ids(t, "/oruk/services?modified_after=2999-01-01"); len(got) != 0 {
			t.Errorf("modified_after in the future matched %d", len(got))
		}
		if got := s.ids(t, "/oruk/services?modified_after=2000-01-01T00:00:00Z"); len(got) != visible {
			t.Errorf("modified_after in the past matched %d", len(got))
		}
		// No record states an age limit, so an age filter matches none.
		if got := s.ids(t, "/oruk/services?minimum_age=18"); len(got) != 0 {
			t.Errorf("minimum_age matched %d", len(got))
		}
	})

	t.Run("postcode and proximity", func(t *testing.T) {
		// Digbeth Works covers B5 and has its office in B5 5ZT.
		digbeth := hsds.ServiceID(&s.providers[0])
		covered := s.salServices(t, "/oruk/service_at_locations?postcode=B5+5AA")
		if !slices.Contains(covered, digbeth) {
			t.Errorf("postcode B5: Digbeth Works missing from %v", covered)
		}
		near := s.salServices(t, "/oruk/service_at_locations?postcode=B5&proximity=3000")
		far := s.salServices(t, "/oruk/service_at_locations?postcode=B5&proximity=300000")
		if len(near) == 0 || len(far) <= len(near) {
			t.Errorf("proximity does not narrow: 3 km %d, 300 km %d", len(near), len(far))
		}
		if all := s.salServices(t, "/oruk/service_at_locations"); len(all) != s.sites || len(covered) >= len(all) {
			t.Errorf("postcode does not narrow: %d of %d", len(covered), len(all))
		}
	})

	t.Run("bad parameters are 400 naming them", func(t *testing.T) {
		for path, field := range map[string]string{
			"/oruk/services?page=abc":                              "page",
			"/oruk/services?page=0":                                "page",
			"/oruk/services?per_page=x":                            "per_page",
			"/oruk/services?taxonomy_term_id=mental_health":        "taxonomy_term_id",
			"/oruk/services?taxonomy_id=1":                         "taxonomy_id",
			"/oruk/services?minimum_age=old":                       "minimum_age",
			"/oruk/services?modified_after=yesterday":              "modified_after",
			"/oruk/taxonomies?page=-1":                             "page",
			"/oruk/service_at_locations?postcode=hello":            "postcode",
			"/oruk/service_at_locations?proximity=10":              "postcode",
			"/oruk/service_at_locations?postcode=B5&proximity=far": "proximity",
			"/oruk/services/LS1":                                   "id",
		} {
			r := s.get(t, path)
			var e api.ErrorResponse
			decode(t, r, &e)
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field)
			}
			if r.status != http.StatusBadRequest || !slices.Contains(fields, field) || r.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%s: %d fields %v, want 400 naming %s", path, r.status, fields, field)
			}
		}
		// per_page above 100 is capped, as on /v1/providers.
		var pg page
		decode(t, s.get(t, "/oruk/services?per_page=1000"), &pg)
		if pg.Size != 100 || pg.TotalPages != 2 {
			t.Errorf("per_page=1000: size %d pages %d", pg.Size, pg.TotalPages)
		}
	})

	t.Run("CORS on public reads, and preflight", func(t *testing.T) {
		r := s.request(t, http.MethodOptions, "/oruk/services/"+hsds.UUID5("x"))
		if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "*" ||
			r.header.Get("Access-Control-Allow-Methods") == "" {
			t.Errorf("preflight: %d %v", r.status, r.header)
		}
		if r := s.request(t, http.MethodPost, "/v1/providers"); r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Error("CORS header on a write")
		}
		if r := s.request(t, http.MethodPost, "/oruk/services"); r.status != http.StatusMethodNotAllowed {
			t.Errorf("POST /oruk/services: %d", r.status)
		}
	})
}

// ids returns the ids of every service a /oruk/services query lists.
func (s *seeded) ids(t *testing.T, path string) []string {
	t.Helper()
	var pg page
	r := s.get(t, path+"&per_page=100")
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, r.status, r.body)
	}
	decode(t, r, &pg)
	if pg.TotalPages > 1 {
		var rest page
		decode(t, s.get(t, path+"&per_page=100&page=2"), &rest)
		pg.Contents = append(pg.Contents, rest.Contents...)
	}
	var out []string
	for _, c := range pg.Contents {
		var v struct{ ID string }
		_ = json.Unmarshal(c, &v)
		out = append(out, v.ID)
	}
	return out
}

// salServices returns the service id of every entry a service_at_locations
// query lists.
func (s *seeded) salServices(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for n := 1; ; n++ {
		sep := "?"
		if u, _ := url.Parse(path); u.RawQuery != "" {
			sep = "&"
		}
		r := s.get(t, path+sep+"per_page=100&page="+strconv.Itoa(n))
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		var pg page
		decode(t, r, &pg)
		for _, c := range pg.Contents {
			var v struct {
				ServiceID string `json:"service_id"`
			}
			_ = json.Unmarshal(c, &v)
			out = append(out, v.ServiceID)
		}
		if pg.LastPage {
			return out
		}
	}
}
