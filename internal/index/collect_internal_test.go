package index

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

// TestSearchInScoresAsBleveDoes: SearchIn works relevance out from each
// word's postings itself (see wordDocs). It must find the documents Bleve's
// own collector finds for textQuery, less those not filed under the places
// and those keep leaves out, with Bleve's scores (to rounding) and, once
// sorted, in Bleve's order: equal scores stay equal and keep the index's
// order, unequal ones keep theirs.
func TestSearchInScoresAsBleveDoes(t *testing.T) {
	sp, ix := seedAndEmptyIndex(t)
	gen, err := synth.Generate(synth.Options{Providers: 3000, Seed: 7, Districts: synth.SeedDistricts(sp)})
	if err != nil {
		t.Fatal(err)
	}
	// A word the analyser splits into several terms: each ideograph is
	// one. Some summaries hold both of "東京"'s, some one.
	for i := range gen {
		switch {
		case i%7 == 0:
			gen[i].Summary += " 東京"
		case i%5 == 0:
			gen[i].Summary += " 京都"
		}
	}
	// File providers under a few made-up places, so searches in places are
	// checked too; two batches leave two segments.
	places := []string{"north", "south", "east", "west"}
	filed := map[string][]string{}
	for lo := 0; lo < len(gen); lo += 1500 {
		b := ix.NewBatch()
		for i := lo; i < lo+1500; i++ {
			filed[gen[i].ID] = []string{places[i%4], places[i%3]}
			if err := b.Put(&gen[i], filed[gen[i].ID]); err != nil {
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
	checked, dropped, ties := 0, 0, 0
	for _, text := range []string{"confidence", "self employment", "mental health support", "Leeds", "cv interview", "東京", "東京 work", "zzzunknown"} {
		words, err := ix.words(text)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ix.b.SearchInContext(ctx, bleve.NewSearchRequestOptions(textQuery(words), visible, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]string{nil, {"north"}, {"east", "west"}} {
			// keep: every provider, or every other one by id.
			for _, odd := range []bool{false, true} {
				var scope *testScope
				if odd {
					// Numbers are the ids' last bytes; odd ones are kept.
					scope = &testScope{
						number:    func(id string) (int32, bool) { return int32(id[len(id)-1]), true },
						numbering: func() uint64 { return 1 },
						keep:      func(ref int32) bool { return ref%2 == 1 },
					}
				}
				var want []*search.DocumentMatch
				for _, h := range res.Hits {
					if (in == nil || slices.ContainsFunc(filed[h.ID], func(p string) bool { return slices.Contains(in, p) })) &&
						(!odd || h.ID[len(h.ID)-1]%2 == 1) {
						want = append(want, h)
					}
				}
				dropped += len(res.Hits) - len(want)
				got, err := searchIn(ix, ctx, text, in, scope)
				if err != nil {
					t.Fatal(err)
				}
				slices.SortStableFunc(got, func(a, b refHit) int { return cmp.Compare(b.Score, a.Score) })
				name := fmt.Sprintf("%q in %v, odd ids only %v", text, in, odd)
				if len(got) != len(want) {
					t.Fatalf("%s: %d hits, Bleve's collector %d", name, len(got), len(want))
				}
				for i := range got {
					if got[i].ID != want[i].ID || math.Abs(got[i].Score-want[i].Score) > 1e-12*want[i].Score ||
						odd && got[i].Ref != int32(got[i].ID[len(got[i].ID)-1]) {
						t.Fatalf("%s: hit %d is %s %v, Bleve's collector %s %v", name, i, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
					}
					if i > 0 && (got[i].Score == got[i-1].Score) != (want[i].Score == want[i-1].Score) {
						t.Fatalf("%s: hits %d and %d score %v and %v, Bleve %v and %v", name, i-1, i, got[i-1].Score, got[i].Score, want[i-1].Score, want[i].Score)
					}
					if i > 0 && want[i].Score == want[i-1].Score {
						ties++
					}
				}
				checked += len(got)
			}
		}
	}
	t.Logf("%d hits compared (%d ties), %d left out by places or keep", checked, ties, dropped)
	if checked < 1000 || dropped < 100 || ties < 100 {
		t.Fatalf("only %d hits compared, %d ties, %d left out: the test proves little", checked, ties, dropped)
	}
}

// textQuery is the Bleve query whose relevance SearchIn gives: every word
// in any text field, with the fields' boosts.
func textQuery(words []string) query.Query {
	conj := make([]query.Query, 0, len(words))
	for _, w := range words {
		disj := make([]query.Query, 0, len(textFields))
		for _, f := range textFields {
			q := bleve.NewMatchQuery(w)
			q.SetField(f.name)
			q.SetBoost(f.boost)
			disj = append(disj, q)
		}
		conj = append(conj, bleve.NewDisjunctionQuery(disj...))
	}
	return bleve.NewConjunctionQuery(conj...)
}

// TestScopeAnswersAreRememberedPerSnapshotAndNumbering: SearchIn asks
// Number once per document while neither the index nor the numbering
// changes, asks again after either does, and never remembers under
// numbering 0.
func TestScopeAnswersAreRememberedPerSnapshotAndNumbering(t *testing.T) {
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
	scope := &testScope{
		number:    func(string) (int32, bool) { asked++; return int32(gen), true },
		numbering: func() uint64 { return gen },
		keep:      func(int32) bool { return true },
	}
	search := func() []refHit {
		t.Helper()
		hits, err := searchIn(ix, context.Background(), "work", nil, scope)
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
			t.Fatalf("after a new numbering, hit %s keeps number %d", h.ID, h.Ref)
		}
	}
	gen, asked = 0, 0
	search()
	search()
	if asked != 2*len(first) {
		t.Fatalf("under numbering 0, asked %d times in two searches of %d hits: answers were remembered", asked, len(first))
	}
	gen = 3
	search()
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

// refHit is a hit with the number its scope gave it.
type refHit struct {
	Hit
	Ref int32
}

// testScope is a Scope of functions, collecting what SearchIn gives it.
type testScope struct {
	numbering func() uint64
	number    func(id string) (int32, bool)
	keep      func(int32) bool
	hits      []refHit
}

func (s *testScope) Numbering() uint64              { return s.numbering() }
func (s *testScope) Number(id string) (int32, bool) { return s.number(id) }
func (s *testScope) Keep(n int32) bool              { return s.keep(n) }
func (s *testScope) Add(id string, score float64, n int32) {
	s.hits = append(s.hits, refHit{Hit{ID: id, Score: score}, n})
}

// searchIn collects SearchIn's hits; a nil scope keeps every provider.
func searchIn(ix *Index, ctx context.Context, text string, places []string, scope *testScope) ([]refHit, error) {
	if scope == nil {
		scope = &testScope{
			numbering: func() uint64 { return 0 },
			number:    func(string) (int32, bool) { return 0, true },
			keep:      func(int32) bool { return true },
		}
	}
	scope.hits = nil
	err := ix.SearchIn(ctx, text, places, scope)
	return scope.hits, err
}
