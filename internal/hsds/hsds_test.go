package hsds_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/hsds/hsdstest"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/synth/synthtest"
)

func loadSeed(t *testing.T) []directory.Provider {
	t.Helper()
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 114 {
		t.Fatalf("seed holds %d records, want 114", len(ps))
	}
	return ps
}

// ignoreStoreFields ignores what the store sets; the feed carries
// updated_at only as last_modified, which import does not write back.
var ignoreStoreFields = cmpopts.IgnoreFields(directory.Provider{}, "Version", "CreatedAt", "UpdatedAt")

func TestUUID5(t *testing.T) {
	// Python: uuid.uuid5(uuid.NAMESPACE_URL, "brokerfinder:specialisms:sight")
	if got, want := hsds.UUID5("brokerfinder:specialisms:sight"), "10c8d63e-ded8-5040-951d-a8a3c33ebace"; got != want {
		t.Fatalf("UUID5 = %s, want %s", got, want)
	}
	if a, b := hsds.UUID5("a"), hsds.UUID5("b"); a == b || !hsds.IsUUID(a) || a[14] != '5' {
		t.Fatalf("UUID5 gave %s and %s: want distinct version 5 UUIDs", a, b)
	}
}

// TestRoundTripSeed maps every seed record to HSDS and back, through JSON,
// and expects it unchanged. No field of a provider is lost: the profile's
// own fields and attributes carry them all.
func TestRoundTripSeed(t *testing.T) {
	for _, p := range loadSeed(t) {
		p.UpdatedAt = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
		svc := hsds.FromProvider(&p)
		raw, err := json.Marshal(svc)
		if err != nil {
			t.Fatal(err)
		}
		var back hsds.Service
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		got, notes, err := hsds.Provider(&back)
		if err != nil {
			t.Errorf("%s: %v", p.ID, err)
			continue
		}
		if len(notes) > 0 {
			t.Errorf("%s: our own record gave import notes: %v", p.ID, notes)
		}
		// verified_by is published as the kind of confirmer, never a
		// name, so it comes back as that kind.
		p.Freshness = directory.PublicFreshness(p.Freshness)
		if diff := cmp.Diff(p, got, ignoreStoreFields, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s changed in a round trip (-want +got):\n%s", p.ID, diff)
		}
	}
}

// TestRoundTripNonUUIDIDs checks that ids which are not UUIDs get derived
// UUIDs in HSDS and come back as they were.
func TestRoundTripNonUUIDIDs(t *testing.T) {
	p := loadSeed(t)[0]
	p.ID = "digbeth-works"
	p.Sites[0].ID = "digbeth-office"
	svc := hsds.FromProvider(&p)
	if !hsds.IsUUID(svc.ID) || !hsds.IsUUID(svc.ServiceAtLocations[0].Location.ID) {
		t.Fatalf("ids not UUIDs: %s, %s", svc.ID, svc.ServiceAtLocations[0].Location.ID)
	}
	got, _, err := hsds.Provider(&svc)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != p.ID || got.Sites[0].ID != p.Sites[0].ID {
		t.Fatalf("ids came back as %s, %s", got.ID, got.Sites[0].ID)
	}
}

func TestMapping(t *testing.T) {
	p := loadSeed(t)[0] // Digbeth Works: two sites, incentives, performance
	svc := hsds.FromProvider(&p)
	if svc.Status != hsds.StatusActive || svc.Name != p.Name || svc.Description != p.Summary {
		t.Errorf("status %q name %q description %q", svc.Status, svc.Name, svc.Description)
	}
	if svc.AssuredDate != string(p.Freshness.LastVerified) {
		t.Errorf("assured_date %q, want %q", svc.AssuredDate, p.Freshness.LastVerified)
	}
	if len(svc.ServiceAtLocations) != len(p.Sites) {
		t.Fatalf("%d locations for %d sites", len(svc.ServiceAtLocations), len(p.Sites))
	}
	loc := svc.ServiceAtLocations[0].Location
	if loc.ID != p.Sites[0].ID || *loc.Latitude != p.Sites[0].Location.Lat || loc.Addresses[0].PostalCode != "B5 5ZT" {
		t.Errorf("location %+v", loc)
	}
	if len(svc.Schedules) == 0 || svc.Schedules[0].ByDay != "MO" || svc.Schedules[0].OpensAt != "09:00" {
		t.Errorf("schedules %+v", svc.Schedules)
	}
	want := map[string]int{"delivery_modes": len(p.DeliveryModes), "services": len(p.Services), "incentives": len(p.Incentives)}
	got := map[string]int{}
	for _, a := range svc.Attributes {
		got[a.LinkType]++
		if a.TaxonomyTerm == nil || a.TaxonomyTerm.ID != a.TaxonomyTermID || !hsds.IsUUID(a.ID) {
			t.Errorf("attribute %+v lacks its term", a)
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%d %s attributes, want %d", got[k], k, n)
		}
	}
	// Incentives are payments to people, never prices.
	if len(svc.CostOptions) != 0 {
		t.Errorf("cost_options %+v: incentives must not look like prices", svc.CostOptions)
	}
	districts := 0
	for _, sa := range svc.ServiceAreas {
		if strings.HasPrefix(sa.ServiceArea, "Postcode district ") {
			districts++
		}
	}
	if districts != len(p.Coverage.PostcodeDistricts) {
		t.Errorf("%d district service areas, want %d", districts, len(p.Coverage.PostcodeDistricts))
	}
}

func TestStatuses(t *testing.T) {
	p := loadSeed(t)[0]
	for st, want := range map[string]string{"published": "active", "suspended": "temporarily closed", "ended": "defunct", "draft": "inactive"} {
		p.Status = st
		if got := hsds.FromProvider(&p).Status; got != want {
			t.Errorf("%s maps to %q, want %q", st, got, want)
		}
	}
}

func TestTaxonomies(t *testing.T) {
	taxes := hsds.Taxonomies()
	if len(taxes) != len(directory.Vocabularies())+1 {
		t.Fatalf("%d taxonomies for %d vocabularies (+ fields)", len(taxes), len(directory.Vocabularies()))
	}
	ids := map[string]bool{}
	for _, tx := range taxes {
		for _, tt := range tx.TaxonomyTerms {
			if ids[tt.ID] {
				t.Errorf("term id %s repeats", tt.ID)
			}
			ids[tt.ID] = true
			if tt.TaxonomyID != tx.ID || tt.Name == "" || tt.Description == "" {
				t.Errorf("term %+v", tt)
			}
		}
	}
	if got := hsds.TermID("specialisms", "sight"); got != hsds.UUID5("brokerfinder:specialisms:sight") {
		t.Errorf("TermID not the v5 of its name: %s", got)
	}
}

func TestPaginate(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	for _, c := range []struct {
		page, per          int
		want               []int
		pages              int
		first, last, empty bool
	}{
		{1, 2, []int{1, 2}, 3, true, false, false},
		{2, 2, []int{3, 4}, 3, false, false, false},
		{3, 2, []int{5}, 3, false, true, false},
		{4, 2, []int{}, 3, false, true, true},
		{1, 10, []int{1, 2, 3, 4, 5}, 1, true, true, false},
	} {
		pg := hsds.Paginate(items, c.page, c.per)
		if diff := cmp.Diff(c.want, pg.Contents); diff != "" || pg.TotalPages != c.pages || pg.TotalItems != 5 ||
			pg.FirstPage != c.first || pg.LastPage != c.last || pg.Empty != c.empty || pg.Size != len(c.want) || pg.PageNumber != c.page {
			t.Errorf("page %d per %d: %+v", c.page, c.per, pg)
		}
	}
	if pg := hsds.Paginate([]int{}, 1, 10); pg.TotalPages != 0 || !pg.Empty || !pg.LastPage || pg.Contents == nil {
		t.Errorf("empty: %+v", pg)
	}
}

// TestServicesValidate checks every seed record's service against the
// profile's compiled schemas, full and list shapes.
func TestServicesValidate(t *testing.T) {
	schemas := hsdstest.Load(t, hsdstest.Dir(t))
	for _, p := range loadSeed(t) {
		p.UpdatedAt = time.Now()
		svc := hsds.FromProvider(&p)
		full, _ := json.Marshal(svc)
		schemas.Validate(t, "compiled/service.json", full)
		brief, _ := json.Marshal(svc.Brief())
		schemas.Validate(t, "compiled/service_list.json", brief)
	}
	for _, tx := range hsds.Taxonomies() {
		raw, _ := json.Marshal(tx)
		schemas.Validate(t, "taxonomy.json", raw)
	}
	// The validator must be able to fail: a bad status and a non-UUID id.
	for _, bad := range []string{
		`{"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "open"}`,
		`{"id": "not-a-uuid", "name": "x", "status": "active"}`,
		`{"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "active", "url": "not a uri"}`,
	} {
		if schemas.Check("compiled/service.json", []byte(bad)) == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
}

// TestImportExamples imports every example file of the profile. Files of
// taxonomies or bare organisations hold no providers and import nothing.
func TestImportExamples(t *testing.T) {
	dir := filepath.Join(hsdstest.Dir(t), "examples")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples in %s: %v", dir, err)
	}
	// The list examples hold only brief forms, which are skipped with a
	// note rather than imported over fuller records.
	wantProviders := map[string]int{
		"service_full.json": 1, "service_at_location_full.json": 1, "organization_full.json": 1,
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			im, err := hsds.Import(raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(im.Providers) != wantProviders[name] {
				t.Fatalf("%d providers, want %d (feed notes %v)", len(im.Providers), wantProviders[name], im.FeedNotes)
			}
			t.Logf("notes: %v; feed notes: %v", im.Notes, im.FeedNotes)
			for _, p := range im.Providers {
				if p.ID != "ac148810-d857-441c-9679-408f346de14b" || p.Name != "Community Counselling" {
					t.Errorf("imported %s %q", p.ID, p.Name)
				}
				// Defaults were needed, so the record waits for an editor.
				if p.Status != directory.StatusDraft {
					t.Errorf("status %s, want draft", p.Status)
				}
			}
		})
	}
}

func TestImportReportsEveryInvalidRecord(t *testing.T) {
	ps := loadSeed(t)[:3]
	feed := hsds.Feed{}
	for i := range ps {
		feed.Services = append(feed.Services, hsds.FromProvider(&ps[i]))
	}
	feed.Services[0].Name = ""
	feed.Services[2].Email = "not an email"
	feed.Services = append(feed.Services, feed.Services[1]) // a repeated id
	raw, _ := json.Marshal(feed)
	_, err := hsds.Import(raw)
	fe, ok := err.(*hsds.FeedError)
	if !ok {
		t.Fatalf("err = %v, want a *FeedError", err)
	}
	var got []string
	for _, p := range fe.Problems {
		got = append(got, p.Source+" "+p.Field)
	}
	want := []string{"services[0] name", "services[2] contact.email", "services[3] id"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s\n%v", diff, err)
	}
}

func TestDecodeFeedShapes(t *testing.T) {
	p := loadSeed(t)[0]
	svc := hsds.FromProvider(&p)
	one, _ := json.Marshal(svc)
	arr, _ := json.Marshal([]hsds.Service{svc})
	page, _ := json.Marshal(hsds.Paginate([]hsds.Service{svc}, 1, 10))
	feed, _ := json.Marshal(hsds.Feed{Services: []hsds.Service{svc}})
	for name, raw := range map[string][]byte{"object": one, "array": arr, "page": page, "feed": feed} {
		im, err := hsds.Import(raw)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(im.Providers) != 1 || im.Providers[0].ID != p.ID {
			t.Errorf("%s: %d providers", name, len(im.Providers))
		}
	}
	if _, err := hsds.Import([]byte(`{"foo": 1}`)); err == nil {
		t.Error("an unknown shape was accepted")
	}
}

// TestProviderSearchText: the short cuts give exactly the text and age
// limits a built service states, on the seed, generated records and a
// service code outside the vocabulary.
func TestProviderSearchText(t *testing.T) {
	ps := shortCutRecords(t, 500)
	for i := range ps {
		svc := hsds.FromProvider(&ps[i])
		if got, want := hsds.ProviderSearchText(&ps[i]), svc.SearchText(); got != want {
			t.Fatalf("%s: ProviderSearchText\n%q\nwant\n%q", ps[i].Name, got, want)
		}
		if lo, hi := hsds.ProviderAges(&ps[i]); !reflect.DeepEqual(lo, svc.MinimumAge) || !reflect.DeepEqual(hi, svc.MaximumAge) {
			t.Fatalf("%s: ProviderAges %v %v, the built service %v %v", ps[i].Name, lo, hi, svc.MinimumAge, svc.MaximumAge)
		}
	}
}

// TestProviderTerms: the short cut finds exactly the terms and taxonomies a
// built service's attributes use, for every published term, a term of a
// code the vocabularies lack, and an unknown id.
func TestProviderTerms(t *testing.T) {
	ps := shortCutRecords(t, 300)
	terms := []string{strings.ToUpper(hsds.TermID(directory.VocabServices, "not_a_code")), "00000000-0000-0000-0000-000000000000"}
	for _, term := range hsds.TaxonomyTerms() {
		terms = append(terms, term.ID)
	}
	taxonomies := []string{"00000000-0000-0000-0000-000000000000"}
	for _, tx := range hsds.Taxonomies() {
		taxonomies = append(taxonomies, strings.ToUpper(tx.ID))
	}
	hits := 0
	for i := range ps {
		p := &ps[i]
		svc := hsds.FromProvider(p)
		for _, id := range terms {
			got, want := hsds.ProviderHasTerm(p, id), svc.HasTerm(id)
			if got != want {
				t.Fatalf("%s: ProviderHasTerm(%s) = %v, the built service %v", p.Name, id, got, want)
			}
			if got {
				hits++
			}
		}
		for _, id := range taxonomies {
			if got, want := hsds.ProviderHasTaxonomy(p, id), svc.HasTaxonomy(id); got != want {
				t.Fatalf("%s: ProviderHasTaxonomy(%s) = %v, the built service %v", p.Name, id, got, want)
			}
		}
	}
	if hits < 1000 {
		t.Fatalf("only %d terms found: the test proves little", hits)
	}
}

// shortCutRecords are the records the short cuts are checked on: the seed,
// n generated ones, and one offering a service code outside the vocabulary.
func shortCutRecords(t *testing.T, n int) []directory.Provider {
	t.Helper()
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	ps = append(ps, synthtest.Directory(t, n)...)
	odd := ps[0]
	odd.Services = append(slices.Clone(odd.Services), directory.Service{Code: "not_a_code", Provision: "in_house"})
	return append(ps, odd)
}
