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

// SearchRequest filters the published directory. Values within one filter
// are all required (a provider must offer every service listed), except
// Types, where any listed type will do.
type SearchRequest struct {
	// Text, when TextQuery is set, holds the providers matching the free
	// text; only they are considered, ordered by relevance.
	TextQuery bool
	Text      []TextHit

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
	pr   *Profile
	km   float64
	site bool
	rel  float64
	tie  uint64
}

// Search returns one page of published providers matching req.
func (c *Catalogue) Search(req SearchRequest) SearchResult {
	page, per := max(req.Page, 1), req.PerPage
	if per <= 0 {
		per = DefaultPerPage
	}
	per = min(per, MaxPerPage)
	types := typeBits.of(req.Types)
	specs, modes := specialismBits.of(req.Specialisms), modeBits.of(req.DeliveryModes)
	svc, inc := serviceBits.of(req.Services), incentiveBits.of(req.Incentives)
	acc, lang := accessBits.of(req.Accessibility), languageBits.of(req.Languages)
	keep := func(pr *Profile) bool {
		return pr.published && !pr.ended &&
			(types == 0 || pr.typeBit&types != 0) &&
			pr.specialisms&specs == specs && pr.modes&modes == modes &&
			pr.services&svc == svc && pr.incentives&inc == inc &&
			pr.access&acc == acc && pr.languages&lang == lang &&
			(req.TakingNewClients == nil || pr.takingNew == *req.TakingNewClients)
	}

	// The hits of a search near a town number thousands; their slice is
	// reused, not grown afresh for every request (it was a quarter of what
	// a search allocated at 100,000 providers, so of the collector's work).
	hp, _ := c.hits.Get().(*[]found)
	if hp == nil {
		hp = new([]found)
	}
	hits := (*hp)[:0]
	defer func() {
		clear(hits) // hold no profiles while pooled
		*hp = hits[:0]
		c.hits.Put(hp)
	}()
	c.mu.RLock()
	defer c.mu.RUnlock()
	var origin directory.Origin
	if req.Near != nil {
		origin = directory.DistanceFrom(req.Near.Point)
	}
	consider := func(pr *Profile, rel float64) {
		if !keep(pr) {
			return
		}
		f := found{pr: pr, rel: rel, tie: mix(req.Seed ^ pr.idHash)}
		if req.Near != nil {
			var ok bool
			_, f.km, ok = pr.nearest(origin)
			f.site = ok
			visits := pr.travelKm > 0 && ok && f.km <= pr.travelKm
			if !visits && pr.modes&remoteModes == 0 && (!ok || f.km > req.RadiusKm) {
				return
			}
		}
		hits = append(hits, f)
	}
	var covered *bitset // with near and text, the providers covering the place
	if req.Near != nil && req.TextQuery {
		covered = c.visitedSet()
		defer c.visited.Put(covered)
		c.covering(*req.Near, func(slot int32, _ *Profile) { covered.testAndSet(slot) })
	}
	switch {
	case req.TextQuery:
		for _, h := range req.Text {
			if slot, ok := c.byID[h.ID]; ok && (covered == nil || covered.test(slot)) {
				consider(c.profiles[slot], h.Score)
			}
		}
	case req.Near != nil:
		c.covering(*req.Near, func(_ int32, pr *Profile) { consider(pr, 0) })
	default:
		for _, pr := range c.profiles {
			if pr != nil {
				consider(pr, 0)
			}
		}
	}

	slices.SortFunc(hits, func(a, b found) int {
		switch {
		case a.rel != b.rel:
			return cmpDesc(a.rel, b.rel)
		case req.Near != nil && a.site != b.site:
			if a.site {
				return -1
			}
			return 1
		case req.Near != nil && a.site && a.km != b.km:
			return cmpAsc(a.km, b.km)
		case a.tie < b.tie:
			return -1
		case a.tie > b.tie:
			return 1
		}
		return 0
	})
	res := SearchResult{Total: len(hits), Page: page, PerPage: per, Items: []Found{}, Facets: facets(hits)}
	from := min((page-1)*per, len(hits))
	to := min(from+per, len(hits))
	for _, f := range hits[from:to] {
		item := Found{Provider: f.pr.Provider, Flags: Flags(f.pr, req.Now)}
		if req.Near != nil && f.site {
			km := math.Round(f.km*10) / 10
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

// facets counts codes over every hit, one bit set at a time.
func facets(hits []found) map[string][]FacetCount {
	type dim struct {
		name, vocab string
		get         func(*Profile) uint64
	}
	dims := []dim{
		{FacetType, directory.VocabProviderTypes, func(p *Profile) uint64 { return p.typeBit }},
		{FacetSpecialism, directory.VocabSpecialisms, func(p *Profile) uint64 { return p.specialisms }},
		{FacetDeliveryMode, directory.VocabDeliveryModes, func(p *Profile) uint64 { return p.modes }},
		{FacetService, directory.VocabServices, func(p *Profile) uint64 { return p.services }},
		{FacetIncentive, directory.VocabIncentiveKinds, func(p *Profile) uint64 { return p.incentives }},
		{FacetAccessibility, directory.VocabAccessibility, func(p *Profile) uint64 { return p.access }},
		{FacetLanguage, directory.VocabLanguages, func(p *Profile) uint64 { return p.languages }},
	}
	out := make(map[string][]FacetCount, len(dims)+1)
	for _, d := range dims {
		var counts [64]int
		for i := range hits {
			for m := d.get(hits[i].pr); m != 0; m &= m - 1 {
				counts[bits.TrailingZeros64(m)]++
			}
		}
		list := []FacetCount{}
		for i, t := range directory.MustVocabulary(d.vocab).Terms {
			if counts[i] > 0 {
				list = append(list, FacetCount{Code: t.Code, Label: t.Label, Count: counts[i]})
			}
		}
		out[d.name] = list
	}
	taking := 0
	for i := range hits {
		if hits[i].pr.takingNew {
			taking++
		}
	}
	out[FacetTakingNew] = []FacetCount{
		{Code: "true", Label: "Taking new clients", Count: taking},
		{Code: "false", Label: "Not taking new clients", Count: len(hits) - taking},
	}
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
