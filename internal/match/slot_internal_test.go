package match

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestHashStringIsFNV1a: ties are broken by a hash of the id, so the hash
// written out must stay FNV-1a, or every order would change.
func TestHashStringIsFNV1a(t *testing.T) {
	for _, s := range []string{"", "a", "0b6d9c1e-3f4a-4c2b-9d8e-7f6a5b4c3d2e", "ÿ\x00é"} {
		h := fnv.New64a()
		_, _ = h.Write([]byte(s))
		if got, want := hashString(s), h.Sum64(); got != want {
			t.Errorf("hashString(%q) = %x, FNV-1a %x", s, got, want)
		}
	}
}

// TestSlotOfChecksTheSlotStillHoldsTheHit: a text hit carries the slot its
// provider had when the index was searched; if a write has since given that
// slot to another provider, the hit is looked up by id instead.
func TestSlotOfChecksTheSlotStillHoldsTheHit(t *testing.T) {
	c := NewCatalogue()
	a, b := storetest.Provider("a"), storetest.Provider("b")
	a.ID, b.ID = "a", "b"
	c.Put(&a)
	slotA := c.byID["a"]
	if got, ok := c.slotOf(scopedHit{TextHit{ID: "a"}, slotA}); !ok || got != slotA {
		t.Fatalf("a: slot %d, %v; want %d", got, ok, slotA)
	}
	c.Remove("a")
	c.Put(&b) // takes a's free slot
	if c.byID["b"] != slotA {
		t.Fatalf("b went to slot %d, not a's %d: the test proves nothing", c.byID["b"], slotA)
	}
	if got, ok := c.slotOf(scopedHit{TextHit{ID: "a"}, slotA}); ok {
		t.Fatalf("a stale hit for a removed provider found slot %d", got)
	}
	if got, ok := c.slotOf(scopedHit{TextHit{ID: "b"}, 99}); !ok || got != slotA {
		t.Fatalf("b with a wrong slot: %d, %v; want %d", got, ok, slotA)
	}
}

// TestSortFirstEqualsSorting: the first k after sortFirst are the first k
// of a full sort, for every k, with ties and without.
func TestSortFirstEqualsSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		n := r.IntN(300)
		xs := make([]int, n)
		for i := range xs {
			xs[i] = r.IntN(1 + round) // small ranges give ties
		}
		cmp := func(a, b int) int { return a - b }
		want := slices.Clone(xs)
		slices.Sort(want)
		for _, k := range []int{0, 1, 5, 20, n / 5, n / 3, n} {
			got := slices.Clone(xs)
			sortFirst(got, k, cmp)
			if !slices.Equal(got[:min(k, n)], want[:min(k, n)]) {
				t.Fatalf("n %d, k %d: first k %v, want %v", n, k, got[:min(k, n)], want[:min(k, n)])
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("n %d, k %d: elements lost or duplicated", n, k)
			}
		}
	}
}

// TestHotEntryIsOnePairOfCacheLines: the hot array's entries are 128
// bytes, so each is one aligned pair of cache lines (see hot); and a
// provider of a type not in the vocabulary has no type bit.
func TestHotEntryIsOnePairOfCacheLines(t *testing.T) {
	if n := unsafe.Sizeof(hot{}); n != 128 {
		t.Fatalf("a hot entry is %d bytes, not 128", n)
	}
	if off := unsafe.Offsetof(hot{}.idHash); off >= 64 {
		t.Fatalf("idHash at byte %d, past the first cache line", off)
	}
	p := storetest.Provider("x")
	p.Type = "not_a_type"
	if b := Compile(&p).typeBit(); b != 0 {
		t.Fatalf("type bit %b for an unknown type", b)
	}
	p.Type = "job_broker"
	if got, want := Compile(&p).typeBit(), typeBits["job_broker"]; got != want || got == 0 {
		t.Fatalf("type bit %b, want %b", got, want)
	}
}
