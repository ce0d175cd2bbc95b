package index

import (
	"fmt"
	"hash/fnv"
	"slices"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/match"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

// TestPlaceKeysBelongToTheMappingVersion: documents are filed under the
// place keys match.PlaceKeys gives, so an index built with other keys must
// be rebuilt, which a new mappingVersion makes happen. When the keys of
// these providers change, change mappingVersion and then want.
func TestPlaceKeysBelongToTheMappingVersion(t *testing.T) {
	sp, _ := seedAndEmptyIndex(t)
	gen, err := synth.Generate(synth.Options{Providers: 3000, Seed: 11, Districts: synth.SeedDistricts(sp)})
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	for _, p := range append(sp, gen...) {
		keys := match.PlaceKeys(&p)
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(h, "%s\x00", k)
		}
		fmt.Fprintf(h, "%s\x01", p.ID)
	}
	const want = "5:place keys 6199f680408a856e"
	if got := fmt.Sprintf("%s:place keys %016x", mappingVersion, h.Sum64()); got != want {
		t.Fatalf("got %q, want %q: if the place keys changed, existing indexes file providers under the old ones; change mappingVersion, then want", got, want)
	}
}
