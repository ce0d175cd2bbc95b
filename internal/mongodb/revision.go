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
}

func revisionID(providerID string, version int64) string {
	return fmt.Sprintf("%s@%d", providerID, version)
}

func (s *Store) ensureRevisionIndexes(ctx context.Context) error {
	_, err := s.revisions.Indexes().CreateMany(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: "provider_id", Value: 1}, {Key: "version", Value: -1}}},
		{Keys: bson.D{{Key: "applied", Value: 1}}},
	})
	if err != nil {
		return fmt.Errorf("mongodb: creating revision indexes: %w", translate(err))
	}
	return nil
}

// write claims p.Version for p.ID and applies it. ErrVersionMismatch when
// another writer claimed that version first.
func (s *Store) write(ctx context.Context, p *directory.Provider) error {
	rev := revisionDoc{
		ID: revisionID(p.ID, p.Version), ProviderID: p.ID, Version: p.Version,
		At: p.UpdatedAt, Provider: *p,
	}
	if _, err := s.revisions.InsertOne(ctx, rev); err != nil {
		err = translate(err)
		if errors.Is(err, directory.ErrConflict) {
			// Someone else holds this version: finish their write if they
			// have not (they may have died), so readers see it.
			if err := s.rollForward(ctx, p.ID); err != nil {
				return err
			}
			return directory.ErrVersionMismatch
		}
		return err
	}
	if err := s.rollForward(ctx, p.ID); err != nil {
		return err
	}
	_, err := s.revisions.UpdateOne(ctx, bson.D{{Key: "_id", Value: rev.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: true}}}})
	return translate(err)
}

// rollForward makes the providers collection hold the latest revision of id.
// It loops because on servers without atomic replace a slower writer may put
// back an older revision after a newer one landed; each pass re-reads the
// latest, so the record converges on the newest version.
func (s *Store) rollForward(ctx context.Context, id string) error {
	for range 10 {
		var latest revisionDoc
		err := s.revisions.FindOne(ctx, bson.D{{Key: "provider_id", Value: id}},
			options.FindOne().SetSort(bson.D{{Key: "version", Value: -1}})).Decode(&latest)
		if err != nil {
			return fmt.Errorf("reading latest revision: %w", translate(err))
		}
		cur, err := s.Provider(ctx, id)
		switch {
		case errors.Is(err, directory.ErrNotFound):
			_, err = s.providers.InsertOne(ctx, toProviderDoc(&latest.Provider))
			if err = translate(err); err != nil && !errors.Is(err, directory.ErrConflict) {
				return err
			}
			continue // inserted, or someone else did: check again
		case err != nil:
			return err
		case cur.Version >= latest.Version:
			return nil
		}
		_, err = s.providers.ReplaceOne(ctx,
			bson.D{{Key: "_id", Value: id}, {Key: "version", Value: bson.D{{Key: "$lt", Value: latest.Version}}}},
			toProviderDoc(&latest.Provider))
		if err := translate(err); err != nil {
			return err
		}
	}
	return fmt.Errorf("provider %s did not settle on its latest revision: %w", id, directory.ErrConflict)
}

// Recover applies every revision a writer claimed but did not finish
// applying (because the process died in between). Call it at start-up.
// It returns how many providers it rolled forward.
func (s *Store) Recover(ctx context.Context) (int, error) {
	cur, err := s.revisions.Find(ctx, bson.D{{Key: "applied", Value: false}},
		options.Find().SetProjection(bson.D{{Key: "provider_id", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("mongodb: finding unapplied revisions: %w", translate(err))
	}
	var pending []struct {
		ID         string `bson:"_id"`
		ProviderID string `bson:"provider_id"`
	}
	if err := cur.All(ctx, &pending); err != nil {
		return 0, fmt.Errorf("mongodb: finding unapplied revisions: %w", translate(err))
	}
	done := map[string]bool{}
	for _, r := range pending {
		if !done[r.ProviderID] {
			if err := s.rollForward(ctx, r.ProviderID); err != nil {
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
