package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// FuzzMatchRequest posts arbitrary bodies to /v1/match: every answer is a
// JSON 200 or 4xx (never a 5xx), and a 4xx names what was wrong.
func FuzzMatchRequest(f *testing.F) {
	for _, s := range []string{
		`{"location":{"postcode":"LS1 5AB"},"needs":{"support":["job_search"]}}`,
		`{"location":{"lat":53.8,"lon":-1.55},"page":2,"per_page":1}`,
		`{"location":{"town":"Leeds"},"needs":{"employer_may_know":false,"max_travel_km":10}}`,
		`{"location":{"postcode":"ZZ9 9ZZ"}}`, `{"location":{}}`, `[]`, `null`, `{"needs":{"x":1}}`,
	} {
		f.Add([]byte(s))
	}
	store := mongotest.Store(f)
	p := storetest.Provider("Fuzz Works")
	if err := store.CreateProvider(context.Background(), &p); err != nil {
		f.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	fd, err := finder.Open(context.Background(), finder.Config{Store: store, IndexDir: f.TempDir(), Logger: quiet})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = fd.Close() })
	h := api.New(api.Config{Store: store, Finder: fd, Logger: quiet})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/v1/match", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%d for %q: %s", w.Code, body, w.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("not JSON (%d): %s", w.Code, w.Body)
		}
		if w.Code >= 400 && (out["code"] == nil || out["message"] == nil) {
			t.Fatalf("%d without code and message: %s", w.Code, w.Body)
		}
	})
}
