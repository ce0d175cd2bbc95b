package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

const testAdminToken = "web-test-admin-token"

// TestResultsPageRecordsExposure: the public page, the channel most
// clients use, counts what it shows in the fairness reports, as the API's
// matches do.
func TestResultsPageRecordsExposure(t *testing.T) {
	srv := newServer(t)
	if r := post(t, srv.URL, "/results", url.Values{"where": {"LS11"}, "help": {"cv"}}); r.status != http.StatusOK {
		t.Fatalf("results: %d", r.status)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/v1/admin/exposure?area=LS11", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var rep struct {
		Items []struct {
			ProviderID string `json:"provider_id"`
			Shown      int64  `json:"shown"`
		} `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil || res.StatusCode != 200 {
		t.Fatalf("exposure report: %d %v", res.StatusCode, err)
	}
	if len(rep.Items) == 0 {
		t.Fatal("a search on the public page recorded no exposure")
	}
	for _, it := range rep.Items {
		if it.Shown != 1 {
			t.Errorf("provider %s shown %d times after one search, want 1", it.ProviderID, it.Shown)
		}
	}
}
