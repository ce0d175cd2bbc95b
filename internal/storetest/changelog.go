package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// change is a Change without its time, for comparing.
type change struct {
	Seq        int64
	ProviderID string
	Version    int64
}

func changesOf(t *testing.T, s directory.Store, after int64, limit int) []change {
	t.Helper()
	cs, err := s.Changes(context.Background(), after, limit)
	if err != nil {
		t.Fatalf("Changes(%d, %d): %v", after, limit, err)
	}
	out := make([]change, len(cs))
	for i, c := range cs {
		if c.At.IsZero() {
			t.Errorf("change %d has no time", c.Seq)
		}
		out[i] = change{c.Seq, c.ProviderID, c.Version}
	}
	return out
}

func testChangeLog(t *testing.T, s directory.Store) {
	ctx := context.Background()
	if n, err := s.LastChange(ctx); err != nil || n != 0 {
		t.Fatalf("LastChange of an empty store = %d, %v; want 0", n, err)
	}
	if got := changesOf(t, s, 0, 10); len(got) != 0 {
		t.Fatalf("Changes of an empty store = %v", got)
	}
	a, b := Provider("A"), Provider("B")
	a.ID, b.ID = "log-a", "log-b"
	for _, p := range []*directory.Provider{&a, &b} {
		if err := s.CreateProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpdateProvider(ctx, &a, 1); err != nil {
		t.Fatal(err)
	}
	bulk := []*directory.Provider{ptr(Provider("C")), ptr(Provider("D"))}
	bulk[0].ID, bulk[1].ID = "log-c", "log-d"
	if err := s.CreateProviders(ctx, bulk); err != nil {
		t.Fatal(err)
	}
	want := []change{{1, "log-a", 1}, {2, "log-b", 1}, {3, "log-a", 2}, {4, "log-c", 1}, {5, "log-d", 1}}
	if diff := Diff(want, changesOf(t, s, 0, 100)); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	if n, err := s.LastChange(ctx); err != nil || n != 5 {
		t.Fatalf("LastChange = %d, %v; want 5", n, err)
	}
	pages := []struct {
		after int64
		limit int
		want  []change
	}{
		{0, 2, want[:2]},
		{2, 2, want[2:4]},
		{4, 2, want[4:]},
		{5, 2, []change{}},
		{99, 2, []change{}},
		{1, 0, []change{}},
	}
	for _, pg := range pages {
		if diff := Diff(pg.want, changesOf(t, s, pg.after, pg.limit)); diff != "" {
			t.Errorf("Changes(%d, %d) (-want +got):\n%s", pg.after, pg.limit, diff)
		}
	}
	// A failed write records nothing.
	stale := a
	if err := s.UpdateProvider(ctx, &stale, 1); err == nil {
		t.Fatal("stale update succeeded")
	}
	if n, err := s.LastChange(ctx); err != nil || n != 5 {
		t.Fatalf("LastChange after a refused update = %d, %v; want 5", n, err)
	}
}

func ptr(p directory.Provider) *directory.Provider { return &p }

// testConcurrentChangeLog has several writers create and update their own
// providers at once: the log must hold each write exactly once, numbered
// 1..N with no gaps.
func testConcurrentChangeLog(t *testing.T, s directory.Store) {
	ctx := context.Background()
	const writers, writes = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := Provider(fmt.Sprintf("Writer %d", w))
			p.ID = fmt.Sprintf("writer-%d", w)
			if err := s.CreateProvider(ctx, &p); err != nil {
				errs <- err
				return
			}
			for i := 1; i < writes; i++ {
				if err := s.UpdateProvider(ctx, &p, p.Version); err != nil {
					errs <- fmt.Errorf("%s update %d: %w", p.ID, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	const n = writers * writes
	got := changesOf(t, s, 0, 2*n)
	if len(got) != n {
		t.Fatalf("%d changes logged, want %d", len(got), n)
	}
	seen := map[string]bool{}
	lastVersion := map[string]int64{}
	for i, c := range got {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has Seq %d: the log has a gap or is out of order", i, c.Seq)
		}
		key := fmt.Sprintf("%s@%d", c.ProviderID, c.Version)
		if seen[key] {
			t.Fatalf("%s logged twice", key)
		}
		seen[key] = true
		// One writer's versions are logged in the order it wrote them.
		if c.Version != lastVersion[c.ProviderID]+1 {
			t.Fatalf("%s logged after version %d", key, lastVersion[c.ProviderID])
		}
		lastVersion[c.ProviderID] = c.Version
	}
	if last, err := s.LastChange(ctx); err != nil || last != n {
		t.Fatalf("LastChange = %d, %v; want %d", last, err, n)
	}
}
