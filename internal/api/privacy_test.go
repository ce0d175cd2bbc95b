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

// TestVerifiedByNamesTheKindNotTheToken: public records say who confirmed
// a listing by kind (the provider, the directory team), never by a token's
// or a person's name, which only the audit log keeps.
func TestVerifiedByNamesTheKindNotTheToken(t *testing.T) {
	w := newWorkflowEnv(t)
	pa := "/v1/providers/" + w.a.ID
	if r := w.as(editorA, "POST", pa+"/verify", nil, "If-Match", w.etagOf(pa)); r.status != http.StatusOK {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	stored, err := w.store.Provider(context.Background(), w.a.ID)
	if err != nil || stored.Freshness.VerifiedBy != directory.VerifiedByProvider {
		t.Fatalf("stored verified_by %q: %v", stored.Freshness.VerifiedBy, err)
	}
	// B was created by an admin with a name in verified_by ("test"), as
	// records confirmed before verified_by held a kind have.
	if w.b.Freshness.VerifiedBy == "" || w.b.Freshness.VerifiedBy == directory.VerifiedByDirectoryTeam {
		t.Fatalf("B's verified_by %q is not a name: the test would prove nothing", w.b.Freshness.VerifiedBy)
	}
	for _, tc := range []struct {
		path, id, want string
	}{
		{pa, w.a.ID, directory.VerifiedByProvider},
		{"/v1/providers/" + w.b.ID, w.b.ID, directory.VerifiedByDirectoryTeam},
	} {
		var got directory.Provider
		r := w.do("GET", tc.path, nil)
		r.json(t, &got)
		if got.Freshness.VerifiedBy != tc.want {
			t.Errorf("public %s verified_by %q, want %q", tc.path, got.Freshness.VerifiedBy, tc.want)
		}
	}
	var list struct {
		Items []directory.Provider `json:"items"`
	}
	w.do("GET", "/v1/providers", nil).json(t, &list)
	for _, p := range list.Items {
		if by := p.Freshness.VerifiedBy; by != directory.VerifiedByProvider && by != directory.VerifiedByDirectoryTeam {
			t.Errorf("public list: %s verified_by %q", p.ID, by)
		}
	}
	for _, path := range []string{pa, "/v1/providers", "/oruk/services", "/oruk/services/" + w.a.ID, "/v1/search?q=Aire"} {
		r := w.do("GET", path, nil)
		if strings.Contains(string(r.body), editorA) || strings.Contains(string(r.body), `"test"`) {
			t.Errorf("%s publishes a token's or person's name: %.400s", path, r.body)
		}
	}
	// Staff with a token read the stored record, so a PUT of what they read
	// changes nothing.
	var staff directory.Provider
	w.as(admin, "GET", "/v1/providers/"+w.b.ID, nil).json(t, &staff)
	if staff.Freshness.VerifiedBy != w.b.Freshness.VerifiedBy {
		t.Errorf("staff read verified_by %q, want the stored %q", staff.Freshness.VerifiedBy, w.b.Freshness.VerifiedBy)
	}
	// The audit names the token.
	var log struct {
		Items []directory.AuditEntry `json:"items"`
	}
	w.as(admin, "GET", "/v1/admin/audit?target_type=provider&target_id="+w.a.ID, nil).json(t, &log)
	found := false
	for _, e := range log.Items {
		if e.Action == "provider.verify" {
			found = e.Actor.Name == editorA && e.Actor.Role == directory.RoleProviderEditor
		}
	}
	if !found {
		t.Errorf("no provider.verify audit entry naming %s: %+v", editorA, log.Items)
	}
}
