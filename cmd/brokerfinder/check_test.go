package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/index"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestReindexAndCheckOffline: check reports a missing index and then a
// store written behind the index's back, difference by difference; reindex
// brings it back in step; both refuse an index a server holds.
func TestReindexAndCheckOffline(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	env := map[string]string{"BROKERFINDER_DATA_DIR": data, "BROKERFINDER_SEED_DIR": "../../seed", "BROKERFINDER_LOG_LEVEL": "warn"}
	getenv := func(k string) string { return env[k] }
	cmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, getenv, &out, io.Discard)
		return out.String(), err
	}
	if out, err := cmd("seed"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := cmd("check")
	if err == nil || !strings.Contains(out, "none usable") {
		t.Fatalf("check with no index: %v\n%s", err, out)
	}
	out, err = cmd("reindex")
	if err != nil || !regexp.MustCompile(`^reindex: [1-9]\d* providers indexed in \d+\.\d s\n$`).MatchString(out) {
		t.Fatalf("reindex: %v\n%q", err, out)
	}
	if out, err = cmd("check"); err != nil || !strings.Contains(out, "in step with the store") || !strings.HasSuffix(out, "check: no differences\n") {
		t.Fatalf("check after reindex: %v\n%s", err, out)
	}

	// A write the index never heard of (no server was running).
	e, err := mongodb.StartEmbedded(ctx, data, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	store, err := mongodb.Open(ctx, e.URI(), "brokerfinder")
	if err != nil {
		t.Fatal(err)
	}
	p := storetest.Provider("Written Behind The Index")
	if err := store.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	_ = store.Close(ctx)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	out, err = cmd("check")
	if err == nil || !strings.Contains(err.Error(), "3 differences") {
		t.Fatalf("check after a missed write: %v, want 3 differences\n%s", err, out)
	}
	for _, want := range []string{"  index: missing " + p.ID + " (the store has version 1)\n", "  index: holds ", "  index: fingerprint "} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if _, err := cmd("reindex"); err != nil {
		t.Fatal(err)
	}
	if out, err = cmd("check"); err != nil {
		t.Fatalf("check after the second reindex: %v\n%s", err, out)
	}

	// A server (here, anything) holding the index: both refuse, and say why.
	ix, err := index.OpenExisting(filepath.Join(data, "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, c := range []string{"reindex", "check"} {
		if _, err := cmd(c); err == nil || !strings.Contains(err.Error(), "held by another process") {
			t.Errorf("%s on a held index: %v, want a refusal naming the cause", c, err)
		}
	}
}

// TestCheckOnline: replicas sharing a store are in step; a replica of
// another store is reported with its differences.
func TestCheckOnline(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers")
	}
	ctx := context.Background()
	e, err := mongodb.StartEmbedded(ctx, t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	replica := func(db string) string {
		base, _ := startRun(t, map[string]string{
			"BROKERFINDER_DATA_DIR": t.TempDir(), "BROKERFINDER_SEED_DIR": "../../seed",
			"BROKERFINDER_MONGODB_URI": e.URI(), "BROKERFINDER_MONGODB_DATABASE": db,
			"BROKERFINDER_ADMIN_TOKEN": testToken, "BROKERFINDER_RATE_LIMIT": "0",
		})
		return base
	}
	a := replica("shared")
	b := replica("shared")
	other := replica("other")
	added := postProvider(t, a, storetest.Provider("Online Check Works"))
	postProvider(t, other, storetest.Provider("Only Elsewhere"))

	env := map[string]string{"BROKERFINDER_ADMIN_TOKEN": testToken}
	check := func(urls ...string) (string, error) {
		var args []string
		for _, u := range urls {
			args = append(args, "--url", u)
		}
		var out bytes.Buffer
		err := run(ctx, append([]string{"check"}, args...), func(k string) string { return env[k] }, &out, io.Discard)
		return out.String(), err
	}
	out, err := check(a, b)
	if err != nil || strings.Count(out, "in step with the store") != 2 {
		t.Fatalf("check of two replicas in step: %v\n%s", err, out)
	}
	out, err = check(a, other)
	if err == nil || !strings.Contains(out, "replica "+other) || !strings.Contains(out, "  index: missing "+added.ID) || !strings.Contains(out, "  catalogue: missing "+added.ID) || !strings.Contains(out, "  index: extra ") {
		t.Fatalf("check of a replica of another store: %v\n%s", err, out)
	}
	env["BROKERFINDER_ADMIN_TOKEN"] = ""
	if _, err := check(a); err == nil || !strings.Contains(err.Error(), "BROKERFINDER_ADMIN_TOKEN") {
		t.Fatalf("check --url without a token: %v", err)
	}
}
