package directory

import "math"

const earthRadiusKm = 6371.0088

const radians = math.Pi / 180

// DistanceKm returns the great-circle (haversine) distance between two
// points in kilometres.
func DistanceKm(a, b LatLon) float64 {
	sLat := math.Sin((b.Lat - a.Lat) * radians / 2)
	sLon := math.Sin((b.Lon - a.Lon) * radians / 2)
	s := sLat*sLat + math.Cos(a.Lat*radians)*math.Cos(b.Lat*radians)*sLon*sLon
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(s)))
}
