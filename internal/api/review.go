package api

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// PendingReview tells a provider editor that part of their change is held
// for an admin's review and is not live yet.
type PendingReview struct {
	ChangeID string   `json:"change_id"`
	Fields   []string `json:"fields" example:"coverage"`
	Message  string   `json:"message"`
} // @name PendingReview

// ChangeList is a page of changes held for review.
type ChangeList struct {
	Changes []directory.PendingChange `json:"changes"`
	Page
} // @name ChangeList

// ChangeDetail is a change held for review and, field by field (JSON
// paths), what approving it would change in the current record.
type ChangeDetail struct {
	Change directory.PendingChange `json:"change"`
	// CurrentVersion is the provider's version the diff was made against.
	CurrentVersion int64                   `json:"current_version"`
	Diff           []directory.FieldChange `json:"diff"`
} // @name ChangeDetail

// ChangeDecision is the outcome of an approval or rejection.
type ChangeDecision struct {
	Change directory.PendingChange `json:"change"`
	// Provider is the live record after an approval.
	Provider *ProviderView `json:"provider,omitempty"`
} // @name ChangeDecision

// RejectRequest says why a change is rejected; the provider sees it.
type RejectRequest struct {
	Reason string `json:"reason" example:"Your contract covers Leeds only; national coverage needs a national contract."`
} // @name RejectRequest

func pendingReview(c *directory.PendingChange) *PendingReview {
	if c == nil {
		return nil
	}
	return &PendingReview{ChangeID: c.ID, Fields: c.Fields,
		Message: "These fields change who sees your listing or what it claims, so an admin reviews them before they go live. The rest of your change is live now."}
}

var changeStatuses = []string{directory.ChangePending, directory.ChangeApproved, directory.ChangeRejected, directory.ChangeSuperseded, directory.ChangeWithdrawn}

// listChanges godoc
//
//	@Summary		Changes held for review
//	@Description	Role rule: admin only. Provider editors' changes to fields that decide who sees a listing or what it claims (type, coverage, performance, organisation.jobcentre_plus_run, sites at a Jobcentre, the jobcentre delivery mode, incentives' amounts and recipients), newest first. A provider has at most one pending change: a newer proposal supersedes it.
//	@Tags			review
//	@Produce		json
//	@Security		BearerToken
//	@Param			status		query		string	false	"pending, approved, rejected or superseded; all when left out"
//	@Param			provider_id	query		string	false	"Only this provider's changes"
//	@Param			page		query		int		false	"Page, from 1"
//	@Param			per_page	query		int		false	"Results per page"
//	@Success		200			{object}	ChangeList
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Router			/v1/admin/changes [get]
func (s *Server) listChanges(c *gin.Context) error {
	page, per, problems := pagingProblems(c)
	status := c.Query("status")
	if status != "" && !slices.Contains(changeStatuses, status) {
		problems = append(problems, directory.FieldProblem{Field: "status", Message: "must be one of pending, approved, rejected, superseded"})
	}
	if len(problems) > 0 {
		return &directory.ValidationError{Problems: problems}
	}
	cs, total, err := s.store.PendingChanges(c.Request.Context(), directory.PendingChangeFilter{
		Status: status, ProviderID: c.Query("provider_id"), Page: page, PerPage: per})
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []directory.PendingChange{}
	}
	setLinks(c, page, per, total)
	writeJSON(c, http.StatusOK, ChangeList{Changes: cs, Page: Page{Total: total, Page: page, PerPage: per}})
	return nil
}

// getChange godoc
//
//	@Summary		A change held for review, with its diff
//	@Description	Role rule: admin only. The change as proposed and, field by field, what approving it would change in the provider's current record (only the held fields are applied).
//	@Tags			review
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Change id"
//	@Success		200	{object}	ChangeDetail
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/admin/changes/{id} [get]
func (s *Server) getChange(c *gin.Context) error {
	if !directory.ValidID(c.Param("id")) {
		return directory.ErrNotFound
	}
	ch, err := s.store.PendingChange(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeChangeDetail(c, ch)
}

// writeChangeDetail renders ch with its diff against the current record.
func (s *Server) writeChangeDetail(c *gin.Context, ch *directory.PendingChange) error {
	cur, err := s.store.Provider(c.Request.Context(), ch.ProviderID)
	if err != nil {
		return err
	}
	next := *cur
	directory.ApplyReviewed(&next, &ch.Proposed, ch.Fields)
	diff := directory.DiffProviders(cur, &next)
	if diff == nil {
		diff = []directory.FieldChange{}
	}
	writeJSON(c, http.StatusOK, ChangeDetail{Change: *ch, CurrentVersion: cur.Version, Diff: diff})
	return nil
}

// approveChange godoc
//
//	@Summary		Approve a change held for review
//	@Description	Role rule: admin only. Applies the held fields onto the provider's current record as a new version (audited provider.change_approved), whatever else changed since the proposal. 409 if the change is no longer pending.
//	@Tags			review
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Change id"
//	@Success		200	{object}	ChangeDecision
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse
//	@Router			/v1/admin/changes/{id}/approve [post]
func (s *Server) approveChange(c *gin.Context) error {
	if !directory.ValidID(c.Param("id")) {
		return directory.ErrNotFound
	}
	ch, p, err := s.svc.ApproveChange(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Header("ETag", etag(p.Version))
	writeJSON(c, http.StatusOK, ChangeDecision{Change: *ch, Provider: &ProviderView{Provider: p, VerificationOverdue: p.VerificationOverdue(s.now())}})
	return nil
}

// rejectChange godoc
//
//	@Summary		Reject a change held for review
//	@Description	Role rule: admin only. The listing stays as it is; the reason is kept with the change for the provider to see (audited provider.change_rejected). 409 if the change is no longer pending.
//	@Tags			review
//	@Accept			json
//	@Produce		json
//	@Security		BearerToken
//	@Param			id		path		string			true	"Change id"
//	@Param			reject	body		RejectRequest	true	"Why"
//	@Success		200		{object}	ChangeDecision
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse
//	@Router			/v1/admin/changes/{id}/reject [post]
func (s *Server) rejectChange(c *gin.Context) error {
	var in RejectRequest
	if err := s.decodeJSON(c, &in); err != nil {
		return err
	}
	if !directory.ValidID(c.Param("id")) {
		return directory.ErrNotFound
	}
	ch, err := s.svc.RejectChange(c.Request.Context(), c.Param("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, ChangeDecision{Change: *ch})
	return nil
}

// providerPendingChange godoc
//
//	@Summary		A provider's change held for review
//	@Description	Role rule: admin, or a provider editor for their own provider only. The provider's pending change, if any (404 when none), with what approving it would change in the current record. The public listing shows the record without it until an admin approves it.
//	@Tags			review
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Provider id"
//	@Success		200	{object}	ChangeDetail
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/providers/{id}/pending-change [get]
func (s *Server) providerPendingChange(c *gin.Context) error {
	id := c.Param("id")
	if !OwnsProvider(caller(c), id) {
		return forbidden("A provider editor can see only their own listing's pending change.")
	}
	if !directory.ValidID(id) {
		return directory.ErrNotFound
	}
	ch, err := s.svc.ProviderPendingChange(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return s.writeChangeDetail(c, ch)
}

// withdrawPendingChange godoc
//
//	@Summary		Take back a change held for review
//	@Description	Role rule: admin, or a provider editor for their own provider only. Withdraws the provider's change held for review before an admin decides it (audited provider.change_withdrawn); the listing stays as it is. 404 when none is held; 409 if an admin decided it at the same moment.
//	@Tags			providers
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Provider id"
//	@Success		200	{object}	directory.PendingChange
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse
//	@Router			/v1/providers/{id}/pending-change [delete]
func (s *Server) withdrawPendingChange(c *gin.Context) error {
	id := c.Param("id")
	if !OwnsProvider(caller(c), id) {
		return forbidden("A provider editor can take back only their own listing's pending change.")
	}
	if !directory.ValidID(id) {
		return directory.ErrNotFound
	}
	ch, err := s.svc.WithdrawChange(c.Request.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, ch)
	return nil
}
