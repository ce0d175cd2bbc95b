package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// miles writes a distance in kilometres as miles, as a person would say it:
// "0.4 miles", "1 mile", "12 miles" (the matcher's own wording).
func miles(km float64) string { return match.MilesText(match.Miles(km)) }

// telURL makes a tap-to-call link from a phone number as a provider typed
// it. html/template refuses tel: URLs, so this keeps only digits and a
// leading "+" before marking it safe; anything else gives "" (no link).
func telURL(phone string) template.URL {
	var b strings.Builder
	// "+44 (0)113": the 0 in brackets is not dialled from abroad.
	for i, r := range strings.Replace(strings.TrimSpace(phone), "(0)", "", 1) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	if digits := strings.TrimPrefix(b.String(), "+"); len(digits) < 3 || len(digits) > 15 {
		return ""
	}
	return template.URL("tel:" + b.String())
}

// fitText says in words how well a provider meets what the person asked
// for, or "" when they asked for nothing in particular.
func fitText(e match.Explanation) string {
	met, part, total := len(e.Met), len(e.PartlyMet), len(e.Met)+len(e.PartlyMet)+len(e.NotMet)
	switch {
	case total == 0:
		return ""
	case met == total:
		return "Offers everything you asked for"
	case met == 0 && part == 0:
		return "Offers none of what you asked for"
	}
	s := fmt.Sprintf("Offers %d of the %d things you asked for", met, total)
	if part > 0 {
		s += fmt.Sprintf(", and %d in part", part)
	}
	return s
}

// cardView is what a compact result card shows beyond the provider itself.
type cardView struct {
	Fit string
	// Distance is "1.2 miles to Holbeck office, Leeds", or why there is no
	// distance ("No office: by telephone or online").
	Distance string
	// Meet is how you meet them, in the directory's words.
	Meet string
}

// newCardView describes one ranked provider for a card. The site named is
// the one at the distance the matcher gave (it chooses which site counts,
// for example a step-free one), found again from the place searched.
func newCardView(r match.Ranked, v providerView, place geo.Place) cardView {
	c := cardView{Fit: fitText(r.Explanation), Meet: strings.Join(v.Modes, ", ")}
	switch {
	case r.DistanceKm != nil:
		c.Distance = miles(*r.DistanceKm)
		if s := siteAt(r.Provider, place, *r.DistanceKm); s != "" {
			c.Distance += " to " + s
		} else {
			c.Distance += " away"
		}
	case v.TelephoneOnly:
		c.Distance = "No office: by telephone or online"
	default:
		c.Distance = "No office to visit"
	}
	return c
}

// siteAt names the provider's site nearest in distance to km from place.
func siteAt(p *directory.Provider, place geo.Place, km float64) string {
	best, bestDiff := "", math.Inf(1)
	from := directory.LatLon{Lat: place.Lat, Lon: place.Lon}
	for _, s := range p.Sites {
		if s.Location == nil {
			continue
		}
		if d := math.Abs(directory.DistanceKm(from, *s.Location) - km); d < bestDiff {
			best, bestDiff = s.Name, d
			if s.Address.Town != "" && !strings.Contains(s.Name, s.Address.Town) {
				best += ", " + s.Address.Town
			}
		}
	}
	// More than a kilometre out means the matcher measured from somewhere
	// else; better no name than a wrong one.
	if bestDiff > 1 {
		return ""
	}
	return best
}
