package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

// genFileSize is the most providers written to one file.
const genFileSize = 1000

// genCmd writes a synthetic directory (internal/synth) as a seed directory,
// for benchmarks and load tests: JSON arrays of at most genFileSize
// providers in providers-00001.json, providers-00002.json, ...
func genCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", stderr)
	n := fs.Int("providers", 1000, "how many providers to generate")
	seedN := fs.Int64("seed", 1, "random seed: the same seed gives the same directory")
	out := fs.String("out", "", "directory to write (required; created if missing)")
	districtsCSV := fs.String("districts", "", "CSV of postcode districts (postcode, latitude, longitude[, city]); default: the districts of the seed directory")
	seedDir := fs.String("seed-dir", envOr(getenv, "BROKERFINDER_SEED_DIR", "./seed"), "seed directory whose districts are used without --districts (BROKERFINDER_SEED_DIR)")
	force := fs.Bool("force", false, "write into a non-empty directory, replacing its providers-*.json files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("gen: --out is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("gen: unexpected argument %q", fs.Arg(0))
	}
	start := time.Now()

	districts, err := genDistricts(*districtsCSV, *seedDir)
	if err != nil {
		return err
	}
	if err := prepareOutDir(*out, *force); err != nil {
		return err
	}
	providers, err := synth.Generate(synth.Options{Providers: *n, Seed: *seedN, Districts: districts})
	if err != nil {
		return err
	}
	files := 0
	for lo := 0; lo < len(providers); lo += genFileSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		files++
		name := filepath.Join(*out, fmt.Sprintf("providers-%05d.json", files))
		if err := writeProviders(name, providers[lo:min(lo+genFileSize, len(providers))]); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "gen: %d providers in %d files under %s from %d districts (seed %d) in %.1fs\n",
		len(providers), files, *out, len(districts), *seedN, time.Since(start).Seconds())
	return nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// genDistricts loads districts from the CSV when given, else from the seed
// directory's site postcodes.
func genDistricts(csvPath, seedDir string) ([]synth.District, error) {
	if csvPath != "" {
		f, err := os.Open(csvPath)
		if err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		defer f.Close()
		return synth.LoadDistricts(f)
	}
	providers, err := seed.Load(os.DirFS(seedDir))
	if err != nil {
		return nil, fmt.Errorf("gen: districts from seed directory %s: %w", seedDir, err)
	}
	ds := synth.SeedDistricts(providers)
	if len(ds) == 0 {
		return nil, fmt.Errorf("gen: seed directory %s has no site postcodes to take districts from; give --districts", seedDir)
	}
	return ds, nil
}

// prepareOutDir creates dir, or checks it is empty. With force, a non-empty
// dir is accepted and its providers-*.json files (from an earlier run) are
// removed, so a smaller run leaves no stale files behind; nothing else is
// touched.
func prepareOutDir(dir string, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if !force {
		return fmt.Errorf("gen: %s is not empty; use --force to replace its providers-*.json files", dir)
	}
	old, err := filepath.Glob(filepath.Join(dir, "providers-*.json"))
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	return nil
}

// writeProviders writes one JSON array, a record per line: readable with
// grep and diff, and far smaller than indented JSON.
func writeProviders(name string, ps []directory.Provider) error {
	var buf bytes.Buffer
	buf.Grow(len(ps) * 3000)
	buf.WriteString("[\n")
	for i := range ps {
		b, err := json.Marshal(&ps[i])
		if err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		buf.Write(b)
		if i < len(ps)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]\n")
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return nil
}
