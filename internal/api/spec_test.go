package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/brokerfinder/brokerfinder/internal/hsds"
)

// testSpecResponses checks real responses of the main endpoints against the
// committed OpenAPI document (Swagger 2.0, converted to OpenAPI 3), so the
// document cannot drift from what the handlers send.
func testSpecResponses(t *testing.T, s *seeded) {
	raw, err := os.ReadFile("../../openapi/swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	var v2 openapi2.T
	if err := v2.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	doc, err := openapi2conv.ToV3(&v2)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("the converted document is not valid OpenAPI 3: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: s.url}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	// The check can fail: a body of the wrong shape is refused.
	{
		req, _ := http.NewRequest(http.MethodGet, s.url+"/v1/vocabularies", nil)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatal(err)
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader([]byte(`{"vocabularies": "none"}`))),
		}
		if openapi3filter.ValidateResponse(ctx, in) == nil {
			t.Fatal("a wrong body passed the document's check")
		}
	}
	id := s.providers[0].ID
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/v1/providers?per_page=5", 200},
		{"/v1/providers/" + id, 200},
		{"/v1/providers/no-such-provider", 404},
		{"/v1/providers?page=x", 400},
		{"/v1/vocabularies", 200},
		{"/healthz", 200},
		{"/oruk/", 200},
		{"/oruk/services?per_page=3", 200},
		{"/oruk/services/" + hsds.ServiceID(&s.providers[0]), 200},
		{"/oruk/services?taxonomy_id=x", 400},
		{"/oruk/service_at_locations?per_page=3", 200},
		{"/oruk/service_at_locations/" + hsds.ServiceAtLocationID(&s.providers[0], &s.providers[0].Sites[0]), 200},
		{"/oruk/taxonomies?per_page=2", 200},
		{"/oruk/taxonomy_terms/" + hsds.TermID("specialisms", "sight"), 200},
	} {
		t.Run(c.path, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, s.url+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("not in the document: %v", err)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, c.status, body)
			}
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{
					Request: req, PathParams: params, Route: route,
					Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
				},
				Status: res.StatusCode, Header: res.Header, Body: io.NopCloser(bytes.NewReader(body)),
				Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
			}
			if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
				t.Errorf("response does not match the document: %v\n%.400s", err, body)
			}
		})
	}
}
