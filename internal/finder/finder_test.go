package finder_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

func open(t *testing.T, store directory.ProviderStore, dir string) (*finder.Finder, string) {
	t.Helper()
	var logs bytes.Buffer
	f, err := finder.Open(context.Background(), finder.Config{
		Store: store, IndexDir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f, logs.String()
}

func textTotal(t *testing.T, f *finder.Finder, text string) int {
	t.Helper()
	res, _, err := f.Search(context.Background(), finder.SearchQuery{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

// TestIndexFollowsTheStore: the index is reused when in step, rebuilt when
// writes reached the store but not the index (a crash in between), and a
// replayed older version never overwrites a newer one.
func TestIndexFollowsTheStore(t *testing.T) {
	ctx := context.Background()
	store := mongotest.Store(t)
	dir := t.TempDir()
	a := storetest.Provider("Quillon Work Partners")
	if err := store.CreateProvider(ctx, &a); err != nil {
		t.Fatal(err)
	}
	f, logs := open(t, store, dir)
	if !strings.Contains(logs, "rebuilding") || textTotal(t, f, "quillon") != 1 {
		t.Fatalf("first start must build the index:\n%s", logs)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	f, logs = open(t, store, dir)
	if strings.Contains(logs, "rebuilding") || !strings.Contains(logs, "in step") {
		t.Fatalf("an index in step must be reused, not rebuilt:\n%s", logs)
	}
	// A write the index never heard of, as after a crash between the two.
	b := storetest.Provider("Brisingr Futures")
	if err := store.CreateProvider(ctx, &b); err != nil {
		t.Fatal(err)
	}
	f.Close()
	f, logs = open(t, store, dir)
	defer f.Close()
	if !strings.Contains(logs, "rebuilding") || textTotal(t, f, "brisingr") != 1 {
		t.Fatalf("a write the index missed must trigger a rebuild:\n%s", logs)
	}

	// Newer versions win; older ones are ignored.
	v1 := b
	b.Name = "Brisingr Pathways"
	if err := store.UpdateProvider(ctx, &b, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Put(&b); err != nil {
		t.Fatal(err)
	}
	if err := f.Put(&v1); err != nil {
		t.Fatal(err)
	}
	if textTotal(t, f, "pathways") != 1 || textTotal(t, f, "futures") != 0 {
		t.Fatal("an older version replaced a newer one")
	}
	got, ok := f.Provider(b.ID)
	if !ok || got.Name != "Brisingr Pathways" {
		t.Fatalf("catalogue holds %+v", got)
	}
}

func TestLocate(t *testing.T) {
	store := mongotest.Store(t)
	f, _ := open(t, store, t.TempDir())
	defer f.Close()
	ctx := context.Background()
	lat, lon := 53.81, -1.57
	tests := []struct {
		name     string
		q        finder.LocationQuery
		district string
		err      error
	}{
		{"full postcode", finder.LocationQuery{Postcode: "ls62bs"}, "LS6", nil},
		{"outward code", finder.LocationQuery{Postcode: " ls6 "}, "LS6", nil},
		{"town", finder.LocationQuery{Town: "leeds"}, "LS1", nil},
		{"point", finder.LocationQuery{Lat: &lat, Lon: &lon}, "LS6", nil},
		{"nothing", finder.LocationQuery{}, "", directory.ErrInvalid},
		{"unknown postcode", finder.LocationQuery{Postcode: "ZZ9 9ZZ"}, "", directory.ErrUnknownPlace},
		{"malformed postcode", finder.LocationQuery{Postcode: "L$6"}, "", directory.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, _, err := f.Locate(ctx, tt.q, "location")
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err == nil && loc.District != tt.district {
				t.Fatalf("district %q, want %q", loc.District, tt.district)
			}
		})
	}
	for in, want := range map[string]finder.LocationQuery{
		"LS6 1AN":       {Postcode: "LS6 1AN"},
		"Leeds":         {Town: "Leeds"},
		"53.8, -1.55":   {Lat: ptr(53.8), Lon: ptr(-1.55)},
		"Newcastle, UK": {Town: "Newcastle, UK"},
	} {
		got := finder.ParseNear(in)
		if got.Postcode != want.Postcode || got.Town != want.Town || (want.Lat != nil) != (got.Lat != nil) {
			t.Errorf("ParseNear(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func ptr(f float64) *float64 { return &f }

// TestReplicasStayInStep: two finders (two replicas) share one store; a
// write made through one (which tells its own finder at once) reaches the
// other by the change log within two seconds, and an update and an end
// follow too.
func TestReplicasStayInStep(t *testing.T) {
	ctx := context.Background()
	store := mongotest.Store(t)
	openReplica := func() *finder.Finder {
		f, err := finder.Open(ctx, finder.Config{
			Store: store, Changes: store, PollInterval: 100 * time.Millisecond,
			IndexDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.Close() })
		return f
	}
	a, b := openReplica(), openReplica()
	within := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("replica B did not see %s within 2 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	p := storetest.Provider("Ocelot Employment Works")
	if err := store.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(&p); err != nil {
		t.Fatal(err)
	}
	within("a new provider", func() bool { return textTotal(t, b, "ocelot") == 1 })
	p.Name = "Ocelot Pathways"
	if err := store.UpdateProvider(ctx, &p, 1); err != nil {
		t.Fatal(err)
	}
	within("an update", func() bool {
		got, ok := b.Provider(p.ID)
		return ok && got.Name == "Ocelot Pathways" && textTotal(t, b, "pathways") == 1
	})
	p.Status = directory.StatusDraft
	if err := store.UpdateProvider(ctx, &p, 2); err != nil {
		t.Fatal(err)
	}
	within("a provider withdrawn to draft", func() bool { _, ok := b.Provider(p.ID); return !ok })
	if b.Seq() < 3 {
		t.Fatalf("replica B applied changes up to %d, want at least 3", b.Seq())
	}
	// A replica that was never told of the writes (A's own API did not
	// tell it of the update) still converges through the log.
	within("convergence on A", func() bool { _, ok := a.Provider(p.ID); return !ok })
}
