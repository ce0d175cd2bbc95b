package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
)

// defaultLimits is the API with the service's default rate limits and the
// given clock (nil: the real one).
func defaultLimits(now func() time.Time) api.Config {
	return api.Config{
		RateLimit: api.DefaultRateLimit, RateBurst: api.DefaultRateBurst,
		ReadRateLimit: api.DefaultReadRateLimit, ReadRateBurst: api.DefaultReadRateBurst,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now,
	}
}

// validatorPaths are the requests the ORUK validator makes of one API: the
// root, pages of each list endpoint and up to ten records of each (55 in
// all). The ids need not exist: a 404 costs the client as much allowance as
// a record.
func validatorPaths() []string {
	paths := []string{"/oruk/"}
	for _, ep := range []string{"services", "taxonomies", "taxonomy_terms", "service_at_locations"} {
		for pg := 1; pg <= 3; pg++ {
			paths = append(paths, fmt.Sprintf("/oruk/%s?page=%d", ep, pg))
		}
		for i := range 10 {
			paths = append(paths, fmt.Sprintf("/oruk/%s/00000000-0000-5000-8000-%012d", ep, i))
		}
	}
	paths = append(paths, "/oruk/services?per_page=1", "/oruk/taxonomy_terms?per_page=1")
	return paths
}

// TestDefaultLimitsLetTheORUKValidatorThrough: the validator's burst (55
// requests, five at a time, as fast as it can) from one address gets no 429
// under the default limits.
func TestDefaultLimitsLetTheORUKValidatorThrough(t *testing.T) {
	h := api.New(defaultLimits(nil))
	srv := httptest.NewServer(h)
	defer srv.Close()
	paths := validatorPaths()
	if len(paths) != 55 {
		t.Fatalf("%d requests, want the validator's 55", len(paths))
	}
	work := make(chan string)
	var refused atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				res, err := http.Get(srv.URL + p)
				if err != nil {
					t.Error(err)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusTooManyRequests {
					refused.Add(1)
				}
			}
		}()
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	wg.Wait()
	if n := refused.Load(); n > 0 {
		t.Fatalf("%d of %d validator requests got 429", n, len(paths))
	}
}

// TestHammeringIsLimited: one address hammering, with the clock standing
// still, is refused with 429 and Retry-After as soon as its burst is spent,
// for reads and for matches, and its reads do not spend its matches.
func TestHammeringIsLimited(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	srv := httptest.NewServer(api.New(defaultLimits(func() time.Time { return now })))
	defer srv.Close()
	do := func(method, path string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for _, tc := range []struct {
		name, method, path string
		burst              int
	}{
		{"reads", "GET", "/oruk/services", api.DefaultReadRateBurst},
		{"matches", "POST", "/v1/match", api.DefaultRateBurst},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.burst {
				if res := do(tc.method, tc.path); res.StatusCode == http.StatusTooManyRequests {
					t.Fatalf("request %d of a burst of %d refused", i+1, tc.burst)
				}
			}
			for range 5 {
				res := do(tc.method, tc.path)
				if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" {
					t.Fatalf("past the burst: %d, Retry-After %q; want 429 and 1", res.StatusCode, res.Header.Get("Retry-After"))
				}
			}
		})
	}
	now = now.Add(time.Second)
	if res := do("GET", "/oruk/services"); res.StatusCode == http.StatusTooManyRequests {
		t.Fatal("a second later a read is still refused")
	}
}
