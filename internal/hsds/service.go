package hsds

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// HSDS service statuses.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
	StatusDefunct  = "defunct"
	StatusClosed   = "temporarily closed"
)

// statusOf maps a record status to the HSDS status, one to one, so import can
// map it back.
var statusOf = map[string]string{
	directory.StatusPublished: StatusActive,
	directory.StatusSuspended: StatusClosed,
	directory.StatusEnded:     StatusDefunct,
	directory.StatusDraft:     StatusInactive,
}

// Markers in service_area.uri for coverage rules that are not place names.
const (
	uriDistrict = "urn:brokerfinder:postcode-district:"
	uriNational = "urn:brokerfinder:national"
	uriArea     = "urn:brokerfinder:area"
	uriPolygon  = "urn:brokerfinder:polygon"
)

// External identifier type for a site whose id is not a UUID.
const siteIDType = "brokerfinder site id"

// Phone descriptions that say which contact number is which.
const (
	phoneMain      = "Telephone"
	phoneTextphone = "Textphone"
)

// serviceDetail is the value of a "services" attribute.
type serviceDetail struct {
	Provision string `json:"provision"`
	Partner   string `json:"partner,omitempty"`
	Note      string `json:"note,omitempty"`
}

// incentiveDetail is the value of an "incentives" attribute. Incentives are
// payments to clients or employers, not what the service costs, so they are
// attributes rather than cost_options (a consumer would show a job-entry
// payment as a price).
type incentiveDetail struct {
	Recipient     string `json:"recipient"`
	AmountPence   int64  `json:"amount_pence,omitempty"`
	Trigger       string `json:"trigger"`
	Discretionary bool   `json:"discretionary"`
}

// attrs builds the attributes of one record in order.
type attrs struct {
	owner string // id of the record the attributes describe
	list  []Attribute
	// seen, when set, is told each attribute's term instead, and nothing
	// is built (ProviderTerms).
	seen func(*TaxonomyTerm)
}

func (a *attrs) add(vocab, field, code, value string) {
	t := term(vocab, code)
	if a.seen != nil {
		a.seen(t)
		return
	}
	a.list = append(a.list, Attribute{
		ID:             UUID5("brokerfinder:attribute:" + a.owner + ":" + strconv.Itoa(len(a.list))),
		LinkID:         a.owner,
		TaxonomyTermID: t.ID,
		LinkType:       field,
		TaxonomyTerm:   t,
		Value:          value,
	})
}

func (a *attrs) codes(vocab, field string, codes []string) {
	for _, c := range codes {
		a.add(vocab, field, c, "")
	}
}

func (a *attrs) code(vocab, field, code string) {
	if code != "" {
		a.add(vocab, field, code, "")
	}
}

func (a *attrs) field(field, value string) { a.add(FieldsTaxonomy, field, field, value) }

func (a *attrs) flag(field string, b bool) {
	if b {
		a.field(field, "true")
	}
}

func (a *attrs) int(field string, n int) {
	if n != 0 {
		a.field(field, strconv.Itoa(n))
	}
}

func (a *attrs) float(field string, f float64) {
	if f != 0 {
		a.field(field, strconv.FormatFloat(f, 'g', -1, 64))
	}
}

func (a *attrs) text(field, s string) {
	if s != "" {
		a.field(field, s)
	}
}

// json is v as an attribute's value; nothing when only terms are wanted.
func (a *attrs) json(v any) string {
	if a.seen != nil {
		return ""
	}
	return mustJSON(v)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings, numbers and bools always marshal
	}
	return string(b)
}

// ServiceID returns the HSDS id of a provider's service.
func ServiceID(p *directory.Provider) string { return idFor("provider", p.ID) }

// LocationID returns the HSDS id of a site's location.
func LocationID(s *directory.Site) string { return idFor("site", s.ID) }

// ServiceAtLocationID returns the HSDS id linking a provider's service to one
// of its sites.
func ServiceAtLocationID(p *directory.Provider, s *directory.Site) string {
	return UUID5("brokerfinder:service_at_location:" + ServiceID(p) + ":" + LocationID(s))
}

// OrganizationID returns the HSDS id of a provider's organisation: the one
// an import kept, else one derived from the service's, so a provider made
// here is its own organisation.
func OrganizationID(p *directory.Provider) string {
	if p.Organisation.ID != "" {
		return idFor("organisation", p.Organisation.ID)
	}
	return UUID5("brokerfinder:organisation:" + ServiceID(p))
}

// OrganizationName returns the name of a provider's organisation: the one an
// import kept, else the provider's.
func OrganizationName(p *directory.Provider) string {
	return firstNonEmpty(p.Organisation.Name, p.Name)
}

// FromProvider maps a provider to a fully nested HSDS service.
func FromProvider(p *directory.Provider) Service {
	id := ServiceID(p)
	svc := Service{
		ID:             id,
		OrganizationID: OrganizationID(p),
		Name:           p.Name,
		Description:    p.Summary,
		URL:            p.Organisation.Website,
		Email:          p.Contact.Email,
		Status:         statusOf[p.Status],
		AssuredDate:    string(p.Freshness.LastVerified),
	}
	switch {
	case !p.UpdatedAt.IsZero():
		svc.LastModified = p.UpdatedAt.UTC().Format(time.RFC3339)
	case svc.AssuredDate != "":
		svc.LastModified = svc.AssuredDate + "T00:00:00Z"
	}
	svc.Organization = organization(p, svc.OrganizationID)

	for i := range p.Sites {
		site := &p.Sites[i]
		sal := ServiceAtLocation{ID: ServiceAtLocationID(p, site), ServiceID: id, LocationID: LocationID(site)}
		sal.Location = location(site)
		svc.ServiceAtLocations = append(svc.ServiceAtLocations, sal)
		for j, h := range site.OpeningHours {
			svc.Schedules = append(svc.Schedules, schedule(id, sal.ID, j, h))
		}
	}
	svc.ServiceAreas = serviceAreas(id, &p.Coverage)
	for _, code := range p.Languages {
		svc.Languages = append(svc.Languages, Language{
			ID: UUID5("brokerfinder:language:" + id + ":" + code), ServiceID: id,
			Name: directory.MustVocabulary(directory.VocabLanguages).Label(code), Code: code,
		})
	}
	if c := contact(id, p); c != nil {
		svc.Contacts = []Contact{*c}
	}
	svc.Attributes = serviceAttributes(id, p)
	return svc
}

func organization(p *directory.Provider, id string) *Organization {
	o := &Organization{ID: id, Name: OrganizationName(p), Description: p.Summary, Website: p.Organisation.Website, Email: p.Contact.Email}
	a := attrs{owner: id}
	a.organisation(p)
	o.Attributes = a.list
	return o
}

func (a *attrs) organisation(p *directory.Provider) {
	a.code(directory.VocabSectors, "organisation.sector", p.Organisation.Sector)
	a.code(directory.VocabScales, "organisation.scale", p.Organisation.Scale)
	a.code(directory.VocabContractStatuses, "organisation.contract_status", p.Organisation.ContractStatus)
	a.flag("organisation.jobcentre_plus_run", p.Organisation.JobcentrePlusRun)
	for _, m := range p.Organisation.PartnershipMembers {
		a.field("organisation.partnership_members", m)
	}
}

func location(s *directory.Site) *Location {
	id := LocationID(s)
	l := &Location{ID: id, LocationType: "physical", Name: s.Name}
	if s.Kind == directory.SiteRemote {
		l.LocationType = "virtual"
	}
	if id != s.ID {
		l.ExternalIdentifier, l.ExternalIdentifierType = s.ID, siteIDType
	}
	if s.Location != nil {
		lat, lon := s.Location.Lat, s.Location.Lon
		l.Latitude, l.Longitude = &lat, &lon
	}
	if ad := s.Address; len(ad.Lines) > 0 || ad.Town != "" || ad.Postcode != "" {
		addr := Address{
			ID: UUID5("brokerfinder:address:" + id), LocationID: id,
			City: ad.Town, PostalCode: ad.Postcode, Country: "GB", AddressType: "physical",
		}
		if s.Kind == directory.SiteRemote {
			addr.AddressType = "postal"
		}
		if len(ad.Lines) > 0 {
			addr.Address1 = ad.Lines[0]
			// Further lines go in address_2, one per line, so they come
			// back exactly (a line may itself hold commas).
			addr.Address2 = strings.Join(ad.Lines[1:], "\n")
		}
		l.Addresses = []Address{addr}
	}
	acc := directory.MustVocabulary(directory.VocabAccessibility)
	for _, code := range s.Accessibility {
		aid := UUID5("brokerfinder:accessibility:" + id + ":" + code)
		a := attrs{owner: aid}
		a.code(directory.VocabAccessibility, "sites.accessibility", code)
		t := a.list[0].TaxonomyTerm
		l.Accessibility = append(l.Accessibility, Accessibility{
			ID: aid, LocationID: id, Description: acc.Label(code), Accessibility: acc.Label(code),
			Details: t.Description, Attributes: a.list,
		})
	}
	a := attrs{owner: id}
	a.site(s)
	l.Attributes = a.list
	return l
}

func (a *attrs) site(s *directory.Site) {
	a.code(directory.VocabSiteKinds, "sites.kind", s.Kind)
	a.codes(directory.VocabDays, "sites.jobcentre_days", s.JobcentreDays)
}

// icalDays maps day codes to RFC 5545 BYDAY values.
var icalDays = map[string]string{"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}

func schedule(serviceID, salID string, i int, h directory.OpeningHours) Schedule {
	one := 1.0
	return Schedule{
		ID:        UUID5("brokerfinder:schedule:" + salID + ":" + strconv.Itoa(i)),
		ServiceID: serviceID, ServiceAtLocationID: salID,
		Freq: "WEEKLY", Interval: &one, ByDay: icalDays[h.Day],
		OpensAt: h.Opens, ClosesAt: h.Closes,
		Description: directory.MustVocabulary(directory.VocabDays).Label(h.Day) + " " + h.Opens + " to " + h.Closes,
	}
}

func serviceAreas(serviceID string, c *directory.Coverage) []ServiceArea {
	var out []ServiceArea
	add := func(sa ServiceArea) {
		sa.ID = UUID5("brokerfinder:service_area:" + serviceID + ":" + strconv.Itoa(len(out)))
		sa.ServiceID = serviceID
		out = append(out, sa)
	}
	if c.National {
		add(ServiceArea{Name: "National", ServiceArea: "Anywhere in Great Britain", URI: uriNational})
	}
	for _, a := range c.Areas {
		add(ServiceArea{Name: a, ServiceArea: a, URI: uriArea})
	}
	for _, d := range c.PostcodeDistricts {
		add(ServiceArea{Name: d, ServiceArea: "Postcode district " + d, URI: uriDistrict + d})
	}
	for i, pg := range c.Polygons {
		add(ServiceArea{Name: "Area " + strconv.Itoa(i+1), Extent: mustJSON(pg), ExtentType: "geojson", URI: uriPolygon})
	}
	return out
}

func contact(serviceID string, p *directory.Provider) *Contact {
	if p.Contact.Phone == "" && p.Contact.Textphone == "" {
		return nil
	}
	id := UUID5("brokerfinder:contact:" + serviceID)
	c := &Contact{ID: id, ServiceID: serviceID, Name: p.Name, Email: p.Contact.Email}
	if p.Contact.Phone != "" {
		c.Phones = append(c.Phones, Phone{ID: UUID5("brokerfinder:phone:" + id + ":main"), ContactID: id, Number: p.Contact.Phone, Description: phoneMain})
	}
	if p.Contact.Textphone != "" {
		c.Phones = append(c.Phones, Phone{ID: UUID5("brokerfinder:phone:" + id + ":textphone"), ContactID: id, Number: p.Contact.Textphone, Description: phoneTextphone})
	}
	return c
}

func serviceAttributes(id string, p *directory.Provider) []Attribute {
	a := attrs{owner: id}
	a.service(id, p)
	return a.list
}

func (a *attrs) service(id string, p *directory.Provider) {
	if id != p.ID {
		a.field("id", p.ID)
	}
	a.code(directory.VocabProviderTypes, "type", p.Type)
	a.codes(directory.VocabDeliveryModes, "delivery_modes", p.DeliveryModes)
	for _, s := range p.Services {
		a.add(directory.VocabServices, "services", s.Code, a.json(serviceDetail{s.Provision, s.Partner, s.Note}))
	}
	a.codes(directory.VocabSpecialisms, "specialisms", p.Specialisms)
	a.codes(directory.VocabSpecialisms, "serves_only", p.ServesOnly)
	a.flag("severe_conditions", p.SevereConditions)
	a.code(directory.VocabServiceModels, "service_model", p.ServiceModel)
	a.code(directory.VocabRegistrationApproaches, "registration_approach", p.RegistrationApproach)
	for _, s := range p.OutOfScope {
		a.add(directory.VocabOutOfScope, "out_of_scope", s.Need, s.To)
	}
	for _, in := range p.Incentives {
		a.add(directory.VocabIncentiveKinds, "incentives", in.Kind, a.json(incentiveDetail{in.Recipient, in.AmountPence, in.Trigger, in.Discretionary}))
	}
	a.flag("in_work_support.offered", p.InWorkSupport.Offered)
	a.code(directory.VocabInWorkSupportModels, "in_work_support.model", p.InWorkSupport.Model)
	a.int("in_work_support.weeks", p.InWorkSupport.Weeks)
	a.flag("in_work_support.employer_mediation", p.InWorkSupport.EmployerMediation)
	a.code(directory.VocabDisclosurePolicies, "in_work_support.disclosure", p.InWorkSupport.Disclosure)
	a.flag("capacity.taking_new_clients", p.Capacity.TakingNewClients)
	a.int("capacity.weeks_to_first_appointment", p.Capacity.WeeksToFirstAppointment)
	a.code(directory.VocabAdviserModels, "staffing.adviser_model", p.Staffing.AdviserModel)
	a.int("staffing.contact_frequency_days", p.Staffing.ContactFrequencyDays)
	a.int("staffing.caseload_per_adviser", p.Staffing.CaseloadPerAdviser)
	a.codes(directory.VocabAccessibility, "accessibility", p.Accessibility)
	a.flag("contact.freephone", p.Contact.Freephone)
	a.flag("contact.registration_by_post", p.Contact.RegistrationByPost)
	a.flag("coverage.travels_to_clients", p.Coverage.TravelsToClients)
	a.float("coverage.radius_km", p.Coverage.RadiusKm)
	a.float("coverage.travel_radius_km", p.Coverage.TravelRadiusKm)
	// The kind of confirmer only: older records hold names (PublicVerifiedBy).
	a.text("freshness.verified_by", directory.PublicVerifiedBy(p.Freshness.VerifiedBy))
	if pf := p.Performance; pf != nil {
		// Every figure is written, zeros included: their presence says the
		// record has performance figures at all.
		a.field("performance.period_start", string(pf.PeriodStart))
		a.field("performance.period_end", string(pf.PeriodEnd))
		a.field("performance.registrations", strconv.Itoa(pf.Registrations))
		a.field("performance.job_entries", strconv.Itoa(pf.JobEntries))
		a.field("performance.sustained_jobs", strconv.Itoa(pf.SustainedJobs))
		a.field("performance.sustained_weeks", strconv.Itoa(pf.SustainedWeeks))
		a.int("performance.long_term_claimant_percent", pf.LongTermClaimantPercent)
		a.text("performance.note", pf.Note)
	}
}

// Brief returns the service with only its one-to-one fields and its
// organisation's, the shape of the profile's list endpoints.
func (s Service) Brief() Service {
	b := Service{
		ID: s.ID, OrganizationID: s.OrganizationID, Name: s.Name, Description: s.Description,
		URL: s.URL, Email: s.Email, Status: s.Status, Fees: s.Fees, Accreditations: s.Accreditations,
		MinimumAge: s.MinimumAge, MaximumAge: s.MaximumAge, AssuredDate: s.AssuredDate,
		AssurerEmail: s.AssurerEmail, Alert: s.Alert, LastModified: s.LastModified,
	}
	if s.Organization != nil {
		o := *s.Organization
		o.OrganizationIdentifiers, o.Attributes, o.Services = nil, nil, nil
		b.Organization = &o
	}
	return b
}

// Brief returns the location with only its one-to-one fields.
func (l Location) Brief() Location {
	l.Addresses, l.Accessibility, l.Attributes = nil, nil, nil
	return l
}
