package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// tokenDoc is a token as stored. The hash is kept here explicitly because the
// domain type never serialises it.
type tokenDoc struct {
	ID              string `bson:"_id"`
	directory.Token `bson:",inline"`
	Hash            string `bson:"hash"`
}

// CreateToken implements directory.TokenStore.
func (s *Store) CreateToken(ctx context.Context, t *directory.Token) error {
	if t.ID == "" {
		t.ID = directory.NewID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	_, err := s.tokens.InsertOne(ctx, tokenDoc{ID: t.ID, Token: *t, Hash: t.Hash})
	if err != nil {
		return fmt.Errorf("mongodb: creating token: %w", translate(err))
	}
	return nil
}

// TokenByHash implements directory.TokenStore.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*directory.Token, error) {
	var doc tokenDoc
	err := s.tokens.FindOne(ctx, bson.D{{Key: "hash", Value: hash}}).Decode(&doc)
	if err != nil {
		return nil, translate(err)
	}
	if doc.RevokedAt != nil {
		return nil, directory.ErrNotFound
	}
	doc.Token.Hash = doc.Hash
	return &doc.Token, nil
}

// Tokens implements directory.TokenStore.
func (s *Store) Tokens(ctx context.Context) ([]directory.Token, error) {
	cur, err := s.tokens.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("mongodb: listing tokens: %w", translate(err))
	}
	var docs []tokenDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongodb: listing tokens: %w", translate(err))
	}
	out := make([]directory.Token, len(docs))
	for i, d := range docs {
		out[i] = d.Token
	}
	return out, nil
}

// RevokeToken implements directory.TokenStore.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	now := s.now()
	res, err := s.tokens.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: now}}}})
	if err != nil {
		return fmt.Errorf("mongodb: revoking token: %w", translate(err))
	}
	if res.MatchedCount == 0 {
		return directory.ErrNotFound
	}
	return nil
}
