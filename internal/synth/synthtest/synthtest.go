// Package synthtest gives tests and benchmarks synthetic directories of a
// given size over real UK postcode districts, generated once per process.
package synthtest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

var (
	mu     sync.Mutex
	cached = map[int][]directory.Provider{}
	dists  []synth.District
)

// Districts returns the postcode districts directories are spread over:
// ../shared/geo/outcodes.csv when it is beside the project (test and
// benchmark data only), else the seed directory's districts.
func Districts(tb testing.TB) []synth.District {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	return districtsLocked(tb)
}

func districtsLocked(tb testing.TB) []synth.District {
	if dists != nil {
		return dists
	}
	root, err := projectRoot()
	if err != nil {
		tb.Fatal(err)
	}
	if f, err := os.Open(filepath.Join(root, "..", "shared", "geo", "outcodes.csv")); err == nil {
		defer f.Close()
		ds, err := synth.LoadDistricts(f)
		if err != nil {
			tb.Fatal(err)
		}
		dists = ds
		return dists
	}
	ps, err := seed.Load(os.DirFS(filepath.Join(root, "seed")))
	if err != nil {
		tb.Fatal(err)
	}
	dists = synth.SeedDistricts(ps)
	return dists
}

// Directory returns n synthetic providers (seed 1), the same every call.
// Callers must not change them.
func Directory(tb testing.TB, n int) []directory.Provider {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if ps, ok := cached[n]; ok {
		return ps
	}
	ps, err := synth.Generate(synth.Options{Providers: n, Seed: 1, Districts: districtsLocked(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	cached[n] = ps
	return ps
}

// projectRoot finds the directory holding go.mod, walking up from the
// working directory (a package's directory under go test).
func projectRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("synthtest: no go.mod above the working directory")
		}
		dir = parent
	}
}
