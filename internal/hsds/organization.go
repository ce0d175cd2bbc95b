package hsds

import "github.com/brokerfinder/brokerfinder/internal/directory"

// OrganizationBrief returns the organisation of the provider with only its
// one-to-one fields: the shape of the organizations list.
func OrganizationBrief(p *directory.Provider) Organization {
	return Organization{
		ID: OrganizationID(p), Name: OrganizationName(p), Description: p.Summary,
		Website: p.Organisation.Website, Email: p.Contact.Email,
	}
}

// OrganizationFull returns an organisation fully nested: its attributes and
// every service it runs, each fully nested but for the organisation itself.
// ps are the organisation's providers (at least one, all with the same
// OrganizationID), in the order the services are to be listed; the first
// gives the organisation's own fields.
func OrganizationFull(ps []*directory.Provider) Organization {
	svc := FromProvider(ps[0])
	o := *svc.Organization
	o.Services = make([]Service, len(ps))
	for i, p := range ps {
		s := svc
		if i > 0 {
			s = FromProvider(p)
		}
		s.Organization = nil
		o.Services[i] = s
	}
	return o
}
