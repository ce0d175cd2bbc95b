package synth

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Options configures Generate.
type Options struct {
	// Providers is how many providers to make.
	Providers int
	// Seed selects the directory: the same seed gives the same output.
	Seed int64
	// Districts are where providers sit and what they cover.
	Districts []District
}

// MaxProviders bounds Options.Providers so a typo cannot exhaust memory.
const MaxProviders = 5_000_000

// referenceDate anchors every date in the output, so output never depends on
// the clock: records were last verified during the 30 months before it.
var referenceDate = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const verifiedWindowDays = 913 // about 30 months

// maxNeighbours is the most neighbouring districts a provider covers.
const maxNeighbours = 8

// Generate returns opts.Providers valid providers, the same for the same
// options. Provider i is drawn from its own PCG generator seeded from
// (Seed, i), so it does not depend on how many providers are made or on how
// the work is split between goroutines; no clock or map order is consulted.
// Every record passes Normalize and Validate and Normalize leaves it
// unchanged, so the output can be written straight out as a seed directory.
//
// The mix, roughly (DOMAIN.md, "What a provider record holds"):
//   - type: 60% job_broker, the rest spread evenly over the other provider
//     types;
//   - 0.2% national, telephone-based providers (one remote site without a
//     location, telephone and sometimes online, registration by post). They
//     are kept rare because every match anywhere includes them;
//   - the others sit in a district picked with weight 1 + the number of its 8
//     nearest districts within 6 km, so towns get more providers than
//     countryside; 80% local, 20% regional (covering more districts);
//   - 1–3 sites (60%, 30%, 10%: office, community venue, or jobcentre on
//     set days) within 3 km of the district centre, 70% with a postcode in
//     that district; coverage is the home district plus its 2–8 nearest
//     (regional: 5–8), 20% add a radius of 5–30 km, 25% travel to clients
//     (10–40 km, home visits); delivery modes follow the sites, plus
//     telephone, online, group and one-to-one sometimes;
//   - 4–14 services, about 7 on average (75% in house, 15% partner, 10%
//     referral); 0–3 specialisms, 5% serving only one; severe conditions
//     20%; job_ready_only registration 15%; 0–3 incentives (1.2 on average)
//     of £25–£200, half discretionary; in-work support 70%; taking new
//     clients 85%; performance figures 60%;
//   - status 94% published, 2% draft, 2% suspended, 2% ended (with an ended
//     contract).
//
// Records are about 2.6 KB of JSON each (median; most 2.2–3 KB).
func Generate(opts Options) ([]directory.Provider, error) {
	if opts.Providers < 0 || opts.Providers > MaxProviders {
		return nil, fmt.Errorf("synth: providers must be between 0 and %d", MaxProviders)
	}
	if len(opts.Districts) == 0 {
		return nil, errors.New("synth: no districts to place providers in")
	}
	ds := make([]District, 0, len(opts.Districts))
	seen := map[string]bool{}
	for _, d := range opts.Districts {
		if !directory.ValidDistrict(d.Code) || !inUK(d.Lat, d.Lon) {
			return nil, fmt.Errorf("synth: district %q at %g,%g is not a valid UK district", d.Code, d.Lat, d.Lon)
		}
		if !seen[d.Code] {
			seen[d.Code] = true
			ds = append(ds, d)
		}
	}
	g := newGenerator(opts.Seed, ds)
	out := make([]directory.Provider, opts.Providers)

	// Each provider depends only on (seed, index), so splitting the work
	// across CPUs cannot change the result.
	workers := min(runtime.GOMAXPROCS(0), max(1, opts.Providers/1000))
	var wg sync.WaitGroup
	chunk := (opts.Providers + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, opts.Providers)
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				g.provider(&out[i], i)
			}
		})
	}
	wg.Wait()
	return out, nil
}

// generator holds what is shared by every provider: districts, their
// neighbours and the cumulative weights for picking a home district.
type generator struct {
	seed      uint64
	districts []District
	near      [][]int32
	cum       []float64 // cumulative district weights
}

func newGenerator(seed int64, ds []District) *generator {
	g := &generator{seed: uint64(seed), districts: ds, near: nearest(ds, maxNeighbours)}
	g.cum = make([]float64, len(ds))
	total := 0.0
	for i := range ds {
		w := 1.0
		for _, j := range g.near[i] {
			if directory.DistanceKm(latLon(ds[i]), latLon(ds[j])) <= 6 {
				w++
			}
		}
		total += w
		g.cum[i] = total
	}
	return g
}

func latLon(d District) directory.LatLon { return directory.LatLon{Lat: d.Lat, Lon: d.Lon} }

// mix is the SplitMix64 finaliser: a bijection on uint64 that scatters
// neighbouring inputs.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// uuid formats two 64-bit halves as a version-4-shaped UUID.
func uuid(hi, lo uint64) string {
	var b [16]byte
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// providerID is unique within one seed: mix is a bijection, so distinct
// indices give distinct high halves (the version bits clear only 4 of its
// 64 bits, and the low half is derived from the index too).
func (g *generator) providerID(i int) string {
	x := mix(g.seed) + uint64(i)
	return uuid(mix(x), mix(x^0x5bd1e9955bd1e995))
}

// rnd wraps the per-provider generator with the helpers used below.
type rnd struct{ *rand.Rand }

func (r rnd) chance(p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func (r rnd) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

func pick[T any](r rnd, xs []T) T { return xs[r.IntN(len(xs))] }

// some returns k distinct elements of xs, in xs's order.
func some(r rnd, xs []string, k int) []string {
	k = min(k, len(xs))
	if k <= 0 {
		return nil
	}
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	for i := range k {
		j := i + r.IntN(len(idx)-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	chosen := idx[:k]
	slices.Sort(chosen)
	out := make([]string, k)
	for i, j := range chosen {
		out[i] = xs[j]
	}
	return out
}

// codes returns the codes of a vocabulary, in its order.
func codes(vocab string) []string {
	var out []string
	for _, t := range directory.MustVocabulary(vocab).Terms {
		out = append(out, t.Code)
	}
	return out
}

var (
	otherTypes     = slices.DeleteFunc(codes(directory.VocabProviderTypes), func(c string) bool { return c == directory.TypeJobBroker })
	serviceCodes   = codes(directory.VocabServices)
	specialisms    = codes(directory.VocabSpecialisms)
	serviceModels  = codes(directory.VocabServiceModels)
	outOfScope     = codes(directory.VocabOutOfScope)
	incentiveKinds = codes(directory.VocabIncentiveKinds)
	iwsModels      = codes(directory.VocabInWorkSupportModels)
	adviserModels  = codes(directory.VocabAdviserModels)
	accessibility  = codes(directory.VocabAccessibility)
	otherLanguages = slices.DeleteFunc(codes(directory.VocabLanguages), func(c string) bool { return c == "en" || c == "cy" || c == "gd" })
	weekdays       = []string{"mon", "tue", "wed", "thu", "fri"}
	postcodeLetter = "ABDEFGHJLNPQRSTUWXYZ" // letters used in inward codes
)

// provider fills p with provider number i.
func (g *generator) provider(p *directory.Provider, i int) {
	r := rnd{rand.New(rand.NewPCG(mix(g.seed^0x243f6a8885a308d3), mix(uint64(i)+mix(g.seed))))}
	p.ID = g.providerID(i)
	p.Type = directory.TypeJobBroker
	if !r.chance(0.60) {
		p.Type = pick(r, otherTypes)
	}
	national := r.chance(0.002)

	homeIdx := g.pickDistrict(r)
	home := g.districts[homeIdx]
	town := home.Town
	place := town
	if place == "" || national {
		place = pick(r, places)
	}
	p.Name = g.name(r, p.Type, place, national)
	slug := slugOf(p.Name)

	switch x := r.Float64(); {
	case x < 0.94:
		p.Status = directory.StatusPublished
	case x < 0.96:
		p.Status = directory.StatusDraft
	case x < 0.98:
		p.Status = directory.StatusSuspended
	default:
		p.Status = directory.StatusEnded
	}

	org := &p.Organisation
	org.Sector = pick(r, []string{"public", "public", "private", "private", "private", "voluntary", "voluntary", "voluntary", "voluntary", "voluntary"})
	org.JobcentrePlusRun = org.Sector == "public" && p.Type == directory.TypeJobBroker && r.chance(0.1)
	if r.chance(0.15) {
		org.PartnershipMembers = []string{p.Name}
		for range r.between(1, 2) {
			org.PartnershipMembers = append(org.PartnershipMembers, partnerName(r, place))
		}
	}
	org.Scale = "local"
	if r.chance(0.2) {
		org.Scale = "regional"
	}
	org.Website = "https://" + slug + ".example.org"
	org.ContractStatus = directory.ContractActive
	if p.Status == directory.StatusEnded {
		org.ContractStatus = directory.ContractEnded
	} else if r.chance(0.05) {
		org.ContractStatus = directory.ContractNotRegistering
	}

	if national {
		g.nationalReach(r, p, town)
	} else {
		g.localReach(r, p, homeIdx, place)
	}

	summary := jobBrokerSummary
	if p.Type != directory.TypeJobBroker {
		summary = typeNames[p.Type].summary
	}
	where := " in and around " + place
	if national {
		where = " anywhere in Great Britain, by telephone"
	}
	p.Summary = p.Name + " " + summary + where + "."

	p.Services = services(r, place)
	switch n := r.Float64(); {
	case n < 0.4:
	case n < 0.7:
		p.Specialisms = some(r, specialisms, 1)
	case n < 0.9:
		p.Specialisms = some(r, specialisms, 2)
	default:
		p.Specialisms = some(r, specialisms, 3)
	}
	if r.chance(0.05) {
		if len(p.Specialisms) == 0 {
			p.Specialisms = some(r, specialisms, 1)
		}
		p.ServesOnly = []string{p.Specialisms[0]}
	}
	p.SevereConditions = r.chance(0.2)
	p.ServiceModel = pick(r, serviceModels)
	switch x := r.Float64(); {
	case x < 0.15:
		p.RegistrationApproach = directory.RegistrationJobReadyOnly
	case x < 0.45:
		p.RegistrationApproach = directory.RegistrationWorksBefore
	default:
		p.RegistrationApproach = directory.RegistrationAnyone
	}
	for _, need := range some(r, outOfScope, r.between(0, 2)) {
		to := signpostTo[need]
		if strings.Contains(to, "%s") {
			to = fmt.Sprintf(to, place)
		}
		p.OutOfScope = append(p.OutOfScope, directory.Signpost{Need: need, To: to})
	}
	for _, kind := range some(r, incentiveKinds, pick(r, []int{0, 0, 0, 1, 1, 1, 1, 2, 2, 3})) {
		in := directory.Incentive{
			Kind: kind, Recipient: "client", Trigger: incentiveTriggers[kind],
			AmountPence: int64(r.between(5, 40)) * 500, Discretionary: r.chance(0.5),
		}
		if strings.HasPrefix(kind, "employer_") {
			in.Recipient = "employer"
		}
		p.Incentives = append(p.Incentives, in)
	}
	if r.chance(0.7) {
		p.InWorkSupport = directory.InWorkSupport{
			Offered: true, Model: pick(r, iwsModels), Weeks: pick(r, []int{13, 26, 26, 52}),
			EmployerMediation: r.chance(0.6), Disclosure: "client_decides",
		}
		if r.chance(0.25) {
			p.InWorkSupport.Disclosure = "employer_must_know"
		}
	}
	p.Capacity.TakingNewClients = r.chance(0.85)
	if p.Capacity.TakingNewClients {
		p.Capacity.WeeksToFirstAppointment = r.between(0, 6)
	}
	p.Staffing = directory.Staffing{
		AdviserModel:         pick(r, adviserModels),
		ContactFrequencyDays: r.between(3, 28),
		CaseloadPerAdviser:   r.between(7, 80) * 5,
	}
	p.Accessibility = some(r, accessibility, r.between(1, 5))
	area := postcodeArea(home.Code)
	p.Languages = languages(r, area)

	p.Contact = directory.Contact{
		Phone: cmp.Or(dramaPhones[area], dramaOther) + threeDigits(r),
		Email: "info@" + slug + ".example.org",
	}
	if national || r.chance(0.1) {
		p.Contact.Phone, p.Contact.Freephone = dramaFreephone+threeDigits(r), true
	}
	if r.chance(0.05) {
		p.Contact.Textphone = dramaTextphone + threeDigits(r)
	}
	p.Contact.RegistrationByPost = national

	if r.chance(0.6) {
		p.Performance = performance(r)
	}
	p.Freshness = directory.Freshness{
		LastVerified: directory.DateOf(referenceDate.AddDate(0, 0, -1-r.IntN(verifiedWindowDays))),
		VerifiedBy:   verifier(r),
	}
}

// pickDistrict draws a home district by weight.
func (g *generator) pickDistrict(r rnd) int {
	x := r.Float64() * g.cum[len(g.cum)-1]
	i, _ := slices.BinarySearch(g.cum, x)
	return min(i, len(g.cum)-1)
}

func (g *generator) name(r rnd, typ, place string, national bool) string {
	if typ != directory.TypeJobBroker {
		return place + " " + pick(r, typeNames[typ].endings)
	}
	var parts []string
	switch x := r.Float64(); {
	case national:
		parts = []string{pick(r, adjectives), pick(r, nouns), pick(r, []string{"Direct", "Line", "by Phone"})}
	case x < 0.6:
		parts = []string{place, pick(r, adjectives), pick(r, nouns)}
	case x < 0.8:
		parts = []string{place, pick(r, nouns)}
	default:
		parts = []string{pick(r, adjectives), pick(r, nouns)}
	}
	if s := pick(r, suffixes); s != "" && !national {
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// slugOf turns a name into a host-name label: lower-case letters and digits
// joined by single hyphens.
func slugOf(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}

func partnerName(r rnd, place string) string {
	if r.chance(0.5) {
		place = pick(r, places)
	}
	return place + " " + pick(r, partnerKinds)
}

// nationalReach makes p a telephone-based national provider: one remote
// site with no location, reached by telephone (and sometimes online).
func (g *generator) nationalReach(r rnd, p *directory.Provider, town string) {
	p.Organisation.Scale = "national"
	site := directory.Site{
		ID: uuid(r.Uint64(), r.Uint64()), Name: "Telephone service", Kind: directory.SiteRemote,
		Address: directory.Address{Town: town},
	}
	p.Sites = []directory.Site{site}
	p.Coverage = directory.Coverage{National: true}
	p.DeliveryModes = []string{directory.ModeTelephone}
	if r.chance(0.5) {
		p.DeliveryModes = append(p.DeliveryModes, directory.ModeOnline)
	}
	p.DeliveryModes = append(p.DeliveryModes, directory.ModeOneToOne)
}

// localReach gives p sites near its home district, coverage of the nearest
// districts and delivery modes that match its sites.
func (g *generator) localReach(r rnd, p *directory.Provider, idx int, place string) {
	home := g.districts[idx]
	n := 1
	if x := r.Float64(); x > 0.6 {
		n = 2
		if x > 0.9 {
			n = 3
		}
	}
	var modes []string
	addMode := func(m string) {
		if !slices.Contains(modes, m) {
			modes = append(modes, m)
		}
	}
	for s := range n {
		kind := directory.SiteOffice
		switch x := r.Float64(); {
		case s == 0 && x < 0.25, s > 0 && x < 0.35:
			kind = directory.SiteCommunity
		case s > 0 && x < 0.85:
			kind = directory.SiteJobcentre
		}
		p.Sites = append(p.Sites, g.site(r, kind, home, place))
		switch kind {
		case directory.SiteOffice:
			addMode(directory.ModeOffice)
		case directory.SiteJobcentre:
			addMode(directory.ModeJobcentre)
		case directory.SiteCommunity:
			addMode(directory.ModeOutreach)
		}
	}

	hi := r.between(2, maxNeighbours)
	if p.Organisation.Scale == "regional" {
		hi = r.between(5, maxNeighbours)
	}
	cov := &p.Coverage
	cov.PostcodeDistricts = []string{home.Code}
	for _, j := range g.near[idx][:min(hi, len(g.near[idx]))] {
		cov.PostcodeDistricts = append(cov.PostcodeDistricts, g.districts[j].Code)
	}
	if home.Town != "" && r.chance(0.5) {
		cov.Areas = []string{home.Town}
	}
	if r.chance(0.2) {
		cov.RadiusKm = float64(r.between(1, 6) * 5)
	}
	if r.chance(0.25) {
		cov.TravelsToClients = true
		cov.TravelRadiusKm = float64(r.between(2, 8) * 5)
		addMode(directory.ModeHomeVisits)
	}
	for _, m := range []struct {
		mode string
		p    float64
	}{{directory.ModeTelephone, 0.6}, {directory.ModeOnline, 0.4}, {directory.ModeGroups, 0.4}, {directory.ModeOneToOne, 0.8}} {
		if r.chance(m.p) {
			addMode(m.mode)
		}
	}
	p.DeliveryModes = modes
}

// site makes one site of the given kind within about 3 km of the district
// centre.
func (g *generator) site(r rnd, kind string, home District, place string) directory.Site {
	street := pick(r, streets) + " " + pick(r, streetKinds)
	s := directory.Site{ID: uuid(r.Uint64(), r.Uint64()), Kind: kind}
	switch kind {
	case directory.SiteOffice:
		s.Name = place + " office"
		s.Address.Lines = []string{strconv.Itoa(r.between(1, 240)) + " " + street}
		if r.chance(0.15) {
			closes := pick(r, []string{"16:30", "17:00"})
			for _, d := range weekdays {
				s.OpeningHours = append(s.OpeningHours, directory.OpeningHours{Day: d, Opens: "09:00", Closes: closes})
			}
		}
	case directory.SiteJobcentre:
		s.Name = place + " Jobcentre"
		s.Address.Lines = []string{"Jobcentre Plus", street}
		s.JobcentreDays = some(r, weekdays, r.between(1, 3))
	case directory.SiteCommunity:
		venue := pick(r, streets) + " " + pick(r, venueKinds)
		s.Name = venue + " drop-in"
		s.Address.Lines = []string{venue, street}
	}
	s.Address.Town = home.Town
	if r.chance(0.7) {
		s.Address.Postcode = home.Code + " " + strconv.Itoa(r.IntN(10)) +
			string(postcodeLetter[r.IntN(len(postcodeLetter))]) + string(postcodeLetter[r.IntN(len(postcodeLetter))])
	}
	// Uniform over a 3 km disc around the centre.
	dist := 3 * math.Sqrt(r.Float64())
	angle := 2 * math.Pi * r.Float64()
	lat := home.Lat + dist*math.Cos(angle)/110.57
	lon := home.Lon + dist*math.Sin(angle)/(111.32*math.Cos(home.Lat*math.Pi/180))
	s.Location = &directory.LatLon{
		Lat: min(max(round4(lat), minLat), maxLat),
		Lon: min(max(round4(lon), minLon), maxLon),
	}
	s.Accessibility = some(r, accessibility, r.between(0, 2))
	return s
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func services(r rnd, place string) []directory.Service {
	// 4 to 14, about 7 on average: the smaller of two draws keeps records
	// moderate in size.
	chosen := some(r, serviceCodes, 4+min(r.IntN(11), r.IntN(11)))
	out := make([]directory.Service, len(chosen))
	for i, c := range chosen {
		out[i] = directory.Service{Code: c, Provision: "in_house"}
		switch x := r.Float64(); {
		case x < 0.1:
			out[i].Provision = "referral"
		case x < 0.25:
			out[i].Provision = "partner"
			out[i].Partner = partnerName(r, place)
		}
	}
	return out
}

// languages is English, sometimes with one or two others; Welsh is common in
// Welsh districts and Gaelic in some Highland ones.
func languages(r rnd, area string) []string {
	out := []string{"en"}
	switch area {
	case "CF", "SA", "LL", "NP", "LD":
		if r.chance(0.5) {
			out = append(out, "cy")
		}
	case "HS", "IV", "PH":
		if r.chance(0.2) {
			out = append(out, "gd")
		}
	}
	switch x := r.Float64(); {
	case x < 0.10:
		out = append(out, some(r, otherLanguages, 1)...)
	case x < 0.14:
		out = append(out, some(r, otherLanguages, 2)...)
	}
	return out
}

// postcodeArea returns a district's postcode area: its leading letters.
func postcodeArea(district string) string {
	return district[:len(district)-len(strings.TrimLeft(district, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))]
}

func threeDigits(r rnd) string {
	n := r.IntN(1000)
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

func performance(r rnd) *directory.Performance {
	start, end := directory.Date("2025-04-01"), directory.Date("2026-03-31")
	if r.chance(0.3) {
		start, end = "2024-04-01", "2025-03-31"
	}
	reg := r.between(5, 600)
	entries := int(float64(reg) * (0.1 + 0.35*r.Float64()))
	sustained := int(float64(entries) * (0.4 + 0.4*r.Float64()))
	p := &directory.Performance{
		PeriodStart: start, PeriodEnd: end, Registrations: reg, JobEntries: entries,
		SustainedJobs: sustained, SustainedWeeks: 13, LongTermClaimantPercent: r.between(10, 70),
	}
	if p.SmallNumbers() {
		p.Note = "Small numbers: compare rates with care."
	}
	return p
}

func verifier(r rnd) string {
	if r.chance(0.4) {
		return "provider (self-service)"
	}
	return "directory team (" + string(initials[r.IntN(len(initials))]) + ". " + pick(r, surnames) + ")"
}
