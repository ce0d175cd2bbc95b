package match

import (
	"fmt"
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// level is how well a provider meets one stated need.
type level uint8

const (
	notMet level = iota
	partlyMet
	met
)

// cand is one candidate during a match: its profile and where it is
// relative to the client.
type cand struct {
	slot    int32
	at      int32 // the nearest located site, in pr.sites
	pr      *Profile
	from    *origin // where the client is
	km      float64 // distance to the nearest located site, once known
	kmKnown bool
	hasSite bool
	visits  bool // staff can come to the client
	score   int
	open    bool    // taking new clients
	band    uint8   // distance band (bands), 0 when not used
	near    float64 // squared chord to the nearest site, for sort by distance; +Inf with none
	tie     uint64
}

// dist returns the distance to the nearest located site. It is worked out
// the first time it is asked for: most candidates of a match are ranked
// by criteria that need no distance, and never shown.
func (c *cand) dist() float64 {
	if !c.kmKnown {
		c.km, c.kmKnown = c.from.km(c.pr.point(int(c.at))), true
	}
	return c.km
}

// criterion scores one stated need. eval returns the level and, when
// explain is set, a short plain-English sentence for the client. eval runs
// for every candidate of every match, so sentences with values are built
// only after an explicit !explain return: passing values to fmt.Sprintf
// boxes them on the heap even when the sentence is thrown away.
type criterion struct {
	weight int
	eval   func(c *cand, explain bool) (level, string)
}

// criteria compiles the client's needs into the list of things to score. The
// weights depend only on the needs, never on a provider, so a provider that
// meets one more need always scores higher (monotonicity), and the same needs
// weigh the same for everyone (neutrality).
func criteria(n *directory.Needs) []criterion {
	var cs []criterion
	add := func(w int, f func(c *cand, explain bool) (level, string)) {
		cs = append(cs, criterion{weight: w, eval: f})
	}
	specs := directory.MustVocabulary(directory.VocabSpecialisms)
	for _, code := range n.HealthConditions {
		bit, label := specialismBits[code], strings.ToLower(specs.Label(code))
		add(3, func(c *cand, explain bool) (level, string) {
			switch {
			case c.pr.specialisms&bit != 0:
				if !explain {
					return met, ""
				}
				return met, fmt.Sprintf("Specialises in %s", label)
			case c.pr.specialisms == 0:
				if !explain {
					return partlyMet, ""
				}
				return partlyMet, fmt.Sprintf("Works with all health conditions but does not specialise in %s", label)
			}
			if !explain {
				return notMet, ""
			}
			return notMet, fmt.Sprintf("Does not specialise in %s", label)
		})
	}
	if n.SevereOrFluctuating {
		add(2, func(c *cand, explain bool) (level, string) {
			switch {
			case c.pr.severe:
				return met, "Experienced with severe, long-term or fluctuating conditions"
			case c.pr.serviceModel == "intensive_supported":
				return partlyMet, "Gives intensive support, though not specifically for severe or fluctuating conditions"
			}
			return notMet, "Does not say it works with severe or fluctuating conditions"
		})
	}
	if n.DistanceFromWork != "" {
		add(3, distanceFromWork(n.DistanceFromWork))
	}
	if n.UnsureOfWorkGoal {
		add(2, service("vocational_guidance", "help working out what kind of work would suit you"))
	}
	switch n.JobSearchStage {
	case directory.StageNotStarted:
		add(2, anyService("Helps you plan first steps towards work", "action_plan", "vocational_guidance", "confidence_building"))
	case directory.StageSearching:
		add(2, anyService("Helps with job search, CVs and applications", "job_search", "cv_applications", "job_matching"))
	case directory.StageLinedUp:
		add(2, anyService("Helps you prepare for an interview or starting a job", "interview_practice", "interview_accompaniment"))
		add(1, func(c *cand, explain bool) (level, string) {
			w := c.pr.weeksToFirst
			switch {
			case c.pr.takingNew && w <= 1:
				return met, "Can usually see you within a week"
			case c.pr.takingNew && w <= 3:
				if !explain {
					return partlyMet, ""
				}
				return partlyMet, fmt.Sprintf("First appointment usually within %d weeks", w)
			}
			return notMet, "May not be able to see you quickly"
		})
	}
	if n.JobSearchStage == directory.StageInWork {
		add(2, func(c *cand, explain bool) (level, string) {
			switch c.pr.inWorkModel {
			case "job_coaching", "scheduled_contact":
				return met, "Supports people who are already in work"
			case "reactive":
				return partlyMet, "Supports people in work, but only when they ask"
			}
			return notMet, "Does not support people who are already in work"
		})
	}
	services := directory.MustVocabulary(directory.VocabServices)
	for _, code := range n.Support {
		add(2, service(code, services.Label(code)))
	}
	for _, mode := range n.ContactPreferences {
		add(2, contactMode(mode))
	}
	if n.AvoidJobcentre {
		add(2, func(c *cand, explain bool) (level, string) {
			other := c.pr.modes &^ modeBits[directory.ModeJobcentre] & (inPersonModes | remoteModes)
			switch {
			case c.pr.modes&modeBits[directory.ModeJobcentre] == 0:
				return met, "Does not meet at the Jobcentre"
			case other != 0:
				return met, "Can meet you somewhere other than the Jobcentre"
			}
			return notMet, "Meets clients only at the Jobcentre: you asked not to"
		})
	}
	if n.AvoidGroups {
		add(1, func(c *cand, explain bool) (level, string) {
			if c.pr.groupBased() {
				return notMet, "Works mainly in groups: you asked for one-to-one help"
			}
			return met, "Offers one-to-one help"
		})
	}
	switch n.Hours {
	case directory.HoursPermittedWork:
		add(1, service("permitted_work", "help with Permitted Work"))
	case directory.HoursGradual:
		add(1, anyService("Can help you build up your hours gradually", "permitted_work", "work_placement", "voluntary_work"))
	case directory.HoursPartTime, directory.HoursFullTime:
		add(1, anyService("Helps find jobs that fit the hours you want", "job_matching", "employer_liaison"))
	case directory.HoursSchool:
		add(1, anyService("Helps find part-time jobs that fit around school hours", "job_matching", "employer_liaison"))
	}
	for _, kind := range n.WorkKind {
		add(2, workKind(kind))
	}
	for _, money := range n.MoneyHelp {
		add(2, moneyHelp(money))
	}
	if n.InWorkSupport {
		add(2, func(c *cand, explain bool) (level, string) {
			weeks := c.pr.inWorkWeeks
			switch c.pr.inWorkModel {
			case "job_coaching":
				if !explain {
					return met, ""
				}
				return met, fmt.Sprintf("Job coaching once you start work%s", forWeeks(weeks))
			case "scheduled_contact":
				if !explain {
					return met, ""
				}
				return met, fmt.Sprintf("Keeps in touch regularly once you start work%s", forWeeks(weeks))
			case "reactive":
				return partlyMet, "Support in work only when you ask for it"
			}
			return notMet, "No support once you are in work"
		})
	}
	if n.EmployerMayKnow != nil && !*n.EmployerMayKnow {
		add(2, func(c *cand, explain bool) (level, string) {
			switch c.pr.disclosure {
			case "client_decides":
				return met, "You decide whether your employer is told about your condition"
			case "employer_must_know":
				return notMet, "In-work support means talking to your employer about your condition"
			}
			if c.pr.inWorkModel == "" {
				return met, "No in-work support, so nobody contacts your employer"
			}
			return partlyMet, "Does not say whether your employer must be told about your condition"
		})
	}
	if n.EmployerMediation {
		add(2, func(c *cand, explain bool) (level, string) {
			switch {
			case c.pr.mediation:
				return met, "Will talk to your employer for you once you are in work"
			case c.pr.services&serviceBits["employer_liaison"] != 0:
				return partlyMet, "Talks to employers, but does not say it will once you are in work"
			}
			return notMet, "Does not say it will talk to your employer"
		})
	}
	if n.NamedAdviser {
		add(2, func(c *cand, explain bool) (level, string) {
			switch c.pr.adviserModel {
			case "named_adviser":
				return met, "One named adviser stays with you throughout"
			case "specialist_team":
				return notMet, "Different staff deal with you at different stages"
			}
			return notMet, "Does not say whether you keep the same adviser"
		})
	}
	if n.RegularContact {
		add(2, func(c *cand, explain bool) (level, string) {
			d := c.pr.contactDays
			switch {
			case d > 0 && d <= 14:
				if !explain {
					return met, ""
				}
				return met, fmt.Sprintf("Keeps in touch at least every two weeks (about every %d days)", d)
			case d > 0:
				if !explain {
					return notMet, ""
				}
				return notMet, fmt.Sprintf("Keeps in touch about every %d days, less often than every two weeks", d)
			}
			return notMet, "Does not say how often it keeps in touch"
		})
	}
	if n.Age50Plus {
		// Older clients facing repeated rejection were helped by
		// brokers that talk to employers and offer them subsidies
		// (report §4.4.3).
		liaison := serviceBits["employer_liaison"]
		add(2, func(c *cand, explain bool) (level, string) {
			talks, pays := c.pr.services&liaison != 0, c.pr.employerPay&employerIncentives != 0
			switch {
			case talks && pays:
				return met, "Works with employers and offers them a subsidy to take people on"
			case talks:
				return partlyMet, "Works with employers, though offers them no subsidy"
			case pays:
				return partlyMet, "Offers employers a subsidy, though does not say it talks to them for you"
			}
			return notMet, "Does not say it works with employers for you"
		})
	}
	if n.EmployerIncentives {
		add(2, func(c *cand, explain bool) (level, string) {
			if c.pr.employerPay&employerIncentives != 0 {
				return met, c.pr.employerText
			}
			return notMet, "Offers employers no wage or training subsidy"
		})
	}
	if n.CaringResponsibilities {
		// Lone parents and carers needed childcare costs and tax-credit
		// advice (report §5.2.2); the hours are said with school_hours.
		advice := serviceBits["benefits_advice"]
		add(2, func(c *cand, explain bool) (level, string) {
			care, credits := c.pr.incentives&incentiveBits["childcare_costs"] != 0, c.pr.services&advice != 0
			switch {
			case care && credits:
				return met, "Helps with childcare costs and advises on tax credits"
			case care:
				return partlyMet, "Helps with childcare costs, but does not give tax-credit advice"
			case credits:
				return partlyMet, "Advises on tax credits, but does not help with childcare costs"
			case c.pr.outOfScope&outOfScopeBits["caring"] != 0:
				return partlyMet, "Can point you to help for carers elsewhere"
			}
			return notMet, "Does not help with childcare costs or tax credits"
		})
	}
	langs := directory.MustVocabulary(directory.VocabLanguages)
	for _, code := range n.Languages {
		bit, label := languageBits[code], langs.Label(code)
		add(2, func(c *cand, explain bool) (level, string) {
			switch {
			case c.pr.languages&bit != 0:
				if !explain {
					return met, ""
				}
				return met, fmt.Sprintf("Staff speak %s", label)
			case c.pr.access&accessBits["interpreters"] != 0:
				if !explain {
					return partlyMet, ""
				}
				return partlyMet, fmt.Sprintf("Can arrange an interpreter for %s", label)
			}
			if !explain {
				return notMet, ""
			}
			return notMet, fmt.Sprintf("No staff who speak %s", label)
		})
	}
	access := directory.MustVocabulary(directory.VocabAccessibility)
	for _, code := range n.Accessibility {
		bit, label := accessBits[code], access.Label(code)
		add(2, func(c *cand, explain bool) (level, string) {
			if c.pr.access&bit != 0 {
				if !explain {
					return met, ""
				}
				return met, label
			}
			if !explain {
				return notMet, ""
			}
			return notMet, fmt.Sprintf("Does not list %s", strings.ToLower(label))
		})
	}
	if n.Travel != "" {
		add(2, gettingThere(n.Travel))
	}
	return cs
}

func forWeeks(w int) string {
	if w <= 0 {
		return ""
	}
	return fmt.Sprintf(", for up to %d weeks", w)
}

// service scores a wanted service: met in house or through a partner,
// partly met by referral elsewhere.
func service(code, label string) func(*cand, bool) (level, string) {
	bit := serviceBits[code]
	label = directory.LowerFirst(label)
	return func(c *cand, explain bool) (level, string) {
		switch {
		case c.pr.services&bit != 0:
			if !explain {
				return met, ""
			}
			return met, "Offers " + label
		case c.pr.referred&bit != 0:
			if !explain {
				return partlyMet, ""
			}
			return partlyMet, "Can refer you elsewhere for " + label
		}
		if !explain {
			return notMet, ""
		}
		return notMet, "Does not offer " + label
	}
}

// anyService scores a need any of several services meets.
func anyService(label string, codes ...string) func(*cand, bool) (level, string) {
	bits := serviceBits.of(codes)
	referred := label + " (by referral to another organisation)"
	missing := "Does not say it " + directory.LowerFirst(label)
	return func(c *cand, explain bool) (level, string) {
		switch {
		case c.pr.services&bits != 0:
			return met, label
		case c.pr.referred&bits != 0:
			return partlyMet, referred
		}
		return notMet, missing
	}
}

func distanceFromWork(d string) func(*cand, bool) (level, string) {
	return func(c *cand, explain bool) (level, string) {
		model, reg := c.pr.serviceModel, c.pr.registration
		switch d {
		case directory.DistanceClose:
			switch model {
			case "immediate_barriers":
				return met, "Focuses on getting people who are ready into work quickly"
			case "broad_confidence", "intensive_supported":
				return partlyMet, "Gives wider support than you may need"
			}
		case directory.DistanceMiddle:
			if reg == directory.RegistrationJobReadyOnly {
				return notMet, "Registers only people likely to be in work within about six months"
			}
			switch model {
			case "broad_confidence":
				return met, "Gives broad support, including building confidence"
			case "intensive_supported":
				return partlyMet, "Gives intensive support, more than you may need"
			case "immediate_barriers":
				return partlyMet, "Focuses on people ready for work soon"
			}
		case directory.DistanceFar:
			if reg == directory.RegistrationJobReadyOnly {
				return notMet, "Registers only people likely to be in work within about six months"
			}
			switch model {
			case "intensive_supported":
				return met, "Gives intensive support for people further from work"
			case "broad_confidence":
				return partlyMet, "Gives broad support, though not intensive"
			case "immediate_barriers":
				return notMet, "Focuses on people ready for work soon"
			}
		}
		return partlyMet, "Does not say how much support it gives"
	}
}

func contactMode(mode string) func(*cand, bool) (level, string) {
	bit := modeBits[mode]
	label := strings.ToLower(directory.MustVocabulary(directory.VocabDeliveryModes).Label(mode))
	inPerson := bit&inPersonModes != 0
	return func(c *cand, explain bool) (level, string) {
		switch {
		case mode == directory.ModeHomeVisits && c.visits:
			return met, "Staff can visit you at home"
		case mode == directory.ModeHomeVisits && c.pr.hasMode(directory.ModeHomeVisits):
			return partlyMet, "Offers home visits, but may not come as far as where you live"
		case c.pr.modes&bit != 0 && inPerson && c.hasSite && c.dist() > localKm:
			if !explain {
				return partlyMet, ""
			}
			return partlyMet, fmt.Sprintf("Meets people %s, but the nearest place is %s away", label, howFar(c.dist()))
		case c.pr.modes&bit != 0:
			if !explain {
				return met, ""
			}
			return met, fmt.Sprintf("You can meet or talk to them: %s", label)
		case inPerson && c.pr.telephoneOnly():
			return notMet, "Telephone only: you asked to meet face to face"
		case mode == directory.ModeHomeVisits && c.pr.modes&meetingAtOffice != 0 && c.hasSite && c.dist() <= localKm:
			return partlyMet, "No home visits, but you can meet them locally"
		case mode == directory.ModeHomeVisits && c.pr.modes&meetingAtOffice != 0 && c.hasSite:
			if !explain {
				return notMet, ""
			}
			return notMet, fmt.Sprintf("No home visits, and the nearest place to meet is %s away", howFar(c.dist()))
		case inPerson && c.pr.modes&inPersonModes != 0:
			if !explain {
				return partlyMet, ""
			}
			return partlyMet, fmt.Sprintf("Meets face to face, though not %s", label)
		}
		if !explain {
			return notMet, ""
		}
		return notMet, fmt.Sprintf("Does not offer contact %s", label)
	}
}

func workKind(kind string) func(*cand, bool) (level, string) {
	switch kind {
	case directory.WorkSelfEmployed:
		return service("self_employment", "help with self-employment")
	case directory.WorkHomeBased:
		return service("home_working", "help with working from home")
	case directory.WorkVoluntaryFirst:
		return service("voluntary_work", "help finding voluntary work first")
	case directory.WorkProfessional:
		return service("professional_roles", "help back into professional or skilled work")
	}
	return anyService("Helps find jobs with employers", "job_search", "job_matching", "employer_liaison")
}

func moneyHelp(code string) func(*cand, bool) (level, string) {
	switch code {
	case directory.MoneyWillWorkPay:
		return service("better_off_calculation", "a better-off calculation (will work pay?)")
	case directory.MoneyPermitted:
		return anyService("Gives benefits advice, including about Permitted Work", "benefits_advice", "permitted_work")
	case directory.MoneyDebt:
		debt := serviceBits["debt_advice"]
		return func(c *cand, explain bool) (level, string) {
			switch {
			case c.pr.services&debt != 0:
				return met, "Offers debt advice"
			case c.pr.referred&debt != 0 || c.pr.outOfScope&outOfScopeBits["debt"] != 0:
				return partlyMet, "Can point you to debt advice elsewhere"
			}
			return notMet, "Does not offer debt advice"
		}
	}
	// Help with costs counts as one need met, whatever the amounts: ranking
	// never rewards bigger incentives (report §6.3.3, §8.6).
	return func(c *cand, explain bool) (level, string) {
		if c.pr.incentives&costIncentives != 0 {
			return met, c.pr.costText
		}
		return notMet, "Does not offer help with costs"
	}
}

// localKm is how far away a place to meet still counts as local when the
// client asks to meet in a particular way but says nothing about travel.
const localKm = 40

// comfortableKm is how far a client travelling by each means would
// reasonably go to meetings.
var comfortableKm = map[string]float64{
	directory.TravelCar:             25,
	directory.TravelPublicTransport: 10,
	directory.TravelNone:            3,
}

func gettingThere(travel string) func(*cand, bool) (level, string) {
	comfy := comfortableKm[travel]
	return func(c *cand, explain bool) (level, string) {
		switch {
		case c.visits:
			return met, "Staff can come to you"
		case c.hasSite && c.dist() <= comfy:
			if !explain {
				return met, ""
			}
			return met, "Easy to get to: " + howFar(c.dist()) + " away"
		case c.pr.modes&remoteModes != 0:
			return partlyMet, "You can talk to them by phone or online"
		case c.hasSite && c.dist() <= 2*comfy:
			if !explain {
				return partlyMet, ""
			}
			return partlyMet, "A longer journey: " + howFar(c.dist()) + " away"
		}
		return notMet, "Hard to get to from where you live"
	}
}
