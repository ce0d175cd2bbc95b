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

// Writes go through a revision log, because a conditional replace
// ({_id, version} filter) is not atomic on every MongoDB-compatible server:
// FerretDB reads the matching document and writes it in two steps, so two
// writers from the same version could both "win". Inserting a document with
// a unique _id is atomic everywhere, so each new version is first claimed by
// inserting its revision ("<id>@<version>"); only the writer whose insert
// succeeds goes on to apply it to the providers collection. The revision
// holds the whole record, so a claim whose writer died before applying it is
// rolled forward by the next writer or at start-up (Recover), and the log is
// the record's history.

const revisionsCollection = "revisions"

// revisionDoc is one version of one provider.
type revisionDoc struct {
	ID         string             `bson:"_id"`
	ProviderID string             `bson:"provider_id"`
	Version    int64              `bson:"version"`
	At         time.Time          `bson:"at"`
	Applied    bool               `bson:"applied"`
	Provider   directory.Provider `bson:"provider"`
	// ChangedBy is who made the change (from the context: see
	// directory.WithActor); nil for tools with no token.
	ChangedBy *directory.Actor `bson:"changed_by,omitempty"`
}

func revisionID(providerID string, version int64) string {
	return fmt.Sprintf("%s@%d", providerID, version)
}

// write claims p.Version for p.ID and applies it. ErrVersionMismatch when
// another writer claimed that version first.
func (s *Store) write(ctx context.Context, p *directory.Provider) error {
	rev := revisionDoc{
		ID: revisionID(p.ID, p.Version), ProviderID: p.ID, Version: p.Version,
		At: p.UpdatedAt, Provider: *p,
	}
	if a, ok := directory.ActorFrom(ctx); ok {
		rev.ChangedBy = &a
	}
	if _, err := s.revisions.InsertOne(ctx, rev); err != nil {
		err = translate(err)
		if errors.Is(err, directory.ErrConflict) {
			// Someone else holds this version: finish their write if they
			// have not (they may have died), so readers see it.
			if err := s.rollForward(ctx, p.ID, p.Version); err != nil {
				return err
			}
			return directory.ErrVersionMismatch
		}
		return err
	}
	if err := s.rollForward(ctx, p.ID, p.Version); err != nil {
		return err
	}
	_, err := s.revisions.UpdateOne(ctx, bson.D{{Key: "_id", Value: rev.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: true}}}})
	return translate(err)
}

// rollForward makes the providers collection hold the newest revision of id,
// starting from the claimed revision at version. It then follows the chain
// (version+1, version+2, ...) by _id, which every server looks up directly,
// because on servers without atomic replace a slower writer may put back an
// older revision after a newer one landed; re-applying the newest makes the
// record converge.
func (s *Store) rollForward(ctx context.Context, id string, version int64) error {
	var rev revisionDoc
	if err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: revisionID(id, version)}}).Decode(&rev); err != nil {
		return fmt.Errorf("reading revision %d of %s: %w", version, id, translate(err))
	}
	for range 1000 {
		if err := s.apply(ctx, &rev); err != nil {
			return err
		}
		var next revisionDoc
		err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: revisionID(id, rev.Version+1)}}).Decode(&next)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading revision %d of %s: %w", rev.Version+1, id, translate(err))
		}
		rev = next
	}
	return fmt.Errorf("provider %s did not settle on its latest revision: %w", id, directory.ErrConflict)
}

// apply writes rev to the providers collection unless a newer version is
// already there.
func (s *Store) apply(ctx context.Context, rev *revisionDoc) error {
	if rev.Version == 1 {
		return s.insertIfMissing(ctx, rev)
	}
	res, err := s.providers.ReplaceOne(ctx,
		bson.D{{Key: "_id", Value: rev.ProviderID}, {Key: "version", Value: bson.D{{Key: "$lt", Value: rev.Version}}}},
		toProviderDoc(&rev.Provider))
	if err := translate(err); err != nil {
		return err
	}
	if res.MatchedCount > 0 {
		return nil
	}
	// Either the record does not exist yet or it is already at this version
	// or newer. Inserting settles which: a duplicate means the latter.
	return s.insertIfMissing(ctx, rev)
}

func (s *Store) insertIfMissing(ctx context.Context, rev *revisionDoc) error {
	_, err := s.providers.InsertOne(ctx, toProviderDoc(&rev.Provider))
	if err = translate(err); err != nil && !errors.Is(err, directory.ErrConflict) {
		return err
	}
	return nil
}

// Recover applies every revision a writer claimed but did not finish
// applying (because the process died in between). Call it at start-up.
// It returns how many providers it rolled forward.
func (s *Store) Recover(ctx context.Context) (int, error) {
	cur, err := s.revisions.Find(ctx, bson.D{{Key: "applied", Value: false}},
		options.Find().SetProjection(bson.D{{Key: "provider_id", Value: 1}, {Key: "version", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("mongodb: finding unapplied revisions: %w", translate(err))
	}
	var pending []struct {
		ID         string `bson:"_id"`
		ProviderID string `bson:"provider_id"`
		Version    int64  `bson:"version"`
	}
	if err := cur.All(ctx, &pending); err != nil {
		return 0, fmt.Errorf("mongodb: finding unapplied revisions: %w", translate(err))
	}
	done := map[string]bool{}
	for _, r := range pending {
		if !done[r.ProviderID] {
			if err := s.rollForward(ctx, r.ProviderID, r.Version); err != nil {
				return len(done), fmt.Errorf("mongodb: recovering %s: %w", r.ProviderID, err)
			}
			done[r.ProviderID] = true
		}
		_, err := s.revisions.UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: true}}}})
		if err := translate(err); err != nil {
			return len(done), err
		}
	}
	return len(done), nil
}
