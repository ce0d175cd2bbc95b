package service_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// auditsPerVersion checks that every version of id has exactly one audit
// entry, and returns them by version.
func auditsPerVersion(t *testing.T, st directory.Store, id string) map[int64]directory.AuditEntry {
	t.Helper()
	ctx := context.Background()
	revs, err := st.ProviderHistory(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := st.AuditEntries(ctx, directory.AuditFilter{TargetType: "provider", TargetID: id, Page: 1, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]directory.AuditEntry{}
	for _, e := range entries {
		if _, dup := out[e.Version]; dup {
			t.Errorf("version %d of %s has two audit entries", e.Version, id)
		}
		out[e.Version] = e
	}
	if len(entries) != len(revs) {
		t.Errorf("%s has %d versions and %d audit entries", id, len(revs), len(entries))
	}
	for _, r := range revs {
		if _, ok := out[r.Version]; !ok {
			t.Errorf("version %d of %s has no audit entry", r.Version, id)
		}
	}
	return out
}

// TestImportAuditsEveryVersion: the seed and import path (bulk creates and
// overwriting updates) leaves one audit entry per version, naming the tool.
func TestImportAuditsEveryVersion(t *testing.T) {
	st := mongotest.Store(t)
	svc := service.New(service.Config{Store: st, Logger: quiet()})
	ctx := service.Tool(context.Background(), "brokerfinder seed")
	a, b := storetest.Provider("Seeded A"), storetest.Provider("Seeded B")
	a.ID, b.ID = "seeded-a", "seeded-b"
	rep, err := svc.ImportProviders(ctx, []directory.Provider{a, b}, service.ImportOptions{Action: "provider.seed"})
	if err != nil || rep.Created != 2 {
		t.Fatalf("first import: %+v, %v", rep, err)
	}
	a.Summary = "Changed in the feed."
	rep, err = svc.ImportProviders(ctx, []directory.Provider{a, b}, service.ImportOptions{Overwrite: true, Action: "provider.seed"})
	if err != nil || rep.Updated != 1 || rep.Unchanged != 1 {
		t.Fatalf("second import: %+v, %v", rep, err)
	}
	for _, id := range []string{"seeded-a", "seeded-b"} {
		for v, e := range auditsPerVersion(t, st, id) {
			if e.Action != "provider.seed" || e.Actor.Name != "brokerfinder seed" || e.Actor.Role != directory.RoleTool {
				t.Errorf("audit of %s version %d: %+v", id, v, e)
			}
		}
	}
}

// TestWritesAuditOnceAndNoOpReplaceMakesNoVersion covers the single-record
// writes.
func TestWritesAuditOnceAndNoOpReplaceMakesNoVersion(t *testing.T) {
	st := mongotest.Store(t)
	svc := service.New(service.Config{Store: st, Logger: quiet()})
	ctx := directory.WithActor(context.Background(), directory.Actor{ID: "t1", Name: "Ops", Role: directory.RoleAdmin})
	p := storetest.Provider("Single Writes")
	if err := svc.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	same := p
	changed, err := svc.ReplaceProvider(ctx, &same, 1)
	if err != nil || changed || same.Version != 1 {
		t.Fatalf("replace with the same content: changed %v, version %d, %v", changed, same.Version, err)
	}
	next := p
	next.Summary = "New summary."
	if changed, err := svc.ReplaceProvider(ctx, &next, 1); err != nil || !changed || next.Version != 2 {
		t.Fatalf("replace: changed %v version %d %v", changed, next.Version, err)
	}
	if _, err := svc.VerifyProvider(ctx, p.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RevertProvider(ctx, p.ID, 3, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EndProvider(ctx, p.ID, 4); err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{1: "provider.create", 2: "provider.update", 3: "provider.verify", 4: "provider.revert", 5: "provider.end"}
	got := auditsPerVersion(t, st, p.ID)
	for v, action := range want {
		if got[v].Action != action || got[v].Actor.Name != "Ops" {
			t.Errorf("version %d audited as %q by %q, want %q by Ops", v, got[v].Action, got[v].Actor.Name, action)
		}
	}
}

// TestEditorRules: a provider editor may not change status, and their
// replacement keeps the record's freshness.
func TestEditorRules(t *testing.T) {
	st := mongotest.Store(t)
	svc := service.New(service.Config{Store: st, Logger: quiet()})
	p := storetest.Provider("Editor Rules")
	if err := svc.CreateProvider(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	ed := directory.WithActor(context.Background(), directory.Actor{ID: "e1", Name: "Editor", Role: directory.RoleProviderEditor})
	next := p
	next.Status = directory.StatusSuspended
	if _, err := svc.ReplaceProvider(ed, &next, 1); !errors.Is(err, directory.ErrForbidden) {
		t.Errorf("editor changing status: %v, want forbidden", err)
	}
	next = p
	next.Summary = "Edited."
	next.Freshness = directory.Freshness{LastVerified: "2030-01-01", VerifiedBy: "me"}
	if _, err := svc.ReplaceProvider(ed, &next, 1); err != nil {
		t.Fatal(err)
	}
	if next.Freshness != p.Freshness {
		t.Errorf("editor's replacement changed freshness to %+v", next.Freshness)
	}
}

// TestMatchesRecordExposure: Match and MatchAll (the API's and the public
// page's matches) both count what they showed.
func TestMatchesRecordExposure(t *testing.T) {
	st := mongotest.Store(t)
	ctx := context.Background()
	for _, name := range []string{"Shown One", "Shown Two", "Shown Three"} {
		p := storetest.Provider(name)
		if err := st.CreateProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	f, err := finder.Open(ctx, finder.Config{Store: st, IndexDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	svc := service.New(service.Config{Store: st, Finder: f, Logger: quiet()})
	q := finder.MatchQuery{Location: finder.LocationQuery{Postcode: "LS1 5AB"}, PerPage: 2}
	res, _, err := svc.Match(ctx, q)
	if err != nil || res.Total != 3 || len(res.Results) != 2 {
		t.Fatalf("match: total %d, %d results, %v", res.Total, len(res.Results), err)
	}
	if _, _, err := svc.MatchAll(ctx, q); err != nil {
		t.Fatal(err)
	}
	tot, err := svc.Exposure(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var shown int64
	for _, c := range tot.Counts {
		shown += c.Shown
	}
	// The page of two, then all three.
	if shown != 5 {
		t.Errorf("shown %d times in all, want 5 (%+v)", shown, tot.Counts)
	}
}

// TestMatchesCountEachClientOnceADay: through the service, a client's
// repeated matches, the public page's re-posts (MatchAll) and its saved
// shortlists count each provider once a day for shown, top three and
// chosen; another client counts again, and so does the next day.
func TestMatchesCountEachClientOnceADay(t *testing.T) {
	st := mongotest.Store(t)
	ctx := context.Background()
	var ids []string
	for _, name := range []string{"Once One", "Once Two"} {
		p := storetest.Provider(name)
		if err := st.CreateProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	f, err := finder.Open(ctx, finder.Config{Store: st, IndexDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	var skew time.Duration
	svc := service.New(service.Config{Store: st, Finder: f, Logger: quiet(), Now: func() time.Time { return time.Now().Add(skew) }})
	q := finder.MatchQuery{Location: finder.LocationQuery{Postcode: "LS1 5AB"}}
	use := func(client string) {
		t.Helper()
		c := service.WithClient(ctx, client)
		for range 50 {
			if _, _, err := svc.Match(c, q); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.MatchAll(c, q); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			if _, err := svc.SaveShortlist(c, service.ShortlistRequest{Query: q, ChosenProviderID: ids[0]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	check := func(step string, want int64) {
		t.Helper()
		tot, err := svc.Exposure(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]directory.ExposureCount{}
		for _, c := range tot.Counts {
			got[c.ProviderID] = c
		}
		one, two := got[ids[0]], got[ids[1]]
		if one.Shown != want || one.Top3 != want || one.Chosen != want || two.Shown != want || two.Top3 != want || two.Chosen != 0 {
			t.Errorf("%s: %+v and %+v, want shown, top3 and (first) chosen %d", step, one, two, want)
		}
	}
	use("client a")
	check("one client", 1)
	use("client b")
	check("two clients", 2)
	skew = 24 * time.Hour
	use("client a")
	check("the next day", 3)
}
