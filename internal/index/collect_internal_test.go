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

// TestSearchInCollectsWhatBleveWould: SearchIn finds documents unscored,
// then scores those keep accepts; it must return the ids, scores and order
// Bleve's own top-N collector gives for one scored query, less what keep
// leaves out.
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
	checked, dropped := 0, 0
	for _, text := range []string{"confidence", "self employment", "mental health support", "Leeds", "cv interview", "zzzunknown"} {
		words, err := ix.words(text)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]string{nil, {"north"}, {"east", "west"}} {
			res, err := ix.b.SearchInContext(ctx, bleve.NewSearchRequestOptions(textQuery(words, in, false), visible, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			// keep: every provider, or every other one by id.
			for _, odd := range []bool{false, true} {
				var keep func(string) (int32, bool)
				want := res.Hits
				if odd {
					keep = func(id string) (int32, bool) { return int32(id[0]), id[len(id)-1]%2 == 1 }
					want = nil
					for _, h := range res.Hits {
						if _, ok := keep(h.ID); ok {
							want = append(want, h)
						}
					}
					dropped += len(res.Hits) - len(want)
				}
				got, err := ix.SearchIn(ctx, text, in, keep)
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
					if got[i].ID != want[i].ID || got[i].Score != want[i].Score || odd && got[i].Ref != int32(got[i].ID[0]) {
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
