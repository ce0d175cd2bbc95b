package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The contract: every exchange the API tests make with the servers they
// start (newEnv, newSeededEnv, the ORUK and workflow fixtures) is checked
// against the committed OpenAPI 3 document, so the tests' whole traffic,
// good requests and bad, holds the document to what the server does:
//
//   - a route the document lacks fails, unless the server itself said it
//     has no such route (404 not_found, 405);
//   - every response's status must be documented for its operation, and
//     its body must match the documented schema, with additionalProperties
//     false on every object in the test's copy, so an undocumented field
//     fails too;
//   - a request the server accepted (2xx) must be valid by the document,
//     so the document is never stricter than the server.
var contractDoc = sync.OnceValues(func() (routers.Router, error) {
	// The documentation page and its files are checked for status and
	// content type; their bodies are not JSON.
	for _, ct := range []string{"text/html", "text/css", "text/javascript", "image/png", "application/octet-stream"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	raw, err := os.ReadFile("../../openapi/openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	closeObjects(doc)
	doc.Servers = nil
	return gorillamux.NewRouter(doc)
})

// closeObjects sets additionalProperties false on every object schema
// that lists its properties and says nothing of others.
func closeObjects(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var visit func(*openapi3.SchemaRef)
	visit = func(r *openapi3.SchemaRef) {
		if r == nil || r.Value == nil || seen[r.Value] {
			return
		}
		s := r.Value
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			no := false
			s.AdditionalProperties.Has = &no
		}
		for _, p := range s.Properties {
			visit(p)
		}
		visit(s.Items)
		visit(s.AdditionalProperties.Schema)
		for _, a := range s.AllOf {
			visit(a)
		}
	}
	for _, s := range doc.Components.Schemas {
		visit(s)
	}
}

// contract wraps h so that every exchange is checked; failures are
// reported when the test ends.
func contract(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	router, err := contractDoc()
	if err != nil {
		t.Fatalf("the OpenAPI 3 document: %v", err)
	}
	var (
		mu       sync.Mutex
		failures []string
	)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		sort.Strings(failures)
		for _, f := range failures {
			t.Errorf("contract: %s", f)
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqBody, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		if msg := checkExchange(router, r, reqBody, rec); msg != "" {
			mu.Lock()
			failures = append(failures, fmt.Sprintf("%s %s → %d: %s", r.Method, r.URL.Path, rec.Code, msg))
			mu.Unlock()
		}
	})
}

func checkExchange(router routers.Router, r *http.Request, reqBody []byte, rec *httptest.ResponseRecorder) string {
	if r.Method == http.MethodHead || r.Method == http.MethodOptions && rec.Code == http.StatusNoContent {
		return ""
	}
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := router.FindRoute(req)
	if err != nil {
		if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed || rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusTemporaryRedirect {
			return ""
		}
		return "not in the OpenAPI document: " + err.Error()
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		// PUT takes back what GET returned: read-only fields are accepted
		// and ignored, which OpenAPI allows ("SHOULD NOT" send them).
		ExcludeReadOnlyValidations: true,
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if rec.Code >= 200 && rec.Code < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			return "the server accepted a request the document refuses: " + short(err)
		}
	}
	body := rec.Body.Bytes()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return "bad gzip: " + err.Error()
		}
		if body, err = io.ReadAll(zr); err != nil {
			return "bad gzip: " + err.Error()
		}
	}
	if rec.Code == http.StatusNotModified {
		body = nil
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Body: io.NopCloser(bytes.NewReader(body)), Options: opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return short(err) + "\n\tbody: " + fmt.Sprintf("%.300s", body)
	}
	return ""
}

func short(err error) string {
	s := err.Error()
	if i := strings.Index(s, "\nSchema:"); i > 0 {
		s = s[:i]
	}
	return fmt.Sprintf("%.600s", s)
}
