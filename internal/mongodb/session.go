package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

const sessionsCollection = "staff_sessions"

// sessionDoc is a staff session as stored (testdata/session-v1.json). The
// _id is the hash of the cookie's secret, so a session is found by one
// _id lookup, the one lookup FerretDB on SQLite serves from an index.
type sessionDoc struct {
	ID         string    `bson:"_id"`
	TokenID    string    `bson:"token_id"`
	Name       string    `bson:"name"`
	Role       string    `bson:"role"`
	ProviderID string    `bson:"provider_id,omitempty"`
	Method     string    `bson:"method"`
	CreatedAt  time.Time `bson:"created_at"`
	LastSeen   time.Time `bson:"last_seen"`
	ExpiresAt  time.Time `bson:"expires_at"`
}

func toSessionDoc(s *directory.StaffSession) sessionDoc {
	return sessionDoc{
		ID: s.ID, TokenID: s.TokenID, Name: s.Name, Role: string(s.Role), ProviderID: s.ProviderID,
		Method: s.Method, CreatedAt: s.CreatedAt, LastSeen: s.LastSeen, ExpiresAt: s.ExpiresAt,
	}
}

func fromSessionDoc(d *sessionDoc) directory.StaffSession {
	return directory.StaffSession{
		ID: d.ID, TokenID: d.TokenID, Name: d.Name, Role: directory.Role(d.Role), ProviderID: d.ProviderID,
		Method: d.Method, CreatedAt: d.CreatedAt, LastSeen: d.LastSeen, ExpiresAt: d.ExpiresAt,
	}
}

var _ directory.SessionStore = (*Store)(nil)

// CreateSession implements directory.SessionStore.
func (s *Store) CreateSession(ctx context.Context, ss *directory.StaffSession) error {
	if _, err := s.sessions.InsertOne(ctx, toSessionDoc(ss)); err != nil {
		return fmt.Errorf("mongodb: creating session: %w", translate(err))
	}
	return nil
}

// Session implements directory.SessionStore.
func (s *Store) Session(ctx context.Context, id string) (*directory.StaffSession, error) {
	var doc sessionDoc
	if err := s.sessions.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		return nil, translate(err)
	}
	ss := fromSessionDoc(&doc)
	return &ss, nil
}

// TouchSession implements directory.SessionStore.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	res, err := s.sessions.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_seen", Value: at}}}})
	if err != nil {
		return fmt.Errorf("mongodb: touching session: %w", translate(err))
	}
	if res.MatchedCount == 0 {
		return directory.ErrNotFound
	}
	return nil
}

// DeleteSession implements directory.SessionStore.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.sessions.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("mongodb: deleting session: %w", translate(err))
	}
	return nil
}

// DeleteSessionsBefore implements directory.SessionStore. Like shortlists,
// a sweep rather than a TTL index, which the embedded FerretDB refuses.
func (s *Store) DeleteSessionsBefore(ctx context.Context, end, idleSince time.Time) (int64, error) {
	res, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: end}}}},
		bson.D{{Key: "last_seen", Value: bson.D{{Key: "$lt", Value: idleSince}}}},
	}}})
	if err != nil {
		return 0, fmt.Errorf("mongodb: deleting ended sessions: %w", translate(err))
	}
	return res.DeletedCount, nil
}
