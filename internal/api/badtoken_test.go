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
