package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// providerView is a provider with every code turned into plain English, in
// the order a person choosing would ask about it.
type providerView struct {
	P             *directory.Provider
	URL           string
	TypeLabel     string
	TelephoneOnly bool
	TakingNew     bool
	Modes         []string
	// MeetText is Modes as one sentence, for a summary beside other
	// sentences (a capitalised list there read as a different voice).
	MeetText    string
	Sites       []siteView
	Coverage    []string
	Services    []serviceView
	OutOfScope  []string
	Incentives  []incentiveView
	InWork      []string
	Staffing    []string
	Access      []string
	Languages   []string
	Flags       []match.Flag
	LastChecked string
	// CheckedBy says who confirmed the listing ("the provider", "the
	// directory team"): never a person's or token's name.
	CheckedBy string
	// CheckDue is true when the provider has not confirmed the listing
	// for over six months (the prompt advisers and admins act on).
	CheckDue    bool
	Performance []string
	Contact     []string
}

type siteView struct {
	Name    string
	Kind    string
	Address []string
	Days    string
	Hours   []string
	Access  []string
}

type serviceView struct {
	Label, Hint, Who, Note string
}

type incentiveView struct {
	Text          string
	Discretionary bool
	ToEmployer    bool
}

func newProviderView(p *directory.Provider, now time.Time) providerView {
	v := providerView{
		P: p, URL: providerURL(p),
		TypeLabel:     label(directory.VocabProviderTypes, p.Type),
		TelephoneOnly: p.TelephoneOnly(),
		TakingNew:     p.Capacity.TakingNewClients && p.Organisation.ContractStatus == directory.ContractActive,
		Modes:         labels(directory.VocabDeliveryModes, p.DeliveryModes),
		Access:        labels(directory.VocabAccessibility, p.Accessibility),
		Languages:     labels(directory.VocabLanguages, p.Languages),
		Flags:         match.Flags(match.Compile(p), now),
		LastChecked:   longDate(p.Freshness.LastVerified),
		CheckedBy:     directory.VerifiedByText(p.Freshness.VerifiedBy),
		CheckDue:      p.VerificationOverdue(now),
	}
	if len(v.Modes) > 0 {
		lower := make([]string, len(v.Modes))
		for i, m := range v.Modes {
			lower[i] = directory.LowerFirst(m)
		}
		v.MeetText = "Ways to meet or talk to them: " + strings.Join(lower, ", ") + "."
	}
	days := directory.MustVocabulary(directory.VocabDays)
	for _, s := range p.Sites {
		sv := siteView{Name: s.Name, Kind: label(directory.VocabSiteKinds, s.Kind), Access: labels(directory.VocabAccessibility, s.Accessibility)}
		sv.Address = append(sv.Address, s.Address.Lines...)
		for _, x := range []string{s.Address.Town, s.Address.Postcode} {
			if x != "" {
				sv.Address = append(sv.Address, x)
			}
		}
		if len(s.JobcentreDays) > 0 {
			sv.Days = strings.Join(labels(directory.VocabDays, s.JobcentreDays), ", ")
		}
		for _, h := range s.OpeningHours {
			sv.Hours = append(sv.Hours, fmt.Sprintf("%s: %s to %s", days.Label(h.Day), h.Opens, h.Closes))
		}
		v.Sites = append(v.Sites, sv)
	}
	c := p.Coverage
	if c.National {
		v.Coverage = append(v.Coverage, "Anywhere in Great Britain")
	}
	if len(c.Areas) > 0 {
		v.Coverage = append(v.Coverage, "Areas: "+strings.Join(c.Areas, ", "))
	}
	if len(c.PostcodeDistricts) > 0 {
		v.Coverage = append(v.Coverage, "Postcode areas: "+strings.Join(c.PostcodeDistricts, ", "))
	}
	if c.RadiusKm > 0 {
		v.Coverage = append(v.Coverage, fmt.Sprintf("Within %s of their offices", miles(c.RadiusKm)))
	}
	if c.TravelsToClients {
		if c.TravelRadiusKm > 0 {
			v.Coverage = append(v.Coverage, fmt.Sprintf("Staff travel to people up to %s from their offices", miles(c.TravelRadiusKm)))
		} else {
			v.Coverage = append(v.Coverage, "Staff travel to people")
		}
	}
	services := directory.MustVocabulary(directory.VocabServices)
	for _, s := range p.Services {
		who := label(directory.VocabProvision, s.Provision)
		if s.Partner != "" {
			who += ": " + s.Partner
		}
		v.Services = append(v.Services, serviceView{Label: services.Label(s.Code), Hint: services.Describe(s.Code), Who: who, Note: s.Note})
	}
	for _, o := range p.OutOfScope {
		line := label(directory.VocabOutOfScope, o.Need)
		if o.To != "" {
			line += ": they will put you in touch with " + o.To
		}
		v.OutOfScope = append(v.OutOfScope, line)
	}
	for _, in := range p.Incentives {
		v.Incentives = append(v.Incentives, incentiveView{Text: incentiveText(in), Discretionary: in.Discretionary, ToEmployer: in.Recipient == "employer"})
	}
	iw := p.InWorkSupport
	if iw.Offered {
		if iw.Model != "" {
			v.InWork = append(v.InWork, label(directory.VocabInWorkSupportModels, iw.Model)+": "+directory.LowerFirst(directory.MustVocabulary(directory.VocabInWorkSupportModels).Describe(iw.Model)))
		}
		if iw.Weeks > 0 {
			v.InWork = append(v.InWork, fmt.Sprintf("For up to %d weeks after you start", iw.Weeks))
		}
		if iw.EmployerMediation {
			v.InWork = append(v.InWork, "They will talk to your employer about changes at work or problems, if you want them to")
		}
		if iw.Disclosure != "" {
			v.InWork = append(v.InWork, "Does your employer need to know about your health? "+directory.MustVocabulary(directory.VocabDisclosurePolicies).Describe(iw.Disclosure))
		}
	}
	st := p.Staffing
	if st.AdviserModel != "" {
		v.Staffing = append(v.Staffing, label(directory.VocabAdviserModels, st.AdviserModel))
	}
	if st.ContactFrequencyDays > 0 {
		v.Staffing = append(v.Staffing, fmt.Sprintf("Usually in touch every %d days", st.ContactFrequencyDays))
	}
	if st.CaseloadPerAdviser > 0 {
		v.Staffing = append(v.Staffing, fmt.Sprintf("Each adviser works with about %d people", st.CaseloadPerAdviser))
	}
	ct := p.Contact
	if ct.Phone != "" {
		line := "Phone: " + ct.Phone
		if ct.Freephone {
			line += " (free to call)"
		}
		v.Contact = append(v.Contact, line)
	}
	if ct.Textphone != "" {
		v.Contact = append(v.Contact, "Textphone: "+ct.Textphone)
	}
	if ct.Email != "" {
		v.Contact = append(v.Contact, "Email: "+ct.Email)
	}
	if ct.RegistrationByPost {
		v.Contact = append(v.Contact, "You register by post: they send you the forms")
	}
	if pf := p.Performance; pf != nil {
		v.Performance = append(v.Performance,
			fmt.Sprintf("From %s to %s: %d people registered, %d started work, %d were still in work after %d weeks.",
				longDate(pf.PeriodStart), longDate(pf.PeriodEnd), pf.Registrations, pf.JobEntries, pf.SustainedJobs, pf.SustainedWeeks))
		if pf.LongTermClaimantPercent > 0 {
			v.Performance = append(v.Performance, fmt.Sprintf("%d%% of the people they registered had been on benefits for over two years.", pf.LongTermClaimantPercent))
		}
		if pf.SmallNumbers() {
			v.Performance = append(v.Performance, "These are small numbers, so they say little about how well the provider does.")
		}
		if pf.Note != "" {
			v.Performance = append(v.Performance, pf.Note)
		}
	}
	return v
}

// incentiveText describes an incentive plainly (shared with the API so the
// two never disagree about whether money is automatic).
func incentiveText(in directory.Incentive) string {
	s := apiIncentiveText(in)
	if in.Recipient == "employer" {
		s = "Paid to your employer. " + s
	}
	return s
}
