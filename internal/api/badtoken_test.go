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

// One rule for query parameters on every documented route: one the route
// does not take is 400 naming it (providers and ORUK ignored them).
func TestUnknownQueryParametersAre400(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ path, field string }{
		{"/v1/providers?specialsm=sight", "specialsm"},
		{"/v1/providers/abc?x=1", "x"},
		{"/v1/vocabularies?lang=cy", "lang"},
		{"/v1/search?near=LS1&colour=red", "colour"},
		{"/oruk/services?serach=work", "serach"},
		{"/oruk/?x=1", "x"},
	} {
		r := e.do("GET", c.path, nil)
		if f := r.errFields(t); r.status != http.StatusBadRequest || len(f) != 1 || f[0] != c.field {
			t.Errorf("%s: %d %s, want 400 naming %s", c.path, r.status, r.body, c.field)
		}
	}
	if r := e.do("GET", "/v1/providers?per_page=5&type=job_broker", nil); r.status != http.StatusOK {
		t.Errorf("documented parameters: %d %s", r.status, r.body)
	}
}
