package load_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/load"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

// TestRun drives a fake server and checks every phase sends what it should,
// counts what it sent and reports failures.
func TestRun(t *testing.T) {
	var matches, searches, floors, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/healthz":
			floors.Add(1)
		case r.URL.Path == "/v1/match" && r.Method == http.MethodPost:
			var body struct {
				Location map[string]string `json:"location"`
				Needs    directory.Needs   `json:"needs"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Location["postcode"] == "" {
				bad.Add(1)
				w.WriteHeader(400)
				return
			}
			if strings.Contains(r.URL.RawQuery, "postcode") {
				bad.Add(1) // needs must never be in the URL
			}
			matches.Add(1)
		case r.URL.Path == "/v1/search" && r.URL.Query().Get("near") != "":
			if searches.Add(1)%10 == 0 {
				w.WriteHeader(500) // some failures to count
				return
			}
		default:
			bad.Add(1)
			w.WriteHeader(404)
			return
		}
		time.Sleep(200 * time.Microsecond)
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	res, err := load.Run(context.Background(), load.Config{
		BaseURL: srv.URL, Connections: 4, Requests: 200,
		Districts: []synth.District{{Code: "LS6", Lat: 53.8, Lon: -1.57}},
		Phases:    []string{"floor", "match", "search"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || floors.Load() != 200 || matches.Load() != 200 || searches.Load() != 200 || bad.Load() != 0 {
		t.Fatalf("phases %d; floor %d match %d search %d bad %d", len(res), floors.Load(), matches.Load(), searches.Load(), bad.Load())
	}
	for _, r := range res {
		if r.Requests != 200 || r.P50ms <= 0 || r.P99ms < r.P50ms || r.MaxMs < r.P99ms || r.Throughput <= 0 {
			t.Errorf("%s: %+v", r.Phase, r)
		}
	}
	if res[0].Errors != 0 || res[1].Errors != 0 || res[2].Errors != 20 || res[2].FirstError == "" {
		t.Fatalf("errors counted %d %d %d", res[0].Errors, res[1].Errors, res[2].Errors)
	}
	if res[1].P50xFloor <= 0 {
		t.Fatal("match phase has no ratio to the floor")
	}
	if _, err := load.Run(context.Background(), load.Config{BaseURL: srv.URL, Requests: 1, Districts: []synth.District{{Code: "LS6"}}, Phases: []string{"bogus"}}); err == nil {
		t.Fatal("an unknown phase must be an error")
	}
}
