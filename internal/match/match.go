package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Location is where the client lives, already resolved to a point. District
// and Town, when known, let coverage by named district or area apply.
type Location struct {
	Point    directory.LatLon
	District string
	Town     string
	// NationalOnly means the place is real but not placed (a well-formed
	// postcode of a district no geocoder knows): Point means nothing, only
	// providers covering the whole country cover it, and no distance is
	// worked out. (Omitted from JSON when false, so QuerySeed's rotation of
	// every other query stays as it was.)
	NationalOnly bool `json:",omitempty"`
}

// Request is one match: where, what the client needs, which kinds of
// provision, and which page.
type Request struct {
	Location Location
	Needs    directory.Needs
	// Types are provider type codes; empty means Job Brokers.
	Types   []string
	Page    int // from 1
	PerPage int
	// Seed orders providers that score the same. Derive it from the query
	// (QuerySeed) so the same query always gives the same order and
	// different queries rotate providers.
	Seed uint64
	// Now is the time freshness is judged against.
	Now time.Time
	// Sort is "" (or SortFit) for best fit first, or SortDistance for
	// nearest place to meet first.
	Sort string
}

// Orders a match can be sorted in.
const (
	SortFit      = "fit"
	SortDistance = "distance"
)

// Result is a ranked, explained shortlist: every eligible provider, paged.
type Result struct {
	Total    int      `json:"total"`
	Page     int      `json:"page"`
	PerPage  int      `json:"per_page"`
	Results  []Ranked `json:"results"`
	Excluded Excluded `json:"excluded"`
	// NoGoodFit is true when no eligible provider meets at least half of
	// what the client asked for (or none is eligible at all).
	NoGoodFit bool `json:"no_good_fit"`
	// OtherProvision lists, when nothing fits, the best-fitting other kinds
	// of provision that cover the client's location.
	OtherProvision []Ranked `json:"other_provision,omitempty"`
	// TopFitsFull is true when every provider with the best score is not
	// taking new clients; CapacityNote then says so in a sentence.
	TopFitsFull  bool   `json:"top_fits_full"`
	CapacityNote string `json:"capacity_note,omitempty"`
}

// topFitsFullNote is what a page says when the best fits are full.
const topFitsFullNote = "The providers that fit best are not taking new clients at the moment. They are still listed: you can ask about a waiting list, or contact the next ones."

// Ranked is one provider in a shortlist with why it is where it is.
type Ranked struct {
	Provider *directory.Provider `json:"-"`
	// Rank is the position in the whole list, from 1.
	Rank int `json:"rank"`
	// Score is the share of the client's stated needs met, 0 to 100 (a
	// need partly met counts half).
	Score int `json:"score"`
	// DistanceKm is the distance to the nearest place to meet, nil for
	// providers with no premises.
	DistanceKm *float64 `json:"distance_km"`
	// DistanceMiles is DistanceKm in miles, to 0.1 (UK usage: pages show
	// miles).
	DistanceMiles *float64    `json:"distance_miles"`
	Travel        string      `json:"travel"`
	Explanation   Explanation `json:"explanation"`
	Flags         []Flag      `json:"flags"`
	// AtAGlance is what to compare whatever the client asked for:
	// languages, who they deal with and how often, in-work support and
	// whether the employer must be told.
	AtAGlance Glance `json:"at_a_glance"`
}

// Explanation lists, in plain English, which needs a provider meets.
type Explanation struct {
	Met       []string `json:"met"`
	PartlyMet []string `json:"partly_met"`
	NotMet    []string `json:"not_met"`
}

// Flag is something a client should know before choosing, whatever their
// needs: telephone only, not taking new clients, old information.
type Flag struct {
	Code string `json:"code" example:"telephone_only"`
	Text string `json:"text" example:"Telephone only: you will not meet them in person"`
}

// Excluded counts providers covering the client's location that are not in
// the list, and why.
type Excluded struct {
	Count   int      `json:"count"`
	Reasons []Reason `json:"reasons"`
	// Providers names each provider left out for its own reason (not
	// those of other kinds of help), with that reason.
	Providers []LeftOut `json:"providers"`
}

// LeftOut is one provider covering the client's place that is not listed,
// with a short reason an adviser can read out.
type LeftOut struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Code string `json:"code" example:"serves_only"`
	Text string `json:"text" example:"Only works with people with hearing loss"`
}

// Reason is one reason providers were left out, with how many.
type Reason struct {
	Code  string `json:"code" example:"too_far"`
	Text  string `json:"text"`
	Count int    `json:"count"`
}

// goodFit is the score below which a match counts as no good fit.
const goodFit = 50

// Match ranks every eligible provider for req.
func (c *Catalogue) Match(req Request) Result {
	types := typeBits.of(req.Types)
	if types == 0 {
		types = typeBits[directory.TypeJobBroker]
	}
	res := c.match(&req, types)
	if res.NoGoodFit && req.Needs.Stated() {
		res.OtherProvision = c.otherProvision(&req, ^types)
	}
	return res
}

// otherProvision returns up to five providers of other kinds that meet at
// least part of the client's needs, best fit first and then nearest (the
// research found gaps were often filled by other local services).
func (c *Catalogue) otherProvision(req *Request, types uint64) []Ranked {
	rk := c.rank(req, types, directory.MaxPerPage)
	var out []cand
	for _, cd := range rk.top.sorted() {
		if cd.score > 0 {
			out = append(out, cd)
		}
	}
	// Only the five shown are explained: explaining every candidate was
	// most of a match's garbage when nothing fitted.
	slices.SortStableFunc(out, func(a, b cand) int {
		if a.score != b.score {
			return b.score - a.score
		}
		return cmpKm(roundedKm(&a), roundedKm(&b))
	})
	out = out[:min(len(out), 5)]
	ranked := make([]Ranked, len(out))
	for i := range out {
		ranked[i] = explain(&out[i], rk.crit, req.Now, i+1)
	}
	return ranked
}

// roundedKm is the distance a result shows: to 0.1 km, nil with no premises.
func roundedKm(cd *cand) *float64 {
	if !cd.hasSite {
		return nil
	}
	km := math.Round(cd.dist()*10) / 10
	return &km
}

// cmpKm orders distances nearest first, providers with no premises last.
func cmpKm(a, b *float64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	case *a < *b:
		return -1
	case *a > *b:
		return 1
	}
	return 0
}

// ex counts exclusions by reason during one match, and notes the
// providers left out for a reason an adviser can read out.
type ex struct {
	otherType, suspended, tooFar, servesOnly, jobcentreOnly int
	left                                                    []leftOut
}

// leftOut is one provider left out, and why.
type leftOut struct {
	pr   *Profile
	code string
}

// maxLeftOut bounds the providers an exclusion list names; a place has a
// few at most, so this only guards against a pathological directory.
const maxLeftOut = 200

func (x *ex) note(pr *Profile, code string) {
	if len(x.left) < maxLeftOut {
		x.left = append(x.left, leftOut{pr, code})
	}
}

func (c *Catalogue) match(req *Request, types uint64) Result {
	page, per := max(req.Page, 1), req.PerPage
	if per <= 0 {
		per = directory.DefaultPerPage
	}
	per = min(per, directory.MaxPerPage)
	rk := c.rank(req, types, page*per)
	res := Result{Total: rk.total, Page: page, PerPage: per}
	res.Excluded = rk.x.report(req.Needs.MaxTravelKm)
	res.NoGoodFit = rk.total == 0 || (rk.possible > 0 && rk.best < goodFit)
	if rk.total > 0 && rk.bestOpen < rk.best {
		res.TopFitsFull, res.CapacityNote = true, topFitsFullNote
	}
	ranked := rk.top.sorted()
	from := min((page-1)*per, len(ranked))
	res.Results = make([]Ranked, len(ranked)-from)
	for i := range res.Results {
		res.Results[i] = explain(&ranked[from+i], rk.crit, req.Now, from+i+1)
	}
	return res
}

// ranking is what rank found: the best candidates, how many were eligible,
// the best score, and the exclusions.
type ranking struct {
	crit     []criterion
	possible int
	top      *topK
	total    int
	best     int
	bestOpen int // the best score of a provider taking new clients
	x        ex
}

// rank scores every eligible provider for req and keeps the best want.
func (c *Catalogue) rank(req *Request, types uint64, want int) ranking {
	needs := &req.Needs
	rk := ranking{crit: criteria(needs), top: newTopK(want), best: -1, bestOpen: -1}
	rk.top.byDistance = req.Sort == SortDistance
	// Distance bands break ties only when the client has not said how
	// they travel: when they have, distance is already in the score.
	banded := needs.Travel == ""
	for _, cr := range rk.crit {
		rk.possible += 2 * cr.weight
	}
	crit, possible := rk.crit, rk.possible
	conditions := specialismBits.of(needs.HealthConditions)
	loc := req.Location
	x := &rk.x

	c.mu.RLock()
	defer c.mu.RUnlock()
	// One candidate reused: the criteria take its address, which would
	// otherwise put every candidate on the heap (thousands per match).
	cd := new(cand)
	from := new(origin)
	*from = distanceFrom(loc.Point)
	maxTravel2 := chord2Of(needs.MaxTravelKm)
	avoidJC := needs.AvoidJobcentre
	c.covering(loc, func(slot int32, pr *Profile) {
		// The exclusions that need no distance come first, from the hot
		// array: a provider of another type (two in five) costs neither
		// a read of its profile nor great-circle arithmetic.
		h := &c.hot[slot]
		switch {
		case h.ended:
			return
		case h.typeBit()&types == 0:
			x.otherType++
			return
		case !h.published:
			x.suspended++
			x.note(pr, "suspended")
			return
		case h.servesOnly != 0 && conditions != 0 && h.servesOnly&conditions == 0:
			x.servesOnly++
			x.note(pr, "serves_only")
			return
		}
		*cd = cand{slot: slot, pr: pr, from: from}
		var moreU []unit
		var more []directory.LatLon
		if h.moreSites {
			moreU, more = pr.moreU, pr.more
		}
		// Reaches are tested by the chord, exactly (see
		// compareChord2); the distance itself only if a
		// criterion asks (cand.dist).
		var at directory.LatLon
		var c2 float64
		i, d2, ok := h.closest(*from, moreU)
		jcOnly := false
		if ok && avoidJC && h.jcSites {
			// A client avoiding the Jobcentre cannot use a Jobcentre
			// site: it is neither a place to meet nor where staff
			// travel from.
			i, d2, ok = pr.closestNotJobcentre(*from)
			jcOnly = !ok
		}
		if ok && !loc.NationalOnly {
			cd.at, cd.hasSite, at, c2 = int32(i), true, h.point(i, more), d2
			cd.visits = h.travelKm > 0 && from.within(at, c2, h.travelKm, h.travel2)
		}
		if needs.MaxTravelKm > 0 && !cd.visits && h.modes&remoteModes == 0 &&
			(!cd.hasSite || !from.within(at, c2, needs.MaxTravelKm, maxTravel2)) {
			if jcOnly {
				x.jobcentreOnly++
				x.note(pr, "jobcentre_only")
			} else {
				x.tooFar++
				x.note(pr, "too_far")
			}
			return
		}
		if possible > 0 {
			earned := 0
			for i := range crit {
				lvl, _ := crit[i].eval(cd, false)
				earned += int(lvl) * crit[i].weight
			}
			cd.score = (earned*100 + possible/2) / possible
		}
		cd.tie = mix(req.Seed ^ h.idHash)
		cd.open = h.takingNew
		cd.near = math.Inf(1)
		if cd.hasSite {
			cd.near = c2
		}
		if banded {
			cd.band = bandOf(cd, h.modes&remoteModes != 0)
		}
		if cd.open {
			rk.bestOpen = max(rk.bestOpen, cd.score)
		}
		rk.best = max(rk.best, cd.score)
		rk.total++
		rk.top.push(*cd)
	})
	return rk
}

func (x ex) report(maxKm float64) Excluded {
	var e Excluded
	add := func(code string, n int, text string) {
		if n > 0 {
			e.Count += n
			e.Reasons = append(e.Reasons, Reason{Code: code, Count: n, Text: text})
		}
	}
	add("other_type", x.otherType, count(x.otherType, "provider of another kind of help also covers this area", "providers of other kinds of help also cover this area"))
	add("suspended", x.suspended, count(x.suspended, "provider covering this area is not taking part just now", "providers covering this area are not taking part just now"))
	add("serves_only", x.servesOnly, count(x.servesOnly, "provider works only with people with other health conditions", "providers work only with people with other health conditions"))
	add("too_far", x.tooFar, count(x.tooFar, fmt.Sprintf("provider covers this area but can be met in person only more than %s away", howFar(maxKm)), fmt.Sprintf("providers cover this area but can be met in person only more than %s away", howFar(maxKm))))
	add("jobcentre_only", x.jobcentreOnly, count(x.jobcentreOnly, "provider meets people in person only at the Jobcentre", "providers meet people in person only at the Jobcentre"))
	if e.Reasons == nil {
		e.Reasons = []Reason{}
	}
	// A stable order whatever the insertion order, by id hash: this list
	// is not a ranking, and comparing names was a tenth of a match.
	slices.SortFunc(x.left, func(a, b leftOut) int { return cmp.Compare(a.pr.idHash, b.pr.idHash) })
	e.Providers = make([]LeftOut, len(x.left))
	texts := map[string]string{
		"too_far":        "Meets people only in person, more than " + howFar(maxKm) + " away, and does not visit you at home",
		"jobcentre_only": "Meets people in person only at the Jobcentre, which you asked to avoid",
		"suspended":      "Not taking part just now",
	}
	for i, l := range x.left {
		text := texts[l.code]
		if l.code == "serves_only" {
			text = l.pr.servesOnlyText
		}
		e.Providers[i] = LeftOut{ID: l.pr.Provider.ID, Name: l.pr.Provider.Name, Code: l.code, Text: text}
	}
	return e
}

// joinOr joins a list as people write it: "a, b or c".
func joinOr(list []string) string {
	if len(list) < 2 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// explain builds the full, plain-English entry for one ranked provider.
func explain(cd *cand, crit []criterion, now time.Time, rank int) Ranked {
	r := Ranked{
		Provider: cd.pr.Provider, Rank: rank, Score: cd.score,
		Explanation: Explanation{Met: []string{}, PartlyMet: []string{}, NotMet: []string{}},
	}
	for i := range crit {
		lvl, text := crit[i].eval(cd, true)
		switch lvl {
		case met:
			r.Explanation.Met = append(r.Explanation.Met, text)
		case partlyMet:
			r.Explanation.PartlyMet = append(r.Explanation.PartlyMet, text)
		default:
			r.Explanation.NotMet = append(r.Explanation.NotMet, text)
		}
	}
	if cd.hasSite {
		km, mi := math.Round(cd.dist()*10)/10, Miles(cd.dist())
		r.DistanceKm, r.DistanceMiles = &km, &mi
	}
	r.Travel = travelNote(cd)
	r.Flags = Flags(cd.pr, now)
	r.AtAGlance = cd.pr.glance
	return r
}

func travelNote(cd *cand) string {
	pr := cd.pr
	// One builder, no fmt: this runs for every result shown.
	var b strings.Builder
	b.Grow(128)
	part := func(s ...string) {
		if b.Len() > 0 {
			b.WriteString(". ")
		}
		for _, x := range s {
			b.WriteString(x)
		}
	}
	if cd.visits {
		part("Staff can visit you at home")
	}
	if cd.hasSite {
		// The site rank chose, at the distance it worked out.
		s := pr.sites[cd.at]
		town := ""
		if s.town != "" && !strings.Contains(s.name, s.town) {
			town = ", " + s.town
		}
		part("Nearest place to meet: ", s.name, town, ", ", howFar(cd.dist()), " away")
	}
	switch {
	case pr.telephoneOnly() && pr.Provider.Contact.RegistrationByPost:
		part("By telephone only; you register by post")
	case pr.telephoneOnly():
		part("By telephone or online only")
	case pr.modes&remoteModes != 0:
		part("Also by telephone or online")
	}
	return b.String()
}

// Flags lists what a client should know about a provider whatever their
// needs. now is the date freshness is judged against.
func Flags(pr *Profile, now time.Time) []Flag {
	p := pr.Provider
	flags := []Flag{}
	if pr.telephoneOnly() {
		text := "Telephone only: you will not meet them in person"
		if p.Contact.RegistrationByPost {
			text += "; registration is by post"
		}
		flags = append(flags, Flag{"telephone_only", text})
	}
	if pr.groupBased() {
		flags = append(flags, Flag{"group_based", "Works mainly in groups"})
	}
	if pr.registration == directory.RegistrationJobReadyOnly {
		flags = append(flags, Flag{"job_ready_only", "Registers only people likely to be in work within about six months"})
	}
	if !pr.takingNew {
		flags = append(flags, Flag{"not_taking_new_clients", "Not taking new clients at the moment"})
	}
	if pr.servesOnly != 0 {
		flags = append(flags, Flag{"serves_only", "Works only with people with: " + labels(directory.VocabSpecialisms, p.ServesOnly)})
	}
	if pr.stale(now) {
		text := "Information never checked: ask the provider before relying on it"
		if pr.verifiedOK {
			text = "Information last checked on " + pr.verified.Format("2 January 2006") + ", over a year ago: ask the provider before relying on it"
		}
		flags = append(flags, Flag{"stale", text})
	}
	if pr.discretion {
		flags = append(flags, Flag{"incentives_discretionary", pr.discretionText})
	}
	return flags
}

func labels(vocab string, codes []string) string {
	v := directory.MustVocabulary(vocab)
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = strings.ToLower(v.Label(c))
	}
	return strings.Join(out, ", ")
}

// Distance bands, in miles: the places to meet within each are, to a
// person, about as near as each other. Staff who visit you count as the
// nearest band; a provider with no place to meet but a telephone or online
// service counts as the second, reachable from home but after somewhere
// you can walk into nearby.
var bandChords = [...]float64{chord2Of(5 * kmPerMile), chord2Of(15 * kmPerMile), chord2Of(40 * kmPerMile)}

// bandOf is the distance band of a candidate: 0 (within 5 miles, or staff
// visit you), 1 (within 15 miles, or by telephone or online only), 2
// (within 40 miles), 3 (further, or nowhere to meet).
func bandOf(cd *cand, remote bool) uint8 {
	switch {
	case cd.visits:
		return 0
	case !cd.hasSite && remote:
		return 1
	case !cd.hasSite:
		return 3
	}
	for i, c2 := range bandChords {
		if cd.near <= c2 {
			return uint8(i)
		}
	}
	return 3
}

// topK keeps the k best candidates seen: highest score first, then those
// taking new clients, then the nearer distance band, then the lowest
// tie-break value (by distance first when byDistance). It is a bounded
// max-heap on "worst first", so a match costs O(n log k) however many
// providers are eligible.
type topK struct {
	k          int
	heap       []cand
	byDistance bool
}

func newTopK(k int) *topK { return &topK{k: k, heap: make([]cand, 0, min(k, 1024))} }

// better reports whether a ranks before b.
func (t *topK) better(a, b *cand) bool {
	if t.byDistance && a.near != b.near {
		return a.near < b.near
	}
	if a.score != b.score {
		return a.score > b.score
	}
	// Capacity is about the client's chance to join, and applies to
	// every provider alike: a full provider is listed and flagged, but
	// never before an equally good one that can take them.
	if a.open != b.open {
		return a.open
	}
	if a.band != b.band {
		return a.band < b.band
	}
	return a.tie < b.tie
}

func (t *topK) push(c cand) {
	if len(t.heap) < t.k {
		t.heap = append(t.heap, c)
		t.up(len(t.heap) - 1)
		return
	}
	if t.k == 0 || !t.better(&c, &t.heap[0]) {
		return
	}
	t.heap[0] = c
	t.down(0)
}

// The heap's root is the worst kept candidate.
func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.better(&t.heap[p], &t.heap[i]) {
			return
		}
		t.heap[p], t.heap[i] = t.heap[i], t.heap[p]
		i = p
	}
}

func (t *topK) down(i int) {
	n := len(t.heap)
	for {
		w, l, r := i, 2*i+1, 2*i+2
		if l < n && t.better(&t.heap[w], &t.heap[l]) {
			w = l
		}
		if r < n && t.better(&t.heap[w], &t.heap[r]) {
			w = r
		}
		if w == i {
			return
		}
		t.heap[w], t.heap[i] = t.heap[i], t.heap[w]
		i = w
	}
}

func (t *topK) sorted() []cand {
	out := slices.Clone(t.heap)
	slices.SortFunc(out, func(a, b cand) int {
		if t.better(&a, &b) {
			return -1
		}
		if t.better(&b, &a) {
			return 1
		}
		return 0
	})
	return out
}
