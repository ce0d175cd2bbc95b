package finder

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/match"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

// SliceStore serves providers from memory, so tests and benchmarks (in
// this package and finder_test) measure the finder and not a store.
type SliceStore struct {
	directory.ProviderStore
	Providers []directory.Provider
}

func (s SliceStore) EachProvider(_ context.Context, fn func(*directory.Provider) error) error {
	for i := range s.Providers {
		if err := fn(&s.Providers[i]); err != nil {
			return err
		}
	}
	return nil
}

// TestScopedTextSearchEqualsScoringEverything: a text search that scores
// only what the catalogue could show, and finds providers by remembered
// slots, gives the same page, order, distances, total and facets as scoring
// every provider filed under the place and looking each up by id; and still
// does after writes that free a slot, reuse it, and change text.
func TestScopedTextSearchEqualsScoringEverything(t *testing.T) {
	sp, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	districts := synth.SeedDistricts(sp)
	gen, err := synth.Generate(synth.Options{Providers: 1500, Seed: 3, Districts: districts})
	if err != nil {
		t.Fatal(err)
	}
	ps := append(sp, gen...)
	ctx := context.Background()
	f, err := Open(ctx, Config{Store: SliceStore{Providers: ps}, IndexDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	nears := []string{""}
	for _, d := range districts[:8] {
		nears = append(nears, d.Code)
	}
	nears = append(nears, "Leeds", "Cardiff")
	yes := true
	compared, found := 0, 0
	check := func(stage string) {
		t.Helper()
		for _, text := range []string{"work", "mental health", "confidence", "self employment", "cv interview"} {
			for _, near := range nears {
				for _, q := range []SearchQuery{
					{Text: text, Near: near},
					{Text: text, Near: near, Types: []string{directory.TypeJobBroker}, Page: 2, PerPage: 5},
					{Text: text, Near: near, TakingNewClients: &yes, RadiusKm: 60},
				} {
					got, _, err1 := f.search(ctx, q, true)
					want, _, err2 := f.search(ctx, q, false)
					if fmt.Sprint(err1) != fmt.Sprint(err2) {
						t.Fatalf("%s %+v: errors %v and %v", stage, q, err1, err2)
					}
					if got.Total != want.Total || !reflect.DeepEqual(got.Facets, want.Facets) || !sameItems(got.Items, want.Items) {
						t.Fatalf("%s %+v: scoped search gives %d %v, scoring everything %d %v", stage, q, got.Total, ids(got.Items), want.Total, ids(want.Items))
					}
					compared++
					found += got.Total
				}
			}
		}
	}
	check("at start")

	// A provider made a draft frees its slot; a new one takes it; the
	// draft is published again; another's text changes.
	var draft directory.Provider
	for _, p := range ps {
		if p.Status == directory.StatusPublished {
			draft = p
			break
		}
	}
	draft.Status = directory.StatusDraft
	draft.Version++
	put(t, f, draft)
	check("after a draft")
	fresh := ps[len(ps)-1]
	fresh.ID, fresh.Name, fresh.Summary = "fresh-provider", "Fresh Confidence Works", "Confidence and self employment support"
	fresh.Version = 1
	put(t, f, fresh)
	check("after a new provider")
	if res, _, _ := f.Search(ctx, SearchQuery{Text: "fresh confidence works"}); res.Total == 0 {
		t.Fatal("the new provider is not found by its text")
	}
	draft.Status = directory.StatusPublished
	draft.Version++
	put(t, f, draft)
	check("after publishing again")
	edited := ps[5]
	edited.Summary = "Self employment and confidence courses"
	edited.Version++
	put(t, f, edited)
	check("after an edit")
	if compared < 500 || found < 1000 {
		t.Fatalf("compared %d searches finding %d: the test proves little", compared, found)
	}
}

func put(t *testing.T, f *Finder, p directory.Provider) {
	t.Helper()
	if err := f.Put(&p); err != nil {
		t.Fatal(err)
	}
}

func sameItems(a, b []match.Found) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Provider.ID != b[i].Provider.ID || !reflect.DeepEqual(a[i].DistanceKm, b[i].DistanceKm) || !reflect.DeepEqual(a[i].Flags, b[i].Flags) {
			return false
		}
	}
	return true
}

func ids(items []match.Found) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Provider.ID)
	}
	return out
}

// TestTextSearchesDuringWrites: searches running while providers are
// written (drafts, new providers in freed slots, text edits) neither fail
// nor race (run under -race in CI).
func TestTextSearchesDuringWrites(t *testing.T) {
	sp, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f, err := Open(ctx, Config{Store: SliceStore{Providers: sp}, IndexDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	done := make(chan struct{})
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				q := SearchQuery{Text: []string{"work", "confidence", "mental health"}[(w+i)%3], Near: []string{"", "Leeds"}[i%2]}
				if _, _, err := f.Search(ctx, q); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 60 {
		p := sp[i%len(sp)]
		p.Version += int64(i + 1)
		switch i % 3 {
		case 0:
			p.Status = directory.StatusDraft
		case 1:
			p.ID = fmt.Sprintf("new-%d", i)
			p.Summary = "Confidence at work"
		}
		put(t, f, p)
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
