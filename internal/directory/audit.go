package directory

import (
	"context"
	"strconv"
	"time"
)

// AuditEntry records one successful write: who, in what role, did what to
// which record, when. It never holds a client's details or needs: the
// target is named by type and id only.
type AuditEntry struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	Actor      Actor     `json:"actor"`
	Action     string    `json:"action" example:"provider.update"`
	TargetType string    `json:"target_type" example:"provider"`
	TargetID   string    `json:"target_id"`
	// Version is the target's version after the write, when it has one.
	Version int64 `json:"version,omitempty"`
}

// AuditFilter selects audit entries. Empty fields do not filter.
type AuditFilter struct {
	TargetType string
	TargetID   string
	Page       int
	PerPage    int
}

// AuditStore is an append-only log: there is no way to change or delete an
// entry through it.
type AuditStore interface {
	// AppendAudit stores e, setting its ID and At when empty.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// AuditEntries returns a page of entries, newest first, and the total.
	AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error)
}

type actionKey struct{}

// WithAction returns ctx carrying the audit action of the provider write
// it is used for ("provider.verify"), which the store records in the
// version's audit entry together with the actor (see WithActor).
func WithAction(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, actionKey{}, action)
}

// ActionFrom returns the action WithAction set, or def when none was.
func ActionFrom(ctx context.Context, def string) string {
	if a, ok := ctx.Value(actionKey{}).(string); ok && a != "" {
		return a
	}
	return def
}

// ProviderAuditID is the id of the one audit entry of a provider's
// version. Stores write it in the same write that makes the version
// (and roll it forward with it after a crash), so every version in a
// history has exactly one entry, however often the write is retried.
func ProviderAuditID(providerID string, version int64) string {
	return "provider:" + providerID + "@" + strconv.FormatInt(version, 10)
}
