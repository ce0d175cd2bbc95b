package directory

import (
	"fmt"
	"math"
	"strings"
)

// Needs is what a client chooses to say about themselves when looking for a
// provider (DOMAIN.md, "What a client brings"). Every part is optional: the
// client decides what to share. Needs are health data, so they travel only in
// request bodies and are stored only inside a referral made with consent.
type Needs struct {
	// HealthConditions are specialism codes (vocabulary specialisms).
	HealthConditions []string `json:"health_conditions,omitempty"`
	// SevereOrFluctuating is true for a severe and enduring or fluctuating
	// condition (report §3.2.1, §4.4.2).
	SevereOrFluctuating bool `json:"severe_or_fluctuating,omitempty"`
	// DistanceFromWork is close, middle or far (the report's three
	// vignettes, Appendix C).
	DistanceFromWork string `json:"distance_from_work,omitempty"`
	// UnsureOfWorkGoal is true when the client does not yet know what work
	// to aim for, or cannot go back to their old kind of work.
	UnsureOfWorkGoal bool `json:"unsure_of_work_goal,omitempty"`
	// JobSearchStage is not_started, searching, job_lined_up or in_work
	// (already in a job and needing help to keep it, §5.6.2).
	JobSearchStage string `json:"job_search_stage,omitempty"`
	// Support are service codes the client wants (vocabulary services).
	Support []string `json:"support,omitempty"`
	// ContactPreferences are delivery modes the client would like
	// (vocabulary delivery_modes).
	ContactPreferences []string `json:"contact_preferences,omitempty"`
	// AvoidJobcentre is true when the client does not want to meet at the
	// Jobcentre.
	AvoidJobcentre bool `json:"avoid_jobcentre,omitempty"`
	// AvoidGroups is true when group sessions are not acceptable.
	AvoidGroups bool `json:"avoid_groups,omitempty"`
	// Hours is full_time, part_time, school_hours, permitted_work or
	// gradual.
	Hours string `json:"hours,omitempty"`
	// WorkKind are kinds of work wanted (vocabulary work_kinds).
	WorkKind []string `json:"work_kind,omitempty"`
	// MoneyHelp are money worries (vocabulary money_help).
	MoneyHelp []string `json:"money_help,omitempty"`
	// InWorkSupport is true when the client wants support once in work.
	InWorkSupport bool `json:"in_work_support,omitempty"`
	// EmployerMayKnow, when set to false, means the client does not want the
	// employer told about their condition.
	EmployerMayKnow *bool `json:"employer_may_know,omitempty"`
	// Languages the client would like to speak (vocabulary languages).
	Languages []string `json:"languages,omitempty"`
	// Accessibility needs (vocabulary accessibility).
	Accessibility []string `json:"accessibility,omitempty"`
	// Travel is car, public_transport or none.
	Travel string `json:"travel,omitempty"`
	// MaxTravelKm is how far the client can travel to meet in person. When
	// set, providers they could meet only further away are left out.
	MaxTravelKm float64 `json:"max_travel_km,omitempty"`
	// NamedAdviser is true when the client wants one adviser who stays
	// with them throughout (§3.4.2, §4.4.1: clients handed from one
	// member of staff to another lost touch).
	NamedAdviser bool `json:"named_adviser,omitempty"`
	// RegularContact is true when the client wants contact at least
	// every two weeks.
	RegularContact bool `json:"regular_contact,omitempty"`
	// Age50Plus is true for a client aged 50 or over (§4.4.3: older
	// clients facing repeated rejection were helped by brokers that work
	// with employers).
	Age50Plus bool `json:"age_50_plus,omitempty"`
	// EmployerIncentives is true when the client wants a provider that
	// offers employers a wage or training subsidy.
	EmployerIncentives bool `json:"employer_incentives,omitempty"`
	// EmployerMediation is true when the client wants the provider to
	// talk to their employer, for example about changed hours (§5.6.2).
	EmployerMediation bool `json:"employer_mediation,omitempty"`
	// CaringResponsibilities is true for a lone parent or carer (§5.2.2):
	// work fitting school hours, help with childcare costs and tax-credit
	// advice.
	CaringResponsibilities bool `json:"caring_responsibilities,omitempty"`
}

// MaxTravelKmLimit caps MaxTravelKm.
const MaxTravelKmLimit = 300

// Codes of the needs vocabularies.
const (
	DistanceClose  = "close"
	DistanceMiddle = "middle"
	DistanceFar    = "far"

	StageNotStarted = "not_started"
	StageSearching  = "searching"
	StageLinedUp    = "job_lined_up"
	StageInWork     = "in_work"

	HoursFullTime      = "full_time"
	HoursPartTime      = "part_time"
	HoursSchool        = "school_hours"
	HoursPermittedWork = "permitted_work"
	HoursGradual       = "gradual"

	WorkEmployee       = "employee"
	WorkVoluntaryFirst = "voluntary_first"
	WorkSelfEmployed   = "self_employed"
	WorkHomeBased      = "home_based"
	WorkProfessional   = "professional"

	MoneyWillWorkPay = "will_work_pay"
	MoneyDebt        = "debt"
	MoneyCosts       = "help_with_costs"
	MoneyPermitted   = "permitted_work_ending"

	TravelCar             = "car"
	TravelPublicTransport = "public_transport"
	TravelNone            = "none"
)

// Vocabulary names for client needs.
const (
	VocabDistanceFromWork = "distance_from_work"
	VocabJobSearchStages  = "job_search_stages"
	VocabHours            = "hours"
	VocabWorkKinds        = "work_kinds"
	VocabMoneyHelp        = "money_help"
	VocabTravel           = "travel"
	// VocabYesNoNeeds lists the needs said with yes or no: each code is
	// the name of a true-or-false field of needs.
	VocabYesNoNeeds = "yes_no_needs"
)

var needsVocabularies = []Vocabulary{
	{Name: VocabDistanceFromWork, Description: "How close the client feels to working (the three situations in the research).", Terms: []Term{
		{DistanceClose, "Ready to work soon", "Worked recently, knows what they want, ready to apply."},
		{DistanceMiddle, "Some way off", "Needs time, confidence or a new direction first."},
		{DistanceFar, "A long way off", "Out of work a long time, or worried whether work is possible."},
	}},
	{Name: VocabJobSearchStages, Description: "Where the client is with looking for work.", Terms: []Term{
		{StageNotStarted, "Not started looking", ""},
		{StageSearching, "Looking, without success so far", ""},
		{StageLinedUp, "Interview or job lined up", "Needs help now to take it up."},
		{StageInWork, "Already in work", "Needs help to keep a job, for example when the employer changes the hours."},
	}},
	{Name: VocabHours, Description: "Hours of work wanted.", Terms: []Term{
		{HoursFullTime, "Full time", ""},
		{HoursPartTime, "Part time", ""},
		{HoursSchool, "During school hours", "Part-time work that fits around school hours."},
		{HoursPermittedWork, "A few hours (Permitted Work)", "Paid work of a few hours a week while on benefits."},
		{HoursGradual, "Build up gradually", "Start with a few hours and increase."},
	}},
	{Name: VocabWorkKinds, Description: "Kinds of work wanted.", Terms: []Term{
		{WorkEmployee, "A job with an employer", ""},
		{WorkVoluntaryFirst, "Voluntary work first", ""},
		{WorkSelfEmployed, "Self-employment", "Working for yourself or starting a business."},
		{WorkHomeBased, "Working from home", ""},
		{WorkProfessional, "Professional or skilled work", "Returning to a professional or skilled level."},
	}},
	{Name: VocabMoneyHelp, Description: "Money worries the client wants help with.", Terms: []Term{
		{MoneyWillWorkPay, "Finding out if you would be better off in work", "A better-off calculation: your money in work compared with benefits."},
		{MoneyDebt, "Debts", ""},
		{MoneyCosts, "Help with the costs of interviews or starting work", "Travel, clothes or equipment for interviews and starting work."},
		{MoneyPermitted, "Permitted Work ending", ""},
	}},
	{Name: VocabTravel, Description: "How the client can get about.", Terms: []Term{
		{TravelCar, "By car", ""},
		{TravelPublicTransport, "By public transport", ""},
		{TravelNone, "Hard to travel", "No car and little public transport, or travel is difficult."},
	}},
	{Name: VocabYesNoNeeds, Description: "Needs a client says with yes or no: each code is a true-or-false field of needs.", Terms: []Term{
		{"severe_or_fluctuating", "A severe, long-term or fluctuating condition", ""},
		{"unsure_of_work_goal", "Not sure what work to aim for", "Including if you cannot go back to your old kind of work."},
		{"avoid_jobcentre", "Not at the Jobcentre", "You would rather not meet at a Jobcentre."},
		{"avoid_groups", "No group sessions", "You want one-to-one help."},
		{"in_work_support", "Support after starting a job", "Someone to help if things get difficult at work."},
		{"named_adviser", "The same adviser throughout", "One named adviser who stays with you, not a hand-over between staff."},
		{"regular_contact", "Contact at least every two weeks", ""},
		{"age_50_plus", "Aged 50 or over", "Help from a provider that works with employers, for people facing repeated rejection."},
		{"employer_incentives", "Money for employers who take you on", "A wage or training subsidy the provider offers employers."},
		{"employer_mediation", "Someone to talk to your employer", "For example when your employer changes your hours."},
		{"caring_responsibilities", "Caring for children or someone else", "Work fitting school hours, help with childcare costs and tax-credit advice."},
	}},
}

// Normalize trims and de-duplicates the codes in place.
func (n *Needs) Normalize() {
	for _, list := range []*[]string{&n.HealthConditions, &n.Support, &n.ContactPreferences, &n.WorkKind, &n.MoneyHelp, &n.Languages, &n.Accessibility} {
		*list = dedupe(*list)
	}
	n.DistanceFromWork = strings.TrimSpace(n.DistanceFromWork)
	n.JobSearchStage = strings.TrimSpace(n.JobSearchStage)
	n.Hours = strings.TrimSpace(n.Hours)
	n.Travel = strings.TrimSpace(n.Travel)
}

// Validate checks every code and range, naming fields under prefix (such as
// "needs"). It returns a ValidationError listing all problems, or nil.
func (n *Needs) Validate(prefix string) error {
	var v problems
	f := func(name string) string { return prefix + "." + name }
	v.codes(f("health_conditions"), VocabSpecialisms, n.HealthConditions)
	v.code(f("distance_from_work"), VocabDistanceFromWork, n.DistanceFromWork, false)
	v.code(f("job_search_stage"), VocabJobSearchStages, n.JobSearchStage, false)
	v.codes(f("support"), VocabServices, n.Support)
	v.codes(f("contact_preferences"), VocabDeliveryModes, n.ContactPreferences)
	v.code(f("hours"), VocabHours, n.Hours, false)
	v.codes(f("work_kind"), VocabWorkKinds, n.WorkKind)
	v.codes(f("money_help"), VocabMoneyHelp, n.MoneyHelp)
	v.codes(f("languages"), VocabLanguages, n.Languages)
	v.codes(f("accessibility"), VocabAccessibility, n.Accessibility)
	v.code(f("travel"), VocabTravel, n.Travel, false)
	if math.IsNaN(n.MaxTravelKm) || n.MaxTravelKm < 0 || n.MaxTravelKm > MaxTravelKmLimit {
		v.add(f("max_travel_km"), "must be between 0 and %d", MaxTravelKmLimit)
	}
	return v.err()
}

// Stated reports whether the client said anything at all.
func (n *Needs) Stated() bool {
	return len(n.HealthConditions) > 0 || n.SevereOrFluctuating || n.DistanceFromWork != "" ||
		n.UnsureOfWorkGoal || n.JobSearchStage != "" || len(n.Support) > 0 ||
		len(n.ContactPreferences) > 0 || n.AvoidJobcentre || n.AvoidGroups || n.Hours != "" ||
		len(n.WorkKind) > 0 || len(n.MoneyHelp) > 0 || n.InWorkSupport || n.EmployerMayKnow != nil ||
		len(n.Languages) > 0 || len(n.Accessibility) > 0 || n.Travel != "" || n.MaxTravelKm > 0 ||
		n.NamedAdviser || n.RegularContact || n.Age50Plus || n.EmployerIncentives || n.EmployerMediation ||
		n.CaringResponsibilities
}

// CheckPoint validates a latitude and longitude inside the UK, naming the
// fields under prefix ("location"). It returns a ValidationError or nil.
func CheckPoint(prefix string, lat, lon float64) error {
	var v problems
	checkUKPoint(&v, prefix, lat, lon)
	return v.err()
}

// String describes the needs for debugging without health detail: only how
// many of each kind were stated.
func (n Needs) String() string {
	return fmt.Sprintf("needs{%d conditions, %d support, %d contact}", len(n.HealthConditions), len(n.Support), len(n.ContactPreferences))
}
