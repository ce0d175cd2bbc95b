package match

import (
	"math/bits"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// codeBits gives each code of one vocabulary a bit, so sets of codes become
// a uint64 and "does the provider offer any of these" is one AND.
type codeBits map[string]uint64

func bitsFor(vocab string) codeBits {
	v := directory.MustVocabulary(vocab)
	if len(v.Terms) > 64 {
		panic("match: vocabulary " + vocab + " has more than 64 codes")
	}
	b := make(codeBits, len(v.Terms))
	for i, t := range v.Terms {
		b[t.Code] = 1 << uint(i)
	}
	return b
}

func (b codeBits) of(codes []string) uint64 {
	var m uint64
	for _, c := range codes {
		m |= b[c]
	}
	return m
}

var (
	serviceBits        = bitsFor(directory.VocabServices)
	modeBits           = bitsFor(directory.VocabDeliveryModes)
	specialismBits     = bitsFor(directory.VocabSpecialisms)
	accessBits         = bitsFor(directory.VocabAccessibility)
	languageBits       = bitsFor(directory.VocabLanguages)
	incentiveBits      = bitsFor(directory.VocabIncentiveKinds)
	typeBits           = bitsFor(directory.VocabProviderTypes)
	outOfScopeBits     = bitsFor(directory.VocabOutOfScope)
	inPersonModes      = modeBits.of([]string{directory.ModeOffice, directory.ModeJobcentre, directory.ModeHomeVisits, directory.ModeOutreach})
	remoteModes        = modeBits.of([]string{directory.ModeTelephone, directory.ModeOnline})
	costIncentives     = incentiveBits.of([]string{"travel_costs", "clothing_equipment", "bridging_payment", "training_fees", "childcare_costs"})
	employerIncentives = incentiveBits.of([]string{"employer_wage_subsidy", "employer_training_subsidy"})
	staleAfter         = 365 * 24 * time.Hour
	meetingAtOffice    = modeBits.of([]string{directory.ModeOffice, directory.ModeOutreach})
)

// site is a located place where clients can meet the provider.
type site struct {
	point directory.LatLon
	kind  string
	name  string
	town  string
}

// hot is the part of a profile a search or match near a place reads for
// each of thousands of providers. The catalogue holds a copy of every
// profile's, by slot, in one array: read through each profile's pointer,
// the first read of each profile, a miss to memory, was the largest single
// cost of a search or a match under load. The array is read in slot order,
// which the catalogue lays out by place when a directory is loaded
// (SortForLocality; providers added later take free slots), and holds no
// pointers. In a Profile, held is always true.
type hot struct {
	// The first 64 bytes are what a match tests of every covering
	// provider before it is known to be eligible, the next what a search
	// tests too; 128 bytes in all, so an entry is one aligned pair of
	// cache lines, which processors fetch together.
	held       bool // the catalogue holds a profile in this slot
	published  bool
	ended      bool
	takingNew  bool
	located    bool
	moreSites  bool  // located sites beyond near
	typeIdx    uint8 // the provider type's bit number; 64 for none
	jcSites    bool  // some located site is a Jobcentre
	servesOnly uint64
	nearU      unit
	travelKm   float64
	travel2    float64 // travelKm's squared chord
	idHash     uint64

	specialisms uint64
	modes       uint64
	services    uint64 // delivered in house or by a partner
	incentives  uint64 // kinds paid to the client
	access      uint64 // the provider's and every site's
	languages   uint64
	// near is the first located site's point, held inline.
	near directory.LatLon
}

// typeBit is the provider type's bit (0 for a type not in the vocabulary).
func (h *hot) typeBit() uint64 { return 1 << h.typeIdx }

// Profile is one provider compiled for matching: codes as bit sets, located
// sites, and the few scalars the criteria read. Building it once per write
// keeps a match to bit operations and distance arithmetic.
type Profile struct {
	hot
	// more are the located sites after the first (see hot.near): most
	// providers have one.
	more  []directory.LatLon
	moreU []unit

	referred   uint64 // available only by referral
	outOfScope uint64
	sites      []site // located sites clients can visit, near first
	radiusKm   float64
	national   bool
	polygons   []directory.Polygon
	discretion bool // any incentive is discretionary
	// costText says which of the client's costs the provider helps
	// with, each as paid to everyone who qualifies or at its discretion;
	// discretionText says, for the flag, which payments (to the client
	// or to an employer) are discretionary and which are not. Both are
	// written once here: every match that explains the provider shows them.
	costText       string
	discretionText string
	employerText   string // which subsidies employers are offered, and how
	glance         Glance
	// servesOnlyText is the reason, to read out, a client naming other
	// conditions does not see the provider.
	servesOnlyText string
	adviserModel   string
	contactDays    int
	mediation      bool   // in-work support includes talking to the employer
	employerPay    uint64 // incentive kinds paid to employers
	verified       time.Time
	verifiedOK     bool
	severe         bool
	weeksToFirst   int
	inWorkWeeks    int
	inWorkModel    string
	disclosure     string
	serviceModel   string
	registration   string

	Provider *directory.Provider
}

// Compile builds the matching profile of p. The profile keeps p; callers
// must not change p afterwards.
func Compile(p *directory.Provider) *Profile {
	pr := &Profile{
		hot: hot{
			held:        true,
			typeIdx:     uint8(bits.TrailingZeros64(typeBits[p.Type])),
			modes:       modeBits.of(p.DeliveryModes),
			specialisms: specialismBits.of(p.Specialisms),
			servesOnly:  specialismBits.of(p.ServesOnly),
			access:      accessBits.of(p.Accessibility),
			languages:   languageBits.of(p.Languages),
			published:   p.Status == directory.StatusPublished,
			ended:       p.Status == directory.StatusEnded || p.Organisation.ContractStatus == directory.ContractEnded,
			takingNew:   p.Capacity.TakingNewClients && p.Organisation.ContractStatus == directory.ContractActive,
			idHash:      hashString(p.ID),
		},
		Provider:     p,
		national:     p.Coverage.National,
		radiusKm:     p.Coverage.RadiusKm,
		polygons:     p.Coverage.Polygons,
		serviceModel: p.ServiceModel,
		severe:       p.SevereConditions,
		weeksToFirst: p.Capacity.WeeksToFirstAppointment,
		registration: p.RegistrationApproach,
	}
	if p.Coverage.TravelsToClients {
		pr.travelKm = p.Coverage.TravelRadiusKm
	}
	pr.travel2 = chord2Of(pr.travelKm)
	for _, s := range p.Services {
		if s.Provision == "referral" {
			pr.referred |= serviceBits[s.Code]
		} else {
			pr.services |= serviceBits[s.Code]
		}
	}
	for _, s := range p.Sites {
		pr.access |= accessBits.of(s.Accessibility)
		if s.Location != nil && s.Kind != directory.SiteRemote {
			pr.sites = append(pr.sites, site{point: *s.Location, kind: s.Kind, name: s.Name, town: s.Address.Town})
			pr.jcSites = pr.jcSites || s.Kind == directory.SiteJobcentre
			if !pr.located {
				pr.near, pr.nearU, pr.located = *s.Location, unitOf(*s.Location), true
			} else {
				pr.more = append(pr.more, *s.Location)
				pr.moreU = append(pr.moreU, unitOf(*s.Location))
				pr.moreSites = true
			}
		}
	}
	for _, in := range p.Incentives {
		switch in.Recipient {
		case "client":
			pr.incentives |= incentiveBits[in.Kind]
		case "employer":
			pr.employerPay |= incentiveBits[in.Kind]
		}
		if in.Discretionary {
			pr.discretion = true
		}
	}
	pr.costText, pr.discretionText, pr.employerText = moneyTexts(p.Incentives)
	pr.glance = glanceOf(p)
	if len(p.ServesOnly) > 0 {
		v := directory.MustVocabulary(directory.VocabSpecialisms)
		conds := make([]string, len(p.ServesOnly))
		for i, c := range p.ServesOnly {
			conds[i] = strings.ToLower(v.Label(c))
		}
		pr.servesOnlyText = "Only works with people with " + joinOr(conds)
	}
	pr.adviserModel = p.Staffing.AdviserModel
	pr.contactDays = p.Staffing.ContactFrequencyDays
	for _, o := range p.OutOfScope {
		pr.outOfScope |= outOfScopeBits[o.Need]
	}
	if p.InWorkSupport.Offered {
		pr.inWorkModel = p.InWorkSupport.Model
		pr.inWorkWeeks = p.InWorkSupport.Weeks
		pr.disclosure = p.InWorkSupport.Disclosure
		pr.mediation = p.InWorkSupport.EmployerMediation
	}
	pr.verified, pr.verifiedOK = p.Freshness.LastVerified.Time()
	return pr
}

// ID returns the provider's id.
func (pr *Profile) ID() string { return pr.Provider.ID }

// telephoneOnly reports a provider that cannot be met in person.
func (pr *Profile) telephoneOnly() bool {
	return pr.modes&inPersonModes == 0 && pr.modes&remoteModes != 0
}

// groupBased reports a provider that works in groups and not one to one.
func (pr *Profile) groupBased() bool {
	return pr.modes&modeBits[directory.ModeGroups] != 0 && pr.modes&modeBits[directory.ModeOneToOne] == 0
}

func (pr *Profile) hasMode(mode string) bool { return pr.modes&modeBits[mode] != 0 }

// closest returns the index in sites of the nearest located site and its
// squared chord from o (see origin.chord2), given the points of
// the sites after the first (read only when there are more).
func (h *hot) closest(o origin, moreU []unit) (i int, c2 float64, ok bool) {
	if !h.located {
		return 0, 0, false
	}
	c2 = o.chord2(h.nearU)
	if h.moreSites {
		for j, u := range moreU {
			if d := o.chord2(u); d < c2 {
				i, c2 = j+1, d
			}
		}
	}
	return i, c2, true
}

// closestNotJobcentre is closest for a client who asked not to meet at
// the Jobcentre: a Jobcentre site counts for nothing, neither as a place
// to meet nor as a place staff travel from. ok is false when every
// located site is a Jobcentre.
func (pr *Profile) closestNotJobcentre(o origin) (i int, c2 float64, ok bool) {
	for j, s := range pr.sites {
		if s.kind == directory.SiteJobcentre {
			continue
		}
		u := pr.nearU
		if j > 0 {
			u = pr.moreU[j-1]
		}
		if d := o.chord2(u); !ok || d < c2 {
			i, c2, ok = j, d, true
		}
	}
	return i, c2, ok
}

// point returns where the located site at index i in sites is.
func (pr *Profile) point(i int) directory.LatLon { return pr.hot.point(i, pr.more) }

// point is Profile.point for a profile's hot part and its more sites
// (read only for i > 0).
func (h *hot) point(i int, more []directory.LatLon) directory.LatLon {
	if i == 0 {
		return h.near
	}
	return more[i-1]
}

// stale reports information not checked for over a year.
func (pr *Profile) stale(now time.Time) bool {
	return !pr.verifiedOK || now.Sub(pr.verified) > staleAfter
}

func hashString(s string) uint64 {
	// FNV-1a, written out: hash/fnv's interface value escapes to the heap,
	// and this runs for every text hit of a search.
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is splitmix64's finaliser: a cheap, well-spread 64-bit permutation.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
