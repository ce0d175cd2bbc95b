package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// rawGet sends a request with no transparent decompression, so the test
// sees exactly what the server sent.
func rawGet(t *testing.T, method, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

// Public reads carry a strong ETag and a short shared max-age, and a
// repeat with If-None-Match costs a 304 with no body.
func TestPublicReadsAreConditional(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/v1/vocabularies", "/v1/providers", "/oruk/services", "/openapi/openapi.json"} {
		t.Run(path, func(t *testing.T) {
			res, body := rawGet(t, "GET", e.srv.URL+path)
			tag := res.Header.Get("ETag")
			if res.StatusCode != 200 || !strings.HasPrefix(tag, `"`) || len(body) == 0 {
				t.Fatalf("status %d, ETag %q", res.StatusCode, tag)
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=") {
				t.Errorf("Cache-Control %q", cc)
			}
			res, body = rawGet(t, "GET", e.srv.URL+path, "If-None-Match", tag)
			if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != tag {
				t.Errorf("If-None-Match current: %d, %d bytes, ETag %q", res.StatusCode, len(body), res.Header.Get("ETag"))
			}
			res, _ = rawGet(t, "GET", e.srv.URL+path, "If-None-Match", `"stale", W/"other"`)
			if res.StatusCode != 200 {
				t.Errorf("If-None-Match stale: %d, want 200", res.StatusCode)
			}
		})
	}
	// With a token the answer may differ (drafts), so it is not cached.
	res, _ := rawGet(t, "GET", e.srv.URL+"/v1/providers", "Authorization", "Bearer "+adminToken)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" || res.Header.Get("ETag") != "" {
		t.Errorf("with a token: Cache-Control %q, ETag %q", cc, res.Header.Get("ETag"))
	}
	// An error is never cached.
	res, _ = rawGet(t, "GET", e.srv.URL+"/v1/providers?page=x")
	if res.StatusCode != 400 || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("error: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

// HEAD works on every GET route, with GET's headers and no body.
func TestHeadOnGetRoutes(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/v1/vocabularies", "/v1/providers", "/oruk/services", "/docs", "/openapi/swagger.json"} {
		get, _ := rawGet(t, "GET", e.srv.URL+path)
		head, body := rawGet(t, "HEAD", e.srv.URL+path)
		if head.StatusCode != get.StatusCode || len(body) != 0 || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || head.Header.Get("ETag") != get.Header.Get("ETag") {
			t.Errorf("HEAD %s: %d %q %q, %d bytes; GET: %d %q %q", path, head.StatusCode, head.Header.Get("Content-Type"), head.Header.Get("ETag"), len(body),
				get.StatusCode, get.Header.Get("Content-Type"), get.Header.Get("ETag"))
		}
	}
	if res, _ := rawGet(t, "HEAD", e.srv.URL+"/v1/match"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("HEAD on a POST-only route: %d, want 405", res.StatusCode)
	}
}

// Answers are gzipped for clients that accept it, and only for them.
func TestGzip(t *testing.T) {
	e := newEnv(t)
	plain, want := rawGet(t, "GET", e.srv.URL+"/v1/vocabularies")
	if plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("gzip without Accept-Encoding")
	}
	res, body := rawGet(t, "GET", e.srv.URL+"/v1/vocabularies", "Accept-Encoding", "gzip")
	if vary := strings.Join(res.Header.Values("Vary"), ","); res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(vary, "Accept-Encoding") {
		t.Fatalf("Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), vary)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if !bytes.Equal(got, want) || len(body) >= len(want) {
		t.Errorf("gzipped body: %d bytes, unzips to the plain body: %v", len(body), bytes.Equal(got, want))
	}
}

// Nothing carrying health details or personal data may be kept by a
// cache: a match's answer and admin and referral reads are no-store even
// when they succeed (errors are never cached in any case).
func TestNoStoreOnPersonalData(t *testing.T) {
	e, _ := newSeededEnv(t)
	auth := "Bearer " + adminToken
	match := map[string]any{"location": map[string]any{"postcode": "ls6 2bs"}, "needs": map[string]any{"health_conditions": []string{"mental_health"}}}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/match", match}, {"GET", "/v1/referrals", nil}, {"GET", "/v1/admin/audit", nil}, {"GET", "/v1/admin/tokens", nil},
	} {
		r := e.do(c.method, c.path, c.body, "Authorization", auth)
		if r.status != 200 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, r.status, r.body)
		}
		if cc := r.header.Get("Cache-Control"); cc != "no-store" || r.header.Get("ETag") != "" {
			t.Errorf("%s %s: Cache-Control %q, ETag %q", c.method, c.path, cc, r.header.Get("ETag"))
		}
	}
}
