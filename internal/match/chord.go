package match

import (
	"math"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// The catalogue decides who is within reach of a client by comparing
// chords through the earth, which take no trigonometry, and measures the
// great-circle distance only for the few points on the edge of a reach.

const earthRadiusKm = 6371.0088

const radians = math.Pi / 180

// origin is a point distances are measured from, with what every
// measurement needs worked out once: a search measures from one client to
// thousands of sites.
type origin struct {
	p   directory.LatLon
	cos float64
	u   unit
}

// distanceFrom returns a as an origin. distanceFrom(a).km(b) is
// directory.DistanceKm(a, b), to the last bit.
func distanceFrom(a directory.LatLon) origin {
	return origin{p: a, cos: math.Cos(a.Lat * radians), u: unitOf(a)}
}

// km returns the great-circle distance from o to b in kilometres, computed
// as directory.DistanceKm computes it.
func (o origin) km(b directory.LatLon) float64 {
	sLat := math.Sin((b.Lat - o.p.Lat) * radians / 2)
	sLon := math.Sin((b.Lon - o.p.Lon) * radians / 2)
	s := sLat*sLat + o.cos*math.Cos(b.Lat*radians)*sLon*sLon
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(s)))
}

// unit is a point as a vector on the unit sphere. The straight line (the
// chord) between two such points is ordered as their great-circle distance
// is, and measuring it takes no trigonometry.
type unit struct{ X, Y, Z float64 }

// unitOf returns p on the unit sphere.
func unitOf(p directory.LatLon) unit {
	lat, lon := p.Lat*radians, p.Lon*radians
	c := math.Cos(lat)
	return unit{c * math.Cos(lon), c * math.Sin(lon), math.Sin(lat)}
}

// chord2 returns the square of the chord from o to u: 0 at o, 4 at the
// far side of the earth, and larger for a point further away.
func (o origin) chord2(u unit) float64 {
	dx, dy, dz := o.u.X-u.X, o.u.Y-u.Y, o.u.Z-u.Z
	return dx*dx + dy*dy + dz*dz
}

// chord2Of returns the squared chord of a great-circle distance of km:
// what chord2 gives for a point that far away. It is -1 for a negative km
// (nothing is that close) and +Inf for half the earth's circumference or
// more.
func chord2Of(km float64) float64 {
	switch h := km / (2 * earthRadiusKm); {
	case !(km >= 0):
		return -1
	case h >= math.Pi/2:
		return math.Inf(1)
	default:
		c := 2 * math.Sin(h)
		return c * c
	}
}

// chordEdge is how close, relative to a reach's squared chord, a squared
// chord must be for rounding to matter: the chord is accurate to about
// 1e-10 of itself at a hundred metres.
const chordEdge = 1e-6

// compareChord2 compares c2, a point's squared chord, with reach2, the
// squared chord of a reach (chord2Of): -1 when the point is certainly
// within the reach, +1 when certainly beyond it, and 0 when it is within
// rounding of the edge, where only comparing great-circle distances (km)
// decides. So a search measuring from one client to thousands of sites
// takes the sines and arcsines of only the few on an edge.
func compareChord2(c2, reach2 float64) int {
	switch {
	case c2 < reach2*(1-chordEdge):
		return -1
	case c2 > reach2*(1+chordEdge):
		return 1
	}
	return 0
}

// within reports whether b is no further from o than km, exactly as
// o.km(b) <= km does, given c2, o.chord2(unitOf(b)), and km2,
// chord2Of(km).
func (o origin) within(b directory.LatLon, c2, km, km2 float64) bool {
	if c := compareChord2(c2, km2); c != 0 {
		return c < 0
	}
	return o.km(b) <= km
}
