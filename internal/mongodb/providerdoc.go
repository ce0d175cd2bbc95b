package mongodb

import (
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// The stored shape of a provider has types of its own, so that renaming a
// field of the API (directory.Provider's json tags) never renames a stored
// field: that would be a silent data migration, and old documents would
// decode with the field missing. The field names here are the ones the
// store has always written (they were the domain's json names, which the
// driver followed), and testdata/provider-v1.json pins them.
//
// Each field carries the same name in a bson tag, for the driver, and in a
// json tag, for the direct read of FerretDB's SQLite rows (sqliteread.go),
// which hold the document as JSON; TestStoredTagsAgree checks they agree.
// omitempty is where the store has always put it.
//
// The one change from the old layout is polygons: GeoJSON's rings of
// [lon, lat] pairs are arrays nested three deep, which FerretDB (on SQLite
// and on PostgreSQL) refuses ("nested arrays are not supported"), so a ring
// is stored as an object holding its points as {lon, lat} objects. A
// polygon written in GeoJSON's shape (possible only on a real MongoDB) is
// still read.

// providerDoc is a provider as stored in the providers collection: the
// record, its id as _id, and derived keys that listing filters use.
type providerDoc struct {
	ID     string         `bson:"_id"`
	Record providerRecord `bson:",inline"`
	// AreaKeys are lower-cased coverage areas, site towns and postcode
	// districts, so "area" filters match without case-folding queries.
	AreaKeys []string `bson:"area_keys"`
}

func toProviderDoc(p *directory.Provider) *providerDoc {
	return &providerDoc{ID: p.ID, Record: toProviderRecord(p), AreaKeys: p.AreaKeys()}
}

// providerRecord is a provider's stored fields: the body of a providerDoc,
// and the whole record a revision keeps.
type providerRecord struct {
	ID      string `bson:"id" json:"id"`
	Name    string `bson:"name" json:"name"`
	Type    string `bson:"type" json:"type"`
	Status  string `bson:"status" json:"status"`
	Summary string `bson:"summary,omitempty" json:"summary,omitempty"`

	Organisation organisationDoc `bson:"organisation" json:"organisation"`
	Sites        []siteDoc       `bson:"sites,omitempty" json:"sites,omitempty"`
	Coverage     coverageDoc     `bson:"coverage" json:"coverage"`

	DeliveryModes []string     `bson:"delivery_modes,omitempty" json:"delivery_modes,omitempty"`
	Services      []serviceDoc `bson:"services,omitempty" json:"services,omitempty"`

	Specialisms          []string      `bson:"specialisms,omitempty" json:"specialisms,omitempty"`
	ServesOnly           []string      `bson:"serves_only,omitempty" json:"serves_only,omitempty"`
	SevereConditions     bool          `bson:"severe_conditions" json:"severe_conditions"`
	ServiceModel         string        `bson:"service_model,omitempty" json:"service_model,omitempty"`
	RegistrationApproach string        `bson:"registration_approach,omitempty" json:"registration_approach,omitempty"`
	OutOfScope           []signpostDoc `bson:"out_of_scope,omitempty" json:"out_of_scope,omitempty"`

	Incentives    []incentiveDoc   `bson:"incentives,omitempty" json:"incentives,omitempty"`
	InWorkSupport inWorkSupportDoc `bson:"in_work_support" json:"in_work_support"`
	Capacity      capacityDoc      `bson:"capacity" json:"capacity"`
	Staffing      staffingDoc      `bson:"staffing" json:"staffing"`

	Accessibility []string   `bson:"accessibility,omitempty" json:"accessibility,omitempty"`
	Languages     []string   `bson:"languages,omitempty" json:"languages,omitempty"`
	Contact       contactDoc `bson:"contact" json:"contact"`

	Performance *performanceDoc `bson:"performance,omitempty" json:"performance,omitempty"`
	Freshness   freshnessDoc    `bson:"freshness" json:"freshness"`

	Version   int64     `bson:"version" json:"version"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
}

type organisationDoc struct {
	ID                 string   `bson:"id,omitempty" json:"id,omitempty"`
	Name               string   `bson:"name,omitempty" json:"name,omitempty"`
	Sector             string   `bson:"sector" json:"sector"`
	JobcentrePlusRun   bool     `bson:"jobcentre_plus_run" json:"jobcentre_plus_run"`
	PartnershipMembers []string `bson:"partnership_members,omitempty" json:"partnership_members,omitempty"`
	Scale              string   `bson:"scale" json:"scale"`
	Website            string   `bson:"website,omitempty" json:"website,omitempty"`
	ContractStatus     string   `bson:"contract_status" json:"contract_status"`
}

type siteDoc struct {
	ID            string            `bson:"id" json:"id"`
	Name          string            `bson:"name" json:"name"`
	Kind          string            `bson:"kind" json:"kind"`
	Address       addressDoc        `bson:"address" json:"address"`
	Location      *latLonDoc        `bson:"location,omitempty" json:"location,omitempty"`
	JobcentreDays []string          `bson:"jobcentre_days,omitempty" json:"jobcentre_days,omitempty"`
	OpeningHours  []openingHoursDoc `bson:"opening_hours,omitempty" json:"opening_hours,omitempty"`
	Accessibility []string          `bson:"accessibility,omitempty" json:"accessibility,omitempty"`
}

type addressDoc struct {
	Lines    []string `bson:"lines,omitempty" json:"lines,omitempty"`
	Town     string   `bson:"town,omitempty" json:"town,omitempty"`
	Postcode string   `bson:"postcode,omitempty" json:"postcode,omitempty"`
}

type latLonDoc struct {
	Lat float64 `bson:"lat" json:"lat"`
	Lon float64 `bson:"lon" json:"lon"`
}

type openingHoursDoc struct {
	Day    string `bson:"day" json:"day"`
	Opens  string `bson:"opens" json:"opens"`
	Closes string `bson:"closes" json:"closes"`
}

type coverageDoc struct {
	National          bool         `bson:"national" json:"national"`
	Areas             []string     `bson:"areas,omitempty" json:"areas,omitempty"`
	PostcodeDistricts []string     `bson:"postcode_districts,omitempty" json:"postcode_districts,omitempty"`
	Polygons          []polygonDoc `bson:"polygons,omitempty" json:"polygons,omitempty"`
	RadiusKm          float64      `bson:"radius_km,omitempty" json:"radius_km,omitempty"`
	TravelsToClients  bool         `bson:"travels_to_clients" json:"travels_to_clients"`
	TravelRadiusKm    float64      `bson:"travel_radius_km,omitempty" json:"travel_radius_km,omitempty"`
}

// polygonDoc is a GeoJSON polygon with its rings as objects (see above).
type polygonDoc struct {
	Type  string    `bson:"type" json:"type"`
	Rings []ringDoc `bson:"rings" json:"rings"`
	// Coordinates is GeoJSON's own shape, never written: read from
	// documents written before rings, on a real MongoDB.
	Coordinates [][][2]float64 `bson:"coordinates,omitempty" json:"coordinates,omitempty"`
}

// ringDoc is one ring of a polygon: its positions in order.
type ringDoc struct {
	Points []pointDoc `bson:"points" json:"points"`
}

// pointDoc is one GeoJSON position.
type pointDoc struct {
	Lon float64 `bson:"lon" json:"lon"`
	Lat float64 `bson:"lat" json:"lat"`
}

type serviceDoc struct {
	Code      string `bson:"code" json:"code"`
	Provision string `bson:"provision" json:"provision"`
	Partner   string `bson:"partner,omitempty" json:"partner,omitempty"`
	Note      string `bson:"note,omitempty" json:"note,omitempty"`
}

type signpostDoc struct {
	Need string `bson:"need" json:"need"`
	To   string `bson:"to,omitempty" json:"to,omitempty"`
}

type incentiveDoc struct {
	Kind          string `bson:"kind" json:"kind"`
	Recipient     string `bson:"recipient" json:"recipient"`
	AmountPence   int64  `bson:"amount_pence,omitempty" json:"amount_pence,omitempty"`
	Trigger       string `bson:"trigger" json:"trigger"`
	Discretionary bool   `bson:"discretionary" json:"discretionary"`
}

type inWorkSupportDoc struct {
	Offered           bool   `bson:"offered" json:"offered"`
	Model             string `bson:"model,omitempty" json:"model,omitempty"`
	Weeks             int    `bson:"weeks,omitempty" json:"weeks,omitempty"`
	EmployerMediation bool   `bson:"employer_mediation" json:"employer_mediation"`
	Disclosure        string `bson:"disclosure,omitempty" json:"disclosure,omitempty"`
}

type capacityDoc struct {
	TakingNewClients        bool `bson:"taking_new_clients" json:"taking_new_clients"`
	WeeksToFirstAppointment int  `bson:"weeks_to_first_appointment,omitempty" json:"weeks_to_first_appointment,omitempty"`
}

type staffingDoc struct {
	AdviserModel         string `bson:"adviser_model,omitempty" json:"adviser_model,omitempty"`
	ContactFrequencyDays int    `bson:"contact_frequency_days,omitempty" json:"contact_frequency_days,omitempty"`
	CaseloadPerAdviser   int    `bson:"caseload_per_adviser,omitempty" json:"caseload_per_adviser,omitempty"`
}

type contactDoc struct {
	Phone              string `bson:"phone,omitempty" json:"phone,omitempty"`
	Freephone          bool   `bson:"freephone" json:"freephone"`
	Textphone          string `bson:"textphone,omitempty" json:"textphone,omitempty"`
	Email              string `bson:"email,omitempty" json:"email,omitempty"`
	RegistrationByPost bool   `bson:"registration_by_post" json:"registration_by_post"`
}

type performanceDoc struct {
	PeriodStart             string `bson:"period_start" json:"period_start"`
	PeriodEnd               string `bson:"period_end" json:"period_end"`
	Registrations           int    `bson:"registrations" json:"registrations"`
	JobEntries              int    `bson:"job_entries" json:"job_entries"`
	SustainedJobs           int    `bson:"sustained_jobs" json:"sustained_jobs"`
	SustainedWeeks          int    `bson:"sustained_weeks" json:"sustained_weeks"`
	LongTermClaimantPercent int    `bson:"long_term_claimant_percent,omitempty" json:"long_term_claimant_percent,omitempty"`
	Note                    string `bson:"note,omitempty" json:"note,omitempty"`
}

type freshnessDoc struct {
	LastVerified string `bson:"last_verified" json:"last_verified"`
	VerifiedBy   string `bson:"verified_by" json:"verified_by"`
}

// actorDoc is who made a change, as a revision stores it.
type actorDoc struct {
	ID   string `bson:"id" json:"id"`
	Name string `bson:"name" json:"name"`
	Role string `bson:"role" json:"role"`
}

func toActorDoc(a *directory.Actor) *actorDoc {
	if a == nil {
		return nil
	}
	return &actorDoc{ID: a.ID, Name: a.Name, Role: string(a.Role)}
}

func fromActorDoc(d *actorDoc) *directory.Actor {
	if d == nil {
		return nil
	}
	return &directory.Actor{ID: d.ID, Name: d.Name, Role: directory.Role(d.Role)}
}

// toProviderRecord converts p to its stored shape. Slices of strings are
// shared with p, not copied: the record is written and dropped.
func toProviderRecord(p *directory.Provider) providerRecord {
	r := providerRecord{
		ID: p.ID, Name: p.Name, Type: p.Type, Status: p.Status, Summary: p.Summary,
		Organisation: organisationDoc{
			ID: p.Organisation.ID, Name: p.Organisation.Name,
			Sector: p.Organisation.Sector, JobcentrePlusRun: p.Organisation.JobcentrePlusRun,
			PartnershipMembers: p.Organisation.PartnershipMembers, Scale: p.Organisation.Scale,
			Website: p.Organisation.Website, ContractStatus: p.Organisation.ContractStatus,
		},
		Coverage: coverageDoc{
			National: p.Coverage.National, Areas: p.Coverage.Areas, PostcodeDistricts: p.Coverage.PostcodeDistricts,
			RadiusKm: p.Coverage.RadiusKm, TravelsToClients: p.Coverage.TravelsToClients,
			TravelRadiusKm: p.Coverage.TravelRadiusKm,
		},
		DeliveryModes:        p.DeliveryModes,
		Specialisms:          p.Specialisms,
		ServesOnly:           p.ServesOnly,
		SevereConditions:     p.SevereConditions,
		ServiceModel:         p.ServiceModel,
		RegistrationApproach: p.RegistrationApproach,
		InWorkSupport: inWorkSupportDoc{
			Offered: p.InWorkSupport.Offered, Model: p.InWorkSupport.Model, Weeks: p.InWorkSupport.Weeks,
			EmployerMediation: p.InWorkSupport.EmployerMediation, Disclosure: p.InWorkSupport.Disclosure,
		},
		Capacity: capacityDoc{
			TakingNewClients: p.Capacity.TakingNewClients, WeeksToFirstAppointment: p.Capacity.WeeksToFirstAppointment,
		},
		Staffing: staffingDoc{
			AdviserModel: p.Staffing.AdviserModel, ContactFrequencyDays: p.Staffing.ContactFrequencyDays,
			CaseloadPerAdviser: p.Staffing.CaseloadPerAdviser,
		},
		Accessibility: p.Accessibility,
		Languages:     p.Languages,
		Contact: contactDoc{
			Phone: p.Contact.Phone, Freephone: p.Contact.Freephone, Textphone: p.Contact.Textphone,
			Email: p.Contact.Email, RegistrationByPost: p.Contact.RegistrationByPost,
		},
		Freshness: freshnessDoc{LastVerified: string(p.Freshness.LastVerified), VerifiedBy: p.Freshness.VerifiedBy},
		Version:   p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	if p.Sites != nil {
		r.Sites = make([]siteDoc, len(p.Sites))
		for i, s := range p.Sites {
			d := siteDoc{
				ID: s.ID, Name: s.Name, Kind: s.Kind,
				Address:       addressDoc{Lines: s.Address.Lines, Town: s.Address.Town, Postcode: s.Address.Postcode},
				JobcentreDays: s.JobcentreDays, Accessibility: s.Accessibility,
			}
			if s.Location != nil {
				d.Location = &latLonDoc{Lat: s.Location.Lat, Lon: s.Location.Lon}
			}
			if s.OpeningHours != nil {
				d.OpeningHours = make([]openingHoursDoc, len(s.OpeningHours))
				for j, h := range s.OpeningHours {
					d.OpeningHours[j] = openingHoursDoc{Day: h.Day, Opens: h.Opens, Closes: h.Closes}
				}
			}
			r.Sites[i] = d
		}
	}
	if p.Coverage.Polygons != nil {
		r.Coverage.Polygons = make([]polygonDoc, len(p.Coverage.Polygons))
		for i, pg := range p.Coverage.Polygons {
			r.Coverage.Polygons[i] = toPolygonDoc(pg)
		}
	}
	if p.Services != nil {
		r.Services = make([]serviceDoc, len(p.Services))
		for i, s := range p.Services {
			r.Services[i] = serviceDoc{Code: s.Code, Provision: s.Provision, Partner: s.Partner, Note: s.Note}
		}
	}
	if p.OutOfScope != nil {
		r.OutOfScope = make([]signpostDoc, len(p.OutOfScope))
		for i, s := range p.OutOfScope {
			r.OutOfScope[i] = signpostDoc{Need: s.Need, To: s.To}
		}
	}
	if p.Incentives != nil {
		r.Incentives = make([]incentiveDoc, len(p.Incentives))
		for i, in := range p.Incentives {
			r.Incentives[i] = incentiveDoc{
				Kind: in.Kind, Recipient: in.Recipient, AmountPence: in.AmountPence,
				Trigger: in.Trigger, Discretionary: in.Discretionary,
			}
		}
	}
	if pf := p.Performance; pf != nil {
		r.Performance = &performanceDoc{
			PeriodStart: string(pf.PeriodStart), PeriodEnd: string(pf.PeriodEnd),
			Registrations: pf.Registrations, JobEntries: pf.JobEntries, SustainedJobs: pf.SustainedJobs,
			SustainedWeeks: pf.SustainedWeeks, LongTermClaimantPercent: pf.LongTermClaimantPercent, Note: pf.Note,
		}
	}
	return r
}

func toPolygonDoc(pg directory.Polygon) polygonDoc {
	d := polygonDoc{Type: pg.Type, Rings: make([]ringDoc, len(pg.Coordinates))}
	for i, ring := range pg.Coordinates {
		pts := make([]pointDoc, len(ring))
		for j, pos := range ring {
			pts[j] = pointDoc{Lon: pos[0], Lat: pos[1]}
		}
		d.Rings[i] = ringDoc{Points: pts}
	}
	return d
}

// fromProviderRecord converts a stored record to the domain's. Slices of
// strings are shared with r, which the caller drops.
func fromProviderRecord(r *providerRecord) directory.Provider {
	p := directory.Provider{
		ID: r.ID, Name: r.Name, Type: r.Type, Status: r.Status, Summary: r.Summary,
		Organisation: directory.Organisation{
			ID: r.Organisation.ID, Name: r.Organisation.Name,
			Sector: r.Organisation.Sector, JobcentrePlusRun: r.Organisation.JobcentrePlusRun,
			PartnershipMembers: r.Organisation.PartnershipMembers, Scale: r.Organisation.Scale,
			Website: r.Organisation.Website, ContractStatus: r.Organisation.ContractStatus,
		},
		Coverage: directory.Coverage{
			National: r.Coverage.National, Areas: r.Coverage.Areas, PostcodeDistricts: r.Coverage.PostcodeDistricts,
			RadiusKm: r.Coverage.RadiusKm, TravelsToClients: r.Coverage.TravelsToClients,
			TravelRadiusKm: r.Coverage.TravelRadiusKm,
		},
		DeliveryModes:        r.DeliveryModes,
		Specialisms:          r.Specialisms,
		ServesOnly:           r.ServesOnly,
		SevereConditions:     r.SevereConditions,
		ServiceModel:         r.ServiceModel,
		RegistrationApproach: r.RegistrationApproach,
		InWorkSupport: directory.InWorkSupport{
			Offered: r.InWorkSupport.Offered, Model: r.InWorkSupport.Model, Weeks: r.InWorkSupport.Weeks,
			EmployerMediation: r.InWorkSupport.EmployerMediation, Disclosure: r.InWorkSupport.Disclosure,
		},
		Capacity: directory.Capacity{
			TakingNewClients: r.Capacity.TakingNewClients, WeeksToFirstAppointment: r.Capacity.WeeksToFirstAppointment,
		},
		Staffing: directory.Staffing{
			AdviserModel: r.Staffing.AdviserModel, ContactFrequencyDays: r.Staffing.ContactFrequencyDays,
			CaseloadPerAdviser: r.Staffing.CaseloadPerAdviser,
		},
		Accessibility: r.Accessibility,
		Languages:     r.Languages,
		Contact: directory.Contact{
			Phone: r.Contact.Phone, Freephone: r.Contact.Freephone, Textphone: r.Contact.Textphone,
			Email: r.Contact.Email, RegistrationByPost: r.Contact.RegistrationByPost,
		},
		Freshness: directory.Freshness{LastVerified: directory.Date(r.Freshness.LastVerified), VerifiedBy: r.Freshness.VerifiedBy},
		Version:   r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.Sites != nil {
		p.Sites = make([]directory.Site, len(r.Sites))
		for i := range r.Sites {
			d := &r.Sites[i]
			s := directory.Site{
				ID: d.ID, Name: d.Name, Kind: d.Kind,
				Address:       directory.Address{Lines: d.Address.Lines, Town: d.Address.Town, Postcode: d.Address.Postcode},
				JobcentreDays: d.JobcentreDays, Accessibility: d.Accessibility,
			}
			if d.Location != nil {
				s.Location = &directory.LatLon{Lat: d.Location.Lat, Lon: d.Location.Lon}
			}
			if d.OpeningHours != nil {
				s.OpeningHours = make([]directory.OpeningHours, len(d.OpeningHours))
				for j, h := range d.OpeningHours {
					s.OpeningHours[j] = directory.OpeningHours{Day: h.Day, Opens: h.Opens, Closes: h.Closes}
				}
			}
			p.Sites[i] = s
		}
	}
	if r.Coverage.Polygons != nil {
		p.Coverage.Polygons = make([]directory.Polygon, len(r.Coverage.Polygons))
		for i := range r.Coverage.Polygons {
			p.Coverage.Polygons[i] = fromPolygonDoc(&r.Coverage.Polygons[i])
		}
	}
	if r.Services != nil {
		p.Services = make([]directory.Service, len(r.Services))
		for i, s := range r.Services {
			p.Services[i] = directory.Service{Code: s.Code, Provision: s.Provision, Partner: s.Partner, Note: s.Note}
		}
	}
	if r.OutOfScope != nil {
		p.OutOfScope = make([]directory.Signpost, len(r.OutOfScope))
		for i, s := range r.OutOfScope {
			p.OutOfScope[i] = directory.Signpost{Need: s.Need, To: s.To}
		}
	}
	if r.Incentives != nil {
		p.Incentives = make([]directory.Incentive, len(r.Incentives))
		for i, in := range r.Incentives {
			p.Incentives[i] = directory.Incentive{
				Kind: in.Kind, Recipient: in.Recipient, AmountPence: in.AmountPence,
				Trigger: in.Trigger, Discretionary: in.Discretionary,
			}
		}
	}
	if pf := r.Performance; pf != nil {
		p.Performance = &directory.Performance{
			PeriodStart: directory.Date(pf.PeriodStart), PeriodEnd: directory.Date(pf.PeriodEnd),
			Registrations: pf.Registrations, JobEntries: pf.JobEntries, SustainedJobs: pf.SustainedJobs,
			SustainedWeeks: pf.SustainedWeeks, LongTermClaimantPercent: pf.LongTermClaimantPercent, Note: pf.Note,
		}
	}
	return p
}

// fromPolygonDoc reads a polygon stored with rings, or in GeoJSON's shape.
func fromPolygonDoc(d *polygonDoc) directory.Polygon {
	if d.Rings == nil && d.Coordinates != nil {
		return directory.Polygon{Type: d.Type, Coordinates: d.Coordinates}
	}
	pg := directory.Polygon{Type: d.Type, Coordinates: make([][][2]float64, len(d.Rings))}
	for i, ring := range d.Rings {
		pos := make([][2]float64, len(ring.Points))
		for j, pt := range ring.Points {
			pos[j] = [2]float64{pt.Lon, pt.Lat}
		}
		pg.Coordinates[i] = pos
	}
	return pg
}
