package mongodb

import (
	"context"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
)

// TestPerfDataDir times the start-up and read paths on a real data
// directory, such as one loaded by `brokerfinder seed` with 100,000
// providers. It runs only when BROKERFINDER_PERF_DIR names the directory
// (use a copy: opening it adds indexes). BROKERFINDER_PERF_NOINDEX=1 opens
// without the _id lookup index, as before it existed; BROKERFINDER_PERF_ONLY
// picks steps, comma-separated ("each" with -cpuprofile to profile
// EachProvider); BROKERFINDER_PERF_ID is the id "lookup" and "update" use.
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
		if only != "" && !slices.Contains(strings.Split(only, ","), name) {
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
	var lastID string
	step("lookup", func() (any, error) {
		// An id from the end of the table (BROKERFINDER_PERF_ID), so that a
		// scan would show; finding one through FerretDB would be a scan.
		lastID = os.Getenv("BROKERFINDER_PERF_ID")
		start := time.Now()
		p, err := s.Provider(ctx, lastID)
		t.Logf("lookup alone: %v", time.Since(start))
		if err != nil {
			return nil, err
		}
		return p.Name, nil
	})
	step("update", func() (any, error) {
		p, err := s.Provider(ctx, lastID)
		if err != nil {
			return nil, err
		}
		p.Name += " (edited)"
		err = s.UpdateProvider(ctx, p, p.Version)
		return p.Version, err
	})
	step("each", func() (any, error) {
		n := 0
		err := s.EachProvider(ctx, func(*directory.Provider) error { n++; return nil })
		return n, err
	})
	step("count", func() (any, error) { return s.CountProviders(ctx) })
}

// TestPerfBulkCreate times CreateProviders into an empty embedded store with
// the seed directory named by BROKERFINDER_PERF_SEED_DIR (such as one made by
// `brokerfinder gen`), as `brokerfinder seed` does. Run it with -cpuprofile
// to see where a bulk load goes, or set BROKERFINDER_PERF_CPUPROFILE to a
// file to profile CreateProviders alone. It runs only when
// BROKERFINDER_PERF_SEED_DIR is set.
func TestPerfBulkCreate(t *testing.T) {
	dir := os.Getenv("BROKERFINDER_PERF_SEED_DIR")
	if dir == "" {
		t.Skip("set BROKERFINDER_PERF_SEED_DIR to a seed directory to time loading it")
	}
	ps, err := seed.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := StartEmbedded(ctx, t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	s, err := e.Open(ctx, "brokerfinder", quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close(ctx) }()

	if out := os.Getenv("BROKERFINDER_PERF_CPUPROFILE"); out != "" {
		f, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	start := time.Now()
	batch := make([]*directory.Provider, 0, len(ps))
	for i := range ps {
		batch = append(batch, &ps[i])
	}
	if err := s.CreateProviders(ctx, batch); err != nil {
		t.Fatal(err)
	}
	t.Logf("CreateProviders(%d): %v", len(ps), time.Since(start))
	pprof.StopCPUProfile()
	n, err := s.CountProviders(ctx)
	if err != nil || n != int64(len(ps)) {
		t.Fatalf("CountProviders = %d, %v; want %d", n, err, len(ps))
	}
}
