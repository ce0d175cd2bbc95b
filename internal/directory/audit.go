package directory

import (
	"context"
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
