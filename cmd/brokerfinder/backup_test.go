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
	// The restored store holds every document of the backup, and one more:
	// the audit entry of the restore itself. (The header names the time of
	// the backup, and the trailer counts, so both are left out.)
	docsA, docsB := documents(t, a), documents(t, b)
	extra := map[string]int{}
	for _, d := range docsB[1 : len(docsB)-1] {
		extra[string(d)]++
	}
	for _, d := range docsA[1 : len(docsA)-1] {
		if extra[string(d)] == 0 {
			t.Fatalf("a document of the backup is missing from the restored store: %q", d[:min(len(d), 200)])
		}
		extra[string(d)]--
	}
	var added []string
	for d, n := range extra {
		for range n {
			added = append(added, d)
		}
	}
	if len(added) != 1 || !strings.Contains(added[0], "store.restore") || !strings.Contains(added[0], "brokerfinder import --format backup") {
		t.Fatalf("the restored store adds %d documents, want just the restore's audit entry: %q", len(added), added)
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

// documents splits a backup into its BSON documents, in order.
func documents(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			t.Fatalf("backup ends inside a document's length")
		}
		n := int(binary.LittleEndian.Uint32(b))
		if n < 5 || n > len(b) {
			t.Fatalf("backup has a document of %d bytes with %d left", n, len(b))
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	if len(out) < 2 {
		t.Fatalf("backup has %d documents, want a header and a trailer at least", len(out))
	}
	return out
}
