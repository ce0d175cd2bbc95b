package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

const auditCollection = "audit"

type auditDoc struct {
	ID                   string `bson:"_id"`
	directory.AuditEntry `bson:",inline"`
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
	if _, err := s.audit.InsertOne(ctx, auditDoc{ID: e.ID, AuditEntry: *e}); err != nil {
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
		out[i] = docs[i].AuditEntry
	}
	return out, total, nil
}
