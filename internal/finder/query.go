package finder

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/index"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// LocationQuery is where the client lives: exactly one of a postcode (full
// or the first part), a town, or a latitude and longitude.
type LocationQuery struct {
	Postcode string   `json:"postcode,omitempty" example:"LS6 1AN"`
	Town     string   `json:"town,omitempty" example:"Leeds"`
	Lat      *float64 `json:"lat,omitempty" example:"53.8195"`
	Lon      *float64 `json:"lon,omitempty" example:"-1.5741"`
}

// Messages for a well-formed postcode whose district no geocoder knows: the
// person typed it right, so they are not told to check it.
const (
	// UnknownAreaMessage is what a match says above its list of national
	// providers.
	UnknownAreaMessage = "We do not have this area yet, so only providers who work across the whole country are listed. A Jobcentre adviser can tell you about local ones."
	// unknownAreaProblem is what a search, which needs a position, says.
	unknownAreaProblem = "We do not have this area yet. Type a nearby town instead."
)

// Locate resolves q. Problems are reported on fields under prefix
// ("location"): a ValidationError for malformed input, a PlaceError for a
// postcode or town that is well formed but not known (for a postcode whose
// district no geocoder knows, one saying plainly that the area is not known
// yet).
func (f *Finder) Locate(ctx context.Context, q LocationQuery, prefix string) (match.Location, geo.Place, error) {
	loc, place, err := f.locate(ctx, q, prefix)
	if err == nil && loc.NationalOnly {
		return match.Location{}, geo.Place{}, &directory.PlaceError{Field: prefix + ".postcode", Message: unknownAreaProblem}
	}
	return loc, place, err
}

// locate is Locate, but a well-formed postcode of a district no geocoder
// knows is no error: it gives a match.Location with NationalOnly set, and a
// geo.Place with Source geo.SourceUnknownArea and no position, so a match
// can still list the providers who cover the whole country.
func (f *Finder) locate(ctx context.Context, q LocationQuery, prefix string) (match.Location, geo.Place, error) {
	q.Postcode, q.Town = strings.TrimSpace(q.Postcode), strings.TrimSpace(q.Town)
	forms := 0
	for _, given := range []bool{q.Postcode != "", q.Town != "", q.Lat != nil || q.Lon != nil} {
		if given {
			forms++
		}
	}
	if forms != 1 {
		return match.Location{}, geo.Place{}, directory.Invalid(prefix, "give exactly one of postcode, town, or lat and lon")
	}
	var (
		place geo.Place
		err   error
		field string
	)
	switch {
	case q.Postcode != "":
		field = prefix + ".postcode"
		place, err = f.geo.Postcode(ctx, q.Postcode)
	case q.Town != "":
		field = prefix + ".town"
		place, err = f.geo.Town(ctx, q.Town)
	default:
		if q.Lat == nil || q.Lon == nil {
			return match.Location{}, geo.Place{}, directory.Invalid(prefix, "give both lat and lon")
		}
		if err := directory.CheckPoint(prefix, *q.Lat, *q.Lon); err != nil {
			return match.Location{}, geo.Place{}, err
		}
		place, err = f.geo.Nearest(ctx, *q.Lat, *q.Lon)
	}
	if err != nil {
		var ve *directory.ValidationError
		switch {
		case errors.As(err, &ve):
			msgs := make([]string, len(ve.Problems))
			for i, p := range ve.Problems {
				msgs[i] = p.Message
			}
			return match.Location{}, geo.Place{}, directory.Invalid(field, "%s", strings.Join(msgs, "; "))
		case q.Postcode != "" && errors.Is(err, geo.ErrUnknownArea):
			full, code, _ := geo.ParsePostcode(q.Postcode)
			return match.Location{District: code, NationalOnly: true},
				geo.Place{Postcode: full, District: code, Source: geo.SourceUnknownArea}, nil
		case errors.Is(err, directory.ErrNotFound):
			msg := "We could not find that postcode. Check it, or type the first part only (such as LS6), or your town."
			if q.Town != "" {
				msg = "We could not find that town. Check the spelling, or type your postcode instead."
			}
			return match.Location{}, geo.Place{}, &directory.PlaceError{Field: field, Message: msg}
		}
		return match.Location{}, geo.Place{}, err
	}
	return match.Location{
		Point:    directory.LatLon{Lat: place.Lat, Lon: place.Lon},
		District: place.District,
		Town:     place.Town,
	}, place, nil
}

// ParseNear reads the single "near" value of a search: "lat,lon", a
// postcode or outward code, or else a town.
func ParseNear(s string) LocationQuery {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, ","); ok {
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 == nil && err2 == nil {
			return LocationQuery{Lat: &lat, Lon: &lon}
		}
	}
	if _, _, err := geo.ParsePostcode(s); err == nil {
		return LocationQuery{Postcode: s}
	}
	return LocationQuery{Town: s}
}

// MatchQuery is a client's request for a shortlist.
type MatchQuery struct {
	Location LocationQuery   `json:"location"`
	Needs    directory.Needs `json:"needs"`
	// Types are provider type codes; empty means Job Brokers.
	Types   []string `json:"types,omitempty"`
	Page    int      `json:"page,omitempty" example:"1"`
	PerPage int      `json:"per_page,omitempty" example:"20"`
	// Sort is fit (the default: best fit first) or distance (nearest
	// place to meet first, then best fit).
	Sort string `json:"sort,omitempty" enums:"fit,distance" example:"fit"`
}

// Validate normalises q and checks everything but the location, which
// Locate checks. It returns a ValidationError naming every problem.
func (q *MatchQuery) Validate() error {
	q.Needs.Normalize()
	var problems []directory.FieldProblem
	var ve *directory.ValidationError
	if err := q.Needs.Validate("needs"); errors.As(err, &ve) {
		problems = append(problems, ve.Problems...)
	}
	problems = append(problems, checkCodes("types", directory.VocabProviderTypes, q.Types)...)
	problems = append(problems, checkPaging(q.Page, q.PerPage)...)
	q.Sort = strings.TrimSpace(q.Sort)
	if q.Sort != "" && q.Sort != match.SortFit && q.Sort != match.SortDistance {
		problems = append(problems, directory.FieldProblem{Field: "sort", Message: "must be fit or distance"})
	}
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	return nil
}

func checkCodes(field, vocab string, codes []string) []directory.FieldProblem {
	var out []directory.FieldProblem
	if len(codes) > directory.MaxListLen {
		return []directory.FieldProblem{{Field: field, Message: fmt.Sprintf("at most %d codes", directory.MaxListLen)}}
	}
	v := directory.MustVocabulary(vocab)
	for i, c := range codes {
		if !v.Has(c) {
			out = append(out, directory.FieldProblem{Field: fmt.Sprintf("%s[%d]", field, i), Message: fmt.Sprintf("is not a code in vocabulary %s (see GET /v1/vocabularies)", vocab)})
		}
	}
	return out
}

// checkPaging applies the one paging rule to a match body: page from 1 to
// directory.MaxPage; per_page of 1 or more, a size above
// directory.MaxPerPage being cut to it (as on every list); 0 or absent
// means the default, since a JSON body cannot tell them apart.
func checkPaging(page, per int) []directory.FieldProblem {
	var out []directory.FieldProblem
	if page < 0 || page > directory.MaxPage {
		out = append(out, directory.FieldProblem{Field: "page", Message: fmt.Sprintf("must be a whole number from 1 to %d", directory.MaxPage)})
	}
	if per < 0 {
		out = append(out, directory.FieldProblem{Field: "per_page", Message: fmt.Sprintf("must be a whole number of 1 or more (at most %d are returned)", directory.MaxPerPage)})
	}
	return out
}

// Match validates q, resolves the location and ranks every eligible
// provider. For a well-formed postcode of a district no geocoder knows, it
// ranks the providers covering the whole country and returns a place whose
// Source is geo.SourceUnknownArea (say UnknownAreaMessage).
func (f *Finder) Match(ctx context.Context, q MatchQuery) (res match.Result, place geo.Place, err error) {
	ctx, end := f.tel.StartMatch(ctx)
	defer func() { end(res.Total+res.Excluded.Count, res.Total, err) }()
	if err := q.Validate(); err != nil {
		return match.Result{}, geo.Place{}, err
	}
	loc, place, err := f.locate(ctx, q.Location, "location")
	if err != nil {
		return match.Result{}, geo.Place{}, err
	}
	res = f.cat.Match(match.Request{
		Location: loc, Needs: q.Needs, Types: q.Types, Page: q.Page, PerPage: q.PerPage,
		Seed: match.QuerySeed(loc, q.Needs, q.Types), Now: f.now(), Sort: q.Sort,
	})
	return res, place, nil
}

// SearchQuery is a filtered search of the published directory.
type SearchQuery struct {
	Text             string
	Types            []string
	Specialisms      []string
	DeliveryModes    []string
	Services         []string
	Incentives       []string
	Accessibility    []string
	Languages        []string
	TakingNewClients *bool
	Near             string
	RadiusKm         float64
	Page, PerPage    int
}

// Limits on a search.
const (
	DefaultRadiusKm = 25
	MaxRadiusKm     = 200
	maxTextLen      = 200
)

// Search validates q and returns one page of results with facets, and the
// place searched near, if any.
func (f *Finder) Search(ctx context.Context, q SearchQuery) (res match.SearchResult, near *geo.Place, err error) {
	ctx, end := f.tel.StartSearch(ctx)
	defer func() { end(res.Total, err) }()
	return f.search(ctx, q, true)
}

// search is Search; without scoped, the index scores every provider filed
// under the place and the catalogue looks each hit up by id (tests compare
// the two).
func (f *Finder) search(ctx context.Context, q SearchQuery, scoped bool) (match.SearchResult, *geo.Place, error) {
	var problems []directory.FieldProblem
	for _, c := range []struct {
		field, vocab string
		codes        []string
	}{
		{"type", directory.VocabProviderTypes, q.Types},
		{"specialism", directory.VocabSpecialisms, q.Specialisms},
		{"delivery_mode", directory.VocabDeliveryModes, q.DeliveryModes},
		{"service", directory.VocabServices, q.Services},
		{"incentive", directory.VocabIncentiveKinds, q.Incentives},
		{"accessibility", directory.VocabAccessibility, q.Accessibility},
		{"language", directory.VocabLanguages, q.Languages},
	} {
		problems = append(problems, checkCodes(c.field, c.vocab, c.codes)...)
	}
	if len([]rune(q.Text)) > maxTextLen {
		problems = append(problems, directory.FieldProblem{Field: "q", Message: fmt.Sprintf("must be at most %d characters", maxTextLen)})
	}
	if len(q.Near) > 100 {
		problems = append(problems, directory.FieldProblem{Field: "near", Message: "must be at most 100 characters"})
	}
	if math.IsNaN(q.RadiusKm) || q.RadiusKm < 0 || q.RadiusKm > MaxRadiusKm {
		problems = append(problems, directory.FieldProblem{Field: "radius_km", Message: fmt.Sprintf("must be between 1 and %d", MaxRadiusKm)})
	}
	problems = append(problems, checkPaging(q.Page, q.PerPage)...)
	if len(problems) > 0 {
		return match.SearchResult{}, nil, &directory.ValidationError{Problems: problems}
	}
	req := match.SearchRequest{
		Types: q.Types, Specialisms: q.Specialisms, DeliveryModes: q.DeliveryModes, Services: q.Services,
		Incentives: q.Incentives, Accessibility: q.Accessibility, Languages: q.Languages,
		TakingNewClients: q.TakingNewClients, Page: q.Page, PerPage: q.PerPage, Now: f.now(),
		RadiusKm: q.RadiusKm,
	}
	if req.RadiusKm == 0 {
		req.RadiusKm = DefaultRadiusKm
	}
	var place *geo.Place
	if strings.TrimSpace(q.Near) != "" {
		loc, p, err := f.Locate(ctx, ParseNear(q.Near), "near")
		if err != nil {
			return match.SearchResult{}, nil, renameFields(err, "near")
		}
		req.Near, place = &loc, &p
	}
	req.Seed = searchSeed(q, req.Near, req.RadiusKm)
	if strings.TrimSpace(q.Text) != "" {
		var places []string // with near, only the providers filed there
		if req.Near != nil {
			places = req.Near.Keys()
		}
		var err error
		if scoped {
			// Score only the providers the catalogue could show; the
			// scope collects the hits for the catalogue's Search.
			scope := f.cat.TextScope(req)
			defer scope.Close()
			err = f.ix.SearchIn(ctx, q.Text, places, scope)
			req.Scope = scope
		} else {
			all := &everything{}
			err = f.ix.SearchIn(ctx, q.Text, places, all)
			req.Text = all.hits
		}
		switch {
		case errors.Is(err, index.ErrNoWords):
			// Only punctuation: search as if no text was given.
		case err != nil:
			return match.SearchResult{}, nil, err
		default:
			req.TextQuery = true
		}
	}
	return f.cat.Search(req), place, nil
}

// everything is the index scope of a search that scores every provider
// the index finds, remembering nothing, for comparing with a scoped one.
type everything struct{ hits []match.TextHit }

func (*everything) Numbering() uint64           { return 0 }
func (*everything) Number(string) (int32, bool) { return 0, true }
func (*everything) Keep(int32) bool             { return true }
func (e *everything) Add(id string, score float64, _ int32) {
	e.hits = append(e.hits, match.TextHit{ID: id, Score: score})
}

// searchSeed derives a search's tie-break seed from what it asks for: its
// words, filters and resolved place. Paging is left out, so every page of
// one walk shares one order (a seed hashing the page showed some providers
// twice and others never); spelling is left out too (word case and spacing,
// the order of filter codes, how the place was written), so one question
// asked two ways gives one order.
func searchSeed(q SearchQuery, near *match.Location, radiusKm float64) uint64 {
	codes := func(cs []string) []string {
		out := slices.Clone(cs)
		slices.Sort(out)
		return slices.Compact(out)
	}
	meaning := struct {
		Words                                []string
		Types, Specialisms, Modes, Services  []string
		Incentives, Accessibility, Languages []string
		TakingNew                            *bool
		Near                                 *match.Location
		RadiusKm                             float64
	}{
		Words: strings.Fields(strings.ToLower(q.Text)),
		Types: codes(q.Types), Specialisms: codes(q.Specialisms), Modes: codes(q.DeliveryModes),
		Services: codes(q.Services), Incentives: codes(q.Incentives), Accessibility: codes(q.Accessibility),
		Languages: codes(q.Languages), TakingNew: q.TakingNewClients,
	}
	if near != nil {
		meaning.Near, meaning.RadiusKm = near, radiusKm
	}
	return match.QuerySeed(meaning)
}

// renameFields reports problems with a query parameter's sub-fields on the
// parameter itself ("near.postcode" becomes "near").
func renameFields(err error, field string) error {
	var ve *directory.ValidationError
	if errors.As(err, &ve) {
		out := &directory.ValidationError{}
		for _, p := range ve.Problems {
			out.Problems = append(out.Problems, directory.FieldProblem{Field: field, Message: p.Message})
		}
		return out
	}
	var pe *directory.PlaceError
	if errors.As(err, &pe) {
		return &directory.PlaceError{Field: field, Message: pe.Message}
	}
	return err
}
