package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Webhooks keep three collections: the subscriptions, the outbox (one
// entry per event owed to a subscription, removed once delivered or given
// up, so it stays as small as the backlog), and the delivery log (one
// document per attempt).
//
// No step relies on an atomic conditional update, which FerretDB v1 does
// not have (see revision.go): an outbox entry's id is its event's and its
// subscription's, so enqueuing the same event twice (a retried write, a
// roll-forward) owes it once; and an attempt is claimed by inserting its
// log document under the id "<delivery>#<n>", which succeeds for one
// sender only, so two replicas never send the same attempt at once.
const (
	webhooksCollection        = "webhooks"
	webhookOutboxCollection   = "webhook_outbox"
	webhookAttemptsCollection = "webhook_attempts"
	webhookEventsCollection   = "webhook_events"
)

// eventMarkDoc records that an event a sweep keeps finding (a listing due
// for confirmation) was enqueued, so it is enqueued once.
type eventMarkDoc struct {
	ID   string    `bson:"_id"`
	Type string    `bson:"type"`
	At   time.Time `bson:"at"`
}

// MarkWebhookEvents implements directory.WebhookStore.
func (s *Store) MarkWebhookEvents(ctx context.Context, kind string, ids []string) error {
	now := s.now()
	docs := make([]eventMarkDoc, len(ids))
	for i, id := range ids {
		docs[i] = eventMarkDoc{ID: id, Type: kind, At: now}
	}
	if _, err := insertUnordered(ctx, s.webhookEvents, docs, nil); err != nil {
		return fmt.Errorf("mongodb: marking webhook events: %w", err)
	}
	return nil
}

// WebhookEventsMarked implements directory.WebhookStore.
func (s *Store) WebhookEventsMarked(ctx context.Context, kind string) (map[string]bool, error) {
	var docs []eventMarkDoc
	if err := findAll(ctx, s.webhookEvents, bson.D{{Key: "type", Value: kind}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), &docs); err != nil {
		return nil, fmt.Errorf("mongodb: reading webhook events: %w", err)
	}
	out := make(map[string]bool, len(docs))
	for _, d := range docs {
		out[d.ID] = true
	}
	return out, nil
}

// webhookDoc is a subscription as stored. The secret is stored as it is:
// a signature needs it.
type webhookDoc struct {
	ID             string     `bson:"_id"`
	URL            string     `bson:"url"`
	Events         []string   `bson:"events"`
	ProviderID     string     `bson:"provider_id"`
	Secret         string     `bson:"secret"`
	CreatedBy      string     `bson:"created_by"`
	CreatedAt      time.Time  `bson:"created_at"`
	DisabledAt     *time.Time `bson:"disabled_at,omitempty"`
	DisabledReason string     `bson:"disabled_reason,omitempty"`
	Failures       int        `bson:"failures"`
}

func toWebhookDoc(s *directory.WebhookSubscription) webhookDoc {
	return webhookDoc{
		ID: s.ID, URL: s.URL, Events: s.Events, ProviderID: s.ProviderID, Secret: s.Secret,
		CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt, DisabledAt: s.DisabledAt,
		DisabledReason: s.DisabledReason, Failures: s.Failures,
	}
}

func fromWebhookDoc(d *webhookDoc) directory.WebhookSubscription {
	return directory.WebhookSubscription{
		ID: d.ID, URL: d.URL, Events: d.Events, ProviderID: d.ProviderID, Secret: d.Secret,
		CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt, DisabledAt: d.DisabledAt,
		DisabledReason: d.DisabledReason, Failures: d.Failures,
	}
}

// webhookEventDoc is an event as an outbox entry holds it.
type webhookEventDoc struct {
	ID         string    `bson:"id"`
	Type       string    `bson:"type"`
	At         time.Time `bson:"at"`
	ProviderID string    `bson:"provider_id,omitempty"`
	ReferralID string    `bson:"referral_id,omitempty"`
	Version    int64     `bson:"version,omitempty"`
}

// outboxDoc is one event owed to one subscription.
type outboxDoc struct {
	ID             string          `bson:"_id"`
	SubscriptionID string          `bson:"subscription_id"`
	Event          webhookEventDoc `bson:"event"`
	Confirm        bool            `bson:"confirm,omitempty"`
	Attempts       int             `bson:"attempts"`
	NextAt         time.Time       `bson:"next_at"`
	CreatedAt      time.Time       `bson:"created_at"`
}

func toOutboxDoc(d *directory.WebhookDelivery) outboxDoc {
	e := &d.Event
	return outboxDoc{
		ID: d.ID, SubscriptionID: d.SubscriptionID,
		Event:   webhookEventDoc{ID: e.ID, Type: e.Type, At: e.At, ProviderID: e.ProviderID, ReferralID: e.ReferralID, Version: e.Version},
		Confirm: d.Confirm, Attempts: d.Attempts, NextAt: d.NextAt, CreatedAt: d.CreatedAt,
	}
}

func fromOutboxDoc(d *outboxDoc) directory.WebhookDelivery {
	e := &d.Event
	return directory.WebhookDelivery{
		ID: d.ID, SubscriptionID: d.SubscriptionID,
		Event:   directory.WebhookEvent{ID: e.ID, Type: e.Type, At: e.At, ProviderID: e.ProviderID, ReferralID: e.ReferralID, Version: e.Version},
		Confirm: d.Confirm, Attempts: d.Attempts, NextAt: d.NextAt, CreatedAt: d.CreatedAt,
	}
}

// attemptDoc is one attempt at a delivery.
type attemptDoc struct {
	ID             string     `bson:"_id"`
	DeliveryID     string     `bson:"delivery_id"`
	SubscriptionID string     `bson:"subscription_id"`
	EventID        string     `bson:"event_id"`
	EventType      string     `bson:"event_type"`
	N              int        `bson:"n"`
	StartedAt      time.Time  `bson:"started_at"`
	LeaseUntil     time.Time  `bson:"lease_until"`
	FinishedAt     *time.Time `bson:"finished_at,omitempty"`
	Outcome        string     `bson:"outcome"`
	StatusCode     int        `bson:"status_code,omitempty"`
	Error          string     `bson:"error,omitempty"`
	NextAt         *time.Time `bson:"next_at,omitempty"`
	Final          bool       `bson:"final,omitempty"`
}

func toAttemptDoc(a *directory.WebhookAttempt) attemptDoc {
	return attemptDoc{
		ID: a.ID, DeliveryID: a.DeliveryID, SubscriptionID: a.SubscriptionID, EventID: a.EventID, EventType: a.EventType,
		N: a.N, StartedAt: a.StartedAt, LeaseUntil: a.LeaseUntil, FinishedAt: a.FinishedAt, Outcome: a.Outcome,
		StatusCode: a.StatusCode, Error: a.Error, NextAt: a.NextAt, Final: a.Final,
	}
}

func fromAttemptDoc(d *attemptDoc) directory.WebhookAttempt {
	return directory.WebhookAttempt{
		ID: d.ID, DeliveryID: d.DeliveryID, SubscriptionID: d.SubscriptionID, EventID: d.EventID, EventType: d.EventType,
		N: d.N, StartedAt: d.StartedAt, LeaseUntil: d.LeaseUntil, FinishedAt: d.FinishedAt, Outcome: d.Outcome,
		StatusCode: d.StatusCode, Error: d.Error, NextAt: d.NextAt, Final: d.Final,
	}
}

// CreateWebhook implements directory.WebhookStore.
func (s *Store) CreateWebhook(ctx context.Context, w *directory.WebhookSubscription) error {
	if w.ID == "" {
		w.ID = directory.NewID()
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.now()
	}
	if _, err := s.webhooks.InsertOne(ctx, toWebhookDoc(w)); err != nil {
		return fmt.Errorf("mongodb: creating webhook: %w", translate(err))
	}
	return nil
}

// Webhook implements directory.WebhookStore.
func (s *Store) Webhook(ctx context.Context, id string) (*directory.WebhookSubscription, error) {
	var d webhookDoc
	if err := s.webhooks.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, translate(err)
	}
	w := fromWebhookDoc(&d)
	return &w, nil
}

// Webhooks implements directory.WebhookStore.
func (s *Store) Webhooks(ctx context.Context, providerID string) ([]directory.WebhookSubscription, error) {
	filter := bson.D{}
	if providerID != "-" {
		filter = bson.D{{Key: "provider_id", Value: providerID}}
	}
	var docs []webhookDoc
	if err := findAll(ctx, s.webhooks, filter, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}), &docs); err != nil {
		return nil, fmt.Errorf("mongodb: listing webhooks: %w", err)
	}
	out := make([]directory.WebhookSubscription, len(docs))
	for i := range docs {
		out[i] = fromWebhookDoc(&docs[i])
	}
	return out, nil
}

// findAll decodes every document filter finds into docs.
func findAll[T any](ctx context.Context, coll *mongo.Collection, filter bson.D, opts *options.FindOptionsBuilder, docs *[]T) error {
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return translate(err)
	}
	return translate(cur.All(ctx, docs))
}

// DeleteWebhook implements directory.WebhookStore. The subscription goes
// first, so a delivery already under way finds it gone and stops.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	res, err := s.webhooks.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("mongodb: deleting webhook: %w", translate(err))
	}
	if res.DeletedCount == 0 {
		return directory.ErrNotFound
	}
	for _, coll := range []*mongo.Collection{s.webhookOutbox, s.webhookAttempts} {
		if _, err := coll.DeleteMany(ctx, bson.D{{Key: "subscription_id", Value: id}}); err != nil {
			return fmt.Errorf("mongodb: deleting webhook %s: %w", coll.Name(), translate(err))
		}
	}
	return nil
}

// SetWebhookFailures implements directory.WebhookStore.
func (s *Store) SetWebhookFailures(ctx context.Context, id string, n int, reason string, at time.Time) error {
	set := bson.D{{Key: "failures", Value: n}}
	if reason != "" {
		set = append(set, bson.E{Key: "disabled_at", Value: at.UTC()}, bson.E{Key: "disabled_reason", Value: reason})
	}
	_, err := s.webhooks.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("mongodb: updating webhook: %w", translate(err))
	}
	return nil
}

// EnqueueWebhookEvent implements directory.WebhookStore.
func (s *Store) EnqueueWebhookEvent(ctx context.Context, ev directory.WebhookEvent, confirm bool) (int, error) {
	subs, err := s.Webhooks(ctx, "-")
	if err != nil {
		return 0, err
	}
	now := s.now()
	ev.At = ev.At.UTC().Truncate(time.Millisecond)
	var docs []outboxDoc
	for i := range subs {
		if !subs[i].Wants(&ev) {
			continue
		}
		d := directory.WebhookDelivery{
			ID: ev.ID + "/" + subs[i].ID, SubscriptionID: subs[i].ID, Event: ev,
			Confirm: confirm, NextAt: now, CreatedAt: now,
		}
		docs = append(docs, toOutboxDoc(&d))
	}
	if len(docs) == 0 {
		return 0, nil
	}
	// A duplicate is this event enqueued before: not an error.
	if _, err := insertUnordered(ctx, s.webhookOutbox, docs, nil); err != nil {
		return 0, fmt.Errorf("mongodb: enqueuing webhook event: %w", err)
	}
	return len(docs), nil
}

// DueWebhookDeliveries implements directory.WebhookStore.
func (s *Store) DueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]directory.WebhookDelivery, error) {
	var docs []outboxDoc
	err := findAll(ctx, s.webhookOutbox, bson.D{{Key: "next_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "next_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)), &docs)
	if err != nil {
		return nil, fmt.Errorf("mongodb: reading the webhook outbox: %w", err)
	}
	out := make([]directory.WebhookDelivery, len(docs))
	for i := range docs {
		out[i] = fromOutboxDoc(&docs[i])
	}
	return out, nil
}

// UpdateWebhookDelivery implements directory.WebhookStore. Two senders
// recording the same attempt's outcome write the same attempts count, so
// the unconditional update is safe.
func (s *Store) UpdateWebhookDelivery(ctx context.Context, id string, attempts int, next time.Time) error {
	_, err := s.webhookOutbox.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "attempts", Value: attempts}, {Key: "next_at", Value: next.UTC()}}}})
	if err != nil {
		return fmt.Errorf("mongodb: updating webhook delivery: %w", translate(err))
	}
	return nil
}

// DeleteWebhookDelivery implements directory.WebhookStore.
func (s *Store) DeleteWebhookDelivery(ctx context.Context, id string) error {
	if _, err := s.webhookOutbox.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("mongodb: deleting webhook delivery: %w", translate(err))
	}
	return nil
}

// OutboxDepth implements directory.WebhookStore.
func (s *Store) OutboxDepth(ctx context.Context) (int64, error) {
	n, err := s.webhookOutbox.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("mongodb: counting the webhook outbox: %w", translate(err))
	}
	return n, nil
}

// ClaimWebhookAttempt implements directory.WebhookStore.
func (s *Store) ClaimWebhookAttempt(ctx context.Context, a *directory.WebhookAttempt) error {
	if _, err := s.webhookAttempts.InsertOne(ctx, toAttemptDoc(a)); err != nil {
		err = translate(err)
		if errors.Is(err, directory.ErrConflict) {
			return directory.ErrConflict
		}
		return fmt.Errorf("mongodb: claiming webhook attempt: %w", err)
	}
	return nil
}

// WebhookAttempt implements directory.WebhookStore.
func (s *Store) WebhookAttempt(ctx context.Context, id string) (*directory.WebhookAttempt, error) {
	var d attemptDoc
	if err := s.webhookAttempts.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, translate(err)
	}
	a := fromAttemptDoc(&d)
	return &a, nil
}

// FinishWebhookAttempt implements directory.WebhookStore.
func (s *Store) FinishWebhookAttempt(ctx context.Context, a *directory.WebhookAttempt) error {
	_, err := s.webhookAttempts.ReplaceOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, toAttemptDoc(a))
	if err != nil {
		return fmt.Errorf("mongodb: recording webhook attempt: %w", translate(err))
	}
	return nil
}

// WebhookAttempts implements directory.WebhookStore.
func (s *Store) WebhookAttempts(ctx context.Context, id string, limit int) ([]directory.WebhookAttempt, error) {
	var docs []attemptDoc
	err := findAll(ctx, s.webhookAttempts, bson.D{{Key: "subscription_id", Value: id}},
		options.Find().SetSort(bson.D{{Key: "started_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)), &docs)
	if err != nil {
		return nil, fmt.Errorf("mongodb: reading the webhook log: %w", err)
	}
	out := make([]directory.WebhookAttempt, len(docs))
	for i := range docs {
		out[i] = fromAttemptDoc(&docs[i])
	}
	return out, nil
}

// PruneWebhookAttempts implements directory.WebhookStore.
func (s *Store) PruneWebhookAttempts(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.webhookAttempts.DeleteMany(ctx, bson.D{
		{Key: "started_at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}},
		{Key: "outcome", Value: bson.D{{Key: "$ne", Value: directory.AttemptSending}}},
	})
	if err != nil {
		return 0, fmt.Errorf("mongodb: pruning the webhook log: %w", translate(err))
	}
	return res.DeletedCount, nil
}
