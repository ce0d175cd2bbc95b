package mongodb

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

const shortlistsCollection = "shortlists"

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
