package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/hsds/hsdstest"
	"github.com/brokerfinder/brokerfinder/internal/match"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// orukView is the API over a small directory held in memory, so the test
// needs no store (polygons included).
type orukView struct {
	h      http.Handler
	f      *finder.Finder
	byName map[string]directory.Provider
	places map[string]geo.Place
}

const sharedOrgID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"

func newORUKView(t *testing.T) *orukView {
	t.Helper()
	aire := storetest.Provider("Aire Works")
	aire.ID = "aire-works"
	aire.Organisation.ID, aire.Organisation.Name = sharedOrgID, "Aire Group"
	aire.Sites[0].OpeningHours = []directory.OpeningHours{{Day: "mon", Opens: "09:00", Closes: "17:00"}}

	// Covers York by a polygon only: no radius, no areas, no districts.
	poly := storetest.Provider("Polygon Works")
	poly.ID = "polygon-works"
	poly.Organisation.ID, poly.Organisation.Name = sharedOrgID, "Aire Group"
	poly.Sites[0].Location = &directory.LatLon{Lat: 53.9600, Lon: -1.0800}
	poly.Sites[0].Address = directory.Address{Lines: []string{"1 Coney Street"}, Town: "York", Postcode: "YO1 9QL"}
	poly.Sites[0].OpeningHours = []directory.OpeningHours{{Day: "tue", Opens: "10:00", Closes: "14:00"}}
	poly.Coverage = directory.Coverage{Polygons: []directory.Polygon{{Type: "Polygon", Coordinates: [][][2]float64{{
		{-1.20, 53.90}, {-1.00, 53.90}, {-1.00, 54.00}, {-1.20, 54.00}, {-1.20, 53.90},
	}}}}}

	moor := storetest.Provider("Moor Works")
	moor.ID = "moor-works"
	moor.Sites[0].OpeningHours = []directory.OpeningHours{{Day: "sat", Opens: "08:00", Closes: "12:00"}}

	draft := storetest.Provider("Draft Works")
	draft.ID, draft.Status = "draft-works", directory.StatusDraft

	ps := []directory.Provider{aire, poly, moor, draft}
	st := &memStore{byID: map[string]*directory.Provider{}, all: ps}
	v := &orukView{byName: map[string]directory.Provider{}, places: map[string]geo.Place{
		"YO1": {Lat: 53.9590, Lon: -1.0815, District: "YO1", Source: "test"}, // in the polygon
		"HG1": {Lat: 53.9921, Lon: -1.5418, District: "HG1", Source: "test"}, // west of it
		"LS1": {Lat: 53.7965, Lon: -1.5478, District: "LS1", Town: "Leeds", Source: "test"},
	}}
	for i := range ps {
		if err := ps[i].Validate(); err != nil {
			t.Fatalf("%s: %v", ps[i].Name, err)
		}
		st.byID[ps[i].ID] = &ps[i]
		v.byName[ps[i].Name] = ps[i]
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f, err := finder.Open(context.Background(), finder.Config{Store: st, IndexDir: t.TempDir(), Geocoder: outcodeGeocoder{at: v.places}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	v.f = f
	v.h = api.New(api.Config{Store: st, Finder: f, Logger: quiet})
	return v
}

func (v *orukView) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	w := httptest.NewRecorder()
	v.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w.Code, w.Body.Bytes()
}

// names returns the provider names a list lists (services, or the service
// of each service at a location), in order.
func (v *orukView) names(t *testing.T, path string) []string {
	t.Helper()
	code, body := v.get(t, path)
	if code != http.StatusOK {
		t.Fatalf("%s: %d %s", path, code, body)
	}
	var pg struct {
		TotalItems int `json:"total_items"`
		Contents   []struct {
			Name    string
			Service *struct{ Name string }
		}
	}
	if err := json.Unmarshal(body, &pg); err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, c := range pg.Contents {
		if c.Service != nil {
			out = append(out, c.Service.Name)
		} else {
			out = append(out, c.Name)
		}
	}
	if pg.TotalItems != len(out) {
		t.Fatalf("%s: total_items %d, %d listed", path, pg.TotalItems, len(out))
	}
	return out
}

// TestORUKCoverageIsMatchCoverage: a provider covering a place by a polygon
// only is listed by ORUK for a postcode inside the polygon and not outside,
// exactly as a match finds it.
func TestORUKCoverageIsMatchCoverage(t *testing.T) {
	v := newORUKView(t)
	for _, c := range []struct {
		postcode string
		want     []string
	}{
		{"YO1", []string{"Polygon Works"}},
		{"HG1", []string{}},
		{"LS1", []string{"Aire Works", "Moor Works"}},
	} {
		got := v.names(t, "/oruk/service_at_locations?postcode="+c.postcode)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("ORUK at %s (-want +got):\n%s", c.postcode, diff)
		}
		pl := v.places[c.postcode]
		res := v.f.Catalogue().Match(match.Request{Location: match.Location{Point: directory.LatLon{Lat: pl.Lat, Lon: pl.Lon}, District: pl.District, Town: pl.Town}, PerPage: 100})
		matched := []string{}
		for _, r := range res.Results {
			matched = append(matched, r.Provider.Name)
		}
		slices.Sort(matched)
		if diff := cmp.Diff(got, matched); diff != "" {
			t.Errorf("at %s ORUK and match disagree (-oruk +match):\n%s", c.postcode, diff)
		}
	}
	// Proximity keeps only the covering providers' sites that near.
	if got := v.names(t, "/oruk/service_at_locations?postcode=YO1&proximity=500"); !slices.Equal(got, []string{"Polygon Works"}) {
		t.Errorf("YO1 within 500 m: %v", got)
	}
	if got := v.names(t, "/oruk/service_at_locations?postcode=YO1&proximity=10"); len(got) != 0 {
		t.Errorf("YO1 within 10 m: %v", got)
	}
}

// TestORUKFilters: every filter the profile defines either filters or is
// refused with 400 naming it; so is any parameter a list does not take.
func TestORUKFilters(t *testing.T) {
	v := newORUKView(t)
	moorOrg := hsds.OrganizationID(new(v.byName["Moor Works"]))
	for path, want := range map[string][]string{
		"/oruk/services":                                    {"Aire Works", "Moor Works", "Polygon Works"},
		"/oruk/services?day=MO":                             {"Aire Works"},
		"/oruk/services?day=tuesday":                        {"Polygon Works"},
		"/oruk/services?day=SA":                             {"Moor Works"},
		"/oruk/services?start_time=09:30":                   {"Polygon Works"},
		"/oruk/services?end_time=12:00:00":                  {"Moor Works"},
		"/oruk/services?start_time=08:00&end_time=14:00":    {"Moor Works", "Polygon Works"},
		"/oruk/services?day=MO&end_time=12:00":              {},
		"/oruk/services?organization_id=" + sharedOrgID:     {"Aire Works", "Polygon Works"},
		"/oruk/services?organization_id=" + moorOrg:         {"Moor Works"},
		"/oruk/services?organization_id=" + hsds.UUID5("x"): {},
		"/oruk/service_at_locations?day=TU":                 {"Polygon Works"},
		"/oruk/service_at_locations?postcode=LS1&day=SA":    {"Moor Works"},
	} {
		if got := v.names(t, path); !cmp.Equal(want, got) {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
	for path, field := range map[string]string{
		"/oruk/services?day=funday":                               "day",
		"/oruk/services?start_time=9am":                           "start_time",
		"/oruk/services?end_time=25:00":                           "end_time",
		"/oruk/services?organization_id=acme":                     "organization_id",
		"/oruk/services?minimum_age=NaN":                          "minimum_age",
		"/oruk/services?postcode=LS1":                             "postcode",
		"/oruk/services?full=true":                                "full",
		"/oruk/services?minimal=true":                             "minimal",
		"/oruk/services?format=ndjson":                            "format",
		"/oruk/services?colour=blue":                              "colour",
		"/oruk/taxonomies?search=x":                               "search",
		"/oruk/organizations?organization_id=" + sharedOrgID:      "organization_id",
		"/oruk/service_at_locations?postcode=LS1&proximity=NaN":   "proximity",
		"/oruk/service_at_locations?postcode=LS1&proximity=Inf":   "proximity",
		"/oruk/service_at_locations?postcode=LS1&proximity=-5":    "proximity",
		"/oruk/service_at_locations?postcode=LS1&proximity=1e400": "proximity",
	} {
		code, body := v.get(t, path)
		var e api.ErrorResponse
		_ = json.Unmarshal(body, &e)
		var fields []string
		for _, f := range e.Fields {
			fields = append(fields, f.Field)
		}
		if code != http.StatusBadRequest || !slices.Contains(fields, field) {
			t.Errorf("%s: %d %v, want 400 naming %s", path, code, fields, field)
		}
	}
}

// TestORUKOrganizations: organisations are listed once each, paged, and
// fetched by id with their services, in the profile's shapes.
func TestORUKOrganizations(t *testing.T) {
	v := newORUKView(t)
	schemas := hsdstest.Load(t, hsdstest.Dir(t))
	code, body := v.get(t, "/oruk/organizations?per_page=1&page=2")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	var pg struct {
		TotalItems int               `json:"total_items"`
		TotalPages int               `json:"total_pages"`
		Contents   []json.RawMessage `json:"contents"`
	}
	_ = json.Unmarshal(body, &pg)
	if pg.TotalItems != 2 || pg.TotalPages != 2 || len(pg.Contents) != 1 {
		t.Fatalf("organizations page 2 of 1 each: %s", body)
	}
	schemas.Validate(t, "compiled/organization_list.json", pg.Contents[0])
	if got := v.names(t, "/oruk/organizations?per_page=10"); !slices.Equal(got, []string{"Aire Group", "Moor Works"}) {
		t.Errorf("organizations: %v", got)
	}
	code, body = v.get(t, "/oruk/organizations/"+sharedOrgID)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	schemas.Validate(t, "compiled/organization.json", body)
	var org hsds.Organization
	_ = json.Unmarshal(body, &org)
	var services []string
	for _, s := range org.Services {
		services = append(services, s.Name)
	}
	if org.ID != sharedOrgID || org.Name != "Aire Group" || !slices.Equal(services, []string{"Aire Works", "Polygon Works"}) {
		t.Errorf("organization %s %q with %v", org.ID, org.Name, services)
	}
	for path, want := range map[string]int{
		"/oruk/organizations/" + hsds.UUID5("nothing"):                             http.StatusNotFound,
		"/oruk/organizations/acme":                                                 http.StatusBadRequest,
		"/oruk/organizations/" + hsds.OrganizationID(new(v.byName["Draft Works"])): http.StatusNotFound,
	} {
		if code, _ := v.get(t, path); code != want {
			t.Errorf("%s: %d, want %d", path, code, want)
		}
	}
}

// TestORUKFollowsWrites: lists and lookups follow the finder's writes: a
// rename reorders, a new draft disappears from every view.
func TestORUKFollowsWrites(t *testing.T) {
	v := newORUKView(t)
	moor := v.byName["Moor Works"]
	moor.Name, moor.Version = "Aardvark Works", moor.Version+1
	if err := v.f.Put(&moor); err != nil {
		t.Fatal(err)
	}
	if got := v.names(t, "/oruk/services"); !slices.Equal(got, []string{"Aardvark Works", "Aire Works", "Polygon Works"}) {
		t.Errorf("after a rename: %v", got)
	}
	aire := v.byName["Aire Works"]
	aire.Status, aire.Version = directory.StatusDraft, aire.Version+1
	if err := v.f.Put(&aire); err != nil {
		t.Fatal(err)
	}
	if got := v.names(t, "/oruk/services"); !slices.Equal(got, []string{"Aardvark Works", "Polygon Works"}) {
		t.Errorf("after a draft: %v", got)
	}
	for _, path := range []string{
		"/oruk/services/" + hsds.ServiceID(&aire),
		"/oruk/service_at_locations/" + hsds.ServiceAtLocationID(&aire, &aire.Sites[0]),
	} {
		if code, _ := v.get(t, path); code != http.StatusNotFound {
			t.Errorf("%s: %d after the record became a draft", path, code)
		}
	}
	if code, _ := v.get(t, "/oruk/services/"+hsds.ServiceID(&moor)); code != http.StatusOK {
		t.Errorf("renamed record: %d", code)
	}
}
