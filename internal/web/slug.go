package web

import (
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// slugName turns a provider's name into the readable part of its URL:
// lower-case letters and digits joined by single hyphens.
func slugName(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case r == '\'' || r == '\u2019':
			// "People's" reads better as "peoples" than "people-s".
		default:
			hyphen = true
		}
	}
	return b.String()
}

// providerURL is a provider page's canonical path: the name for people to
// read, then the id that actually finds it.
func providerURL(p *directory.Provider) string {
	if n := slugName(p.Name); n != "" {
		return "/providers/" + n + "-" + p.ID
	}
	return "/providers/" + p.ID
}

// lookupSlug finds the provider a slug names. Ids may themselves contain
// hyphens (any directory.ValidID), so it tries each suffix starting after a
// hyphen, longest first, and takes the first that is a known id.
func (s *server) lookupSlug(slug string) (*directory.Provider, bool) {
	for i := -1; i < len(slug); i++ {
		if i >= 0 && slug[i] != '-' {
			continue
		}
		id := slug[i+1:]
		if !directory.ValidID(id) {
			continue
		}
		if p, ok := s.finder.Provider(id); ok {
			return p, true
		}
	}
	return nil, false
}
