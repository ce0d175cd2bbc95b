package index

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

// TestSearchInCollectsWhatBleveWould: SearchIn finds documents unscored,
// then scores those keep accepts; it must return the ids, scores and order
// Bleve's own top-N collector gives for one scored query, less what keep
// leaves out.
func TestSearchInCollectsWhatBleveWould(t *testing.T) {
	sp, ix := seedAndEmptyIndex(t)
	gen, err := synth.Generate(synth.Options{Providers: 3000, Seed: 7, Districts: synth.SeedDistricts(sp)})
	if err != nil {
		t.Fatal(err)
	}
	// File providers under a few made-up places, so filtered queries are
	// checked too; two batches leave two segments.
	places := []string{"north", "south", "east", "west"}
	for lo := 0; lo < len(gen); lo += 1500 {
		b := ix.NewBatch()
		for i := lo; i < lo+1500; i++ {
			if err := b.Put(&gen[i], []string{places[i%4], places[i%3]}); err != nil {
				t.Fatal(err)
			}
		}
		if err := ix.Apply(b, 1); err != nil {
			t.Fatal(err)
		}
	}
	visible := 0
	for i := range gen {
		if gen[i].Visible() {
			visible++
		}
	}
	ctx := context.Background()
	checked, dropped := 0, 0
	for _, text := range []string{"confidence", "self employment", "mental health support", "Leeds", "cv interview", "zzzunknown"} {
		words, err := ix.words(text)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]string{nil, {"north"}, {"east", "west"}} {
			q := textQuery(words)
			if in != nil {
				q = textQuery(words, filterQuery{placesQuery(in)})
			}
			res, err := ix.b.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, visible, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			// keep: every provider, or every other one by id.
			for _, odd := range []bool{false, true} {
				var scope *Scope
				want := res.Hits
				if odd {
					// Numbers are the ids' last bytes; odd ones are kept.
					scope = &Scope{
						Resolve:    func(id string) (int32, bool) { return int32(id[len(id)-1]), true },
						Generation: func() uint64 { return 1 },
						Keep:       func(ref int32) bool { return ref%2 == 1 },
					}
					want = nil
					for _, h := range res.Hits {
						if h.ID[len(h.ID)-1]%2 == 1 {
							want = append(want, h)
						}
					}
					dropped += len(res.Hits) - len(want)
				}
				got, err := ix.SearchIn(ctx, text, in, scope)
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%q in %v, odd ids only %v", text, in, odd)
				if len(got) != len(want) {
					t.Fatalf("%s: %d hits, Bleve's collector %d", name, len(got), len(want))
				}
				for i := range got {
					// Bleve breaks ties by the order hits were
					// collected in, as SearchIn does.
					if got[i].ID != want[i].ID || got[i].Score != want[i].Score || odd && got[i].Ref != int32(got[i].ID[len(got[i].ID)-1]) {
						t.Fatalf("%s: hit %d is %s %v, Bleve's collector %s %v", name, i, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
					}
				}
				checked += len(got)
			}
		}
	}
	t.Logf("%d hits compared, %d left out by keep", checked, dropped)
	if checked < 1000 || dropped < 100 {
		t.Fatalf("only %d hits compared, %d left out: the test proves little", checked, dropped)
	}
}

// TestScopeAnswersAreRememberedPerSnapshotAndGeneration: SearchIn asks
// Resolve once per document while neither the index nor the generation
// changes, and asks again after either does.
func TestScopeAnswersAreRememberedPerSnapshotAndGeneration(t *testing.T) {
	sp, ix := seedAndEmptyIndex(t)
	b := ix.NewBatch()
	for i := range sp[1:] {
		if err := b.Put(&sp[1+i], nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Apply(b, 1); err != nil {
		t.Fatal(err)
	}
	gen, asked := uint64(1), 0
	scope := &Scope{
		Resolve:    func(string) (int32, bool) { asked++; return int32(gen), true },
		Generation: func() uint64 { return gen },
		Keep:       func(int32) bool { return true },
	}
	search := func() []Hit {
		t.Helper()
		hits, err := ix.SearchIn(context.Background(), "work", nil, scope)
		if err != nil || len(hits) == 0 {
			t.Fatalf("%d hits, %v", len(hits), err)
		}
		return hits
	}
	first := search()
	if asked != len(first) {
		t.Fatalf("asked %d times for %d hits", asked, len(first))
	}
	search()
	if asked != len(first) {
		t.Fatalf("asked again (%d) with nothing changed", asked-len(first))
	}
	gen = 2
	for _, h := range search() {
		if h.Ref != 2 {
			t.Fatalf("after a new generation, hit %s keeps number %d", h.ID, h.Ref)
		}
	}
	asked = 0
	b = ix.NewBatch()
	if err := b.Put(&sp[0], nil); err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(b, 2); err != nil {
		t.Fatal(err)
	}
	if hits := search(); asked == 0 || asked > len(hits) {
		t.Fatalf("after a write, asked %d times for %d hits", asked, len(hits))
	}
}

// seedAndEmptyIndex returns the seed directory and a new, empty index.
func seedAndEmptyIndex(t *testing.T) ([]directory.Provider, *Index) {
	t.Helper()
	sp, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return sp, ix
}
