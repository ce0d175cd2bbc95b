package directory_test

import (
	"math"
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
