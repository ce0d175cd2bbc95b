package directory

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Term is one code in a controlled vocabulary, with a plain-English label and
// a short description for people choosing it.
type Term struct {
	Code        string `json:"code"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
}

// Vocabulary is a named list of terms. Codes are stable: they are stored in
// records and sent by clients, so a code is never renamed, only added.
type Vocabulary struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Terms       []Term `json:"terms"`
}

// Has reports whether code is one of the vocabulary's terms.
func (v Vocabulary) Has(code string) bool {
	return slices.ContainsFunc(v.Terms, func(t Term) bool { return t.Code == code })
}

// Label returns the plain-English label for code, or code itself when the
// vocabulary does not hold it.
func (v Vocabulary) Label(code string) string {
	for _, t := range v.Terms {
		if t.Code == code {
			return t.Label
		}
	}
	return code
}

// Codes returns every code of the vocabulary, in order.
func (v Vocabulary) Codes() []string {
	out := make([]string, len(v.Terms))
	for i, t := range v.Terms {
		out[i] = t.Code
	}
	return out
}

// Describe returns the description of code, or "" when there is none.
func (v Vocabulary) Describe(code string) string {
	for _, t := range v.Terms {
		if t.Code == code {
			return t.Description
		}
	}
	return ""
}

// Vocabulary names, as listed by GET /v1/vocabularies.
const (
	VocabProviderTypes          = "provider_types"
	VocabSectors                = "sectors"
	VocabScales                 = "scales"
	VocabContractStatuses       = "contract_statuses"
	VocabStatuses               = "statuses"
	VocabSiteKinds              = "site_kinds"
	VocabDeliveryModes          = "delivery_modes"
	VocabServices               = "services"
	VocabProvision              = "provision"
	VocabSpecialisms            = "specialisms"
	VocabServiceModels          = "service_models"
	VocabRegistrationApproaches = "registration_approaches"
	VocabOutOfScope             = "out_of_scope_needs"
	VocabIncentiveKinds         = "incentive_kinds"
	VocabIncentiveRecipients    = "incentive_recipients"
	VocabInWorkSupportModels    = "in_work_support_models"
	VocabDisclosurePolicies     = "disclosure_policies"
	VocabAdviserModels          = "adviser_models"
	VocabAccessibility          = "accessibility"
	VocabLanguages              = "languages"
	VocabDays                   = "days"
)

// Provider types: Job Brokers and the other provision advisers refer to
// (DOMAIN.md, "Other provision").
const (
	TypeJobBroker = "job_broker"
)

// Record statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusSuspended = "suspended"
	StatusEnded     = "ended"
)

// Delivery modes. Telephone and online are remote; the rest are in person.
const (
	ModeOffice     = "office"
	ModeJobcentre  = "jobcentre"
	ModeHomeVisits = "home_visits"
	ModeOutreach   = "outreach"
	ModeTelephone  = "telephone"
	ModeOnline     = "online"
	ModeGroups     = "group_sessions"
	ModeOneToOne   = "one_to_one"
)

// Site kinds.
const (
	SiteOffice    = "office"
	SiteJobcentre = "jobcentre"
	SiteCommunity = "community_venue"
	SiteRemote    = "remote"
)

// Contract statuses.
const (
	ContractActive         = "active"
	ContractNotRegistering = "not_taking_registrations"
	ContractEnded          = "ended"
)

// Registration approaches (report §2.3.3).
const (
	RegistrationAnyone       = "anyone_motivated"
	RegistrationWorksBefore  = "works_before_registering"
	RegistrationJobReadyOnly = "job_ready_only"
)

// vocabularies holds those describing records, then those describing a
// client's needs.
var vocabularies = append(recordVocabularies, needsVocabularies...)

var recordVocabularies = []Vocabulary{
	{Name: VocabProviderTypes, Description: "Kinds of provision. Job Brokers help people into work; the others are programmes and local services advisers also refer or signpost to.", Terms: []Term{
		{TypeJobBroker, "Job Broker", "Helps people find and keep paid work, with support before and after starting a job."},
		{"condition_management", "Condition Management Programme", "Helps people understand and manage a health condition so work becomes possible."},
		{"work_preparation", "Work Preparation", "Short, individual programme to build confidence and try out work."},
		{"workstep", "WORKSTEP", "Supported employment for people who need ongoing help in a job."},
		{"residential_training", "Residential Training College", "Residential vocational training for people who need it."},
		{"work_psychologist", "Work Psychologist", "Assessment and advice about work and health, usually reached through a Disability Employment Adviser."},
		{"access_to_work", "Access to Work", "Help with the extra costs of work because of a health condition, such as equipment or travel."},
		{"job_introduction_scheme", "Job Introduction Scheme", "A weekly grant to an employer for the first weeks of a new job."},
		{"programme_centre", "Programme Centre", "Job search workshops and courses."},
		{"progress2work", "Progress2work", "Help into work for people recovering from drug use."},
		{"training", "Training", "Courses in skills and qualifications, such as Work Based Learning for Adults."},
		{"in_work_support", "In-work support", "Help to stay in work after starting a job."},
		{"debt_advice", "Debt advice", "Free advice about debts and money."},
		{"drugs_alcohol", "Drugs and alcohol support", "Support with drug or alcohol use."},
		{"bereavement", "Bereavement support", "Support after someone has died."},
		{"housing", "Housing advice", "Help with housing problems and homelessness."},
	}},
	{Name: VocabSectors, Description: "Who runs the organisation.", Terms: []Term{
		{"public", "Public sector", "A council, NHS body, college or other public body."},
		{"private", "Private company", ""},
		{"voluntary", "Charity or voluntary organisation", ""},
	}},
	{Name: VocabScales, Description: "How widely the organisation works.", Terms: []Term{
		{"local", "Local", "One town or district."},
		{"regional", "Regional", "Several areas in one region."},
		{"national", "National", "Across Great Britain."},
	}},
	{Name: VocabContractStatuses, Description: "Whether the provider's contract lets it take new people.", Terms: []Term{
		{ContractActive, "Active", "Taking registrations."},
		{ContractNotRegistering, "Not taking registrations", "Still working with existing clients but not registering new ones."},
		{ContractEnded, "Ended", "The contract has ended."},
	}},
	{Name: VocabStatuses, Description: "Whether the record is shown.", Terms: []Term{
		{StatusDraft, "Draft", "Not shown to the public yet."},
		{StatusPublished, "Published", "Shown in search and matching."},
		{StatusSuspended, "Suspended", "Temporarily not shown in matching."},
		{StatusEnded, "Ended", "No longer provided. Kept for the record."},
	}},
	{Name: VocabSiteKinds, Description: "Kinds of place where a provider meets people.", Terms: []Term{
		{SiteOffice, "Office", "The provider's own office."},
		{SiteJobcentre, "Jobcentre", "A Jobcentre Plus office the provider uses on set days."},
		{SiteCommunity, "Community venue", "A library, community centre or similar outreach point."},
		{SiteRemote, "Remote", "No premises for clients: telephone, post or online."},
	}},
	{Name: VocabDeliveryModes, Description: "How you can meet or talk to the provider.", Terms: []Term{
		{ModeOffice, "At their office", "Meet face to face at the provider's own office."},
		{ModeJobcentre, "At the Jobcentre", "Meet at a Jobcentre on set days."},
		{ModeHomeVisits, "Home visits", "Staff come to your home."},
		{ModeOutreach, "Community venues", "Meet at a library, community centre or other local place."},
		{ModeTelephone, "By telephone", "Talk on the phone. Registration may be by post."},
		{ModeOnline, "Online", "Video calls, email or online learning."},
		{ModeGroups, "Group sessions", "Courses or groups with other people."},
		{ModeOneToOne, "One to one", "Meetings with one adviser on your own."},
	}},
	{Name: VocabServices, Description: "Help the provider gives, in house, through a partner or by referral.", Terms: []Term{
		{"vocational_guidance", "Working out what work would suit you", "Careers advice, including if you cannot go back to your old kind of work."},
		{"confidence_building", "Building confidence", "Courses, groups or one-to-one sessions to build confidence and motivation."},
		{"action_plan", "Action plan", "A written plan of steps towards work."},
		{"basic_skills_screening", "Reading, writing and numbers check", "A check of basic skills to find the right help."},
		{"basic_skills", "Reading, writing and numbers", "Help with literacy and numeracy."},
		{"it_training", "Computer skills", "Courses in using computers."},
		{"vocational_training", "Job skills training", "Training for a particular kind of work, including funded external courses."},
		{"work_placement", "Work placements and tasters", "Trying out a job for a short time."},
		{"voluntary_work", "Voluntary work", "Help finding voluntary work as a step towards paid work."},
		{"permitted_work", "Permitted Work", "Help doing a few hours of paid work while on benefits."},
		{"better_off_calculation", "Will work pay?", "A better-off calculation comparing benefits with pay."},
		{"benefits_advice", "Benefits and tax credits advice", "Advice on benefits, tax credits and moving into work."},
		{"job_search", "Job search", "Finding vacancies and applying."},
		{"cv_applications", "CVs and application forms", "Help writing a CV and filling in applications."},
		{"interview_practice", "Interview practice", "Practice interviews and tips."},
		{"interview_accompaniment", "Going with you to interviews", "A worker comes with you to an interview."},
		{"job_matching", "Job matching", "Finding a job that fits your skills and needs."},
		{"employer_liaison", "Talking to employers", "Contacting employers for you, including about adjustments."},
		{"self_employment", "Self-employment", "Help starting your own business."},
		{"home_working", "Working from home", "Help finding or setting up work from home."},
		{"jcp_programmes", "Access to other programmes", "Help getting Work Preparation, WORKSTEP or Access to Work."},
		{"job_coaching", "Job coaching", "A coach who supports you in the job itself."},
		{"condition_management", "Managing a health condition", "Help understanding and managing a condition alongside work."},
		{"debt_advice", "Debt advice", "Advice on debts and money problems."},
		{"drugs_alcohol_support", "Drugs and alcohol support", "Support with drug or alcohol use."},
		{"housing_advice", "Housing advice", "Help with housing."},
		{"professional_roles", "Professional and skilled jobs", "Help back into professional or skilled work, not only entry-level vacancies."},
	}},
	{Name: VocabProvision, Description: "Who delivers a service.", Terms: []Term{
		{"in_house", "By the provider", "The provider's own staff deliver it."},
		{"partner", "Through a partner", "A partner organisation delivers it."},
		{"referral", "By referral", "The provider refers you to another organisation for it."},
	}},
	{Name: VocabSpecialisms, Description: "Health conditions a provider specialises in (categories used by New Deal for Disabled People).", Terms: []Term{
		{"mental_health", "Mental health", "Including depression, anxiety and severe and enduring conditions."},
		{"back_neck", "Back or neck", ""},
		{"arms_hands", "Arms or hands", ""},
		{"legs_feet", "Legs or feet", ""},
		{"heart_circulation", "Heart, blood pressure or circulation", ""},
		{"sight", "Sight loss", ""},
		{"hearing", "Hearing loss", "Including Deaf people who use BSL."},
		{"epilepsy", "Epilepsy", ""},
		{"progressive_illness", "Progressive illness", "Such as MS or cancer."},
		{"learning_difficulties", "Learning difficulties", ""},
		{"autism", "Autism", "Including Asperger's and other neurodivergent conditions."},
		{"drugs_alcohol", "Drug or alcohol use", "Including people in recovery."},
		{"chest_breathing", "Chest or breathing", ""},
		{"diabetes", "Diabetes", ""},
		{"skin", "Skin conditions or allergies", ""},
		{"digestion", "Stomach, liver, kidney or digestion", ""},
		{"other", "Other conditions", ""},
	}},
	{Name: VocabServiceModels, Description: "How much help the provider gives (report §3.2.2).", Terms: []Term{
		{"immediate_barriers", "Quick help into work", "Deals with immediate barriers for people close to work."},
		{"broad_confidence", "Broad support", "Wide-ranging help including structured confidence building."},
		{"intensive_supported", "Intensive support", "Intensive or supported employment for people further from work."},
	}},
	{Name: VocabRegistrationApproaches, Description: "Who the provider registers (report §2.3.3).", Terms: []Term{
		{RegistrationAnyone, "Anyone who wants to work", "Registers anyone motivated to work."},
		{RegistrationWorksBefore, "Works with you first", "Works with people before registering them."},
		{RegistrationJobReadyOnly, "Only people close to work", "Registers only people likely to be in work within about six months."},
	}},
	{Name: VocabOutOfScope, Description: "Needs a provider does not deal with itself and signposts elsewhere.", Terms: []Term{
		{"mental_health_treatment", "Mental health treatment", ""},
		{"drugs_alcohol", "Drugs and alcohol", ""},
		{"housing", "Housing", ""},
		{"debt", "Debt", ""},
		{"bereavement", "Bereavement", ""},
		{"caring", "Caring responsibilities", ""},
	}},
	{Name: VocabIncentiveKinds, Description: "Financial help a provider may give (report §2.3.3, §5.3).", Terms: []Term{
		{"job_entry_payment", "Payment when you start work", ""},
		{"thirteen_week_payment", "Payment after 13 weeks in work", ""},
		{"bridging_payment", "Money until your first wage", ""},
		{"travel_costs", "Travel costs", "For interviews, training or the first weeks of work."},
		{"clothing_equipment", "Clothes and equipment", "For interviews or starting work."},
		{"training_fees", "Training fees", ""},
		{"childcare_costs", "Childcare costs", ""},
		{"employer_wage_subsidy", "Wage subsidy to the employer", ""},
		{"employer_training_subsidy", "Training subsidy to the employer", ""},
	}},
	{Name: VocabIncentiveRecipients, Description: "Who receives the money.", Terms: []Term{
		{"client", "You", ""},
		{"employer", "Your employer", ""},
	}},
	{Name: VocabInWorkSupportModels, Description: "How the provider supports people once they are in work (report §5.7).", Terms: []Term{
		{"job_coaching", "Job coaching", "Supported employment: a coach helps in the job itself."},
		{"scheduled_contact", "Regular check-ins", "The provider contacts you on a schedule."},
		{"reactive", "Help when you ask", "Support if you get in touch."},
	}},
	{Name: VocabDisclosurePolicies, Description: "Whether your employer has to know about your condition.", Terms: []Term{
		{"client_decides", "You decide", "The provider can support you without telling your employer."},
		{"employer_must_know", "Employer must know", "In-work support means the provider talks to your employer about your condition."},
	}},
	{Name: VocabAdviserModels, Description: "Who you deal with.", Terms: []Term{
		{"named_adviser", "One named adviser throughout", ""},
		{"specialist_team", "A team of specialists", "Different staff for different stages."},
	}},
	{Name: VocabAccessibility, Description: "Access and communication support.", Terms: []Term{
		{"step_free", "Step-free access", ""},
		{"accessible_toilet", "Accessible toilet", ""},
		{"public_transport", "Near public transport", ""},
		{"parking", "Parking", ""},
		{"hearing_loop", "Hearing loop", ""},
		{"bsl", "British Sign Language", ""},
		{"easy_read", "Easy read information", ""},
		{"large_print", "Large print", ""},
		{"braille", "Braille", ""},
		{"textphone", "Textphone or text relay", ""},
		{"interpreters", "Interpreters", "Spoken language interpreters can be arranged."},
		{"quiet_space", "Quiet space", ""},
	}},
	{Name: VocabLanguages, Description: "Languages staff speak (ISO 639-1 codes).", Terms: []Term{
		{"en", "English", ""}, {"cy", "Welsh", ""}, {"gd", "Scottish Gaelic", ""},
		{"ar", "Arabic", ""}, {"bn", "Bengali", ""}, {"fa", "Persian", ""},
		{"gu", "Gujarati", ""}, {"hi", "Hindi", ""}, {"ku", "Kurdish", ""},
		{"pa", "Punjabi", ""}, {"pl", "Polish", ""}, {"pt", "Portuguese", ""},
		{"ro", "Romanian", ""}, {"so", "Somali", ""}, {"ti", "Tigrinya", ""},
		{"tr", "Turkish", ""}, {"ur", "Urdu", ""}, {"zh", "Chinese", ""},
	}},
	{Name: VocabDays, Description: "Days of the week.", Terms: []Term{
		{"mon", "Monday", ""}, {"tue", "Tuesday", ""}, {"wed", "Wednesday", ""},
		{"thu", "Thursday", ""}, {"fri", "Friday", ""}, {"sat", "Saturday", ""}, {"sun", "Sunday", ""},
	}},
}

var vocabularyByName = func() map[string]Vocabulary {
	m := make(map[string]Vocabulary, len(vocabularies))
	for _, v := range vocabularies {
		m[v.Name] = v
	}
	return m
}()

// Vocabularies returns every controlled vocabulary. The result is a copy the
// caller may keep.
func Vocabularies() []Vocabulary {
	out := make([]Vocabulary, len(vocabularies))
	for i, v := range vocabularies {
		v.Terms = slices.Clone(v.Terms)
		out[i] = v
	}
	return out
}

// LookupVocabulary returns the vocabulary with the given name.
func LookupVocabulary(name string) (Vocabulary, bool) {
	v, ok := vocabularyByName[name]
	return v, ok
}

// MustVocabulary returns the named vocabulary and panics if there is none; for
// names that are constants in this package.
func MustVocabulary(name string) Vocabulary {
	v, ok := vocabularyByName[name]
	if !ok {
		panic("directory: no vocabulary " + name)
	}
	return v
}

// LowerFirst lowers the first letter of s, for a label or sentence joined
// into the middle of another ("Does not say it offers job coaching"). A
// word in capitals ("CV", "NHS") and a first character with no lower case
// ("£50", "12 weeks") are left as they are.
func LowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	if next, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
