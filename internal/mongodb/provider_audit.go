package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Every provider version has exactly one audit entry, written by the store
// in the same steps that make the version (before its revision is marked
// applied, or its bulk intent deleted), under an id the version decides
// (directory.ProviderAuditID). A write cut short is rolled forward with its
// entry by the next writer or Recover, and a repeated insert is a
// duplicate, so neither a crash nor a retry can leave a version with none
// or two.

// defaultAction names a provider write that no caller named.
func defaultAction(version int64) string {
	if version == 1 {
		return "provider.create"
	}
	return "provider.update"
}

// revisionAudit is the audit entry of rev.
func revisionAudit(rev *revisionDoc) auditDoc {
	e := directory.AuditEntry{
		ID: directory.ProviderAuditID(rev.ProviderID, rev.Version), At: rev.At,
		Action:     rev.Action,
		TargetType: "provider", TargetID: rev.ProviderID, Version: rev.Version,
	}
	if e.Action == "" {
		e.Action = defaultAction(rev.Version)
	}
	if rev.ChangedBy != nil {
		e.Actor = *fromActorDoc(rev.ChangedBy)
	}
	return toAuditDoc(&e)
}

// appendRevisionAudits inserts the audit entries of revs that are not in
// the log yet.
func (s *Store) appendRevisionAudits(ctx context.Context, revs []*revisionDoc) error {
	if len(revs) == 0 {
		return nil
	}
	docs := make([]auditDoc, len(revs))
	for i, r := range revs {
		docs[i] = revisionAudit(r)
	}
	// A duplicate is an entry an earlier attempt wrote: not an error.
	_, err := insertUnordered(ctx, s.audit, docs, nil)
	return err
}

// stampRevision records who is writing, and why, from ctx.
func stampRevision(ctx context.Context, rev *revisionDoc) {
	if a, ok := directory.ActorFrom(ctx); ok {
		rev.ChangedBy = toActorDoc(&a)
	}
	rev.Action = directory.ActionFrom(ctx, defaultAction(rev.Version))
}

// BackfillProviderAudit gives every provider version in the revisions
// collection that has no audit entry its entry, and returns how many it
// wrote. A restore runs it: a backup taken before versions were audited in
// the store holds versions (seeded, imported, recovered) with none.
// Entries are matched by target and version, so versions audited under an
// older scheme (random ids) are not given a second one.
func (s *Store) BackfillProviderAudit(ctx context.Context) (int, error) {
	have := map[string]bool{}
	cur, err := s.audit.Find(ctx, bson.D{{Key: "target_type", Value: "provider"}},
		options.Find().SetProjection(bson.D{{Key: "target_id", Value: 1}, {Key: "version", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("mongodb: reading the audit log: %w", translate(err))
	}
	for cur.Next(ctx) {
		var e struct {
			TargetID string `bson:"target_id"`
			Version  int64  `bson:"version"`
		}
		if err := cur.Decode(&e); err != nil {
			_ = cur.Close(ctx)
			return 0, fmt.Errorf("mongodb: reading the audit log: %w", err)
		}
		have[revisionID(e.TargetID, e.Version)] = true
	}
	if err := cur.Err(); err != nil {
		return 0, fmt.Errorf("mongodb: reading the audit log: %w", translate(err))
	}
	_ = cur.Close(ctx)

	revs, err := s.revisions.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "provider", Value: 0}}))
	if err != nil {
		return 0, fmt.Errorf("mongodb: reading revisions: %w", translate(err))
	}
	defer revs.Close(ctx)
	var missing []*revisionDoc
	n := 0
	flush := func() error {
		if err := s.appendRevisionAudits(ctx, missing); err != nil {
			return err
		}
		n += len(missing)
		missing = missing[:0]
		return nil
	}
	for revs.Next(ctx) {
		var r revisionDoc
		if err := revs.Decode(&r); err != nil {
			return n, fmt.Errorf("mongodb: reading revisions: %w", err)
		}
		if have[r.ID] {
			continue
		}
		missing = append(missing, &r)
		if len(missing) == bulkBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := revs.Err(); err != nil {
		return n, fmt.Errorf("mongodb: reading revisions: %w", translate(err))
	}
	return n, flush()
}
