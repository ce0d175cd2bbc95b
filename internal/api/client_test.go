package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestExposureCountsClientsNotRequests: one address repeating a match a
// thousand times raises each provider's shown by one; a second address by
// one more; the same address the next day counts again. The report says
// how counts are made and holds no address.
func TestExposureCountsClientsNotRequests(t *testing.T) {
	store := mongotest.Store(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f, err := finder.Open(context.Background(), finder.Config{Store: store, IndexDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	var skew atomic.Int64
	h := api.New(api.Config{Store: store, Finder: f, AdminToken: adminToken, Logger: quiet,
		TrustedProxies: []string{"127.0.0.1/32", "::1/128"},
		Now:            func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: store}
	a, b := e.create(storetest.Provider("Aire Works")), e.create(storetest.Provider("Bramley Bridge"))

	match := func(addr string, n int) {
		t.Helper()
		for range n {
			if r := e.do("POST", "/v1/match", matchQuery, "X-Forwarded-For", addr); r.status != http.StatusOK {
				t.Fatalf("match from %s: %d %s", addr, r.status, r.body)
			}
		}
	}
	check := func(step string, want int64) {
		t.Helper()
		r := e.do("GET", "/v1/admin/exposure?area=LS1", nil, auth...)
		var rep api.ExposureReport
		r.json(t, &rep)
		got := map[string][2]int64{}
		for _, it := range rep.Items {
			got[it.ProviderID] = [2]int64{it.Shown, it.Top3}
		}
		for _, id := range []string{a.ID, b.ID} {
			if got[id] != [2]int64{want, want} {
				t.Errorf("%s: provider %s shown and top3 %v, want %d each", step, id, got[id], want)
			}
		}
		if !strings.Contains(string(r.body), `"counting":"Counts are of distinct clients a day`) {
			t.Errorf("%s: the report does not say how counts are made: %s", step, r.body)
		}
		if strings.Contains(string(r.body), "192.0.2.") || strings.Contains(string(r.body), "2001:db8") {
			t.Errorf("%s: the report holds a client address: %s", step, r.body)
		}
	}
	match("192.0.2.1", 1000)
	check("1,000 matches from one address", 1)
	match("192.0.2.2", 3)
	check("a second address", 2)
	match("192.0.2.1", 5)
	check("the first address again", 2)
	skew.Store(int64(24 * time.Hour))
	match("192.0.2.1", 5)
	check("the first address the next day", 3)
	// An IPv6 client holds a whole /64: its addresses count as one.
	match("2001:db8:1:2::1", 2)
	match("2001:db8:1:2:ffff::9", 2)
	check("two addresses in one IPv6 /64", 4)
	match("2001:db8:1:3::1", 1)
	check("another /64", 5)
}
