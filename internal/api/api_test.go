package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

const adminToken = "test-admin-token"

type env struct {
	t     *testing.T
	srv   *httptest.Server
	store *mongodb.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	store := mongotest.Store(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f, err := finder.Open(context.Background(), finder.Config{Store: store, IndexDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	h := api.New(api.Config{Store: store, Finder: f, AdminToken: adminToken, Logger: quiet})
	srv := httptest.NewServer(contract(t, h))
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: store}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, r.body)
	}
}

// errFields returns the fields named in an error response.
func (r resp) errFields(t *testing.T) []string {
	t.Helper()
	var e api.ErrorResponse
	r.json(t, &e)
	if e.Code == "" || e.Message == "" {
		t.Fatalf("error response lacks code or message: %s", r.body)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func (e *env) do(method, path string, body any, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.t.Fatalf("%s %s: Content-Type %q, want JSON; body %s", method, path, ct, b)
	}
	return resp{res.StatusCode, res.Header, b}
}

var auth = []string{"Authorization", "Bearer " + adminToken}

func withAuth(h ...string) []string { return append(append([]string{}, auth...), h...) }

// create posts a provider and returns the stored record.
func (e *env) create(p directory.Provider) directory.Provider {
	e.t.Helper()
	r := e.do("POST", "/v1/providers", p, auth...)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var got directory.Provider
	r.json(e.t, &got)
	return got
}

func TestCreateReadUpdateEnd(t *testing.T) {
	e := newEnv(t)
	in := storetest.Provider("Aire Works")
	in.Sites[0].Address.Postcode = "ls1 5ab" // normalised on the way in
	r := e.do("POST", "/v1/providers", in, auth...)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var created directory.Provider
	r.json(t, &created)
	if created.ID == "" || created.Version != 1 || r.header.Get("ETag") != `"1"` ||
		r.header.Get("Location") != "/v1/providers/"+created.ID {
		t.Fatalf("create: id %q version %d ETag %q Location %q", created.ID, created.Version, r.header.Get("ETag"), r.header.Get("Location"))
	}
	if created.Sites[0].Address.Postcode != "LS1 5AB" {
		t.Fatalf("postcode stored as %q, want LS1 5AB", created.Sites[0].Address.Postcode)
	}

	r = e.do("GET", "/v1/providers/"+created.ID, nil)
	var got directory.Provider
	r.json(t, &got)
	if r.status != 200 || got.Name != "Aire Works" || r.header.Get("ETag") != `"1"` {
		t.Fatalf("read: %d %q ETag %q", r.status, got.Name, r.header.Get("ETag"))
	}

	got.Name = "Aire Works Partnership"
	r = e.do("PUT", "/v1/providers/"+created.ID, got, withAuth("If-Match", `"1"`)...)
	if r.status != 200 || r.header.Get("ETag") != `"2"` {
		t.Fatalf("update: %d ETag %q %s", r.status, r.header.Get("ETag"), r.body)
	}
	var updated directory.Provider
	r.json(t, &updated)
	if updated.Version != 2 || updated.Name != "Aire Works Partnership" || !updated.CreatedAt.Equal(created.CreatedAt) {
		t.Fatalf("after update: %+v", updated)
	}

	r = e.do("DELETE", "/v1/providers/"+created.ID, nil, withAuth("If-Match", `"2"`)...)
	if r.status != 200 {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/v1/providers/"+created.ID, nil)
	r.json(t, &got)
	if r.status != 200 || got.Status != directory.StatusEnded || got.Organisation.ContractStatus != directory.ContractEnded || got.Name != "Aire Works Partnership" {
		t.Fatalf("ended record: %d status %q contract %q name %q", r.status, got.Status, got.Organisation.ContractStatus, got.Name)
	}
}

func TestIfMatch(t *testing.T) {
	e := newEnv(t)
	p := e.create(storetest.Provider("Precondition"))
	path := "/v1/providers/" + p.ID
	p.Name = "Changed"
	cases := []struct {
		name    string
		method  string
		headers []string
		status  int
	}{
		{"update without If-Match", "PUT", auth, http.StatusPreconditionRequired},
		{"update with If-Match *", "PUT", withAuth("If-Match", "*"), http.StatusPreconditionRequired},
		{"update with stale version", "PUT", withAuth("If-Match", `"7"`), http.StatusPreconditionFailed},
		{"update with garbage", "PUT", withAuth("If-Match", `"abc"`), http.StatusPreconditionFailed},
		{"end without If-Match", "DELETE", auth, http.StatusPreconditionRequired},
		{"end with stale version", "DELETE", withAuth("If-Match", `"2"`), http.StatusPreconditionFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == "PUT" {
				body = p
			}
			r := e.do(tc.method, path, body, tc.headers...)
			if r.status != tc.status {
				t.Fatalf("got %d, want %d: %s", r.status, tc.status, r.body)
			}
			r.errFields(t)
		})
	}
	var got directory.Provider
	e.do("GET", path, nil).json(t, &got)
	if got.Version != 1 || got.Name != "Precondition" || got.Status != directory.StatusPublished {
		t.Fatalf("refused writes changed the record: version %d name %q status %q", got.Version, got.Name, got.Status)
	}
	// A weak ETag of the current version works.
	if r := e.do("PUT", path, p, withAuth("If-Match", `W/"1"`)...); r.status != 200 {
		t.Fatalf("weak ETag: %d %s", r.status, r.body)
	}
}

func TestConcurrentUpdatesExactlyOneWins(t *testing.T) {
	e := newEnv(t)
	p := e.create(storetest.Provider("Contended"))
	const n = 6
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := p
			q.Name = fmt.Sprintf("Editor %d", i)
			buf, _ := json.Marshal(q)
			req, _ := http.NewRequest("PUT", e.srv.URL+"/v1/providers/"+p.ID, bytes.NewReader(buf))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+adminToken)
			req.Header.Set("If-Match", `"1"`)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	wg.Wait()
	ok, failed := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			ok++
		case 412:
			failed++
		}
	}
	if ok != 1 || failed != n-1 {
		t.Fatalf("statuses %v: want exactly one 200 and %d 412s", statuses, n-1)
	}
}

func TestAuthRequiredForWrites(t *testing.T) {
	e := newEnv(t)
	p := e.create(storetest.Provider("Guarded"))
	body := storetest.Provider("Intruder")
	for _, tc := range []struct {
		name, method, path string
		headers            []string
	}{
		{"create without token", "POST", "/v1/providers", nil},
		{"create with wrong token", "POST", "/v1/providers", []string{"Authorization", "Bearer nope"}},
		{"create with wrong scheme", "POST", "/v1/providers", []string{"Authorization", "Basic " + adminToken}},
		{"update without token", "PUT", "/v1/providers/" + p.ID, []string{"If-Match", `"1"`}},
		{"end without token", "DELETE", "/v1/providers/" + p.ID, []string{"If-Match", `"1"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, body, tc.headers...)
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
				t.Fatalf("got %d (WWW-Authenticate %q), want 401", r.status, r.header.Get("WWW-Authenticate"))
			}
		})
	}
	var list api.ProviderList
	e.do("GET", "/v1/providers", nil).json(t, &list)
	if list.Total != 1 || list.Items[0].Name != "Guarded" || list.Items[0].Version != 1 {
		t.Fatalf("unauthorised writes changed the store: %+v", list)
	}
}

func TestStoredTokens(t *testing.T) {
	e := newEnv(t)
	tok := directory.Token{Name: "ops", Role: directory.RoleAdmin, Hash: api.HashToken("stored-secret")}
	if err := e.store.CreateToken(context.Background(), &tok); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/v1/providers", storetest.Provider("Via stored token"), "Authorization", "Bearer stored-secret"); r.status != 201 {
		t.Fatalf("stored token: %d %s", r.status, r.body)
	}
	if err := e.store.RevokeToken(context.Background(), tok.ID); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/v1/providers", storetest.Provider("After revoke"), "Authorization", "Bearer stored-secret"); r.status != 401 {
		t.Fatalf("revoked token: %d, want 401", r.status)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	p := e.create(storetest.Provider("Untouched"))
	valid, _ := json.Marshal(storetest.Provider("Valid"))
	withField := func(field, value string) string {
		return strings.Replace(string(valid), `{"id":""`, `{"id":"",`+`"`+field+`":`+value, 1)
	}
	long := strings.Repeat("a", 201)
	cases := []struct {
		name       string
		method     string
		body       string
		status     int
		wantFields []string
	}{
		{"empty body", "POST", "", 400, []string{"body"}},
		{"not JSON", "POST", "{name:", 400, []string{"body"}},
		{"truncated JSON", "POST", `{"name":"x"`, 400, []string{"body"}},
		{"array instead of object", "POST", `[]`, 400, []string{"body"}},
		{"two objects", "POST", `{} {}`, 400, []string{"body"}},
		{"wrong type", "POST", strings.Replace(string(valid), `"name":"Valid"`, `"name":42`, 1), 400, []string{"name"}},
		{"wrong nested type", "POST", strings.Replace(string(valid), `"lat":53.7997`, `"lat":"north"`, 1), 400, []string{"sites.location.lat"}},
		{"unknown field", "POST", withField("colour", `"blue"`), 400, []string{"colour"}},
		{"unknown vocabulary code", "POST", strings.Replace(string(valid), `"mental_health"`, `"telepathy"`, 1), 400, []string{"specialisms[0]"}},
		{"over-long name", "POST", strings.Replace(string(valid), `"name":"Valid"`, `"name":"`+long+`"`, 1), 400, []string{"name"}},
		{"impossible latitude", "POST", strings.Replace(string(valid), `"lat":53.7997`, `"lat":91`, 1), 400, []string{"sites[0].location.lat"}},
		{"latitude and longitude swapped", "POST", strings.Replace(strings.Replace(string(valid), `"lat":53.7997`, `"lat":-1.5492`, 1), `"lon":-1.5492`, `"lon":53.7997`, 1), 400, []string{"sites[0].location.lat", "sites[0].location.lon"}},
		{"several problems at once", "POST", strings.Replace(strings.Replace(string(valid), `"name":"Valid"`, `"name":""`, 1), `"type":"job_broker"`, `"type":"x"`, 1), 400, []string{"name", "type"}},
		{"id in body differs from URL", "PUT", strings.Replace(string(valid), `"id":""`, `"id":"other-id"`, 1), 400, []string{"id"}},
		{"invalid PUT body", "PUT", strings.Replace(string(valid), `"name":"Valid"`, `"name":""`, 1), 400, []string{"name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, headers := "/v1/providers", auth
			if tc.method == "PUT" {
				path, headers = "/v1/providers/"+p.ID, withAuth("If-Match", `"1"`)
			}
			r := e.do(tc.method, path, tc.body, headers...)
			if r.status != tc.status {
				t.Fatalf("got %d, want %d: %s", r.status, tc.status, r.body)
			}
			if got := r.errFields(t); fmt.Sprint(got) != fmt.Sprint(tc.wantFields) {
				t.Fatalf("fields %v, want %v (%s)", got, tc.wantFields, r.body)
			}
		})
	}
	t.Run("form content type", func(t *testing.T) {
		r := e.do("POST", "/v1/providers", nil, withAuth("Content-Type", "application/x-www-form-urlencoded")...)
		if r.status != http.StatusUnsupportedMediaType {
			t.Fatalf("got %d, want 415", r.status)
		}
	})
	t.Run("body too large", func(t *testing.T) {
		big := withField("summary", `"`+strings.Repeat("x", 2<<20)+`"`)
		if r := e.do("POST", "/v1/providers", big, auth...); r.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("got %d, want 413", r.status)
		}
	})
	var list api.ProviderList
	e.do("GET", "/v1/providers", nil).json(t, &list)
	if list.Total != 1 || list.Items[0].Version != 1 || list.Items[0].Name != "Untouched" {
		t.Fatalf("bad input changed the store: total %d, %+v", list.Total, list.Items)
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/v1/providers/no-such-id"},
		{"GET", "/v1/providers/..%2F..%2Fetc"},
		{"GET", "/v1/nothing-here"},
	} {
		if r := e.do(tc.method, tc.path, nil); r.status != 404 {
			t.Errorf("%s %s: %d, want 404", tc.method, tc.path, r.status)
		}
	}
	p := storetest.Provider("Ghost")
	if r := e.do("PUT", "/v1/providers/no-such-id", p, withAuth("If-Match", `"1"`)...); r.status != 404 {
		t.Errorf("PUT unknown id: %d, want 404", r.status)
	}
	if r := e.do("DELETE", "/v1/providers/no-such-id", nil, withAuth("If-Match", `"1"`)...); r.status != 404 {
		t.Errorf("DELETE unknown id: %d, want 404", r.status)
	}
	if r := e.do("PATCH", "/v1/providers", nil); r.status != 405 {
		t.Errorf("PATCH: %d, want 405", r.status)
	}
}

func TestListFiltersPagingAndDrafts(t *testing.T) {
	e := newEnv(t)
	for i, spec := range []string{"sight", "sight", "hearing"} {
		p := storetest.Provider(fmt.Sprintf("Provider %d", i))
		p.Specialisms = []string{spec}
		e.create(p)
	}
	draft := storetest.Provider("Hidden draft")
	draft.Status = directory.StatusDraft
	d := e.create(draft)

	var list api.ProviderList
	check := func(path string, wantTotal int64, wantItems int, headers ...string) {
		t.Helper()
		r := e.do("GET", path, nil, headers...)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		r.json(t, &list)
		if list.Total != wantTotal || len(list.Items) != wantItems {
			t.Fatalf("%s: total %d items %d, want %d and %d", path, list.Total, len(list.Items), wantTotal, wantItems)
		}
	}
	check("/v1/providers", 3, 3)
	check("/v1/providers?specialism=sight", 2, 2)
	check("/v1/providers?per_page=2&page=2", 3, 1)
	check("/v1/providers?area=LEEDS", 3, 3)
	check("/v1/providers?type=debt_advice", 0, 0)
	check("/v1/providers?per_page=1000", 3, 3)
	if list.PerPage != 100 {
		t.Fatalf("per_page=1000 reported as %d, want capped at 100", list.PerPage)
	}
	// One highest page number for every paged route.
	check(fmt.Sprintf("/v1/providers?page=%d", directory.MaxPage), 3, 0)
	for _, path := range []string{"/v1/providers", "/v1/search", "/oruk/services"} {
		if r := e.do("GET", fmt.Sprintf("%s?page=%d", path, directory.MaxPage+1), nil); r.status != 400 || !strings.Contains(string(r.body), `"page"`) {
			t.Fatalf("%s?page=%d: %d %s, want 400 naming page", path, directory.MaxPage+1, r.status, r.body)
		}
	}
	check("/v1/providers", 4, 4, auth...)
	check("/v1/providers?status=draft", 1, 1, auth...)
	if r := e.do("GET", "/v1/providers?status=draft", nil); r.status != 401 {
		t.Fatalf("drafts without token: %d, want 401", r.status)
	}
	if r := e.do("GET", "/v1/providers/"+d.ID, nil); r.status != 404 {
		t.Fatalf("draft by id without token: %d, want 404", r.status)
	}
	if r := e.do("GET", "/v1/providers/"+d.ID, nil, auth...); r.status != 200 {
		t.Fatalf("draft by id with token: %d, want 200", r.status)
	}
	for _, tc := range []struct{ query, field string }{
		{"page=0", "page"}, {"page=abc", "page"}, {"per_page=-1", "per_page"},
		{"type=wizard", "type"}, {"status=gone", "status"}, {"specialism=x", "specialism"},
		{"area=" + strings.Repeat("z", 101), "area"},
	} {
		r := e.do("GET", "/v1/providers?"+tc.query, nil)
		if f := r.errFields(t); r.status != 400 || len(f) != 1 || f[0] != tc.field {
			t.Errorf("?%s: %d fields %v, want 400 naming %s", tc.query, r.status, f, tc.field)
		}
	}
}

func TestVocabulariesAndHealth(t *testing.T) {
	e := newEnv(t)
	var v api.VocabularyList
	r := e.do("GET", "/v1/vocabularies", nil)
	r.json(t, &v)
	found := map[string]bool{}
	for _, voc := range v.Vocabularies {
		found[voc.Name] = len(voc.Terms) > 0
	}
	for _, name := range []string{"provider_types", "delivery_modes", "services", "specialisms", "incentive_kinds"} {
		if !found[name] {
			t.Errorf("vocabulary %s missing or empty", name)
		}
	}
	if r := e.do("GET", "/healthz", nil); r.status != 200 {
		t.Errorf("healthz: %d", r.status)
	}
	var st api.Status
	r = e.do("GET", "/readyz", nil)
	r.json(t, &st)
	if r.status != 200 || st.Status != "ready" {
		t.Errorf("readyz: %d %+v", r.status, st)
	}
	_ = e.store.Close(context.Background())
	r = e.do("GET", "/readyz", nil)
	r.json(t, &st)
	if r.status != 503 || st.Status != "degraded" {
		t.Errorf("readyz with the store closed: %d %+v, want 503 degraded", r.status, st)
	}
}
