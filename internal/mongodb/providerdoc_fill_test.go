package mongodb

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TestProviderRecordKeepsEveryField: every field of the domain's provider,
// including ones added after the stored types were written, survives the
// trip to the stored shape and back. A field added to directory.Provider
// without its stored twin fails here rather than vanishing on write.
func TestProviderRecordKeepsEveryField(t *testing.T) {
	var p directory.Provider
	seed := 0
	fill(reflect.ValueOf(&p).Elem(), &seed)
	rec := toProviderRecord(&p)
	got := fromProviderRecord(&rec)
	if diff := cmp.Diff(p, got); diff != "" {
		t.Fatalf("a provider's trip through the stored shape changed it (-domain +after):\n%s", diff)
	}
}
