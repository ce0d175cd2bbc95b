package geo

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run gen_builtin.go
//go:generate go run ./internal/geonamesgen -in ../../../shared/geo/geonames-gb/zipcodes.gb.csv -out geonames.csv

// builtinCSV is the seed table, made by gen_builtin.go from the seed
// directory: columns kind (district or town), name, lat, lon, district (a
// town's central district), town and source (seed, approx, known or alias).
//
//go:embed builtin.csv
var builtinCSV string

// geonamesCSV is every UK postcode district and place name, made by
// internal/geonamesgen from GeoNames (geonames.org, CC BY 4.0; see NOTICE):
// columns kind (district or place), name, lat, lon, district (a place's
// district) and town (a district's main place).
//
//go:embed geonames.csv
var geonamesCSV string

// builtinTable parses the embedded tables once. Seed rows come first and win
// over GeoNames rows for the same district or town, so the districts and
// towns of the seed directory keep the positions and town names the seed
// was ranked by. A malformed table is a build defect that the package's
// tests catch, so it panics.
var builtinTable = sync.OnceValue(func() *Table {
	t, err := readBuiltin(strings.NewReader(builtinCSV), strings.NewReader(geonamesCSV))
	if err != nil {
		panic(err)
	}
	return t
})

// Builtin returns the geocoder over the built-in table only: every UK
// postcode district and place name from GeoNames, with the seed directory's
// districts and towns where they differ. It knows no full postcodes, so it
// places a full postcode at its district's centre.
func Builtin() Geocoder { return builtinTable() }

// builtinHeaders are the headers of the seed table and the GeoNames table.
var builtinHeaders = [][]string{
	{"kind", "name", "lat", "lon", "district", "town", "source"},
	{"kind", "name", "lat", "lon", "district", "town"},
}

// readBuiltin parses the built-in tables strictly, seed first: any bad row
// is an error.
func readBuiltin(seed, geonames io.Reader) (*Table, error) {
	bd := newBuilder(SourceBuiltin)
	// Sized for the tables, sparing the maps' growth while loading.
	bd.districts = make(map[string]districtInfo, 3200)
	bd.towns = make(map[string]townInfo, 24000)
	for i, r := range []io.Reader{seed, geonames} {
		if err := readBuiltinRows(bd, r, builtinHeaders[i]); err != nil {
			return nil, err
		}
	}
	t := bd.build()
	for key, tw := range t.towns {
		if _, ok := t.districts[tw.district]; tw.district != "" && !ok {
			return nil, fmt.Errorf("geo: builtin table: town %q names unknown district %s", key, tw.district)
		}
	}
	return t, nil
}

// readBuiltinRows adds one table's rows to bd. A district's town is set only
// by its first table; a place row without a town column is its own name.
func readBuiltinRows(bd *builder, r io.Reader, want []string) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil || !slices.Equal(head, want) {
		return fmt.Errorf("geo: builtin table: header is not %s", strings.Join(want, ","))
	}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("geo: builtin table: %w", err)
		}
		lat, err1 := strconv.ParseFloat(row[2], 64)
		lon, err2 := strconv.ParseFloat(row[3], 64)
		if err1 != nil || err2 != nil || lat < minLat || lat > maxLat || lon < minLon || lon > maxLon {
			return fmt.Errorf("geo: builtin table line %d: bad position %q, %q", line, row[2], row[3])
		}
		switch row[0] {
		case "district":
			full, code, err := ParsePostcode(row[1])
			if err != nil || full != "" || code != row[1] {
				return fmt.Errorf("geo: builtin table line %d: %q is not a normal district", line, row[1])
			}
			bd.addDistrict(code, lat, lon)
			if _, ok := bd.distTown[code]; !ok && row[5] != "" {
				bd.distTown[code] = strings.Clone(row[5])
			}
		case "town", "place":
			name := row[5]
			if row[0] == "place" {
				name = row[1]
			}
			key, err := townKey(row[1])
			if err != nil || name == "" {
				return fmt.Errorf("geo: builtin table line %d: bad town %q (%q)", line, row[1], name)
			}
			if _, dup := bd.towns[key]; !dup {
				bd.addTown(key, townInfo{lat: lat, lon: lon, name: strings.Clone(name), district: strings.Clone(row[4])})
			}
		default:
			return fmt.Errorf("geo: builtin table line %d: kind %q is not district, town or place", line, row[0])
		}
	}
}
