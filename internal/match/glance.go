package match

import (
	"fmt"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Glance is what a client compares between providers whatever they asked
// for, so an adviser can answer "will I see the same person?" or "will my
// employer be told?" from the shortlist without opening each record.
type Glance struct {
	// Languages are the codes of languages staff speak; LanguagesText
	// names them.
	Languages     []string `json:"languages"`
	LanguagesText string   `json:"languages_text" example:"English and Welsh"`
	// AdviserModel is named_adviser, specialist_team or "" (not said).
	AdviserModel string `json:"adviser_model" example:"named_adviser"`
	// ContactFrequencyDays is how often the provider usually keeps in
	// touch, 0 when not said.
	ContactFrequencyDays int    `json:"contact_frequency_days" example:"14"`
	Adviser              string `json:"adviser" example:"One named adviser throughout; usually in touch every 14 days"`
	// InWorkSupportModel is job_coaching, scheduled_contact, reactive,
	// or "" when there is no in-work support.
	InWorkSupportModel string `json:"in_work_support_model" example:"job_coaching"`
	InWorkSupport      string `json:"in_work_support" example:"Job coaching, for up to 26 weeks; will talk to your employer"`
	// EmployerTold is client_decides, employer_must_know,
	// no_in_work_support or not_said.
	EmployerTold     string `json:"employer_told" example:"client_decides"`
	EmployerToldText string `json:"employer_told_text" example:"You decide whether your employer is told about your condition"`
}

// glanceOf writes a provider's Glance once, when it is compiled.
func glanceOf(p *directory.Provider) Glance {
	g := Glance{
		Languages:            nonNil(p.Languages),
		AdviserModel:         p.Staffing.AdviserModel,
		ContactFrequencyDays: p.Staffing.ContactFrequencyDays,
	}
	langs := directory.MustVocabulary(directory.VocabLanguages)
	names := make([]string, len(p.Languages))
	for i, c := range p.Languages {
		names[i] = langs.Label(c)
	}
	g.LanguagesText = joinAnd(names)
	if g.LanguagesText == "" {
		g.LanguagesText = "Not said"
	}
	switch {
	case g.AdviserModel != "" && g.ContactFrequencyDays > 0:
		g.Adviser = fmt.Sprintf("%s; usually in touch every %d days", directory.MustVocabulary(directory.VocabAdviserModels).Label(g.AdviserModel), g.ContactFrequencyDays)
	case g.AdviserModel != "":
		g.Adviser = directory.MustVocabulary(directory.VocabAdviserModels).Label(g.AdviserModel)
	case g.ContactFrequencyDays > 0:
		g.Adviser = fmt.Sprintf("Does not say who you deal with; usually in touch every %d days", g.ContactFrequencyDays)
	default:
		g.Adviser = "Does not say who you deal with or how often"
	}
	iw := p.InWorkSupport
	switch {
	case !iw.Offered:
		g.InWorkSupport = "No support once you are in work"
	default:
		g.InWorkSupportModel = iw.Model
		g.InWorkSupport = "In-work support"
		if iw.Model != "" {
			g.InWorkSupport = directory.MustVocabulary(directory.VocabInWorkSupportModels).Label(iw.Model)
		}
		g.InWorkSupport += forWeeks(iw.Weeks)
		if iw.EmployerMediation {
			g.InWorkSupport += "; will talk to your employer"
		}
	}
	switch {
	case iw.Offered && iw.Disclosure == "client_decides":
		g.EmployerTold, g.EmployerToldText = "client_decides", "You decide whether your employer is told about your condition"
	case iw.Offered && iw.Disclosure == "employer_must_know":
		g.EmployerTold, g.EmployerToldText = "employer_must_know", "Your employer must be told about your condition for in-work support"
	case !iw.Offered:
		g.EmployerTold, g.EmployerToldText = "no_in_work_support", "No in-work support, so nobody contacts your employer"
	default:
		g.EmployerTold, g.EmployerToldText = "not_said", "Does not say whether your employer must be told"
	}
	return g
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
