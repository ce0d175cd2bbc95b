package api_test

import (
	"net/http"
	"testing"
)

// A bad token is 401 on every route, public ones included (it used to be
// ignored on /v1/providers/{id} and /oruk); no token on a public route is
// still fine, and health checks never look at tokens.
func TestBadTokenIs401Everywhere(t *testing.T) {
	e, _ := newSeededEnv(t)
	for _, path := range []string{"/v1/providers", "/v1/providers/no-such-id", "/v1/search?q=work", "/v1/vocabularies", "/oruk/services", "/oruk/"} {
		r := e.do("GET", path, nil, "Authorization", "Bearer not-a-token")
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s with a bad token: %d %s", path, r.status, r.body)
		}
		if r := e.do("GET", path, nil); r.status == http.StatusUnauthorized {
			t.Errorf("%s without a token: 401", path)
		}
	}
	if r := e.do("POST", "/v1/match", `{"location":{"town":"Leeds"}}`, "Authorization", "Bearer not-a-token"); r.status != http.StatusUnauthorized {
		t.Errorf("match with a bad token: %d", r.status)
	}
	if r := e.do("GET", "/healthz", nil, "Authorization", "Bearer not-a-token"); r.status != http.StatusOK {
		t.Errorf("healthz with a bad token: %d", r.status)
	}
}

// An area nobody can place is the same problem on /v1 and /oruk: 422
// unknown_place naming the field (ORUK answered 400 invalid).
func TestUnknownPlaceIsOneErrorOnBothAPIs(t *testing.T) {
	e, _ := newSeededEnv(t)
	for _, c := range []struct{ method, path, field string }{
		{"GET", "/v1/search?near=ZZ9+9ZZ", "near"},
		{"GET", "/oruk/service_at_locations?postcode=ZZ9+9ZZ", "postcode"},
	} {
		r := e.do(c.method, c.path, nil)
		var body struct{ Code string }
		r.json(t, &body)
		if r.status != http.StatusUnprocessableEntity || body.Code != "unknown_place" || len(r.errFields(t)) != 1 || r.errFields(t)[0] != c.field {
			t.Errorf("%s: %d %s, want 422 unknown_place naming %s", c.path, r.status, r.body, c.field)
		}
	}
}
