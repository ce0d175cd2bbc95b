package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/seed"
)

// TestGenWritesALoadableSeedDirectory runs gen and loads its output with
// seed.Load, which validates every record and rejects repeated ids.
func TestGenWritesALoadableSeedDirectory(t *testing.T) {
	env := map[string]string{"BROKERFINDER_SEED_DIR": "../../seed"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "synthetic")
	args := []string{"gen", "--providers", "2000", "--seed", "5", "--out", dir}

	var out bytes.Buffer
	if err := run(ctx, args, getenv, &out, io.Discard); err != nil {
		t.Fatalf("gen: %v", err)
	}
	if !strings.Contains(out.String(), "2000 providers in 2 files") {
		t.Errorf("summary %q does not report 2000 providers in 2 files", out.String())
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if want := []string{"providers-00001.json", "providers-00002.json"}; len(names) != 2 ||
		filepath.Base(names[0]) != want[0] || filepath.Base(names[1]) != want[1] {
		t.Fatalf("files %v, want %v", names, want)
	}
	ps, err := seed.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("seed.Load rejects gen's output: %v", err)
	}
	if len(ps) != 2000 {
		t.Fatalf("loaded %d providers, want 2000", len(ps))
	}
	first, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}

	if err := run(ctx, args, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("gen into a non-empty directory without --force: %v, want a refusal naming --force", err)
	}
	// --force replaces earlier output, leaving no stale files, and the same
	// seed writes the same bytes.
	args = []string{"gen", "--providers", "500", "--seed", "5", "--out", dir, "--force"}
	if err := run(ctx, args, getenv, io.Discard, io.Discard); err != nil {
		t.Fatalf("gen --force: %v", err)
	}
	names, _ = filepath.Glob(filepath.Join(dir, "*.json"))
	if len(names) != 1 {
		t.Fatalf("after gen --force of 500: files %v, want one", names)
	}
	again, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(first, again[:len(again)-3]) {
		t.Error("the first 500 providers differ between runs with the same seed")
	}

	if err := run(ctx, []string{"gen", "--providers", "10"}, getenv, io.Discard, io.Discard); err == nil {
		t.Error("gen without --out: want an error")
	}
}
