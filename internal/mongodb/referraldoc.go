package mongodb

import (
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// The stored shape of referrals and their events, under the names the
// domain types' json tags gave them before they had stored types
// (testdata/referral-v1.json, referral-event-v1.json), so renaming an API
// field never renames a stored one. Slices stay nil when nil (stored as
// null, as before) and are shared with the value converted, not copied.

type referralDoc struct {
	ID            string             `bson:"_id"`
	ReferralID    string             `bson:"id"`
	ProviderID    string             `bson:"provider_id"`
	Status        string             `bson:"status"`
	Client        clientDetailsDoc   `bson:"client"`
	Consent       consentDoc         `bson:"consent"`
	Note          string             `bson:"note,omitempty"`
	CreatedBy     string             `bson:"created_by"`
	CreatedByName string             `bson:"created_by_name"`
	Reason        string             `bson:"reason,omitempty"`
	Events        []referralEventRec `bson:"events"`
	ErasedAt      *time.Time         `bson:"erased_at,omitempty"`
	Version       int64              `bson:"version"`
	CreatedAt     time.Time          `bson:"created_at"`
	UpdatedAt     time.Time          `bson:"updated_at"`
}

type clientDetailsDoc struct {
	Name  string    `bson:"name,omitempty"`
	Phone string    `bson:"phone,omitempty"`
	Email string    `bson:"email,omitempty"`
	Needs *needsDoc `bson:"needs,omitempty"`
}

type needsDoc struct {
	HealthConditions    []string `bson:"health_conditions,omitempty"`
	SevereOrFluctuating bool     `bson:"severe_or_fluctuating,omitempty"`
	DistanceFromWork    string   `bson:"distance_from_work,omitempty"`
	UnsureOfWorkGoal    bool     `bson:"unsure_of_work_goal,omitempty"`
	JobSearchStage      string   `bson:"job_search_stage,omitempty"`
	Support             []string `bson:"support,omitempty"`
	ContactPreferences  []string `bson:"contact_preferences,omitempty"`
	AvoidJobcentre      bool     `bson:"avoid_jobcentre,omitempty"`
	AvoidGroups         bool     `bson:"avoid_groups,omitempty"`
	Hours               string   `bson:"hours,omitempty"`
	WorkKind            []string `bson:"work_kind,omitempty"`
	MoneyHelp           []string `bson:"money_help,omitempty"`
	InWorkSupport       bool     `bson:"in_work_support,omitempty"`
	EmployerMayKnow     *bool    `bson:"employer_may_know,omitempty"`
	Languages           []string `bson:"languages,omitempty"`
	Accessibility       []string `bson:"accessibility,omitempty"`
	Travel              string   `bson:"travel,omitempty"`
	MaxTravelKm         float64  `bson:"max_travel_km,omitempty"`
	NamedAdviser        bool     `bson:"named_adviser,omitempty"`
	RegularContact      bool     `bson:"regular_contact,omitempty"`
	Age50Plus           bool     `bson:"age_50_plus,omitempty"`
	EmployerIncentives  bool     `bson:"employer_incentives,omitempty"`
	EmployerMediation   bool     `bson:"employer_mediation,omitempty"`
	Caring              bool     `bson:"caring_responsibilities,omitempty"`
}

type consentDoc struct {
	GivenBy     string     `bson:"given_by"`
	GivenAt     time.Time  `bson:"given_at"`
	Shares      []string   `bson:"shares"`
	ProviderID  string     `bson:"provider_id"`
	WithdrawnAt *time.Time `bson:"withdrawn_at,omitempty"`
}

// referralEventRec is one event, as a referral's events array and the
// referral_events collection (inlined in referralEventDoc) store it.
type referralEventRec struct {
	Version    int64     `bson:"version"`
	Status     string    `bson:"status"`
	At         time.Time `bson:"at"`
	RecordedAt time.Time `bson:"recorded_at"`
	By         actorDoc  `bson:"by"`
	Reason     string    `bson:"reason,omitempty"`
	Erase      bool      `bson:"erase,omitempty"`
}

// referralEventDoc is a document of the referral_events collection.
type referralEventDoc struct {
	ID         string           `bson:"_id"`
	ReferralID string           `bson:"referral_id"`
	Event      referralEventRec `bson:",inline"`
}

func toReferralDoc(r *directory.Referral) referralDoc {
	d := referralDoc{
		ID: r.ID, ReferralID: r.ID, ProviderID: r.ProviderID, Status: string(r.Status),
		Client: clientDetailsDoc{Name: r.Client.Name, Phone: r.Client.Phone, Email: r.Client.Email, Needs: toNeedsDoc(r.Client.Needs)},
		Consent: consentDoc{
			GivenBy: r.Consent.GivenBy, GivenAt: r.Consent.GivenAt, Shares: r.Consent.Shares,
			ProviderID: r.Consent.ProviderID, WithdrawnAt: r.Consent.WithdrawnAt,
		},
		Note: r.Note, CreatedBy: r.CreatedBy, CreatedByName: r.CreatedByName, Reason: r.Reason,
		ErasedAt: r.ErasedAt, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.Events != nil {
		d.Events = make([]referralEventRec, len(r.Events))
		for i := range r.Events {
			d.Events[i] = toReferralEventRec(&r.Events[i])
		}
	}
	return d
}

func fromReferralDoc(d *referralDoc) directory.Referral {
	r := directory.Referral{
		ID: d.ReferralID, ProviderID: d.ProviderID, Status: directory.ReferralStatus(d.Status),
		Client: directory.ClientDetails{Name: d.Client.Name, Phone: d.Client.Phone, Email: d.Client.Email, Needs: fromNeedsDoc(d.Client.Needs)},
		Consent: directory.Consent{
			GivenBy: d.Consent.GivenBy, GivenAt: d.Consent.GivenAt, Shares: d.Consent.Shares,
			ProviderID: d.Consent.ProviderID, WithdrawnAt: d.Consent.WithdrawnAt,
		},
		Note: d.Note, CreatedBy: d.CreatedBy, CreatedByName: d.CreatedByName, Reason: d.Reason,
		ErasedAt: d.ErasedAt, Version: d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if d.Events != nil {
		r.Events = make([]directory.ReferralEvent, len(d.Events))
		for i := range d.Events {
			r.Events[i] = fromReferralEventRec(&d.Events[i])
		}
	}
	return r
}

func toNeedsDoc(n *directory.Needs) *needsDoc {
	if n == nil {
		return nil
	}
	return &needsDoc{
		HealthConditions: n.HealthConditions, SevereOrFluctuating: n.SevereOrFluctuating,
		DistanceFromWork: n.DistanceFromWork, UnsureOfWorkGoal: n.UnsureOfWorkGoal, JobSearchStage: n.JobSearchStage,
		Support: n.Support, ContactPreferences: n.ContactPreferences, AvoidJobcentre: n.AvoidJobcentre,
		AvoidGroups: n.AvoidGroups, Hours: n.Hours, WorkKind: n.WorkKind, MoneyHelp: n.MoneyHelp,
		InWorkSupport: n.InWorkSupport, EmployerMayKnow: n.EmployerMayKnow, Languages: n.Languages,
		Accessibility: n.Accessibility, Travel: n.Travel, MaxTravelKm: n.MaxTravelKm,
		NamedAdviser: n.NamedAdviser, RegularContact: n.RegularContact, Age50Plus: n.Age50Plus,
		EmployerIncentives: n.EmployerIncentives, EmployerMediation: n.EmployerMediation, Caring: n.CaringResponsibilities,
	}
}

func fromNeedsDoc(d *needsDoc) *directory.Needs {
	if d == nil {
		return nil
	}
	return &directory.Needs{
		HealthConditions: d.HealthConditions, SevereOrFluctuating: d.SevereOrFluctuating,
		DistanceFromWork: d.DistanceFromWork, UnsureOfWorkGoal: d.UnsureOfWorkGoal, JobSearchStage: d.JobSearchStage,
		Support: d.Support, ContactPreferences: d.ContactPreferences, AvoidJobcentre: d.AvoidJobcentre,
		AvoidGroups: d.AvoidGroups, Hours: d.Hours, WorkKind: d.WorkKind, MoneyHelp: d.MoneyHelp,
		InWorkSupport: d.InWorkSupport, EmployerMayKnow: d.EmployerMayKnow, Languages: d.Languages,
		Accessibility: d.Accessibility, Travel: d.Travel, MaxTravelKm: d.MaxTravelKm,
		NamedAdviser: d.NamedAdviser, RegularContact: d.RegularContact, Age50Plus: d.Age50Plus,
		EmployerIncentives: d.EmployerIncentives, EmployerMediation: d.EmployerMediation, CaringResponsibilities: d.Caring,
	}
}

func toReferralEventRec(e *directory.ReferralEvent) referralEventRec {
	return referralEventRec{
		Version: e.Version, Status: string(e.Status), At: e.At, RecordedAt: e.RecordedAt,
		By: *toActorDoc(&e.By), Reason: e.Reason, Erase: e.Erase,
	}
}

func fromReferralEventRec(d *referralEventRec) directory.ReferralEvent {
	return directory.ReferralEvent{
		Version: d.Version, Status: directory.ReferralStatus(d.Status), At: d.At, RecordedAt: d.RecordedAt,
		By: *fromActorDoc(&d.By), Reason: d.Reason, Erase: d.Erase,
	}
}

func toReferralEventDoc(referralID string, e *directory.ReferralEvent) referralEventDoc {
	return referralEventDoc{ID: revisionID(referralID, e.Version), ReferralID: referralID, Event: toReferralEventRec(e)}
}
