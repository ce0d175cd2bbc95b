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

// builtinCSV is the built-in table, made by gen_builtin.go from the seed
// directory: columns kind (district or town), name, lat, lon, district (a
// town's central district), town and source (seed, approx, known or alias).
//
//go:embed builtin.csv
var builtinCSV string

// builtinTable parses the embedded table once. A malformed table is a build
// defect that the package's tests catch, so it panics.
var builtinTable = sync.OnceValue(func() *Table {
	t, err := readBuiltin(strings.NewReader(builtinCSV))
	if err != nil {
		panic(err)
	}
	return t
})

// Builtin returns the geocoder over the built-in table only: the postcode
// districts and towns of the seed directory's areas. It knows no full
// postcodes, so it places a full postcode at its district's centre.
func Builtin() Geocoder { return builtinTable() }

// readBuiltin parses the built-in table strictly: any bad row is an error.
func readBuiltin(r io.Reader) (*Table, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("geo: builtin table: %w", err)
	}
	want := []string{"kind", "name", "lat", "lon", "district", "town", "source"}
	if len(rows) == 0 || !slices.Equal(rows[0], want) {
		return nil, fmt.Errorf("geo: builtin table: header is not %s", strings.Join(want, ","))
	}
	bd := newBuilder(SourceBuiltin)
	for i, row := range rows[1:] {
		line := i + 2
		lat, err1 := strconv.ParseFloat(row[2], 64)
		lon, err2 := strconv.ParseFloat(row[3], 64)
		if err1 != nil || err2 != nil || lat < minLat || lat > maxLat || lon < minLon || lon > maxLon {
			return nil, fmt.Errorf("geo: builtin table line %d: bad position %q, %q", line, row[2], row[3])
		}
		switch row[0] {
		case "district":
			full, code, err := ParsePostcode(row[1])
			if err != nil || full != "" || code != row[1] {
				return nil, fmt.Errorf("geo: builtin table line %d: %q is not a normal district", line, row[1])
			}
			bd.addDistrict(code, lat, lon)
			if row[5] != "" {
				bd.distTown[code] = row[5]
			}
		case "town":
			key, err := townKey(row[1])
			if err != nil || row[5] == "" {
				return nil, fmt.Errorf("geo: builtin table line %d: bad town %q (%q)", line, row[1], row[5])
			}
			bd.addTown(key, townInfo{lat: lat, lon: lon, name: row[5], district: row[4]})
		default:
			return nil, fmt.Errorf("geo: builtin table line %d: kind %q is not district or town", line, row[0])
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
