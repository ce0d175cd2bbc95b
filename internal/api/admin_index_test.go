package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestAdminIndexState: GET /v1/admin/index reports the versions the index
// and catalogue hold (drafts in neither), their count and the fingerprint
// the store's visible providers give.
func TestAdminIndexState(t *testing.T) {
	e := newEnv(t)
	a := e.create(storetest.Provider("Alder Routes"))
	draft := storetest.Provider("Hidden Draft")
	draft.Status = directory.StatusDraft
	e.create(draft)
	a.Summary = "Changed once."
	if r := e.do("PUT", "/v1/providers/"+a.ID, a, withAuth("If-Match", `"1"`)...); r.status != http.StatusOK {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/v1/admin/index", nil); r.status != http.StatusUnauthorized {
		t.Fatalf("without a token: %d, want 401", r.status)
	}
	r := e.do("GET", "/v1/admin/index", nil, auth...)
	if r.status != http.StatusOK {
		t.Fatalf("GET /v1/admin/index: %d %s", r.status, r.body)
	}
	var got api.IndexState
	r.json(t, &got)
	want := map[string]int64{a.ID: 2}
	if diff := cmp.Diff(api.IndexState{
		Count: 1, Fingerprint: fmt.Sprintf("%016x", finder.Fingerprint(want)), Versions: want, Catalogue: want,
	}, got); diff != "" {
		t.Fatalf("index state (-want +got):\n%s", diff)
	}
}
