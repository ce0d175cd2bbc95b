package directory_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TestFilterAreaMatchesAreaKeys: a listing's area filter matches exactly the
// providers whose AreaKeys (what the store indexes) hold the area, whatever
// its case and spacing.
func TestFilterAreaMatchesAreaKeys(t *testing.T) {
	p := directory.Provider{
		Coverage: directory.Coverage{Areas: []string{" Leeds ", "West Yorkshire"}, PostcodeDistricts: []string{"LS6", "ls7"}},
		Sites:    []directory.Site{{Address: directory.Address{Town: "Headingley"}}, {Address: directory.Address{Town: ""}}},
	}
	keys := p.AreaKeys()
	if want := []string{"leeds", "west yorkshire", "ls6", "ls7", "headingley"}; !slices.Equal(keys, want) {
		t.Fatalf("AreaKeys = %q, want %q", keys, want)
	}
	for _, area := range []string{"leeds", "LEEDS", "  Leeds", "west yorkshire", "LS6", "ls7", "Headingley", "bradford", "ls", "", "yorkshire"} {
		f := directory.ProviderFilter{Area: area}
		want := area == "" || slices.Contains(keys, strings.ToLower(strings.TrimSpace(area)))
		if got := f.Matches(&p); got != want {
			t.Errorf("area %q: Matches = %v, want %v", area, got, want)
		}
	}
}
