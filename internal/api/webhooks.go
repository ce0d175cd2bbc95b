package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// registerWebhooks adds the webhook routes: admins for every subscription,
// provider editors for their own provider's only.
func (s *Server) registerWebhooks(v1 *gin.RouterGroup) {
	owner := s.require(directory.RoleAdmin, directory.RoleProviderEditor)
	v1.POST("/admin/webhooks", owner, s.handle(s.createWebhook))
	v1.GET("/admin/webhooks", owner, s.handle(s.listWebhooks))
	v1.GET("/admin/webhooks/:id", owner, s.handle(s.getWebhook))
	v1.DELETE("/admin/webhooks/:id", owner, s.handle(s.deleteWebhook))
	v1.GET("/admin/webhooks/:id/deliveries", owner, s.handle(s.webhookDeliveries))
}

// WebhookRequest registers a webhook.
type WebhookRequest struct {
	// URL receives the deliveries: https, to a public address.
	URL string `json:"url" example:"https://cms.example.org/brokerfinder/hooks"`
	// Events are the event types to send: referral.created,
	// referral.status_changed, provider.changed, provider.verification_due.
	Events []string `json:"events" example:"referral.created,referral.status_changed"`
	// ProviderID limits the webhook to one provider's events. Provider
	// editors must give their own; admins may leave it out for every
	// provider.
	ProviderID string `json:"provider_id,omitempty"`
} // @name WebhookRequest

// Webhook is a registered webhook, without its secret.
type Webhook struct {
	ID         string    `json:"id"`
	URL        string    `json:"url"`
	Events     []string  `json:"events"`
	ProviderID string    `json:"provider_id,omitempty"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	// Disabled is true once deliveries kept failing; DisabledReason says
	// why. A disabled webhook sends nothing: delete it and register the
	// URL again once the receiver works.
	Disabled       bool       `json:"disabled"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	// Failures counts deliveries in a row whose 24 hours of retries ran out.
	Failures int `json:"failures"`
} // @name Webhook

// WebhookCreated is a new webhook with its signing secret, shown this once.
type WebhookCreated struct {
	Webhook
	// Secret signs every delivery (Standard Webhooks: "whsec_" and the
	// base64 key). Only shown now: keep it in the receiver.
	Secret string `json:"secret" example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"`
} // @name WebhookCreated

// WebhookList is the webhooks the caller may see.
type WebhookList struct {
	Items []Webhook `json:"items"`
} // @name WebhookList

// WebhookDeliveryList is a webhook's delivery log, newest attempt first.
type WebhookDeliveryList struct {
	Items []directory.WebhookAttempt `json:"items"`
} // @name WebhookDeliveryList

// WebhookDeleted confirms a deletion.
type WebhookDeleted struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
} // @name WebhookDeleted

func toWebhook(w *directory.WebhookSubscription) Webhook {
	return Webhook{
		ID: w.ID, URL: w.URL, Events: w.Events, ProviderID: w.ProviderID, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt,
		Disabled: w.DisabledAt != nil, DisabledAt: w.DisabledAt, DisabledReason: w.DisabledReason, Failures: w.Failures,
	}
}

// createWebhook godoc
//
//	@Summary		Register a webhook
//	@Description	Role rule: admins, for one provider or (no provider_id) every provider; provider editors, for their own provider only (provider_id required). The URL must be https to a public address (no loopback, private, link-local, CGNAT or multicast address), checked now and at every delivery; redirects are not followed. The response carries the signing secret once. Deliveries are POSTs of {id, type, timestamp, data: {provider_id, referral_id, version}} (ids only, never a client's details), signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature), retried with backoff for 24 hours; three deliveries in a row that fail for 24 hours disable the webhook.
//	@Tags			webhooks
//	@Accept			json
//	@Produce		json
//	@Security		BearerToken
//	@Param			webhook	body		WebhookRequest	true	"URL, events and, for provider editors, their provider"
//	@Success		201		{object}	WebhookCreated
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/v1/admin/webhooks [post]
func (s *Server) createWebhook(c *gin.Context) error {
	var req WebhookRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	t := caller(c)
	if t.Role == directory.RoleProviderEditor {
		if req.ProviderID == "" {
			return directory.Invalid("provider_id", "is required: give your own provider's id")
		}
		if !OwnsProvider(t, req.ProviderID) {
			return directory.Forbidden("A provider editor may register webhooks for their own provider only.")
		}
	}
	w := directory.WebhookSubscription{URL: req.URL, Events: req.Events, ProviderID: req.ProviderID}
	secret, err := s.svc.RegisterWebhook(c.Request.Context(), &w)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusCreated, WebhookCreated{Webhook: toWebhook(&w), Secret: secret})
	return nil
}

// listWebhooks godoc
//
//	@Summary		List webhooks
//	@Description	Role rule: admins see every webhook; provider editors see their own provider's. Never the secrets.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerToken
//	@Success		200	{object}	WebhookList
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Router			/v1/admin/webhooks [get]
func (s *Server) listWebhooks(c *gin.Context) error {
	scope := "-"
	if t := caller(c); t.Role != directory.RoleAdmin {
		scope = t.ProviderID
	}
	list, err := s.store.Webhooks(c.Request.Context(), scope)
	if err != nil {
		return err
	}
	out := WebhookList{Items: make([]Webhook, len(list))}
	for i := range list {
		out.Items[i] = toWebhook(&list[i])
	}
	writeJSON(c, http.StatusOK, out)
	return nil
}

// ownWebhook returns webhook id if the caller may see it; ErrNotFound
// otherwise, so an editor learns nothing of other providers' webhooks.
func (s *Server) ownWebhook(c *gin.Context) (*directory.WebhookSubscription, error) {
	w, err := s.store.Webhook(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	if t := caller(c); t.Role != directory.RoleAdmin && (w.ProviderID == "" || !OwnsProvider(t, w.ProviderID)) {
		return nil, directory.ErrNotFound
	}
	return w, nil
}

// getWebhook godoc
//
//	@Summary		Get a webhook
//	@Description	Role rule: admins, or the provider's editors for their own provider's webhooks. Shows whether it is disabled and why.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Webhook id"
//	@Success		200	{object}	Webhook
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/admin/webhooks/{id} [get]
func (s *Server) getWebhook(c *gin.Context) error {
	w, err := s.ownWebhook(c)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, toWebhook(w))
	return nil
}

// deleteWebhook godoc
//
//	@Summary		Delete a webhook
//	@Description	Role rule: admins, or the provider's editors for their own provider's webhooks. Deliveries still owed are dropped, and the delivery log with them.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Webhook id"
//	@Success		200	{object}	WebhookDeleted
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/admin/webhooks/{id} [delete]
func (s *Server) deleteWebhook(c *gin.Context) error {
	w, err := s.ownWebhook(c)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteWebhook(c.Request.Context(), w.ID); err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, WebhookDeleted{ID: w.ID, Deleted: true})
	return nil
}

// webhookDeliveries godoc
//
//	@Summary		A webhook's delivery log
//	@Description	Role rule: admins, or the provider's editors for their own provider's webhooks. The newest 100 attempts (kept 30 days), newest first: event, attempt number, outcome (sending, delivered, failed, abandoned, dropped), the receiver's status code, what went wrong and when the next attempt is due.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerToken
//	@Param			id	path		string	true	"Webhook id"
//	@Success		200	{object}	WebhookDeliveryList
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/v1/admin/webhooks/{id}/deliveries [get]
func (s *Server) webhookDeliveries(c *gin.Context) error {
	w, err := s.ownWebhook(c)
	if err != nil {
		return err
	}
	list, err := s.store.WebhookAttempts(c.Request.Context(), w.ID, 100)
	if err != nil {
		return err
	}
	if list == nil {
		list = []directory.WebhookAttempt{}
	}
	writeJSON(c, http.StatusOK, WebhookDeliveryList{Items: list})
	return nil
}
