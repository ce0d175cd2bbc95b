package index_test

import (
	"context"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/index"
	"github.com/brokerfinder/brokerfinder/internal/seed"
)

func seeded(t *testing.T, dir string) (*index.Index, []directory.Provider) {
	t.Helper()
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	ix, fresh, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fresh {
		t.Fatal("a new directory must give a fresh index")
	}
	b := ix.NewBatch()
	for i := range ps {
		if err := b.Put(&ps[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Apply(b, 42); err != nil {
		t.Fatal(err)
	}
	return ix, ps
}

func names(t *testing.T, ix *index.Index, ps []directory.Provider, text string) []string {
	t.Helper()
	hits, err := ix.Search(context.Background(), text, 1000)
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	byID := map[string]string{}
	for _, p := range ps {
		byID[p.ID] = p.Name
	}
	var out []string
	for _, h := range hits {
		out = append(out, byID[h.ID])
	}
	return out
}

func TestSearchFindsByEveryField(t *testing.T) {
	ix, ps := seeded(t, t.TempDir())
	defer ix.Close()
	tests := []struct {
		text string
		want string // must be among the hits
		top  bool   // and first
	}{
		{"Harehills", "Harehills Bridge to Work", true},
		{"harehills BRIDGE", "Harehills Bridge to Work", true},
		{"sight loss Birmingham", "Edgbaston Sight Loss Employment Service", true},
		{"deaf", "Medlock Deaf Futures", false},
		{"self-employment", "", false},
		{"Welsh", "Dyfodol Gwaith Caerdydd", false},
		{"coaching", "Quietline Work Coaching CIC", true},
		{"help with the coaching", "Quietline Work Coaching CIC", false}, // stop words do not sink the query
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := names(t, ix, ps, tt.text)
			if tt.want == "" {
				if len(got) == 0 {
					t.Fatal("no hits")
				}
				return
			}
			if !slices.Contains(got, tt.want) {
				t.Fatalf("hits %q lack %q", got, tt.want)
			}
			if tt.top && got[0] != tt.want {
				t.Fatalf("first hit %q, want %q", got[0], tt.want)
			}
		})
	}
}

func TestQuerySyntaxIsNotInterpreted(t *testing.T) {
	ix, ps := seeded(t, t.TempDir())
	defer ix.Close()
	// In Bleve's query-string language these would mean "field name must
	// hold harehills" or "anything": as plain words they find what the
	// words find.
	for _, tt := range []struct{ hostile, plain string }{
		{"harehills*", "harehills"},
		{`"harehills"`, "harehills"},
		{"(harehills)", "harehills"},
		{"+name:harehills", "name harehills"}, // not a field query: "name" is a word
		{"name:harehills^100", "name harehills 100"},
		{"-harehills", "harehills"}, // not a negation
	} {
		if diff := cmp.Diff(names(t, ix, ps, tt.plain), names(t, ix, ps, tt.hostile)); diff != "" {
			t.Errorf("%q searched differently from the plain words %q:\n%s", tt.hostile, tt.plain, diff)
		}
	}
	if got := names(t, ix, ps, "-harehills"); !slices.Contains(got, "Harehills Bridge to Work") {
		t.Errorf("a leading minus excluded the word: %q", got)
	}
	if _, err := ix.Search(context.Background(), "*:* ~ ^", 10); !errors.Is(err, index.ErrNoWords) {
		t.Fatalf("punctuation only: %v, want ErrNoWords", err)
	}
	if got := index.Words("a b c d e f g h i j k"); len(got) != index.MaxQueryWords {
		t.Fatalf("Words kept %d words, want at most %d", len(got), index.MaxQueryWords)
	}
}

func TestDraftsAreNotFound(t *testing.T) {
	ix, ps := seeded(t, t.TempDir())
	defer ix.Close()
	p := ps[0]
	p.Status = directory.StatusDraft
	b := ix.NewBatch()
	if err := b.Put(&p, nil); err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(b, 43); err != nil {
		t.Fatal(err)
	}
	if got := names(t, ix, ps, p.Name); slices.Contains(got, p.Name) {
		t.Fatalf("a draft is still found: %q", got)
	}
}

func TestReopenKeepsIndexAndFingerprint(t *testing.T) {
	dir := t.TempDir()
	ix, ps := seeded(t, dir)
	n, _ := ix.Count()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, fresh, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if fresh {
		t.Fatal("reopening an index of the current mapping must not rebuild it")
	}
	if m, _ := ix.Count(); m != n || int(m) != len(ps) {
		t.Fatalf("count %d after reopen, want %d", m, n)
	}
	if fp, err := ix.Fingerprint(); err != nil || fp != 42 {
		t.Fatalf("fingerprint %d, %v; want 42", fp, err)
	}
}

func TestCorruptIndexIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	ix, _ := seeded(t, dir)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// Damage the index's metadata.
	if err := os.WriteFile(filepath.Join(dir, "bleve", "index_meta.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	ix, fresh, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !fresh {
		t.Fatal("a corrupt index must be replaced by a fresh one")
	}
	if n, _ := ix.Count(); n != 0 {
		t.Fatalf("fresh index holds %d documents", n)
	}
}

func TestLockedIndexIsNotRemoved(t *testing.T) {
	dir := t.TempDir()
	ix, ps := seeded(t, dir)
	defer ix.Close()
	if _, _, err := index.Open(dir); !errors.Is(err, index.ErrInUse) {
		t.Fatalf("opening an index another holder has open: %v, want ErrInUse", err)
	}
	ids, err := ix.IDs(context.Background())
	if err != nil || len(ids) != len(ps) {
		t.Fatalf("after a refused open the index holds %d documents (%v), want %d", len(ids), err, len(ps))
	}
}

// TestSearchInKeepsToThePlaces: a search in places finds exactly the
// providers filed under one of them that an unrestricted search finds, with
// the same scores (being filed under a place adds no relevance).
func TestSearchInKeepsToThePlaces(t *testing.T) {
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := index.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	// Every third provider in "east", every fifth also in "west".
	filed := map[string][]string{}
	b := ix.NewBatch()
	for i := range ps {
		var places []string
		if i%3 == 0 {
			places = append(places, "east")
		}
		if i%5 == 0 {
			places = append(places, "west")
		}
		filed[ps[i].ID] = places
		if err := b.Put(&ps[i], places); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Apply(b, 1); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	all, err := ix.Search(ctx, "work", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range [][]string{{"east"}, {"west"}, {"east", "west"}, {"nowhere"}} {
		want := map[string]float64{}
		for _, h := range all {
			for _, p := range filed[h.ID] {
				if slices.Contains(in, p) {
					want[h.ID] = h.Score
				}
			}
		}
		hits, err := searchIn(ix, ctx, "work", in)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, h := range hits {
			got[h.ID] = h.Score
		}
		if len(want) == 0 && in[0] != "nowhere" {
			t.Fatalf("no provider in %v matches: the test proves nothing", in)
		}
		if !maps.EqualFunc(got, want, func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }) {
			t.Errorf("in %v: got %d hits, want %d, or scores differ\ngot  %v\nwant %v", in, len(got), len(want), got, want)
		}
	}
	if hits, err := searchIn(ix, ctx, "work", []string{}); err != nil || len(hits) != 0 {
		t.Fatalf("in no places: %d hits, %v", len(hits), err)
	}
}

// TestOpenExistingNeverRebuilds: OpenExisting refuses a missing or corrupt
// index and leaves what is there alone, and reads back the version each
// document was indexed at.
func TestOpenExistingNeverRebuilds(t *testing.T) {
	if _, err := index.OpenExisting(t.TempDir()); !errors.Is(err, index.ErrUnusable) {
		t.Fatalf("no index: %v, want ErrUnusable", err)
	}
	dir := t.TempDir()
	ix, ps := seeded(t, dir)
	b := ix.NewBatch()
	for i := range ps {
		ps[i].Version = int64(i + 1)
		if err := b.Put(&ps[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Apply(b, 43); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err := index.OpenExisting(dir)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := ix.Versions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, p := range ps {
		want[p.ID] = p.Version
	}
	if diff := cmp.Diff(want, vs); diff != "" {
		t.Fatalf("versions (-want +got):\n%s", diff)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(dir, "bleve", "index_meta.json")
	if err := os.WriteFile(meta, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := index.OpenExisting(dir); !errors.Is(err, index.ErrUnusable) {
		t.Fatalf("corrupt index: %v, want ErrUnusable", err)
	}
	if b, _ := os.ReadFile(meta); string(b) != "{not json" {
		t.Fatal("OpenExisting changed a corrupt index; it must leave it for inspection")
	}
}

// everything is a scope keeping every provider, collecting the hits.
type everything struct{ hits []index.Hit }

func (*everything) Numbering() uint64           { return 0 }
func (*everything) Number(string) (int32, bool) { return 0, true }
func (*everything) Keep(int32) bool             { return true }
func (e *everything) Add(id string, score float64, _ int32) {
	e.hits = append(e.hits, index.Hit{ID: id, Score: score})
}

// searchIn collects the hits of SearchIn keeping every provider.
func searchIn(ix *index.Index, ctx context.Context, text string, places []string) ([]index.Hit, error) {
	var all everything
	err := ix.SearchIn(ctx, text, places, &all)
	return all.hits, err
}
