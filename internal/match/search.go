package match

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TextHit is a provider that matched the free text, with its relevance.
type TextHit struct {
	ID    string
	Score float64
}

// scopedHit is a text hit a TextScope collected, with the slot the
// catalogue held the provider in then. The slot is checked again (by id
// hash) before use, unless the catalogue has not changed since.
type scopedHit struct {
	TextHit
	slot int32
}

// SearchRequest filters the published directory. Values within one filter
// are all required (a provider must offer every service listed), except
// Types, where any listed type will do.
type SearchRequest struct {
	// Text, when TextQuery is set, holds the providers matching the free
	// text; only they are considered, ordered by relevance. Scope, when
	// set, is the TextScope the text was searched with, and its hits are
	// used instead of Text.
	TextQuery bool
	Text      []TextHit
	Scope     *TextScope

	Types            []string
	Specialisms      []string
	DeliveryModes    []string
	Services         []string
	Incentives       []string
	Accessibility    []string
	Languages        []string
	TakingNewClients *bool

	// Near, when set, keeps providers covering that place and reachable
	// within RadiusKm (a site that close, staff who travel there, or
	// telephone or online contact), nearest first.
	Near     *Location
	RadiusKm float64

	Page, PerPage int
	Seed          uint64
	Now           time.Time
}

// SearchResult is one page of providers with facet counts over all of them.
type SearchResult struct {
	Total   int
	Page    int
	PerPage int
	Items   []Found
	// Facets counts, for each filter, how many of the results carry each
	// code, so a client can narrow down without dead ends.
	Facets map[string][]FacetCount
}

// Found is one search result.
type Found struct {
	Provider   *directory.Provider
	DistanceKm *float64
	Flags      []Flag
}

// FacetCount is how many results carry one code.
type FacetCount struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Facet names, as the filters' query parameters are named.
const (
	FacetType          = "type"
	FacetSpecialism    = "specialism"
	FacetDeliveryMode  = "delivery_mode"
	FacetService       = "service"
	FacetIncentive     = "incentive"
	FacetAccessibility = "accessibility"
	FacetLanguage      = "language"
	FacetTakingNew     = "taking_new_clients"
)

type found struct {
	slot int32
	at   int32   // the nearest site, in the profile's sites
	site bool    // the provider has a located site
	c2   float64 // the nearest site's squared chord: ordered as distance is
	rel  float64
	tie  uint64
}

// searchPlan is a search request compiled for testing profiles.
type searchPlan struct {
	req                                      *SearchRequest
	types, specs, modes, svc, inc, acc, lang uint64
	origin                                   origin
	radius2                                  float64 // the radius's squared chord
}

func planSearch(req *SearchRequest) searchPlan {
	sp := searchPlan{
		req:   req,
		types: typeBits.of(req.Types), specs: specialismBits.of(req.Specialisms), modes: modeBits.of(req.DeliveryModes),
		svc: serviceBits.of(req.Services), inc: incentiveBits.of(req.Incentives),
		acc: accessBits.of(req.Accessibility), lang: languageBits.of(req.Languages),
	}
	if req.Near != nil {
		sp.origin = distanceFrom(req.Near.Point)
		sp.radius2 = chord2Of(req.RadiusKm)
	}
	return sp
}

// accept reports whether the provider in slot passes the filters and, near
// a place, can be reached from it; the returned hit carries its relevance
// rel. It reads the catalogue's hot array, and the profile itself only for
// a provider with several sites; the caller holds the read lock.
func (sp *searchPlan) accept(c *Catalogue, slot int32, rel float64) (found, bool) {
	req, h := sp.req, &c.hot[slot]
	if !(h.held && h.published && !h.ended &&
		(sp.types == 0 || h.typeBit()&sp.types != 0) &&
		h.specialisms&sp.specs == sp.specs && h.modes&sp.modes == sp.modes &&
		h.services&sp.svc == sp.svc && h.incentives&sp.inc == sp.inc &&
		h.access&sp.acc == sp.acc && h.languages&sp.lang == sp.lang &&
		(req.TakingNewClients == nil || h.takingNew == *req.TakingNewClients)) {
		return found{}, false
	}
	f := found{slot: slot, rel: rel, tie: mix(req.Seed ^ h.idHash)}
	if req.Near != nil {
		// By the chord: no trigonometry, except on the edge of a reach.
		var moreU []unit
		var more []directory.LatLon
		if h.moreSites {
			pr := c.profiles[slot]
			moreU, more = pr.moreU, pr.more
		}
		i, c2, ok := h.closest(sp.origin, moreU)
		f.c2, f.at, f.site = c2, int32(i), ok
		at := h.point(i, more)
		visits := h.travelKm > 0 && ok && sp.origin.within(at, c2, h.travelKm, h.travel2)
		if !visits && h.modes&remoteModes == 0 && (!ok || !sp.origin.within(at, c2, req.RadiusKm, sp.radius2)) {
			return found{}, false
		}
	}
	return f, true
}

// TextScope says which providers could be among a text search's results
// (Catalogue.TextScope), so the full-text index scores only those, and
// collects the hits. It is the full-text index's Scope: the numbers it
// gives the index are the catalogue's slots, which stay private to this
// package.
type TextScope struct {
	c       *Catalogue
	plan    searchPlan
	covered *bitset // near a place, the slots of the providers covering it
	gen     uint64  // the catalogue's generation when the scope was made
	hits    *[]scopedHit
}

// TextScope returns the scope of req's text search. Search, given it in
// req.Scope, tests every text hit again, so a provider written between the
// two is judged by Search; it reuses the scope's covering providers unless
// the catalogue has changed since. Close releases the scope once Search has
// run.
func (c *Catalogue) TextScope(req SearchRequest) *TextScope {
	s := &TextScope{c: c, plan: planSearch(&req)}
	// The hits of a word near a city number thousands: their slice is
	// reused.
	s.hits, _ = c.texts.Get().(*[]scopedHit)
	if s.hits == nil {
		s.hits = new([]scopedHit)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	s.gen = c.gen.Load()
	if req.Near != nil {
		s.covered = c.coveredSet(*req.Near)
	}
	return s
}

// Numbering returns the catalogue's generation: the slots Number gives
// may change only when it does, and no other catalogue has it.
func (s *TextScope) Numbering() uint64 { return s.c.gen.Load() }

// Number returns the slot the catalogue holds the provider with an id in.
// Slots are reused once a provider is removed; Numbering changes with
// every write, so a slot remembered under one numbering is good while it
// lasts.
func (s *TextScope) Number(id string) (int32, bool) {
	c := s.c
	c.mu.RLock()
	defer c.mu.RUnlock()
	slot, ok := c.byID[id]
	return slot, ok
}

// Keep reports whether the provider in a slot (see Number) could be among
// the results: it passes the filters and, near a place, covers and can be
// reached from it.
func (s *TextScope) Keep(slot int32) bool {
	c := s.c
	c.mu.RLock()
	defer c.mu.RUnlock()
	if slot < 0 || int(slot) >= len(c.hot) ||
		s.covered != nil && (int(slot/64) >= len(s.covered.words) || !s.covered.test(slot)) {
		return false
	}
	_, ok := s.plan.accept(c, slot, 0)
	return ok
}

// Add records a hit the scope kept, with its relevance.
func (s *TextScope) Add(id string, score float64, slot int32) {
	*s.hits = append(*s.hits, scopedHit{TextHit{ID: id, Score: score}, slot})
}

// Close releases what the scope holds.
func (s *TextScope) Close() {
	if s.covered != nil {
		s.c.visited.Put(s.covered)
		s.covered = nil
	}
	if s.hits != nil {
		clear(*s.hits) // hold no ids while pooled
		*s.hits = (*s.hits)[:0]
		s.c.texts.Put(s.hits)
		s.hits = nil
	}
}

// coveredSet returns the slots of the providers covering loc; the caller
// holds the read lock and puts the set back in c.visited.
func (c *Catalogue) coveredSet(loc Location) *bitset {
	covered := c.visitedSet()
	c.covering(loc, func(slot int32, _ *Profile) { covered.testAndSet(slot) })
	return covered
}

// Search returns one page of published providers matching req.
func (c *Catalogue) Search(req SearchRequest) SearchResult {
	page, per := max(req.Page, 1), req.PerPage
	if per <= 0 {
		per = directory.DefaultPerPage
	}
	per = min(per, directory.MaxPerPage)
	sp := planSearch(&req)

	// The hits of a search near a town number thousands; their slice is
	// reused, not grown afresh for every request (it was a quarter of what
	// a search allocated at 100,000 providers, so of the collector's work),
	// and holds no pointers.
	hp, _ := c.hits.Get().(*[]found)
	if hp == nil {
		hp = new([]found)
	}
	hits := (*hp)[:0]
	defer func() {
		*hp = hits[:0]
		c.hits.Put(hp)
	}()
	c.mu.RLock()
	defer c.mu.RUnlock()
	var fc facetCounts
	consider := func(slot int32, rel float64) {
		if f, ok := sp.accept(c, slot, rel); ok {
			hits = append(hits, f)
			fc.add(&c.hot[slot])
		}
	}
	// Unchanged since the scope was made, the scope's covering providers
	// and the hits' slots hold (looking each hit up again by id was a
	// fifth of a text search near a city).
	unchanged := req.Scope != nil && req.Scope.gen == c.gen.Load()
	var covered *bitset // with near and text, the providers covering the place
	if req.Near != nil && req.TextQuery {
		if sc := req.Scope; unchanged && sc.covered != nil {
			covered = sc.covered
		} else {
			covered = c.coveredSet(*req.Near)
			defer c.visited.Put(covered)
		}
	}
	switch {
	case req.TextQuery && req.Scope != nil:
		for _, h := range *req.Scope.hits {
			slot, ok := h.slot, unchanged && h.slot >= 0 && int(h.slot) < len(c.hot) && c.hot[h.slot].held
			if !ok {
				slot, ok = c.slotOf(h)
			}
			if ok && (covered == nil || covered.test(slot)) {
				consider(slot, h.Score)
			}
		}
	case req.TextQuery:
		for _, h := range req.Text {
			if slot, ok := c.byID[h.ID]; ok && (covered == nil || covered.test(slot)) {
				consider(slot, h.Score)
			}
		}
	case req.Near != nil:
		c.covering(*req.Near, func(slot int32, _ *Profile) { consider(slot, 0) })
	default:
		for slot := range c.hot {
			consider(int32(slot), 0)
		}
	}

	near := req.Near != nil
	from := min((page-1)*per, len(hits))
	to := min(from+per, len(hits))
	// Only the hits up to the page's end need ordering: selecting them costs
	// n log k rather than sorting thousands (a fifth of a search near a
	// city, in process).
	sortFirst(hits, to, func(a, b found) int {
		switch {
		case a.rel != b.rel:
			return cmpDesc(a.rel, b.rel)
		case near && a.site != b.site:
			if a.site {
				return -1
			}
			return 1
		case near && a.site && a.c2 != b.c2:
			return cmpAsc(a.c2, b.c2)
		case a.tie < b.tie:
			return -1
		case a.tie > b.tie:
			return 1
		}
		return 0
	})
	res := SearchResult{Total: len(hits), Page: page, PerPage: per, Items: []Found{}, Facets: fc.facets()}
	for _, f := range hits[from:to] {
		pr := c.profiles[f.slot]
		item := Found{Provider: pr.Provider, Flags: Flags(pr, req.Now)}
		if req.Near != nil && f.site {
			km := math.Round(sp.origin.km(pr.point(int(f.at)))*10) / 10
			item.DistanceKm = &km
		}
		res.Items = append(res.Items, item)
	}
	return res
}

func cmpDesc(a, b float64) int {
	if a > b {
		return -1
	}
	return 1
}

func cmpAsc(a, b float64) int {
	if a < b {
		return -1
	}
	return 1
}

// facetCounts counts codes over the hits of a search as they are found,
// while each profile is still in the processor's cache: counted afterwards,
// in a pass of its own, reading the profiles again from memory took as long
// as finding them.
type facetCounts struct {
	counts     [7][64]int // by dimension (in facetDims' order) and bit
	taking, of int
}

// facetDims are the dimensions counted, in the order add reads the
// profile's bit sets.
var facetDims = [7]struct{ name, vocab string }{
	{FacetType, directory.VocabProviderTypes},
	{FacetSpecialism, directory.VocabSpecialisms},
	{FacetDeliveryMode, directory.VocabDeliveryModes},
	{FacetService, directory.VocabServices},
	{FacetIncentive, directory.VocabIncentiveKinds},
	{FacetAccessibility, directory.VocabAccessibility},
	{FacetLanguage, directory.VocabLanguages},
}

// add counts one hit, one bit set at a time.
func (fc *facetCounts) add(pr *hot) {
	for d, m := range [7]uint64{pr.typeBit(), pr.specialisms, pr.modes, pr.services, pr.incentives, pr.access, pr.languages} {
		for ; m != 0; m &= m - 1 {
			fc.counts[d][bits.TrailingZeros64(m)]++
		}
	}
	if pr.takingNew {
		fc.taking++
	}
	fc.of++
}

// facets returns the counts by facet, codes in vocabulary order.
func (fc *facetCounts) facets() map[string][]FacetCount {
	// Every list is cut from one slice: a list each was a fifth of what a
	// search allocated.
	n := 2
	for d := range facetDims {
		for _, k := range fc.counts[d] {
			if k > 0 {
				n++
			}
		}
	}
	all := make([]FacetCount, 0, n)
	out := make(map[string][]FacetCount, len(facetDims)+1)
	for d, dim := range facetDims {
		from := len(all)
		for i, t := range directory.MustVocabulary(dim.vocab).Terms {
			if fc.counts[d][i] > 0 {
				all = append(all, FacetCount{Code: t.Code, Label: t.Label, Count: fc.counts[d][i]})
			}
		}
		out[dim.name] = all[from:len(all):len(all)]
	}
	from := len(all)
	all = append(all,
		FacetCount{Code: "true", Label: "Taking new clients", Count: fc.taking},
		FacetCount{Code: "false", Label: "Not taking new clients", Count: fc.of - fc.taking})
	out[FacetTakingNew] = all[from:]
	return out
}

// QuerySeed derives a tie-break seed from the parts of a query that define
// it (not the page), so the same query gives the same order everywhere and
// a different query gives a different rotation.
func QuerySeed(parts ...any) uint64 {
	b, err := json.Marshal(parts)
	if err != nil {
		b = []byte(err.Error())
	}
	h := fnv.New64a()
	_, _ = h.Write(b)
	return h.Sum64()
}

// slotOf returns where the catalogue holds the provider of a text hit. The
// slot the hit carries is used when it still holds that provider (checked by
// id hash, then id: a string lookup per hit was a tenth of a text search's
// time under load); a write since then sends the lookup to the map.
func (c *Catalogue) slotOf(h scopedHit) (int32, bool) {
	if h.slot >= 0 && int(h.slot) < len(c.profiles) {
		if pr := c.profiles[h.slot]; pr != nil && pr.idHash == hashString(h.ID) && pr.Provider.ID == h.ID {
			return h.slot, true
		}
	}
	slot, ok := c.byID[h.ID]
	return slot, ok
}

// sortFirst reorders xs so that xs[:k] holds its k first elements by cmp, in
// order; the rest are left in no particular order. cmp must be a total
// order (ties broken), so the result is the same as sorting all of xs.
func sortFirst[T any](xs []T, k int, cmp func(a, b T) int) {
	if k <= 0 {
		return
	}
	if k*4 >= len(xs) {
		slices.SortFunc(xs, cmp)
		return
	}
	// A heap of the k best so far with the worst on top.
	h := xs[:k]
	down := func(i int) {
		for {
			w, l, r := i, 2*i+1, 2*i+2
			if l < k && cmp(h[l], h[w]) > 0 {
				w = l
			}
			if r < k && cmp(h[r], h[w]) > 0 {
				w = r
			}
			if w == i {
				return
			}
			h[i], h[w] = h[w], h[i]
			i = w
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for i := k; i < len(xs); i++ {
		if cmp(xs[i], h[0]) < 0 {
			h[0], xs[i] = xs[i], h[0]
			down(0)
		}
	}
	slices.SortFunc(h, cmp)
}
