package api_test

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/api"
)

// TestEveryRouteIsDocumented checks the committed OpenAPI document (made by
// `go tool swag init`, see the README) against the router: every route is in
// the spec and every spec operation is routed. CI separately checks that the
// committed document matches a fresh generation.
func TestEveryRouteIsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../../openapi/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, ops := range spec.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	engine := api.Engine(api.New(api.Config{}))
	param := regexp.MustCompile(`:(\w+)`)
	var routed []string
	for _, r := range engine.Routes() {
		routed = append(routed, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	sort.Strings(documented)
	sort.Strings(routed)
	if diff := cmp.Diff(documented, routed); diff != "" {
		t.Fatalf("routes and OpenAPI document differ (-documented +routed):\n%s", diff)
	}
}
