// Command geonamesgen writes internal/geo/geonames.csv, the built-in table of
// every UK postcode district and the places in it, from the GeoNames postal
// code extract kept beside the project (GeoNames, geonames.org, CC BY 4.0; see
// the NOTICE file). Run it from the repository root:
//
//	go run ./internal/geo/internal/geonamesgen
//
// or through `go generate ./internal/geo/`. The output is sorted, so running
// it twice over the same input gives the same bytes and CI can check for
// drift.
//
// The table has the built-in table's first six columns (kind, name, lat, lon,
// district, town):
//
//   - a district row for every outward code, at the mean position of the
//     places GeoNames lists in it; its town is the place in it that the most
//     districts of the same postcode area name (so LS6 is "Leeds", TR18
//     "Penzance"), ties going to the place nearest the district's centre,
//     then to the first by name;
//   - a place row for every place name. Places of the same name (ignoring
//     case and punctuation, as geo's town lookup does) whose positions chain
//     together in steps of at most clusterKm are one place, such as Leeds
//     across its LS districts; when a name belongs to several such places
//     (Newport in Wales, Shropshire, the Isle of Wight...), the one spread
//     over the most districts keeps the name, ties going to the one whose
//     first district sorts first. A place sits at the mean position of its
//     rows, and its district is the one whose row is nearest that mean.
package main

import (
	"cmp"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// clusterKm is the longest step between rows of one place. Districts of one
// town are a few kilometres apart; towns sharing a name are rarely this close.
const clusterKm = 15

// The UK and the Channel Islands, generously, as geo's loaders check: a row
// outside is a data error.
const (
	minLat, maxLat = 49.0, 61.5
	minLon, maxLon = -9.0, 3.0
)

var outward = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?$`)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "geonamesgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("geonamesgen", flag.ContinueOnError)
	in := fs.String("in", "../shared/geo/geonames-gb/zipcodes.gb.csv", "GeoNames GB postal codes as CSV")
	out := fs.String("out", "internal/geo/geonames.csv", "table to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := read(f)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	rows := table(recs)
	w, err := os.Create(*out)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	districts := 0
	for _, r := range rows[1:] {
		if r[0] == "district" {
			districts++
		}
	}
	fmt.Fprintf(stdout, "%s: %d districts, %d place names\n", *out, districts, len(rows)-1-districts)
	return nil
}

// rec is one GeoNames row: a place in a district.
type rec struct {
	district, place, key string
	lat, lon             float64
}

func read(r io.Reader) ([]rec, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, h := range []string{"zipcode", "place", "latitude", "longitude"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("no %q column", h)
		}
	}
	var recs []rec
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		r := rec{district: strings.TrimSpace(row[col["zipcode"]]), place: strings.Join(strings.Fields(row[col["place"]]), " ")}
		r.key = key(r.place)
		lat, err1 := strconv.ParseFloat(row[col["latitude"]], 64)
		lon, err2 := strconv.ParseFloat(row[col["longitude"]], 64)
		switch {
		case !outward.MatchString(r.district):
			return nil, fmt.Errorf("line %d: %q is not a postcode district", line, r.district)
		case r.key == "":
			return nil, fmt.Errorf("line %d: no place name", line)
		case err1 != nil || err2 != nil || lat < minLat || lat > maxLat || lon < minLon || lon > maxLon:
			return nil, fmt.Errorf("line %d: bad position %q, %q", line, row[col["latitude"]], row[col["longitude"]])
		}
		r.lat, r.lon = lat, lon
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil, errors.New("no rows")
	}
	return recs, nil
}

// key is geo's town key (townKey in internal/geo/resolve.go): lower case,
// hyphens as spaces, full stops and apostrophes dropped, single spaces.
func key(name string) string {
	name = strings.NewReplacer("-", " ", ".", "", "'", "", "\u2019", "").Replace(strings.ToLower(name))
	return strings.Join(strings.Fields(name), " ")
}

func table(recs []rec) [][]string {
	slices.SortFunc(recs, func(a, b rec) int {
		return cmp.Or(districtCmp(a.district, b.district), cmp.Compare(a.place, b.place),
			cmp.Compare(a.lat, b.lat), cmp.Compare(a.lon, b.lon))
	})
	rows := [][]string{{"kind", "name", "lat", "lon", "district", "town"}}

	// How many districts of each postcode area name each place.
	areaNames := map[string]map[string]bool{} // area+" "+key -> districts
	for _, r := range recs {
		k := letters(r.district) + " " + r.key
		if areaNames[k] == nil {
			areaNames[k] = map[string]bool{}
		}
		areaNames[k][r.district] = true
	}
	for i := 0; i < len(recs); {
		j := i
		for j < len(recs) && recs[j].district == recs[i].district {
			j++
		}
		in := recs[i:j]
		lat, lon := mean(in)
		best, bestN, bestKm := in[0], -1, math.Inf(1)
		for _, r := range in {
			n := len(areaNames[letters(r.district)+" "+r.key])
			km := distKm(lat, lon, r.lat, r.lon)
			if n > bestN || n == bestN && km < bestKm {
				best, bestN, bestKm = r, n, km
			}
		}
		rows = append(rows, []string{"district", in[0].district, ff(lat), ff(lon), "", best.place})
		i = j
	}

	byKey := map[string][]rec{}
	for _, r := range recs {
		byKey[r.key] = append(byKey[r.key], r)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c := largestCluster(byKey[k])
		lat, lon := mean(c)
		at, atKm := c[0], math.Inf(1)
		for _, r := range c {
			if km := distKm(lat, lon, r.lat, r.lon); km < atKm {
				at, atKm = r, km
			}
		}
		rows = append(rows, []string{"place", c[0].place, ff(lat), ff(lon), at.district, ""})
	}
	return rows
}

// largestCluster splits rows (in district order) into places whose rows
// chain together in steps of at most clusterKm, and returns the one with
// the most districts, the first on a tie.
func largestCluster(rs []rec) []rec {
	n := len(rs)
	group := make([]int, n)
	for i := range group {
		group[i] = i
	}
	find := func(i int) int {
		for group[i] != i {
			i = group[i]
		}
		return i
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			if distKm(rs[i].lat, rs[i].lon, rs[j].lat, rs[j].lon) <= clusterKm {
				a, b := find(i), find(j)
				group[max(a, b)] = min(a, b)
			}
		}
	}
	districts := map[int]map[string]bool{}
	for i := range rs {
		g := find(i)
		if districts[g] == nil {
			districts[g] = map[string]bool{}
		}
		districts[g][rs[i].district] = true
	}
	best := -1
	for i := range rs { // roots in order of their first row
		if g := find(i); g == i && (best < 0 || len(districts[g]) > len(districts[best])) {
			best = g
		}
	}
	var out []rec
	for i := range rs {
		if find(i) == best {
			out = append(out, rs[i])
		}
	}
	return out
}

func mean(rs []rec) (lat, lon float64) {
	for _, r := range rs {
		lat, lon = lat+r.lat, lon+r.lon
	}
	return lat / float64(len(rs)), lon / float64(len(rs))
}

// distKm is the great-circle distance (haversine, mean Earth radius).
func distKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// districtCmp orders districts by area, then number ("LS2" before "LS10").
func districtCmp(a, b string) int {
	la, lb := letters(a), letters(b)
	if c := cmp.Compare(la, lb); c != 0 {
		return c
	}
	na, _ := strconv.Atoi(strings.TrimRight(a[len(la):], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	nb, _ := strconv.Atoi(strings.TrimRight(b[len(lb):], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	return cmp.Or(cmp.Compare(na, nb), cmp.Compare(a, b))
}

// letters is a district's postcode area, its leading letters ("LS" of
// "LS6", "SW" of "SW1A").
func letters(d string) string {
	i := strings.IndexAny(d, "0123456789")
	if i < 0 {
		return d
	}
	return d[:i]
}

// ff writes a coordinate to four decimal places, about 10 m: GeoNames gives
// at most four.
func ff(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
