package mongodb

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TestPerfDataDir times the start-up and read paths on a real data
// directory, such as one loaded by `brokerfinder seed` with 100,000
// providers. It runs only when BROKERFINDER_PERF_DIR names the directory
// (use a copy: opening it adds indexes). BROKERFINDER_PERF_NOINDEX=1 opens
// without the _id lookup index, as before it existed; BROKERFINDER_PERF_ONLY
// picks one step ("each" with -cpuprofile to profile EachProvider).
func TestPerfDataDir(t *testing.T) {
	dir := os.Getenv("BROKERFINDER_PERF_DIR")
	if dir == "" {
		t.Skip("set BROKERFINDER_PERF_DIR to a data directory to time it")
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := StartEmbedded(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	start := time.Now()
	var s *Store
	if os.Getenv("BROKERFINDER_PERF_NOINDEX") != "" {
		s, err = Open(ctx, e.URI(), "brokerfinder")
	} else {
		s, err = e.Open(ctx, "brokerfinder", logger)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close(ctx) }()
	t.Logf("Open: %v", time.Since(start))

	only := os.Getenv("BROKERFINDER_PERF_ONLY")
	step := func(name string, fn func() (any, error)) {
		if only != "" && only != name {
			return
		}
		start := time.Now()
		v, err := fn()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%s: %v (%v)", name, time.Since(start), v)
	}
	step("recover", func() (any, error) { return s.Recover(ctx) })
	step("recover-again", func() (any, error) { return s.Recover(ctx) })
	step("has", func() (any, error) { return s.HasProviders(ctx) })
	step("lookup", func() (any, error) {
		var doc struct {
			ID string `bson:"_id"`
		}
		// An id from the end of the table, to be sure a scan would show.
		if err := s.providers.FindOne(ctx, map[string]any{},
			options.FindOne().SetSkip(99999)).Decode(&doc); err != nil {
			return nil, err
		}
		start := time.Now()
		p, err := s.Provider(ctx, doc.ID)
		t.Logf("lookup alone: %v", time.Since(start))
		if err != nil {
			return nil, err
		}
		return p.Name, nil
	})
	step("each", func() (any, error) {
		n := 0
		err := s.EachProvider(ctx, func(*directory.Provider) error { n++; return nil })
		return n, err
	})
	step("count", func() (any, error) { return s.CountProviders(ctx) })
}
