package api_test

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestDocumentedRequiredFields holds the OpenAPI document's `required`
// lists on request bodies to what the server does: from a body the server
// accepts, each field is taken out in turn, and the server must refuse
// the body (400 naming the field) exactly when the document says the
// field is required. Nested objects are walked the same way.
func TestDocumentedRequiredFields(t *testing.T) {
	raw, err := os.ReadFile("../../openapi/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorkflowEnv(t)
	cases := []struct {
		role, method, path string
		body               func() map[string]any
	}{
		{adviser, "POST", "/v1/referrals", func() map[string]any {
			// Phone or email is required, not either alone.
			b := referralBody(w.a.ID)
			b["client"].(map[string]any)["email"] = "sam@example.org"
			return b
		}},
		{editorA, "POST", "/v1/referrals/{id}/transitions", func() map[string]any {
			return map[string]any{"status": "acknowledged", "reason": "Phoned", "at": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)}
		}},
		{admin, "POST", "/v1/admin/tokens", func() map[string]any {
			return map[string]any{"name": "another adviser", "role": "adviser"}
		}},
	}
	for _, c := range cases {
		op := doc.Paths.Find(c.path).GetOperation(c.method)
		schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
		var walk func(s *openapi3.Schema, at []string)
		walk = func(s *openapi3.Schema, at []string) {
			for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
				field := append(slices.Clone(at), name)
				body := c.body()
				if !remove(body, field) {
					continue // not in the accepted body
				}
				// A fresh referral each time, so a transition is always
				// one the referral may make.
				ref := w.refer()
				path := strings.ReplaceAll(c.path, "{id}", ref.ID)
				r := w.as(c.role, c.method, path, body, "If-Match", fmt.Sprintf(`"%d"`, ref.Version))
				named := false
				if r.status == 400 {
					for _, f := range r.errFields(t) {
						if f == strings.Join(field, ".") || strings.HasPrefix(f, strings.Join(field, ".")+".") {
							named = true
						}
					}
				}
				required := slices.Contains(s.Required, name)
				if required != named {
					t.Errorf("%s %s without %s: %d %s; the document says required=%v", c.method, c.path, strings.Join(field, "."), r.status, r.body, required)
				}
				if p := s.Properties[name].Value; p != nil && len(p.Properties) > 0 {
					walk(p, field)
				}
			}
		}
		walk(schema, nil)
	}
}

// remove deletes the field at path from body, reporting whether it was
// there.
func remove(body map[string]any, path []string) bool {
	m := body
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return false
		}
		m = next
	}
	if _, ok := m[path[len(path)-1]]; !ok {
		return false
	}
	delete(m, path[len(path)-1])
	return true
}
