package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// tokenDoc is a token as stored, under the names the domain type's json tags
// gave it before tokens had a stored type (testdata/token-v1.json), so
// renaming an API field never renames a stored one. The hash is stored
// although the API never shows it.
type tokenDoc struct {
	ID         string     `bson:"_id"`
	TokenID    string     `bson:"id"`
	Name       string     `bson:"name"`
	Role       string     `bson:"role"`
	ProviderID string     `bson:"provider_id,omitempty"`
	CreatedAt  time.Time  `bson:"created_at"`
	RevokedAt  *time.Time `bson:"revoked_at,omitempty"`
	Hash       string     `bson:"hash"`
}

func toTokenDoc(t *directory.Token) tokenDoc {
	return tokenDoc{
		ID: t.ID, TokenID: t.ID, Name: t.Name, Role: string(t.Role), ProviderID: t.ProviderID,
		CreatedAt: t.CreatedAt, RevokedAt: t.RevokedAt, Hash: t.Hash,
	}
}

func fromTokenDoc(d *tokenDoc) directory.Token {
	return directory.Token{
		ID: d.TokenID, Name: d.Name, Role: directory.Role(d.Role), ProviderID: d.ProviderID,
		CreatedAt: d.CreatedAt, RevokedAt: d.RevokedAt, Hash: d.Hash,
	}
}

// CreateToken implements directory.TokenStore.
func (s *Store) CreateToken(ctx context.Context, t *directory.Token) error {
	if t.ID == "" {
		t.ID = directory.NewID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	_, err := s.tokens.InsertOne(ctx, toTokenDoc(t))
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
	t := fromTokenDoc(&doc)
	return &t, nil
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
	for i := range docs {
		out[i] = fromTokenDoc(&docs[i])
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
