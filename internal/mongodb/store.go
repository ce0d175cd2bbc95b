package mongodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Collection names.
const (
	providersCollection = "providers"
	tokensCollection    = "tokens"
)

// Store implements directory.Store over a MongoDB database.
type Store struct {
	client    *mongo.Client
	db        *mongo.Database
	providers *mongo.Collection
	tokens    *mongo.Collection
	revisions *mongo.Collection
	changes   *mongo.Collection
	bulks     *mongo.Collection
	pending   *mongo.Collection
	// pendingChanges are changes held for review (review.go).
	pendingChanges *mongo.Collection

	opts Options
	// sqlite is set when the server is FerretDB on SQLite (Options.SQLiteDir):
	// the few places where the store works round that server ask for it
	// (see ferretsqlite.go).
	sqlite *ferretSQLite
	logger *slog.Logger

	// seqMu makes this process's writers append changes one at a time;
	// seenSeq is the highest Seq known to exist (see change.go).
	seqMu   sync.Mutex
	seenSeq atomic.Int64
	// Workflow collections (referral.go, shortlist.go, audit.go, exposure.go).
	referrals, referralEvents, shortlists, audit, exposure, unmetNeed *mongo.Collection
	// Webhook collections (webhook.go).
	webhooks, webhookOutbox, webhookAttempts, webhookEvents *mongo.Collection
	// sessions are the staff pages' sign-in sessions (session.go).
	sessions *mongo.Collection
	now      func() time.Time
}

var _ directory.Store = (*Store)(nil)

// Options adapt a store to its server. The zero value suits any MongoDB.
type Options struct {
	// SQLiteDir is set when the server is FerretDB v1 on SQLite: it is the
	// directory of its SQLite files (its SQLiteURL). The store then reads
	// and indexes those files directly where going through FerretDB is too
	// slow (see ferretsqlite.go). Empty for any other server.
	SQLiteDir string
	// Logger receives the store's warnings; nil discards them.
	Logger *slog.Logger
	// Observer, when set, is told about every command sent (metrics and
	// traces).
	Observer CallObserver

	// step, set only by this package's tests, is called as a writer passes
	// each step of a write; an error stops the writer there, as if its
	// process were killed (see reached).
	step func(step string) error
}

// Open connects to the MongoDB at uri, uses database dbName, and creates the
// indexes the store needs. It fails if the server cannot be reached within
// the context's deadline (or 10 s).
func Open(ctx context.Context, uri, dbName string) (*Store, error) {
	return OpenWith(ctx, uri, dbName, Options{})
}

// OpenWith is Open with options for the server.
func OpenWith(ctx context.Context, uri, dbName string, o Options) (*Store, error) {
	opts := options.Client().ApplyURI(uri).
		SetAppName("brokerfinder").
		SetServerSelectionTimeout(5 * time.Second).
		// Every collection is stored through types of its own with bson
		// tags, so the driver ignores json tags: an API rename can never
		// rename a stored field. Nil slices stay null, as they always were.
		SetBSONOptions(&options.BSONOptions{NilSliceAsEmpty: false})
	if o.Observer != nil {
		opts.SetMonitor(commandMonitor(o.Observer))
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("mongodb: connecting: %w", err)
	}
	s := &Store{
		client: client,
		db:     client.Database(dbName),
		opts:   o,
		now:    func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
		logger: o.Logger,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if o.SQLiteDir != "" {
		s.sqlite = &ferretSQLite{dir: o.SQLiteDir, dbName: dbName}
	}
	s.providers = s.db.Collection(providersCollection)
	s.tokens = s.db.Collection(tokensCollection)
	s.revisions = s.db.Collection(revisionsCollection)
	s.changes = s.db.Collection(changesCollection)
	s.bulks = s.db.Collection(bulksCollection)
	s.referrals = s.db.Collection(referralsCollection)
	s.referralEvents = s.db.Collection(referralEventsCollection)
	s.shortlists = s.db.Collection(shortlistsCollection)
	s.audit = s.db.Collection(auditCollection)
	s.exposure = s.db.Collection(exposureCollection)
	s.unmetNeed = s.db.Collection(unmetNeedCollection)
	s.pending = s.db.Collection(pendingCollection)
	s.pendingChanges = s.db.Collection(pendingChangesCollection)
	s.webhooks = s.db.Collection(webhooksCollection)
	s.webhookOutbox = s.db.Collection(webhookOutboxCollection)
	s.webhookAttempts = s.db.Collection(webhookAttemptsCollection)
	s.webhookEvents = s.db.Collection(webhookEventsCollection)
	s.sessions = s.db.Collection(sessionsCollection)

	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := s.ensureCollections(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := s.ensureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	s.createdCollections(ctx)
	return s, nil
}

// Close disconnects from the server.
func (s *Store) Close(ctx context.Context) error {
	return s.client.Disconnect(ctx)
}

// Ping checks the server answers. ErrUnavailable if not.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongodb: ping: %w: %v", directory.ErrUnavailable, err)
	}
	return nil
}

// ensureCollections creates the store's collections that do not exist yet,
// so that all of them exist once Open returns (FerretDB would otherwise
// create each at its first insert, after Embedded.Open indexed the others).
// A feature that adds a collection adds it here.
func (s *Store) ensureCollections(ctx context.Context) error {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("mongodb: listing collections: %w", translate(err))
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, c := range []*mongo.Collection{s.providers, s.tokens, s.revisions, s.changes, s.bulks, s.pending, s.pendingChanges,
		s.referrals, s.referralEvents, s.shortlists, s.audit, s.exposure, s.unmetNeed, s.sessions,
		s.webhooks, s.webhookOutbox, s.webhookAttempts, s.webhookEvents} {
		if have[c.Name()] {
			continue
		}
		// Another replica may create it at the same moment: that is fine.
		if err := s.db.CreateCollection(ctx, c.Name()); err != nil && !isNamespaceExists(err) {
			return fmt.Errorf("mongodb: creating collection %s: %w", c.Name(), translate(err))
		}
	}
	return nil
}

// createdCollections runs the server's follow-up to creating collections
// (on FerretDB on SQLite, indexing their _id lookups). Code that creates a
// collection after Open calls it.
func (s *Store) createdCollections(ctx context.Context) {
	if s.sqlite != nil {
		s.sqlite.indexIDLookups(ctx, s.logger)
	}
}

// isNamespaceExists reports the error of creating a collection that exists.
func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}

// ensureIndexes creates the indexes the store needs. On FerretDB v1.24 with
// SQLite (Options.SQLiteDir) only the unique ones are created: FerretDB
// pushes no filter or sort but an _id equality down to SQLite (see
// sqliteindex.go), so an index serves only to enforce uniqueness, and each
// non-unique one was pure cost to every write: SQLite updates an index
// entry per document written, at keys (names, ids, area lists) scattered
// across the index, so at 100,000 providers a transaction of 100 inserts
// touched and logged a page per document per index. Leaving them out cut a
// 100,000-provider seed from about 120 s to 95 s. Stores created before
// keep theirs; they are harmless but for that cost.
func (s *Store) ensureIndexes(ctx context.Context) error {
	err := s.createMissingIndexes(ctx, s.providers, []mongo.IndexModel{
		{Keys: bson.D{{Key: "type", Value: 1}}},
		{Keys: bson.D{{Key: "status", Value: 1}}},
		{Keys: bson.D{{Key: "specialisms", Value: 1}}},
		{Keys: bson.D{{Key: "area_keys", Value: 1}}},
		{Keys: bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}},
	})
	if err == nil {
		err = s.createMissingIndexes(ctx, s.tokens, []mongo.IndexModel{{
			Keys:    bson.D{{Key: "hash", Value: 1}},
			Options: options.Index().SetUnique(true),
		}})
	}
	if err == nil {
		err = s.createMissingIndexes(ctx, s.revisions, []mongo.IndexModel{
			{Keys: bson.D{{Key: "provider_id", Value: 1}, {Key: "version", Value: -1}}},
			{Keys: bson.D{{Key: "applied", Value: 1}}},
		})
	}
	if err == nil {
		// For Recover's "is this version logged yet?" on MongoDB.
		err = s.createMissingIndexes(ctx, s.changes, []mongo.IndexModel{
			{Keys: bson.D{{Key: "provider_id", Value: 1}, {Key: "version", Value: 1}}},
		})
	}
	if err == nil {
		err = s.ensureWorkflowIndexes(ctx)
	}
	return err
}

// createMissingIndexes creates the indexes a collection lacks (only the
// unique ones on FerretDB on SQLite). It lists first rather than relying on
// createIndexes being idempotent, because FerretDB v1.24 panics (and drops
// its listener) when asked to create an index that already exists.
func (s *Store) createMissingIndexes(ctx context.Context, coll *mongo.Collection, models []mongo.IndexModel) error {
	if s.sqlite != nil {
		models = slices.DeleteFunc(slices.Clone(models), func(m mongo.IndexModel) bool { return !isUnique(m) })
		if len(models) == 0 {
			return nil
		}
	}
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		return fmt.Errorf("mongodb: listing indexes of %s: %w", coll.Name(), translate(err))
	}
	var existing []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &existing); err != nil {
		return fmt.Errorf("mongodb: listing indexes of %s: %w", coll.Name(), translate(err))
	}
	have := map[string]bool{}
	for _, ix := range existing {
		have[ix.Name] = true
	}
	var missing []mongo.IndexModel
	for _, m := range models {
		if !have[indexName(m.Keys.(bson.D))] {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := coll.Indexes().CreateMany(ctx, missing); err != nil {
		return fmt.Errorf("mongodb: creating indexes on %s: %w", coll.Name(), translate(err))
	}
	return nil
}

// isUnique reports whether m is a unique index.
func isUnique(m mongo.IndexModel) bool {
	if m.Options == nil {
		return false
	}
	var o options.IndexOptions
	for _, set := range m.Options.List() {
		if err := set(&o); err != nil {
			return true // keep what cannot be read
		}
	}
	return o.Unique != nil && *o.Unique
}

// indexName is the name MongoDB gives an index by default ("name_1__id_1").
func indexName(keys bson.D) string {
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, k.Key, fmt.Sprint(k.Value))
	}
	return strings.Join(parts, "_")
}

// translate turns driver errors into domain errors at the boundary.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return directory.ErrNotFound
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%w: %v", directory.ErrConflict, err)
	case errors.Is(err, context.Canceled):
		return err
	case mongo.IsNetworkError(err), mongo.IsTimeout(err), isServerSelection(err):
		return fmt.Errorf("%w: %v", directory.ErrUnavailable, err)
	}
	return err
}

// isServerSelection reports a failure to find a usable server. The driver's
// error type for it lives in an x/ package, so match its stable message.
func isServerSelection(err error) bool {
	return strings.Contains(err.Error(), "server selection")
}

// DropDatabase deletes the store's whole database. For tests and tooling.
func (s *Store) DropDatabase(ctx context.Context) error {
	return translate(s.db.Drop(ctx))
}
