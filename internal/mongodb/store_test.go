package mongodb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// embeddedURI is the URI of one embedded server shared by this package's
// tests; each test gets its own database on it.
var (
	embeddedURI string
	embedded    *Embedded
)

var dbSeq atomic.Int64

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bf-mongodb-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	e, err := StartEmbedded(context.Background(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	embedded, embeddedURI = e, e.URI()
	code := m.Run()
	_ = e.Close()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// openTestStore opens a store on a database of its own at uri and drops the
// database when the test ends.
func openTestStore(t *testing.T, uri string) *Store {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("bftest_%d_%d", os.Getpid(), dbSeq.Add(1))
	s, err := openOn(ctx, uri, name)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		_ = s.db.Drop(ctx)
		_ = s.Close(ctx)
	})
	return s
}

// openOn opens database name at uri, through Embedded.Open when uri is the
// shared embedded server's, as the command does.
func openOn(ctx context.Context, uri, name string) (*Store, error) {
	if uri == embeddedURI {
		return embedded.Open(ctx, name, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	return Open(ctx, uri, name)
}

func TestConformanceEmbedded(t *testing.T) {
	storetest.Run(t, func(t *testing.T) directory.Store { return openTestStore(t, embeddedURI) })
}

// TestConformanceMongoDB runs the same suite against a real MongoDB when
// BROKERFINDER_TEST_MONGODB_URI is set.
func TestConformanceMongoDB(t *testing.T) {
	uri := os.Getenv("BROKERFINDER_TEST_MONGODB_URI")
	if uri == "" {
		t.Skip("set BROKERFINDER_TEST_MONGODB_URI to run the store suite against a real MongoDB")
	}
	storetest.Run(t, func(t *testing.T) directory.Store { return openTestStore(t, uri) })
}

// TestReopenKeepsDataAndIndexes opens the same database twice, as a restart
// does: index creation must be idempotent and the data still there.
func TestReopenKeepsDataAndIndexes(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("bftest_reopen_%d", os.Getpid())
	s1, err := openOn(ctx, embeddedURI, name)
	if err != nil {
		t.Fatal(err)
	}
	p := storetest.Provider("Survivor")
	if err := s1.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	_ = s1.Close(ctx)
	s2, err := openOn(ctx, embeddedURI, name)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer func() { _ = s2.DropDatabase(ctx); _ = s2.Close(ctx) }()
	got, err := s2.Provider(ctx, p.ID)
	if err != nil || got.Name != "Survivor" {
		t.Fatalf("after reopen: %v, %v", got, err)
	}
}

// TestEmbeddedRefusesAServedDirectory: a second embedded store on a data
// directory another one is serving is refused, and leaves the first working;
// a socket left by a killed process is not in the way.
func TestEmbeddedRefusesAServedDirectory(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	first, err := StartEmbedded(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := StartEmbedded(ctx, dir, quiet); !errors.Is(err, ErrInUse) {
		t.Fatalf("second store on a served directory: %v, want ErrInUse", err)
	}
	s := openTestStore(t, first.URI())
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("the first store stopped answering: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := StartEmbedded(ctx, dir, quiet)
	if err != nil {
		t.Fatalf("restart after the first stopped: %v", err)
	}
	_ = again.Close()
}

// TestEmbeddedCreatesOnlyUniqueIndexes: the embedded store has the unique
// indexes, which FerretDB enforces, and none of the others, which FerretDB
// on SQLite never uses; Open on another server creates them all.
func TestEmbeddedCreatesOnlyUniqueIndexes(t *testing.T) {
	ctx := context.Background()
	names := func(coll *mongo.Collection) []string {
		cur, err := coll.Indexes().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ixs []struct {
			Name string `bson:"name"`
		}
		if err := cur.All(ctx, &ixs); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ix := range ixs {
			out = append(out, ix.Name)
		}
		slices.Sort(out)
		return out
	}

	s := openTestStore(t, embeddedURI)
	if got := names(s.providers); fmt.Sprint(got) != "[_id_]" {
		t.Errorf("embedded providers indexes: %v; want only _id_", got)
	}
	if got := names(s.tokens); fmt.Sprint(got) != "[_id_ hash_1]" {
		t.Errorf("embedded tokens indexes: %v; want _id_ and the unique hash_1", got)
	}
	doc := tokenDoc{ID: "t1", Hash: "same"}
	if _, err := s.tokens.InsertOne(ctx, doc); err != nil {
		t.Fatal(err)
	}
	doc.ID = "t2"
	if _, err := s.tokens.InsertOne(ctx, doc); !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("second token with the same hash: %v; want a duplicate key error", err)
	}

	name := fmt.Sprintf("bftest_allindexes_%d", os.Getpid())
	all, err := Open(ctx, embeddedURI, name)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = all.DropDatabase(ctx); _ = all.Close(ctx) }()
	if got := names(all.providers); fmt.Sprint(got) != "[_id_ area_keys_1 name_1__id_1 specialisms_1 status_1 type_1]" {
		t.Errorf("Open providers indexes: %v; want all of them", got)
	}
}
