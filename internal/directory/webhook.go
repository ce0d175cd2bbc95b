package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Webhook event types: what a subscription can ask to hear of.
const (
	EventReferralCreated         = "referral.created"
	EventReferralStatusChanged   = "referral.status_changed"
	EventProviderChanged         = "provider.changed"
	EventProviderVerificationDue = "provider.verification_due"
)

// WebhookEventTypes lists every event type, in the order the docs give them.
var WebhookEventTypes = []string{EventReferralCreated, EventReferralStatusChanged, EventProviderChanged, EventProviderVerificationDue}

// VerificationReminderMonths is how long after its last confirmation a
// listing's provider is reminded to confirm it again (a month before
// advisers see it as overdue, VerificationOverdueMonths).
const VerificationReminderMonths = 5

// Limits of a subscription.
const (
	MaxWebhookURL = 2000
	// MaxWebhooksPerProvider bounds how many subscriptions one provider
	// (or, with no provider, the whole directory) may have, so one editor
	// cannot make every write fan out without end.
	MaxWebhooksPerProvider = 10
	// WebhookDisableAfter is how many deliveries in a row may fail for
	// good (their retries exhausted) before the subscription is disabled.
	WebhookDisableAfter = 3
)

// WebhookSubscription asks for events to be posted to URL. Secret signs
// every delivery; it is shown once, at creation, and kept (not hashed)
// because signing needs it.
type WebhookSubscription struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	// ProviderID limits the subscription to one provider's events (its
	// referrals and its listing); empty means every provider (admins only).
	ProviderID string `json:"provider_id,omitempty"`
	Secret     string `json:"-"`
	// CreatedBy is the id of the token that registered it.
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// DisabledAt is set when deliveries kept failing; DisabledReason says
	// why, for the owner and the admin dashboard.
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	// Failures counts deliveries in a row whose retries ran out.
	Failures int `json:"failures"`
}

// Wants reports whether s is live and asks for ev.
func (s *WebhookSubscription) Wants(ev *WebhookEvent) bool {
	return s.DisabledAt == nil && slices.Contains(s.Events, ev.Type) &&
		(s.ProviderID == "" || s.ProviderID == ev.ProviderID)
}

// Validate checks the fields a caller gives (the URL's safety is checked
// by the sender's policy, not here).
func (s *WebhookSubscription) Validate() error {
	var p problems
	switch {
	case strings.TrimSpace(s.URL) == "":
		p.add("url", "is required")
	case len(s.URL) > MaxWebhookURL:
		p.add("url", "must be at most %d characters", MaxWebhookURL)
	}
	switch {
	case len(s.Events) == 0:
		p.add("events", "name at least one of %s", strings.Join(WebhookEventTypes, ", "))
	case len(s.Events) > len(WebhookEventTypes):
		// Checked before the loop below, which is quadratic.
		p.add("events", "name each of %s at most once", strings.Join(WebhookEventTypes, ", "))
		return p.err()
	}
	for i, e := range s.Events {
		if !slices.Contains(WebhookEventTypes, e) {
			p.add(fmt.Sprintf("events[%d]", i), "must be one of %s", strings.Join(WebhookEventTypes, ", "))
		} else if slices.Index(s.Events, e) != i {
			p.add(fmt.Sprintf("events[%d]", i), "is named twice")
		}
	}
	return p.err()
}

// WebhookEvent is something that happened, as a delivery reports it: ids
// only, never a client's details (the receiver fetches the referral with
// its own token, so consent and erasure apply to it too).
type WebhookEvent struct {
	// ID is decided by the change (see WebhookEventID), so the same change
	// written twice (a retry, a roll-forward) is one event.
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	At         time.Time `json:"timestamp"`
	ProviderID string    `json:"provider_id,omitempty"`
	ReferralID string    `json:"referral_id,omitempty"`
	// Version is the version of the referral or listing the event made.
	Version int64 `json:"version,omitempty"`
}

// WebhookEventID is the id of the event of type kind about subject (a
// referral or provider id) at key (its version, or a date).
func WebhookEventID(kind, subject, key string) string {
	return "evt_" + kind + "_" + subject + "_" + key
}

// WebhookDelivery is one event owed to one subscription: an entry of the
// outbox, removed once delivered or given up.
type WebhookDelivery struct {
	// ID is the event id and the subscription id, so enqueuing the same
	// event twice owes it once.
	ID             string       `json:"id"`
	SubscriptionID string       `json:"subscription_id"`
	Event          WebhookEvent `json:"event"`
	// Confirm is set when the event was enqueued before its change was
	// stored (so a crash between the two cannot lose it): the sender first
	// checks the change is there, and drops the event if it never was.
	Confirm bool `json:"confirm,omitempty"`
	// Attempts is how many attempts have finished; NextAt when the next
	// may start.
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	CreatedAt time.Time `json:"created_at"`
}

// Webhook attempt outcomes.
const (
	AttemptSending   = "sending"
	AttemptDelivered = "delivered"
	AttemptFailed    = "failed"
	// AttemptAbandoned is an attempt whose sender stopped (a crash) before
	// recording how it went: it may or may not have arrived.
	AttemptAbandoned = "abandoned"
	// AttemptDropped is an event whose change was never stored.
	AttemptDropped = "dropped"
)

// WebhookAttempt is one try at a delivery: the delivery log. Its id is the
// delivery's id and its number, so only one sender can claim each try.
type WebhookAttempt struct {
	ID             string    `json:"id"`
	DeliveryID     string    `json:"delivery_id"`
	SubscriptionID string    `json:"subscription_id"`
	EventID        string    `json:"event_id"`
	EventType      string    `json:"event_type"`
	N              int       `json:"attempt"`
	StartedAt      time.Time `json:"started_at"`
	// LeaseUntil is when another sender may take over an attempt still
	// "sending" (its sender died).
	LeaseUntil time.Time  `json:"-"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Outcome    string     `json:"outcome"`
	StatusCode int        `json:"status_code,omitempty"`
	// Error says what went wrong, in words that carry no secret.
	Error string `json:"error,omitempty"`
	// NextAt is when the next attempt is due, when there will be one.
	NextAt *time.Time `json:"next_at,omitempty"`
	// Final is set when this attempt ended the delivery (delivered, or
	// given up).
	Final bool `json:"final,omitempty"`
}

// WebhookAttemptID is the id of attempt n of delivery id.
func WebhookAttemptID(deliveryID string, n int) string {
	return fmt.Sprintf("%s#%d", deliveryID, n)
}

// WebhookStore keeps subscriptions, the outbox and the delivery log.
type WebhookStore interface {
	// CreateWebhook stores a subscription, setting its id and time.
	CreateWebhook(ctx context.Context, s *WebhookSubscription) error
	// Webhook returns subscription id. ErrNotFound if there is none.
	Webhook(ctx context.Context, id string) (*WebhookSubscription, error)
	// Webhooks lists subscriptions, oldest first: all of them when
	// providerID is "-", else those limited to providerID ("" for those
	// with no provider).
	Webhooks(ctx context.Context, providerID string) ([]WebhookSubscription, error)
	// DeleteWebhook removes subscription id, what it is owed and its log.
	// ErrNotFound if there is none.
	DeleteWebhook(ctx context.Context, id string) error
	// SetWebhookFailures records n failures in a row; with a non-empty
	// reason it also disables the subscription, at at.
	SetWebhookFailures(ctx context.Context, id string, n int, reason string, at time.Time) error

	// EnqueueWebhookEvent owes ev to every live subscription that wants
	// it, and returns how many. Enqueuing an event again owes nothing
	// more.
	EnqueueWebhookEvent(ctx context.Context, ev WebhookEvent, confirm bool) (int, error)
	// MarkWebhookEvents records that events ids (of type kind) were
	// enqueued, for events a sweep finds again and again (see
	// WebhookEventsMarked); marking one twice is harmless.
	MarkWebhookEvents(ctx context.Context, kind string, ids []string) error
	// WebhookEventsMarked returns the ids of kind's marked events.
	WebhookEventsMarked(ctx context.Context, kind string) (map[string]bool, error)
	// DueWebhookDeliveries returns up to limit deliveries due at now,
	// earliest first.
	DueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]WebhookDelivery, error)
	// UpdateWebhookDelivery records that delivery id has had attempts
	// attempts and is next due at next.
	UpdateWebhookDelivery(ctx context.Context, id string, attempts int, next time.Time) error
	// DeleteWebhookDelivery takes delivery id out of the outbox.
	DeleteWebhookDelivery(ctx context.Context, id string) error
	// OutboxDepth counts the deliveries owed.
	OutboxDepth(ctx context.Context) (int64, error)

	// ClaimWebhookAttempt inserts a (sending) attempt. ErrConflict if that
	// attempt is already claimed.
	ClaimWebhookAttempt(ctx context.Context, a *WebhookAttempt) error
	// WebhookAttempt returns attempt id. ErrNotFound if there is none.
	WebhookAttempt(ctx context.Context, id string) (*WebhookAttempt, error)
	// FinishWebhookAttempt records how attempt a went.
	FinishWebhookAttempt(ctx context.Context, a *WebhookAttempt) error
	// WebhookAttempts returns the newest limit attempts of subscription id,
	// newest first.
	WebhookAttempts(ctx context.Context, id string, limit int) ([]WebhookAttempt, error)
	// PruneWebhookAttempts deletes finished attempts older than before.
	PruneWebhookAttempts(ctx context.Context, before time.Time) (int64, error)
}
