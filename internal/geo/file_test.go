package geo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/geo"
)

// onspd is an ONS Postcode Directory style extract: full postcodes, a
// terminated postcode with no grid reference, and two malformed rows.
const onspd = `pcd,pcd2,pcds,dointr,doterm,lat,long
LS6 1AN,LS6  1AN,LS6 1AN,198001,,53.8200,-1.5800
LS6 2AA,LS6  2AA,LS6 2AA,198001,,53.8300,-1.5600
LS6 9ZZ,LS6  9ZZ,LS6 9ZZ,198001,200012,99.999999,0.000000
LS1 1UR,LS1  1UR,LS1 1UR,198001,,53.7960,-1.5470
BAD,BAD,not a postcode,198001,,53.8,-1.5
LS2 7UA,LS2  7UA,LS2 7UA,198001,,north,-1.5
`

// outcodes is an outward-code file in the layout of the shared reference.
const outcodes = `postcode,easting,northing,latitude,longitude,city,county,country_code,country_name,iso3166-2,region_code,region_name
LS6,427000,436000,53.8190,-1.5770,Leeds,West Yorkshire,ENG,England,GB-ENG,YH,Yorkshire
LS1,430000,433500,53.7960,-1.5470,Leeds,West Yorkshire,ENG,England,GB-ENG,YH,Yorkshire
BD1,416000,433000,53.7940,-1.7520,Bradford,West Yorkshire,ENG,England,GB-ENG,YH,Yorkshire
HG3,420000,460000,54.0300,-1.6800,,North Yorkshire,ENG,England,GB-ENG,YH,Yorkshire
`

func TestReadCSVONSPD(t *testing.T) {
	tab, err := geo.ReadCSV(strings.NewReader(onspd))
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Skipped(); got != 3 {
		t.Errorf("Skipped() = %d, want 3 (terminated, bad postcode, bad latitude)", got)
	}
	pcs, ds, towns := tab.Len()
	if diff := cmp.Diff([3]int{3, 2, 0}, [3]int{pcs, ds, towns}); diff != "" {
		t.Errorf("Len() (-want +got):\n%s", diff)
	}
	ctx := context.Background()
	tests := []struct {
		in   string
		want geo.Place
	}{
		{"ls61an", geo.Place{Lat: 53.82, Lon: -1.58, Postcode: "LS6 1AN", District: "LS6", Source: "postcode_file"}},
		{"LS1 1UR", geo.Place{Lat: 53.796, Lon: -1.547, Postcode: "LS1 1UR", District: "LS1", Source: "postcode_file"}},
		// A district's centre is the mean of its postcodes.
		{"LS6", geo.Place{Lat: 53.825, Lon: -1.57, District: "LS6", Source: "postcode_file"}},
		// An unknown postcode in a known district sits at the district centre.
		{"LS6 9ZZ", geo.Place{Lat: 53.825, Lon: -1.57, Postcode: "LS6 9ZZ", District: "LS6", Source: "postcode_file"}},
	}
	for _, tt := range tests {
		got, err := tab.Postcode(ctx, tt.in)
		if err != nil {
			t.Errorf("Postcode(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Postcode(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, in := range []string{"LS2 7UA", "LS2", "BD1 1AA"} {
		if _, err := tab.Postcode(ctx, in); !errors.Is(err, directory.ErrNotFound) {
			t.Errorf("Postcode(%q) error = %v, want ErrNotFound", in, err)
		}
	}
	if _, err := tab.Town(ctx, "Leeds"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("Town(Leeds) error = %v, want ErrNotFound (ONSPD has no town column)", err)
	}
}

func TestReadCSVOutcodes(t *testing.T) {
	tab, err := geo.ReadCSV(strings.NewReader(outcodes))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := tab.Postcode(ctx, "bd1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(geo.Place{Lat: 53.794, Lon: -1.752, District: "BD1", Town: "Bradford", Source: "postcode_file"}, got); diff != "" {
		t.Errorf("Postcode(bd1) (-want +got):\n%s", diff)
	}
	if got, err := tab.Postcode(ctx, "HG3"); err != nil || got.Town != "" {
		t.Errorf("Postcode(HG3) = %+v, %v; want no town", got, err)
	}
	// A town sits at the mean of its districts, and names the nearer one.
	got, err = tab.Town(ctx, " LEEDS ")
	if err != nil {
		t.Fatal(err)
	}
	if got.District != "LS1" && got.District != "LS6" {
		t.Errorf("Town(LEEDS) district = %q, want LS1 or LS6", got.District)
	}
	if diff := cmp.Diff(geo.Place{Lat: 53.8075, Lon: -1.562, District: got.District, Town: "Leeds", Source: "postcode_file"}, got); diff != "" {
		t.Errorf("Town(LEEDS) (-want +got):\n%s", diff)
	}
	got, err = tab.Nearest(ctx, 53.80, -1.75)
	if err != nil {
		t.Fatal(err)
	}
	if got.District != "BD1" || got.Town != "Bradford" || got.Source != "coordinates" {
		t.Errorf("Nearest(Bradford) = %+v, want BD1 Bradford", got)
	}
}

func TestReadCSVUnusable(t *testing.T) {
	tests := []struct {
		name, csv string
		want      []string // substrings of the error
	}{
		{"empty", "", []string{"empty"}},
		{"no postcode column", "code,lat,long\nLS6,53.8,-1.5\n", []string{"pcds", "code, lat, long"}},
		{"no longitude column", "pcds,lat,east\nLS6 1AN,53.8,-1.5\n", []string{"long", "longitude"}},
		{"header only", "pcds,lat,long\n", []string{"no usable rows", "0 data rows"}},
		{"every row bad", "pcds,lat,long\nnope,53.8,-1.5\nLS6 1AN,x,y\nLS6 1AN\nLS6 \"1AN,53.8,-1.5\n", []string{
			"4 data rows", `line 2: malformed postcode "nope"`, `line 3: malformed position "x", "y"`, "line 4: 1 columns, want at least 3",
			`line 5: bare "`,
		}},
		{"only positions outside the UK", "pcds,lat,long\nLS6 1AN,99.999999,0\n", []string{"none with a UK position"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := geo.ReadCSV(strings.NewReader(tt.csv))
			if err == nil {
				t.Fatalf("ReadCSV succeeded with %+v", tab)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	path := writeTemp(t, "postcodes.csv", "\ufeffPCDS,Lat,Long\nLS6 1AN,53.82,-1.58\n")
	tab, err := geo.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tab.Postcode(context.Background(), "LS6 1AN"); err != nil || got.Lat != 53.82 {
		t.Errorf("Postcode = %+v, %v", got, err)
	}
	if _, err := geo.LoadFile(filepath.Join(t.TempDir(), "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile(missing) error = %v, want os.ErrNotExist", err)
	}
}

func TestLoadFileOutcodesReference(t *testing.T) {
	start := time.Now()
	tab := loadOutcodes(t)
	elapsed := time.Since(start)
	t.Logf("loaded %s in %v", outcodesFile, elapsed)
	if elapsed > 500*time.Millisecond {
		t.Errorf("loading took %v, want well under a second", elapsed)
	}
	_, districts, towns := tab.Len()
	if districts < 2800 || towns < 100 {
		t.Errorf("Len() = %d districts, %d towns; want about 2,848 districts", districts, towns)
	}
	ctx := context.Background()
	got, err := tab.Postcode(ctx, "ls6 1an")
	if err != nil {
		t.Fatal(err)
	}
	leeds := geo.Place{Lat: 53.8, Lon: -1.55}
	if got.District != "LS6" || got.Postcode != "LS6 1AN" || distance(got, leeds) > 5 {
		t.Errorf("Postcode(ls6 1an) = %+v, want LS6 within 5 km of Leeds centre", got)
	}
	got, err = tab.Nearest(ctx, 51.5074, -0.1278) // Charing Cross
	if err != nil {
		t.Fatal(err)
	}
	if got.District == "" || !strings.ContainsAny(got.District[:1], "NSEW") {
		t.Errorf("Nearest(central London) = %+v, want a London district", got)
	}
	if _, err := tab.Postcode(ctx, "ZZ9"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("Postcode(ZZ9) error = %v, want ErrNotFound", err)
	}
}

func BenchmarkLoadFileOutcodes(b *testing.B) {
	loadOutcodes(b)
	for b.Loop() {
		if _, err := geo.LoadFile(outcodesFile); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNearestOutcodes(b *testing.B) {
	tab := loadOutcodes(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := tab.Nearest(ctx, 53.8, -1.55); err != nil {
			b.Fatal(err)
		}
	}
}

// writeTemp writes content to a file in a fresh temporary directory.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
