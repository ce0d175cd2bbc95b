package geo_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/geo"
)

// outcodesFile is a third-party table of outward-code centres kept beside the
// project for tests and benchmarks only; no row of it is copied into the
// project.
const outcodesFile = "../../../shared/geo/outcodes.csv"

func TestBuiltinPostcode(t *testing.T) {
	g := geo.Builtin()
	tests := []struct {
		name string
		in   string
		want geo.Place
	}{
		{"district with seed sites", "ls6", geo.Place{District: "LS6", Town: "Leeds", Source: "builtin"}},
		{"district without seed sites", "NE28", geo.Place{District: "NE28", Town: "Wallsend", Source: "builtin"}},
		{"full postcode at its district's centre", "ls6 1an", geo.Place{Postcode: "LS6 1AN", District: "LS6", Town: "Leeds", Source: "builtin"}},
		{"Norwich east of Greenwich", "NR1 1AA", geo.Place{Postcode: "NR1 1AA", District: "NR1", Town: "Norwich", Source: "builtin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Postcode(context.Background(), tt.in)
			if err != nil {
				t.Fatalf("Postcode(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(geo.Place{}, "Lat", "Lon")); diff != "" {
				t.Errorf("Postcode(%q) (-want +got):\n%s", tt.in, diff)
			}
			district, err := g.Postcode(context.Background(), got.District)
			if err != nil {
				t.Fatal(err)
			}
			if got.Lat != district.Lat || got.Lon != district.Lon {
				t.Errorf("Postcode(%q) at %v,%v; want its district's centre %v,%v", tt.in, got.Lat, got.Lon, district.Lat, district.Lon)
			}
			if !inUK(got.Lat, got.Lon) {
				t.Errorf("Postcode(%q) at %v,%v, outside the UK", tt.in, got.Lat, got.Lon)
			}
		})
	}
}

func TestBuiltinTown(t *testing.T) {
	g := geo.Builtin()
	tests := []struct {
		in       string
		want     string
		district string
		lat, lon float64
	}{
		{"Leeds", "Leeds", "LS1", 53.7997, -1.5492},
		{"  leeds ", "Leeds", "LS1", 53.7997, -1.5492},
		{"NEWCASTLE", "Newcastle upon Tyne", "NE1", 54.9783, -1.6178},
		{"Newcastle-upon-Tyne", "Newcastle upon Tyne", "NE1", 54.9783, -1.6178},
		{"newcastle  upon tyne", "Newcastle upon Tyne", "NE1", 54.9783, -1.6178},
		{"City of Edinburgh", "Edinburgh", "EH1", 55.9533, -3.1883},
		{"Norwich", "Norwich", "NR2", 52.6309, 1.2974},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := g.Town(context.Background(), tt.in)
			if err != nil {
				t.Fatalf("Town(%q): %v", tt.in, err)
			}
			want := geo.Place{Lat: tt.lat, Lon: tt.lon, District: tt.district, Town: tt.want, Source: "builtin"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Town(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestBuiltinNotFound(t *testing.T) {
	g := geo.Builtin()
	// Well-formed postcodes of districts in no table: the area is unknown,
	// which is not the same as a typo.
	for _, pc := range []string{"ZZ9", "ZZ9 9ZZ", "QA1 1AA", "GIR 0AA"} {
		p, err := g.Postcode(context.Background(), pc)
		if !errors.Is(err, geo.ErrUnknownArea) || !errors.Is(err, directory.ErrNotFound) {
			t.Errorf("Postcode(%q) = %+v, %v; want ErrUnknownArea (and ErrNotFound)", pc, p, err)
		}
	}
	for _, town := range []string{"Atlantis", "Leeds Leeds", "Penzanse"} {
		p, err := g.Town(context.Background(), town)
		if !errors.Is(err, directory.ErrNotFound) || errors.Is(err, geo.ErrUnknownArea) {
			t.Errorf("Town(%q) = %+v, %v; want ErrNotFound, not ErrUnknownArea", town, p, err)
		}
	}
}

// TestBuiltinWholeUK checks places far from the seed directory's areas
// against their real positions (from maps, not from the table), so a
// regenerated table that moves or loses them fails.
func TestBuiltinWholeUK(t *testing.T) {
	g := geo.Builtin()
	ctx := context.Background()
	tests := []struct {
		name, in, district string
		town               bool
		lat, lon, withinKm float64
	}{
		{"Penzance postcode", "TR18 4AA", "TR18", false, 50.1186, -5.5372, 3},
		{"Buckingham Palace", "SW1A 1AA", "SW1A", false, 51.5014, -0.1419, 2},
		{"Bradford centre", "BD1 1AA", "BD1", false, 53.7950, -1.7520, 2},
		{"Lerwick district", "ze1", "ZE1", false, 60.1550, -1.1450, 10},
		{"Belfast district", "BT1", "BT1", false, 54.5970, -5.9300, 3},
		{"Penzance", "Penzance", "TR18", true, 50.1186, -5.5372, 2},
		{"Headingley", "headingley", "LS6", true, 53.8197, -1.5786, 2},
		{"Lerwick", "Lerwick", "ZE1", true, 60.1550, -1.1450, 2},
		// Newport names places in nine districts; the one in Wales spans
		// the most of them.
		{"Newport", "Newport", "", true, 51.5880, -2.9980, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got geo.Place
			var err error
			if tt.town {
				got, err = g.Town(ctx, tt.in)
			} else {
				got, err = g.Postcode(ctx, tt.in)
			}
			if err != nil {
				t.Fatalf("%q: %v", tt.in, err)
			}
			if tt.district != "" && got.District != tt.district {
				t.Errorf("%q: district %q, want %q", tt.in, got.District, tt.district)
			}
			if got.Source != geo.SourceBuiltin {
				t.Errorf("%q: source %q, want builtin", tt.in, got.Source)
			}
			if km := distance(got, geo.Place{Lat: tt.lat, Lon: tt.lon}); km > tt.withinKm {
				t.Errorf("%q at %.4f,%.4f: %.1f km from %.4f,%.4f, want within %g km", tt.in, got.Lat, got.Lon, km, tt.lat, tt.lon, tt.withinKm)
			}
		})
	}
	tab, ok := g.(*geo.Table)
	if !ok {
		t.Fatalf("Builtin() is a %T, want *geo.Table", g)
	}
	// GeoNames lists 3,002 districts; the seed adds none of its own.
	if _, districts, towns := tab.Len(); districts < 3000 || towns < 23000 {
		t.Errorf("built-in table has %d districts and %d town names; want every UK district and place", districts, towns)
	}
}

// TestBuiltinCoversSeed guards seed edits: every postcode district and town
// the seed directory mentions must resolve with the built-in geocoder, or the
// directory's own providers cannot be found. Fix a failure with
// `go generate ./internal/geo/` (and an approximate centre in gen_builtin.go).
func TestBuiltinCoversSeed(t *testing.T) {
	files, err := filepath.Glob("../../seed/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed files: %v", err)
	}
	g := geo.Builtin()
	ctx := context.Background()
	var districts, towns int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var providers []directory.Provider
		if err := json.Unmarshal(data, &providers); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range providers {
			for _, s := range p.Sites {
				if s.Address.Postcode != "" {
					districts++
					got, err := g.Postcode(ctx, s.Address.Postcode)
					if err != nil {
						t.Errorf("%s %s: site postcode %q: %v", filepath.Base(f), p.Name, s.Address.Postcode, err)
					} else if s.Location != nil {
						// The district centre should be near its own sites.
						if km := directory.DistanceKm(*s.Location, directory.LatLon{Lat: got.Lat, Lon: got.Lon}); km > 10 {
							t.Errorf("%s %s: site %q is %.1f km from its district centre", filepath.Base(f), p.Name, s.Address.Postcode, km)
						}
					}
				}
				if s.Address.Town != "" {
					towns++
					if _, err := g.Town(ctx, s.Address.Town); err != nil {
						t.Errorf("%s %s: site town %q: %v", filepath.Base(f), p.Name, s.Address.Town, err)
					}
				}
			}
			for _, d := range p.Coverage.PostcodeDistricts {
				districts++
				if got, err := g.Postcode(ctx, d); err != nil || got.District != strings.ToUpper(d) {
					t.Errorf("%s %s: coverage district %q: %+v, %v", filepath.Base(f), p.Name, d, got, err)
				}
			}
			for _, a := range p.Coverage.Areas {
				towns++
				if _, err := g.Town(ctx, a); err != nil {
					t.Errorf("%s %s: coverage area %q: %v", filepath.Base(f), p.Name, a, err)
				}
			}
		}
	}
	if districts < 100 || towns < 50 {
		t.Fatalf("checked only %d districts and %d towns; is the seed directory there?", districts, towns)
	}
}

// TestBuiltinNearReference checks the built-in centres, including the
// approximate ones, against a third-party table of outward-code centres:
// each district within 10 km, and each town within 10 km of its district.
func TestBuiltinNearReference(t *testing.T) {
	ref := loadOutcodes(t)
	g := geo.Builtin()
	ctx := context.Background()
	checked := 0
	for _, d := range builtinNames(t, "district") {
		got, err := g.Postcode(ctx, d)
		if err != nil {
			t.Fatalf("Postcode(%q): %v", d, err)
		}
		want, err := ref.Postcode(ctx, d)
		if errors.Is(err, directory.ErrNotFound) {
			t.Logf("reference has no %s (it is from 2014 and has gaps, such as NR7)", d)
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		checked++
		if km := distance(got, want); km > 10 {
			t.Errorf("district %s: built-in %.4f,%.4f is %.1f km from the reference", d, got.Lat, got.Lon, km)
		}
	}
	for _, name := range builtinNames(t, "town") {
		got, err := g.Town(ctx, name)
		if err != nil {
			t.Fatalf("Town(%q): %v", name, err)
		}
		if got.District == "" {
			continue
		}
		want, err := ref.Postcode(ctx, got.District)
		if err != nil {
			t.Errorf("reference has no %s: %v", got.District, err)
			continue
		}
		if km := distance(got, want); km > 10 {
			t.Errorf("town %q: %.1f km from the reference centre of %s", name, km, got.District)
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d districts", checked)
	}
}

func TestBuiltinNearest(t *testing.T) {
	g := geo.Builtin()
	tests := []struct {
		name           string
		lat, lon       float64
		district, town string
	}{
		// GeoNames puts LS1, LS2 and LS3 all at one point in the centre;
		// LS1 and LS2 keep the seed's positions, so LS3's is nearest.
		{"Leeds city centre", 53.7960, -1.5470, "LS3", "Leeds"},
		{"Headingley", 53.8190, -1.5770, "LS6", "Leeds"},
		{"Penrith", 54.6640, -2.7520, "CA11", "Penrith"},
		{"London", 51.5074, -0.1278, "EC1A", "London"},
		{"Aberdeen", 57.1437, -2.0981, "AB10", "Aberdeen"},
		{"North Sea, far from every district", 55.5, 3.0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Nearest(context.Background(), tt.lat, tt.lon)
			if err != nil {
				t.Fatal(err)
			}
			want := geo.Place{Lat: tt.lat, Lon: tt.lon, District: tt.district, Town: tt.town, Source: "coordinates"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Nearest(%v, %v) (-want +got):\n%s", tt.lat, tt.lon, diff)
			}
		})
	}
}

// builtinNames returns the names of one kind of row in builtin.csv.
func builtinNames(t *testing.T, kind string) []string {
	t.Helper()
	data, err := os.ReadFile("builtin.csv")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, kind+","); ok {
			name := strings.SplitN(rest, ",", 2)[0]
			if !strings.HasPrefix(name, `"`) {
				names = append(names, name)
			}
		}
	}
	if len(names) == 0 {
		t.Fatalf("builtin.csv has no %s rows", kind)
	}
	return names
}

// loadOutcodes loads the reference outward-code table, skipping the test
// when it is not beside the project.
func loadOutcodes(t testing.TB) *geo.Table {
	t.Helper()
	if _, err := os.Stat(outcodesFile); err != nil {
		t.Skipf("reference outward-code table %s is not present (it lives in the shared directory beside the project): %v", outcodesFile, err)
	}
	tab, err := geo.LoadFile(outcodesFile)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func distance(a, b geo.Place) float64 {
	return directory.DistanceKm(directory.LatLon{Lat: a.Lat, Lon: a.Lon}, directory.LatLon{Lat: b.Lat, Lon: b.Lon})
}

func inUK(lat, lon float64) bool { return lat > 49.8 && lat < 61 && lon > -8.8 && lon < 2 }
