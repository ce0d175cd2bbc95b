package directory_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		name string
		a, b directory.LatLon
		want float64 // km, from published great-circle distances
	}{
		{"same point", directory.LatLon{Lat: 53.8, Lon: -1.55}, directory.LatLon{Lat: 53.8, Lon: -1.55}, 0},
		{"Leeds to Manchester", directory.LatLon{Lat: 53.7997, Lon: -1.5492}, directory.LatLon{Lat: 53.4808, Lon: -2.2426}, 57.8},
		{"London to Edinburgh", directory.LatLon{Lat: 51.5074, Lon: -0.1278}, directory.LatLon{Lat: 55.9533, Lon: -3.1883}, 534},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := directory.DistanceKm(tt.a, tt.b)
			if math.Abs(got-tt.want) > 0.01*tt.want+0.01 {
				t.Fatalf("DistanceKm = %.2f, want %.1f within 1%%", got, tt.want)
			}
			if back := directory.DistanceKm(tt.b, tt.a); math.Abs(back-got) > 1e-9 {
				t.Fatalf("not symmetric: %.6f and %.6f", got, back)
			}
		})
	}
}

// TestOriginMatchesHaversine: measuring from an origin gives, to the last
// bit, what the textbook haversine gives, so eligibility at a radius's edge
// does not move with the optimisation.
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
		if got, want := directory.DistanceFrom(a).Km(b), haversine(a, b); got != want {
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
		o := directory.DistanceFrom(a)
		km := o.Km(b)
		c2 := o.Chord2(b.Unit())
		for _, reach := range []float64{km, math.Nextafter(km, 0), math.Nextafter(km, 1e9), km * (1 + 1e-7), km * (1 - 1e-7), km * 2, km / 2, 0, -1, math.NaN(), 30_000} {
			if got, want := o.Within(b, c2, reach, directory.Chord2Of(reach)), km <= reach; got != want {
				t.Fatalf("from %v to %v (%v km): within %v is %v, want %v", a, b, km, reach, got, want)
			}
		}
		if c2a, c2b := o.Chord2(b.Unit()), directory.DistanceFrom(b).Chord2(a.Unit()); math.Abs(c2a-c2b) > 1e-15 {
			t.Fatalf("chord not symmetric: %v and %v", c2a, c2b)
		}
	}
	// Farther is farther, by the chord as by Km.
	o := directory.DistanceFrom(directory.LatLon{Lat: 53.8, Lon: -1.55})
	prev := -1.0
	for km := 0.0; km < 500; km += 0.37 {
		p := directory.LatLon{Lat: 53.8 + km/111.2, Lon: -1.55}
		if c2 := o.Chord2(p.Unit()); c2 <= prev && km > 0 {
			t.Fatalf("at %v km the chord %v is not beyond %v", km, c2, prev)
		} else {
			prev = c2
		}
	}
}
