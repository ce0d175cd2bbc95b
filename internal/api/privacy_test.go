package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// TestShortlistRevealsNothingAboutTheClient saves a shortlist from a match
// with health needs and checks that nothing derived from those needs can be
// read with its code, that other sites cannot read it, that its code never
// reaches the log, and that once expired it is deleted.
func TestShortlistRevealsNothingAboutTheClient(t *testing.T) {
	w := newWorkflowEnv(t)
	query := map[string]any{"location": map[string]any{"postcode": "LS1 5AB"},
		"needs": map[string]any{"health_conditions": []string{"epilepsy", "mental_health"}, "support": []string{"job_search"},
			"employer_may_know": false, "avoid_groups": true}}
	// What the match explains, from the client's needs.
	var res match.Result
	w.do("POST", "/v1/match", query).json(t, &res)
	var explained []string
	for _, r := range res.Results {
		explained = append(explained, r.Explanation.Met...)
		explained = append(explained, r.Explanation.PartlyMet...)
		explained = append(explained, r.Explanation.NotMet...)
	}
	if len(explained) == 0 {
		t.Fatal("the match explains nothing: the test would prove nothing")
	}

	r := w.as(adviser, "POST", "/v1/shortlists", map[string]any{"query": query, "note": "Near the bus"})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var sl directory.Shortlist
	r.json(t, &sl)
	pub := w.do("GET", "/v1/shortlists/"+sl.Code, nil, "Origin", "https://elsewhere.example")
	if pub.status != http.StatusOK {
		t.Fatalf("open: %d %s", pub.status, pub.body)
	}
	for name, body := range map[string]string{"saved": string(r.body), "opened": string(pub.body)} {
		for _, text := range explained {
			if strings.Contains(body, text) {
				t.Errorf("%s shortlist holds the explanation %q: %s", name, text, body)
			}
		}
		for _, key := range []string{`"met"`, `"not_met"`, `"partly_met"`, `"score"`, "epilepsy", "mental_health"} {
			if strings.Contains(body, key) {
				t.Errorf("%s shortlist holds %s: %s", name, key, body)
			}
		}
	}
	if got := pub.header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("shortlist readable from other sites: Access-Control-Allow-Origin %q", got)
	}
	logs := w.logs.String()
	if !strings.Contains(logs, "/v1/shortlists/:code") {
		t.Errorf("the request log does not name the route: %s", logs)
	}
	if strings.Contains(logs, sl.Code) || strings.Contains(strings.ToUpper(logs), sl.Code) {
		t.Errorf("the log holds the shortlist code %s: %s", sl.Code, logs)
	}

	// Expired, it is deleted, not kept behind a 410.
	n, err := w.store.DeleteExpiredShortlists(context.Background(), sl.ExpiresAt.Add(time.Second))
	if err != nil || n < 1 {
		t.Fatalf("sweep deleted %d: %v", n, err)
	}
	if _, err := w.store.Shortlist(context.Background(), sl.Code); err == nil {
		t.Fatal("expired shortlist still in the store after the sweep")
	}
	if r := w.do("GET", "/v1/shortlists/"+sl.Code, nil); r.status != http.StatusNotFound {
		t.Fatalf("expired and swept: %d", r.status)
	}
}
