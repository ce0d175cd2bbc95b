package geo

import (
	"context"
	"fmt"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// ErrUnknownArea means a postcode is well formed but no source knows its
// district, so there is nothing to place it by: a new or non-geographic
// district, or one a configured file leaves out, rather than a typo that a
// person should be told to check. It matches directory.ErrNotFound too, so
// callers that only ask "was it found?" need not know it.
var ErrUnknownArea = fmt.Errorf("postcode district not known: %w", directory.ErrNotFound)

// Sources of a Place, as found in Place.Source.
const (
	SourcePostcodeFile = "postcode_file"
	SourceHTTP         = "http"
	SourceBuiltin      = "builtin"
	SourceCoordinates  = "coordinates"
	// SourceUnknownArea marks a place no geocoder could position: a
	// well-formed postcode of a district none knows (ErrUnknownArea). Lat
	// and Lon are zero and mean nothing. Geocoders never return it; callers
	// that carry on without a position (a match listing national providers)
	// make it.
	SourceUnknownArea = "unknown_area"
)

// NearestMaxKm is how far from a point Nearest looks for a district centre.
// Beyond it the point is treated as outside every known district.
const NearestMaxKm = 30

// MaxTownLen is the longest town name, in characters, that Town accepts.
const MaxTownLen = 100

// Place is a resolved location.
type Place struct {
	Lat, Lon float64
	Postcode string // normalised full postcode ("LS6 1AN") when the input was one, else ""
	District string // outward code ("LS6"), "" if unknown
	Town     string // town or area name, "" if unknown
	Source   string // "postcode_file", "http", "builtin", "coordinates" or "unknown_area"
}

// Geocoder resolves UK postcodes and towns.
type Geocoder interface {
	// Postcode resolves a full postcode or an outward code (district), any
	// case and spacing. Malformed input: a *directory.ValidationError on field
	// "postcode" whose message says what to type; errors.Is(err,
	// directory.ErrInvalid). Well-formed but in a district no source knows:
	// an error matching ErrUnknownArea (and so directory.ErrNotFound). A
	// remote service that fails: an error matching directory.ErrUnavailable.
	Postcode(ctx context.Context, postcode string) (Place, error)
	// Town resolves a town, city or area name, ignoring case and surrounding
	// space. Unknown: directory.ErrNotFound. Empty or over-long (more than
	// MaxTownLen characters): a *directory.ValidationError on field "town".
	Town(ctx context.Context, name string) (Place, error)
	// Nearest returns the known district closest to a point: Source
	// "coordinates", Lat and Lon as given, and the District and Town of the
	// nearest known district centre within NearestMaxKm (empty beyond it).
	// It never fails for a valid point; an out-of-range or NaN coordinate is
	// a *directory.ValidationError on field "lat" or "lon".
	Nearest(ctx context.Context, lat, lon float64) (Place, error)
}
