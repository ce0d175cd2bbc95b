package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestStoreOutage stops the store under a running API: search, match and
// provider reads keep answering from the catalogue; writes get 503 with
// Retry-After; readiness says degraded; and when the store is back, all of
// it recovers without a restart.
func TestStoreOutage(t *testing.T) {
	if os.Getenv("BROKERFINDER_TEST_MONGODB_URI") != "" {
		t.Skip("stops and restarts an embedded server of its own")
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	emb, err := mongodb.StartEmbedded(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	store, err := mongodb.Open(ctx, emb.URI(), "outage")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	p := storetest.Provider("Kestrel Employment")
	if err := store.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	f, err := finder.Open(ctx, finder.Config{Store: store, Changes: store, PollInterval: 200 * time.Millisecond, IndexDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	srv := httptest.NewServer(contract(t, api.New(api.Config{Store: store, Finder: f, AdminToken: adminToken, Logger: quiet})))
	defer srv.Close()
	e := &env{t: t, srv: srv}

	if err := emb.Close(); err != nil {
		t.Fatal(err)
	}
	if r := e.do("GET", "/v1/search?q=kestrel", nil); r.status != 200 {
		t.Fatalf("search during the outage: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/v1/match", `{"location":{"postcode":"LS1 5AB"}}`); r.status != 200 {
		t.Fatalf("match during the outage: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/v1/providers/"+p.ID, nil); r.status != 200 || r.header.Get("ETag") != `"1"` {
		t.Fatalf("provider read during the outage: %d %s", r.status, r.body)
	}
	r := e.do("POST", "/v1/providers", storetest.Provider("Written in the outage"), auth...)
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Fatalf("write during the outage: %d (Retry-After %q) %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	if r := e.do("GET", "/readyz", nil); r.status != http.StatusServiceUnavailable {
		t.Fatalf("readyz during the outage: %d %s", r.status, r.body)
	}

	emb, err = mongodb.StartEmbedded(ctx, dir, quiet) // same directory, same socket
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	deadline := time.Now().Add(20 * time.Second)
	for e.do("GET", "/readyz", nil).status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("not ready again within 20 s of the store coming back")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := e.do("POST", "/v1/providers", storetest.Provider("Written after the outage"), auth...); r.status != http.StatusCreated {
		t.Fatalf("write after the outage: %d %s", r.status, r.body)
	}
	var res api.SearchResponse
	e.do("GET", "/v1/search?q=after+outage", nil).json(t, &res)
	if res.Total != 1 {
		t.Fatalf("write after the outage not searchable: %d", res.Total)
	}
}
