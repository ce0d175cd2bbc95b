package match

import "github.com/brokerfinder/brokerfinder/internal/directory"

// Covering calls fn for every provider whose coverage includes loc, by the
// rule a match applies (national, postcode district, named area, polygon, a
// site's radius or how far staff travel), each once, in no particular
// order. It touches only the providers on loc's lookup lists, not the
// whole directory. fn must not call the catalogue's write methods.
func (c *Catalogue) Covering(loc Location, fn func(*directory.Provider)) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	c.covering(loc, func(_ int32, pr *Profile) { fn(pr.Provider) })
}
