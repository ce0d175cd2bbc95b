package geo

import (
	"fmt"
	"net/http"
)

// Config chooses geocoders. Empty fields are unused.
type Config struct {
	PostcodesFile string       // CSV path (BROKERFINDER_POSTCODES_FILE)
	HTTPURL       string       // base URL of a postcodes.io-compatible service (BROKERFINDER_GEOCODER_URL)
	HTTPClient    *http.Client // optional; default has a 3 s timeout
}

// New returns a Geocoder that tries, in order: the postcode file (if
// configured), the HTTP service (if configured), then the built-in table. A
// lookup that one source does not know falls through to the next;
// directory.ErrNotFound only when none knows it. directory.ErrUnavailable
// from HTTP falls through to the built-in table too, and is returned only if
// the built-in table also doesn't know it.
//
// For a full postcode every source is asked for the exact postcode before
// any is asked for its district, so a district centre never hides an exact
// position from a later source. Nearest uses the file's and the built-in
// table's district centres (the HTTP service is not asked).
//
// New fails if the file cannot be loaded or the URL is not an http(s) URL.
func New(cfg Config) (Geocoder, error) {
	var c chain
	if cfg.PostcodesFile != "" {
		t, err := LoadFile(cfg.PostcodesFile)
		if err != nil {
			return nil, err
		}
		c = append(c, t)
	}
	if cfg.HTTPURL != "" {
		r, err := NewRemote(cfg.HTTPURL, cfg.HTTPClient)
		if err != nil {
			return nil, fmt.Errorf("geo: geocoder URL: %w", err)
		}
		c = append(c, r)
	}
	return append(c, builtinTable()), nil
}
