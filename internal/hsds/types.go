package hsds

// The types below hold only what the ORUK 3.0 schemas describe, plus three
// HSDS 3.0 core fields the profile's schemas leave out but allow (they do not
// forbid extra properties): attribute.value, language.name and language.code,
// and contact.email and contact.phones. Without them a directory could not say
// which language is spoken or which phone number to ring.

// Service is an HSDS service, fully nested.
type Service struct {
	ID                 string              `json:"id"`
	OrganizationID     string              `json:"organization_id,omitempty"`
	Name               string              `json:"name"`
	Description        string              `json:"description,omitempty"`
	URL                string              `json:"url,omitempty"`
	Email              string              `json:"email,omitempty"`
	Status             string              `json:"status"`
	Fees               string              `json:"fees,omitempty"`
	Accreditations     string              `json:"accreditations,omitempty"`
	MinimumAge         *float64            `json:"minimum_age,omitempty"`
	MaximumAge         *float64            `json:"maximum_age,omitempty"`
	AssuredDate        string              `json:"assured_date,omitempty"`
	AssurerEmail       string              `json:"assurer_email,omitempty"`
	Alert              string              `json:"alert,omitempty"`
	LastModified       string              `json:"last_modified,omitempty"`
	Schedules          []Schedule          `json:"schedules,omitempty"`
	ServiceAreas       []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages          []Language          `json:"languages,omitempty"`
	Organization       *Organization       `json:"organization,omitempty"`
	Funding            []Funding           `json:"funding,omitempty"`
	CostOptions        []CostOption        `json:"cost_options,omitempty"`
	Contacts           []Contact           `json:"contacts,omitempty"`
	Attributes         []Attribute         `json:"attributes,omitempty"`
} // @name ORUKService

// Organization is an HSDS organization.
type Organization struct {
	ID                      string                   `json:"id"`
	Name                    string                   `json:"name"`
	Description             string                   `json:"description"`
	Email                   string                   `json:"email,omitempty"`
	Website                 string                   `json:"website,omitempty"`
	Logo                    string                   `json:"logo,omitempty"`
	URI                     string                   `json:"uri,omitempty"`
	ParentOrganizationID    string                   `json:"parent_organization_id,omitempty"`
	OrganizationIdentifiers []OrganizationIdentifier `json:"organization_identifiers,omitempty"`
	Attributes              []Attribute              `json:"attributes,omitempty"`
	// Services appears only in the organization_full example shape, which
	// import accepts.
	Services []Service `json:"services,omitempty"`
} // @name ORUKOrganization

// OrganizationIdentifier is a third-party identifier of an organization.
type OrganizationIdentifier struct {
	ID               string `json:"id"`
	OrganizationID   string `json:"organization_id,omitempty"`
	IdentifierScheme string `json:"identifier_scheme,omitempty"`
	IdentifierType   string `json:"identifier_type"`
	Identifier       string `json:"identifier"`
} // @name ORUKOrganizationIdentifier

// ServiceAtLocation links a service to a location.
type ServiceAtLocation struct {
	ID         string    `json:"id"`
	ServiceID  string    `json:"service_id,omitempty"`
	LocationID string    `json:"location_id,omitempty"`
	Location   *Location `json:"location,omitempty"`
	// Service is filled only in /service_at_locations responses.
	Service *Service `json:"service,omitempty"`
} // @name ORUKServiceAtLocation

// Location is where a service is delivered: physical, postal or virtual.
type Location struct {
	ID                     string          `json:"id"`
	LocationType           string          `json:"location_type"`
	Name                   string          `json:"name,omitempty"`
	Description            string          `json:"description,omitempty"`
	Latitude               *float64        `json:"latitude,omitempty"`
	Longitude              *float64        `json:"longitude,omitempty"`
	ExternalIdentifier     string          `json:"external_identifier,omitempty"`
	ExternalIdentifierType string          `json:"external_identifier_type,omitempty"`
	Addresses              []Address       `json:"addresses,omitempty"`
	Accessibility          []Accessibility `json:"accessibility,omitempty"`
	Attributes             []Attribute     `json:"attributes,omitempty"`
} // @name ORUKLocation

// Address is a location's address. address_2 is HSDS 3.0 core; the profile
// allows it.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Attention     string `json:"attention,omitempty"`
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2,omitempty"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
} // @name ORUKAddress

// Accessibility is one access arrangement at a location.
type Accessibility struct {
	ID            string      `json:"id"`
	LocationID    string      `json:"location_id,omitempty"`
	Description   string      `json:"description,omitempty"`
	Details       string      `json:"details,omitempty"`
	URL           string      `json:"url,omitempty"`
	Accessibility string      `json:"accessibility,omitempty"`
	Attributes    []Attribute `json:"attributes,omitempty"`
} // @name ORUKAccessibility

// Schedule is a weekly opening (RFC 5545 style).
type Schedule struct {
	ID                  string   `json:"id"`
	ServiceID           string   `json:"service_id,omitempty"`
	ServiceAtLocationID string   `json:"service_at_location_id,omitempty"`
	ValidFrom           string   `json:"valid_from,omitempty"`
	ValidTo             string   `json:"valid_to,omitempty"`
	DTStart             string   `json:"dtstart,omitempty"`
	Freq                string   `json:"freq,omitempty"`
	Interval            *float64 `json:"interval,omitempty"`
	ByDay               string   `json:"byday,omitempty"`
	ByMonthDay          string   `json:"bymonthday,omitempty"`
	Description         string   `json:"description,omitempty"`
	OpensAt             string   `json:"opens_at,omitempty"`
	ClosesAt            string   `json:"closes_at,omitempty"`
	ScheduleLink        string   `json:"schedule_link,omitempty"`
	AttendingType       string   `json:"attending_type,omitempty"`
	Notes               string   `json:"notes,omitempty"`
} // @name ORUKSchedule

// ServiceArea is where a service is available.
type ServiceArea struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Name        string `json:"name,omitempty"`
	Extent      string `json:"extent,omitempty"`
	ExtentType  string `json:"extent_type,omitempty"`
	URI         string `json:"uri,omitempty"`
	ServiceArea string `json:"service_area,omitempty"`
} // @name ORUKServiceArea

// Language is a language spoken at a service. Name and Code are HSDS 3.0 core
// fields the profile's schema omits.
type Language struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code,omitempty"`
} // @name ORUKLanguage

// Funding is a source of funds.
type Funding struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Source    string `json:"source,omitempty"`
} // @name ORUKFunding

// CostOption is what a service costs its users.
type CostOption struct {
	ID                string   `json:"id"`
	ServiceID         string   `json:"service_id,omitempty"`
	ValidFrom         string   `json:"valid_from,omitempty"`
	ValidTo           string   `json:"valid_to,omitempty"`
	Option            string   `json:"option,omitempty"`
	Amount            *float64 `json:"amount,omitempty"`
	AmountDescription string   `json:"amount_description,omitempty"`
} // @name ORUKCostOption

// Contact is a way to reach a service. Email and Phones are HSDS 3.0 core
// fields the profile's schema omits.
type Contact struct {
	ID         string      `json:"id"`
	ServiceID  string      `json:"service_id,omitempty"`
	Name       string      `json:"name,omitempty"`
	Title      string      `json:"title,omitempty"`
	Email      string      `json:"email,omitempty"`
	Phones     []Phone     `json:"phones,omitempty"`
	Attributes []Attribute `json:"attributes,omitempty"`
} // @name ORUKContact

// Phone is a telephone number.
type Phone struct {
	ID          string `json:"id"`
	ContactID   string `json:"contact_id,omitempty"`
	Number      string `json:"number"`
	Description string `json:"description,omitempty"`
} // @name ORUKPhone

// Attribute links a record to a taxonomy term. LinkType names what the term
// describes (for brokerfinder records, the directory field's path, such as
// "specialisms"); Value (HSDS 3.0 core) carries any detail.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id,omitempty"`
	LinkType       string        `json:"link_type,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
	Value          string        `json:"value,omitempty"`
} // @name ORUKAttribute

// Taxonomy is a controlled vocabulary.
type Taxonomy struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Description   string         `json:"description"`
	URI           string         `json:"uri,omitempty"`
	Version       string         `json:"version,omitempty"`
	TaxonomyTerms []TaxonomyTerm `json:"taxonomy_terms,omitempty"`
} // @name ORUKTaxonomy

// TaxonomyTerm is one term of a taxonomy. Term holds the directory's stable
// code and Name its plain-English label.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	ParentID    string `json:"parent_id,omitempty"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
	TermURI     string `json:"term_uri,omitempty"`
	Term        string `json:"term,omitempty"`
} // @name ORUKTaxonomyTerm

// Meta is the ORUK API's root document.
type Meta struct {
	Version    string `json:"version" example:"HSDS-UK-3.0"`
	Profile    string `json:"profile" example:"https://openreferraluk.org"`
	OpenAPIURL string `json:"openapi_url" example:"http://localhost:8080/openapi/oruk.json"`
} // @name ORUKMeta
