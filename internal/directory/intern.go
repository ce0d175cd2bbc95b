package directory

// codes maps every vocabulary code to one shared copy of its string.
var codes = func() map[string]string {
	m := map[string]string{}
	for _, v := range vocabularies {
		for _, t := range v.Terms {
			m[t.Code] = t.Code
		}
	}
	return m
}()

func intern(s *string) {
	if c, ok := codes[*s]; ok {
		*s = c
	}
}

func internAll(list []string) {
	for i := range list {
		intern(&list[i])
	}
}

// InternCodes makes every vocabulary code in p share one copy of its
// string. A decoded record holds a fresh copy of each code; across a
// national directory held in memory (the search catalogue) those copies
// are a good part of the heap.
func (p *Provider) InternCodes() {
	intern(&p.Type)
	intern(&p.Status)
	intern(&p.Organisation.Sector)
	intern(&p.Organisation.Scale)
	intern(&p.Organisation.ContractStatus)
	for i := range p.Sites {
		s := &p.Sites[i]
		intern(&s.Kind)
		internAll(s.JobcentreDays)
		internAll(s.Accessibility)
		for j := range s.OpeningHours {
			intern(&s.OpeningHours[j].Day)
		}
	}
	internAll(p.DeliveryModes)
	for i := range p.Services {
		intern(&p.Services[i].Code)
		intern(&p.Services[i].Provision)
	}
	internAll(p.Specialisms)
	internAll(p.ServesOnly)
	intern(&p.ServiceModel)
	intern(&p.RegistrationApproach)
	for i := range p.OutOfScope {
		intern(&p.OutOfScope[i].Need)
	}
	for i := range p.Incentives {
		intern(&p.Incentives[i].Kind)
		intern(&p.Incentives[i].Recipient)
	}
	intern(&p.InWorkSupport.Model)
	intern(&p.InWorkSupport.Disclosure)
	intern(&p.Staffing.AdviserModel)
	internAll(p.Accessibility)
	internAll(p.Languages)
}
