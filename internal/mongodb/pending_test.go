package mongodb

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// testURIs are the servers the recovery tests run on: the embedded one, and
// a real MongoDB when BROKERFINDER_TEST_MONGODB_URI is set.
// errCrashed is what a writer stopped by crashAt returns.
var errCrashed = errors.New("mongodb: writer stopped for a test")

// crashAt is an Options.step that stops writers at step, as if their
// process were killed there.
func crashAt(step string) func(string) error {
	return func(s string) error {
		if s == step {
			return errCrashed
		}
		return nil
	}
}

func testURIs() map[string]string {
	uris := map[string]string{"embedded": embeddedURI}
	if uri := os.Getenv("BROKERFINDER_TEST_MONGODB_URI"); uri != "" {
		uris["mongodb"] = uri
	}
	return uris
}

// reopen opens another Store on s's database, as a restarted process would,
// with its clock moved on by later.
func reopen(t *testing.T, uri string, s *Store, later time.Duration) *Store {
	t.Helper()
	r, err := openOn(context.Background(), uri, s.db.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	r.now = func() time.Time { return s.now().Add(later) }
	return r
}

// pendingIDs returns the ids of the markers left, without the scan record.
func pendingIDs(t *testing.T, s *Store) []string {
	t.Helper()
	cur, err := s.pending.Find(context.Background(), bson.D{{Key: "_id", Value: bson.D{{Key: "$ne", Value: legacyScanDoneID}}}})
	if err != nil {
		t.Fatal(err)
	}
	var docs []pendingDoc
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids
}

// TestRecoverAfterWriterKilledAtEachStep stops a create and an update after
// each step of a write, as kill -9 would, and checks that a restarted
// process's Recover leaves the store as if the write had finished (or, if
// it stopped before claiming, as if it never started): the record, exactly
// one change per version, every revision applied, no marker left.
func TestRecoverAfterWriterKilledAtEachStep(t *testing.T) {
	steps := []string{stepMarked, stepClaimed, stepApplied, stepLogged, stepMarkedApplied}
	for server, uri := range testURIs() {
		for _, step := range steps {
			for _, update := range []bool{false, true} {
				name := server + "/create/" + step
				if update {
					name = server + "/update/" + step
				}
				t.Run(name, func(t *testing.T) { testKilledWriter(t, uri, step, update) })
			}
		}
	}
}

func testKilledWriter(t *testing.T, uri, step string, update bool) {
	ctx := context.Background()
	w := startedTestStore(t, uri)
	p := storetest.Provider("Before")
	p.ID = "killed-writer"
	if update {
		if err := w.CreateProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}

	w.opts.step = crashAt(step)
	next := p
	next.Name = "After"
	var err error
	wctx := directory.WithAction(directory.WithActor(ctx, directory.Actor{ID: "t1", Name: "Editor", Role: directory.RoleAdmin}), "provider.test")
	if update {
		err = w.UpdateProvider(wctx, &next, 1)
	} else {
		err = w.CreateProvider(wctx, &next)
	}
	if !errors.Is(err, errCrashed) {
		t.Fatalf("write stopped at %q: %v, want errCrashed", step, err)
	}

	// The restarted process comes up after the marker's expiry.
	r := reopen(t, uri, w, time.Hour)
	n, err := r.Recover(ctx)
	if err != nil {
		t.Fatalf("Recover: %v", err)
	}
	claimed := step != stepMarked
	finished := step == stepMarkedApplied // only the marker was left
	wantN := 1
	if !claimed || finished {
		wantN = 0
	}
	if n != wantN {
		t.Errorf("Recover rolled forward %d providers, want %d", n, wantN)
	}

	newVersion := int64(1)
	if update {
		newVersion = 2
	}
	got, err := r.Provider(ctx, p.ID)
	switch {
	case claimed:
		if err != nil || got.Version != newVersion || got.Name != "After" {
			t.Fatalf("after recover: %+v, %v; want version %d named After", got, err, newVersion)
		}
	case update:
		if err != nil || got.Version != 1 || got.Name != "Before" {
			t.Fatalf("after recover: %+v, %v; want the untouched version 1", got, err)
		}
	default:
		if !errors.Is(err, directory.ErrNotFound) {
			t.Fatalf("after recover: %+v, %v; want no record (never claimed)", got, err)
		}
	}

	logged := loggedVersions(t, r)
	wantLogged := map[string]int{}
	if update {
		wantLogged[revisionID(p.ID, 1)] = 1
	}
	if claimed {
		wantLogged[revisionID(p.ID, newVersion)] = 1
	}
	if len(logged) != len(wantLogged) {
		t.Errorf("log %v, want %v", logged, wantLogged)
	}
	for k, v := range wantLogged {
		if logged[k] != v {
			t.Errorf("%s logged %d times, want %d (log %v)", k, logged[k], v, logged)
		}
	}
	if left := pendingIDs(t, r); len(left) != 0 {
		t.Errorf("markers left after recover: %v", left)
	}
	checkOneAuditPerVersion(t, r, p.ID)
	if claimed {
		entries, _, err := r.AuditEntries(ctx, directory.AuditFilter{TargetType: "provider", TargetID: p.ID, Page: 1, PerPage: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			t.Fatal("no audit entry after recover")
		}
		if e := entries[0]; e.Version != newVersion || e.Action != "provider.test" || e.Actor.Name != "Editor" {
			t.Errorf("audit of the recovered version: %+v, want version %d, provider.test by Editor", e, newVersion)
		}
	}
	if n, err := r.revisions.CountDocuments(ctx, bson.D{{Key: "applied", Value: false}}); err != nil || n != 0 {
		t.Errorf("%d revisions not applied, %v", n, err)
	}
	if n, err := r.Recover(ctx); err != nil || n != 0 {
		t.Errorf("second Recover = %d, %v; want nothing left", n, err)
	}

	// The store takes writes again from where the record is.
	again := storetest.Provider("Again")
	again.ID = p.ID
	if claimed || update {
		err = r.UpdateProvider(ctx, &again, newVersionIf(claimed, newVersion))
	} else {
		err = r.CreateProvider(ctx, &again)
	}
	if err != nil {
		t.Fatalf("writing after recover: %v", err)
	}
}

// checkOneAuditPerVersion checks that every version in id's history has
// exactly one audit entry, and that there are no others.
func checkOneAuditPerVersion(t *testing.T, s *Store, id string) {
	t.Helper()
	ctx := context.Background()
	revs, err := s.ProviderHistory(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		revs = nil
	} else if err != nil {
		t.Fatal(err)
	}
	entries, _, err := s.AuditEntries(ctx, directory.AuditFilter{TargetType: "provider", TargetID: id, Page: 1, PerPage: 1000})
	if err != nil {
		t.Fatal(err)
	}
	per := map[int64]int{}
	for _, e := range entries {
		per[e.Version]++
	}
	for _, r := range revs {
		if per[r.Version] != 1 {
			t.Errorf("version %d of %s has %d audit entries, want 1", r.Version, id, per[r.Version])
		}
		delete(per, r.Version)
	}
	if len(per) > 0 {
		t.Errorf("audit entries for versions not in the history of %s: %v", id, per)
	}
}

func newVersionIf(claimed bool, v int64) int64 {
	if claimed {
		return v
	}
	return 1
}

// TestRecoverMarkerWithoutRevision: a writer that died before claiming left
// only its marker. Recover deletes it once it is older than pendingExpiry,
// and leaves a young one (its writer may be another replica about to claim).
func TestRecoverMarkerWithoutRevision(t *testing.T) {
	ctx := context.Background()
	s := startedTestStore(t, embeddedURI)
	if err := s.markPending(ctx, "never-claimed", 3); err != nil {
		t.Fatal(err)
	}

	if n, err := s.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	if left := pendingIDs(t, s); len(left) != 1 {
		t.Fatalf("young marker: left %v, want it kept", left)
	}

	later := reopen(t, embeddedURI, s, pendingExpiry+time.Minute)
	if n, err := later.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	if left := pendingIDs(t, later); len(left) != 0 {
		t.Fatalf("expired marker without revision: left %v, want it deleted", left)
	}
	if _, err := later.Provider(ctx, "never-claimed"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("a never claimed write created a record: %v", err)
	}
}

// TestRecoverMarkerWithRevision: the marker's revision is claimed and not
// applied; Recover rolls it forward and deletes the marker, whatever its age.
func TestRecoverMarkerWithRevision(t *testing.T) {
	ctx := context.Background()
	s := startedTestStore(t, embeddedURI)
	p := storetest.Provider("Claimed just now")
	p.ID, p.Version = "claimed-young", 1
	claimOnly(t, s, p)
	if n, err := s.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v; want 1", n, err)
	}
	if got, err := s.Provider(ctx, p.ID); err != nil || got.Name != "Claimed just now" {
		t.Fatalf("after recover: %v, %v", got, err)
	}
	if left := pendingIDs(t, s); len(left) != 0 {
		t.Fatalf("markers left: %v", left)
	}
}

// TestRecoverScansOnlyOnce: revisions claimed before markers existed are
// found by the first Recover on a database (one scan); after that Recover
// reads markers only, so an unmarked unfinished revision is not its to find.
func TestRecoverScansOnlyOnce(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, embeddedURI)
	unmarked := func(id string) {
		p := storetest.Provider("Claimed by an old binary")
		p.ID, p.Version = id, 1
		rev := revisionDoc{ID: revisionID(p.ID, 1), ProviderID: p.ID, Version: 1, At: s.now(), Provider: toProviderRecord(&p)}
		if _, err := s.revisions.InsertOne(ctx, rev); err != nil {
			t.Fatal(err)
		}
	}
	unmarked("old-claim")
	if n, err := s.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("first Recover = %d, %v; want the old claim rolled forward", n, err)
	}
	if _, err := s.Provider(ctx, "old-claim"); err != nil {
		t.Fatalf("old claim not recovered: %v", err)
	}
	unmarked("unmarked-later")
	if n, err := s.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("second Recover = %d, %v; want no scan of the revisions", n, err)
	}
}

// TestLoserOfAClaimClearsItsMarker: a writer that loses the claim to another
// leaves no marker behind.
func TestLoserOfAClaimClearsItsMarker(t *testing.T) {
	ctx := context.Background()
	s := startedTestStore(t, embeddedURI)
	p := storetest.Provider("Original")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	a, b := p, p
	a.Name, b.Name = "A", "B"
	if err := s.UpdateProvider(ctx, &a, 1); err != nil {
		t.Fatal(err)
	}
	// b's writer read version 1 before a's update landed: write directly.
	b.Version = 2
	if err := s.write(ctx, &b); !errors.Is(err, directory.ErrVersionMismatch) {
		t.Fatalf("second claim of version 2: %v, want ErrVersionMismatch", err)
	}
	if left := pendingIDs(t, s); len(left) != 0 {
		t.Fatalf("markers left: %v", left)
	}
}

// TestWriteOutlivesItsRequest: a request cancelled (timed out) part way
// through a write does not leave the record applied without its change
// logged; the write is finished, so replicas following the log see it.
func TestWriteOutlivesItsRequest(t *testing.T) {
	for _, step := range []string{stepClaimed, stepApplied} {
		t.Run(step, func(t *testing.T) {
			w := startedTestStore(t, embeddedURI)
			p := storetest.Provider("Before")
			if err := w.CreateProvider(context.Background(), &p); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			w.opts.step = func(s string) error {
				if s == step {
					cancel()
				}
				return nil
			}
			next := p
			next.Name = "After"
			if err := w.UpdateProvider(ctx, &next, 1); err != nil {
				t.Fatalf("update whose request ended at %q: %v", step, err)
			}
			w.opts.step = nil
			got, err := w.Provider(context.Background(), p.ID)
			if err != nil || got.Name != "After" || got.Version != 2 {
				t.Fatalf("after the write: %+v, %v", got, err)
			}
			cs, err := w.Changes(context.Background(), 0, 10)
			if err != nil || len(cs) != 2 || cs[1].Version != 2 {
				t.Fatalf("changes %+v, %v: want the update logged", cs, err)
			}
		})
	}
}
