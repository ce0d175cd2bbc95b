package match

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// moneyTexts writes, once per provider, the sentence that answers a
// client's "help with costs" (the client's cost payments only, each said
// to be automatic or discretionary) and the flag's sentence naming which
// payments are at the provider's discretion. Leaflets that called
// discretionary money automatic let clients down (report §6.2.4, §6.3.3),
// and so does calling every payment discretionary because one is: each
// payment is described as it is. Payments to employers are never
// described as money for the client.
func moneyTexts(list []directory.Incentive) (cost, discretion, employer string) {
	kinds := directory.MustVocabulary(directory.VocabIncentiveKinds)
	var costAuto, costDisc, auto, disc, empAuto, empDisc []string
	anyDisc := false
	for _, in := range list {
		label := kinds.Label(in.Kind)
		if in.Recipient == "employer" && !strings.Contains(strings.ToLower(label), "employer") {
			label += " (to the employer)"
		}
		if in.Discretionary {
			anyDisc = true
			disc = appendNew(disc, directory.LowerFirst(label))
		} else {
			auto = appendNew(auto, directory.LowerFirst(label))
		}
		if in.Recipient == "employer" && employerIncentives&incentiveBits[in.Kind] != 0 {
			if in.Discretionary {
				empDisc = appendNew(empDisc, directory.LowerFirst(label))
			} else {
				empAuto = appendNew(empAuto, directory.LowerFirst(label))
			}
		}
		if in.Recipient == "client" && costIncentives&incentiveBits[in.Kind] != 0 {
			if in.Discretionary {
				costDisc = appendNew(costDisc, directory.LowerFirst(label))
			} else {
				costAuto = appendNew(costAuto, directory.LowerFirst(label))
			}
		}
	}
	cost = payments("Helps with costs: ", "May help with costs: ", costAuto, costDisc)
	employer = payments("Offers employers money to take people on: ", "May offer employers money to take people on: ", empAuto, empDisc)
	if anyDisc {
		discretion = "At the provider's discretion, not automatic: " + joinAnd(disc)
		if len(auto) > 0 {
			discretion += ". Paid to everyone who qualifies: " + joinAnd(auto)
		}
	}
	return cost, discretion, employer
}

// payments says which payments are automatic and which discretionary,
// after does (some automatic) or may (all discretionary).
func payments(does, may string, auto, disc []string) string {
	const paid, atDiscretion = "paid to everyone who qualifies", "at the provider's discretion (not automatic)"
	switch {
	case len(auto) > 0 && len(disc) > 0:
		return does + joinAnd(auto) + ", " + paid + "; " + joinAnd(disc) + ", " + atDiscretion
	case len(auto) > 0:
		return does + joinAnd(auto) + ", " + paid
	case len(disc) > 0:
		return may + joinAnd(disc) + ", " + atDiscretion
	}
	return ""
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// joinAnd joins a list as people write it: "a, b and c".
func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	last := " and "
	// "travel costs, and clothes and equipment": labels that hold an
	// "and" themselves need the comma to read as separate payments.
	if slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, " and ") }) {
		last = ", and "
	}
	return strings.Join(list[:len(list)-1], ", ") + last + list[len(list)-1]
}

// kmPerMile converts distances for people: UK usage is miles.
const kmPerMile = 1.609344

// Miles rounds km to the tenth of a mile a result shows.
func Miles(km float64) float64 { return math.Round(km/kmPerMile*10) / 10 }

// howFar says a distance in km in miles, as people say it (MilesText).
func howFar(km float64) string { return MilesText(Miles(km)) }

// MilesText says a distance already in miles as people say it: "less
// than 0.1 miles", "1 mile", "2.4 miles", "62 miles".
func MilesText(m float64) string {
	switch {
	case m < 0.1:
		return "less than 0.1 miles"
	case m == 1:
		return "1 mile"
	case m < 10:
		return strings.TrimSuffix(strconv.FormatFloat(m, 'f', 1, 64), ".0") + " miles"
	}
	return strconv.FormatFloat(math.Round(m), 'f', 0, 64) + " miles"
}
