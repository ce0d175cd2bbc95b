package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestPutBackWhatGetReturned: a client must be able to PUT the body a GET
// gave it, read-only fields and all; and a PUT that changes nothing makes
// no new version.
func TestPutBackWhatGetReturned(t *testing.T) {
	e := newEnv(t)
	created := e.create(storetest.Provider("Round Trip Works"))
	r := e.do("GET", "/v1/providers/"+created.ID, nil)
	if !strings.Contains(string(r.body), `"verification_overdue"`) {
		t.Fatalf("GET lacks verification_overdue: %s", r.body)
	}
	body := string(r.body)

	r = e.do("PUT", "/v1/providers/"+created.ID, body, withAuth("If-Match", `"1"`)...)
	if r.status != http.StatusOK {
		t.Fatalf("PUT of what GET returned: %d %s", r.status, r.body)
	}
	if r.header.Get("ETag") != `"1"` {
		t.Errorf("PUT that changed nothing: ETag %s, want \"1\" (no new version)", r.header.Get("ETag"))
	}
	revs, err := e.store.ProviderHistory(context.Background(), created.ID)
	if err != nil || len(revs) != 1 {
		t.Errorf("history after a no-op PUT: %d versions, %v; want 1", len(revs), err)
	}

	changed := strings.Replace(body, `"Round Trip Works"`, `"Round Trip Works Ltd"`, 1)
	r = e.do("PUT", "/v1/providers/"+created.ID, changed, withAuth("If-Match", `"1"`)...)
	if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
		t.Fatalf("PUT of a changed record: %d ETag %s %s", r.status, r.header.Get("ETag"), r.body)
	}
}

func TestPatchProvider(t *testing.T) {
	e := newEnv(t)
	created := e.create(storetest.Provider("Patch Works"))
	patch := `{"capacity":{"taking_new_clients":false},"summary":"Not taking new clients until spring."}`

	if r := e.do("PATCH", "/v1/providers/"+created.ID, patch, auth...); r.status != http.StatusPreconditionRequired {
		t.Errorf("PATCH without If-Match: %d, want 428", r.status)
	}
	if r := e.do("PATCH", "/v1/providers/"+created.ID, patch, withAuth("If-Match", `"7"`)...); r.status != http.StatusPreconditionFailed {
		t.Errorf("PATCH with a stale If-Match: %d, want 412", r.status)
	}
	if r := e.do("PATCH", "/v1/providers/"+created.ID, patch); r.status != http.StatusUnauthorized {
		t.Errorf("PATCH without a token: %d, want 401", r.status)
	}

	r := e.do("PATCH", "/v1/providers/"+created.ID, patch, withAuth("If-Match", `"1"`, "Content-Type", "application/merge-patch+json")...)
	if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
		t.Fatalf("PATCH: %d ETag %s %s", r.status, r.header.Get("ETag"), r.body)
	}
	var got directory.Provider
	r.json(t, &got)
	if got.Capacity.TakingNewClients || got.Summary != "Not taking new clients until spring." {
		t.Errorf("after PATCH: taking_new_clients %v, summary %q", got.Capacity.TakingNewClients, got.Summary)
	}
	// Everything not in the patch is as it was.
	want := created
	want.Capacity.TakingNewClients = false
	want.Summary = got.Summary
	if !directory.SameContent(&want, &got) {
		t.Errorf("PATCH changed more than it named: %v", directory.DiffProviders(&want, &got))
	}

	// The same patch again changes nothing: no new version.
	r = e.do("PATCH", "/v1/providers/"+created.ID, patch, withAuth("If-Match", `"2"`)...)
	if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
		t.Errorf("repeated PATCH: %d ETag %s, want 200 and \"2\"", r.status, r.header.Get("ETag"))
	}

	// A patch that breaks a rule names the field and writes nothing.
	r = e.do("PATCH", "/v1/providers/"+created.ID, `{"name":"","colour":"red"}`, withAuth("If-Match", `"2"`)...)
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad PATCH: %d %s", r.status, r.body)
	}
	if f := r.errFields(t); !containsField(f, "colour") {
		t.Errorf("bad PATCH names %v, want colour", f)
	}
	r = e.do("PATCH", "/v1/providers/"+created.ID, `{"name":""}`, withAuth("If-Match", `"2"`)...)
	if r.status != http.StatusBadRequest || !containsField(r.errFields(t), "name") {
		t.Errorf("PATCH emptying the name: %d %s", r.status, r.body)
	}
	if r := e.do("PATCH", "/v1/providers/"+created.ID, `[1]`, withAuth("If-Match", `"2"`)...); r.status != http.StatusBadRequest {
		t.Errorf("PATCH with a list: %d, want 400", r.status)
	}
	cur, err := e.store.Provider(context.Background(), created.ID)
	if err != nil || cur.Version != 2 {
		t.Errorf("after refused patches: version %d, %v; want 2", cur.Version, err)
	}
}

func containsField(fields []string, want string) bool {
	for _, f := range fields {
		if f == want {
			return true
		}
	}
	return false
}
