package geo

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Table is a Geocoder over an in-memory table of postcodes, district centres
// and towns, loaded from a CSV file (LoadFile, ReadCSV) or built in
// (Builtin). It is safe for concurrent use; it never changes after loading.
//
// Full postcodes are stored as a sorted slice of packed keys and float32
// points (16 bytes each, about 42 MB for the 2.6 million rows of the ONS
// Postcode Directory) and found by binary search. Nearest scans the district
// centres linearly: a few thousand at most, so a few microseconds, and
// millions of full postcodes never take part.
type Table struct {
	source    string
	postcodes []postcodeEntry // sorted by key
	districts map[string]districtInfo
	centres   []centre // every district, sorted by code, for Nearest
	towns     map[string]townInfo
	skipped   int
}

// postcodeEntry is one full postcode: its packed key and where it is.
type postcodeEntry struct {
	key      uint64
	lat, lon float32
}

type districtInfo struct {
	lat, lon float64
	town     string
}

type townInfo struct {
	lat, lon float64
	name     string // as first written, e.g. "Newcastle upon Tyne"
	district string // the district at the town's centre, "" if unknown
}

// Postcode resolves a full postcode, or an outward code, from the table. A
// full postcode not in the table is placed at its district's centre when the
// district is known. See Geocoder for the errors.
func (t *Table) Postcode(ctx context.Context, postcode string) (Place, error) {
	return resolvePostcode(ctx, []source{t}, postcode)
}

// Town resolves a town name from the table. See Geocoder for the errors.
func (t *Table) Town(ctx context.Context, name string) (Place, error) {
	return resolveTown(ctx, []source{t}, name)
}

// Nearest returns the table's district closest to a point. See Geocoder.
func (t *Table) Nearest(_ context.Context, lat, lon float64) (Place, error) {
	return resolveNearest([]source{t}, lat, lon)
}

// Skipped returns how many data rows were skipped when loading: malformed
// rows and rows without a usable position (such as terminated postcodes with
// latitude 99.999999).
func (t *Table) Skipped() int { return t.skipped }

// Len returns how many full postcodes, districts and town names the table
// holds.
func (t *Table) Len() (postcodes, districts, towns int) {
	return len(t.postcodes), len(t.districts), len(t.towns)
}

func (t *Table) exact(_ context.Context, full string) (Place, error) {
	b, n, out, ok := splitPostcode(full)
	if ok && out < n {
		key := packPostcode(b, n)
		if i, found := slices.BinarySearchFunc(t.postcodes, key, func(e postcodeEntry, k uint64) int { return cmp.Compare(e.key, k) }); found {
			e := t.postcodes[i]
			code := string(b[:out])
			return Place{
				Lat: round5(float64(e.lat)), Lon: round5(float64(e.lon)),
				Postcode: full, District: code, Town: t.districts[code].town, Source: t.source,
			}, nil
		}
	}
	return Place{}, fmt.Errorf("geo: postcode %s: %w", full, directory.ErrNotFound)
}

func (t *Table) district(_ context.Context, code string) (Place, error) {
	d, ok := t.districts[code]
	if !ok {
		return Place{}, fmt.Errorf("geo: postcode district %s: %w", code, directory.ErrNotFound)
	}
	return Place{Lat: d.lat, Lon: d.lon, District: code, Town: d.town, Source: t.source}, nil
}

func (t *Table) town(_ context.Context, key string) (Place, error) {
	tw, ok := t.towns[key]
	if !ok {
		return Place{}, fmt.Errorf("geo: town %q: %w", key, directory.ErrNotFound)
	}
	return Place{Lat: tw.lat, Lon: tw.lon, District: tw.district, Town: tw.name, Source: t.source}, nil
}

// nearest scans every district centre. It ranks them by an equirectangular
// approximation (no trigonometry in the loop, ten times faster than
// haversine; exact enough to rank points within the UK) and measures only the
// winner by great circle.
func (t *Table) nearest(lat, lon float64) (centre, float64, bool) {
	best, bestD2 := -1, math.Inf(1)
	k := math.Cos(lat * math.Pi / 180)
	for i, c := range t.centres {
		dx, dy := (c.lon-lon)*k, c.lat-lat
		if d2 := dx*dx + dy*dy; d2 < bestD2 {
			best, bestD2 = i, d2
		}
	}
	if best < 0 {
		return centre{}, 0, false
	}
	c := t.centres[best]
	return c, directory.DistanceKm(directory.LatLon{Lat: lat, Lon: lon}, directory.LatLon{Lat: c.lat, Lon: c.lon}), true
}

// packPostcode packs an upper-case postcode without its space (at most seven
// ASCII bytes) into a uint64. The first byte is a letter, never zero, so
// postcodes of different lengths cannot collide.
func packPostcode(b [7]byte, n int) uint64 {
	var k uint64
	for _, c := range b[:n] {
		k = k<<8 | uint64(c)
	}
	return k
}

// round5 rounds a float32 coordinate to five decimal places (about 1 m), the
// precision float32 holds at UK latitudes, hiding its noise ("53.79600143"
// becomes "53.796").
func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }

// round6 rounds to six decimal places (about 0.1 m), hiding the noise of
// averaging.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
