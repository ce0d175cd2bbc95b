package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

const auditCollection = "audit"

// auditDoc is an audit entry as stored, under the names the domain type's
// json tags gave it before entries had a stored type
// (testdata/audit-v1.json).
type auditDoc struct {
	ID         string    `bson:"_id"`
	EntryID    string    `bson:"id"`
	At         time.Time `bson:"at"`
	Actor      actorDoc  `bson:"actor"`
	Action     string    `bson:"action"`
	TargetType string    `bson:"target_type"`
	TargetID   string    `bson:"target_id"`
	Version    int64     `bson:"version,omitempty"`
}

func toAuditDoc(e *directory.AuditEntry) auditDoc {
	return auditDoc{
		ID: e.ID, EntryID: e.ID, At: e.At, Actor: *toActorDoc(&e.Actor), Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, Version: e.Version,
	}
}

func fromAuditDoc(d *auditDoc) directory.AuditEntry {
	return directory.AuditEntry{
		ID: d.EntryID, At: d.At, Actor: *fromActorDoc(&d.Actor), Action: d.Action,
		TargetType: d.TargetType, TargetID: d.TargetID, Version: d.Version,
	}
}

// AppendAudit implements directory.AuditStore. The store offers no update
// or delete on this collection.
func (s *Store) AppendAudit(ctx context.Context, e *directory.AuditEntry) error {
	if e.ID == "" {
		e.ID = directory.NewID()
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	if _, err := s.audit.InsertOne(ctx, toAuditDoc(e)); err != nil {
		return fmt.Errorf("mongodb: appending to the audit log: %w", translate(err))
	}
	return nil
}

// AuditEntries implements directory.AuditStore.
func (s *Store) AuditEntries(ctx context.Context, f directory.AuditFilter) ([]directory.AuditEntry, int64, error) {
	filter := bson.D{}
	if f.TargetType != "" {
		filter = append(filter, bson.E{Key: "target_type", Value: f.TargetType})
	}
	if f.TargetID != "" {
		filter = append(filter, bson.E{Key: "target_id", Value: f.TargetID})
	}
	total, err := s.audit.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("mongodb: counting audit entries: %w", translate(err))
	}
	page, per := max(f.Page, 1), max(f.PerPage, 1)
	cur, err := s.audit.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64((page-1)*per)).SetLimit(int64(per)))
	if err != nil {
		return nil, 0, fmt.Errorf("mongodb: reading audit entries: %w", translate(err))
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, fmt.Errorf("mongodb: reading audit entries: %w", translate(err))
	}
	out := make([]directory.AuditEntry, len(docs))
	for i := range docs {
		out[i] = fromAuditDoc(&docs[i])
	}
	return out, total, nil
}
