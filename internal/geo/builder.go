package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// builder collects rows and makes a Table. District centres given directly
// win over centres computed from full postcodes; town positions given
// directly win over ones computed from their districts.
type builder struct {
	source    string
	postcodes []postcodeEntry
	sums      map[string]*sum         // district -> sum of its full postcodes
	districts map[string]districtInfo // given directly
	distTown  map[string]string       // district -> first town named with it
	townDists map[string]*townDists   // town key -> its districts
	towns     map[string]townInfo     // given directly
	skipped   int
}

type sum struct {
	lat, lon float64
	n        int
}

type townDists struct {
	name  string
	codes []string
}

func newBuilder(source string) *builder {
	return &builder{
		source:    source,
		sums:      make(map[string]*sum),
		districts: make(map[string]districtInfo),
		distTown:  make(map[string]string),
		townDists: make(map[string]*townDists),
		towns:     make(map[string]townInfo),
	}
}

// addPostcode adds a full postcode (b[:n], outward code b[:out]).
func (bd *builder) addPostcode(b [7]byte, n, out int, lat, lon float64) {
	bd.postcodes = append(bd.postcodes, postcodeEntry{key: packPostcode(b, n), lat: float32(lat), lon: float32(lon)})
	s := bd.sums[string(b[:out])] // no allocation for an existing district
	if s == nil {
		s = &sum{}
		bd.sums[string(b[:out])] = s
	}
	s.lat += lat
	s.lon += lon
	s.n++
}

// addDistrict adds a district centre given directly.
func (bd *builder) addDistrict(code string, lat, lon float64) {
	if _, dup := bd.districts[code]; !dup {
		bd.districts[code] = districtInfo{lat: lat, lon: lon}
	}
}

// addTownOf records that a district belongs to a town.
func (bd *builder) addTownOf(code, town string) {
	key, err := townKey(town)
	if err != nil {
		return
	}
	if _, ok := bd.distTown[code]; !ok {
		bd.distTown[code] = town
	}
	td := bd.townDists[key]
	if td == nil {
		td = &townDists{name: town}
		bd.townDists[key] = td
	}
	if !slices.Contains(td.codes, code) {
		td.codes = append(td.codes, code)
	}
}

// addTown adds a town (or an alias of one) given directly.
func (bd *builder) addTown(key string, tw townInfo) {
	if _, dup := bd.towns[key]; !dup {
		bd.towns[key] = tw
	}
}

func (bd *builder) build() *Table {
	t := &Table{
		source:    bd.source,
		districts: make(map[string]districtInfo, len(bd.sums)+len(bd.districts)),
		towns:     make(map[string]townInfo, len(bd.townDists)+len(bd.towns)),
		skipped:   bd.skipped,
	}

	slices.SortStableFunc(bd.postcodes, func(a, b postcodeEntry) int { return cmp.Compare(a.key, b.key) })
	t.postcodes = slices.CompactFunc(bd.postcodes, func(a, b postcodeEntry) bool { return a.key == b.key })
	t.postcodes = slices.Clip(t.postcodes)

	for code, s := range bd.sums {
		t.districts[code] = districtInfo{lat: round6(s.lat / float64(s.n)), lon: round6(s.lon / float64(s.n))}
	}
	for code, d := range bd.districts {
		t.districts[code] = d
	}
	t.centres = make([]centre, 0, len(t.districts))
	for code, d := range t.districts {
		d.town = bd.distTown[code]
		t.districts[code] = d
		t.centres = append(t.centres, centre{code: code, town: d.town, lat: d.lat, lon: d.lon})
	}
	slices.SortFunc(t.centres, func(a, b centre) int { return cmp.Compare(a.code, b.code) })

	// A town named only through its districts sits at their mean, and its
	// district is the one whose centre is nearest that mean.
	for key, td := range bd.townDists {
		var lat, lon float64
		var n int
		for _, code := range td.codes {
			if d, ok := t.districts[code]; ok {
				lat, lon, n = lat+d.lat, lon+d.lon, n+1
			}
		}
		if n == 0 {
			continue
		}
		tw := townInfo{lat: round6(lat / float64(n)), lon: round6(lon / float64(n)), name: td.name}
		bestKm := math.Inf(1)
		for _, code := range td.codes {
			d := t.districts[code]
			if km := directory.DistanceKm(directory.LatLon{Lat: tw.lat, Lon: tw.lon}, directory.LatLon{Lat: d.lat, Lon: d.lon}); km < bestKm {
				tw.district, bestKm = code, km
			}
		}
		t.towns[key] = tw
	}
	for key, tw := range bd.towns {
		t.towns[key] = tw
	}
	return t
}
