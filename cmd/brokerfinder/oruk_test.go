package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/seed"
)

// runCmd runs one command in-process against a data directory.
func runCmd(t *testing.T, dataDir string, args ...string) (string, string, error) {
	t.Helper()
	env := map[string]string{"BROKERFINDER_DATA_DIR": dataDir, "BROKERFINDER_SEED_DIR": "../../seed", "BROKERFINDER_LOG_LEVEL": "warn"}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// storedProviders reads every provider in a data directory, sorted by id.
func storedProviders(t *testing.T, dataDir string) []directory.Provider {
	t.Helper()
	cfg := &config{DataDir: dataDir, Database: "brokerfinder"}
	store, closeStore, err := openStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	var ps []directory.Provider
	if err := store.EachProvider(context.Background(), func(p *directory.Provider) error {
		ps = append(ps, *p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	return ps
}

func TestExchangeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"export", "out.json"},                      // no format
		{"export", "--format", "csv", "out.json"},   // unknown format
		{"import", "--format", "oruk"},              // no file
		{"import", "--format", "oruk", "ftp://x/y"}, // not http(s)
	} {
		if _, _, err := runCmd(t, t.TempDir(), args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// TestExportImportRoundTrip seeds one data directory, exports it, imports
// the feed by URL into a fresh one and expects the same providers; a second
// import changes nothing.
func TestExportImportRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds and imports the whole directory (slow)")
	}
	src, dst := t.TempDir(), t.TempDir()
	if _, _, err := runCmd(t, src, "seed"); err != nil {
		t.Fatal(err)
	}
	feedFile := filepath.Join(t.TempDir(), "feed.json")
	if _, _, err := runCmd(t, src, "export", "--format", "oruk", feedFile); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(feedFile)
	if err != nil {
		t.Fatal(err)
	}
	var feed hsds.Feed
	if err := json.Unmarshal(raw, &feed); err != nil || len(feed.Services) != 114 {
		t.Fatalf("feed: %d services, %v", len(feed.Services), err)
	}
	// "-" writes the same feed to standard output.
	if out, _, err := runCmd(t, src, "export", "--format", "oruk", "-"); err != nil || out != string(raw) {
		t.Errorf("export to stdout differs from the file (err %v)", err)
	}

	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(feedFile))))
	t.Cleanup(srv.Close)
	url := srv.URL + "/feed.json"
	out, _, err := runCmd(t, dst, "import", "--format", "oruk", url)
	if err != nil || !strings.Contains(out, "114 created, 0 updated, 0 unchanged") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	want, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(want, func(i, j int) bool { return want[i].ID < want[j].ID })
	// The feed publishes verified_by as the kind of confirmer, never a
	// name, so that is what comes back.
	for i := range want {
		want[i].Freshness = directory.PublicFreshness(want[i].Freshness)
	}
	got := storedProviders(t, dst)
	ignore := cmpopts.IgnoreFields(directory.Provider{}, "Version", "CreatedAt", "UpdatedAt")
	if diff := cmp.Diff(want, got, ignore, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("imported directory differs from the seed (-want +got):\n%s", diff)
	}
	out, _, err = runCmd(t, dst, "import", "--format", "oruk", feedFile)
	if err != nil || !strings.Contains(out, "0 created, 0 updated, 114 unchanged") {
		t.Errorf("second import: %v\n%s", err, out)
	}
}

// TestImportInvalidFeedWritesNothing imports a feed with two bad records
// among good ones: both are reported, with index and field, and nothing is
// written.
func TestImportInvalidFeedWritesNothing(t *testing.T) {
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	var feed hsds.Feed
	for i := range ps[:4] {
		feed.Services = append(feed.Services, hsds.FromProvider(&ps[i]))
	}
	feed.Services[1].Name = ""
	feed.Services[3].ServiceAtLocations[0].Location.Attributes = nil // a site with no kind is fine…
	feed.Services[3].Email = "nobody"                                // …a bad email is not
	raw, _ := json.Marshal(feed)
	file := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	_, _, err = runCmd(t, data, "import", "--format", "oruk", file)
	if err == nil {
		t.Fatal("an invalid feed was imported")
	}
	for _, want := range []string{"record 1 (services[1], id " + ps[1].ID + ") name", "record 3 (services[3], id " + ps[3].ID + ") contact.email"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not report %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "record 0 ") || strings.Contains(err.Error(), "record 2 ") {
		t.Errorf("valid records reported:\n%v", err)
	}
	if testing.Short() {
		return
	}
	if got := storedProviders(t, data); len(got) != 0 {
		t.Errorf("%d providers written from an invalid feed", len(got))
	}
}
