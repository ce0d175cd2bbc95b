package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// ensureWorkflowIndexes creates the indexes of the workflow collections.
// Shortlist codes are _ids, unique without an index of
// their own.
func (s *Store) ensureWorkflowIndexes(ctx context.Context) error {
	for _, ix := range []struct {
		coll   *mongo.Collection
		models []mongo.IndexModel
	}{
		{s.referrals, []mongo.IndexModel{
			{Keys: bson.D{{Key: "provider_id", Value: 1}, {Key: "created_at", Value: -1}}},
			{Keys: bson.D{{Key: "created_by", Value: 1}, {Key: "created_at", Value: -1}}},
		}},
		{s.referralEvents, []mongo.IndexModel{{Keys: bson.D{{Key: "referral_id", Value: 1}}}}},
		{s.audit, []mongo.IndexModel{
			{Keys: bson.D{{Key: "at", Value: -1}}},
			{Keys: bson.D{{Key: "target_type", Value: 1}, {Key: "target_id", Value: 1}, {Key: "at", Value: -1}}},
		}},
		{s.exposure, []mongo.IndexModel{{Keys: bson.D{{Key: "area", Value: 1}}}}},
		{s.unmetNeed, []mongo.IndexModel{{Keys: bson.D{{Key: "area", Value: 1}}}}},
		{s.pendingChanges, pendingChangeIndexes()},
	} {
		if err := s.createMissingIndexes(ctx, ix.coll, ix.models); err != nil {
			return err
		}
	}
	return nil
}
