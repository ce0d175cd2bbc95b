package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// CreateProvider implements directory.ProviderStore.
func (s *Store) CreateProvider(ctx context.Context, p *directory.Provider) error {
	if p.ID == "" {
		p.ID = directory.NewID()
	}
	now := s.now()
	next := *p
	next.Version, next.CreatedAt, next.UpdatedAt = 1, now, now
	if err := s.write(ctx, &next); err != nil {
		if errors.Is(err, directory.ErrVersionMismatch) {
			return fmt.Errorf("mongodb: creating provider %s: %w: the id is taken", p.ID, directory.ErrConflict)
		}
		return fmt.Errorf("mongodb: creating provider %s: %w", p.ID, err)
	}
	*p = next
	return nil
}

// Provider implements directory.ProviderStore.
func (s *Store) Provider(ctx context.Context, id string) (*directory.Provider, error) {
	var doc providerDoc
	err := s.providers.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
	if err != nil {
		return nil, translate(err)
	}
	p := fromProviderRecord(&doc.Record)
	return &p, nil
}

// ListProviders implements directory.ProviderStore.
func (s *Store) ListProviders(ctx context.Context, f directory.ProviderFilter) ([]directory.Provider, int64, error) {
	filter := bson.D{}
	if f.Type != "" {
		filter = append(filter, bson.E{Key: "type", Value: f.Type})
	}
	if len(f.Statuses) > 0 {
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: f.Statuses}}})
	}
	if f.Specialism != "" {
		filter = append(filter, bson.E{Key: "specialisms", Value: f.Specialism})
	}
	if f.Area != "" {
		filter = append(filter, bson.E{Key: "area_keys", Value: strings.ToLower(strings.TrimSpace(f.Area))})
	}
	total, err := s.providers.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("mongodb: counting providers: %w", translate(err))
	}
	page, per := max(f.Page, 1), max(f.PerPage, 1)
	opts := options.Find().
		SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}).
		SetSkip(int64((page - 1) * per)).
		SetLimit(int64(per))
	cur, err := s.providers.Find(ctx, filter, opts)
	if err != nil {
		return nil, 0, fmt.Errorf("mongodb: listing providers: %w", translate(err))
	}
	var docs []providerDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, fmt.Errorf("mongodb: listing providers: %w", translate(err))
	}
	out := make([]directory.Provider, len(docs))
	for i := range docs {
		out[i] = fromProviderRecord(&docs[i].Record)
	}
	return out, total, nil
}

// UpdateProvider implements directory.ProviderStore. Of two concurrent
// updates from the same version exactly one succeeds: see write.
func (s *Store) UpdateProvider(ctx context.Context, p *directory.Provider, version int64) error {
	cur, err := s.Provider(ctx, p.ID)
	if err != nil {
		return err
	}
	if cur.Version != version {
		return directory.ErrVersionMismatch
	}
	next := *p
	next.Version = version + 1
	next.CreatedAt = cur.CreatedAt
	next.UpdatedAt = s.now()
	if err := s.write(ctx, &next); err != nil {
		return fmt.Errorf("mongodb: updating provider %s: %w", p.ID, err)
	}
	*p = next
	return nil
}

// EachProvider implements directory.ProviderStore. On FerretDB on SQLite
// it reads the SQLite file directly (see ferretsqlite.go).
func (s *Store) EachProvider(ctx context.Context, fn func(*directory.Provider) error) error {
	if s.sqlite != nil {
		return s.eachProviderFerret(ctx, fn)
	}
	return s.eachProviderDriver(ctx, fn)
}

// eachProviderDriver is EachProvider through the driver.
func (s *Store) eachProviderDriver(ctx context.Context, fn func(*directory.Provider) error) error {
	cur, err := s.providers.Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("mongodb: reading providers: %w", translate(err))
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var doc providerDoc
		if err := cur.Decode(&doc); err != nil {
			return fmt.Errorf("mongodb: decoding provider: %w", err)
		}
		p := fromProviderRecord(&doc.Record)
		if err := fn(&p); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("mongodb: reading providers: %w", translate(err))
	}
	return nil
}

// CountProviders implements directory.ProviderStore.
func (s *Store) CountProviders(ctx context.Context) (int64, error) {
	n, err := s.providers.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("mongodb: counting providers: %w", translate(err))
	}
	return n, nil
}

// HasProviders implements directory.ProviderStore. It fetches one _id with
// no filter, sort or skip: the only find whose limit FerretDB v1.24 pushes
// down to SQL (a count, or any filter, makes it decode every document).
func (s *Store) HasProviders(ctx context.Context) (bool, error) {
	err := s.providers.FindOne(ctx, bson.D{},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mongodb: looking for a provider: %w", translate(err))
	}
	return true, nil
}
