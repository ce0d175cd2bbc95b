package geo_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/geo"
)

// chainFile knows BD1 and LS6 as districts and one full postcode in LS1.
const chainFile = `postcode,latitude,longitude,city
BD1,53.7900,-1.7500,Bradford
LS6,53.8100,-1.5900,Leeds
LS1 1UR,53.7960,-1.5470,Leeds
`

// newChain returns New over a postcode file, the fake postcode service and
// the built-in table, with the fake for inspecting requests.
func newChain(t *testing.T) (geo.Geocoder, *fakePostcodes) {
	t.Helper()
	f, _, url := newFake(t)
	g, err := geo.New(geo.Config{
		PostcodesFile: writeTemp(t, "postcodes.csv", chainFile),
		HTTPURL:       url,
		HTTPClient:    &http.Client{Timeout: 200 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	return g, f
}

func TestNewPostcodeOrder(t *testing.T) {
	g, f := newChain(t)
	tests := []struct {
		name, in         string
		source, district string
		postcode         string
		lat              float64 // checked when not zero
		paths            []string
	}{
		{"file first", "bd1", "postcode_file", "BD1", "", 53.79, nil},
		{"file's exact postcode", "LS1 1UR", "postcode_file", "LS1", "LS1 1UR", 53.796, nil},
		{"service's exact postcode beats the file's district", "LS6 1AN", "http", "LS6", "LS6 1AN", 53.8192, []string{"/postcodes/LS6%201AN"}},
		{"file's district when nobody knows the postcode", "LS6 9ZZ", "postcode_file", "LS6", "LS6 9ZZ", 53.81, []string{"/postcodes/LS6%209ZZ"}},
		{"service when the file does not know", "HG3", "http", "HG3", "", 54.03, []string{"/outcodes/HG3"}},
		{"built-in when neither knows", "NE28", "builtin", "NE28", "", 0, []string{"/outcodes/NE28"}},
		{"built-in when the service fails", "CA11", "builtin", "CA11", "", 0, []string{"/outcodes/CA11"}},
		{"failed service not asked twice", "CA11 0AA", "builtin", "CA11", "CA11 0AA", 0, []string{"/postcodes/CA11%200AA"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.asked()
			got, err := g.Postcode(context.Background(), tt.in)
			if err != nil {
				t.Fatalf("Postcode(%q): %v", tt.in, err)
			}
			if got.Source != tt.source || got.District != tt.district || got.Postcode != tt.postcode {
				t.Errorf("Postcode(%q) = %+v, want source %s district %s postcode %q", tt.in, got, tt.source, tt.district, tt.postcode)
			}
			if tt.lat != 0 && math.Abs(got.Lat-tt.lat) > 1e-9 {
				t.Errorf("Postcode(%q) lat = %v, want %v", tt.in, got.Lat, tt.lat)
			}
			if diff := cmp.Diff(tt.paths, f.asked()); diff != "" {
				t.Errorf("service asked (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewPostcodeErrors(t *testing.T) {
	g, _ := newChain(t)
	tests := []struct {
		name, in string
		want     error
	}{
		{"nobody knows it", "ZZ9 9ZZ", directory.ErrNotFound},
		{"the service fails and nobody else knows it", "EE1", directory.ErrUnavailable},
		{"malformed", "LS6 1AN LS6", directory.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Postcode(context.Background(), tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Postcode(%q) = %+v, %v; want %v", tt.in, got, err, tt.want)
			}
			for _, other := range []error{directory.ErrNotFound, directory.ErrUnavailable, directory.ErrInvalid} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("error %v also matches %v", err, other)
				}
			}
		})
	}
}

func TestNewTownAndNearest(t *testing.T) {
	g, _ := newChain(t)
	ctx := context.Background()
	for _, tt := range []struct{ in, source, town string }{
		{"bradford", "postcode_file", "Bradford"},
		{"Leeds", "postcode_file", "Leeds"},
		{"Gateshead", "builtin", "Gateshead"},
	} {
		got, err := g.Town(ctx, tt.in)
		if err != nil || got.Source != tt.source || got.Town != tt.town {
			t.Errorf("Town(%q) = %+v, %v; want %s from %s", tt.in, got, err, tt.town, tt.source)
		}
	}
	if _, err := g.Town(ctx, "Atlantis"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("Town(Atlantis) error = %v, want ErrNotFound", err)
	}
	for _, tt := range []struct {
		lat, lon       float64
		district, town string
	}{
		{53.79, -1.74, "BD1", "Bradford"},    // the file's district
		{54.995, -1.52, "NE28", "Wallsend"},  // the built-in table's
		{53.811, -1.589, "LS6", "Leeds"},     // both know LS6; the file's is nearer
		{51.5074, -0.1278, "EC1A", "London"}, // only the built-in table knows London
		{55.5, 3.0, "", ""},                  // North Sea: nobody knows a district within 30 km
	} {
		got, err := g.Nearest(ctx, tt.lat, tt.lon)
		want := geo.Place{Lat: tt.lat, Lon: tt.lon, District: tt.district, Town: tt.town, Source: "coordinates"}
		if diff := cmp.Diff(want, got); err != nil || diff != "" {
			t.Errorf("Nearest(%v, %v) = %v (-want +got):\n%s", tt.lat, tt.lon, err, diff)
		}
	}
}

func TestNewConfig(t *testing.T) {
	g, err := geo.New(geo.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := g.Postcode(context.Background(), "LS6"); err != nil || got.Source != "builtin" {
		t.Errorf("empty config: Postcode(LS6) = %+v, %v; want the built-in table", got, err)
	}
	if _, err := geo.New(geo.Config{PostcodesFile: filepath.Join(t.TempDir(), "none.csv")}); err == nil {
		t.Error("New with a missing file succeeded")
	}
	if _, err := geo.New(geo.Config{PostcodesFile: writeTemp(t, "bad.csv", "a,b\n1,2\n")}); err == nil || !strings.Contains(err.Error(), "bad.csv") {
		t.Errorf("New with an unusable file: error %v, want one naming the file", err)
	}
	if _, err := geo.New(geo.Config{HTTPURL: "postcodes.io"}); err == nil {
		t.Error("New with a URL without a scheme succeeded")
	}
}
