package web_test

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
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/web"
)

// Hostile text a provider record might carry; every page must show it as
// text.
const (
	hostileScript = `<script>alert(1)</script>`
	hostileAttr   = `"><img src=x onerror=alert(1)>`
	hostileID     = "0badc0de-0000-4000-8000-000000000001"
	aireValleyID  = "2c74d1d5-4f78-41c0-89be-041d2ac9ff5e"
	aireValleyURL = "/providers/aire-valley-work-partners-" + aireValleyID
)

// saved is a shortlist an adviser saved; newServer stores it (the store
// sets its code and its 30 days).
var saved = directory.Shortlist{
	District: "LS6", Total: 2, ChosenProviderID: aireValleyID, Note: "Aire Valley can visit at home; ask about the Tuesday group.",
	Items: []directory.ShortlistItem{{ProviderID: aireValleyID, Name: "Aire Valley Work Partners", Rank: 1}, {ProviderID: hostileID, Name: "Hostile", Rank: 2}},
}

// newServer serves the API and the pages over the seed directory plus one
// provider with hostile text in Leeds, as serve does.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	return newServerAt(t, nil)
}

// newServerAt is newServer with the pages' clock set to now.
func newServerAt(t *testing.T, now func() time.Time) *httptest.Server {
	t.Helper()
	return newServerWith(t, now, nil)
}

// newServerWith is newServerAt with the handler wrapped by wrap (when not
// nil), to watch what reaches the server.
func newServerWith(t *testing.T, now func() time.Time, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	store := mongotest.Store(t)
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	var hostile directory.Provider
	for _, p := range ps {
		if p.ID == aireValleyID {
			hostile = p
		}
	}
	hostile.ID = hostileID
	hostile.Name = "Hostile " + hostileScript + " " + hostileAttr + " Works"
	hostile.Summary = "We " + hostileAttr + " help " + hostileScript
	hostile.Sites = append([]directory.Site(nil), hostile.Sites...)
	for i := range hostile.Sites {
		hostile.Sites[i].ID = ""
		hostile.Sites[i].Name = "Site " + hostileScript
	}
	hostile.Organisation.Website = "javascript:alert(1)"
	ps = append(ps, hostile)
	if _, err := service.New(service.Config{Store: store}).ImportProviders(context.Background(), ps, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateShortlist(context.Background(), &saved); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f, err := finder.Open(context.Background(), finder.Config{Store: store, IndexDir: t.TempDir(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	svc := service.New(service.Config{Store: store, Finder: f, Logger: logger, Now: now})
	h := api.New(api.Config{Store: store, Finder: f, Service: svc, Logger: logger, AdminToken: testAdminToken,
		Mounts: []api.Mount{web.Routes(web.Config{Finder: f, Service: svc, Shortlists: store, Logger: logger, Now: now})}})
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
