package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// pendingChangesCollection holds provider changes held for review (not to
// be confused with the "pending" write markers of pending.go).
const pendingChangesCollection = "pending_changes"

// pendingChangeDoc is a directory.PendingChange as stored. The proposed
// record is stored as a providerRecord, like a revision.
//
// Open enforces one pending change per provider with a plain unique index
// (FerretDB v1 has no partial indexes): it is the provider id while the
// change is pending, and "closed:" and the change's own id once it is not.
type pendingChangeDoc struct {
	ID             string         `bson:"_id"`
	Open           string         `bson:"open"`
	ProviderID     string         `bson:"provider_id"`
	BaseVersion    int64          `bson:"base_version"`
	Fields         []string       `bson:"fields"`
	Proposed       providerRecord `bson:"proposed"`
	ProposedBy     actorDoc       `bson:"proposed_by"`
	ProposedAt     time.Time      `bson:"proposed_at"`
	Status         string         `bson:"status"`
	Reason         string         `bson:"reason,omitempty"`
	DecidedBy      *actorDoc      `bson:"decided_by,omitempty"`
	DecidedAt      *time.Time     `bson:"decided_at,omitempty"`
	AppliedVersion int64          `bson:"applied_version,omitempty"`
}

func openKey(c *directory.PendingChange) string {
	if c.Status == directory.ChangePending {
		return c.ProviderID
	}
	return "closed:" + c.ID
}

func toPendingChangeDoc(c *directory.PendingChange) *pendingChangeDoc {
	return &pendingChangeDoc{
		ID: c.ID, Open: openKey(c), ProviderID: c.ProviderID, BaseVersion: c.BaseVersion, Fields: c.Fields,
		Proposed: toProviderRecord(&c.Proposed), ProposedBy: *toActorDoc(&c.ProposedBy), ProposedAt: c.ProposedAt,
		Status: c.Status, Reason: c.Reason, DecidedBy: toActorDoc(c.DecidedBy), DecidedAt: c.DecidedAt,
		AppliedVersion: c.AppliedVersion,
	}
}

func fromPendingChangeDoc(d *pendingChangeDoc) directory.PendingChange {
	return directory.PendingChange{
		ID: d.ID, ProviderID: d.ProviderID, BaseVersion: d.BaseVersion, Fields: d.Fields,
		Proposed: fromProviderRecord(&d.Proposed), ProposedBy: *fromActorDoc(&d.ProposedBy), ProposedAt: d.ProposedAt,
		Status: d.Status, Reason: d.Reason, DecidedBy: fromActorDoc(d.DecidedBy), DecidedAt: d.DecidedAt,
		AppliedVersion: d.AppliedVersion,
	}
}

// ProposeChange implements directory.PendingChangeStore. Superseding the
// old change and inserting the new one are two writes; if another proposal
// for the provider is inserted between them, the unique open key refuses
// this one and it tries again, so at most one change is ever pending.
func (s *Store) ProposeChange(ctx context.Context, c *directory.PendingChange) (string, error) {
	next := *c
	if next.ID == "" {
		next.ID = directory.NewID()
	}
	next.ProposedAt = s.now()
	next.Status = directory.ChangePending
	var superseded string
	for range 5 {
		var old pendingChangeDoc
		err := s.pendingChanges.FindOne(ctx, bson.D{{Key: "open", Value: next.ProviderID}}).Decode(&old)
		switch err = translate(err); {
		case err == nil:
			res, err := s.pendingChanges.UpdateOne(ctx,
				bson.D{{Key: "_id", Value: old.ID}, {Key: "status", Value: directory.ChangePending}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: directory.ChangeSuperseded}, {Key: "open", Value: "closed:" + old.ID}}}})
			if err != nil {
				return "", fmt.Errorf("mongodb: superseding change %s: %w", old.ID, translate(err))
			}
			if res.ModifiedCount == 1 {
				superseded = old.ID
			}
		case !errors.Is(err, directory.ErrNotFound):
			return "", fmt.Errorf("mongodb: reading the pending change of %s: %w", next.ProviderID, err)
		}
		_, err = s.pendingChanges.InsertOne(ctx, toPendingChangeDoc(&next))
		if err = translate(err); err == nil {
			*c = next
			return superseded, nil
		}
		if !errors.Is(err, directory.ErrConflict) {
			return "", fmt.Errorf("mongodb: storing a pending change: %w", err)
		}
	}
	return "", fmt.Errorf("mongodb: storing a pending change: %w: another proposal for %s keeps arriving", directory.ErrConflict, next.ProviderID)
}

// PendingChange implements directory.PendingChangeStore.
func (s *Store) PendingChange(ctx context.Context, id string) (*directory.PendingChange, error) {
	var d pendingChangeDoc
	if err := s.pendingChanges.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, translate(err)
	}
	c := fromPendingChangeDoc(&d)
	return &c, nil
}

// PendingChanges implements directory.PendingChangeStore.
func (s *Store) PendingChanges(ctx context.Context, f directory.PendingChangeFilter) ([]directory.PendingChange, int64, error) {
	filter := bson.D{}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	if f.ProviderID != "" {
		filter = append(filter, bson.E{Key: "provider_id", Value: f.ProviderID})
	}
	total, err := s.pendingChanges.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("mongodb: counting pending changes: %w", translate(err))
	}
	page, per := max(f.Page, 1), max(f.PerPage, 1)
	cur, err := s.pendingChanges.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "proposed_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64((page-1)*per)).SetLimit(int64(per)))
	if err != nil {
		return nil, 0, fmt.Errorf("mongodb: reading pending changes: %w", translate(err))
	}
	var docs []pendingChangeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, fmt.Errorf("mongodb: reading pending changes: %w", translate(err))
	}
	out := make([]directory.PendingChange, len(docs))
	for i := range docs {
		out[i] = fromPendingChangeDoc(&docs[i])
	}
	return out, total, nil
}

// UpdateChangeStatus implements directory.PendingChangeStore.
func (s *Store) UpdateChangeStatus(ctx context.Context, c *directory.PendingChange, from string) error {
	d := toPendingChangeDoc(c)
	set := bson.D{
		{Key: "status", Value: d.Status}, {Key: "open", Value: d.Open}, {Key: "reason", Value: d.Reason},
		{Key: "decided_by", Value: d.DecidedBy}, {Key: "decided_at", Value: d.DecidedAt},
		{Key: "applied_version", Value: d.AppliedVersion},
	}
	res, err := s.pendingChanges.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: c.ID}, {Key: "status", Value: from}},
		bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("mongodb: updating change %s: %w", c.ID, translate(err))
	}
	if res.MatchedCount == 1 {
		return nil
	}
	if _, err := s.PendingChange(ctx, c.ID); err != nil {
		return err
	}
	return fmt.Errorf("mongodb: change %s is no longer %s: %w", c.ID, from, directory.ErrConflict)
}

// pendingChangeIndexes are the pending_changes collection's indexes.
func pendingChangeIndexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		{Keys: bson.D{{Key: "open", Value: 1}}, Options: options.Index().SetUnique(true)},
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "proposed_at", Value: -1}}},
	}
}
