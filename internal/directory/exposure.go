package directory

import (
	"context"
	"sort"
)

// ExposureCount is how often one provider was shown in one area: shown at
// all, shown in the top three, and chosen by the client. Steering clients
// towards favourites shows up as one provider chosen far more often than its
// place in the lists explains (report §6.3.4, §6.5.1). Area is a postcode
// district or town, never a full postcode.
type ExposureCount struct {
	Area       string `json:"area" example:"LS6"`
	ProviderID string `json:"provider_id"`
	Shown      int64  `json:"shown"`
	Top3       int64  `json:"top3"`
	Chosen     int64  `json:"chosen"`
}

// UnmetNeedCount is how many matches in an area found no good fit for a
// client stating a need. Need is a code such as "support:debt_advice" or
// "severe_or_fluctuating"; the special need "_matches" counts the matches
// themselves. No personal data: only counts.
type UnmetNeedCount struct {
	Area  string `json:"area" example:"LS6"`
	Need  string `json:"need" example:"money_help:debt"`
	Count int64  `json:"count"`
}

// UnmetNeedMatches is the need code that counts no-good-fit matches.
const UnmetNeedMatches = "_matches"

// ExposureStore keeps the fairness counters. Adds are increments, so
// several servers sharing one store add up.
type ExposureStore interface {
	// AddExposure adds each count to its (area, provider) totals.
	AddExposure(ctx context.Context, counts []ExposureCount) error
	// Exposure returns the totals for an area ("" for all), ordered by area
	// then provider id.
	Exposure(ctx context.Context, area string) ([]ExposureCount, error)
	// AddUnmetNeed adds each count to its (area, need) total.
	AddUnmetNeed(ctx context.Context, counts []UnmetNeedCount) error
	// UnmetNeed returns the totals for an area ("" for all), ordered by area
	// then need.
	UnmetNeed(ctx context.Context, area string) ([]UnmetNeedCount, error)
}

// NeedCodes lists what a client stated as "kind:code" strings (booleans as
// their name alone), sorted: the unit the unmet-need report counts.
func NeedCodes(n Needs) []string {
	var out []string
	list := func(kind string, codes []string) {
		for _, c := range codes {
			out = append(out, kind+":"+c)
		}
	}
	one := func(kind, code string) {
		if code != "" {
			out = append(out, kind+":"+code)
		}
	}
	flag := func(name string, on bool) {
		if on {
			out = append(out, name)
		}
	}
	list("health_conditions", n.HealthConditions)
	list("support", n.Support)
	list("contact_preferences", n.ContactPreferences)
	list("work_kind", n.WorkKind)
	list("money_help", n.MoneyHelp)
	list("languages", n.Languages)
	list("accessibility", n.Accessibility)
	one("distance_from_work", n.DistanceFromWork)
	one("job_search_stage", n.JobSearchStage)
	one("hours", n.Hours)
	one("travel", n.Travel)
	flag("severe_or_fluctuating", n.SevereOrFluctuating)
	flag("unsure_of_work_goal", n.UnsureOfWorkGoal)
	flag("avoid_jobcentre", n.AvoidJobcentre)
	flag("avoid_groups", n.AvoidGroups)
	flag("in_work_support", n.InWorkSupport)
	flag("named_adviser", n.NamedAdviser)
	flag("regular_contact", n.RegularContact)
	flag("age_50_plus", n.Age50Plus)
	flag("employer_incentives", n.EmployerIncentives)
	flag("employer_mediation", n.EmployerMediation)
	flag("caring_responsibilities", n.CaringResponsibilities)
	sort.Strings(out)
	return out
}

// ExposureSums adds up exposure counts by area and provider.
type ExposureSums map[[2]string]*ExposureCount

// Has reports whether the sums hold area and provider.
func (s ExposureSums) Has(area, providerID string) bool {
	return s[[2]string{area, providerID}] != nil
}

// Add adds c to the sum for its area and provider.
func (s ExposureSums) Add(c ExposureCount) {
	k := [2]string{c.Area, c.ProviderID}
	e := s[k]
	if e == nil {
		e = &ExposureCount{Area: c.Area, ProviderID: c.ProviderID}
		s[k] = e
	}
	e.Shown, e.Top3, e.Chosen = e.Shown+c.Shown, e.Top3+c.Top3, e.Chosen+c.Chosen
}

// List returns the sums, in no particular order.
func (s ExposureSums) List() []ExposureCount {
	out := make([]ExposureCount, 0, len(s))
	for _, e := range s {
		out = append(out, *e)
	}
	return out
}
