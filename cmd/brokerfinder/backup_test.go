package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupExportImport: a store's backup restored into an empty data
// directory backs up again to the same documents, serves, and a second
// restore into the now-full store is refused.
func TestBackupExportImport(t *testing.T) {
	ctx := context.Background()
	envA := map[string]string{"BROKERFINDER_DATA_DIR": t.TempDir(), "BROKERFINDER_SEED_DIR": "../../seed", "BROKERFINDER_LOG_LEVEL": "warn"}
	envB := map[string]string{"BROKERFINDER_DATA_DIR": t.TempDir(), "BROKERFINDER_SEED_DIR": "../../seed", "BROKERFINDER_LOG_LEVEL": "warn"}
	cmd := func(env map[string]string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, func(k string) string { return env[k] }, &out, io.Discard)
		return out.String(), err
	}
	if out, err := cmd(envA, "seed"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	if out, err := cmd(envA, "token", "create", "--name", "ops"); err != nil {
		t.Fatalf("token: %v\n%s", err, out)
	}
	dir := t.TempDir()
	fileA, fileB := filepath.Join(dir, "a.backup"), filepath.Join(dir, "b.backup")
	out, err := cmd(envA, "export", "--format", "backup", fileA)
	if err != nil || !strings.Contains(out, "providers ") || !strings.Contains(out, "tokens 1") {
		t.Fatalf("export: %v\n%s", err, out)
	}
	out, err = cmd(envB, "import", "--format", "backup", fileA)
	if err != nil || !strings.Contains(out, "restored ") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if out, err := cmd(envB, "export", "--format", "backup", fileB); err != nil {
		t.Fatalf("export of the restored store: %v\n%s", err, out)
	}
	a, b := readFile(t, fileA), readFile(t, fileB)
	// The header names the time of the backup; everything after it (every
	// document of every collection) must be the same.
	if !bytes.Equal(afterHeader(a), afterHeader(b)) {
		x, y := afterHeader(a), afterHeader(b)
		i := 0
		for i < len(x) && i < len(y) && x[i] == y[i] {
			i++
		}
		t.Fatalf("the restored store backs up differently: %d and %d bytes after the header, first difference at %d:\n%q\n%q", len(x), len(y), i, x[max(0, i-200):min(len(x), i+60)], y[max(0, i-200):min(len(y), i+60)])
	}
	if out, err := cmd(envB, "token", "list"); err != nil || !strings.Contains(out, "ops") {
		t.Fatalf("token list after restore: %v\n%s", err, out)
	}
	if out, err := cmd(envB, "reindex"); err != nil {
		t.Fatalf("reindex after restore: %v\n%s", err, out)
	}
	if out, err := cmd(envB, "check"); err != nil {
		t.Fatalf("check after restore: %v\n%s", err, out)
	}
	if _, err := cmd(envB, "import", "--format", "backup", fileA); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("import into a store with data: %v, want a refusal", err)
	}
	if _, err := cmd(envB, "import", "--format", "backup", "http://example.invalid/x"); err == nil {
		t.Fatal("import of a backup from a URL: want a refusal")
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// afterHeader drops a backup's first document.
func afterHeader(b []byte) []byte {
	if len(b) < 4 {
		return nil
	}
	return b[binary.LittleEndian.Uint32(b):]
}
