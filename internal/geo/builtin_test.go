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
	for _, pc := range []string{"ZE1", "ZE1 0AA", "LS99", "GIR 0AA"} {
		if p, err := g.Postcode(context.Background(), pc); !errors.Is(err, directory.ErrNotFound) {
			t.Errorf("Postcode(%q) = %+v, %v; want ErrNotFound", pc, p, err)
		}
	}
	for _, town := range []string{"Lerwick", "Leeds Leeds", "Newcastle-under-Lyme"} {
		if p, err := g.Town(context.Background(), town); !errors.Is(err, directory.ErrNotFound) {
			t.Errorf("Town(%q) = %+v, %v; want ErrNotFound", town, p, err)
		}
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
		{"Leeds city centre", 53.7960, -1.5470, "LS1", "Leeds"},
		{"Headingley", 53.8190, -1.5770, "LS6", "Leeds"},
		{"Penrith", 54.6640, -2.7520, "CA11", "Penrith"},
		{"London, far from every seed district", 51.5074, -0.1278, "", ""},
		{"Aberdeen", 57.1497, -2.0943, "", ""},
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
