package hsds

import (
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Filter is the ORUK list filters, all ANDed, tested on the directory's
// records so a list builds HSDS records only for the page it returns. The
// zero Filter keeps everything.
type Filter struct {
	// Words must all appear, in any case, in the service's search text.
	Words          []string
	TermID         string // a taxonomy term id the service uses
	TaxonomyID     string // a taxonomy any of the service's terms is from
	MinAge, MaxAge *float64
	ModifiedAfter  time.Time
	OrganizationID string
	// Day (a directory day code such as "mon"), StartTime and EndTime
	// ("HH:MM") are tested against opening hours: one opening must be on
	// the day, open at or after StartTime and close at or before EndTime.
	Day                string
	StartTime, EndTime string
}

// Empty reports whether f keeps every record.
func (f *Filter) Empty() bool {
	return len(f.Words) == 0 && f.TermID == "" && f.TaxonomyID == "" && f.MinAge == nil && f.MaxAge == nil &&
		f.ModifiedAfter.IsZero() && f.OrganizationID == "" && !f.hours()
}

func (f *Filter) hours() bool { return f.Day != "" || f.StartTime != "" || f.EndTime != "" }

// KeepService reports whether the provider's service passes every filter;
// for opening hours, whether any of its sites has such an opening.
func (f *Filter) KeepService(p *directory.Provider) bool {
	if !f.keepRecord(p) {
		return false
	}
	if !f.hours() {
		return true
	}
	for i := range p.Sites {
		if f.keepHours(&p.Sites[i]) {
			return true
		}
	}
	return false
}

// KeepServiceAtLocation reports whether the provider's service at site s
// passes every filter; opening hours are the site's own.
func (f *Filter) KeepServiceAtLocation(p *directory.Provider, s *directory.Site) bool {
	return f.keepRecord(p) && f.keepHours(s)
}

func (f *Filter) keepRecord(p *directory.Provider) bool {
	if !f.ModifiedAfter.IsZero() && p.UpdatedAt.Before(f.ModifiedAfter) {
		return false
	}
	if f.OrganizationID != "" && OrganizationID(p) != f.OrganizationID {
		return false
	}
	if len(f.Words) > 0 {
		text := ProviderSearchText(p)
		for _, w := range f.Words {
			if !strings.Contains(text, w) {
				return false
			}
		}
	}
	// Age filters compare the limits a service states; the directory's
	// records state none, so an age filter matches only services that do.
	minAge, maxAge := ProviderAges(p)
	if f.MinAge != nil && (minAge == nil || *minAge < *f.MinAge) {
		return false
	}
	if f.MaxAge != nil && (maxAge == nil || *maxAge > *f.MaxAge) {
		return false
	}
	if f.TermID != "" && !ProviderHasTerm(p, f.TermID) {
		return false
	}
	if f.TaxonomyID != "" && !ProviderHasTaxonomy(p, f.TaxonomyID) {
		return false
	}
	return true
}

// keepHours reports whether the site has one opening meeting every hours
// filter (true when there are none). Times are "HH:MM", so they compare as
// strings.
func (f *Filter) keepHours(s *directory.Site) bool {
	if !f.hours() {
		return true
	}
	for _, h := range s.OpeningHours {
		if (f.Day == "" || h.Day == f.Day) && (f.StartTime == "" || h.Opens >= f.StartTime) && (f.EndTime == "" || h.Closes <= f.EndTime) {
			return true
		}
	}
	return false
}

// ParseDay reads an ORUK day filter: an RFC 5545 day code as schedules'
// byday holds it ("MO"), or the day's name ("Monday"), in any case. It
// returns the directory's day code.
func ParseDay(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if d, ok := dayFromICal[strings.ToUpper(s)]; ok {
		return d, true
	}
	days := directory.MustVocabulary(directory.VocabDays)
	for _, t := range days.Terms {
		if strings.EqualFold(t.Label, s) || strings.EqualFold(t.Code, s) {
			return t.Code, true
		}
	}
	return "", false
}

// ParseTime reads an ORUK time filter, "HH:MM" or "HH:MM:SS" on the 24-hour
// clock, and returns it as "HH:MM" (the directory holds minutes).
func ParseTime(s string) (string, bool) {
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			if t.Second() != 0 {
				return "", false
			}
			return t.Format("15:04"), true
		}
	}
	return "", false
}
