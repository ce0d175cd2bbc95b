package directory

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ProviderFilter selects providers for a listing. Empty fields do not filter.
type ProviderFilter struct {
	Type       string
	Statuses   []string
	Specialism string
	// Area matches, ignoring case, a named coverage area, a site's town or a
	// postcode district the provider covers.
	Area    string
	Page    int // from 1
	PerPage int
}

// Matches reports whether p passes f's filters (not its paging), as
// ListProviders applies them.
func (f ProviderFilter) Matches(p *Provider) bool {
	if f.Type != "" && p.Type != f.Type {
		return false
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, p.Status) {
		return false
	}
	if f.Specialism != "" && !slices.Contains(p.Specialisms, f.Specialism) {
		return false
	}
	if area := strings.ToLower(strings.TrimSpace(f.Area)); area != "" && !p.hasAreaKey(area) {
		return false
	}
	return true
}

// hasAreaKey reports whether key is one of p.AreaKeys(), without building
// them (a listing tests every provider).
func (p *Provider) hasAreaKey(key string) bool {
	return p.eachAreaKey(func(k string) bool { return k != key })
}

// ProviderStore keeps providers. It is the source of truth; indexes are
// rebuilt from it.
type ProviderStore interface {
	// CreateProvider stores a new provider with version 1, setting its ID
	// (when empty) and timestamps. ErrConflict if the ID is taken.
	CreateProvider(ctx context.Context, p *Provider) error
	// Provider returns one provider. ErrNotFound if there is none.
	Provider(ctx context.Context, id string) (*Provider, error)
	// ListProviders returns one page of providers matching f, ordered by
	// name then id, and the total number matching.
	ListProviders(ctx context.Context, f ProviderFilter) ([]Provider, int64, error)
	// UpdateProvider replaces a provider if its stored version is still
	// version, and sets p.Version to the next version and p.UpdatedAt.
	// CreatedAt is kept. ErrNotFound if there is none; ErrVersionMismatch if
	// it has changed since.
	UpdateProvider(ctx context.Context, p *Provider, version int64) error
	// EachProvider calls fn for every provider, in no particular order, until
	// fn returns an error.
	EachProvider(ctx context.Context, fn func(*Provider) error) error
	// CountProviders returns how many providers are stored. It may read
	// every record; to ask whether there are any, use HasProviders.
	CountProviders(ctx context.Context) (int64, error)
	// HasProviders reports whether any provider is stored, cheaply.
	HasProviders(ctx context.Context) (bool, error)
	// CreateProviders stores new providers with version 1 in bulk, setting
	// their IDs (when empty) and timestamps like CreateProvider, and updates
	// each created one in place. It is not all-or-nothing: without
	// transactions, undoing creates would mean deleting records that readers
	// and followers of the ChangeLog may already have seen. Every provider
	// whose id was free is created; those whose id was already taken (or
	// repeated within ps) are left unchanged, nothing of theirs is written,
	// and the error is a *ConflictError naming them, which matches
	// ErrConflict. On any other error an unknown part of ps may have been
	// created (use ProviderVersions to see which); the store stays
	// consistent.
	CreateProviders(ctx context.Context, ps []*Provider) error
	// ProviderVersions returns the stored version of each of ids that
	// exists. Missing ids are absent from the map.
	ProviderVersions(ctx context.Context, ids []string) (map[string]int64, error)
}

// Change records that a provider got a new version. Seq increases by one per
// change, store-wide, with no gaps once writers have finished.
//
// A follower should treat a change as "reload this provider": a change for
// a version is recorded only after that version was written, but it may be
// recorded twice (when two writers raced to finish the same write), and on
// servers without an atomic conditional replace a reader may briefly see an
// older Version than the change names; read it again shortly if so.
type Change struct {
	Seq        int64     `json:"seq"`
	ProviderID string    `json:"provider_id"`
	Version    int64     `json:"version"`
	At         time.Time `json:"at"`
}

// ChangeLog lets a replica follow every write made through any replica:
// load everything after noting LastChange, then poll Changes from there.
type ChangeLog interface {
	// Changes returns up to limit changes with Seq greater than after, in Seq order.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
	// LastChange returns the highest Seq recorded, 0 when there is none.
	LastChange(ctx context.Context) (int64, error)
}

// Role is what a token may do.
type Role string

// Roles. See role.go for what each may do.
const (
	RoleAdmin          Role = "admin"
	RoleAdviser        Role = "adviser"
	RoleProviderEditor Role = "provider_editor"
	// RoleTool marks writes made by a command run by an operator (seed,
	// import, restore) rather than through a token. No token has it.
	RoleTool Role = "tool"
)

// Token is a stored API credential. Only the hash of the secret is kept.
type Token struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// ProviderID is the one provider a provider_editor token may edit.
	ProviderID string     `json:"provider_id,omitempty"`
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// TokenStore keeps API tokens.
type TokenStore interface {
	// CreateToken stores a token. ErrConflict if the hash is taken.
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the live (not revoked) token with the given hash.
	// ErrNotFound if there is none.
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// Tokens lists every token, revoked ones included.
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken marks a token revoked. ErrNotFound if there is none.
	RevokeToken(ctx context.Context, id string) error
}

// Store is everything the service keeps.
type Store interface {
	ProviderStore
	TokenStore
	ChangeLog
	WorkflowStore
	WebhookStore
	// Ping checks the store can be reached. ErrUnavailable if not.
	Ping(ctx context.Context) error
}
