package web_test

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"
)

// apiCall sends a JSON request to the API beside the pages.
func apiCall(t *testing.T, base, method, path, token string, body, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		_ = json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// TestSavedShortlistPageShowsNoExplanations: the page a client opens with
// their code shows the providers and their own facts, never what the match
// said about the client's needs.
func TestSavedShortlistPageShowsNoExplanations(t *testing.T) {
	srv := newServer(t)
	var tok struct {
		Token string `json:"token"`
	}
	if st := apiCall(t, srv.URL, "POST", "/v1/admin/tokens", testAdminToken, map[string]string{"role": "adviser", "name": "Adviser"}, &tok); st != http.StatusCreated {
		t.Fatalf("adviser token: %d", st)
	}
	query := map[string]any{"location": map[string]any{"postcode": "LS11"},
		"needs": map[string]any{"health_conditions": []string{"epilepsy", "mental_health"}, "support": []string{"job_search"}, "employer_may_know": false}}
	var res struct {
		Results []struct {
			Explanation struct {
				Met       []string `json:"met"`
				PartlyMet []string `json:"partly_met"`
				NotMet    []string `json:"not_met"`
			} `json:"explanation"`
		} `json:"results"`
	}
	if st := apiCall(t, srv.URL, "POST", "/v1/match", "", query, &res); st != http.StatusOK {
		t.Fatalf("match: %d", st)
	}
	var explained []string
	for _, r := range res.Results {
		explained = append(append(append(explained, r.Explanation.Met...), r.Explanation.PartlyMet...), r.Explanation.NotMet...)
	}
	if len(explained) == 0 {
		t.Fatal("the match explains nothing: the test would prove nothing")
	}
	var sl struct {
		Code string `json:"code"`
	}
	if st := apiCall(t, srv.URL, "POST", "/v1/shortlists", tok.Token, map[string]any{"query": query}, &sl); st != http.StatusCreated {
		t.Fatalf("save: %d", st)
	}
	p := get(t, srv.URL, "/shortlists/"+sl.Code)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Providers you could contact") {
		t.Fatalf("saved shortlist page: %d", p.status)
	}
	body := html.UnescapeString(p.body)
	for _, text := range explained {
		if strings.Contains(body, text) {
			t.Errorf("saved shortlist page shows the explanation %q", text)
		}
	}
}

// TestProviderPageSaysWhoConfirmedByKind: the provider page says whether
// the provider or the directory team confirmed the listing, never the name
// of whoever did (a token's name, or a person's in older records).
func TestProviderPageSaysWhoConfirmedByKind(t *testing.T) {
	srv := newServer(t)
	// Aire Valley's seed record holds "provider (self-service)", the
	// older free-text form.
	p := get(t, srv.URL, aireValleyURL)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Confirmed by the provider") || strings.Contains(p.body, "self-service") {
		t.Fatalf("before: %d, page does not say the provider confirmed it, or repeats the stored text", p.status)
	}
	const tokenName = "Ed P2"
	var tok struct {
		Token string `json:"token"`
	}
	if st := apiCall(t, srv.URL, "POST", "/v1/admin/tokens", testAdminToken,
		map[string]string{"role": "provider_editor", "name": tokenName, "provider_id": aireValleyID}, &tok); st != http.StatusCreated {
		t.Fatalf("editor token: %d", st)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/v1/providers/"+aireValleyID, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	req, _ = http.NewRequest("POST", srv.URL+"/v1/providers/"+aireValleyID+"/verify", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("If-Match", res.Header.Get("ETag"))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("verify: %d", res.StatusCode)
	}
	p = get(t, srv.URL, aireValleyURL)
	if !strings.Contains(p.body, "Confirmed by the provider") || strings.Contains(html.UnescapeString(p.body), tokenName) {
		t.Fatalf("after the editor verified, the page does not say the provider confirmed it, or names the token")
	}
}
