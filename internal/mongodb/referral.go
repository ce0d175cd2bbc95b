package mongodb

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Referrals change like providers do (see revision.go): a change first
// claims the next version by inserting its event with the unique _id
// "<id>@<version>", which is atomic on every server, and only the claimant
// applies it. A claim whose writer died is rolled forward by the next writer
// from the event alone (directory.Referral.Apply is deterministic).
//
// An erasure also has to clear the reasons of the earlier events, and must
// finish even if its writer dies and nobody writes the referral again, so
// it is bracketed by a marker in the pending collection (see erasure.go)
// that Recover finishes from.
const (
	referralsCollection      = "referrals"
	referralEventsCollection = "referral_events"
)

// CreateReferral implements directory.ReferralStore.
func (s *Store) CreateReferral(ctx context.Context, r *directory.Referral) error {
	if r.ID == "" {
		r.ID = directory.NewID()
	}
	now := s.now()
	next := *r
	next.Status, next.Version, next.CreatedAt, next.UpdatedAt = directory.ReferralSent, 1, now, now
	by, _ := directory.ActorFrom(ctx)
	ev := directory.ReferralEvent{Version: 1, Status: directory.ReferralSent, At: now, RecordedAt: now, By: by}
	next.Events = []directory.ReferralEvent{ev}
	if _, err := s.referrals.InsertOne(ctx, toReferralDoc(&next)); err != nil {
		return fmt.Errorf("mongodb: creating referral: %w", translate(err))
	}
	// The first event is history only; the record itself is complete, so a
	// failure here loses nothing but is still reported.
	if _, err := s.referralEvents.InsertOne(ctx, toReferralEventDoc(next.ID, &ev)); err != nil {
		return fmt.Errorf("mongodb: recording referral event: %w", translate(err))
	}
	*r = next
	return nil
}

// Referral implements directory.ReferralStore.
func (s *Store) Referral(ctx context.Context, id string) (*directory.Referral, error) {
	var doc referralDoc
	if err := s.referrals.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		return nil, translate(err)
	}
	r := fromReferralDoc(&doc)
	return &r, nil
}

// ListReferrals implements directory.ReferralStore.
func (s *Store) ListReferrals(ctx context.Context, f directory.ReferralFilter) ([]directory.Referral, int64, error) {
	filter := bson.D{}
	if f.ProviderID != "" {
		filter = append(filter, bson.E{Key: "provider_id", Value: f.ProviderID})
	}
	if f.CreatedBy != "" {
		filter = append(filter, bson.E{Key: "created_by", Value: f.CreatedBy})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	total, err := s.referrals.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("mongodb: counting referrals: %w", translate(err))
	}
	page, per := max(f.Page, 1), max(f.PerPage, 1)
	cur, err := s.referrals.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}).
		SetSkip(int64((page-1)*per)).SetLimit(int64(per)))
	if err != nil {
		return nil, 0, fmt.Errorf("mongodb: listing referrals: %w", translate(err))
	}
	var docs []referralDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, fmt.Errorf("mongodb: listing referrals: %w", translate(err))
	}
	out := make([]directory.Referral, len(docs))
	for i := range docs {
		out[i] = fromReferralDoc(&docs[i])
	}
	return out, total, nil
}

// UpdateReferral implements directory.ReferralStore.
func (s *Store) UpdateReferral(ctx context.Context, id string, ev directory.ReferralEvent) (*directory.Referral, error) {
	cur, err := s.Referral(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.rollReferralForward(ctx, cur); err != nil {
		return nil, err
	}
	if cur.Version != ev.Version-1 {
		return nil, directory.ErrVersionMismatch
	}
	ev.RecordedAt = s.now()
	if ev.At.IsZero() {
		ev.At = ev.RecordedAt
	}
	next := *cur
	next.Events = append([]directory.ReferralEvent(nil), cur.Events...)
	if err := next.Apply(ev); err != nil {
		return nil, err
	}
	ev = next.Events[len(next.Events)-1] // Apply fills in the status of an erasure
	if ev.Erase {
		if err := s.markErasure(ctx, id, ev.By); err != nil {
			return nil, err
		}
	}
	if _, err := s.referralEvents.InsertOne(ctx, toReferralEventDoc(id, &ev)); err != nil {
		if err = translate(err); errors.Is(err, directory.ErrConflict) {
			return nil, directory.ErrVersionMismatch
		}
		return nil, fmt.Errorf("mongodb: recording referral event: %w", err)
	}
	if ev.Erase {
		if err := s.reached(stepErasureClaimed); err != nil {
			return nil, err
		}
	}
	if err := s.replaceReferral(ctx, &next); err != nil {
		return nil, err
	}
	if ev.Erase {
		if err := s.reached(stepErasureReplaced); err != nil {
			return nil, err
		}
		if err := s.finishErasure(ctx, &next); err != nil {
			return nil, err
		}
	}
	return &next, nil
}

func (s *Store) replaceReferral(ctx context.Context, r *directory.Referral) error {
	_, err := s.referrals.ReplaceOne(ctx,
		bson.D{{Key: "_id", Value: r.ID}, {Key: "version", Value: bson.D{{Key: "$lt", Value: r.Version}}}},
		toReferralDoc(r))
	if err != nil {
		return fmt.Errorf("mongodb: updating referral: %w", translate(err))
	}
	return nil
}

// rollReferralForward applies events claimed after r's version whose
// writers did not finish, updating r in place.
func (s *Store) rollReferralForward(ctx context.Context, r *directory.Referral) error {
	moved, erased := false, false
	for range 1000 {
		var ev referralEventDoc
		err := s.referralEvents.FindOne(ctx, bson.D{{Key: "_id", Value: revisionID(r.ID, r.Version+1)}}).Decode(&ev)
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		}
		if err != nil {
			return fmt.Errorf("mongodb: reading referral event: %w", translate(err))
		}
		if err := r.Apply(fromReferralEventRec(&ev.Event)); err != nil {
			return fmt.Errorf("mongodb: rolling referral %s forward: %w", r.ID, err)
		}
		moved = true
		erased = erased || ev.Event.Erase
	}
	if !moved {
		return nil
	}
	if err := s.replaceReferral(ctx, r); err != nil {
		return err
	}
	if erased {
		return s.finishErasure(ctx, r)
	}
	return nil
}
