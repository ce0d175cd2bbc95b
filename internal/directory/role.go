package directory

import (
	"context"
	"strings"
)

// Roles and what each may do (the API documents the rule per endpoint):
//   - public (no token): read published listings, search, match, open a
//     shortlist by its code;
//   - adviser: save shortlists, make referrals with consent, see their own
//     referrals and the outcomes;
//   - provider_editor: scoped to one provider (Token.ProviderID): edit and
//     verify that listing, see its history, work its referral inbox;
//   - admin: everything on listings and tokens, reports and audit, but not
//     clients' details on referrals (nobody but the two parties needs them).

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleAdviser, RoleProviderEditor:
		return true
	}
	return false
}

// MaxTokenName bounds a token's name.
const MaxTokenName = 100

// Validate checks a token about to be created: a known role, a name, and a
// provider id exactly when the role is provider_editor. It does not check
// that the provider exists; the caller does.
func (t *Token) Validate() error {
	var v problems
	t.Name = strings.TrimSpace(t.Name)
	t.ProviderID = strings.TrimSpace(t.ProviderID)
	if t.Name == "" || len(t.Name) > MaxTokenName {
		v.add("name", "is required, at most %d characters", MaxTokenName)
	}
	if !t.Role.Valid() {
		v.add("role", "must be one of admin, adviser, provider_editor")
	}
	switch {
	case t.Role == RoleProviderEditor && t.ProviderID == "":
		v.add("provider_id", "is required for a provider_editor token")
	case t.Role != RoleProviderEditor && t.ProviderID != "":
		v.add("provider_id", "is only for provider_editor tokens")
	case t.ProviderID != "" && !ValidID(t.ProviderID):
		v.add("provider_id", "is not a valid provider id")
	}
	return v.err()
}

// Actor is who made a change, as kept in histories and the audit log: the
// token's id, name and role. Never a client.
type Actor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Role is empty for the service itself (seed imports, expiry).
	Role Role `json:"role" swaggertype:"string" enums:",admin,adviser,provider_editor,tool"`
}

// ActorOf returns the actor a token stands for.
func ActorOf(t *Token) Actor { return Actor{ID: t.ID, Name: t.Name, Role: t.Role} }

type actorKey struct{}

// WithActor returns ctx carrying who is making the request, so a store can
// record it with a change without every store method growing a parameter
// (ProviderStore is shared by code that knows nothing of actors).
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor WithActor set, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
