package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// An erasure (a referral event with Erase set) runs in these steps:
//
//  1. insert the marker {_id: "erase:<referral id>"} in the pending
//     collection, naming who erased and the audit action;
//  2. claim the erase event (as any referral change);
//  3. replace the referral with its erased form (directory.Referral.Apply
//     clears the details, the note, the reason and every event's reason);
//  4. clear the reason of every stored event of the referral;
//  5. on the embedded store, checkpoint SQLite's WAL, so the values just
//     overwritten do not stay in it (see checkpoint);
//  6. delete the marker.
//
// A writer killed anywhere in between leaves the marker, and Recover
// finishes the erasure from it: rolling the claimed event forward, or, if
// the event was never claimed, making it, because the request to erase was
// made and erasing is never the wrong way to fail. Recover audits the
// erasures it finishes, since their writers died before UpdateReferral
// returned and so before their callers audited.

// erasureMarkerPrefix starts an erasure marker's id. It has no "@", so
// recoverPending never takes it for a provider revision's marker.
const erasureMarkerPrefix = "erase:"

// The steps (see Options.step) after an erasure's event is claimed, and
// after the referral is replaced with its erased form.
const (
	stepErasureClaimed  = "erasure-claimed"
	stepErasureReplaced = "erasure-replaced"
)

// erasureMarker is the pending document of an erasure in flight.
type erasureMarker struct {
	ID         string   `bson:"_id"`
	ReferralID string   `bson:"referral_id"`
	By         actorDoc `bson:"by"`
	// Action is the audit action of the erasure (consent withdrawn, or
	// retention period over).
	Action string    `bson:"action"`
	At     time.Time `bson:"at"`
	// Done is set when only the checkpoint is left: the erasure returned to
	// its caller, who audited it.
	Done bool `bson:"done,omitempty"`
}

// markErasure inserts (or refreshes) the marker of an erasure of referral
// id. The audit action comes from ctx (directory.WithAction).
func (s *Store) markErasure(ctx context.Context, id string, by directory.Actor) error {
	m := erasureMarker{ID: erasureMarkerPrefix + id, ReferralID: id, By: *toActorDoc(&by),
		Action: directory.ActionFrom(ctx, "referral.withdraw_consent"), At: s.now()}
	_, err := s.pending.InsertOne(ctx, m)
	if err = translate(err); errors.Is(err, directory.ErrConflict) {
		_, err = s.pending.UpdateOne(ctx, bson.D{{Key: "_id", Value: m.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: m.At}}}})
		err = translate(err)
	}
	if err != nil {
		return fmt.Errorf("mongodb: marking the erasure of referral %s: %w", id, err)
	}
	return nil
}

// finishErasure does steps 4 to 6 for r, which is erased. It is idempotent.
func (s *Store) finishErasure(ctx context.Context, r *directory.Referral) error {
	// By _id, one event at a time: the only filter FerretDB pushes down.
	for v := int64(1); v <= r.Version; v++ {
		if _, err := s.referralEvents.UpdateOne(ctx, bson.D{{Key: "_id", Value: revisionID(r.ID, v)}},
			bson.D{{Key: "$unset", Value: bson.D{{Key: "reason", Value: ""}}}}); err != nil {
			return fmt.Errorf("mongodb: clearing the reasons of referral %s: %w", r.ID, translate(err))
		}
	}
	if s.sqlite != nil {
		if err := s.sqlite.checkpoint(ctx); err != nil {
			// The erasure is done in the store; the marker stays so the
			// next start checkpoints again, marked done so it does not
			// audit the erasure a second time.
			_, _ = s.pending.UpdateOne(ctx, bson.D{{Key: "_id", Value: erasureMarkerPrefix + r.ID}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: true}}}})
			s.logger.Warn("embedded store: could not checkpoint after an erasure; erased values stay in the WAL until the next start",
				"referral", r.ID, "err", err)
			return nil
		}
	}
	return s.unmarkPending(ctx, erasureMarkerPrefix+r.ID)
}

// recoverErasures finishes the erasures whose writers died, and returns how
// many it finished.
func (s *Store) recoverErasures(ctx context.Context) (int, error) {
	cur, err := s.pending.Find(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("mongodb: reading pending markers: %w", translate(err))
	}
	var all []erasureMarker
	if err := cur.All(ctx, &all); err != nil {
		return 0, fmt.Errorf("mongodb: reading pending markers: %w", translate(err))
	}
	n := 0
	for _, m := range all {
		if !strings.HasPrefix(m.ID, erasureMarkerPrefix) {
			continue
		}
		if err := s.recoverErasure(ctx, m); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Store) recoverErasure(ctx context.Context, m erasureMarker) error {
	r, err := s.Referral(ctx, m.ReferralID)
	if errors.Is(err, directory.ErrNotFound) {
		return s.unmarkPending(ctx, m.ID)
	}
	if err != nil {
		return err
	}
	if r.ErasedAt != nil {
		// Replaced (step 3) before its writer died, or only the
		// checkpoint failed (Done).
		if err := s.finishErasure(ctx, r); err != nil || m.Done {
			return err
		}
		return s.auditRecoveredErasure(ctx, m, r)
	}
	// rollReferralForward applies a claimed erase event and finishes it.
	if err := s.rollReferralForward(ctx, r); err != nil {
		return err
	}
	if r.ErasedAt == nil {
		// Never claimed: make the erasure now.
		by := *fromActorDoc(&m.By)
		ectx := directory.WithAction(directory.WithActor(ctx, by), m.Action)
		for range 5 {
			r, err = s.UpdateReferral(ectx, m.ReferralID, directory.ReferralEvent{Version: r.Version + 1, Erase: true, By: by})
			if !errors.Is(err, directory.ErrVersionMismatch) {
				break
			}
			if r, err = s.Referral(ctx, m.ReferralID); err != nil {
				return err
			}
		}
		if err != nil {
			return fmt.Errorf("mongodb: finishing the erasure of referral %s: %w", m.ReferralID, err)
		}
	}
	return s.auditRecoveredErasure(ctx, m, r)
}

// auditRecoveredErasure audits an erasure Recover finished: its writer died
// before UpdateReferral returned, so its caller never audited it.
func (s *Store) auditRecoveredErasure(ctx context.Context, m erasureMarker, r *directory.Referral) error {
	e := directory.AuditEntry{Actor: *fromActorDoc(&m.By), Action: m.Action, TargetType: "referral", TargetID: r.ID, Version: r.Version}
	return s.AppendAudit(ctx, &e)
}
