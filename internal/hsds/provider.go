package hsds

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Note is something import changed, defaulted or left out of one record.
type Note struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (n Note) String() string { return n.Field + ": " + n.Message }

// Defaults for records from other directories that lack what brokerfinder
// needs to match people to providers. A record given any of them is imported
// as a draft, so an editor checks it before the public sees it.
const (
	DefaultType   = directory.TypeJobBroker
	DefaultSector = "voluntary"
	DefaultScale  = "local"
	// DefaultArea is the coverage area of a record that states none: it
	// matches no client's location, so the provider is never offered by
	// mistake.
	DefaultArea = "Not stated"
)

// fieldVocab is the vocabulary of each coded field, keyed by the field path
// brokerfinder writes in link_type.
var fieldVocab = map[string]string{
	"type":                         directory.VocabProviderTypes,
	"organisation.sector":          directory.VocabSectors,
	"organisation.scale":           directory.VocabScales,
	"organisation.contract_status": directory.VocabContractStatuses,
	"delivery_modes":               directory.VocabDeliveryModes,
	"services":                     directory.VocabServices,
	"specialisms":                  directory.VocabSpecialisms,
	"serves_only":                  directory.VocabSpecialisms,
	"service_model":                directory.VocabServiceModels,
	"registration_approach":        directory.VocabRegistrationApproaches,
	"out_of_scope":                 directory.VocabOutOfScope,
	"incentives":                   directory.VocabIncentiveKinds,
	"in_work_support.model":        directory.VocabInWorkSupportModels,
	"in_work_support.disclosure":   directory.VocabDisclosurePolicies,
	"staffing.adviser_model":       directory.VocabAdviserModels,
	"accessibility":                directory.VocabAccessibility,
	"sites.kind":                   directory.VocabSiteKinds,
	"sites.jobcentre_days":         directory.VocabDays,
	"sites.accessibility":          directory.VocabAccessibility,
	"languages":                    directory.VocabLanguages,
}

// vocabField is the field a term from another directory's feed fills when
// its link_type is not one of brokerfinder's field paths.
var vocabField = map[string]string{
	directory.VocabProviderTypes:          "type",
	directory.VocabSectors:                "organisation.sector",
	directory.VocabScales:                 "organisation.scale",
	directory.VocabContractStatuses:       "organisation.contract_status",
	directory.VocabDeliveryModes:          "delivery_modes",
	directory.VocabServices:               "services",
	directory.VocabSpecialisms:            "specialisms",
	directory.VocabServiceModels:          "service_model",
	directory.VocabRegistrationApproaches: "registration_approach",
	directory.VocabOutOfScope:             "out_of_scope",
	directory.VocabIncentiveKinds:         "incentives",
	directory.VocabInWorkSupportModels:    "in_work_support.model",
	directory.VocabDisclosurePolicies:     "in_work_support.disclosure",
	directory.VocabAdviserModels:          "staffing.adviser_model",
	directory.VocabAccessibility:          "accessibility",
	directory.VocabLanguages:              "languages",
	directory.VocabSiteKinds:              "sites.kind",
	directory.VocabDays:                   "sites.jobcentre_days",
}

var statusFrom = func() map[string]string {
	m := map[string]string{}
	for k, v := range statusOf {
		m[v] = k
	}
	return m
}()

// importer collects a record's notes.
type importer struct {
	notes []Note
	// statusChosen is set when the record's status is not the feed's (it
	// gave none brokerfinder knows, or defaults made the record a draft).
	statusChosen bool
}

func (im *importer) note(field, format string, args ...any) {
	im.notes = append(im.notes, Note{field, fmt.Sprintf(format, args...)})
}

// resolve finds the vocabulary and code of an attribute's term: by its id
// (brokerfinder's stable ids), else by taxonomy name and term code.
func resolve(a *Attribute) (termRef, bool) {
	if r, ok := termsByID[strings.ToLower(a.TaxonomyTermID)]; ok {
		return r, true
	}
	t := a.TaxonomyTerm
	if t == nil {
		return termRef{}, false
	}
	if r, ok := termsByID[strings.ToLower(t.ID)]; ok {
		return r, true
	}
	if t.Taxonomy == FieldsTaxonomy {
		for _, ft := range fieldTerms {
			if ft.Code == t.Term {
				return termRef{FieldsTaxonomy, t.Term}, true
			}
		}
	}
	if v, ok := directory.LookupVocabulary(t.Taxonomy); ok {
		for _, c := range []string{t.Term, t.Name} {
			if v.Has(c) {
				return termRef{v.Name, c}, true
			}
		}
	}
	return termRef{}, false
}

// Provider maps an HSDS service back to a provider, normalised and
// validated. Records brokerfinder wrote come back exactly as they were (apart
// from the fields the store sets). Records from elsewhere get the defaults
// above where they lack what the directory needs; notes say what was
// defaulted, changed or left out. The error is a *directory.ValidationError
// naming provider fields.
func Provider(svc *Service) (directory.Provider, []Note, error) {
	p, im, err := importProvider(svc)
	return p, im.notes, err
}

func importProvider(svc *Service) (directory.Provider, *importer, error) {
	im := &importer{}
	p := im.provider(svc)
	p.Normalize()
	err := p.Validate()
	var ve *directory.ValidationError
	if errors.As(err, &ve) && im.repair(&p, ve) {
		err = p.Validate()
	}
	return p, im, err
}

func (im *importer) provider(svc *Service) directory.Provider {
	p := directory.Provider{
		ID:      strings.ToLower(strings.TrimSpace(svc.ID)),
		Name:    svc.Name,
		Summary: svc.Description,
		Organisation: directory.Organisation{
			Website: svc.URL,
		},
		Contact:   directory.Contact{Email: svc.Email},
		Freshness: directory.Freshness{LastVerified: directory.Date(svc.AssuredDate), VerifiedBy: svc.AssurerEmail},
	}
	if st, ok := statusFrom[svc.Status]; ok {
		p.Status = st
	} else {
		p.Status = directory.StatusDraft
		im.statusChosen = true
		im.note("status", "%q is not an HSDS status; imported as a draft", svc.Status)
	}
	if len(p.Freshness.LastVerified) > 10 {
		if _, ok := directory.Date(p.Freshness.LastVerified[:10]).Time(); ok {
			p.Freshness.LastVerified = p.Freshness.LastVerified[:10]
		}
	}
	if p.ID != "" && !directory.ValidID(p.ID) {
		p.ID = UUID5("brokerfinder:import:" + svc.ID)
		im.note("id", "%q cannot be a record id; using %s", svc.ID, p.ID)
	}
	im.organisation(&p, svc)
	if o := svc.Organization; o != nil {
		if p.Organisation.Website == "" {
			p.Organisation.Website = o.Website
		}
		if p.Contact.Email == "" {
			p.Contact.Email = o.Email
		}
		for i := range o.Attributes {
			im.attribute(&p, &o.Attributes[i], fmt.Sprintf("organization.attributes[%d]", i))
		}
	}
	for i := range svc.Attributes {
		im.attribute(&p, &svc.Attributes[i], fmt.Sprintf("attributes[%d]", i))
	}
	im.sites(&p, svc)
	im.coverage(&p, svc.ServiceAreas)
	im.languages(&p, svc.Languages)
	im.contacts(&p, svc.Contacts)
	im.leftOut(svc)
	im.defaults(&p, svc)
	return p
}

// organisation keeps the organisation's id and name when they are its own:
// an organisation brokerfinder derived from the service (the id export
// makes, the service's name) is left implicit, so the record round-trips
// exactly either way.
func (im *importer) organisation(p *directory.Provider, svc *Service) {
	id := strings.ToLower(strings.TrimSpace(svc.OrganizationID))
	name := ""
	if o := svc.Organization; o != nil {
		id = firstNonEmpty(strings.ToLower(strings.TrimSpace(o.ID)), id)
		name = strings.TrimSpace(o.Name)
	}
	if id != "" && id != UUID5("brokerfinder:organisation:"+idFor("provider", p.ID)) {
		if IsUUID(id) {
			p.Organisation.ID = id
		} else {
			im.note("organization.id", "%q is not a UUID; left out", id)
		}
	}
	if name != "" && name != strings.TrimSpace(svc.Name) {
		p.Organisation.Name = name
	}
}

// leftOut notes HSDS data the directory has no place for.
func (im *importer) leftOut(svc *Service) {
	if svc.MinimumAge != nil || svc.MaximumAge != nil {
		im.note("minimum_age", "age limits are not held by the directory; left out")
	}
	for _, f := range []struct{ name, v string }{{"fees", svc.Fees}, {"accreditations", svc.Accreditations}, {"alert", svc.Alert}} {
		if f.v != "" {
			im.note(f.name, "not held by the directory; left out")
		}
	}
	if len(svc.Funding) > 0 {
		im.note("funding", "not held by the directory; left out")
	}
	if len(svc.CostOptions) > 0 {
		im.note("cost_options", "the directory's services are free to clients and hold no prices; left out")
	}
}

// defaults fills what a record from elsewhere lacks and makes it a draft.
func (im *importer) defaults(p *directory.Provider, svc *Service) {
	var defaulted []string
	if p.Type == "" {
		p.Type = DefaultType
		defaulted = append(defaulted, "type")
	}
	if p.Organisation.Sector == "" {
		p.Organisation.Sector = DefaultSector
		defaulted = append(defaulted, "organisation.sector")
	}
	if p.Organisation.Scale == "" {
		p.Organisation.Scale = DefaultScale
		defaulted = append(defaulted, "organisation.scale")
	}
	if len(p.DeliveryModes) == 0 {
		// How people meet the service follows from its locations and phones.
		for _, sal := range svc.ServiceAtLocations {
			if sal.Location == nil {
				continue
			}
			switch sal.Location.LocationType {
			case "physical":
				p.DeliveryModes = append(p.DeliveryModes, directory.ModeOffice)
			case "virtual":
				p.DeliveryModes = append(p.DeliveryModes, directory.ModeOnline)
			}
		}
		if p.Contact.Phone != "" {
			p.DeliveryModes = append(p.DeliveryModes, directory.ModeTelephone)
		}
		if len(p.DeliveryModes) == 0 {
			p.DeliveryModes = []string{directory.ModeOffice}
		}
		defaulted = append(defaulted, "delivery_modes")
	}
	c := &p.Coverage
	if !c.National && len(c.Areas) == 0 && len(c.PostcodeDistricts) == 0 && len(c.Polygons) == 0 && c.RadiusKm == 0 && !c.TravelsToClients {
		c.Areas = []string{DefaultArea}
		defaulted = append(defaulted, "coverage")
	}
	if len(defaulted) > 0 {
		for _, f := range defaulted {
			im.note(f, "not given; set to a default (see the README)")
		}
		if p.Status != directory.StatusDraft {
			p.Status = directory.StatusDraft
			im.statusChosen = true
			im.note("status", "imported as a draft because defaults were applied: check it before publishing")
		}
	}
}

func (im *importer) attribute(p *directory.Provider, a *Attribute, where string) {
	r, ok := resolve(a)
	if !ok {
		name := ""
		if a.TaxonomyTerm != nil {
			name = a.TaxonomyTerm.Name
		}
		im.note(where, "taxonomy term %q is not one of brokerfinder's; left out", name)
		return
	}
	field := r.code
	if r.vocab != FieldsTaxonomy {
		field = vocabField[r.vocab]
		if v, ok := fieldVocab[a.LinkType]; ok && v == r.vocab {
			field = a.LinkType
		}
	}
	if !im.set(p, field, r.code, a.Value) {
		im.note(where, "term %s:%s does not describe a provider; left out", r.vocab, r.code)
	}
}

// set applies one attribute to the provider, and reports whether the field is
// one a service's attributes can set.
func (im *importer) set(p *directory.Provider, field, code, value string) bool {
	flag := value == "true"
	num := func() int {
		n, err := strconv.Atoi(value)
		if err != nil {
			im.note(field, "%q is not a whole number; left out", value)
		}
		return n
	}
	fnum := func() float64 {
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			im.note(field, "%q is not a number; left out", value)
		}
		return f
	}
	perf := func() *directory.Performance {
		if p.Performance == nil {
			p.Performance = &directory.Performance{}
		}
		return p.Performance
	}
	switch field {
	case "id":
		p.ID = value
	case "type":
		p.Type = code
	case "organisation.sector":
		p.Organisation.Sector = code
	case "organisation.scale":
		p.Organisation.Scale = code
	case "organisation.contract_status":
		p.Organisation.ContractStatus = code
	case "organisation.jobcentre_plus_run":
		p.Organisation.JobcentrePlusRun = flag
	case "organisation.partnership_members":
		p.Organisation.PartnershipMembers = append(p.Organisation.PartnershipMembers, value)
	case "delivery_modes":
		p.DeliveryModes = append(p.DeliveryModes, code)
	case "services":
		d := serviceDetail{Provision: "in_house"}
		if value != "" && json.Unmarshal([]byte(value), &d) != nil {
			d = serviceDetail{Provision: "in_house", Note: value}
		}
		p.Services = append(p.Services, directory.Service{Code: code, Provision: d.Provision, Partner: d.Partner, Note: d.Note})
	case "specialisms":
		p.Specialisms = append(p.Specialisms, code)
	case "serves_only":
		p.ServesOnly = append(p.ServesOnly, code)
	case "severe_conditions":
		p.SevereConditions = flag
	case "service_model":
		p.ServiceModel = code
	case "registration_approach":
		p.RegistrationApproach = code
	case "out_of_scope":
		p.OutOfScope = append(p.OutOfScope, directory.Signpost{Need: code, To: value})
	case "incentives":
		var d incentiveDetail
		if json.Unmarshal([]byte(value), &d) != nil {
			d = incentiveDetail{Recipient: "client", Trigger: value}
			if strings.HasPrefix(code, "employer_") {
				d.Recipient = "employer"
			}
			if d.Trigger == "" {
				d.Trigger = "Not stated"
			}
		}
		p.Incentives = append(p.Incentives, directory.Incentive{Kind: code, Recipient: d.Recipient, AmountPence: d.AmountPence, Trigger: d.Trigger, Discretionary: d.Discretionary})
	case "in_work_support.offered":
		p.InWorkSupport.Offered = flag
	case "in_work_support.model":
		p.InWorkSupport.Model = code
	case "in_work_support.weeks":
		p.InWorkSupport.Weeks = num()
	case "in_work_support.employer_mediation":
		p.InWorkSupport.EmployerMediation = flag
	case "in_work_support.disclosure":
		p.InWorkSupport.Disclosure = code
	case "capacity.taking_new_clients":
		p.Capacity.TakingNewClients = flag
	case "capacity.weeks_to_first_appointment":
		p.Capacity.WeeksToFirstAppointment = num()
	case "staffing.adviser_model":
		p.Staffing.AdviserModel = code
	case "staffing.contact_frequency_days":
		p.Staffing.ContactFrequencyDays = num()
	case "staffing.caseload_per_adviser":
		p.Staffing.CaseloadPerAdviser = num()
	case "accessibility":
		p.Accessibility = append(p.Accessibility, code)
	case "languages":
		p.Languages = append(p.Languages, code)
	case "contact.freephone":
		p.Contact.Freephone = flag
	case "contact.registration_by_post":
		p.Contact.RegistrationByPost = flag
	case "coverage.travels_to_clients":
		p.Coverage.TravelsToClients = flag
	case "coverage.radius_km":
		p.Coverage.RadiusKm = fnum()
	case "coverage.travel_radius_km":
		p.Coverage.TravelRadiusKm = fnum()
	case "freshness.verified_by":
		p.Freshness.VerifiedBy = value
	case "performance.period_start":
		perf().PeriodStart = directory.Date(value)
	case "performance.period_end":
		perf().PeriodEnd = directory.Date(value)
	case "performance.registrations":
		perf().Registrations = num()
	case "performance.job_entries":
		perf().JobEntries = num()
	case "performance.sustained_jobs":
		perf().SustainedJobs = num()
	case "performance.sustained_weeks":
		perf().SustainedWeeks = num()
	case "performance.long_term_claimant_percent":
		perf().LongTermClaimantPercent = num()
	case "performance.note":
		perf().Note = value
	default:
		return false
	}
	return true
}

var dayFromICal = func() map[string]string {
	m := map[string]string{}
	for k, v := range icalDays {
		m[v] = k
	}
	return m
}()

func (im *importer) sites(p *directory.Provider, svc *Service) {
	var serviceLevel []Schedule
	bySAL := map[string][]Schedule{}
	for _, s := range svc.Schedules {
		if s.ServiceAtLocationID == "" {
			serviceLevel = append(serviceLevel, s)
		} else {
			bySAL[strings.ToLower(s.ServiceAtLocationID)] = append(bySAL[strings.ToLower(s.ServiceAtLocationID)], s)
		}
	}
	for i, sal := range svc.ServiceAtLocations {
		where := fmt.Sprintf("service_at_locations[%d]", i)
		l := sal.Location
		if l == nil {
			im.note(where, "has no location; left out")
			continue
		}
		site := directory.Site{ID: strings.ToLower(l.ID), Name: l.Name}
		if l.ExternalIdentifierType == siteIDType {
			site.ID = l.ExternalIdentifier
		}
		if site.ID == "" {
			site.ID = strings.ToLower(sal.LocationID)
		}
		for j := range l.Attributes {
			a := &l.Attributes[j]
			r, ok := resolve(a)
			switch {
			case ok && r.vocab == directory.VocabSiteKinds:
				site.Kind = r.code
			case ok && r.vocab == directory.VocabDays:
				site.JobcentreDays = append(site.JobcentreDays, r.code)
			case ok && r.vocab == directory.VocabAccessibility:
				site.Accessibility = append(site.Accessibility, r.code)
			default:
				im.note(fmt.Sprintf("%s.location.attributes[%d]", where, j), "not a term brokerfinder holds for a site; left out")
			}
		}
		if site.Kind == "" {
			site.Kind = directory.SiteOffice
			if l.LocationType == "virtual" {
				site.Kind = directory.SiteRemote
			}
		}
		if l.Latitude != nil && l.Longitude != nil {
			site.Location = &directory.LatLon{Lat: *l.Latitude, Lon: *l.Longitude}
		}
		if len(l.Addresses) > 0 {
			a := l.Addresses[0]
			if a.Address1 != "" {
				site.Address.Lines = append(site.Address.Lines, a.Address1)
			}
			for _, line := range strings.Split(a.Address2, "\n") {
				if strings.TrimSpace(line) != "" {
					site.Address.Lines = append(site.Address.Lines, line)
				}
			}
			site.Address.Town, site.Address.Postcode = a.City, a.PostalCode
			if len(l.Addresses) > 1 {
				im.note(where+".location.addresses", "the directory keeps one address per site; the first kept")
			}
		}
		if site.Name == "" {
			site.Name = firstNonEmpty(site.Address.Town, p.Name)
		}
		acc := directory.MustVocabulary(directory.VocabAccessibility)
		for j, ac := range l.Accessibility {
			code := ""
			for k := range ac.Attributes {
				if r, ok := resolve(&ac.Attributes[k]); ok && r.vocab == directory.VocabAccessibility {
					code = r.code
				}
			}
			if code == "" {
				for _, t := range acc.Terms {
					if strings.EqualFold(t.Label, ac.Description) || strings.EqualFold(t.Label, ac.Accessibility) {
						code = t.Code
					}
				}
			}
			if code == "" {
				im.note(fmt.Sprintf("%s.location.accessibility[%d]", where, j), "not one of the directory's accessibility codes; left out")
				continue
			}
			site.Accessibility = append(site.Accessibility, code)
		}
		for j, s := range bySAL[strings.ToLower(sal.ID)] {
			im.openingHours(&site, s, fmt.Sprintf("%s.schedules[%d]", where, j))
		}
		for j, s := range serviceLevel {
			im.openingHours(&site, s, fmt.Sprintf("schedules[%d]", j))
		}
		p.Sites = append(p.Sites, site)
	}
	if len(serviceLevel) > 0 {
		im.note("schedules", "service-wide schedules were applied to every site (the directory keeps opening hours per site)")
	}
}

func (im *importer) openingHours(site *directory.Site, s Schedule, where string) {
	if s.Freq != "" && s.Freq != "WEEKLY" || (s.Interval != nil && *s.Interval != 1) {
		im.note(where, "only weekly opening hours are held; left out")
		return
	}
	opens, closes := hhmm(s.OpensAt), hhmm(s.ClosesAt)
	if opens == "" || closes == "" || s.ByDay == "" {
		im.note(where, "needs byday, opens_at and closes_at; left out")
		return
	}
	for _, d := range strings.Split(s.ByDay, ",") {
		day, ok := dayFromICal[strings.ToUpper(strings.TrimSpace(d))]
		if !ok {
			im.note(where, "day %q is not a weekday code such as MO; left out", d)
			continue
		}
		site.OpeningHours = append(site.OpeningHours, directory.OpeningHours{Day: day, Opens: opens, Closes: closes})
	}
}

// hhmm cuts "10:00:00" or "10:00" to "10:00".
func hhmm(s string) string {
	if len(s) >= 5 && s[2] == ':' {
		return s[:5]
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func (im *importer) coverage(p *directory.Provider, areas []ServiceArea) {
	c := &p.Coverage
	for i, sa := range areas {
		where := fmt.Sprintf("service_areas[%d]", i)
		name := firstNonEmpty(sa.Name, sa.ServiceArea)
		if strings.EqualFold(sa.ExtentType, "geojson") && sa.Extent != "" && sa.URI != uriNational && sa.URI != uriArea && !strings.HasPrefix(sa.URI, uriDistrict) {
			var pg directory.Polygon
			if err := json.Unmarshal([]byte(sa.Extent), &pg); err == nil && pg.Type == "Polygon" {
				c.Polygons = append(c.Polygons, pg)
				continue
			}
			im.note(where+".extent", "only a GeoJSON Polygon is held; left out")
		}
		switch {
		case sa.URI == uriNational:
			c.National = true
		case strings.HasPrefix(sa.URI, uriDistrict):
			c.PostcodeDistricts = append(c.PostcodeDistricts, strings.TrimPrefix(sa.URI, uriDistrict))
		case sa.URI == uriArea:
			c.Areas = append(c.Areas, sa.Name)
		case directory.ValidDistrict(strings.ToUpper(strings.TrimSpace(name))):
			c.PostcodeDistricts = append(c.PostcodeDistricts, strings.ToUpper(strings.TrimSpace(name)))
		case name == "":
			im.note(where, "has no name or extent; left out")
		case utf8.RuneCountInString(name) > 100:
			// A description rather than a place name: keep its start.
			short := string([]rune(name)[:99])
			if k := strings.LastIndex(short, " "); k > 40 {
				short = short[:k]
			}
			c.Areas = append(c.Areas, short+"…")
			im.note(where+".name", "longer than an area name may be (100 characters); shortened")
		default:
			c.Areas = append(c.Areas, name)
		}
	}
}

func (im *importer) languages(p *directory.Provider, langs []Language) {
	v := directory.MustVocabulary(directory.VocabLanguages)
	for i, l := range langs {
		code := strings.ToLower(l.Code)
		if !v.Has(code) {
			code = ""
			for _, t := range v.Terms {
				if strings.EqualFold(t.Label, l.Name) {
					code = t.Code
				}
			}
		}
		if code == "" {
			im.note(fmt.Sprintf("languages[%d]", i), "no language code brokerfinder knows (%q); left out", firstNonEmpty(l.Code, l.Name))
			continue
		}
		p.Languages = append(p.Languages, code)
	}
}

func (im *importer) contacts(p *directory.Provider, contacts []Contact) {
	for i, c := range contacts {
		if p.Contact.Email == "" {
			p.Contact.Email = c.Email
		}
		for j, ph := range c.Phones {
			switch {
			case strings.EqualFold(ph.Description, phoneTextphone) && p.Contact.Textphone == "":
				p.Contact.Textphone = ph.Number
			case p.Contact.Phone == "" && !strings.EqualFold(ph.Description, phoneTextphone):
				p.Contact.Phone = ph.Number
			default:
				im.note(fmt.Sprintf("contacts[%d].phones[%d]", i, j), "the directory keeps one phone and one textphone; left out")
			}
		}
		if c.Title != "" || (c.Name != "" && c.Name != p.Name) {
			im.note(fmt.Sprintf("contacts[%d]", i), "named contacts are not held; name and title left out")
		}
	}
}

// repair fixes, for records from elsewhere, the two problems that would
// otherwise reject whole records for one bad detail: a site that cannot be
// placed in the UK is left out, and a postcode that is not a UK postcode is
// dropped. It reports whether it changed anything.
func (im *importer) repair(p *directory.Provider, ve *directory.ValidationError) bool {
	drop := map[int]bool{}
	changed := false
	for _, fp := range ve.Problems {
		var i int
		var rest string
		if n, _ := fmt.Sscanf(fp.Field, "sites[%d].%s", &i, &rest); n < 2 || i >= len(p.Sites) {
			continue
		}
		switch {
		case strings.HasPrefix(rest, "location"):
			if !drop[i] {
				drop[i] = true
				im.note(fmt.Sprintf("sites[%d]", i), "left out: %s", fp.Message)
			}
		case rest == "address.postcode" && p.Sites[i].Address.Postcode != "":
			im.note(fp.Field, "%q is not a UK postcode; left out", p.Sites[i].Address.Postcode)
			p.Sites[i].Address.Postcode = ""
			changed = true
		}
	}
	if len(drop) > 0 {
		kept := p.Sites[:0]
		for i, s := range p.Sites {
			if !drop[i] {
				kept = append(kept, s)
			}
		}
		p.Sites = kept
		changed = true
	}
	return changed
}
