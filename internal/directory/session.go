package directory

import (
	"context"
	"time"
)

// StaffSession is a signed-in person's session on the staff pages. It is
// kept on the server (so replicas share it and signing out ends it there),
// keyed by a hash of the secret in the person's cookie, so reading the store
// gives nobody a usable cookie. It holds who the person is and when the
// session ends; never a client's details.
type StaffSession struct {
	// ID is the hex SHA-256 of the cookie's secret.
	ID string
	// TokenID, Name, Role and ProviderID are the person, as a token would
	// give them (an access key's token, or the identity provider's claims).
	TokenID    string
	Name       string
	Role       Role
	ProviderID string
	// Method is how they signed in: "access_key" or "oidc".
	Method    string
	CreatedAt time.Time
	// LastSeen is when the session was last used, for the idle timeout.
	LastSeen time.Time
	// ExpiresAt is the absolute end, whatever the activity.
	ExpiresAt time.Time
}

// Token returns the token the session stands for, for the same role checks
// the API makes.
func (s *StaffSession) Token() *Token {
	return &Token{ID: s.TokenID, Name: s.Name, Role: s.Role, ProviderID: s.ProviderID}
}

// SessionStore keeps staff sessions.
type SessionStore interface {
	// CreateSession stores a new session. ErrConflict if the ID is taken.
	CreateSession(ctx context.Context, s *StaffSession) error
	// Session returns the session with that ID, ended or not (the caller
	// judges timeouts). ErrNotFound if there is none.
	Session(ctx context.Context, id string) (*StaffSession, error)
	// TouchSession sets a session's LastSeen. ErrNotFound if there is none.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// DeleteSession removes a session; removing one that is gone is not an
	// error.
	DeleteSession(ctx context.Context, id string) error
	// DeleteSessionsBefore removes every session whose ExpiresAt is not
	// after end, or which was last seen before idleSince, and returns how
	// many it removed.
	DeleteSessionsBefore(ctx context.Context, end, idleSince time.Time) (int64, error)
}
