package finder_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/index"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestInspectAndRebuild: an index that missed writes is reported, difference
// by difference, by a finder opened to inspect (which changes nothing), and
// brought in step by a forced rebuild.
func TestInspectAndRebuild(t *testing.T) {
	ctx := context.Background()
	store := mongotest.Store(t)
	dir := t.TempDir()
	openWith := func(cfg finder.Config) (*finder.Finder, string) {
		t.Helper()
		var logs bytes.Buffer
		cfg.Store, cfg.IndexDir, cfg.Logger = store, dir, slog.New(slog.NewTextHandler(&logs, nil))
		f, err := finder.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return f, logs.String()
	}
	differences := func(f *finder.Finder) []string {
		t.Helper()
		want, err := finder.StoreVersions(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		h, err := f.Held(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return finder.Compare(want, h)
	}

	if _, err := finder.Open(ctx, finder.Config{Store: store, IndexDir: t.TempDir(), Inspect: true}); !errors.Is(err, index.ErrUnusable) {
		t.Fatalf("inspecting where there is no index: %v, want index.ErrUnusable", err)
	}
	a, b := storetest.Provider("Alder Routes"), storetest.Provider("Birch Steps")
	for _, p := range []*directory.Provider{&a, &b} {
		if err := store.CreateProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := openWith(finder.Config{})
	if d := differences(f); len(d) != 0 {
		t.Fatalf("a fresh index differs: %q", d)
	}
	f.Close()

	// Writes the index never heard of, as after a crash.
	c := storetest.Provider("Cedar Works")
	if err := store.CreateProvider(ctx, &c); err != nil {
		t.Fatal(err)
	}
	a.Name = "Alder Pathways"
	if err := store.UpdateProvider(ctx, &a, 1); err != nil {
		t.Fatal(err)
	}
	for range 2 { // inspecting twice: the first changed nothing
		f, logs := openWith(finder.Config{Inspect: true})
		if strings.Contains(logs, "rebuilding") {
			t.Fatalf("inspecting rebuilt the index:\n%s", logs)
		}
		got := differences(f)
		want := []string{
			"index: " + a.ID + " at version 1, the store has version 2",
			"index: missing " + c.ID + " (the store has version 1)",
			"index: holds 2 documents, the store has 3 visible providers",
		}
		if len(got) != 4 || !strings.HasPrefix(got[3], "index: fingerprint ") {
			t.Fatalf("differences %q: want a stale version, a missing provider, the count and the fingerprint", got)
		}
		if diff := cmp.Diff(append(sortedByID(want[:2], a.ID, c.ID), want[2]), got[:3]); diff != "" {
			t.Fatalf("differences (-want +got):\n%s", diff)
		}
		if err := f.Put(&c); err == nil {
			t.Fatal("Put on an inspecting finder must fail")
		}
		f.Close()
	}

	for range 2 { // forced even when in step
		f, logs := openWith(finder.Config{Rebuild: true})
		if !strings.Contains(logs, "rebuilding") {
			t.Fatalf("Rebuild did not rebuild:\n%s", logs)
		}
		f.Close()
		f, _ = openWith(finder.Config{Inspect: true})
		if d := differences(f); len(d) != 0 {
			t.Fatalf("after a rebuild: %q", d)
		}
		f.Close()
	}
}

// sortedByID orders two lines about ids x and y by id, as Compare does.
func sortedByID(lines []string, x, y string) []string {
	if x < y {
		return []string{lines[0], lines[1]}
	}
	return []string{lines[1], lines[0]}
}
