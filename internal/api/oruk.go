package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
)

// orukProfile is where the Open Referral UK profile is described.
const orukProfile = "https://openreferraluk.org"

// registerORUK adds the Open Referral UK (HSDS-UK 3.0) API under /oruk: public,
// read-only, and open to pages on any origin.
func (s *Server) registerORUK(r *gin.Engine) {
	// The ORUK root links to the OpenAPI document, so it and its
	// documentation page are served alongside.
	s.registerDocs(r)
	g := r.Group("/oruk", orukCORS)
	g.GET("", s.handle(s.orukMeta)) // the base URL itself: a redirect would fail a browser's cross-origin fetch
	g.GET("/", s.handle(s.orukMeta))
	g.GET("/services", s.handle(s.orukServices))
	g.GET("/services/:id", s.handle(s.orukService))
	g.GET("/taxonomies", s.handle(s.orukTaxonomies))
	g.GET("/taxonomies/:id", s.handle(s.orukTaxonomy))
	g.GET("/taxonomy_terms", s.handle(s.orukTaxonomyTerms))
	g.GET("/taxonomy_terms/:id", s.handle(s.orukTaxonomyTerm))
	g.GET("/service_at_locations", s.handle(s.orukServiceAtLocations))
	g.GET("/service_at_locations/:id", s.handle(s.orukServiceAtLocation))
	for _, p := range []string{"", "/", "/services", "/taxonomies", "/taxonomy_terms", "/service_at_locations"} {
		g.OPTIONS(p, orukPreflight)
	}
	for _, p := range []string{"/services/:id", "/taxonomies/:id", "/taxonomy_terms/:id", "/service_at_locations/:id"} {
		g.OPTIONS(p, orukPreflightID)
	}
}

// orukCORS lets any origin read the ORUK API: it is public data meant for
// other directories' pages. Only /oruk has it.
func orukCORS(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	c.Next()
}

// orukPreflight godoc
//
//	@Summary		CORS preflight for the ORUK API
//	@Description	Answers a browser's preflight: any origin may GET.
//	@Tags			oruk
//	@Success		204
//	@Router			/oruk [options]
//	@Router			/oruk/ [options]
//	@Router			/oruk/services [options]
//	@Router			/oruk/taxonomies [options]
//	@Router			/oruk/taxonomy_terms [options]
//	@Router			/oruk/service_at_locations [options]
func orukPreflight(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Accept, Content-Type")
	h.Set("Access-Control-Max-Age", "86400")
	c.Status(http.StatusNoContent)
}

// orukPreflightID godoc
//
//	@Summary		CORS preflight for the ORUK API
//	@Description	Answers a browser's preflight: any origin may GET.
//	@Tags			oruk
//	@Param			id	path	string	true	"Record id (a UUID)"
//	@Success		204
//	@Router			/oruk/services/{id} [options]
//	@Router			/oruk/taxonomies/{id} [options]
//	@Router			/oruk/taxonomy_terms/{id} [options]
//	@Router			/oruk/service_at_locations/{id} [options]
func orukPreflightID(c *gin.Context) { orukPreflight(c) }

// orukMeta godoc
//
//	@Summary		ORUK API information
//	@Description	The HSDS version and profile this API follows, and where its OpenAPI document is.
//	@Tags			oruk
//	@Produce		json
//	@Success		200	{object}	hsds.Meta
//	@Router			/oruk [get]
//	@Router			/oruk/ [get]
func (s *Server) orukMeta(c *gin.Context) error {
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	writeJSON(c, http.StatusOK, hsds.Meta{
		Version:    "HSDS-UK-3.0",
		Profile:    orukProfile,
		OpenAPIURL: scheme + "://" + c.Request.Host + "/openapi/swagger.json",
	})
	return nil
}

// orukQuery is a list request's paging and filters.
type orukQuery struct {
	page, perPage  int
	words          []string
	termID, taxID  string
	minAge, maxAge *float64
	modifiedAfter  time.Time
}

// parseORUKQuery reads paging and the service filters; every bad value is
// reported at once, each naming its parameter.
func parseORUKQuery(c *gin.Context, filters bool) (orukQuery, []directory.FieldProblem) {
	var q orukQuery
	var problems []directory.FieldProblem
	add := func(field, msg string) {
		problems = append(problems, directory.FieldProblem{Field: field, Message: msg})
	}
	// As on /v1/providers, per_page above the maximum is capped, not refused.
	q.page, q.perPage, problems = pagingProblems(c)
	if !filters {
		return q, problems
	}
	if search := c.Query("search"); len(search) > 200 {
		add("search", "must be at most 200 characters")
	} else {
		// Plain words, matched as text: no query syntax is interpreted.
		q.words = strings.Fields(strings.ToLower(search))
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"taxonomy_term_id", &q.termID}, {"taxonomy_id", &q.taxID}} {
		if v := c.Query(f.name); v != "" {
			if !hsds.IsUUID(v) {
				add(f.name, "must be a UUID")
			}
			*f.dst = v
		}
	}
	for _, f := range []struct {
		name string
		dst  **float64
	}{{"minimum_age", &q.minAge}, {"maximum_age", &q.maxAge}} {
		if v := c.Query(f.name); v != "" {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || n < 0 || n > 150 {
				add(f.name, "must be an age in years from 0 to 150")
				continue
			}
			*f.dst = &n
		}
	}
	if v := c.Query("modified_after"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.Parse(time.DateOnly, v)
		}
		if err != nil {
			add("modified_after", "must be a date-time such as 2024-05-01T00:00:00Z, or a date such as 2024-05-01")
		}
		q.modifiedAfter = t
	}
	return q, problems
}

// keep applies every filter, ANDed, from the record itself: converting every
// record to HSDS to filter took about 8 s at 100,000 providers; a list
// converts only the records on the page it returns.
func (q *orukQuery) keep(p *directory.Provider) bool {
	if !q.modifiedAfter.IsZero() && p.UpdatedAt.Before(q.modifiedAfter) {
		return false
	}
	if len(q.words) > 0 {
		text := hsds.ProviderSearchText(p)
		for _, w := range q.words {
			if !strings.Contains(text, w) {
				return false
			}
		}
	}
	// Age filters compare the limits a service states; the directory's
	// records state none, so an age filter matches only services that do.
	minAge, maxAge := hsds.ProviderAges(p)
	if q.minAge != nil && (minAge == nil || *minAge < *q.minAge) {
		return false
	}
	if q.maxAge != nil && (maxAge == nil || *maxAge > *q.maxAge) {
		return false
	}
	if q.termID != "" && !hsds.ProviderHasTerm(p, q.termID) {
		return false
	}
	if q.taxID != "" && !hsds.ProviderHasTaxonomy(p, q.taxID) {
		return false
	}
	return true
}

// orukProviders returns every provider the public may see (not drafts),
// ordered by name then id, from the in-memory catalogue (or the store when
// the API runs without one). The records are shared with the catalogue:
// callers must not change them.
func (s *Server) orukProviders(ctx context.Context) ([]*directory.Provider, error) {
	var out []*directory.Provider
	var err error
	if s.finderReady() == nil {
		// The catalogue holds every visible provider and answers even
		// when the store cannot be reached.
		s.finder.Catalogue().Each(func(p *directory.Provider) bool {
			out = append(out, p)
			return true
		})
	} else {
		err = s.store.EachProvider(ctx, func(p *directory.Provider) error {
			if p.Visible() {
				cp := *p
				out = append(out, &cp)
			}
			return nil
		})
	}
	slices.SortFunc(out, func(a, b *directory.Provider) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

// orukServices godoc
//
//	@Summary		List services (ORUK)
//	@Description	One page of services with their one-to-one fields and organisation, ordered by name, in the HSDS page envelope. Filters are ANDed. search matches plain words (all of them, any case) in the name, description and services offered. Drafts never appear. per_page above 100 is capped at 100.
//	@Tags			oruk
//	@Produce		json
//	@Param			page				query		int		false	"Page number, from 1"	default(1)
//	@Param			per_page			query		int		false	"Items per page (capped at 100)"	default(20)
//	@Param			search				query		string	false	"Plain words"
//	@Param			taxonomy_term_id	query		string	false	"Only services with this taxonomy term (UUID)"
//	@Param			taxonomy_id			query		string	false	"Only services with a term from this taxonomy (UUID)"
//	@Param			minimum_age			query		number	false	"Only services whose stated minimum age is at least this"
//	@Param			maximum_age			query		number	false	"Only services whose stated maximum age is at most this"
//	@Param			modified_after		query		string	false	"Only services changed on or after this date-time (RFC 3339) or date"
//	@Success		200					{object}	hsds.Page[hsds.Service]
//	@Failure		400					{object}	ErrorResponse
//	@Router			/oruk/services [get]
func (s *Server) orukServices(c *gin.Context) error {
	q, problems := parseORUKQuery(c, true)
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	ps, err := s.orukProviders(c.Request.Context())
	if err != nil {
		return err
	}
	var kept []*directory.Provider
	for _, p := range ps {
		if q.keep(p) {
			kept = append(kept, p)
		}
	}
	page := hsds.MapPage(hsds.Paginate(kept, q.page, q.perPage), func(p *directory.Provider) hsds.Service {
		svc := hsds.FromProvider(p)
		return svc.Brief()
	})
	writeJSON(c, http.StatusOK, page)
	return nil
}

// orukPathID reads the {id} path parameter, which must be a UUID.
func orukPathID(c *gin.Context) (string, error) {
	id := strings.ToLower(c.Param("id"))
	if !hsds.IsUUID(id) {
		return "", directory.Invalid("id", "must be a UUID")
	}
	return id, nil
}

// orukFind returns the visible provider whose service has the given HSDS id.
func (s *Server) orukFind(ctx context.Context, id string) (*directory.Provider, error) {
	p, err := s.store.Provider(ctx, id)
	if err == nil && p.Visible() {
		return p, nil
	}
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return nil, err
	}
	// Providers whose own ids are not UUIDs are known by derived ids.
	ps, err := s.orukProviders(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if hsds.ServiceID(p) == id {
			return p, nil
		}
	}
	return nil, directory.ErrNotFound
}

// orukService godoc
//
//	@Summary		Get a service (ORUK)
//	@Description	The fully nested service: organisation, locations, service areas, schedules, languages, contacts and attributes.
//	@Tags			oruk
//	@Produce		json
//	@Param			id	path		string	true	"Service id (a UUID)"
//	@Success		200	{object}	hsds.Service
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/oruk/services/{id} [get]
func (s *Server) orukService(c *gin.Context) error {
	id, err := orukPathID(c)
	if err != nil {
		return err
	}
	p, err := s.orukFind(c.Request.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, hsds.FromProvider(p))
	return nil
}

// orukTaxonomies godoc
//
//	@Summary		List taxonomies (ORUK)
//	@Description	The directory's controlled vocabularies as HSDS taxonomies, each with its terms, and the brokerfinder_fields taxonomy for attributes that carry values.
//	@Tags			oruk
//	@Produce		json
//	@Param			page		query		int	false	"Page number, from 1"	default(1)
//	@Param			per_page	query		int	false	"Items per page (capped at 100)"	default(20)
//	@Success		200			{object}	hsds.Page[hsds.Taxonomy]
//	@Failure		400			{object}	ErrorResponse
//	@Router			/oruk/taxonomies [get]
func (s *Server) orukTaxonomies(c *gin.Context) error {
	q, problems := parseORUKQuery(c, false)
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	writeJSON(c, http.StatusOK, hsds.Paginate(hsds.Taxonomies(), q.page, q.perPage))
	return nil
}

// orukTaxonomy godoc
//
//	@Summary		Get a taxonomy (ORUK)
//	@Tags			oruk
//	@Produce		json
//	@Param			id	path		string	true	"Taxonomy id (a UUID)"
//	@Success		200	{object}	hsds.Taxonomy
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/oruk/taxonomies/{id} [get]
func (s *Server) orukTaxonomy(c *gin.Context) error {
	id, err := orukPathID(c)
	if err != nil {
		return err
	}
	for _, t := range hsds.Taxonomies() {
		if t.ID == id {
			writeJSON(c, http.StatusOK, t)
			return nil
		}
	}
	return directory.ErrNotFound
}

// orukTaxonomyTerms godoc
//
//	@Summary		List taxonomy terms (ORUK)
//	@Description	Every term of every taxonomy. Term ids are UUIDv5 of "brokerfinder:<taxonomy>:<code>", so they never change.
//	@Tags			oruk
//	@Produce		json
//	@Param			page		query		int	false	"Page number, from 1"	default(1)
//	@Param			per_page	query		int	false	"Items per page (capped at 100)"	default(20)
//	@Success		200			{object}	hsds.Page[hsds.TaxonomyTerm]
//	@Failure		400			{object}	ErrorResponse
//	@Router			/oruk/taxonomy_terms [get]
func (s *Server) orukTaxonomyTerms(c *gin.Context) error {
	q, problems := parseORUKQuery(c, false)
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	writeJSON(c, http.StatusOK, hsds.Paginate(hsds.TaxonomyTerms(), q.page, q.perPage))
	return nil
}

// orukTaxonomyTerm godoc
//
//	@Summary		Get a taxonomy term (ORUK)
//	@Tags			oruk
//	@Produce		json
//	@Param			id	path		string	true	"Taxonomy term id (a UUID)"
//	@Success		200	{object}	hsds.TaxonomyTerm
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/oruk/taxonomy_terms/{id} [get]
func (s *Server) orukTaxonomyTerm(c *gin.Context) error {
	id, err := orukPathID(c)
	if err != nil {
		return err
	}
	for _, t := range hsds.TaxonomyTerms() {
		if t.ID == id {
			writeJSON(c, http.StatusOK, t)
			return nil
		}
	}
	return directory.ErrNotFound
}

// placeFilter is a service_at_locations place filter: the centre of a
// postcode district and, with proximity, a distance from it.
type placeFilter struct {
	district  string
	town      string
	centre    directory.LatLon
	proximity float64 // metres; 0 means check coverage instead
}

// outwardCode returns the district part of a postcode ("LS1 1AN" or "ls11an"
// gives "LS1"; a bare district is returned as it is), or "".
func outwardCode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if directory.ValidDistrict(s) {
		return s
	}
	n := directory.NormalizePostcode(s)
	if !directory.ValidPostcode(n) {
		return ""
	}
	return n[:strings.IndexByte(n, ' ')]
}

// parsePlace reads postcode and proximity. The postcode is placed by the
// service's geocoder, the same as search and match use.
func (s *Server) parsePlace(c *gin.Context) (*placeFilter, []directory.FieldProblem) {
	pc, prox := c.Query("postcode"), c.Query("proximity")
	var problems []directory.FieldProblem
	f := &placeFilter{}
	if prox != "" {
		m, err := strconv.ParseFloat(prox, 64)
		if err != nil || m <= 0 || m > 1_000_000 {
			problems = append(problems, directory.FieldProblem{Field: "proximity", Message: "must be a distance in metres from 1 to 1000000"})
		}
		f.proximity = m
		if pc == "" {
			problems = append(problems, directory.FieldProblem{Field: "postcode", Message: "is needed with proximity"})
		}
	}
	if pc == "" {
		if len(problems) > 0 {
			return nil, problems
		}
		return nil, nil
	}
	f.district = outwardCode(pc)
	if f.district == "" {
		return nil, append(problems, directory.FieldProblem{Field: "postcode", Message: "must be a UK postcode such as LS1 1AN, or a district such as LS1"})
	}
	if s.finderReady() != nil {
		return nil, append(problems, directory.FieldProblem{Field: "postcode", Message: "cannot be placed: the service is still starting"})
	}
	loc, _, err := s.finder.Locate(c.Request.Context(), finder.LocationQuery{Postcode: pc}, "postcode")
	if err != nil {
		var pe *directory.PlaceError
		var ve *directory.ValidationError
		switch {
		case errors.As(err, &pe):
			return nil, append(problems, directory.FieldProblem{Field: "postcode", Message: pe.Message})
		case errors.As(err, &ve):
			return nil, append(problems, directory.FieldProblem{Field: "postcode", Message: "must be a UK postcode such as LS1 1AN, or a district such as LS1"})
		}
		return nil, append(problems, directory.FieldProblem{Field: "postcode", Message: "cannot be placed just now; try again"})
	}
	f.centre, f.town = loc.Point, loc.Town
	return f, problems
}

// covers reports whether the provider's coverage includes the place: the
// rules that need no geocoder (national, postcode districts, radius or travel
// distance from a site).
func (f *placeFilter) covers(p *directory.Provider) bool {
	c := &p.Coverage
	if c.National || slices.Contains(c.PostcodeDistricts, f.district) {
		return true
	}
	if f.town != "" && slices.ContainsFunc(c.Areas, func(a string) bool { return strings.EqualFold(a, f.town) }) {
		return true
	}
	for _, s := range p.Sites {
		if s.Location == nil {
			continue
		}
		d := directory.DistanceKm(f.centre, *s.Location)
		if (c.RadiusKm > 0 && d <= c.RadiusKm) || (c.TravelsToClients && d <= c.TravelRadiusKm) {
			return true
		}
	}
	return false
}

// near reports whether a site is within the proximity.
func (f *placeFilter) near(s *directory.Site) bool {
	return s.Location != nil && directory.DistanceKm(f.centre, *s.Location)*1000 <= f.proximity
}

// orukServiceAtLocations godoc
//
//	@Summary		List services at locations (ORUK)
//	@Description	One entry per provider site, with the location's and service's one-to-one fields, in the HSDS page envelope, ordered by provider name. Takes the services filters, and postcode: alone it keeps providers whose coverage includes the postcode's district (national, district list, the district's town among the areas, or within a site's radius); with proximity (metres) it keeps sites that near. A postcode is placed by the service's geocoder; one that cannot be placed gives 400 naming postcode.
//	@Tags			oruk
//	@Produce		json
//	@Param			page				query		int		false	"Page number, from 1"	default(1)
//	@Param			per_page			query		int		false	"Items per page (capped at 100)"	default(20)
//	@Param			search				query		string	false	"Plain words"
//	@Param			taxonomy_term_id	query		string	false	"Only services with this taxonomy term (UUID)"
//	@Param			taxonomy_id			query		string	false	"Only services with a term from this taxonomy (UUID)"
//	@Param			minimum_age			query		number	false	"Only services whose stated minimum age is at least this"
//	@Param			maximum_age			query		number	false	"Only services whose stated maximum age is at most this"
//	@Param			modified_after		query		string	false	"Only services changed on or after this date-time (RFC 3339) or date"
//	@Param			postcode			query		string	false	"UK postcode or district"
//	@Param			proximity			query		number	false	"Metres from the postcode's centre (needs postcode)"
//	@Success		200					{object}	hsds.Page[hsds.ServiceAtLocation]
//	@Failure		400					{object}	ErrorResponse
//	@Router			/oruk/service_at_locations [get]
func (s *Server) orukServiceAtLocations(c *gin.Context) error {
	q, problems := parseORUKQuery(c, true)
	ps, err := s.orukProviders(c.Request.Context())
	if err != nil {
		return err
	}
	place, more := s.parsePlace(c)
	if problems = append(problems, more...); len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	// One entry per site; only the entries on the page are converted.
	type entry struct {
		p    *directory.Provider
		site int
	}
	var kept []entry
	for _, p := range ps {
		if !q.keep(p) || (place != nil && place.proximity == 0 && !place.covers(p)) {
			continue
		}
		for j := range p.Sites {
			if place != nil && place.proximity > 0 && !place.near(&p.Sites[j]) {
				continue
			}
			kept = append(kept, entry{p, j})
		}
	}
	var last *directory.Provider
	var svc hsds.Service
	var brief hsds.Service
	page := hsds.MapPage(hsds.Paginate(kept, q.page, q.perPage), func(e entry) hsds.ServiceAtLocation {
		if e.p != last {
			last, svc = e.p, hsds.FromProvider(e.p)
			brief = svc.Brief()
		}
		sal := svc.ServiceAtLocations[e.site]
		loc := sal.Location.Brief()
		b := brief
		sal.Location, sal.Service = &loc, &b
		return sal
	})
	writeJSON(c, http.StatusOK, page)
	return nil
}

// orukServiceAtLocation godoc
//
//	@Summary		Get a service at a location (ORUK)
//	@Description	The fully nested location and its service (the service without its other locations).
//	@Tags			oruk
//	@Produce		json
//	@Param			id	path		string	true	"Service-at-location id (a UUID)"
//	@Success		200	{object}	hsds.ServiceAtLocation
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/oruk/service_at_locations/{id} [get]
func (s *Server) orukServiceAtLocation(c *gin.Context) error {
	id, err := orukPathID(c)
	if err != nil {
		return err
	}
	ps, err := s.orukProviders(c.Request.Context())
	if err != nil {
		return err
	}
	for _, p := range ps {
		for j := range p.Sites {
			if hsds.ServiceAtLocationID(p, &p.Sites[j]) != id {
				continue
			}
			svc := hsds.FromProvider(p)
			sal := svc.ServiceAtLocations[j]
			svc.ServiceAtLocations = nil
			sal.Service = &svc
			writeJSON(c, http.StatusOK, sal)
			return nil
		}
	}
	return directory.ErrNotFound
}
