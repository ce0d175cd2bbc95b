package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
)

// TestORUKCORSOnEveryAnswer: a browser on another site reads /oruk, so every
// answer under it carries Access-Control-Allow-Origin, including the ones
// the router makes itself (redirects, 404, 405); routes that carry personal
// data never do, not even their 404s and 405s.
func TestORUKCORSOnEveryAnswer(t *testing.T) {
	h := api.New(api.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tc := range []struct {
		name, method, path string
		status             int
		cors               bool
	}{
		{"base URL without slash is answered, not redirected", "GET", "/oruk", http.StatusOK, true},
		{"base URL", "GET", "/oruk/", http.StatusOK, true},
		{"preflight of the base URL", "OPTIONS", "/oruk", http.StatusNoContent, true},
		{"trailing-slash redirect", "GET", "/oruk/services/", http.StatusMovedPermanently, true},
		{"unknown path", "GET", "/oruk/no-such-thing", http.StatusNotFound, true},
		{"method not allowed", "POST", "/oruk/services", http.StatusMethodNotAllowed, true},
		{"match never", "POST", "/v1/match", 0, false},
		{"match's 405 never", "GET", "/v1/match", http.StatusMethodNotAllowed, false},
		{"unknown API path never", "GET", "/v1/no-such-thing", http.StatusNotFound, false},
		{"referrals never", "GET", "/v1/referrals", http.StatusUnauthorized, false},
		{"a path that only starts like oruk never", "GET", "/orukfoo", http.StatusNotFound, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Origin", "https://elsewhere.example")
			res, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if tc.status != 0 && res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
			got := res.Header.Get("Access-Control-Allow-Origin")
			if tc.cors && got != "*" {
				t.Errorf("Access-Control-Allow-Origin %q, want *", got)
			}
			if !tc.cors && got != "" {
				t.Errorf("Access-Control-Allow-Origin %q on a route that must not have it", got)
			}
		})
	}
}
