package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

const shortlistsCollection = "shortlists"

// shortlistDoc is a stored shortlist. The domain type is inlined, so its
// fields are stored under its JSON names ("expires_at": the store's
// registry falls back to json tags). Fields the domain type no longer has, such as the met and
// not-met explanations and scores older versions stored, are dropped on
// read: bson ignores stored fields the struct lacks.
type shortlistDoc struct {
	ID                  string `bson:"_id"`
	directory.Shortlist `bson:",inline"`
	CreatedBy           string `bson:"created_by"`
}

// CreateShortlist implements directory.ShortlistStore. The code is the _id,
// so uniqueness needs no extra index; a clash is retried with a new code.
func (s *Store) CreateShortlist(ctx context.Context, sl *directory.Shortlist) error {
	now := s.now()
	next := *sl
	next.CreatedAt = now
	next.ExpiresAt = now.Add(directory.ShortlistLifetime)
	for range 5 {
		next.Code = directory.NewShortlistCode()
		_, err := s.shortlists.InsertOne(ctx, shortlistDoc{ID: next.Code, Shortlist: next, CreatedBy: next.CreatedBy})
		err = translate(err)
		if err == nil {
			*sl = next
			return nil
		}
		if !errors.Is(err, directory.ErrConflict) {
			return fmt.Errorf("mongodb: creating shortlist: %w", err)
		}
	}
	return fmt.Errorf("mongodb: creating shortlist: %w: no free code", directory.ErrConflict)
}

// Shortlist implements directory.ShortlistStore.
func (s *Store) Shortlist(ctx context.Context, code string) (*directory.Shortlist, error) {
	var doc shortlistDoc
	if err := s.shortlists.FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&doc); err != nil {
		return nil, translate(err)
	}
	doc.Shortlist.CreatedBy = doc.CreatedBy
	return &doc.Shortlist, nil
}

// shortlistExpiresKey is where shortlistDoc stores Shortlist.ExpiresAt.
const shortlistExpiresKey = "expires_at"

// DeleteExpiredShortlists implements directory.ShortlistStore. It is a sweep
// rather than a TTL index because FerretDB v1, the embedded store, refuses
// the expireAfterSeconds index option ("not implemented"); one sweep serves
// both it and MongoDB.
func (s *Store) DeleteExpiredShortlists(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.shortlists.DeleteMany(ctx, bson.D{{Key: shortlistExpiresKey, Value: bson.D{{Key: "$lte", Value: now}}}})
	if err != nil {
		return 0, fmt.Errorf("mongodb: deleting expired shortlists: %w", translate(err))
	}
	return res.DeletedCount, nil
}
