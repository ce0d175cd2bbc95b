package hsds

import (
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// allAttributes returns every attribute of a service: its own, its
// organisation's and those of its locations and their accessibility.
func (s *Service) allAttributes() []Attribute {
	out := append([]Attribute(nil), s.Attributes...)
	if s.Organization != nil {
		out = append(out, s.Organization.Attributes...)
	}
	for _, sal := range s.ServiceAtLocations {
		if l := sal.Location; l != nil {
			out = append(out, l.Attributes...)
			for _, a := range l.Accessibility {
				out = append(out, a.Attributes...)
			}
		}
	}
	return out
}

// HasTerm reports whether any attribute of the service uses the taxonomy
// term with id termID.
func (s *Service) HasTerm(termID string) bool {
	termID = strings.ToLower(termID)
	for _, a := range s.allAttributes() {
		if strings.ToLower(a.TaxonomyTermID) == termID {
			return true
		}
	}
	return false
}

// HasTaxonomy reports whether any attribute of the service uses a term of the
// taxonomy with id taxonomyID.
func (s *Service) HasTaxonomy(taxonomyID string) bool {
	taxonomyID = strings.ToLower(taxonomyID)
	for _, a := range s.allAttributes() {
		if a.TaxonomyTerm != nil && strings.ToLower(a.TaxonomyTerm.TaxonomyID) == taxonomyID {
			return true
		}
	}
	return false
}

// SearchText is the text plain-word search looks in: the name, the
// description and the labels of the services offered, in lower case.
func (s *Service) SearchText() string {
	var b strings.Builder
	b.WriteString(s.Name)
	b.WriteString("\n")
	b.WriteString(s.Description)
	for _, a := range s.Attributes {
		if a.LinkType == "services" && a.TaxonomyTerm != nil {
			b.WriteString("\n")
			b.WriteString(a.TaxonomyTerm.Name)
		}
	}
	return strings.ToLower(b.String())
}

// ProviderSearchText is FromProvider(p).SearchText() without building the
// service, which a plain-word search of the whole directory would otherwise
// do for every record (about 8 s at 100,000 providers).
func ProviderSearchText(p *directory.Provider) string {
	var b strings.Builder
	b.WriteString(p.Name)
	b.WriteString("\n")
	b.WriteString(p.Summary)
	services := directory.MustVocabulary(directory.VocabServices)
	for _, s := range p.Services {
		b.WriteString("\n")
		b.WriteString(services.Label(s.Code))
	}
	return strings.ToLower(b.String())
}

// ProviderAges returns the age limits FromProvider(p) states, without
// building the service: none, because the directory's records hold no age
// limits (an import notes and leaves them out). An ORUK age filter would
// otherwise build every record's service to find that out (about 8 s at
// 100,000 providers). A test holds FromProvider to this.
func ProviderAges(*directory.Provider) (minimum, maximum *float64) { return nil, nil }

// ProviderTerms calls fn with the term of every attribute FromProvider(p)
// gives the service, its organisation, its locations and their
// accessibility (what Service.HasTerm and HasTaxonomy look at), without
// building any of them.
func ProviderTerms(p *directory.Provider, fn func(*TaxonomyTerm)) {
	a := attrs{seen: fn}
	a.service(ServiceID(p), p)
	a.organisation(p)
	for i := range p.Sites {
		s := &p.Sites[i]
		a.codes(directory.VocabAccessibility, "sites.accessibility", s.Accessibility)
		a.site(s)
	}
}

// ProviderHasTerm is FromProvider(p).HasTerm(termID) without building the
// service, which an ORUK taxonomy filter would otherwise do for every
// record (about 10 s at 100,000 providers).
func ProviderHasTerm(p *directory.Provider, termID string) bool {
	termID = strings.ToLower(termID)
	found := false
	ProviderTerms(p, func(t *TaxonomyTerm) { found = found || strings.ToLower(t.ID) == termID })
	return found
}

// ProviderHasTaxonomy is FromProvider(p).HasTaxonomy(taxonomyID) without
// building the service.
func ProviderHasTaxonomy(p *directory.Provider, taxonomyID string) bool {
	taxonomyID = strings.ToLower(taxonomyID)
	found := false
	ProviderTerms(p, func(t *TaxonomyTerm) { found = found || strings.ToLower(t.TaxonomyID) == taxonomyID })
	return found
}
