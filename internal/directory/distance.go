package directory

import "math"

const earthRadiusKm = 6371.0088

const radians = math.Pi / 180

// DistanceKm returns the great-circle (haversine) distance between two
// points in kilometres.
func DistanceKm(a, b LatLon) float64 { return DistanceFrom(a).Km(b) }

// Origin is a point distances are measured from, with the cosine of its
// latitude worked out once: a match measures from one client to thousands
// of sites.
type Origin struct {
	p   LatLon
	cos float64
}

// DistanceFrom returns a as an origin. DistanceFrom(a).Km(b) is
// DistanceKm(a, b), to the last bit.
func DistanceFrom(a LatLon) Origin { return Origin{p: a, cos: math.Cos(a.Lat * radians)} }

// Km returns the great-circle distance from o to b in kilometres.
func (o Origin) Km(b LatLon) float64 {
	sLat := math.Sin((b.Lat - o.p.Lat) * radians / 2)
	sLon := math.Sin((b.Lon - o.p.Lon) * radians / 2)
	s := sLat*sLat + o.cos*math.Cos(b.Lat*radians)*sLon*sLon
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(s)))
}
