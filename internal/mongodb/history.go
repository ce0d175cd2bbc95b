package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// ProviderHistory implements directory.HistoryStore from the revisions
// collection, which holds every version of every provider (revision.go).
// Only applied revisions count: an unapplied one is a write in flight (or
// one Recover will finish), not yet part of the record.
func (s *Store) ProviderHistory(ctx context.Context, id string) ([]directory.ProviderRevision, error) {
	cur, err := s.revisions.Find(ctx,
		bson.D{{Key: "provider_id", Value: id}},
		options.Find().SetSort(bson.D{{Key: "provider_id", Value: 1}, {Key: "version", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("mongodb: reading history of %s: %w", id, translate(err))
	}
	var docs []revisionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongodb: reading history of %s: %w", id, translate(err))
	}
	out := make([]directory.ProviderRevision, 0, len(docs))
	for _, d := range docs {
		if !d.Applied {
			continue
		}
		out = append(out, directory.ProviderRevision{
			Version: d.Version, At: d.At, ChangedBy: fromActorDoc(d.ChangedBy), Provider: fromProviderRecord(&d.Provider),
		})
	}
	if len(out) == 0 {
		return nil, directory.ErrNotFound
	}
	return out, nil
}
