package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// Every GET list follows one paging rule: per_page above 100 is cut to
// 100, per_page 0 or page 0 or past 10,000 is 400 naming it, and pages
// carry Link headers to their neighbours. POST /v1/match applies the same
// rule to its body.
func TestOnePagingModel(t *testing.T) {
	e, _ := newSeededEnv(t)
	auth := []string{"Authorization", "Bearer " + adminToken}
	lists := []string{
		"/v1/providers", "/v1/search", "/v1/referrals", "/v1/admin/audit", "/v1/admin/changes",
		"/oruk/services", "/oruk/service_at_locations", "/oruk/organizations", "/oruk/taxonomies", "/oruk/taxonomy_terms",
	}
	for _, path := range lists {
		t.Run(path, func(t *testing.T) {
			for _, bad := range []struct{ query, field string }{
				{"page=0", "page"}, {"page=10001", "page"}, {"page=x", "page"},
				{"per_page=0", "per_page"}, {"per_page=-1", "per_page"}, {"per_page=1.5", "per_page"},
			} {
				r := e.do("GET", path+"?"+bad.query, nil, auth...)
				if r.status != http.StatusBadRequest || !strings.Contains(strings.Join(r.errFields(t), ","), bad.field) {
					t.Errorf("?%s: %d %s, want 400 naming %s", bad.query, r.status, r.body, bad.field)
				}
			}
			r := e.do("GET", path+"?per_page=1000", nil, auth...)
			if r.status != 200 || !(strings.Contains(string(r.body), `"per_page":100`) || strings.Contains(string(r.body), `"size":`)) {
				t.Errorf("per_page=1000: %d %.200s, want 200 cut to 100", r.status, r.body)
			}
			r = e.do("GET", path+"?per_page=100&page=10000", nil, auth...)
			if r.status != 200 || r.header.Get("Link") != "" && strings.Contains(r.header.Get("Link"), `rel="next"`) {
				t.Errorf("the last allowed page: %d, Link %q", r.status, r.header.Get("Link"))
			}
		})
	}
	// Links: on a list with several pages, page 2 links both ways and
	// keeps the other parameters; the first page has no prev.
	r := e.do("GET", "/v1/providers?per_page=2&page=2&type=job_broker", nil)
	link := r.header.Get("Link")
	if r.status != 200 || !strings.Contains(link, `</v1/providers?page=3&per_page=2&type=job_broker>; rel="next"`) ||
		!strings.Contains(link, `</v1/providers?page=1&per_page=2&type=job_broker>; rel="prev"`) {
		t.Errorf("page 2: %d, Link %q", r.status, link)
	}
	if link := e.do("GET", "/oruk/services?per_page=2", nil).header.Get("Link"); !strings.Contains(link, `rel="next"`) || strings.Contains(link, `rel="prev"`) {
		t.Errorf("ORUK page 1: Link %q", link)
	}
	// The match body: above the maximum is cut, below 1 refused.
	m := e.do("POST", "/v1/match", `{"location":{"town":"Leeds"},"per_page":1000}`)
	if m.status != 200 || !strings.Contains(string(m.body), `"per_page":100`) {
		t.Errorf("match per_page 1000: %d %.200s", m.status, m.body)
	}
}
