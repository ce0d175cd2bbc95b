package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
)

func TestDocsAndOpenAPIDocument(t *testing.T) {
	srv := httptest.NewServer(api.New(api.Config{}))
	t.Cleanup(srv.Close)
	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}

	committed, err := os.ReadFile("../../openapi/swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	res, body := get("/openapi/swagger.json")
	if res.StatusCode != 200 || body != string(committed) || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("/openapi/swagger.json: %d, %s, same as committed: %v", res.StatusCode, res.Header.Get("Content-Type"), body == string(committed))
	}

	res, page := get("/docs")
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("/docs: %d %s CSP %q", res.StatusCode, res.Header.Get("Content-Type"), csp)
	}
	// Everything the page loads comes from this origin, and it has no
	// inline script for the CSP to block.
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 4 {
		t.Fatalf("page loads only %d files", len(refs))
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
			t.Errorf("page loads %q from elsewhere", m[1])
		}
		if m[1] == "/openapi/openapi.json" {
			continue
		}
		if r, _ := get(m[1]); r.StatusCode != 200 || r.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: %d", m[1], r.StatusCode)
		}
	}
	if regexp.MustCompile(`<script>[^<]`).MatchString(page) {
		t.Error("inline script in the docs page")
	}
	if r, _ := get("/docs/init.js"); !strings.Contains(r.Header.Get("Content-Type"), "javascript") {
		t.Errorf("init.js served as %q", r.Header.Get("Content-Type"))
	}
	for _, p := range []string{"/docs/nothing.js", "/docs/index.html", "/docs/..%2fdocs.go"} {
		if r, _ := get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, r.StatusCode)
		}
	}
	if r, _ := get("/oruk/services/x"); r.Header.Get("Content-Security-Policy") != "" {
		t.Error("the docs CSP leaked onto the API")
	}
}
