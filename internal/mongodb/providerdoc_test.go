package mongodb

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

var update = flag.Bool("update", false, "rewrite testdata/provider.json from the current stored layout")

// goldenProvider sets every field of a provider, so that the stored layout
// goldens name every stored field.
func goldenProvider() directory.Provider {
	at := time.Date(2026, 3, 4, 5, 6, 7, 8e6, time.UTC)
	return directory.Provider{
		ID: "golden-1", Name: "Golden Works", Type: directory.TypeJobBroker, Status: directory.StatusPublished,
		Summary: "Every field set.",
		Organisation: directory.Organisation{
			Sector: "voluntary", JobcentrePlusRun: true, PartnershipMembers: []string{"Partner A"},
			Scale: "local", Website: "https://example.org", ContractStatus: directory.ContractActive,
		},
		Sites: []directory.Site{{
			ID: "site-1", Name: "City office", Kind: directory.SiteOffice,
			Address:       directory.Address{Lines: []string{"1 Park Row"}, Town: "Leeds", Postcode: "LS1 5AB"},
			Location:      &directory.LatLon{Lat: 53.7997, Lon: -1.5492},
			JobcentreDays: []string{"mon"},
			OpeningHours:  []directory.OpeningHours{{Day: "mon", Opens: "09:00", Closes: "17:00"}},
			Accessibility: []string{"step_free"},
		}, {
			ID: "site-2", Name: "Telephone", Kind: "remote",
		}},
		Coverage: directory.Coverage{
			National: true, Areas: []string{"Leeds"}, PostcodeDistricts: []string{"LS1"},
			Polygons: []directory.Polygon{{Type: "Polygon", Coordinates: [][][2]float64{
				{{-1.6, 53.7}, {-1.4, 53.7}, {-1.4, 53.9}, {-1.6, 53.9}, {-1.6, 53.7}},
				{{-1.55, 53.75}, {-1.5, 53.75}, {-1.5, 53.8}, {-1.55, 53.75}},
			}}},
			RadiusKm: 15.5, TravelsToClients: true, TravelRadiusKm: 20,
		},
		DeliveryModes:        []string{directory.ModeOffice},
		Services:             []directory.Service{{Code: "job_search", Provision: "partner", Partner: "P", Note: "N"}},
		Specialisms:          []string{"mental_health"},
		ServesOnly:           []string{"mental_health"},
		SevereConditions:     true,
		ServiceModel:         "caseworker",
		RegistrationApproach: "self_referral",
		OutOfScope:           []directory.Signpost{{Need: "debt", To: "Citizens Advice"}},
		Incentives: []directory.Incentive{{
			Kind: "job_entry_payment", Recipient: "client", AmountPence: 10000, Trigger: "On starting work", Discretionary: true,
		}},
		InWorkSupport: directory.InWorkSupport{Offered: true, Model: "m", Weeks: 26, EmployerMediation: true, Disclosure: "d"},
		Capacity:      directory.Capacity{TakingNewClients: true, WeeksToFirstAppointment: 2},
		Staffing:      directory.Staffing{AdviserModel: "one", ContactFrequencyDays: 14, CaseloadPerAdviser: 30},
		Accessibility: []string{"bsl"},
		Languages:     []string{"cy"},
		Contact: directory.Contact{
			Phone: "0113 000 0000", Freephone: true, Textphone: "18001", Email: "a@example.org", RegistrationByPost: true,
		},
		Performance: &directory.Performance{
			PeriodStart: "2025-04-01", PeriodEnd: "2026-03-31", Registrations: 120, JobEntries: 40,
			SustainedJobs: 30, SustainedWeeks: 13, LongTermClaimantPercent: 12, Note: "n",
		},
		Freshness: directory.Freshness{LastVerified: "2026-09-01", VerifiedBy: "test"},
		Version:   3, CreatedAt: at, UpdatedAt: at.Add(time.Hour),
	}
}

// readGolden decodes a stored provider document written as canonical
// extended JSON.
func readGolden(t *testing.T, name string) (bson.Raw, directory.Provider) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var raw bson.Raw
	if err := bson.UnmarshalExtJSON(b, true, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var doc providerDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if doc.ID != doc.Record.ID {
		t.Errorf("%s: _id %q, id %q", name, doc.ID, doc.Record.ID)
	}
	return raw, fromProviderRecord(&doc.Record)
}

// TestStoredLayoutV1 reads a provider document as the store wrote it before
// the stored types existed (the domain's json names, GeoJSON polygons:
// written by that code on a real MongoDB). A renamed stored field fails here.
func TestStoredLayoutV1(t *testing.T) {
	_, got := readGolden(t, "provider-v1.json")
	if diff := cmp.Diff(goldenProvider(), got); diff != "" {
		t.Errorf("decoded provider differs (-want +got):\n%s", diff)
	}
}

// TestStoredLayout checks what the store writes: testdata/provider.json,
// which reads back as the same provider and differs from the old layout
// only in the shape of polygons (go test -update rewrites it).
func TestStoredLayout(t *testing.T) {
	p := goldenProvider()
	written, err := bson.MarshalExtJSONIndent(toProviderDoc(&p), true, false, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	written = append(written, '\n')
	path := filepath.Join("testdata", "provider.json")
	if *update {
		if err := os.WriteFile(path, written, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, golden) {
		t.Errorf("the stored layout changed; if on purpose, keep old documents readable and run go test -update:\n%s",
			cmp.Diff(string(golden), string(written)))
	}
	raw, got := readGolden(t, "provider.json")
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("decoded provider differs (-want +got):\n%s", diff)
	}
	if strings.Contains(string(golden), `"coordinates"`) {
		t.Error("polygons are written in GeoJSON's nested arrays, which FerretDB refuses")
	}

	// Apart from polygons, the layout is the old one, field for field and
	// in order.
	old, _ := readGolden(t, "provider-v1.json")
	if diff := cmp.Diff(withoutPolygons(t, old), withoutPolygons(t, raw)); diff != "" {
		t.Errorf("stored layout differs from the old one other than in polygons (-old +new):\n%s", diff)
	}
}

// withoutPolygons returns the document as extended JSON with
// coverage.polygons removed.
func withoutPolygons(t *testing.T, raw bson.Raw) string {
	t.Helper()
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	for i, e := range d {
		if e.Key != "coverage" {
			continue
		}
		cov := e.Value.(bson.D)
		var kept bson.D
		for _, c := range cov {
			if c.Key != "polygons" {
				kept = append(kept, c)
			}
		}
		d[i].Value = kept
	}
	b, err := bson.MarshalExtJSONIndent(d, true, false, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStoredTagsAgree checks every stored type names each field the same
// for the driver (bson) and for the direct SQLite read (json).
func TestStoredTagsAgree(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var check func(reflect.Type)
	check = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ.PkgPath() != reflect.TypeFor[providerRecord]().PkgPath() || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			b, j := f.Tag.Get("bson"), f.Tag.Get("json")
			if b == "" || b != j {
				t.Errorf("%s.%s: bson tag %q, json tag %q", typ.Name(), f.Name, b, j)
			}
			check(f.Type)
		}
	}
	check(reflect.TypeFor[providerRecord]())
	check(reflect.TypeFor[actorDoc]())
	if len(seen) < 15 {
		t.Errorf("checked %d types; the walk missed some", len(seen))
	}
}
