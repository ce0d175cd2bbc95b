package synth

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// District is a postcode district (outward code) with its centre.
type District struct {
	Code     string
	Lat, Lon float64
	Town     string
}

// UK bounds, the same as directory validation uses.
const (
	minLat, maxLat = 49.8, 61.0
	minLon, maxLon = -8.8, 2.0
)

func inUK(lat, lon float64) bool {
	return lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon
}

// LoadDistricts reads a CSV with a header naming at least the columns
// postcode (the outward code), latitude and longitude, and optionally city:
// the layout of a public outcodes file
// (postcode,easting,northing,latitude,longitude,city,county,...). Column
// names are matched case-insensitively; "outcode", "lat", "lon" and "town"
// are accepted too.
//
// Rows with bad numbers, codes that are not valid districts
// (directory.ValidDistrict), points outside the UK bounds used by validation
// (which drops the Channel Islands) and repeated codes are skipped. It
// returns an error for a malformed CSV, a missing column, or no usable row.
func LoadDistricts(r io.Reader) ([]District, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("synth: reading districts header: %w", err)
	}
	col := func(names ...string) int {
		for i, h := range header {
			h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
			if slices.Contains(names, h) {
				return i
			}
		}
		return -1
	}
	iCode, iLat, iLon := col("postcode", "outcode", "district"), col("latitude", "lat"), col("longitude", "lon", "lng")
	iTown := col("city", "town")
	if iCode < 0 || iLat < 0 || iLon < 0 {
		return nil, errors.New("synth: districts CSV needs postcode, latitude and longitude columns")
	}
	need := max(iCode, iLat, iLon)
	var out []District
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("synth: reading districts: %w", err)
		}
		if len(rec) <= need {
			continue
		}
		code := strings.ToUpper(strings.TrimSpace(rec[iCode]))
		lat, errLat := strconv.ParseFloat(strings.TrimSpace(rec[iLat]), 64)
		lon, errLon := strconv.ParseFloat(strings.TrimSpace(rec[iLon]), 64)
		if errLat != nil || errLon != nil || !directory.ValidDistrict(code) || !inUK(lat, lon) || seen[code] {
			continue
		}
		seen[code] = true
		d := District{Code: code, Lat: lat, Lon: lon}
		if iTown >= 0 && iTown < len(rec) {
			d.Town = strings.TrimSpace(rec[iTown])
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, errors.New("synth: no usable districts in the CSV")
	}
	return out, nil
}

// SeedDistricts derives districts from a loaded seed directory, for when no
// CSV is given: the outward codes of site postcodes, each placed at the mean
// of its sites' coordinates and named after its commonest site town. Sites
// without a postcode or a location are ignored. The result is sorted by code.
func SeedDistricts(providers []directory.Provider) []District {
	type acc struct {
		lat, lon float64
		n        int
		towns    map[string]int
	}
	by := map[string]*acc{}
	for i := range providers {
		for _, s := range providers[i].Sites {
			pc := directory.NormalizePostcode(s.Address.Postcode)
			if s.Location == nil || !directory.ValidPostcode(pc) || !inUK(s.Location.Lat, s.Location.Lon) {
				continue
			}
			code := pc[:strings.IndexByte(pc, ' ')]
			a := by[code]
			if a == nil {
				a = &acc{towns: map[string]int{}}
				by[code] = a
			}
			a.lat += s.Location.Lat
			a.lon += s.Location.Lon
			a.n++
			if s.Address.Town != "" {
				a.towns[s.Address.Town]++
			}
		}
	}
	out := make([]District, 0, len(by))
	for code, a := range by {
		d := District{Code: code, Lat: a.lat / float64(a.n), Lon: a.lon / float64(a.n)}
		best := 0
		for town, n := range a.towns {
			// Ties go to the alphabetically first town, so map order never
			// shows in the result.
			if n > best || (n == best && town < d.Town) {
				d.Town, best = town, n
			}
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b District) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// xy projects a point to kilometres on a local plane: good enough for
// ranking neighbours a few tens of kilometres apart.
func xy(d District) (x, y float64) {
	return d.Lon * 111.32 * math.Cos(d.Lat*math.Pi/180), d.Lat * 110.57
}

// nearest returns, for every district, the indices of its k nearest other
// districts, nearest first (ties by index). It buckets districts into a
// 10 km grid and searches outwards ring by ring, so the work is about
// n·k log k rather than n² — it runs once per Generate, however many
// providers are made.
func nearest(ds []District, k int) [][]int32 {
	const cell = 10.0 // km
	type key struct{ x, y int32 }
	px := make([]float64, len(ds))
	py := make([]float64, len(ds))
	grid := map[key][]int32{}
	var lo, hi key
	for i, d := range ds {
		px[i], py[i] = xy(d)
		c := key{int32(math.Floor(px[i] / cell)), int32(math.Floor(py[i] / cell))}
		grid[c] = append(grid[c], int32(i))
		if i == 0 {
			lo, hi = c, c
		}
		lo.x, lo.y = min(lo.x, c.x), min(lo.y, c.y)
		hi.x, hi.y = max(hi.x, c.x), max(hi.y, c.y)
	}
	maxRing := int32(max(hi.x-lo.x, hi.y-lo.y))

	type cand struct {
		i int32
		d float64
	}
	out := make([][]int32, len(ds))
	var cands []cand
	for i := range ds {
		cx, cy := int32(math.Floor(px[i]/cell)), int32(math.Floor(py[i]/cell))
		cands = cands[:0]
		for r := int32(0); r <= maxRing; r++ {
			for gx := cx - r; gx <= cx+r; gx++ {
				for gy := cy - r; gy <= cy+r; gy++ {
					if max(abs32(gx-cx), abs32(gy-cy)) != r {
						continue // inner cells were visited in earlier rings
					}
					for _, j := range grid[key{gx, gy}] {
						if int(j) != i {
							dx, dy := px[j]-px[i], py[j]-py[i]
							cands = append(cands, cand{j, math.Hypot(dx, dy)})
						}
					}
				}
			}
			// Every unvisited district lies at least r cells away.
			if len(cands) >= k {
				slices.SortFunc(cands, func(a, b cand) int {
					return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.i, b.i))
				})
				if cands[k-1].d <= float64(r)*cell {
					break
				}
			}
		}
		slices.SortFunc(cands, func(a, b cand) int {
			return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.i, b.i))
		})
		n := min(k, len(cands))
		nb := make([]int32, n)
		for j := range n {
			nb[j] = cands[j].i
		}
		out[i] = nb
	}
	return out
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}
