package mongodb

import (
	"context"
	"errors"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// claimOnly simulates a writer that died after claiming a version but before
// applying it: its pending marker and revision exist, the provider record
// does not show it.
func claimOnly(t *testing.T, s *Store, p directory.Provider) {
	t.Helper()
	if err := s.markPending(context.Background(), p.ID, p.Version); err != nil {
		t.Fatal(err)
	}
	rev := revisionDoc{ID: revisionID(p.ID, p.Version), ProviderID: p.ID, Version: p.Version, At: s.now(), Provider: toProviderRecord(&p)}
	if _, err := s.revisions.InsertOne(context.Background(), rev); err != nil {
		t.Fatal(err)
	}
}

// startedTestStore is openTestStore after the start-up Recover, so later
// Recovers read pending markers only (the one-off scan is done).
func startedTestStore(t *testing.T, uri string) *Store {
	t.Helper()
	s := openTestStore(t, uri)
	if n, err := s.Recover(context.Background()); err != nil || n != 0 {
		t.Fatalf("Recover on an empty store = %d, %v", n, err)
	}
	return s
}

func TestRecoverAppliesUnfinishedWrites(t *testing.T) {
	ctx := context.Background()
	s := startedTestStore(t, embeddedURI)

	p := storetest.Provider("Half written")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	v2 := p
	v2.Version, v2.Name = 2, "Claimed then crashed"
	claimOnly(t, s, v2)

	fresh := storetest.Provider("Never applied at all")
	fresh.ID, fresh.Version = "crashed-create", 1
	claimOnly(t, s, fresh)

	n, err := s.Recover(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Recover = %d, %v; want 2 providers rolled forward", n, err)
	}
	got, err := s.Provider(ctx, p.ID)
	if err != nil || got.Version != 2 || got.Name != "Claimed then crashed" {
		t.Fatalf("after recover: %+v, %v", got, err)
	}
	if got, err := s.Provider(ctx, "crashed-create"); err != nil || got.Name != "Never applied at all" {
		t.Fatalf("crashed create not recovered: %v, %v", got, err)
	}
	if n, err := s.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("second Recover = %d, %v; want nothing left to do", n, err)
	}
}

func TestUpdateOverUnfinishedClaimRollsForward(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, embeddedURI)
	p := storetest.Provider("Original")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	v2 := p
	v2.Version, v2.Name = 2, "Claimed elsewhere"
	claimOnly(t, s, v2)

	mine := p
	mine.Name = "My edit"
	if err := s.UpdateProvider(ctx, &mine, 1); !errors.Is(err, directory.ErrVersionMismatch) {
		t.Fatalf("update over a claimed version: %v, want ErrVersionMismatch", err)
	}
	got, err := s.Provider(ctx, p.ID)
	if err != nil || got.Version != 2 || got.Name != "Claimed elsewhere" {
		t.Fatalf("the claimed version was not rolled forward: %+v, %v", got, err)
	}
}

// TestApplyNeverGoesBack: applying an older revision over a newer record
// leaves the record alone, whichever way apply replaces (by _id after
// reading the version on the embedded store, conditionally elsewhere).
func TestApplyNeverGoesBack(t *testing.T) {
	ctx := context.Background()
	for server, uri := range testURIs() {
		t.Run(server, func(t *testing.T) {
			s := startedTestStore(t, uri)
			p := storetest.Provider("v1")
			if err := s.CreateProvider(ctx, &p); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"v2", "v3"} {
				next := p
				next.Name = name
				if err := s.UpdateProvider(ctx, &next, p.Version); err != nil {
					t.Fatal(err)
				}
				p = next
			}
			old := p
			old.Version, old.Name = 2, "stale v2"
			if err := s.apply(ctx, &revisionDoc{ID: revisionID(p.ID, 2), ProviderID: p.ID, Version: 2, Provider: toProviderRecord(&old)}); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Provider(ctx, p.ID); err != nil || got.Version != 3 || got.Name != "v3" {
				t.Fatalf("after applying v2 over v3: %+v, %v", got, err)
			}
		})
	}
}
