package index

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

// TestSearchInCollectsWhatBleveWould: SearchIn collects hits from the
// searcher itself; it must return the ids, scores and order Bleve's own
// top-N collector gives for the same query, at every limit.
func TestSearchInCollectsWhatBleveWould(t *testing.T) {
	sp, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	gen, err := synth.Generate(synth.Options{Providers: 3000, Seed: 7, Districts: synth.SeedDistricts(sp)})
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
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
	checked := 0
	for _, text := range []string{"confidence", "self employment", "mental health support", "Leeds", "cv interview", "zzzunknown"} {
		for _, in := range [][]string{nil, {"north"}, {"east", "west"}} {
			q, err := ix.textQuery(text, in)
			if err != nil {
				t.Fatal(err)
			}
			res, err := ix.b.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, visible, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			for _, limit := range []int{visible, 20, 1} {
				got, err := ix.SearchIn(ctx, text, in, limit)
				if err != nil {
					t.Fatal(err)
				}
				want := res.Hits
				if len(want) > limit {
					want = want[:limit]
				}
				name := fmt.Sprintf("%q in %v, limit %d", text, in, limit)
				if len(got) != len(want) {
					t.Fatalf("%s: %d hits, Bleve's collector %d", name, len(got), len(want))
				}
				for i := range got {
					// Bleve breaks ties by the order hits were
					// collected in, as SearchIn does.
					if got[i].ID != want[i].ID || got[i].Score != want[i].Score {
						t.Fatalf("%s: hit %d is %s %v, Bleve's collector %s %v", name, i, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
					}
				}
				checked += len(got)
			}
		}
	}
	t.Logf("%d hits compared", checked)
	if checked < 1000 {
		t.Fatalf("only %d hits compared: the test proves little", checked)
	}
}
