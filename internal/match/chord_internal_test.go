package match

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TestOriginMatchesHaversine: measuring from an origin gives the textbook
// haversine and directory.DistanceKm, to the last bit, so the catalogue and
// every other user of distances agree at the edge of a reach.
func TestOriginMatchesHaversine(t *testing.T) {
	haversine := func(a, b directory.LatLon) float64 {
		const rad = math.Pi / 180
		dLat := (b.Lat - a.Lat) * rad
		dLon := (b.Lon - a.Lon) * rad
		s := math.Sin(dLat/2)*math.Sin(dLat/2) +
			math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
		return 2 * 6371.0088 * math.Asin(math.Min(1, math.Sqrt(s)))
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 100_000 {
		a := directory.LatLon{Lat: 49 + 12*r.Float64(), Lon: -9 + 11*r.Float64()}
		b := directory.LatLon{Lat: a.Lat + r.NormFloat64(), Lon: a.Lon + r.NormFloat64()}
		if got, want := distanceFrom(a).km(b), haversine(a, b); got != want || got != directory.DistanceKm(a, b) {
			t.Fatalf("from %v to %v: %v, want %v", a, b, got, want)
		}
	}
}

// TestWithinAgreesWithKm: deciding by the chord gives what comparing the
// great-circle distance gives, to the last bit at the edge of the reach,
// from a metre to the far side of the earth.
func TestWithinAgreesWithKm(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 200_000 {
		a := directory.LatLon{Lat: 49 + 12*r.Float64(), Lon: -9 + 11*r.Float64()}
		spread := []float64{1e-5, 1e-3, 0.1, 1, 10, 90}[i%6]
		b := directory.LatLon{Lat: max(-90, min(90, a.Lat+spread*r.NormFloat64())), Lon: a.Lon + spread*r.NormFloat64()}
		o := distanceFrom(a)
		km := o.km(b)
		c2 := o.chord2(unitOf(b))
		for _, reach := range []float64{km, math.Nextafter(km, 0), math.Nextafter(km, 1e9), km * (1 + 1e-7), km * (1 - 1e-7), km * 2, km / 2, 0, -1, math.NaN(), 30_000} {
			if got, want := o.within(b, c2, reach, chord2Of(reach)), km <= reach; got != want {
				t.Fatalf("from %v to %v (%v km): within %v is %v, want %v", a, b, km, reach, got, want)
			}
		}
		if c2a, c2b := o.chord2(unitOf(b)), distanceFrom(b).chord2(unitOf(a)); math.Abs(c2a-c2b) > 1e-15 {
			t.Fatalf("chord not symmetric: %v and %v", c2a, c2b)
		}
	}
	// Farther is farther, by the chord as by Km.
	o := distanceFrom(directory.LatLon{Lat: 53.8, Lon: -1.55})
	prev := -1.0
	for km := 0.0; km < 500; km += 0.37 {
		p := directory.LatLon{Lat: 53.8 + km/111.2, Lon: -1.55}
		if c2 := o.chord2(unitOf(p)); c2 <= prev && km > 0 {
			t.Fatalf("at %v km the chord %v is not beyond %v", km, c2, prev)
		} else {
			prev = c2
		}
	}
}
