package api

import (
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
	g.GET("/organizations", s.handle(s.orukOrganizations))
	g.GET("/organizations/:id", s.handle(s.orukOrganization))
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
//	@Description	The HSDS version and profile this API follows, and where the OpenAPI 3 document of these endpoints is. The URL's scheme and host are the request's, or X-Forwarded-Proto and X-Forwarded-Host when the request comes from a trusted proxy (BROKERFINDER_TRUSTED_PROXIES).
//	@Tags			oruk
//	@Produce		json
//	@Success		200	{object}	hsds.Meta
//	@Router			/oruk [get]
//	@Router			/oruk/ [get]
func (s *Server) orukMeta(c *gin.Context) error {
	scheme, host := s.publicOrigin(c)
	writeJSON(c, http.StatusOK, hsds.Meta{
		Version:    "HSDS-UK-3.0",
		Profile:    orukProfile,
		OpenAPIURL: scheme + "://" + host + "/openapi/oruk.json",
	})
	return nil
}

// Query parameters each ORUK list takes. Any other is refused, naming it,
// as /v1/search does: a filter that was not applied must never give a list
// that looks filtered.
var (
	orukPaging         = []string{"page", "per_page"}
	orukServiceFilters = append([]string{
		"search", "taxonomy_term_id", "taxonomy_id", "minimum_age", "maximum_age", "modified_after",
		"organization_id", "day", "start_time", "end_time",
	}, orukPaging...)
	orukPlaceFilters = append([]string{"postcode", "proximity"}, orukServiceFilters...)
)

// parseORUKQuery reads paging and, for services, the filters; every bad
// value and every parameter the endpoint does not take is reported at once,
// each naming its parameter.
func parseORUKQuery(c *gin.Context, allowed []string) (finder.ORUKQuery, []directory.FieldProblem) {
	var q finder.ORUKQuery
	var problems []directory.FieldProblem
	add := func(field, msg string) {
		problems = append(problems, directory.FieldProblem{Field: field, Message: msg})
	}
	names := make([]string, 0, len(c.Request.URL.Query()))
	for name := range c.Request.URL.Query() {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			add(name, "is not a parameter of this list (it takes "+strings.Join(allowed, ", ")+")")
		}
	}
	// As on /v1/providers, per_page above the maximum is capped, not refused.
	var more []directory.FieldProblem
	q.Page, q.PerPage, more = pagingProblems(c)
	problems = append(problems, more...)
	f := &q.Filter
	if search := c.Query("search"); len(search) > 200 {
		add("search", "must be at most 200 characters")
	} else {
		// Plain words, matched as text: no query syntax is interpreted.
		f.Words = strings.Fields(strings.ToLower(search))
	}
	for _, id := range []struct {
		name string
		dst  *string
	}{{"taxonomy_term_id", &f.TermID}, {"taxonomy_id", &f.TaxonomyID}, {"organization_id", &f.OrganizationID}} {
		if v := c.Query(id.name); v != "" {
			if !hsds.IsUUID(v) {
				add(id.name, "must be a UUID")
			}
			*id.dst = strings.ToLower(v)
		}
	}
	for _, age := range []struct {
		name string
		dst  **float64
	}{{"minimum_age", &f.MinAge}, {"maximum_age", &f.MaxAge}} {
		if v := c.Query(age.name); v != "" {
			n, err := strconv.ParseFloat(v, 64)
			// Written so NaN fails too: every comparison with NaN is false.
			if err != nil || !(n >= 0 && n <= 150) {
				add(age.name, "must be an age in years from 0 to 150")
				continue
			}
			*age.dst = &n
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
		f.ModifiedAfter = t
	}
	if v := c.Query("day"); v != "" {
		d, ok := hsds.ParseDay(v)
		if !ok {
			add("day", "must be a day such as MO or Monday")
		}
		f.Day = d
	}
	for _, tm := range []struct {
		name string
		dst  *string
	}{{"start_time", &f.StartTime}, {"end_time", &f.EndTime}} {
		if v := c.Query(tm.name); v != "" {
			hm, ok := hsds.ParseTime(v)
			if !ok {
				add(tm.name, "must be a time of day such as 09:30 or 09:30:00")
			}
			*tm.dst = hm
		}
	}
	return q, problems
}

// orukFinder is the finder, once it can answer: ORUK lists and lookups are
// answered from its catalogue, by the rules a match uses.
func (s *Server) orukFinder() (*finder.Finder, error) {
	if err := s.finderReady(); err != nil {
		return nil, err
	}
	return s.finder, nil
}

// orukServices godoc
//
//	@Summary		List services (ORUK)
//	@Description	One page of services with their one-to-one fields and organisation, ordered by name, in the HSDS page envelope. Filters are ANDed. search matches plain words (all of them, any case) in the name, description and services offered. day, start_time and end_time keep services with one opening (at any site) on that day, opening at or after start_time and closing at or before end_time. Drafts never appear. per_page above 100 is capped at 100. A parameter the list does not take is refused with 400 naming it.
//	@Tags			oruk
//	@Produce		json
//	@Param			page				query		int		false	"Page number, from 1"	default(1)
//	@Param			per_page			query		int		false	"Items per page (capped at 100)"	default(20)
//	@Param			search				query		string	false	"Plain words"
//	@Param			taxonomy_term_id	query		string	false	"Only services with this taxonomy term (UUID)"
//	@Param			taxonomy_id			query		string	false	"Only services with a term from this taxonomy (UUID)"
//	@Param			organization_id		query		string	false	"Only services of this organization (UUID)"
//	@Param			minimum_age			query		number	false	"Only services whose stated minimum age is at least this"
//	@Param			maximum_age			query		number	false	"Only services whose stated maximum age is at most this"
//	@Param			modified_after		query		string	false	"Only services changed on or after this date-time (RFC 3339) or date"
//	@Param			day					query		string	false	"Only services open on this day (MO to SU, or the day's name)"
//	@Param			start_time			query		string	false	"Only services with an opening starting at or after this time (HH:MM)"
//	@Param			end_time			query		string	false	"Only services with an opening ending at or before this time (HH:MM)"
//	@Success		200					{object}	hsds.Page[hsds.Service]
//	@Failure		400					{object}	ErrorResponse
//	@Failure		503					{object}	ErrorResponse
//	@Router			/oruk/services [get]
func (s *Server) orukServices(c *gin.Context) error {
	q, problems := parseORUKQuery(c, orukServiceFilters)
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	f, err := s.orukFinder()
	if err != nil {
		return err
	}
	ps, total := f.ORUKServices(q)
	setLinks(c, q.Page, q.PerPage, int64(total))
	writeJSON(c, http.StatusOK, hsds.MapPage(orukPage(ps, total, q), func(p *directory.Provider) hsds.Service {
		return hsds.FromProvider(p).Brief()
	}))
	return nil
}

// orukPage is the envelope of one page of total items.
func orukPage[T any](items []T, total int, q finder.ORUKQuery) hsds.Page[T] {
	pages := (total + q.PerPage - 1) / q.PerPage
	if items == nil {
		items = []T{}
	}
	return hsds.Page[T]{
		TotalItems: total, TotalPages: pages, PageNumber: q.Page, Size: len(items),
		FirstPage: q.Page == 1, LastPage: q.Page >= pages, Empty: len(items) == 0, Contents: items,
	}
}

// orukPathID reads the {id} path parameter, which must be a UUID.
func orukPathID(c *gin.Context) (string, error) {
	id := strings.ToLower(c.Param("id"))
	if !hsds.IsUUID(id) {
		return "", directory.Invalid("id", "must be a UUID")
	}
	return id, nil
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
//	@Failure		503	{object}	ErrorResponse
//	@Router			/oruk/services/{id} [get]
func (s *Server) orukService(c *gin.Context) error {
	return orukByID(s, c, (*finder.Finder).ORUKService, func(p *directory.Provider) any { return hsds.FromProvider(p) })
}

// orukByID answers an ORUK lookup by the id in the path: lookup finds the
// record in the search copies and render maps it to HSDS.
func orukByID[T any](s *Server, c *gin.Context, lookup func(*finder.Finder, string) (T, bool), render func(T) any) error {
	id, err := orukPathID(c)
	if err != nil {
		return err
	}
	f, err := s.orukFinder()
	if err != nil {
		return err
	}
	r, ok := lookup(f, id)
	if !ok {
		return directory.ErrNotFound
	}
	writeJSON(c, http.StatusOK, render(r))
	return nil
}

// orukOrganizations godoc
//
//	@Summary		List organizations (ORUK)
//	@Description	One page of the organisations running the directory's services, with their one-to-one fields, ordered by name, in the HSDS page envelope. An organisation imported from another directory keeps its id and name, and may run several services; otherwise each provider is its own organisation.
//	@Tags			oruk
//	@Produce		json
//	@Param			page		query		int	false	"Page number, from 1"	default(1)
//	@Param			per_page	query		int	false	"Items per page (capped at 100)"	default(20)
//	@Success		200			{object}	hsds.Page[hsds.Organization]
//	@Failure		400			{object}	ErrorResponse
//	@Failure		503			{object}	ErrorResponse
//	@Router			/oruk/organizations [get]
func (s *Server) orukOrganizations(c *gin.Context) error {
	q, problems := parseORUKQuery(c, orukPaging)
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	f, err := s.orukFinder()
	if err != nil {
		return err
	}
	orgs, total := f.ORUKOrganizations(q.Page, q.PerPage)
	setLinks(c, q.Page, q.PerPage, int64(total))
	writeJSON(c, http.StatusOK, hsds.MapPage(orukPage(orgs, total, q), func(o finder.Organization) hsds.Organization {
		return hsds.OrganizationBrief(o.Providers[0])
	}))
	return nil
}

// orukOrganization godoc
//
//	@Summary		Get an organization (ORUK)
//	@Description	The fully nested organisation with its attributes and every service it runs, each fully nested.
//	@Tags			oruk
//	@Produce		json
//	@Param			id	path		string	true	"Organization id (a UUID)"
//	@Success		200	{object}	hsds.Organization
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		503	{object}	ErrorResponse
//	@Router			/oruk/organizations/{id} [get]
func (s *Server) orukOrganization(c *gin.Context) error {
	return orukByID(s, c, (*finder.Finder).ORUKOrganization, func(o finder.Organization) any { return hsds.OrganizationFull(o.Providers) })
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
	q, problems := parseORUKQuery(c, orukPaging)
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	setLinks(c, q.Page, q.PerPage, int64(len(hsds.Taxonomies())))
	writeJSON(c, http.StatusOK, hsds.Paginate(hsds.Taxonomies(), q.Page, q.PerPage))
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
	q, problems := parseORUKQuery(c, orukPaging)
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	setLinks(c, q.Page, q.PerPage, int64(len(hsds.TaxonomyTerms())))
	writeJSON(c, http.StatusOK, hsds.Paginate(hsds.TaxonomyTerms(), q.Page, q.PerPage))
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

// parsePlace reads postcode and proximity into q. The postcode is placed by
// the service's geocoder, the same as search and match use.
func (s *Server) parsePlace(c *gin.Context, q *finder.ORUKQuery, locate bool) ([]directory.FieldProblem, error) {
	pc, prox := c.Query("postcode"), c.Query("proximity")
	var problems []directory.FieldProblem
	if prox != "" {
		m, err := strconv.ParseFloat(prox, 64)
		// Written so NaN fails too: every comparison with NaN is false.
		if err != nil || !(m >= 1 && m <= 1_000_000) {
			problems = append(problems, directory.FieldProblem{Field: "proximity", Message: "must be a distance in metres from 1 to 1000000"})
		}
		q.ProximityKm = m / 1000
		if pc == "" {
			problems = append(problems, directory.FieldProblem{Field: "postcode", Message: "is needed with proximity"})
		}
	}
	if pc == "" {
		return problems, nil
	}
	if outwardCode(pc) == "" {
		return append(problems, directory.FieldProblem{Field: "postcode", Message: "must be a UK postcode such as LS1 1AN, or a district such as LS1"}), nil
	}
	if len(problems) > 0 || !locate {
		return problems, nil
	}
	// As on /v1: the search copies still loading is 503 unavailable, and
	// a well-formed postcode nobody can place 422 unknown_place.
	if err := s.finderReady(); err != nil {
		return nil, err
	}
	loc, _, err := s.finder.Locate(c.Request.Context(), finder.LocationQuery{Postcode: pc}, "postcode")
	if err != nil {
		var pe *directory.PlaceError
		var ve *directory.ValidationError
		switch {
		case errors.As(err, &pe):
			return nil, &directory.PlaceError{Field: "postcode", Message: pe.Message}
		case errors.As(err, &ve):
			return []directory.FieldProblem{{Field: "postcode", Message: "must be a UK postcode such as LS1 1AN, or a district such as LS1"}}, nil
		}
		return nil, err
	}
	q.Near = &loc
	return nil, nil
}

// orukServiceAtLocations godoc
//
//	@Summary		List services at locations (ORUK)
//	@Description	One entry per provider site, with the location's and service's one-to-one fields, in the HSDS page envelope, ordered by provider name. Takes the services filters (day, start_time and end_time against the site's own opening hours), and postcode: it keeps providers whose coverage includes the postcode by the rules a match uses (national, postcode district, named area, polygon, or within a site's radius or how far staff travel); with proximity (metres) it keeps only their sites that near. A postcode is placed by the service's geocoder; a well-formed one it cannot place gives 422 unknown_place naming postcode, as on /v1. A parameter the list does not take is refused with 400 naming it.
//	@Tags			oruk
//	@Produce		json
//	@Param			page				query		int		false	"Page number, from 1"	default(1)
//	@Param			per_page			query		int		false	"Items per page (capped at 100)"	default(20)
//	@Param			search				query		string	false	"Plain words"
//	@Param			taxonomy_term_id	query		string	false	"Only services with this taxonomy term (UUID)"
//	@Param			taxonomy_id			query		string	false	"Only services with a term from this taxonomy (UUID)"
//	@Param			organization_id		query		string	false	"Only services of this organization (UUID)"
//	@Param			minimum_age			query		number	false	"Only services whose stated minimum age is at least this"
//	@Param			maximum_age			query		number	false	"Only services whose stated maximum age is at most this"
//	@Param			modified_after		query		string	false	"Only services changed on or after this date-time (RFC 3339) or date"
//	@Param			day					query		string	false	"Only sites open on this day (MO to SU, or the day's name)"
//	@Param			start_time			query		string	false	"Only sites with an opening starting at or after this time (HH:MM)"
//	@Param			end_time			query		string	false	"Only sites with an opening ending at or before this time (HH:MM)"
//	@Param			postcode			query		string	false	"UK postcode or district"
//	@Param			proximity			query		number	false	"Metres from the postcode's centre, 1 to 1000000 (needs postcode)"
//	@Success		200					{object}	hsds.Page[hsds.ServiceAtLocation]
//	@Failure		400					{object}	ErrorResponse
//	@Failure		422					{object}	ErrorResponse
//	@Failure		503					{object}	ErrorResponse
//	@Router			/oruk/service_at_locations [get]
func (s *Server) orukServiceAtLocations(c *gin.Context) error {
	// Every malformed parameter is reported at once; only a request with
	// none has its postcode placed.
	q, problems := parseORUKQuery(c, orukPlaceFilters)
	more, err := s.parsePlace(c, &q, len(problems) == 0)
	if problems = append(problems, more...); len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	if err != nil {
		return err
	}
	f, err := s.orukFinder()
	if err != nil {
		return err
	}
	refs, total := f.ORUKServiceAtLocations(q)
	setLinks(c, q.Page, q.PerPage, int64(total))
	// Only the entries on the page are converted, each provider once.
	var last *directory.Provider
	var svc, brief hsds.Service
	writeJSON(c, http.StatusOK, hsds.MapPage(orukPage(refs, total, q), func(r finder.SiteRef) hsds.ServiceAtLocation {
		if r.Provider != last {
			last, svc = r.Provider, hsds.FromProvider(r.Provider)
			brief = svc.Brief()
		}
		sal := svc.ServiceAtLocations[r.Site]
		loc := sal.Location.Brief()
		b := brief
		sal.Location, sal.Service = &loc, &b
		return sal
	}))
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
//	@Failure		503	{object}	ErrorResponse
//	@Router			/oruk/service_at_locations/{id} [get]
func (s *Server) orukServiceAtLocation(c *gin.Context) error {
	return orukByID(s, c, (*finder.Finder).ORUKServiceAtLocation, func(r finder.SiteRef) any {
		svc := hsds.FromProvider(r.Provider)
		sal := svc.ServiceAtLocations[r.Site]
		svc.ServiceAtLocations = nil
		sal.Service = &svc
		return sal
	})
}
