package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/webhook"
)

// Change notifications. An event is put in the outbox (the store's
// webhook_outbox, one entry per subscription that wants it) in the same
// service call as the change it reports, BEFORE the change is written and
// under an id the change decides (its referral or provider and version).
// So a crash or a replica switch after the change cannot lose the event:
// it is already stored. A crash before the change leaves an event for a
// change that never happened: the sender confirms the change is in the
// store before sending and drops the event if it never appears. A change
// retried, or two writers racing for the same version, enqueue the same
// event ids, which the store keeps once.
//
// The sender (DeliverWebhooks, run by every replica) claims each attempt
// by inserting its log entry under the id "<delivery>#<n>", which only one
// replica can do, so no attempt is sent twice at once. Delivery is at
// least once: a sender that dies after sending but before recording it
// leaves an attempt that another sender marks abandoned when its lease
// runs out, and sends again. Receivers drop repeats by webhook-id.

// Webhook timing.
const (
	// webhookRetryFor is how long a delivery is retried before it is
	// given up.
	webhookRetryFor = 24 * time.Hour
	// webhookMaxBackoff caps the wait between two attempts.
	webhookMaxBackoff = time.Hour
	// webhookTimeout bounds one attempt's request.
	webhookTimeout = 15 * time.Second
	// webhookLease is how long an attempt is its sender's alone: well over
	// webhookTimeout, so a live sender is never taken over.
	webhookLease = 4 * webhookTimeout
	// webhookConfirmWait is how long an event enqueued before its change
	// may wait for the change to appear (a write finishes within 30 s,
	// see the store's finishTimeout) before it is dropped.
	webhookConfirmWait = 2 * time.Minute
	// webhookLogKeep is how long the delivery log keeps an attempt.
	webhookLogKeep = 30 * 24 * time.Hour
	// webhookBatch is how many due deliveries one pass takes, and
	// webhookParallel how many it sends at once.
	webhookBatch    = 50
	webhookParallel = 4
)

// WebhookConfig is how a Service delivers webhooks.
type WebhookConfig struct {
	// Policy decides which URLs may be registered and dialled; nil allows
	// only https to public addresses.
	Policy *webhook.Policy
	// RetryBase is the first wait after a failed attempt; each later one
	// doubles it (up to an hour), with jitter. Zero means 5 s.
	RetryBase time.Duration
	// Client sends deliveries; nil means one from Policy.
	Client *http.Client
}

// webhooks is the Service's delivery state.
type webhooks struct {
	// failMu makes this process's senders count a subscription's failures
	// one at a time (read, add one, write).
	failMu    sync.Mutex
	policy    *webhook.Policy
	client    *http.Client
	retryBase time.Duration
}

func newWebhooks(c WebhookConfig) *webhooks {
	w := &webhooks{policy: c.Policy, client: c.Client, retryBase: c.RetryBase}
	if w.policy == nil {
		w.policy, _ = webhook.NewPolicy(nil)
	}
	if w.client == nil {
		w.client = w.policy.Client(webhookTimeout)
	}
	if w.retryBase <= 0 {
		w.retryBase = 5 * time.Second
	}
	return w
}

// Webhook actions, as the audit log names them.
const (
	ActionWebhookCreate  = "webhook.create"
	ActionWebhookDelete  = "webhook.delete"
	ActionWebhookDisable = "webhook.disable"
)

// RegisterWebhook validates and stores w for the actor in ctx, with a new
// signing secret, which it returns (the only time it is shown). The caller
// has checked the actor may act for w.ProviderID (an admin for any or
// none, an editor for their own). Errors: a *directory.ValidationError
// naming the field.
func (s *Service) RegisterWebhook(ctx context.Context, w *directory.WebhookSubscription) (string, error) {
	if err := w.Validate(); err != nil {
		return "", err
	}
	if err := s.webhooks.policy.CheckURL(ctx, w.URL, nil); err != nil {
		var ue *webhook.URLError
		if errors.As(err, &ue) {
			return "", directory.Invalid("url", "%s", ue.Reason)
		}
		return "", err
	}
	if w.ProviderID != "" {
		if _, err := s.store.Provider(ctx, w.ProviderID); errors.Is(err, directory.ErrNotFound) {
			return "", directory.Invalid("provider_id", "no provider has that id")
		} else if err != nil {
			return "", err
		}
	}
	have, err := s.store.Webhooks(ctx, w.ProviderID)
	if err != nil {
		return "", err
	}
	if len(have) >= directory.MaxWebhooksPerProvider {
		return "", directory.Invalid("provider_id", "already has %d webhooks, the most allowed: delete one first", directory.MaxWebhooksPerProvider)
	}
	a, _ := directory.ActorFrom(ctx)
	w.ID, w.CreatedBy, w.CreatedAt = "", a.ID, time.Time{}
	w.DisabledAt, w.DisabledReason, w.Failures = nil, "", 0
	w.Secret = webhook.NewSecret()
	if err := s.store.CreateWebhook(ctx, w); err != nil {
		return "", err
	}
	s.audit(ctx, ActionWebhookCreate, "webhook", w.ID, 0)
	return w.Secret, nil
}

// DeleteWebhook removes subscription id, what it is still owed and its
// delivery log. ErrNotFound if there is none.
func (s *Service) DeleteWebhook(ctx context.Context, id string) error {
	if err := s.store.DeleteWebhook(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, ActionWebhookDelete, "webhook", id, 0)
	return nil
}

// OutboxDepth counts the webhook deliveries owed and not yet made (or
// given up), for monitoring.
func (s *Service) OutboxDepth(ctx context.Context) (int64, error) {
	return s.store.OutboxDepth(ctx)
}

// enqueue puts ev in the outbox for every subscription that wants it,
// before the change it reports is written (confirm: the sender checks the
// change landed). The change must not go ahead if this fails, or its
// event could be lost: the error is returned for the caller to stop on.
func (s *Service) enqueue(ctx context.Context, ev directory.WebhookEvent) error {
	ev.At = s.now()
	if _, err := s.store.EnqueueWebhookEvent(ctx, ev, true); err != nil {
		return fmt.Errorf("recording the change notification: %w", err)
	}
	return nil
}

func providerChanged(id string, version int64) directory.WebhookEvent {
	return directory.WebhookEvent{
		ID:   directory.WebhookEventID(directory.EventProviderChanged, id, strconv.FormatInt(version, 10)),
		Type: directory.EventProviderChanged, ProviderID: id, Version: version,
	}
}

func referralEvent(kind string, r *directory.Referral, version int64) directory.WebhookEvent {
	return directory.WebhookEvent{
		ID:   directory.WebhookEventID(kind, r.ID, strconv.FormatInt(version, 10)),
		Type: kind, ProviderID: r.ProviderID, ReferralID: r.ID, Version: version,
	}
}

// updateProvider enqueues the provider.changed event of p's next version
// and then stores it, audited as action.
func (s *Service) updateProvider(ctx context.Context, action string, p *directory.Provider, version int64) error {
	if err := s.enqueue(ctx, providerChanged(p.ID, version+1)); err != nil {
		return err
	}
	return s.store.UpdateProvider(directory.WithAction(ctx, action), p, version)
}

// changeStored reports whether the change ev reports is in the store.
func (s *Service) changeStored(ctx context.Context, ev *directory.WebhookEvent) (bool, error) {
	var version int64
	var err error
	switch ev.Type {
	case directory.EventReferralCreated, directory.EventReferralStatusChanged:
		var r *directory.Referral
		if r, err = s.store.Referral(ctx, ev.ReferralID); err == nil {
			version = r.Version
		}
	case directory.EventProviderChanged:
		var p *directory.Provider
		if p, err = s.store.Provider(ctx, ev.ProviderID); err == nil {
			version = p.Version
		}
	default:
		return true, nil
	}
	if errors.Is(err, directory.ErrNotFound) {
		return false, nil
	}
	return err == nil && version >= ev.Version, err
}

// webhookBody is what a delivery posts, in the Standard Webhooks shape:
// the event's id, type and time, and ids only in data.
type webhookBody struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      webhookBodyData `json:"data"`
}

type webhookBodyData struct {
	ProviderID string `json:"provider_id,omitempty"`
	ReferralID string `json:"referral_id,omitempty"`
	Version    int64  `json:"version,omitempty"`
}

// DeliverWebhooks sends what the outbox holds until ctx ends, looking
// again every interval when it has nothing due, and every hour enqueues
// verification reminders and prunes the delivery log.
func (s *Service) DeliverWebhooks(ctx context.Context, interval time.Duration) {
	var lastSweep time.Time
	for {
		if time.Since(lastSweep) >= time.Hour {
			lastSweep = time.Now()
			if _, err := s.SweepVerificationDue(ctx); err != nil && ctx.Err() == nil {
				s.logger.Error("enqueuing verification reminders", "err", err)
			}
			if _, err := s.store.PruneWebhookAttempts(ctx, s.now().Add(-webhookLogKeep)); err != nil && ctx.Err() == nil {
				s.logger.Error("pruning the webhook log", "err", err)
			}
		}
		n, err := s.DeliverDueWebhooks(ctx)
		if err != nil && ctx.Err() == nil {
			s.logger.Error("delivering webhooks", "err", err)
		}
		wait := interval
		if n == webhookBatch {
			// More may be due; but a full batch may also be one of
			// deliveries other replicas hold, so never spin.
			wait = min(interval, 100*time.Millisecond)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// DeliverDueWebhooks makes one attempt at each delivery due now (up to a
// batch) and returns how many it looked at.
func (s *Service) DeliverDueWebhooks(ctx context.Context) (int, error) {
	due, err := s.store.DueWebhookDeliveries(ctx, s.now(), webhookBatch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, webhookParallel)
	var mu sync.Mutex
	var errs []error
	for i := range due {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := s.attemptDelivery(ctx, &due[i]); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(due), errors.Join(errs...)
}

// attemptDelivery makes delivery d's next attempt, if no other sender
// holds it.
func (s *Service) attemptDelivery(ctx context.Context, d *directory.WebhookDelivery) error {
	now := s.now()
	if d.Confirm {
		ok, err := s.changeStored(ctx, &d.Event)
		if err != nil {
			return err
		}
		if !ok && now.Sub(d.CreatedAt) < webhookConfirmWait {
			return s.store.UpdateWebhookDelivery(ctx, d.ID, d.Attempts, now.Add(5*time.Second))
		}
		if !ok {
			return s.recordDropped(ctx, d, now)
		}
	}
	a := s.newAttempt(d, now)
	if err := s.store.ClaimWebhookAttempt(ctx, a); errors.Is(err, directory.ErrConflict) {
		return s.takeOver(ctx, d, a.ID, now)
	} else if err != nil {
		return err
	}
	sub, err := s.store.Webhook(ctx, d.SubscriptionID)
	if errors.Is(err, directory.ErrNotFound) {
		// Deleted meanwhile (its log with it).
		return s.store.DeleteWebhookDelivery(ctx, d.ID)
	}
	if err != nil {
		return err
	}
	if sub.DisabledAt != nil {
		a.Outcome, a.Error, a.Final = directory.AttemptFailed, "not sent: the webhook is disabled", true
		return s.settle(ctx, d, a, sub)
	}
	body, err := json.Marshal(webhookBody{ID: d.Event.ID, Type: d.Event.Type, Timestamp: d.Event.At.UTC(),
		Data: webhookBodyData{ProviderID: d.Event.ProviderID, ReferralID: d.Event.ReferralID, Version: d.Event.Version}})
	if err != nil {
		return err
	}
	sendCtx, cancel := context.WithTimeout(ctx, webhookTimeout)
	res := webhook.Send(sendCtx, s.webhooks.client, webhook.Message{URL: sub.URL, Secret: sub.Secret, ID: d.Event.ID, At: s.now(), Body: body})
	cancel()
	if ctx.Err() != nil {
		// Shutting down: the attempt's lease runs out and another sender
		// (or this one, restarted) sends it again.
		return nil
	}
	a.StatusCode = res.StatusCode
	if res.Err == nil {
		a.Outcome, a.Final = directory.AttemptDelivered, true
	} else {
		a.Outcome, a.Error = directory.AttemptFailed, res.Err.Error()
		s.scheduleNext(d, a)
	}
	return s.settle(ctx, d, a, sub)
}

func (s *Service) newAttempt(d *directory.WebhookDelivery, now time.Time) *directory.WebhookAttempt {
	n := d.Attempts + 1
	return &directory.WebhookAttempt{
		ID: directory.WebhookAttemptID(d.ID, n), DeliveryID: d.ID, SubscriptionID: d.SubscriptionID,
		EventID: d.Event.ID, EventType: d.Event.Type, N: n, StartedAt: now, LeaseUntil: now.Add(webhookLease),
		Outcome: directory.AttemptSending,
	}
}

// scheduleNext sets when a's failed delivery is tried again, or makes a
// final when 24 hours of retries have run out.
func (s *Service) scheduleNext(d *directory.WebhookDelivery, a *directory.WebhookAttempt) {
	wait := s.webhooks.retryBase << min(a.N-1, 20)
	wait = min(wait, webhookMaxBackoff)
	// Up to a fifth either way, so receivers coming back are not met by
	// every delivery at once.
	wait += time.Duration((rand.Float64()*0.4 - 0.2) * float64(wait))
	next := s.now().Add(wait)
	if next.Sub(d.CreatedAt) > webhookRetryFor {
		a.Final = true
		a.Error += "; given up after 24 hours of retries"
		return
	}
	a.NextAt = &next
}

// recordDropped logs that d's change never reached the store and takes d
// out of the outbox.
func (s *Service) recordDropped(ctx context.Context, d *directory.WebhookDelivery, now time.Time) error {
	a := s.newAttempt(d, now)
	// Not numbered like a real attempt: the same change may yet be made
	// (a refused transition retried), enqueuing the same event id, whose
	// first attempt must then be free to claim.
	a.ID = fmt.Sprintf("%s#dropped@%d", d.ID, d.CreatedAt.UnixMilli())
	a.Outcome, a.Error, a.Final = directory.AttemptDropped, "not sent: the change it reports was never stored", true
	a.FinishedAt = &now
	if err := s.store.ClaimWebhookAttempt(ctx, a); err != nil && !errors.Is(err, directory.ErrConflict) {
		return err
	}
	return s.store.DeleteWebhookDelivery(ctx, d.ID)
}

// takeOver handles an attempt another sender claimed first: one still
// sending within its lease is left alone; one whose sender died is marked
// abandoned and the delivery moves on to its next attempt; one finished
// whose outcome did not reach the outbox (its sender died between the
// two) has its outcome applied.
func (s *Service) takeOver(ctx context.Context, d *directory.WebhookDelivery, id string, now time.Time) error {
	prev, err := s.store.WebhookAttempt(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return nil // its subscription was deleted meanwhile
	}
	if err != nil {
		return err
	}
	if prev.Outcome == directory.AttemptSending {
		if now.Before(prev.LeaseUntil) {
			return nil
		}
		prev.Outcome, prev.Error = directory.AttemptAbandoned, "the sender stopped before recording how it went: it may have arrived; sending again"
		prev.FinishedAt, prev.NextAt = &now, &now
		if err := s.store.FinishWebhookAttempt(ctx, prev); err != nil {
			return err
		}
	}
	sub, err := s.store.Webhook(ctx, d.SubscriptionID)
	if errors.Is(err, directory.ErrNotFound) {
		return s.store.DeleteWebhookDelivery(ctx, d.ID)
	}
	if err != nil {
		return err
	}
	return s.settleOutbox(ctx, d, prev, sub)
}

// settle records attempt a in the log, then its effect on the outbox and
// the subscription, in that order, so a sender dying between the steps
// leaves an outcome the next sender applies (takeOver).
func (s *Service) settle(ctx context.Context, d *directory.WebhookDelivery, a *directory.WebhookAttempt, sub *directory.WebhookSubscription) error {
	// Recorded even if the request that shut us down has ended.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := s.now()
	a.FinishedAt = &now
	if err := s.store.FinishWebhookAttempt(ctx, a); err != nil {
		return err
	}
	return s.settleOutbox(ctx, d, a, sub)
}

// settleOutbox applies finished attempt a to the outbox and to sub's
// failure count.
func (s *Service) settleOutbox(ctx context.Context, d *directory.WebhookDelivery, a *directory.WebhookAttempt, sub *directory.WebhookSubscription) error {
	if !a.Final {
		next := s.now()
		if a.NextAt != nil {
			next = *a.NextAt
		}
		return s.store.UpdateWebhookDelivery(ctx, d.ID, a.N, next)
	}
	if err := s.store.DeleteWebhookDelivery(ctx, d.ID); err != nil {
		return err
	}
	s.webhooks.failMu.Lock()
	defer s.webhooks.failMu.Unlock()
	sub, err := s.store.Webhook(ctx, sub.ID) // the count as it is now
	if errors.Is(err, directory.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case a.Outcome == directory.AttemptDelivered && sub.Failures > 0:
		return s.store.SetWebhookFailures(ctx, sub.ID, 0, "", time.Time{})
	case a.Outcome == directory.AttemptFailed && sub.DisabledAt == nil:
		n := sub.Failures + 1
		reason := ""
		if n >= directory.WebhookDisableAfter {
			reason = fmt.Sprintf("disabled: %d deliveries in a row failed for 24 hours (the last: %s); fix the receiver, then register it again", n, a.Error)
		}
		if err := s.store.SetWebhookFailures(ctx, sub.ID, n, reason, s.now()); err != nil {
			return err
		}
		if reason != "" {
			s.logger.Warn("webhook disabled after repeated failure", "webhook", sub.ID, "failures", n)
			s.audit(directory.WithActor(ctx, directory.Actor{ID: "webhooks", Name: "webhook sender", Role: directory.RoleTool}),
				ActionWebhookDisable, "webhook", sub.ID, 0)
		}
	}
	return nil
}

// SweepVerificationDue enqueues a provider.verification_due event for
// every published listing last confirmed over VerificationReminderMonths
// ago (or never), once per confirmation: the event id carries the date it
// was last confirmed, and is marked once enqueued, so later passes (on any
// replica) skip it; a pass that dies between the two enqueues it again,
// which the outbox keeps once if it is still owed. It returns how many
// events it enqueued. It reads the search copies' catalogue, not the store, so it
// costs no store scan; with no subscription to the event it reads nothing.
func (s *Service) SweepVerificationDue(ctx context.Context) (int, error) {
	if s.finder == nil {
		return 0, nil
	}
	subs, err := s.store.Webhooks(ctx, "-")
	if err != nil {
		return 0, err
	}
	probe := directory.WebhookEvent{Type: directory.EventProviderVerificationDue}
	wanted := false
	for i := range subs {
		probe.ProviderID = subs[i].ProviderID
		wanted = wanted || subs[i].Wants(&probe)
	}
	if !wanted {
		return 0, nil
	}
	marked, err := s.store.WebhookEventsMarked(ctx, directory.EventProviderVerificationDue)
	if err != nil {
		return 0, err
	}
	now := s.now()
	all, _ := s.finder.List(directory.ProviderFilter{Statuses: []string{directory.StatusPublished}, Page: 1, PerPage: 1 << 30})
	n := 0
	for i := range all {
		p := &all[i]
		if !p.VerifiedBefore(now, directory.VerificationReminderMonths) {
			continue
		}
		key := "never"
		if t, ok := p.Freshness.LastVerified.Time(); ok {
			key = t.Format(time.DateOnly)
		}
		ev := directory.WebhookEvent{
			ID:   directory.WebhookEventID(directory.EventProviderVerificationDue, p.ID, key),
			Type: directory.EventProviderVerificationDue, At: now, ProviderID: p.ID, Version: p.Version,
		}
		if marked[ev.ID] {
			continue
		}
		if _, err := s.store.EnqueueWebhookEvent(ctx, ev, false); err != nil {
			return n, err
		}
		if err := s.store.MarkWebhookEvents(ctx, ev.Type, []string{ev.ID}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
