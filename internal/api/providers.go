package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// ProviderList is one page of providers.
type ProviderList struct {
	Items   []directory.Provider `json:"items"`
	Total   int64                `json:"total"`
	Page    int                  `json:"page"`
	PerPage int                  `json:"per_page"`
} // @name ProviderList

// listProviders godoc
//
//	@Summary		List providers
//	@Description	Role rule: public; listing drafts needs a token (any role). One page of providers ordered by name, with the total. Without a token, drafts are never listed. per_page above 100 is capped at 100.
//	@Tags			providers
//	@Produce		json
//	@Param			page		query		int		false	"Page number, from 1"	default(1)
//	@Param			per_page	query		int		false	"Items per page (capped at 100)"	default(20)
//	@Param			type		query		string	false	"Provider type code (vocabulary provider_types)"
//	@Param			status		query		string	false	"Status code (vocabulary statuses); draft needs a token"
//	@Param			specialism	query		string	false	"Specialism code (vocabulary specialisms)"
//	@Param			area		query		string	false	"Area name, site town or postcode district, any case"
//	@Success		200			{object}	ProviderList
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Router			/v1/providers [get]
func (s *Server) listProviders(c *gin.Context) error {
	page, per, problems := pagingProblems(c)
	f := directory.ProviderFilter{Page: page, PerPage: per, Area: strings.TrimSpace(c.Query("area"))}
	for _, q := range []struct {
		name, vocab string
		dst         *string
	}{
		{"type", directory.VocabProviderTypes, &f.Type},
		{"specialism", directory.VocabSpecialisms, &f.Specialism},
	} {
		v := c.Query(q.name)
		if v != "" && !directory.MustVocabulary(q.vocab).Has(v) {
			problems = append(problems, directory.FieldProblem{Field: q.name, Message: fmt.Sprintf("is not a code in vocabulary %s", q.vocab)})
		}
		*q.dst = v
	}
	if len(f.Area) > 100 {
		problems = append(problems, directory.FieldProblem{Field: "area", Message: "must be at most 100 characters"})
	}
	status := c.Query("status")
	if status != "" && !directory.MustVocabulary(directory.VocabStatuses).Has(status) {
		problems = append(problems, directory.FieldProblem{Field: "status", Message: "is not a code in vocabulary statuses"})
	}
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	tok, err := s.optionalToken(c)
	if err != nil {
		return err
	}
	switch {
	case status != "":
		if status == directory.StatusDraft && tok == nil {
			return directory.ErrUnauthorized
		}
		f.Statuses = []string{status}
	case tok == nil:
		f.Statuses = []string{directory.StatusPublished, directory.StatusSuspended, directory.StatusEnded}
	}
	var items []directory.Provider
	var total int64
	if !slices.Contains(f.Statuses, directory.StatusDraft) && len(f.Statuses) > 0 && s.finderReady() == nil {
		// The catalogue holds every provider but drafts, and lists them
		// in milliseconds; the embedded store takes seconds at 100,000.
		items, total = s.finder.List(f)
	} else {
		var err error
		items, total, err = s.store.ListProviders(c.Request.Context(), f)
		if err != nil {
			return err
		}
	}
	out := make([]directory.Provider, len(items)) // never the catalogue's own
	for i, p := range items {
		if tok == nil {
			p = publicRecord(p)
		}
		out[i] = p
	}
	setLinks(c, page, per, total)
	writeJSON(c, http.StatusOK, ProviderList{Items: out, Total: total, Page: page, PerPage: per})
	return nil
}

// getProvider godoc
//
//	@Summary		Get a provider
//	@Description	Role rule: public; drafts need a token (any role). The whole record, with verification_overdue true when it was last verified over six months ago. Without a token freshness.verified_by is "provider" or "directory_team" only (older records' names show as directory_team); with a token it is as stored. The ETag header carries its version, for If-Match on updates. Drafts need a token.
//	@Tags			providers
//	@Produce		json
//	@Param			id	path		string	true	"Provider id"
//	@Success		200	{object}	ProviderView
//	@Header			200	{string}	ETag	"The record's version"
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/providers/{id} [get]
func (s *Server) getProvider(c *gin.Context) error {
	p, err := s.loadProvider(c)
	if errors.Is(err, directory.ErrUnavailable) && s.finderReady() == nil {
		// The store cannot be reached: answer from the catalogue, which
		// holds every visible provider as of the last change it saw.
		if held, ok := s.finder.Provider(c.Param("id")); ok {
			c.Header("Warning", `110 - "from the search copy: the store cannot be reached"`)
			s.writeProvider(c, http.StatusOK, held)
			return nil
		}
	}
	if err != nil {
		return err
	}
	if !p.Visible() {
		tok, err := s.optionalToken(c)
		if err != nil {
			return err
		}
		if tok == nil {
			return directory.ErrNotFound
		}
	}
	s.writeProvider(c, http.StatusOK, p)
	return nil
}

// createProvider godoc
//
//	@Summary		Create a provider
//	@Description	Role rule: admin only. Validates the whole record and reports every problem at once. The server sets version, created_at and updated_at; id is generated unless given.
//	@Tags			providers
//	@Accept			json
//	@Produce		json
//	@Security		BearerToken
//	@Param			provider	body		directory.Provider	true	"The provider"
//	@Success		201			{object}	ProviderView
//	@Header			201			{string}	ETag		"The record's version"
//	@Header			201			{string}	Location	"The record's URL"
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Failure		409			{object}	ErrorResponse
//	@Failure		413			{object}	ErrorResponse
//	@Failure		415			{object}	ErrorResponse
//	@Router			/v1/providers [post]
func (s *Server) createProvider(c *gin.Context) error {
	var p directory.Provider
	if err := s.decodeJSON(c, &p); err != nil {
		return err
	}
	if err := s.svc.CreateProvider(c.Request.Context(), &p); err != nil {
		return err
	}
	c.Header("Location", "/v1/providers/"+p.ID)
	s.writeProvider(c, http.StatusCreated, &p)
	return nil
}

// updateProvider godoc
//
//	@Summary		Replace a provider
//	@Description	Role rule: admin, or a provider editor for their own provider only (403 for any other). A provider editor may not change status or contract_status (403), and freshness is kept: confirm accuracy with POST /v1/providers/{id}/verify. Replaces the whole record; a replacement that changes nothing makes no new version. Read-only fields (version, created_at, updated_at, verification_overdue) may be sent and are ignored, so a client can PUT back what it read. To change a few fields, use PATCH. A provider editor's changes to reviewed fields (type, coverage, performance, organisation.jobcentre_plus_run, sites at a Jobcentre, the jobcentre delivery mode, incentives' amounts and recipients) are held for an admin's review: the rest goes live, and the answer's pending_review names the fields held (see GET /v1/providers/{id}/pending-change). Needs If-Match with the ETag from your last read: without it 428, if someone changed the record since, 412, and nothing is written.
//	@Tags			providers
//	@Accept			json
//	@Produce		json
//	@Security		BearerToken
//	@Param			id			path		string				true	"Provider id"
//	@Param			If-Match	header		string				true	"ETag from your last read"
//	@Param			provider	body		ProviderInput		true	"The provider: what GET returned may be sent back, read-only fields and all (they are ignored)"
//	@Success		200			{object}	ProviderView
//	@Header			200			{string}	ETag	"The record's version"
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		404			{object}	ErrorResponse
//	@Failure		412			{object}	ErrorResponse
//	@Failure		428			{object}	ErrorResponse
//	@Router			/v1/providers/{id} [put]
func (s *Server) updateProvider(c *gin.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in ProviderInput
	if err := s.decodeJSON(c, &in); err != nil {
		return err
	}
	return s.replaceProvider(c, &in.Provider, version)
}

// replaceProvider stores p as the record in the URL, from version: what
// PUT and PATCH share once each has the whole new record.
func (s *Server) replaceProvider(c *gin.Context, p *directory.Provider, version int64) error {
	id := c.Param("id")
	tok := caller(c)
	if !OwnsProvider(tok, id) {
		return forbidden("A provider editor can change only their own listing.")
	}
	if p.ID != "" && p.ID != id {
		return directory.Invalid("id", "must match the id in the URL (or be left out)")
	}
	p.ID = id
	// Public reads show verified_by as a kind (publicRecord); a record read
	// that way and sent back keeps what is stored, so it changes nothing.
	if cur, err := s.store.Provider(c.Request.Context(), id); err == nil && p.Freshness != cur.Freshness &&
		p.Freshness == directory.PublicFreshness(cur.Freshness) {
		p.Freshness = cur.Freshness
	}
	edit, err := s.svc.EditProvider(c.Request.Context(), p, version)
	if err != nil {
		return err
	}
	c.Header("ETag", etag(p.Version))
	writeJSON(c, http.StatusOK, ProviderView{Provider: p, VerificationOverdue: p.VerificationOverdue(s.now()), PendingReview: pendingReview(edit.Held)})
	return nil
}

// endProvider godoc
//
//	@Summary		End a provider
//	@Description	Role rule: admin only. Marks the provider ended (status and contract). Nothing is deleted: the record stays readable. Needs If-Match like an update.
//	@Tags			providers
//	@Produce		json
//	@Security		BearerToken
//	@Param			id			path		string	true	"Provider id"
//	@Param			If-Match	header		string	true	"ETag from your last read"
//	@Success		200			{object}	ProviderView
//	@Failure		401			{object}	ErrorResponse
//	@Failure		404			{object}	ErrorResponse
//	@Failure		412			{object}	ErrorResponse
//	@Failure		428			{object}	ErrorResponse
//	@Router			/v1/providers/{id} [delete]
func (s *Server) endProvider(c *gin.Context) error {
	return s.changeProvider(c, s.svc.EndProvider)
}

// changeProvider runs a write that changes part of the record in the URL,
// from the version in If-Match, and renders the result.
func (s *Server) changeProvider(c *gin.Context, change func(ctx context.Context, id string, version int64) (*directory.Provider, error)) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	id := c.Param("id")
	if !directory.ValidID(id) {
		return directory.ErrNotFound
	}
	p, err := change(c.Request.Context(), id, version)
	if err != nil {
		return err
	}
	s.writeProvider(c, http.StatusOK, p)
	return nil
}

func (s *Server) loadProvider(c *gin.Context) (*directory.Provider, error) {
	id := c.Param("id")
	if !directory.ValidID(id) {
		return nil, directory.ErrNotFound
	}
	return s.store.Provider(c.Request.Context(), id)
}

// ProviderView is a provider as the API returns it: the record, and whether
// its verification is overdue (over six months; clients' match results
// carry a gentler "stale" flag after a year).
type ProviderView struct {
	*directory.Provider
	VerificationOverdue bool `json:"verification_overdue" readonly:"true"`
	// PendingReview is set in the answer to a provider editor's PUT or
	// PATCH that changed reviewed fields: those are held for an admin, and
	// the record returned (and the public listing) is without them.
	PendingReview *PendingReview `json:"pending_review,omitempty" readonly:"true"`
} // @name ProviderView

// ProviderInput is a provider as a client sends it to PUT: what GET
// returned may be sent back as it is. The read-only fields (version,
// created_at, updated_at, verification_overdue, pending_review) are
// accepted and ignored.
type ProviderInput struct {
	directory.Provider
	VerificationOverdue *bool          `json:"verification_overdue,omitempty" readonly:"true"`
	PendingReview       *PendingReview `json:"pending_review,omitempty" readonly:"true"`
} // @name ProviderInput

// writeProvider writes p, as the public sees it unless the caller holds a
// valid token (staff read the stored record, so what they PUT back is what
// is stored).
func (s *Server) writeProvider(c *gin.Context, status int, p *directory.Provider) {
	c.Header("ETag", etag(p.Version))
	out := p
	if !s.isStaff(c) {
		pub := publicRecord(*p)
		out = &pub
	}
	writeJSON(c, status, ProviderView{Provider: out, VerificationOverdue: p.VerificationOverdue(s.now())})
}

// isStaff reports whether the request carries a valid token.
func (s *Server) isStaff(c *gin.Context) bool {
	if caller(c) != nil {
		return true
	}
	tok, err := s.optionalToken(c)
	return err == nil && tok != nil
}

// publicRecord is p as the public sees it: verified_by says only the kind
// of confirmer, so records confirmed when it held a token's or a person's
// name publish no name (the audit log keeps who).
func publicRecord(p directory.Provider) directory.Provider {
	p.Freshness = directory.PublicFreshness(p.Freshness)
	return p
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// ifMatch reads the version from If-Match. Missing: 428. A value that is not
// one of our ETags can never match the current version: 412.
func ifMatch(c *gin.Context) (int64, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" || h == "*" {
		return 0, errPreconditionNeeded
	}
	h = strings.TrimPrefix(h, "W/")
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v < 1 {
		return 0, directory.ErrVersionMismatch
	}
	return v, nil
}
