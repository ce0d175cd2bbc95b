package directory

import (
	"slices"
	"strings"
	"time"
)

// Provider is one organisation offering employment support in one or more
// places: a Job Broker or another kind of provision. Every field a client or
// adviser asked about in the research has a home here (DOMAIN.md, "What a
// provider record holds").
//
// Fields the server owns (ID when not given, Version, CreatedAt, UpdatedAt)
// are set by the store; a client's values for them are ignored.
type Provider struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type" vocab:"provider_types"`
	Status string `json:"status" vocab:"statuses"`
	// Summary is a short plain-English description in the provider's words.
	Summary string `json:"summary,omitempty"`

	Organisation Organisation `json:"organisation"`
	Sites        []Site       `json:"sites,omitempty"`
	Coverage     Coverage     `json:"coverage"`

	DeliveryModes []string  `json:"delivery_modes,omitempty" vocab:"delivery_modes"`
	Services      []Service `json:"services,omitempty"`

	// Specialisms are conditions the provider has particular expertise in;
	// ServesOnly, when set, restricts who it works with (report §6.3.2: an
	// impairment-specific broker saw other clients as unsuitable).
	Specialisms          []string   `json:"specialisms,omitempty" vocab:"specialisms"`
	ServesOnly           []string   `json:"serves_only,omitempty" vocab:"specialisms"`
	SevereConditions     bool       `json:"severe_conditions"`
	ServiceModel         string     `json:"service_model,omitempty" vocab:"service_models"`
	RegistrationApproach string     `json:"registration_approach,omitempty" vocab:"registration_approaches"`
	OutOfScope           []Signpost `json:"out_of_scope,omitempty"`

	Incentives    []Incentive   `json:"incentives,omitempty"`
	InWorkSupport InWorkSupport `json:"in_work_support"`
	Capacity      Capacity      `json:"capacity"`
	Staffing      Staffing      `json:"staffing"`

	Accessibility []string `json:"accessibility,omitempty" vocab:"accessibility"`
	Languages     []string `json:"languages,omitempty" vocab:"languages"`
	Contact       Contact  `json:"contact"`

	Performance *Performance `json:"performance,omitempty"`
	Freshness   Freshness    `json:"freshness"`

	Version   int64     `json:"version" readonly:"true"`
	CreatedAt time.Time `json:"created_at" readonly:"true"`
	UpdatedAt time.Time `json:"updated_at" readonly:"true"`
}

// Organisation describes who runs the provider (report §2.3.1, §2.3.5, §7.4.1).
type Organisation struct {
	// ID and Name are the organisation's own in another directory (an
	// Open Referral organization, which may run several services), kept
	// so an export gives them back. Empty for records made here: the
	// provider is then its own organisation.
	ID     string `json:"id,omitempty"`
	Name   string `json:"name,omitempty"`
	Sector string `json:"sector" vocab:"sectors"`
	// JobcentrePlusRun is true when Jobcentre Plus itself runs the provider.
	JobcentrePlusRun   bool     `json:"jobcentre_plus_run"`
	PartnershipMembers []string `json:"partnership_members,omitempty"`
	Scale              string   `json:"scale" vocab:"scales"`
	Website            string   `json:"website,omitempty"`
	ContractStatus     string   `json:"contract_status" vocab:"contract_statuses"`
}

// Site is an office or outreach point where people can meet the provider, or a
// remote base (telephone, post, online) with no premises for clients.
type Site struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind" vocab:"site_kinds"`
	Address  Address `json:"address"`
	Location *LatLon `json:"location,omitempty"`
	// JobcentreDays lists the days staff are at a Jobcentre (Kind jobcentre).
	JobcentreDays []string       `json:"jobcentre_days,omitempty" vocab:"days"`
	OpeningHours  []OpeningHours `json:"opening_hours,omitempty"`
	Accessibility []string       `json:"accessibility,omitempty" vocab:"accessibility"`
}

// Address is a postal address.
type Address struct {
	Lines    []string `json:"lines,omitempty"`
	Town     string   `json:"town,omitempty"`
	Postcode string   `json:"postcode,omitempty"`
}

// LatLon is a WGS84 point.
type LatLon struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// OpeningHours is one day's opening, as 24-hour "HH:MM" times.
type OpeningHours struct {
	Day    string `json:"day" vocab:"days"`
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

// Coverage says where the provider's clients may live. A provider covers a
// point when any one rule holds: national; a named area or postcode district
// contains it; a polygon contains it; it is within RadiusKm of a site; or staff
// travel to clients within TravelRadiusKm of a site.
type Coverage struct {
	National          bool      `json:"national"`
	Areas             []string  `json:"areas,omitempty"`
	PostcodeDistricts []string  `json:"postcode_districts,omitempty"`
	Polygons          []Polygon `json:"polygons,omitempty"`
	RadiusKm          float64   `json:"radius_km,omitempty"`
	TravelsToClients  bool      `json:"travels_to_clients"`
	TravelRadiusKm    float64   `json:"travel_radius_km,omitempty"`
}

// Polygon is a GeoJSON Polygon geometry: rings of [lon, lat] positions, the
// first ring the outline, any others holes.
type Polygon struct {
	Type        string         `json:"type"`
	Coordinates [][][2]float64 `json:"coordinates"`
}

// Service is one kind of help and who delivers it.
type Service struct {
	Code string `json:"code" vocab:"services"`
	// Provision is in_house, partner or referral.
	Provision string `json:"provision" vocab:"provision"`
	Partner   string `json:"partner,omitempty"`
	Note      string `json:"note,omitempty"`
}

// Signpost names a need the provider does not meet itself and where it sends
// people for it.
type Signpost struct {
	Need string `json:"need" vocab:"out_of_scope_needs"`
	To   string `json:"to,omitempty"`
}

// Incentive is money the provider may pay a client or an employer. Amounts are
// in pence. Discretionary incentives are not automatic: the research found
// clients told otherwise were let down (§6.3.3).
type Incentive struct {
	Kind          string `json:"kind" vocab:"incentive_kinds"`
	Recipient     string `json:"recipient" vocab:"incentive_recipients"`
	AmountPence   int64  `json:"amount_pence,omitempty"`
	Trigger       string `json:"trigger"`
	Discretionary bool   `json:"discretionary"`
}

// InWorkSupport is what happens after a client starts work (report §5.7).
type InWorkSupport struct {
	Offered bool   `json:"offered"`
	Model   string `json:"model,omitempty" vocab:"in_work_support_models"`
	Weeks   int    `json:"weeks,omitempty"`
	// EmployerMediation is true when the provider will talk to the employer
	// about adjustments or problems.
	EmployerMediation bool   `json:"employer_mediation"`
	Disclosure        string `json:"disclosure,omitempty" vocab:"disclosure_policies"`
}

// Capacity says whether the provider can take people now.
type Capacity struct {
	TakingNewClients        bool `json:"taking_new_clients"`
	WeeksToFirstAppointment int  `json:"weeks_to_first_appointment,omitempty"`
}

// Staffing describes who a client deals with and how often (§3.4.2, §7.4.4).
type Staffing struct {
	AdviserModel         string `json:"adviser_model,omitempty" vocab:"adviser_models"`
	ContactFrequencyDays int    `json:"contact_frequency_days,omitempty"`
	CaseloadPerAdviser   int    `json:"caseload_per_adviser,omitempty"`
}

// Contact is how to reach the provider.
type Contact struct {
	Phone     string `json:"phone,omitempty"`
	Freephone bool   `json:"freephone"`
	Textphone string `json:"textphone,omitempty"`
	Email     string `json:"email,omitempty"`
	// RegistrationByPost is true when registration is done by post, as with
	// telephone-based providers (§3.2.3).
	RegistrationByPost bool `json:"registration_by_post"`
}

// Performance holds outcome figures for a period, always shown with context:
// the research warns that raw rates mislead (§7.2), so nothing ranks on them.
type Performance struct {
	PeriodStart   Date `json:"period_start"`
	PeriodEnd     Date `json:"period_end"`
	Registrations int  `json:"registrations"`
	JobEntries    int  `json:"job_entries"`
	SustainedJobs int  `json:"sustained_jobs"`
	// SustainedWeeks is what "sustained" meant for the period: 13 weeks from
	// October 2003, 26 before.
	SustainedWeeks int `json:"sustained_weeks"`
	// LongTermClaimantPercent is the share of registrations who had claimed
	// for over two years.
	LongTermClaimantPercent int    `json:"long_term_claimant_percent,omitempty"`
	Note                    string `json:"note,omitempty"`
}

// SmallNumbers reports whether the figures are too few to compare rates on.
func (p Performance) SmallNumbers() bool { return p.Registrations < 20 }

// Freshness says when the information was last checked and by whom; staff
// turnover made directory information go stale (WP57 §6.3).
type Freshness struct {
	LastVerified Date `json:"last_verified"`
	// VerifiedBy is the kind of confirmer: "provider" or "directory_team"
	// (never a person's or a token's name; the audit log says which token).
	// Records confirmed earlier may hold a name: the public API and pages
	// show anything but "provider" as "directory_team" (PublicVerifiedBy).
	VerifiedBy string `json:"verified_by" example:"provider"`
}

// Date is a calendar date as "YYYY-MM-DD".
type Date string

// Time returns the date at midnight UTC, and false if it is not a valid date.
func (d Date) Time() (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, string(d))
	return t, err == nil
}

// DateOf returns t's calendar date in UTC.
func DateOf(t time.Time) Date { return Date(t.UTC().Format(time.DateOnly)) }

// TelephoneOnly reports whether the provider cannot be met in person: it
// offers only telephone or online contact. The research found such providers
// were forgotten, or chosen by accident by people wanting face-to-face help.
func (p *Provider) TelephoneOnly() bool {
	remote := false
	for _, m := range p.DeliveryModes {
		switch m {
		case ModeOffice, ModeJobcentre, ModeHomeVisits, ModeOutreach:
			return false
		case ModeTelephone, ModeOnline:
			remote = true
		}
	}
	return remote
}

// HasMode reports whether the provider offers delivery mode m.
func (p *Provider) HasMode(m string) bool {
	for _, x := range p.DeliveryModes {
		if x == m {
			return true
		}
	}
	return false
}

// Visible reports whether the public may see the record at all.
func (p *Provider) Visible() bool { return p.Status != StatusDraft }

// AreaKeys are p's coverage areas, postcode districts and site towns, lower
// case and trimmed, each once: what a listing's area filter matches.
func (p *Provider) AreaKeys() []string {
	keys := []string{}
	p.eachAreaKey(func(k string) bool {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
		return true
	})
	return keys
}

// eachAreaKey calls fn with each coverage area, postcode district and site
// town, lower case and trimmed, until fn returns false; it reports whether
// fn returned false.
func (p *Provider) eachAreaKey(fn func(string) bool) bool {
	key := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	for _, a := range p.Coverage.Areas {
		if !fn(key(a)) {
			return true
		}
	}
	for _, d := range p.Coverage.PostcodeDistricts {
		if !fn(key(d)) {
			return true
		}
	}
	for _, s := range p.Sites {
		if !fn(key(s.Address.Town)) {
			return true
		}
	}
	return false
}
