package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newSeededEnv serves the seed directory, logging into the returned buffer.
func newSeededEnv(t *testing.T) (*env, *syncBuffer) {
	t.Helper()
	store := mongotest.Store(t)
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := service.New(service.Config{Store: store}).ImportProviders(context.Background(), ps, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f, err := finder.Open(context.Background(), finder.Config{Store: store, IndexDir: t.TempDir(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	srv := httptest.NewServer(contract(t, api.New(api.Config{Store: store, Finder: f, AdminToken: adminToken, Logger: logger})))
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: store}, logs
}

func TestMatch(t *testing.T) {
	e, logs := newSeededEnv(t)
	body := map[string]any{
		"location": map[string]any{"postcode": "ls6 2bs"},
		"needs": map[string]any{
			"health_conditions": []string{"mental_health"}, "severe_or_fluctuating": true,
			"contact_preferences": []string{"home_visits"}, "in_work_support": true,
		},
		"per_page": 5,
	}
	r := e.do("POST", "/v1/match", body)
	if r.status != 200 {
		t.Fatalf("match: %d %s", r.status, r.body)
	}
	var res api.MatchResponse
	r.json(t, &res)
	if res.Location.District != "LS6" || res.Location.Town != "Leeds" || res.Location.Postcode != "LS6 2BS" {
		t.Fatalf("location resolved to %+v", res.Location)
	}
	if res.Total < 10 || len(res.Results) != 5 || res.PerPage != 5 {
		t.Fatalf("total %d, %d results, per_page %d", res.Total, len(res.Results), res.PerPage)
	}
	top := res.Results[0]
	if !slices.Contains(top.Provider.Specialisms, "mental_health") || len(top.Explanation.Met) == 0 || top.Rank != 1 {
		t.Fatalf("first result %s: %+v", top.Provider.Name, top.Explanation)
	}
	for i := 1; i < len(res.Results); i++ {
		if res.Results[i].Score > res.Results[i-1].Score {
			t.Fatalf("results not in score order: %d then %d", res.Results[i-1].Score, res.Results[i].Score)
		}
	}
	// Paging through gives every eligible provider exactly once.
	seen := map[string]bool{}
	for page := 1; page <= (res.Total+4)/5; page++ {
		body["page"] = page
		var p api.MatchResponse
		e.do("POST", "/v1/match", body).json(t, &p)
		for _, r := range p.Results {
			if seen[r.Provider.ID] {
				t.Fatalf("%s listed twice", r.Provider.Name)
			}
			seen[r.Provider.ID] = true
		}
	}
	if len(seen) != res.Total {
		t.Fatalf("paging listed %d providers, total says %d", len(seen), res.Total)
	}
	// Health details never reach the logs, and no URL carries them.
	for _, secret := range []string{"mental_health", "LS6 2BS", "ls6 2bs", "home_visits"} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("the log holds %q from a match body:\n%s", secret, logs.String())
		}
	}
}

func TestMatchRejectsBadInput(t *testing.T) {
	e, _ := newSeededEnv(t)
	tests := []struct {
		name   string
		body   string
		status int
		fields []string
	}{
		{"unknown field, named with its path", `{"location":{"town":"Leeds"},"needs":{"bogus":1}}`, 400, []string{"needs.bogus"}},
		{"unknown top-level field", `{"location":{"town":"Leeds"},"postcode":"LS1"}`, 400, []string{"postcode"}},
		{"unknown code", `{"location":{"town":"Leeds"},"needs":{"support":["flying"]}}`, 400, []string{"needs.support[0]"}},
		{"wrong type", `{"location":{"town":"Leeds"},"needs":{"in_work_support":"yes"}}`, 400, []string{"needs.in_work_support"}},
		{"two forms of location", `{"location":{"town":"Leeds","postcode":"LS6"}}`, 400, []string{"location"}},
		{"no location", `{"needs":{}}`, 400, []string{"location"}},
		{"lat without lon", `{"location":{"lat":53.8}}`, 400, []string{"location"}},
		{"point outside the UK", `{"location":{"lat":40.7,"lon":-74.0}}`, 400, []string{"location.lat", "location.lon"}},
		{"malformed postcode", `{"location":{"postcode":"12345"}}`, 400, []string{"location.postcode"}},
		{"unknown town", `{"location":{"town":"Atlantis"}}`, 422, []string{"location.town"}},
		{"paging out of range", `{"location":{"town":"Leeds"},"page":-1,"per_page":-5}`, 400, []string{"page", "per_page"}},
		{"travel limit out of range", `{"location":{"town":"Leeds"},"needs":{"max_travel_km":1e9}}`, 400, []string{"needs.max_travel_km"}},
		{"not JSON", `{"location":`, 400, []string{"body"}},
		{"empty body", ``, 400, []string{"body"}},
		{"type that is not a code", `{"location":{"town":"Leeds"},"types":["wizards"]}`, 400, []string{"types[0]"}},
		{"unknown sort", `{"location":{"town":"Leeds"},"sort":"name"}`, 400, []string{"sort"}},
		{"unknown hours", `{"location":{"town":"Leeds"},"needs":{"hours":"school"}}`, 400, []string{"needs.hours"}},
		{"unknown stage", `{"location":{"town":"Leeds"},"needs":{"job_search_stage":"employed"}}`, 400, []string{"needs.job_search_stage"}},
		{"yes-or-no need as text", `{"location":{"town":"Leeds"},"needs":{"named_adviser":"yes","age_50_plus":1}}`, 400, []string{"needs.named_adviser"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", "/v1/match", tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			got := r.errFields(t)
			for _, f := range tt.fields {
				if !slices.Contains(got, f) {
					t.Errorf("fields %q lack %q", got, f)
				}
			}
		})
	}
	big := `{"location":{"town":"Leeds"},"needs":{"support":["` + strings.Repeat("x", 2<<20) + `"]}}`
	if r := e.do("POST", "/v1/match", big); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB body: %d", r.status)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/match", strings.NewReader("location=Leeds"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("form body: %d, want 415", res.StatusCode)
	}
}

func TestSearch(t *testing.T) {
	e, _ := newSeededEnv(t)
	get := func(q string) api.SearchResponse { t.Helper(); return e.search(q) }
	if r := e.do("GET", "/v1/search?per_page=1", nil); r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatal("public search must allow other origins (embeds)")
	}
	if r := e.do("POST", "/v1/match", `{"location":{"town":"Leeds"}}`); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("match carries health details and must not be readable cross-origin")
	}
	all := get("per_page=100")
	if all.Total < 100 {
		t.Fatalf("unfiltered search lists %d providers; the seed has over 100 published", all.Total)
	}
	// Facet counts agree with filtering by the same code, in every facet,
	// and each facet lists a code.
	for _, name := range []string{"type", "specialism", "delivery_mode", "service", "incentive", "accessibility", "language", "taking_new_clients"} {
		if len(all.Facets[name]) == 0 {
			t.Errorf("facet %s lists no codes", name)
		}
		for _, fc := range all.Facets[name] {
			got := get("per_page=1&" + name + "=" + fc.Code)
			if got.Total != fc.Count {
				t.Errorf("facet %s=%s says %d, filtering gives %d", name, fc.Code, fc.Count, got.Total)
			}
		}
	}
	leeds := get("near=Leeds&type=job_broker&per_page=100")
	if leeds.Near == nil || leeds.Near.Town != "Leeds" || leeds.Total < 7 {
		t.Fatalf("near Leeds: %d results, near %+v", leeds.Total, leeds.Near)
	}
	var last float64
	for _, it := range leeds.Items {
		if it.DistanceKm != nil {
			if *it.DistanceKm < last {
				t.Fatalf("near search not nearest first: %.1f after %.1f", *it.DistanceKm, last)
			}
			last = *it.DistanceKm
		}
	}
	sight := get("q=" + url.QueryEscape("sight loss") + "&near=B5")
	if sight.Total == 0 || sight.Items[0].Provider.Name != "Edgbaston Sight Loss Employment Service" {
		t.Fatalf("q=sight loss near B5: %+v", sight.Items)
	}
	phone := get("delivery_mode=telephone&specialism=sight")
	for _, it := range phone.Items {
		if !slices.Contains(it.Provider.DeliveryModes, "telephone") || !slices.Contains(it.Provider.Specialisms, "sight") {
			t.Fatalf("%s does not meet both filters", it.Provider.Name)
		}
	}
	for _, tt := range []struct{ query, field string }{
		{"colour=red", "colour"},
		{"service=flying", "service[0]"},
		{"taking_new_clients=maybe", "taking_new_clients"},
		{"radius_km=0", "radius_km"},
		{"per_page=0", "per_page"},
		{"page=10001", "page"},
		{"q=" + strings.Repeat("a", 300), "q"},
	} {
		r := e.do("GET", "/v1/search?"+tt.query, nil)
		if r.status != 400 || !slices.Contains(r.errFields(t), tt.field) {
			t.Errorf("%s: %d %s, want 400 naming %s", tt.query, r.status, r.body, tt.field)
		}
	}
	if r := e.do("GET", "/v1/search?near=Atlantis", nil); r.status != 422 || !slices.Contains(r.errFields(t), "near") {
		t.Errorf("near=Atlantis: %d %s", r.status, r.body)
	}
}

// TestWritesAreSearchableAtOnce: a create, an update and an end through the
// API show in search and match straight away.
func TestWritesAreSearchableAtOnce(t *testing.T) {
	e, _ := newSeededEnv(t)
	p := storetest.Provider("Zephyrine Quillwork Employment")
	created := e.create(p)
	find := func(word string) int {
		var res api.SearchResponse
		e.do("GET", "/v1/search?q="+word, nil).json(t, &res)
		return res.Total
	}
	if n := find("zephyrine"); n != 1 {
		t.Fatalf("new provider found %d times", n)
	}
	created.Name = "Xanthous Pathways"
	r := e.do("PUT", "/v1/providers/"+created.ID, created, withAuth("If-Match", `"1"`)...)
	if r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if find("zephyrine") != 0 || find("xanthous") != 1 {
		t.Fatal("update not reflected in search")
	}
	matchBody := `{"location":{"postcode":"LS1 5AB"},"per_page":100}`
	inMatch := func() bool {
		var res api.MatchResponse
		e.do("POST", "/v1/match", matchBody).json(t, &res)
		return slices.ContainsFunc(res.Results, func(r api.MatchResult) bool { return r.Provider.ID == created.ID })
	}
	if !inMatch() {
		t.Fatal("new provider covering LS1 not in the match")
	}
	if r := e.do("DELETE", "/v1/providers/"+created.ID, nil, withAuth("If-Match", `"2"`)...); r.status != 200 {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	if inMatch() {
		t.Fatal("an ended provider is still matched")
	}
}

// TestRateLimit: a client over its rate gets 429 with Retry-After on public
// routes; forwarding headers do not buy a fresh allowance; health checks
// are never limited.
func TestRateLimit(t *testing.T) {
	store := mongotest.Store(t)
	srv := httptest.NewServer(api.New(api.Config{Store: store, RateLimit: 1, RateBurst: 3, ReadRateLimit: 1, ReadRateBurst: 3, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer srv.Close()
	get := func(path, forwarded string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for i := range 3 {
		if res := get("/v1/vocabularies", ""); res.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+1, res.StatusCode)
		}
	}
	res := get("/v1/vocabularies", "")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("4th request: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res := get("/v1/vocabularies", "203.0.113.9"); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For escaped the limit: %d", res.StatusCode)
	}
	if res := get("/healthz", ""); res.StatusCode != 200 {
		t.Fatalf("healthz limited: %d", res.StatusCode)
	}
}

// search runs GET /v1/search?q and fails the test unless it answers 200.
func (e *env) search(q string) api.SearchResponse {
	e.t.Helper()
	r := e.do("GET", "/v1/search?"+q, nil)
	if r.status != 200 {
		e.t.Fatalf("search %s: %d %s", q, r.status, r.body)
	}
	var out api.SearchResponse
	r.json(e.t, &out)
	return out
}

// TestMatchNewNeeds: the needs issue 17 added are accepted by their exact
// names, listed in the vocabularies, and every result carries the
// at-a-glance fields and distance in miles; sort=distance orders by it.
func TestMatchNewNeeds(t *testing.T) {
	e, _ := newSeededEnv(t)
	body := `{"location":{"town":"Leeds"},"sort":"distance","needs":{"named_adviser":true,"regular_contact":true,"age_50_plus":true,
		"employer_incentives":true,"job_search_stage":"in_work","employer_mediation":true,"caring_responsibilities":true,"hours":"school_hours"}}`
	r := e.do("POST", "/v1/match", body)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var out struct {
		Results []struct {
			DistanceKm    *float64 `json:"distance_km"`
			DistanceMiles *float64 `json:"distance_miles"`
			AtAGlance     struct {
				Adviser       string `json:"adviser"`
				InWorkSupport string `json:"in_work_support"`
				EmployerTold  string `json:"employer_told"`
			} `json:"at_a_glance"`
			Explanation struct {
				Met       []string `json:"met"`
				PartlyMet []string `json:"partly_met"`
				NotMet    []string `json:"not_met"`
			}
		}
		TopFitsFull *bool `json:"top_fits_full"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Results) == 0 || out.TopFitsFull == nil {
		t.Fatalf("no results or no top_fits_full: %s", r.body)
	}
	last := -1.0
	for i, x := range out.Results {
		if x.AtAGlance.Adviser == "" || x.AtAGlance.InWorkSupport == "" || x.AtAGlance.EmployerTold == "" {
			t.Errorf("result %d lacks at_a_glance: %+v", i, x.AtAGlance)
		}
		if n := len(x.Explanation.Met) + len(x.Explanation.PartlyMet) + len(x.Explanation.NotMet); n != 8 {
			t.Errorf("result %d explains %d needs, want 8", i, n)
		}
		if x.DistanceKm == nil {
			last = 1e9
			continue
		}
		if x.DistanceMiles == nil || math.Abs(*x.DistanceMiles-*x.DistanceKm/1.609344) > 0.09 {
			t.Errorf("result %d: %v km but distance_miles %v", i, *x.DistanceKm, x.DistanceMiles)
		}
		if *x.DistanceKm < last {
			t.Errorf("sort=distance: %v km after %v km", *x.DistanceKm, last)
		}
		last = *x.DistanceKm
	}
	v := e.do("GET", "/v1/vocabularies", "")
	for _, code := range []string{`"yes_no_needs"`, `"named_adviser"`, `"caring_responsibilities"`, `"school_hours"`, `"in_work"`} {
		if !strings.Contains(string(v.body), code) {
			t.Errorf("vocabularies lack %s", code)
		}
	}
}
