package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

const shortlistsCollection = "shortlists"

// shortlistDoc is a stored shortlist, under the names the domain type's json
// tags gave it before shortlists had a stored type
// (testdata/shortlist-v1.json). Fields older versions stored and the
// domain type no longer has, such as the met and not-met explanations and
// scores, are dropped on read: bson ignores stored fields the struct lacks.
type shortlistDoc struct {
	ID               string             `bson:"_id"`
	Code             string             `bson:"code"`
	District         string             `bson:"district"`
	Total            int                `bson:"total"`
	NoGoodFit        bool               `bson:"no_good_fit"`
	Items            []shortlistItemDoc `bson:"items"`
	ChosenProviderID string             `bson:"chosen_provider_id,omitempty"`
	Note             string             `bson:"note,omitempty"`
	CreatedAt        time.Time          `bson:"created_at"`
	ExpiresAt        time.Time          `bson:"expires_at"`
	CreatedBy        string             `bson:"created_by"`
}

// shortlistItemDoc is one provider of a stored shortlist.
type shortlistItemDoc struct {
	ProviderID     string   `bson:"provider_id"`
	Name           string   `bson:"name"`
	Rank           int      `bson:"rank"`
	Flags          []string `bson:"flags"`
	OtherProvision bool     `bson:"other_provision,omitempty"`
}

func toShortlistDoc(sl *directory.Shortlist) shortlistDoc {
	d := shortlistDoc{
		ID: sl.Code, Code: sl.Code, District: sl.District, Total: sl.Total, NoGoodFit: sl.NoGoodFit,
		ChosenProviderID: sl.ChosenProviderID, Note: sl.Note,
		CreatedAt: sl.CreatedAt, ExpiresAt: sl.ExpiresAt, CreatedBy: sl.CreatedBy,
	}
	if sl.Items != nil {
		d.Items = make([]shortlistItemDoc, len(sl.Items))
		for i, it := range sl.Items {
			d.Items[i] = shortlistItemDoc{
				ProviderID: it.ProviderID, Name: it.Name, Rank: it.Rank, Flags: it.Flags, OtherProvision: it.OtherProvision,
			}
		}
	}
	return d
}

func fromShortlistDoc(d *shortlistDoc) directory.Shortlist {
	sl := directory.Shortlist{
		Code: d.Code, District: d.District, Total: d.Total, NoGoodFit: d.NoGoodFit,
		ChosenProviderID: d.ChosenProviderID, Note: d.Note,
		CreatedAt: d.CreatedAt, ExpiresAt: d.ExpiresAt, CreatedBy: d.CreatedBy,
	}
	if d.Items != nil {
		sl.Items = make([]directory.ShortlistItem, len(d.Items))
		for i, it := range d.Items {
			sl.Items[i] = directory.ShortlistItem{
				ProviderID: it.ProviderID, Name: it.Name, Rank: it.Rank, Flags: it.Flags, OtherProvision: it.OtherProvision,
			}
		}
	}
	return sl
}

// CreateShortlist implements directory.ShortlistStore. The code is the _id,
// so uniqueness needs no extra index; a clash is retried with a new code.
func (s *Store) CreateShortlist(ctx context.Context, sl *directory.Shortlist) error {
	now := s.now()
	next := *sl
	next.CreatedAt = now
	next.ExpiresAt = now.Add(directory.ShortlistLifetime)
	for range 5 {
		next.Code = directory.NewShortlistCode()
		_, err := s.shortlists.InsertOne(ctx, toShortlistDoc(&next))
		err = translate(err)
		if err == nil {
			*sl = next
			return nil
		}
		if !errors.Is(err, directory.ErrConflict) {
			return fmt.Errorf("mongodb: creating shortlist: %w", err)
		}
	}
	return fmt.Errorf("mongodb: creating shortlist: %w: no free code", directory.ErrConflict)
}

// Shortlist implements directory.ShortlistStore.
func (s *Store) Shortlist(ctx context.Context, code string) (*directory.Shortlist, error) {
	var doc shortlistDoc
	if err := s.shortlists.FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&doc); err != nil {
		return nil, translate(err)
	}
	sl := fromShortlistDoc(&doc)
	return &sl, nil
}

// shortlistExpiresKey is where shortlistDoc stores Shortlist.ExpiresAt.
const shortlistExpiresKey = "expires_at"

// DeleteExpiredShortlists implements directory.ShortlistStore. It is a sweep
// rather than a TTL index because FerretDB v1, the embedded store, refuses
// the expireAfterSeconds index option ("not implemented"); one sweep serves
// both it and MongoDB.
func (s *Store) DeleteExpiredShortlists(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.shortlists.DeleteMany(ctx, bson.D{{Key: shortlistExpiresKey, Value: bson.D{{Key: "$lte", Value: now}}}})
	if err != nil {
		return 0, fmt.Errorf("mongodb: deleting expired shortlists: %w", translate(err))
	}
	return res.DeletedCount, nil
}

// ShortlistsBy returns the newest shortlists one person saved, at most
// limit, for their home page.
func (s *Store) ShortlistsBy(ctx context.Context, createdBy string, limit int) ([]directory.Shortlist, error) {
	cur, err := s.shortlists.Find(ctx, bson.D{{Key: "created_by", Value: createdBy}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("mongodb: listing shortlists: %w", translate(err))
	}
	var docs []shortlistDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongodb: listing shortlists: %w", translate(err))
	}
	out := make([]directory.Shortlist, len(docs))
	for i := range docs {
		out[i] = fromShortlistDoc(&docs[i])
	}
	return out, nil
}
