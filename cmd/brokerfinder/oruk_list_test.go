package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/hsds/hsdstest"
	"github.com/brokerfinder/brokerfinder/internal/seed"
)

func writeJSONFile(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "feed.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestImportListPageKeepsFullRecords: a list page (what /oruk/services and
// /oruk/service_at_locations return) holds only each record's brief form.
// Imported after the full records it must change none of them (they stayed
// published, with their sites and coverage), and say what it skipped.
func TestImportListPageKeepsFullRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded store (slow)")
	}
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	ps = ps[:3]
	var feed hsds.Feed
	var briefs []hsds.Service
	var sals []hsds.ServiceAtLocation
	for i := range ps {
		svc := hsds.FromProvider(&ps[i])
		feed.Services = append(feed.Services, svc)
		briefs = append(briefs, svc.Brief())
		for _, sal := range svc.ServiceAtLocations {
			loc, b := sal.Location.Brief(), svc.Brief()
			sal.Location, sal.Service = &loc, &b
			sals = append(sals, sal)
		}
	}
	data := t.TempDir()
	if _, _, err := runCmd(t, data, "import", "--format", "oruk", writeJSONFile(t, feed)); err != nil {
		t.Fatal(err)
	}
	before := storedProviders(t, data)
	for _, p := range before {
		if p.Status != directory.StatusPublished && p.Status != directory.StatusSuspended || len(p.Sites) == 0 {
			t.Fatalf("full import: %s is %s with %d sites", p.ID, p.Status, len(p.Sites))
		}
	}
	for name, page := range map[string]any{
		"services list":              hsds.Paginate(briefs, 1, 3),
		"service_at_locations list":  hsds.Paginate(sals, 1, 100),
		"the profile's list example": json.RawMessage(mustRead(t, filepath.Join(hsdstest.Dir(t), "examples", "service_list.json"))),
	} {
		out, stderr, err := runCmd(t, data, "import", "--format", "oruk", writeJSONFile(t, page))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(stderr, "list-form record") || !strings.Contains(out, "0 created, 0 updated") {
			t.Errorf("%s: no note of skipped list forms, or records written:\n%s%s", name, out, stderr)
		}
		if diff := cmp.Diff(before, storedProviders(t, data)); diff != "" {
			t.Errorf("%s changed full records (-before +after):\n%s", name, diff)
		}
	}
}

// TestImportKeepsStatusUnlessTheFeedSetsOne: a record whose feed gives no
// status keeps the stored record's; a feed that says "inactive" is obeyed.
func TestImportKeepsStatusUnlessTheFeedSetsOne(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded store (slow)")
	}
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	if p.Status != directory.StatusPublished {
		t.Fatalf("seed record 0 is %s", p.Status)
	}
	data := t.TempDir()
	svc := hsds.FromProvider(&p)
	if _, _, err := runCmd(t, data, "import", "--format", "oruk", writeJSONFile(t, svc)); err != nil {
		t.Fatal(err)
	}
	svc.Status = ""
	svc.Description = "Changed by a feed that states no status."
	if _, stderr, err := runCmd(t, data, "import", "--format", "oruk", writeJSONFile(t, svc)); err != nil || !strings.Contains(stderr, "keeps its status") {
		t.Fatalf("%v\n%s", err, stderr)
	}
	got := storedProviders(t, data)[0]
	if got.Status != directory.StatusPublished || got.Summary != svc.Description {
		t.Errorf("no status in the feed: stored %s %q, want published with the new summary", got.Status, got.Summary)
	}
	svc.Status = hsds.StatusInactive
	if _, _, err := runCmd(t, data, "import", "--format", "oruk", writeJSONFile(t, svc)); err != nil {
		t.Fatal(err)
	}
	if got := storedProviders(t, data)[0]; got.Status != directory.StatusDraft {
		t.Errorf("feed said inactive: stored %s", got.Status)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
