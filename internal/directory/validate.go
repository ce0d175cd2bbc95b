package directory

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on sizes, so no single record can exhaust memory or the index.
const (
	MaxNameLen     = 200
	MaxTextLen     = 2000
	MaxShortLen    = 200
	MaxSites       = 100
	MaxListLen     = 50
	MaxPolygons    = 20
	MaxPolygonPts  = 5000
	MaxRadiusKm    = 300
	MaxAmountPence = 10_000_000
)

// UK bounds, generous enough for every part of the UK and its islands. A point
// outside them is usually a latitude and longitude swapped.
const (
	ukMinLat, ukMaxLat = 49.8, 61.0
	ukMinLon, ukMaxLon = -8.8, 2.0
)

var (
	idPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	postcodePattern = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$`)
	districtPattern = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?$`)
	timePattern     = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	phonePattern    = regexp.MustCompile(`^\+?[0-9 ()-]{6,30}$`)
	emailPattern    = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$`)
)

// NormalizePostcode upper-cases a UK postcode and puts one space before the
// inward code ("ls11an" becomes "LS1 1AN"). Input that is too short to hold an
// inward code is returned trimmed and upper-cased.
func NormalizePostcode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) < 5 {
		return s
	}
	return s[:len(s)-3] + " " + s[len(s)-3:]
}

// ValidPostcode reports whether s is a full UK postcode in normal form.
func ValidPostcode(s string) bool { return postcodePattern.MatchString(s) }

// ValidDistrict reports whether s is a UK postcode district (outward code)
// such as "LS1" or "EC1A".
func ValidDistrict(s string) bool { return districtPattern.MatchString(s) }

// ValidID reports whether s can be a record id: lower-case letters, digits and
// hyphens, at most 64 characters (UUIDs fit).
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Normalize tidies a provider in place before validation: trims text,
// normalises postcodes and districts, drops duplicate codes, defaults the
// status to draft and gives sites without an id a new one.
func (p *Provider) Normalize() {
	p.ID = strings.TrimSpace(p.ID)
	p.Name = strings.TrimSpace(p.Name)
	p.Summary = strings.TrimSpace(p.Summary)
	if p.Status == "" {
		p.Status = StatusDraft
	}
	if p.Organisation.ContractStatus == "" {
		p.Organisation.ContractStatus = ContractActive
	}
	p.Organisation.Website = strings.TrimSpace(p.Organisation.Website)
	p.Organisation.ID = strings.ToLower(strings.TrimSpace(p.Organisation.ID))
	p.Organisation.Name = strings.TrimSpace(p.Organisation.Name)
	for i := range p.Sites {
		s := &p.Sites[i]
		s.ID = strings.TrimSpace(s.ID)
		if s.ID == "" {
			s.ID = NewID()
		}
		s.Name = strings.TrimSpace(s.Name)
		s.Address.Town = strings.TrimSpace(s.Address.Town)
		if s.Address.Postcode != "" {
			s.Address.Postcode = NormalizePostcode(s.Address.Postcode)
		}
		s.JobcentreDays = dedupe(s.JobcentreDays)
		s.Accessibility = dedupe(s.Accessibility)
	}
	for i, d := range p.Coverage.PostcodeDistricts {
		p.Coverage.PostcodeDistricts[i] = strings.ToUpper(strings.TrimSpace(d))
	}
	for i, a := range p.Coverage.Areas {
		p.Coverage.Areas[i] = strings.TrimSpace(a)
	}
	p.Coverage.PostcodeDistricts = dedupe(p.Coverage.PostcodeDistricts)
	p.DeliveryModes = dedupe(p.DeliveryModes)
	p.Specialisms = dedupe(p.Specialisms)
	p.ServesOnly = dedupe(p.ServesOnly)
	p.Accessibility = dedupe(p.Accessibility)
	p.Languages = dedupe(p.Languages)
	p.Contact.Email = strings.TrimSpace(p.Contact.Email)
	p.Contact.Phone = strings.TrimSpace(p.Contact.Phone)
}

// dedupe removes repeated codes, keeping first occurrences in order.
func dedupe(codes []string) []string {
	if len(codes) < 2 {
		return codes
	}
	out := codes[:0]
	seen := make(map[string]bool, len(codes))
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// Validate checks every field and returns a ValidationError listing all the
// problems found, or nil. Call Normalize first.
func (p *Provider) Validate() error {
	var v problems
	if p.ID != "" && !ValidID(p.ID) {
		v.add("id", "must be lower-case letters, digits and hyphens, at most 64 characters")
	}
	v.text("name", p.Name, MaxNameLen, true)
	v.code("type", VocabProviderTypes, p.Type, true)
	v.code("status", VocabStatuses, p.Status, true)
	v.text("summary", p.Summary, MaxTextLen, false)
	p.Organisation.validate(&v)
	if len(p.Sites) > MaxSites {
		v.add("sites", "at most %d sites", MaxSites)
	}
	for i := range p.Sites {
		p.Sites[i].validate(&v, fmt.Sprintf("sites[%d]", i))
	}
	p.Coverage.validate(&v, p.Sites)
	v.codes("delivery_modes", VocabDeliveryModes, p.DeliveryModes)
	if len(p.DeliveryModes) == 0 {
		v.add("delivery_modes", "name at least one way clients can meet or contact the provider")
	}
	if len(p.Services) > MaxListLen {
		v.add("services", "at most %d services", MaxListLen)
	}
	seen := map[string]bool{}
	for i, s := range p.Services {
		f := fmt.Sprintf("services[%d]", i)
		v.code(f+".code", VocabServices, s.Code, true)
		if seen[s.Code] {
			v.add(f+".code", "%q is listed twice", s.Code)
		}
		seen[s.Code] = true
		v.code(f+".provision", VocabProvision, s.Provision, true)
		v.text(f+".partner", s.Partner, MaxShortLen, false)
		v.text(f+".note", s.Note, MaxTextLen/4, false)
	}
	v.codes("specialisms", VocabSpecialisms, p.Specialisms)
	v.codes("serves_only", VocabSpecialisms, p.ServesOnly)
	v.code("service_model", VocabServiceModels, p.ServiceModel, false)
	v.code("registration_approach", VocabRegistrationApproaches, p.RegistrationApproach, false)
	if len(p.OutOfScope) > MaxListLen {
		v.add("out_of_scope", "at most %d entries", MaxListLen)
	}
	for i, s := range p.OutOfScope {
		f := fmt.Sprintf("out_of_scope[%d]", i)
		v.code(f+".need", VocabOutOfScope, s.Need, true)
		v.text(f+".to", s.To, MaxShortLen, false)
	}
	if len(p.Incentives) > MaxListLen {
		v.add("incentives", "at most %d incentives", MaxListLen)
	}
	for i, in := range p.Incentives {
		in.validate(&v, fmt.Sprintf("incentives[%d]", i))
	}
	p.InWorkSupport.validate(&v)
	v.intRange("capacity.weeks_to_first_appointment", p.Capacity.WeeksToFirstAppointment, 0, 52)
	v.code("staffing.adviser_model", VocabAdviserModels, p.Staffing.AdviserModel, false)
	v.intRange("staffing.contact_frequency_days", p.Staffing.ContactFrequencyDays, 0, 365)
	v.intRange("staffing.caseload_per_adviser", p.Staffing.CaseloadPerAdviser, 0, 2000)
	v.codes("accessibility", VocabAccessibility, p.Accessibility)
	v.codes("languages", VocabLanguages, p.Languages)
	p.Contact.validate(&v)
	if p.Performance != nil {
		p.Performance.validate(&v)
	}
	if p.Freshness.LastVerified != "" {
		if _, ok := p.Freshness.LastVerified.Time(); !ok {
			v.add("freshness.last_verified", "must be a date as YYYY-MM-DD")
		}
	}
	v.text("freshness.verified_by", p.Freshness.VerifiedBy, MaxShortLen, false)
	return v.err()
}

func (o *Organisation) validate(v *problems) {
	v.text("organisation.id", o.ID, MaxShortLen, false)
	v.text("organisation.name", o.Name, MaxNameLen, false)
	v.code("organisation.sector", VocabSectors, o.Sector, true)
	v.code("organisation.scale", VocabScales, o.Scale, true)
	v.code("organisation.contract_status", VocabContractStatuses, o.ContractStatus, true)
	if len(o.PartnershipMembers) > MaxListLen {
		v.add("organisation.partnership_members", "at most %d members", MaxListLen)
	}
	for i, m := range o.PartnershipMembers {
		v.text(fmt.Sprintf("organisation.partnership_members[%d]", i), m, MaxShortLen, true)
	}
	if o.Website != "" {
		u, err := url.Parse(o.Website)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(o.Website) > 500 {
			v.add("organisation.website", "must be a full web address starting https:// (at most 500 characters)")
		}
	}
}

func (s *Site) validate(v *problems, f string) {
	if !ValidID(s.ID) {
		v.add(f+".id", "must be lower-case letters, digits and hyphens, at most 64 characters")
	}
	v.text(f+".name", s.Name, MaxNameLen, true)
	v.code(f+".kind", VocabSiteKinds, s.Kind, true)
	if len(s.Address.Lines) > 6 {
		v.add(f+".address.lines", "at most 6 lines")
	}
	for i, l := range s.Address.Lines {
		v.text(fmt.Sprintf("%s.address.lines[%d]", f, i), l, MaxShortLen, true)
	}
	v.text(f+".address.town", s.Address.Town, 100, false)
	if s.Address.Postcode != "" && !ValidPostcode(s.Address.Postcode) {
		v.add(f+".address.postcode", "must be a full UK postcode, such as LS1 1AN")
	}
	switch {
	case s.Location != nil:
		checkUKPoint(v, f+".location", s.Location.Lat, s.Location.Lon)
	case s.Kind != SiteRemote:
		v.add(f+".location", "give the site's latitude and longitude (only remote sites have none)")
	}
	v.codes(f+".jobcentre_days", VocabDays, s.JobcentreDays)
	if s.Kind == SiteJobcentre && len(s.JobcentreDays) == 0 {
		v.add(f+".jobcentre_days", "say which days staff are at the Jobcentre")
	}
	if len(s.OpeningHours) > 21 {
		v.add(f+".opening_hours", "at most 21 entries")
	}
	for i, h := range s.OpeningHours {
		hf := fmt.Sprintf("%s.opening_hours[%d]", f, i)
		v.code(hf+".day", VocabDays, h.Day, true)
		okOpen, okClose := timePattern.MatchString(h.Opens), timePattern.MatchString(h.Closes)
		if !okOpen {
			v.add(hf+".opens", "must be a 24-hour time such as 09:00")
		}
		if !okClose {
			v.add(hf+".closes", "must be a 24-hour time such as 17:00")
		}
		if okOpen && okClose && h.Opens >= h.Closes {
			v.add(hf+".closes", "must be later than opens")
		}
	}
	v.codes(f+".accessibility", VocabAccessibility, s.Accessibility)
}

// checkUKPoint checks that a latitude and longitude are real numbers inside
// the UK.
func checkUKPoint(v *problems, f string, lat, lon float64) {
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		v.add(f+".lat", "must be a latitude between -90 and 90")
	} else if lat < ukMinLat || lat > ukMaxLat {
		v.add(f+".lat", "must be in the UK (latitude %.1f to %.1f); were latitude and longitude swapped?", ukMinLat, ukMaxLat)
	}
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		v.add(f+".lon", "must be a longitude between -180 and 180")
	} else if lon < ukMinLon || lon > ukMaxLon {
		v.add(f+".lon", "must be in the UK (longitude %.1f to %.1f)", ukMinLon, ukMaxLon)
	}
}

func (c *Coverage) validate(v *problems, sites []Site) {
	if len(c.Areas) > MaxListLen {
		v.add("coverage.areas", "at most %d areas", MaxListLen)
	}
	for i, a := range c.Areas {
		v.text(fmt.Sprintf("coverage.areas[%d]", i), a, 100, true)
	}
	if len(c.PostcodeDistricts) > 500 {
		v.add("coverage.postcode_districts", "at most 500 districts")
	}
	for i, d := range c.PostcodeDistricts {
		if !ValidDistrict(d) {
			v.add(fmt.Sprintf("coverage.postcode_districts[%d]", i), "must be a postcode district such as LS1 or EC1A")
		}
	}
	if len(c.Polygons) > MaxPolygons {
		v.add("coverage.polygons", "at most %d polygons", MaxPolygons)
	}
	points := 0
	for i, pg := range c.Polygons {
		f := fmt.Sprintf("coverage.polygons[%d]", i)
		if pg.Type != "Polygon" {
			v.add(f+".type", `must be "Polygon"`)
		}
		if len(pg.Coordinates) == 0 {
			v.add(f+".coordinates", "must hold at least one ring")
		}
		for j, ring := range pg.Coordinates {
			rf := fmt.Sprintf("%s.coordinates[%d]", f, j)
			points += len(ring)
			if len(ring) < 4 {
				v.add(rf, "a ring needs at least 4 positions")
				continue
			}
			if ring[0] != ring[len(ring)-1] {
				v.add(rf, "a ring must end where it starts")
			}
			for k, pos := range ring {
				if pos[0] < -180 || pos[0] > 180 || pos[1] < -90 || pos[1] > 90 {
					v.add(fmt.Sprintf("%s[%d]", rf, k), "positions are [longitude, latitude] within -180..180 and -90..90")
					break
				}
			}
		}
	}
	if points > MaxPolygonPts {
		v.add("coverage.polygons", "at most %d positions in all", MaxPolygonPts)
	}
	v.floatRange("coverage.radius_km", c.RadiusKm, 0, MaxRadiusKm)
	v.floatRange("coverage.travel_radius_km", c.TravelRadiusKm, 0, MaxRadiusKm)
	if c.TravelsToClients && c.TravelRadiusKm == 0 {
		v.add("coverage.travel_radius_km", "say how far staff travel to clients")
	}
	located := slices.ContainsFunc(sites, func(s Site) bool { return s.Location != nil })
	if (c.RadiusKm > 0 || c.TravelsToClients) && !located {
		v.add("coverage", "a radius or travelling staff need at least one site with a location")
	}
	if !c.National && len(c.Areas) == 0 && len(c.PostcodeDistricts) == 0 && len(c.Polygons) == 0 &&
		c.RadiusKm == 0 && !c.TravelsToClients {
		v.add("coverage", "say where clients may live: national, areas, postcode districts, polygons or a radius")
	}
}

func (in Incentive) validate(v *problems, f string) {
	v.code(f+".kind", VocabIncentiveKinds, in.Kind, true)
	v.code(f+".recipient", VocabIncentiveRecipients, in.Recipient, true)
	if strings.HasPrefix(in.Kind, "employer_") && in.Recipient != "" && in.Recipient != "employer" {
		v.add(f+".recipient", "must be employer for %s", in.Kind)
	}
	if in.AmountPence < 0 || in.AmountPence > MaxAmountPence {
		v.add(f+".amount_pence", "must be between 0 and %d pence", int64(MaxAmountPence))
	}
	v.text(f+".trigger", in.Trigger, MaxShortLen, true)
}

func (w *InWorkSupport) validate(v *problems) {
	v.code("in_work_support.model", VocabInWorkSupportModels, w.Model, w.Offered)
	v.intRange("in_work_support.weeks", w.Weeks, 0, 260)
	v.code("in_work_support.disclosure", VocabDisclosurePolicies, w.Disclosure, false)
}

func (c *Contact) validate(v *problems) {
	if c.Phone != "" && !phonePattern.MatchString(c.Phone) {
		v.add("contact.phone", "must be a phone number of digits and spaces, such as 0113 496 0000")
	}
	if c.Textphone != "" && !phonePattern.MatchString(c.Textphone) {
		v.add("contact.textphone", "must be a phone number of digits and spaces")
	}
	if c.Email != "" && (!emailPattern.MatchString(c.Email) || len(c.Email) > 254) {
		v.add("contact.email", "must be an email address such as name@example.org")
	}
}

func (p *Performance) validate(v *problems) {
	start, okStart := p.PeriodStart.Time()
	end, okEnd := p.PeriodEnd.Time()
	if !okStart {
		v.add("performance.period_start", "must be a date as YYYY-MM-DD")
	}
	if !okEnd {
		v.add("performance.period_end", "must be a date as YYYY-MM-DD")
	}
	if okStart && okEnd && end.Before(start) {
		v.add("performance.period_end", "must not be before period_start")
	}
	v.intRange("performance.registrations", p.Registrations, 0, 1_000_000)
	v.intRange("performance.job_entries", p.JobEntries, 0, 1_000_000)
	v.intRange("performance.sustained_jobs", p.SustainedJobs, 0, 1_000_000)
	if p.JobEntries > p.Registrations {
		v.add("performance.job_entries", "cannot be more than registrations")
	}
	if p.SustainedJobs > p.JobEntries {
		v.add("performance.sustained_jobs", "cannot be more than job_entries")
	}
	if p.SustainedWeeks != 13 && p.SustainedWeeks != 26 {
		v.add("performance.sustained_weeks", "must be 13 or 26")
	}
	v.intRange("performance.long_term_claimant_percent", p.LongTermClaimantPercent, 0, 100)
	v.text("performance.note", p.Note, MaxTextLen/2, false)
}

// text checks a free-text field: present when required, at most max
// characters, valid UTF-8 and no control characters other than new lines.
func (v *problems) text(field, s string, max int, required bool) {
	switch {
	case s == "" && required:
		v.add(field, "is required")
	case !utf8.ValidString(s):
		v.add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(s) > max:
		v.add(field, "must be at most %d characters", max)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }):
		v.add(field, "must not contain control characters")
	}
}

// code checks a single vocabulary code.
func (v *problems) code(field, vocab, code string, required bool) {
	if code == "" {
		if required {
			v.add(field, "is required (one of the codes in vocabulary %s)", vocab)
		}
		return
	}
	if !MustVocabulary(vocab).Has(code) {
		v.add(field, "%s is not a code in vocabulary %s (see GET /v1/vocabularies)", quote(code), vocab)
	}
}

// codes checks a list of vocabulary codes.
func (v *problems) codes(field, vocab string, codes []string) {
	if len(codes) > MaxListLen {
		v.add(field, "at most %d codes", MaxListLen)
		return
	}
	for i, c := range codes {
		v.code(fmt.Sprintf("%s[%d]", field, i), vocab, c, true)
	}
}

func (v *problems) intRange(field string, n, min, max int) {
	if n < min || n > max {
		v.add(field, "must be between %d and %d", min, max)
	}
}

func (v *problems) floatRange(field string, f, min, max float64) {
	if math.IsNaN(f) || f < min || f > max {
		v.add(field, "must be between %g and %g", min, max)
	}
}

// quote shows user input in a message, shortened so a huge value cannot
// flood an error response.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// Stale reports whether the record was last verified more than maxAge before
// now, or never.
func (p *Provider) Stale(now time.Time, maxAge time.Duration) bool {
	t, ok := p.Freshness.LastVerified.Time()
	return !ok || now.Sub(t) > maxAge
}
