package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// ReferralRequest is an adviser's referral of a client to a provider. It is
// refused without a consent record covering every detail sent.
type ReferralRequest struct {
	ProviderID string                  `json:"provider_id" binding:"required"`
	Client     directory.ClientDetails `json:"client" binding:"required"`
	Consent    directory.Consent       `json:"consent" binding:"required"`
	Note       string                  `json:"note,omitempty"`
} // @name ReferralRequest

// TransitionRequest moves a referral on in its lifecycle.
type TransitionRequest struct {
	Status directory.ReferralStatus `json:"status" example:"acknowledged" binding:"required"`
	// Reason is required when declining; say why without health details.
	Reason string `json:"reason,omitempty"`
	// At is when it happened (such as a job's start date), if not now.
	At *time.Time `json:"at,omitempty"`
} // @name TransitionRequest

// ReferralList is one page of referrals, newest first.
type ReferralList struct {
	Items []directory.Referral `json:"items"`
	Page
} // @name ReferralList

// createReferral godoc
//
//	@Summary		Refer a client to a provider, with consent
//	@Description	Role rule: adviser only. A referral means the adviser contacts the provider for the client (unlike a shortlist, where the client does): it needs a consent record saying who agreed, when, to share what (name, contact, needs) and with which provider. Client details are the minimum: a first name or initials, a phone or email, and the needs the client agreed to share. They are shown only to this adviser and the provider's editors, never logged, and erased if consent is withdrawn. The provider must be published.
//	@Tags			referrals
//	@Accept			json
//	@Produce		json
//	@Security		BearerToken
//	@Param			referral	body		ReferralRequest	true	"The referral and its consent record"
//	@Success		201			{object}	directory.Referral
//	@Header			201			{string}	ETag	"The referral's version"
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Router			/v1/referrals [post]
func (s *Server) createReferral(c *gin.Context) error {
	var req ReferralRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	tok := caller(c)
	r := directory.Referral{ProviderID: req.ProviderID, Client: req.Client, Consent: req.Consent, Note: req.Note,
		CreatedBy: tok.ID, CreatedByName: tok.Name}
	if err := s.svc.CreateReferral(c.Request.Context(), &r); err != nil {
		return err
	}
	c.Header("Location", "/v1/referrals/"+r.ID)
	c.Header("ETag", etag(r.Version))
	writeJSON(c, http.StatusCreated, r)
	return nil
}

// listReferrals godoc
//
//	@Summary		List referrals
//	@Description	Role rule: adviser, provider_editor, admin. An adviser sees the referrals they made (with outcomes); a provider editor sees their provider's inbox (provider_id is forced to their own); an admin sees all, without clients' details. Newest first.
//	@Tags			referrals
//	@Produce		json
//	@Security		BearerToken
//	@Param			provider_id	query		string	false	"Only referrals to this provider"
//	@Param			status		query		string	false	"Only referrals with this status"
//	@Param			page		query		int		false	"Page number, from 1"	default(1)
//	@Param			per_page	query		int		false	"Items per page (capped at 100)"	default(20)
//	@Success		200			{object}	ReferralList
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Router			/v1/referrals [get]
func (s *Server) listReferrals(c *gin.Context) error {
	page, per, err := paging(c)
	if err != nil {
		return err
	}
	tok := caller(c)
	f := directory.ReferralFilter{ProviderID: c.Query("provider_id"), Status: directory.ReferralStatus(c.Query("status")), Page: page, PerPage: per}
	if err := ScopeReferrals(tok, &f); err != nil {
		return err
	}
	items, total, err := s.store.ListReferrals(c.Request.Context(), f)
	if err != nil {
		return err
	}
	for i := range items {
		Redact(tok, &items[i])
	}
	if items == nil {
		items = []directory.Referral{}
	}
	setLinks(c, page, per, total)
	writeJSON(c, http.StatusOK, ReferralList{Items: items, Page: Page{Total: total, Page: page, PerPage: per}})
	return nil
}

// ScopeReferrals checks a listing filter against the caller and narrows it
// to what they may see: an adviser the referrals they made, a provider
// editor their provider's inbox, an admin all.
func ScopeReferrals(tok *directory.Token, f *directory.ReferralFilter) error {
	if f.Status != "" && !f.Status.Valid() {
		return directory.Invalid("status", "is not a referral status")
	}
	switch tok.Role {
	case directory.RoleProviderEditor:
		if f.ProviderID != "" && f.ProviderID != tok.ProviderID {
			return forbidden("A provider editor sees only their own provider's referrals.")
		}
		f.ProviderID = tok.ProviderID
	case directory.RoleAdviser:
		f.CreatedBy = tok.ID
	}
	return nil
}

// Redact removes the client's details unless the caller is one of the two
// parties: the referring adviser or the receiving provider's editor.
func Redact(t *directory.Token, r *directory.Referral) {
	if !party(t, r) {
		r.Client = directory.ClientDetails{}
		r.Note = ""
	}
}

func party(t *directory.Token, r *directory.Referral) bool {
	switch t.Role {
	case directory.RoleAdviser:
		return r.CreatedBy == t.ID
	case directory.RoleProviderEditor:
		return r.ProviderID == t.ProviderID
	}
	return false
}

// loadReferral reads the referral in the URL and checks the caller may see
// it: a party to it, or an admin (who gets it redacted).
func (s *Server) loadReferral(c *gin.Context) (*directory.Referral, error) {
	id := c.Param("id")
	if !directory.ValidID(id) {
		return nil, directory.ErrNotFound
	}
	r, err := s.store.Referral(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := MaySee(caller(c), r); err != nil {
		return nil, err
	}
	return r, nil
}

// MaySee is the rule for opening (and acting on) one referral: a party to
// it, or an admin (who gets it redacted).
func MaySee(tok *directory.Token, r *directory.Referral) error {
	if tok.Role != directory.RoleAdmin && !party(tok, r) {
		return forbidden("Only the referring adviser and the receiving provider can see this referral.")
	}
	return nil
}

// getReferral godoc
//
//	@Summary		Get a referral
//	@Description	Role rule: the referring adviser and the receiving provider's editors see it whole; an admin sees it without the client's details; anyone else gets 403.
//	@Tags			referrals
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Referral id"
//	@Success		200	{object}	directory.Referral
//	@Header			200	{string}	ETag	"The referral's version"
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/referrals/{id} [get]
func (s *Server) getReferral(c *gin.Context) error {
	r, err := s.loadReferral(c)
	if err != nil {
		return err
	}
	Redact(caller(c), r)
	c.Header("ETag", etag(r.Version))
	writeJSON(c, http.StatusOK, r)
	return nil
}

// transitionReferral godoc
//
//	@Summary		Move a referral on
//	@Description	Role rule: the receiving provider's editors record acknowledged, accepted, declined (with a reason), started, job_entry, sustained (13 weeks after job_entry: give at) and closed; the referring adviser or the provider may record withdrawn, at any point before closed. Lifecycle: sent -> acknowledged -> accepted or declined -> started -> job_entry -> sustained -> closed; declined, started and job_entry may also be closed. Any other move is 409. Needs If-Match with the ETag from your last read (428 without, 412 if stale).
//	@Tags			referrals
//	@Accept			json
//	@Produce		json
//	@Security		BearerToken
//	@Param			id			path		string				true	"Referral id"
//	@Param			If-Match	header		string				true	"ETag from your last read"
//	@Param			transition	body		TransitionRequest	true	"The new status"
//	@Success		200			{object}	directory.Referral
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Failure		404			{object}	ErrorResponse
//	@Failure		409			{object}	ErrorResponse
//	@Failure		412			{object}	ErrorResponse
//	@Failure		428			{object}	ErrorResponse
//	@Router			/v1/referrals/{id}/transitions [post]
func (s *Server) transitionReferral(c *gin.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var req TransitionRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.loadReferral(c)
	if err != nil {
		return err
	}
	next, err := s.svc.TransitionReferral(c.Request.Context(), r, version, service.Transition{Status: req.Status, Reason: req.Reason, At: req.At})
	if err != nil {
		return err
	}
	c.Header("ETag", etag(next.Version))
	writeJSON(c, http.StatusOK, next)
	return nil
}

// withdrawConsent godoc
//
//	@Summary		Withdraw consent and erase the client's details
//	@Description	Role rule: the referring adviser or the receiving provider's editors (whoever the client tells). Erases the client's details and the adviser's note at once (erased_at records when), and withdraws the referral if it is still open. The anonymous rest (provider, statuses, dates) stays for counts. Needs no If-Match: erasure must not fail because someone else wrote first. Repeating it is harmless.
//	@Tags			referrals
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Referral id"
//	@Success		200	{object}	directory.Referral
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/referrals/{id}/withdraw-consent [post]
func (s *Server) withdrawConsent(c *gin.Context) error {
	r, err := s.loadReferral(c)
	if err != nil {
		return err
	}
	next, err := s.svc.WithdrawConsent(c.Request.Context(), r.ID)
	if err != nil {
		return err
	}
	c.Header("ETag", etag(next.Version))
	writeJSON(c, http.StatusOK, next)
	return nil
}
