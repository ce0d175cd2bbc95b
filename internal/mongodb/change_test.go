package mongodb

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// loggedVersions returns how often each "<id>@<version>" is in the log, and
// fails the test if the Seqs are not exactly 1..n.
func loggedVersions(t *testing.T, s *Store) map[string]int {
	t.Helper()
	cs, err := s.Changes(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for i, c := range cs {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has Seq %d", i, c.Seq)
		}
		out[revisionID(c.ProviderID, c.Version)]++
	}
	return out
}

func TestRecoverLogsWritesThatDiedBeforeLogging(t *testing.T) {
	ctx := context.Background()
	s := startedTestStore(t, embeddedURI)
	p := storetest.Provider("Applied, never logged")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	// Version 2 was claimed and applied, then its writer died before
	// appending the change and marking the revision applied.
	v2 := p
	v2.Version, v2.Name = 2, "Died before logging"
	claimOnly(t, s, v2)
	rev := revisionDoc{ID: revisionID(p.ID, 2), ProviderID: p.ID, Version: 2, At: s.now(), Provider: toProviderRecord(&v2)}
	if err := s.apply(ctx, &rev); err != nil {
		t.Fatal(err)
	}
	// Version 2 of another was logged too, but not marked applied.
	q := storetest.Provider("Logged, not marked")
	if err := s.CreateProvider(ctx, &q); err != nil {
		t.Fatal(err)
	}
	q2 := q
	q2.Version = 2
	claimOnly(t, s, q2)
	qrev := revisionDoc{ID: revisionID(q.ID, 2), ProviderID: q.ID, Version: 2, At: s.now(), Provider: toProviderRecord(&q2)}
	if err := s.apply(ctx, &qrev); err != nil {
		t.Fatal(err)
	}
	if err := s.appendChanges(ctx, []directory.Change{{ProviderID: q.ID, Version: 2, At: qrev.At}}); err != nil {
		t.Fatal(err)
	}

	if n, err := s.Recover(ctx); err != nil || n != 2 {
		t.Fatalf("Recover = %d, %v; want 2", n, err)
	}
	logged := loggedVersions(t, s)
	for _, key := range []string{revisionID(p.ID, 1), revisionID(p.ID, 2), revisionID(q.ID, 1), revisionID(q.ID, 2)} {
		if logged[key] != 1 {
			t.Errorf("%s logged %d times, want once", key, logged[key])
		}
	}
	if len(logged) != 4 {
		t.Errorf("log holds %v", logged)
	}
	if n, err := s.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("second Recover = %d, %v; want nothing left", n, err)
	}
	if last, _ := s.LastChange(ctx); last != 4 {
		t.Fatalf("LastChange after recovering twice = %d, want 4", last)
	}
}

func TestRecoverFinishesHalfDoneBulkCreate(t *testing.T) {
	ctx := context.Background()
	s := startedTestStore(t, embeddedURI)
	// A bulk create died after inserting its intent and revisions and one
	// of its three providers, before logging anything.
	now := s.now()
	intent := bulkDoc{ID: "bulk-1", IDs: []string{"b-1", "b-2", "b-3", "b-never"}, At: now.Add(-time.Hour)}
	if _, err := s.bulks.InsertOne(ctx, intent); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"b-1", "b-2", "b-3"} {
		p := storetest.Provider(fmt.Sprintf("Bulk %d", i))
		p.ID, p.Version, p.CreatedAt, p.UpdatedAt = id, 1, now, now
		rev := revisionDoc{ID: revisionID(id, 1), ProviderID: id, Version: 1, At: now, Applied: true, Bulk: intent.ID, Provider: toProviderRecord(&p)}
		if _, err := s.revisions.InsertOne(ctx, rev); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := s.insertIfMissing(ctx, &rev); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := s.Recover(ctx); err != nil || n != 3 {
		t.Fatalf("Recover = %d, %v; want 3 providers finished", n, err)
	}
	for _, id := range []string{"b-1", "b-2", "b-3"} {
		if got, err := s.Provider(ctx, id); err != nil || got.Version != 1 {
			t.Fatalf("%s after recover: %v, %v", id, got, err)
		}
	}
	if _, err := s.Provider(ctx, "b-never"); err == nil {
		t.Fatal("an id whose revision was never inserted was created")
	}
	logged := loggedVersions(t, s)
	if len(logged) != 3 || logged["b-1@1"] != 1 || logged["b-2@1"] != 1 || logged["b-3@1"] != 1 {
		t.Fatalf("log after recover: %v; want b-1..3 once each", logged)
	}
	if n, err := s.bulks.CountDocuments(ctx, map[string]any{}); err != nil || n != 0 {
		t.Fatalf("%d intents left, %v; want the expired one removed", n, err)
	}
	if n, err := s.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("second Recover = %d, %v", n, err)
	}
}

// TestChangeLogAcrossReplicas has several stores (as separate replicas would)
// append to one log at once, so they really do race for Seqs.
func TestChangeLogAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	first := openTestStore(t, embeddedURI)
	stores := []*Store{first}
	for range 3 {
		s, err := openOn(ctx, embeddedURI, first.db.Name())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(ctx) })
		stores = append(stores, s)
	}
	const perWriter = 15
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(stores))
	for si, s := range stores {
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWriter {
					// Batches of 1-3, as bulk creates append several at once.
					var cs []directory.Change
					for k := range 1 + i%3 {
						cs = append(cs, directory.Change{ProviderID: fmt.Sprintf("r%d-w%d-%d-%d", si, w, i, k), Version: 1, At: s.now()})
					}
					if err := s.appendChanges(ctx, cs); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := len(stores) * 2 * (perWriter / 3) * (1 + 2 + 3)
	logged := loggedVersions(t, first)
	if len(logged) != want {
		t.Fatalf("%d distinct changes logged, want %d", len(logged), want)
	}
	for k, n := range logged {
		if n != 1 {
			t.Fatalf("%s logged %d times", k, n)
		}
	}
	for _, s := range stores {
		if last, err := s.LastChange(ctx); err != nil || last != int64(want) {
			t.Fatalf("LastChange = %d, %v; want %d", last, err, want)
		}
	}
}
