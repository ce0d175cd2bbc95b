package geo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// source is one place a lookup can be answered from. Each method returns
// directory.ErrNotFound when the source does not know the key, so the next
// source can be asked; inputs are already parsed and normalised.
type source interface {
	// exact resolves a normalised full postcode ("LS6 1AN") exactly.
	exact(ctx context.Context, full string) (Place, error)
	// district resolves an outward code ("LS6") to its centre.
	district(ctx context.Context, code string) (Place, error)
	// town resolves a key made by townKey.
	town(ctx context.Context, key string) (Place, error)
}

// nearer is a source that knows district centres and can find the closest.
type nearer interface {
	nearest(lat, lon float64) (c centre, km float64, ok bool)
}

// centre is a district's centre, as scanned by Nearest.
type centre struct {
	code, town string
	lat, lon   float64
}

// chain is the Geocoder New returns: sources asked in order.
type chain []source

func (c chain) Postcode(ctx context.Context, postcode string) (Place, error) {
	return resolvePostcode(ctx, c, postcode)
}

func (c chain) Town(ctx context.Context, name string) (Place, error) {
	return resolveTown(ctx, c, name)
}

func (c chain) Nearest(_ context.Context, lat, lon float64) (Place, error) {
	return resolveNearest(c, lat, lon)
}

// resolvePostcode asks every source for the exact full postcode first and
// only then for its district, so a district-only source (the built-in table,
// an outward-code file) never hides an exact answer from a later source. A
// full postcode placed at its district's centre keeps Postcode set.
//
// A source that is unavailable is not asked again in the district pass (it
// would likely time out twice); its error is returned only if no other source
// knows the place.
func resolvePostcode(ctx context.Context, srcs []source, s string) (Place, error) {
	full, code, err := ParsePostcode(s)
	if err != nil {
		return Place{}, err
	}
	var unavailable error
	down := make([]bool, len(srcs))
	ask := func(i int, lookup func() (Place, error)) (Place, bool, error) {
		p, err := lookup()
		switch {
		case err == nil:
			return p, true, nil
		case errors.Is(err, directory.ErrNotFound):
			return Place{}, false, nil
		case errors.Is(err, directory.ErrUnavailable):
			down[i] = true
			if unavailable == nil {
				unavailable = err
			}
			return Place{}, false, nil
		}
		return Place{}, false, err
	}
	if full != "" {
		for i, src := range srcs {
			if p, ok, err := ask(i, func() (Place, error) { return src.exact(ctx, full) }); ok || err != nil {
				return p, err
			}
		}
	}
	for i, src := range srcs {
		if down[i] {
			continue
		}
		p, ok, err := ask(i, func() (Place, error) { return src.district(ctx, code) })
		if err != nil {
			return Place{}, err
		}
		if ok {
			p.Postcode = full
			return p, nil
		}
	}
	if unavailable != nil {
		return Place{}, unavailable
	}
	if full == "" {
		return Place{}, fmt.Errorf("geo: postcode district %s: %w", code, ErrUnknownArea)
	}
	return Place{}, fmt.Errorf("geo: postcode %s: %w", full, ErrUnknownArea)
}

// resolveTown validates name and asks each source in turn.
func resolveTown(ctx context.Context, srcs []source, name string) (Place, error) {
	key, err := townKey(name)
	if err != nil {
		return Place{}, err
	}
	var unavailable error
	for _, src := range srcs {
		p, err := src.town(ctx, key)
		switch {
		case err == nil:
			return p, nil
		case errors.Is(err, directory.ErrNotFound):
		case errors.Is(err, directory.ErrUnavailable):
			if unavailable == nil {
				unavailable = err
			}
		default:
			return Place{}, err
		}
	}
	if unavailable != nil {
		return Place{}, unavailable
	}
	return Place{}, fmt.Errorf("geo: town %q: %w", strings.TrimSpace(name), directory.ErrNotFound)
}

// townKey validates a town name and returns its lookup key: lower case,
// hyphens as spaces, full stops and apostrophes dropped, runs of space as one
// ("Newcastle-upon-Tyne", "newcastle upon tyne" and "St. Helens"/"St Helens"
// each meet).
func townKey(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", directory.Invalid("town", "Enter a town or city, like Leeds")
	case !utf8.ValidString(name):
		return "", directory.Invalid("town", "Enter a town or city using letters, like Leeds")
	case utf8.RuneCountInString(name) > MaxTownLen:
		return "", directory.Invalid("town", "Enter a town or city of %d characters or fewer", MaxTownLen)
	}
	name = townKeyReplacer.Replace(strings.ToLower(name))
	return strings.Join(strings.Fields(name), " "), nil
}

// townKeyReplacer is built once: building it per call was most of the cost
// of loading the built-in table's 23,000 place names.
var townKeyReplacer = strings.NewReplacer("-", " ", ".", "", "'", "", "\u2019", "")

// resolveNearest finds the closest district centre any source knows.
func resolveNearest(srcs []source, lat, lon float64) (Place, error) {
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return Place{}, directory.Invalid("lat", "Latitude must be a number from -90 to 90")
	}
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		return Place{}, directory.Invalid("lon", "Longitude must be a number from -180 to 180")
	}
	p := Place{Lat: lat, Lon: lon, Source: SourceCoordinates}
	best, bestKm, found := centre{}, math.Inf(1), false
	for _, src := range srcs {
		n, ok := src.(nearer)
		if !ok {
			continue
		}
		if c, km, ok := n.nearest(lat, lon); ok && km < bestKm {
			best, bestKm, found = c, km, true
		}
	}
	if found && bestKm <= NearestMaxKm {
		p.District, p.Town = best.code, best.town
	}
	return p, nil
}
