package mongodb

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Recover must find the revisions whose writer died before marking them
// applied. Asking the revisions collection for {applied: false} is a scan of
// every revision on FerretDB (it pushes down only {_id: x}): about three
// minutes at 100,000 providers, at every start. So a writer keeps a small
// marker {_id: "<id>@<version>"} in the pending collection for the span in
// which its revision may be unfinished:
//
//  1. insert the marker;
//  2. claim the revision (unique insert, as before);
//  3. apply it, append its change, mark it applied (see revision.go);
//  4. delete the marker.
//
// Whoever marks a revision applied (its writer, a writer that lost the claim
// and rolled it forward, or Recover) deletes its marker afterwards, so a
// claimed revision not yet marked applied always has a marker, and the
// collection holds only writes in flight or cut short. Recover reads just
// the markers: one whose revision is unfinished is rolled forward; one whose
// revision is applied is deleted; one whose revision does not exist is a
// writer that died before claiming, and is deleted once older than
// pendingExpiry (younger, it may be another replica between steps 1 and 2;
// a writer that finds its marker already there refreshes its time).
//
// Databases written before markers existed may hold unfinished revisions
// without one, so the first Recover on a database scans the revisions once
// and then records that it did (legacyScanDoneID).

const pendingCollection = "pending"

// pendingExpiry is how old a marker without a revision must be before
// Recover assumes its writer is gone. A write takes milliseconds.
const pendingExpiry = 10 * time.Minute

// legacyScanDoneID is the pending document that records the one full scan
// for unfinished revisions. It has no "@", so it is never a revision's id.
const legacyScanDoneID = "legacy-scan-done"

// pendingDoc is the marker of a write in flight.
type pendingDoc struct {
	ID         string `bson:"_id"` // revisionID
	ProviderID string `bson:"provider_id"`
	Version    int64  `bson:"version"`
	// After is a Seq at or before the revision's change, so Recover looks
	// for the change only after it (see loggedAfter).
	After int64     `bson:"after"`
	At    time.Time `bson:"at"`
}

// markPending inserts the marker of version of id, or refreshes its time if
// another writer (perhaps a dead one) left it.
func (s *Store) markPending(ctx context.Context, id string, version int64) error {
	m := pendingDoc{ID: revisionID(id, version), ProviderID: id, Version: version, After: s.seenSeq.Load(), At: s.now()}
	_, err := s.pending.InsertOne(ctx, m)
	if err = translate(err); errors.Is(err, directory.ErrConflict) {
		_, err = s.pending.UpdateOne(ctx, bson.D{{Key: "_id", Value: m.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: m.At}}}})
		err = translate(err)
	}
	if err != nil {
		return fmt.Errorf("marking %s pending: %w", m.ID, err)
	}
	return nil
}

// unmarkPending deletes a marker. Call it only once the revision is marked
// applied (or, in Recover, found never claimed).
func (s *Store) unmarkPending(ctx context.Context, revID string) error {
	if _, err := s.pending.DeleteOne(ctx, bson.D{{Key: "_id", Value: revID}}); err != nil {
		return fmt.Errorf("clearing pending marker %s: %w", revID, translate(err))
	}
	return nil
}

// Recover applies every revision a writer claimed but did not finish
// (because the process died in between), appending the changes the writer
// did not, rolls forward half-done bulk creates (see bulk.go) and finishes
// erasures of referrals cut short (see erasure.go). Call it at start-up. It returns how many providers it rolled forward. It reads the
// pending markers and bulk intents, not the revisions (except once per
// database, see legacyScanDoneID).
func (s *Store) Recover(ctx context.Context) (int, error) {
	n, err := s.recoverLegacy(ctx)
	if err != nil {
		return n, err
	}
	// Know the end of the log, so the markers this process writes carry a
	// useful After. Point lookups, cheap everywhere.
	if _, err := s.lastSeq(ctx, s.seenSeq.Load()); err != nil {
		return n, fmt.Errorf("mongodb: finding the end of the change log: %w", err)
	}
	k, err := s.recoverPending(ctx)
	n += k
	if err != nil {
		return n, fmt.Errorf("mongodb: %w", err)
	}
	k, err = s.recoverBulks(ctx)
	n += k
	if err != nil {
		return n, err
	}
	// Erasures are counted apart: n is providers.
	e, err := s.recoverErasures(ctx)
	if e > 0 {
		s.logger.Info("finished erasures cut short", "referrals", e)
	}
	return n, err
}

// recoverPending rolls forward the revisions the markers name.
func (s *Store) recoverPending(ctx context.Context) (int, error) {
	// The collection holds only writes in flight, so reading it whole is
	// cheap.
	cur, err := s.pending.Find(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("reading pending markers: %w", translate(err))
	}
	var all []pendingDoc
	if err := cur.All(ctx, &all); err != nil {
		return 0, fmt.Errorf("reading pending markers: %w", translate(err))
	}
	markers := all[:0]
	minAfter := s.seenSeq.Load()
	for _, m := range all {
		if strings.Contains(m.ID, "@") {
			markers = append(markers, m)
			minAfter = min(minAfter, m.After)
		}
	}
	// Each provider from its oldest marker, so one roll forward finishes
	// its later versions too.
	sort.Slice(markers, func(i, j int) bool {
		a, b := markers[i], markers[j]
		return a.ProviderID < b.ProviderID || a.ProviderID == b.ProviderID && a.Version < b.Version
	})
	var logged loggedFunc
	done := map[string]bool{}
	for _, m := range markers {
		var rev struct {
			Applied bool `bson:"applied"`
		}
		err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: m.ID}},
			options.FindOne().SetProjection(bson.D{{Key: "applied", Value: 1}})).Decode(&rev)
		if errors.Is(err, mongo.ErrNoDocuments) {
			// Never claimed: the writer died before step 2 (or, if the
			// marker is young, may still be about to claim).
			if s.now().Sub(m.At) > pendingExpiry {
				if err := s.unmarkPending(ctx, m.ID); err != nil {
					return len(done), err
				}
			}
			continue
		}
		if err != nil {
			return len(done), fmt.Errorf("reading revision %s: %w", m.ID, translate(err))
		}
		if !rev.Applied {
			if logged == nil {
				if logged, err = s.loggedAfter(ctx, minAfter); err != nil {
					return len(done), err
				}
			}
			if err := s.rollForward(ctx, m.ProviderID, m.Version, logged); err != nil {
				return len(done), fmt.Errorf("recovering %s: %w", m.ProviderID, err)
			}
			done[m.ProviderID] = true
		}
		// Applied now (by us or by its writer, who died before step 4).
		if err := s.unmarkPending(ctx, m.ID); err != nil {
			return len(done), err
		}
	}
	return len(done), nil
}

// recoverLegacy is the full scan for unfinished revisions, run once per
// database for revisions claimed before writers left markers.
func (s *Store) recoverLegacy(ctx context.Context) (int, error) {
	err := s.pending.FindOne(ctx, bson.D{{Key: "_id", Value: legacyScanDoneID}}).Err()
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("mongodb: reading pending markers: %w", translate(err))
	}
	cur, err := s.revisions.Find(ctx, bson.D{{Key: "applied", Value: false}},
		options.Find().SetProjection(bson.D{{Key: "provider_id", Value: 1}, {Key: "version", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("mongodb: finding unapplied revisions: %w", translate(err))
	}
	var unapplied []struct {
		ProviderID string `bson:"provider_id"`
		Version    int64  `bson:"version"`
	}
	if err := cur.All(ctx, &unapplied); err != nil {
		return 0, fmt.Errorf("mongodb: finding unapplied revisions: %w", translate(err))
	}
	sort.Slice(unapplied, func(i, j int) bool {
		a, b := unapplied[i], unapplied[j]
		return a.ProviderID < b.ProviderID || a.ProviderID == b.ProviderID && a.Version < b.Version
	})
	done := map[string]bool{}
	for _, r := range unapplied {
		if done[r.ProviderID] {
			continue
		}
		if err := s.rollForward(ctx, r.ProviderID, r.Version, s.changeRecorded); err != nil {
			return len(done), fmt.Errorf("mongodb: recovering %s: %w", r.ProviderID, err)
		}
		done[r.ProviderID] = true
	}
	_, err = s.pending.InsertOne(ctx, bson.D{{Key: "_id", Value: legacyScanDoneID}, {Key: "at", Value: s.now()}})
	if err = translate(err); err != nil && !errors.Is(err, directory.ErrConflict) {
		return len(done), fmt.Errorf("mongodb: recording the revision scan: %w", err)
	}
	return len(done), nil
}

// maxLoggedLookups bounds how many changes loggedAfter reads one by one;
// past it, reading by provider (a scan of the log on FerretDB) is cheaper.
const maxLoggedLookups = 10000

// loggedAfter returns a loggedFunc for changes after Seq after: a set read
// by point lookups on _id (indexed everywhere) when the log has grown by at
// most maxLoggedLookups since, else a lookup by provider per question.
func (s *Store) loggedAfter(ctx context.Context, after int64) (loggedFunc, error) {
	cs, complete, err := s.changesAfter(ctx, after, maxLoggedLookups)
	if err != nil {
		return nil, err
	}
	if !complete {
		return s.changeRecorded, nil
	}
	set := make(map[string]bool, len(cs))
	for _, c := range cs {
		set[revisionID(c.ProviderID, c.Version)] = true
	}
	return func(_ context.Context, id string, version int64) (bool, error) {
		return set[revisionID(id, version)], nil
	}, nil
}

// changesAfter reads the changes after Seq after one _id at a time, up to
// limit of them; complete is false if there are more. The log is the
// unbroken run 1..n, so the first missing Seq is its end.
func (s *Store) changesAfter(ctx context.Context, after int64, limit int) (cs []changeDoc, complete bool, err error) {
	for seq := after + 1; len(cs) < limit; seq++ {
		var c changeDoc
		err := s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: seqKey(seq)}}).Decode(&c)
		if errors.Is(err, mongo.ErrNoDocuments) {
			s.saw(seq - 1)
			return cs, true, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("reading change %d: %w", seq, translate(err))
		}
		cs = append(cs, c)
	}
	return cs, false, nil
}

// Steps of a write, in order, at which tests stop a writer as if its
// process were killed (Options.step).
const (
	stepMarked        = "marked pending"
	stepClaimed       = "claimed"
	stepApplied       = "applied"
	stepLogged        = "logged"
	stepMarkedApplied = "marked applied"
)

// reached returns the error of the test hook, if any, at step.
func (s *Store) reached(step string) error {
	if s.opts.step != nil {
		return s.opts.step(step)
	}
	return nil
}
