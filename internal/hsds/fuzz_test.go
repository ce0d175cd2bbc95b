package hsds_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/hsds"
)

// FuzzImport feeds arbitrary bytes to the ORUK importer: it must never
// panic, and whatever it accepts must be valid providers.
func FuzzImport(f *testing.F) {
	for _, seed := range []string{
		`{"services":[]}`, `[]`, `{}`, `{"contents":[{"id":"x"}]}`, `{"id":"1","name":"n","status":"active"}`,
		`{"services":[{"id":"c0f6a2b4-1d2e-4f3a-9b8c-7d6e5f4a3b2c","name":"Works","status":"active","organization":{"id":"d0f6a2b4-1d2e-4f3a-9b8c-7d6e5f4a3b2c","name":"Org"}}]}`,
	} {
		f.Add([]byte(seed))
	}
	// The profile's own examples.
	files, _ := filepath.Glob("testdata/oruk/examples/*.json")
	if len(files) == 0 {
		f.Fatal("no ORUK examples in testdata/oruk/examples")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := hsds.Import(data)
		if err != nil {
			return
		}
		for i := range imp.Providers {
			p := imp.Providers[i]
			p.Normalize()
			if err := p.Validate(); err != nil {
				t.Fatalf("Import accepted an invalid provider %d: %v", i, err)
			}
		}
	})
}
