package match

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Catalogue is an in-memory copy of every visible provider (drafts are left
// out), compiled for matching, with lookups from a place to the providers
// whose coverage may include it. It is safe for concurrent use: matches
// share a read lock; writes take the write lock briefly.
//
// Coverage comes from four lookups whose union is exactly the coverage
// rule: national providers; postcode districts; named areas; and a grid of
// cells about 20 km square into which every site's reach (the larger of its
// coverage radius and how far staff travel) and every polygon's bounding box
// is entered. A cell entry carries its site's point and reach, so the
// distance test runs on the entry itself and only providers that really
// cover the client are touched (DESIGN.md: how many providers a match
// touches is what makes it slow).
type Catalogue struct {
	mu        sync.RWMutex
	profiles  []*Profile // by slot; nil where a provider was removed
	hot       []hot      // by slot: each profile's hot part (not held where nil)
	free      []int32
	byID      map[string]int32
	national  []int32
	districts map[string][]int32
	areas     map[string][]int32
	cells     map[cell][]cellEntry
	visited   sync.Pool     // *bitset sized for profiles
	hits      sync.Pool     // *[]found, for Search
	texts     sync.Pool     // *[]scopedHit, for TextScope
	gen       atomic.Uint64 // from generations; changes with every write
}

// generations numbers the states of every catalogue in the process, so no
// two catalogues, and no two states of one, share a generation: a full-text
// index remembers slots under it (see TextScope.Numbering).
var generations atomic.Uint64

// NewCatalogue returns an empty catalogue.
func NewCatalogue() *Catalogue {
	c := &Catalogue{
		byID:      map[string]int32{},
		districts: map[string][]int32{},
		areas:     map[string][]int32{},
		cells:     map[cell][]cellEntry{},
	}
	c.gen.Store(generations.Add(1))
	return c
}

// Grid cell size. The full-text index files providers under their cells
// (PlaceKeys): changing the size, or which cells a reach touches
// (cellsAround), needs index.mappingVersion changed too, so indexes are
// rebuilt. A cell is about 22 km north-south and 20 km east-west in
// the UK, so a 25 km radius touches 9 to 16 cells.
const (
	cellLat = 0.2
	cellLon = 0.3
)

type cell struct{ lat, lon int32 }

// cellEntry is one site's reach, or (site < 0) a polygon, in one cell: the
// site (its index in the profile's sites), where it is and the squared
// chord of its reach (see compareChord2).
type cellEntry struct {
	u      unit
	reach2 float64
	slot   int32
	site   int32
}

func cellOf(p directory.LatLon) cell {
	return cell{int32(math.Floor(p.Lat / cellLat)), int32(math.Floor((p.Lon + 180) / cellLon))}
}

// cellsAround calls fn for every cell touched by the box around p extending
// km in every direction.
func cellsAround(p directory.LatLon, km float64, fn func(cell)) {
	dLat := km / 111.0
	// A circle reaches furthest east and west at the latitude furthest
	// from the equator it touches: measured at its centre, a reach of
	// hundreds of kilometres missed cells to the north-east.
	far := math.Min(89, math.Max(math.Abs(p.Lat-dLat), math.Abs(p.Lat+dLat)))
	dLon := km / (111.0 * math.Max(0.2, math.Cos(far*math.Pi/180)))
	cellsInBox(p.Lat-dLat, p.Lon-dLon, p.Lat+dLat, p.Lon+dLon, fn)
}

func cellsInBox(minLat, minLon, maxLat, maxLon float64, fn func(cell)) {
	lo := cellOf(directory.LatLon{Lat: minLat, Lon: minLon})
	hi := cellOf(directory.LatLon{Lat: maxLat, Lon: maxLon})
	for a := lo.lat; a <= hi.lat; a++ {
		for o := lo.lon; o <= hi.lon; o++ {
			fn(cell{a, o})
		}
	}
}

// Put adds or replaces a provider. Drafts are removed instead: the public
// never sees them. The catalogue keeps p; callers must not change it after.
func (c *Catalogue) Put(p *directory.Provider) {
	var pr *Profile
	if p.Visible() {
		pr = Compile(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Store(generations.Add(1))
	if slot, ok := c.byID[p.ID]; ok {
		c.unregister(slot)
		if pr == nil {
			c.profiles[slot], c.hot[slot] = nil, hot{}
			delete(c.byID, p.ID)
			c.free = append(c.free, slot)
			return
		}
		c.profiles[slot], c.hot[slot] = pr, pr.hot
		c.register(slot)
		return
	}
	if pr == nil {
		return
	}
	var slot int32
	if n := len(c.free); n > 0 {
		slot, c.free = c.free[n-1], c.free[:n-1]
		c.profiles[slot], c.hot[slot] = pr, pr.hot
	} else {
		slot = int32(len(c.profiles))
		c.profiles = append(c.profiles, pr)
		c.hot = append(c.hot, pr.hot)
	}
	c.byID[p.ID] = slot
	c.register(slot)
}

// Remove drops a provider, if present.
func (c *Catalogue) Remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	slot, ok := c.byID[id]
	if !ok {
		return
	}
	c.gen.Store(generations.Add(1))
	c.unregister(slot)
	c.profiles[slot], c.hot[slot] = nil, hot{}
	delete(c.byID, id)
	c.free = append(c.free, slot)
}

// Get returns the provider with the given id.
func (c *Catalogue) Get(id string) (*directory.Provider, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if slot, ok := c.byID[id]; ok {
		return c.profiles[slot].Provider, true
	}
	return nil, false
}

// Len returns how many providers the catalogue holds.
func (c *Catalogue) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.byID)
}

// Each calls fn for every provider, in no particular order, until fn returns
// false. fn must not call the catalogue's write methods.
func (c *Catalogue) Each(fn func(*directory.Provider) bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, pr := range c.profiles {
		if pr != nil && !fn(pr.Provider) {
			return
		}
	}
}

// keys calls fn with every lookup list the profile in slot belongs to.
func (c *Catalogue) keys(slot int32, fn func(list *[]int32, drop func())) {
	pr := c.profiles[slot]
	p := pr.Provider
	if pr.national {
		fn(&c.national, func() {})
	}
	for _, d := range p.Coverage.PostcodeDistricts {
		k := strings.ToUpper(d)
		l := c.districts[k]
		fn(&l, func() { delete(c.districts, k) })
		if len(l) > 0 {
			c.districts[k] = l
		}
	}
	for _, a := range p.Coverage.Areas {
		k := lower(a)
		l := c.areas[k]
		fn(&l, func() { delete(c.areas, k) })
		if len(l) > 0 {
			c.areas[k] = l
		}
	}
}

// entries calls fn with every cell entry of the profile in slot.
func (c *Catalogue) entries(slot int32, fn func(cell, cellEntry)) {
	profileEntries(c.profiles[slot], slot, fn)
}

// profileEntries calls fn with every cell entry of pr, as held in slot.
func profileEntries(pr *Profile, slot int32, fn func(cell, cellEntry)) {
	if r := math.Max(pr.radiusKm, pr.travelKm); r > 0 {
		r2 := chord2Of(r)
		for i, s := range pr.sites {
			e := cellEntry{slot: slot, site: int32(i), u: unitOf(s.point), reach2: r2}
			cellsAround(s.point, r, func(k cell) { fn(k, e) })
		}
	}
	for _, pg := range pr.polygons {
		if minLat, minLon, maxLat, maxLon, ok := bounds(pg); ok {
			cellsInBox(minLat, minLon, maxLat, maxLon, func(k cell) { fn(k, cellEntry{slot: slot, site: -1}) })
		}
	}
}

// Place keys name the lookup lists covering() reads for a location: the
// national list, a postcode district's, a town's and a grid cell's. A
// provider covering a location is always on one of that location's lists,
// so PlaceKeys(p) and loc.Keys() share a key whenever p covers loc (the
// converse does not hold: a cell's list holds every site whose reach
// touches the cell). The full-text index holds each provider's keys, so a
// text search near a place can be narrowed to the providers on its lists
// with a few term lookups, and the catalogue then keeps those that cover it.

// PlaceKeys returns the place keys of p, as the catalogue would file it.
func PlaceKeys(p *directory.Provider) []string { return Compile(p).placeKeys() }

// PlaceKeys returns the place keys of the provider with the given id, from
// the profile the catalogue holds (nil if it holds none): a rebuild of the
// index needs them for every provider, and compiling each a second time
// would repeat work.
func (c *Catalogue) PlaceKeys(id string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	slot, ok := c.byID[id]
	if !ok {
		return nil
	}
	return c.profiles[slot].placeKeys()
}

func (pr *Profile) placeKeys() []string {
	p := pr.Provider
	var keys []string
	if pr.national {
		keys = append(keys, nationalKey)
	}
	for _, d := range p.Coverage.PostcodeDistricts {
		keys = append(keys, districtKey(d))
	}
	for _, a := range p.Coverage.Areas {
		keys = append(keys, areaKey(a))
	}
	profileEntries(pr, 0, func(k cell, _ cellEntry) { keys = append(keys, cellKey(k)) })
	slices.Sort(keys)
	return slices.Compact(keys)
}

// Keys returns the place keys whose lists covering() reads for l.
func (l Location) Keys() []string {
	keys := []string{nationalKey, cellKey(cellOf(l.Point))}
	if l.District != "" {
		keys = append(keys, districtKey(l.District))
	}
	if l.Town != "" {
		keys = append(keys, areaKey(l.Town))
	}
	return keys
}

const nationalKey = "national"

func districtKey(d string) string { return "district:" + strings.ToUpper(d) }
func areaKey(a string) string     { return "area:" + lower(a) }

func cellKey(k cell) string {
	return "cell:" + strconv.Itoa(int(k.lat)) + ":" + strconv.Itoa(int(k.lon))
}

func (c *Catalogue) register(slot int32) {
	c.keys(slot, func(list *[]int32, _ func()) { *list = append(*list, slot) })
	c.entries(slot, func(k cell, e cellEntry) { c.cells[k] = append(c.cells[k], e) })
}

func (c *Catalogue) unregister(slot int32) {
	c.keys(slot, func(list *[]int32, drop func()) {
		l := *list
		for i, s := range l {
			if s == slot {
				l[i] = l[len(l)-1]
				l = l[:len(l)-1]
				break
			}
		}
		*list = l
		if len(l) == 0 {
			drop()
		}
	})
	c.entries(slot, func(k cell, _ cellEntry) {
		l := c.cells[k]
		for i := 0; i < len(l); i++ {
			if l[i].slot == slot {
				l[i] = l[len(l)-1]
				l = l[:len(l)-1]
				i--
			}
		}
		if len(l) == 0 {
			delete(c.cells, k)
		} else {
			c.cells[k] = l
		}
	})
}

// covering calls fn once for every profile whose coverage includes loc:
// the catalogue's answer to "who serves this place". The caller holds the
// read lock.
func (c *Catalogue) covering(loc Location, fn func(slot int32, pr *Profile)) {
	v := c.visitedSet()
	defer c.visited.Put(v)
	each := func(list []int32) {
		for _, slot := range list {
			if !v.testAndSet(slot) {
				fn(slot, c.profiles[slot])
			}
		}
	}
	each(c.national)
	if loc.NationalOnly {
		return
	}
	if loc.District != "" {
		each(c.districts[strings.ToUpper(loc.District)])
	}
	if loc.Town != "" {
		each(c.areas[lower(loc.Town)])
	}
	from := distanceFrom(loc.Point)
	entries := c.cells[cellOf(loc.Point)]
	for i := range entries {
		e := &entries[i]
		if v.test(e.slot) {
			continue
		}
		var in bool
		switch {
		case e.site < 0:
			in = polygonContainsAny(c.profiles[e.slot].polygons, loc.Point)
		default:
			switch compareChord2(from.chord2(e.u), e.reach2) {
			case -1:
				in = true
			case 0: // on the edge: as the great-circle distance says
				pr := c.profiles[e.slot]
				in = from.km(pr.sites[e.site].point) <= math.Max(pr.radiusKm, pr.travelKm)
			}
		}
		if in {
			v.testAndSet(e.slot)
			fn(e.slot, c.profiles[e.slot])
		}
	}
}

func polygonContainsAny(pgs []directory.Polygon, p directory.LatLon) bool {
	for _, pg := range pgs {
		if polygonContains(pg, p) {
			return true
		}
	}
	return false
}

// bitset marks visited slots during one lookup. Sets are pooled and cleared
// by undoing only the bits that were set.
type bitset struct {
	words []uint64
	set   []int32
}

func (c *Catalogue) visitedSet() *bitset {
	n := (len(c.profiles) + 63) / 64
	v, _ := c.visited.Get().(*bitset)
	if v == nil {
		v = &bitset{}
	}
	if len(v.words) < n {
		v.words = make([]uint64, n)
	}
	for _, s := range v.set {
		v.words[s/64] = 0
	}
	v.set = v.set[:0]
	return v
}

func (b *bitset) test(slot int32) bool {
	return b.words[slot/64]&(uint64(1)<<(uint(slot)%64)) != 0
}

func (b *bitset) testAndSet(slot int32) bool {
	w, m := slot/64, uint64(1)<<(uint(slot)%64)
	if b.words[w]&m != 0 {
		return true
	}
	b.words[w] |= m
	b.set = append(b.set, slot)
	return false
}

// bounds returns a polygon's bounding box from its outer ring.
func bounds(pg directory.Polygon) (minLat, minLon, maxLat, maxLon float64, ok bool) {
	if len(pg.Coordinates) == 0 || len(pg.Coordinates[0]) == 0 {
		return 0, 0, 0, 0, false
	}
	minLat, minLon, maxLat, maxLon = 90, 180, -90, -180
	for _, pos := range pg.Coordinates[0] {
		minLon, maxLon = math.Min(minLon, pos[0]), math.Max(maxLon, pos[0])
		minLat, maxLat = math.Min(minLat, pos[1]), math.Max(maxLat, pos[1])
	}
	return minLat, minLon, maxLat, maxLon, true
}

// polygonContains tests a point against a GeoJSON polygon (outer ring minus
// holes) by ray casting on [lon, lat] positions.
func polygonContains(pg directory.Polygon, p directory.LatLon) bool {
	if len(pg.Coordinates) == 0 || !ringContains(pg.Coordinates[0], p) {
		return false
	}
	for _, hole := range pg.Coordinates[1:] {
		if ringContains(hole, p) {
			return false
		}
	}
	return true
}

func ringContains(ring [][2]float64, p directory.LatLon) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi := ring[i][0], ring[i][1]
		xj, yj := ring[j][0], ring[j][1]
		if (yi > p.Lat) != (yj > p.Lat) && p.Lon < (xj-xi)*(p.Lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// SortForLocality orders ps so that providers with sites near each other
// are next to each other (a Z-order curve over the grid cells of their
// first located site; providers with no premises first, in their order).
// Putting a directory into a catalogue in this order lays the compiled
// profiles out in memory by place, so a match, which reads the profiles of
// the few thousand providers around one place, reads neighbouring memory:
// at 100,000 providers the first read of each profile was the largest
// single cost of a match. The full-text index is filled in the same order,
// and scoring a word's postings walks them from the first document to the
// last one wanted: providers with no premises (national telephone
// services) are wanted by every search near anywhere, so they come first
// rather than stretching every walk to the end. Results never depend on
// the order: ties are broken by a hash of the id and the query.
func SortForLocality(ps []*directory.Provider) {
	key := func(p *directory.Provider) uint64 {
		for _, s := range p.Sites {
			if s.Location != nil && s.Kind != directory.SiteRemote {
				k := cellOf(*s.Location)
				return interleave(uint32(k.lat+1<<15), uint32(k.lon+1<<15))
			}
		}
		return 0
	}
	type keyed struct {
		key uint64
		p   *directory.Provider
	}
	all := make([]keyed, len(ps))
	for i, p := range ps {
		all[i] = keyed{key(p), p}
	}
	slices.SortStableFunc(all, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	for i := range all {
		ps[i] = all[i].p
	}
}

// interleave puts the bits of a and b alternately into one number (Morton
// order): points close on both axes get close numbers.
func interleave(a, b uint32) uint64 {
	spread := func(x uint32) uint64 {
		v := uint64(x)
		v = (v | v<<16) & 0x0000ffff0000ffff
		v = (v | v<<8) & 0x00ff00ff00ff00ff
		v = (v | v<<4) & 0x0f0f0f0f0f0f0f0f
		v = (v | v<<2) & 0x3333333333333333
		v = (v | v<<1) & 0x5555555555555555
		return v
	}
	return spread(a)<<1 | spread(b)
}

// List returns page (from 1) of the providers passing f's filters, perPage
// at a time, ordered by name then id as the store lists them, and how many
// pass. The catalogue holds no drafts. The records are the catalogue's:
// callers must not change them.
func (c *Catalogue) List(f directory.ProviderFilter) ([]*directory.Provider, int) {
	c.mu.RLock()
	var all []*directory.Provider
	for _, pr := range c.profiles {
		if pr != nil && f.Matches(pr.Provider) {
			all = append(all, pr.Provider)
		}
	}
	c.mu.RUnlock()
	slices.SortFunc(all, func(a, b *directory.Provider) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	page, per := max(f.Page, 1), max(f.PerPage, 1)
	from := min((page-1)*per, len(all))
	return all[from:min(from+per, len(all))], len(all)
}
