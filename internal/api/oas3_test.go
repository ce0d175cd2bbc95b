package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/brokerfinder/brokerfinder/internal/api"
)

// TestOpenAPI3DocumentsAreValid runs kin-openapi's validator over the
// committed OpenAPI 3 documents and checks what integrators rely on: an
// operationId on every operation, every tag declared, no Go package
// prefixes in schema names, and the ORUK document holding the ORUK
// endpoints only.
func TestOpenAPI3DocumentsAreValid(t *testing.T) {
	for _, name := range []string{"openapi.json", "oruk.json"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile("../../openapi/" + name)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := openapi3.NewLoader().LoadFromData(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := doc.Validate(context.Background()); err != nil {
				t.Fatalf("not valid OpenAPI 3: %v", err)
			}
			tags := map[string]bool{}
			for _, tg := range doc.Tags {
				tags[tg.Name] = true
			}
			for path, item := range doc.Paths.Map() {
				if name == "oruk.json" && path != "/oruk" && !strings.HasPrefix(path, "/oruk/") {
					t.Errorf("%s is not an ORUK endpoint", path)
				}
				for method, op := range item.Operations() {
					if op.OperationID == "" {
						t.Errorf("%s %s has no operationId", method, path)
					}
					for _, tg := range op.Tags {
						if !tags[tg] {
							t.Errorf("%s %s: tag %q is not declared", method, path, tg)
						}
					}
				}
			}
			for n := range doc.Components.Schemas {
				if strings.ContainsAny(n, ".-") {
					t.Errorf("schema name %q carries a Go package or type argument", n)
				}
			}
		})
	}
}

// The ORUK root's openapi_url names the ORUK document, on the origin the
// client used: X-Forwarded-Proto and -Host count only from a trusted proxy.
func TestORUKOpenAPIURLHonoursOnlyTrustedProxies(t *testing.T) {
	for _, c := range []struct {
		name    string
		proxies []string
		want    string
	}{
		{"no proxies trusted", nil, "http://api.example/openapi/oruk.json"},
		{"another proxy trusted", []string{"10.9.0.0/16"}, "http://api.example/openapi/oruk.json"},
		{"this proxy trusted", []string{"192.0.2.0/24"}, "https://directory.example.org/openapi/oruk.json"},
		{"this proxy trusted by address", []string{"192.0.2.1"}, "https://directory.example.org/openapi/oruk.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := api.New(api.Config{TrustedProxies: c.proxies})
			req := httptest.NewRequest("GET", "http://api.example/oruk/", nil)
			req.RemoteAddr = "192.0.2.1:4000"
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("X-Forwarded-Host", "directory.example.org")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"openapi_url":"`+c.want+`"`) {
				t.Errorf("%d %s, want openapi_url %s", w.Code, w.Body, c.want)
			}
		})
	}
	// A trusted proxy still cannot bend the link into another shape.
	h := api.New(api.Config{TrustedProxies: []string{"192.0.2.1"}})
	req := httptest.NewRequest("GET", "http://api.example/oruk/", nil)
	req.RemoteAddr = "192.0.2.1:4000"
	req.Header.Set("X-Forwarded-Proto", "javascript")
	req.Header.Set("X-Forwarded-Host", "evil.example/x?")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if !strings.Contains(w.Body.String(), `"openapi_url":"http://api.example/openapi/oruk.json"`) {
		t.Errorf("odd forwarded headers were used: %s", w.Body)
	}
}
