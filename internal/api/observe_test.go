package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
	"github.com/brokerfinder/brokerfinder/internal/telemetry"
)

// newObservedEnv is newEnv with telemetry on the store, finder and API,
// spans going to an in-memory exporter, and the log kept.
func newObservedEnv(t *testing.T) (*env, *telemetry.Telemetry, *tracetest.InMemoryExporter, *syncBuffer) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tel := telemetry.New(tp)
	store := mongotest.StoreWith(t, mongodb.Options{Observer: tel})
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f, err := finder.Open(context.Background(), finder.Config{Store: store, IndexDir: t.TempDir(), Logger: quiet, Telemetry: tel})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	tel.Watch(telemetry.Sources{Ready: f.Ready, Catalogue: func() int { return f.Catalogue().Len() }, Position: f.Seq,
		Head: store.LastChange, CaughtUp: f.CaughtUp, Rebuilds: f.Rebuilds})
	h := api.New(api.Config{Store: store, Finder: f, AdminToken: adminToken, Logger: logger, Telemetry: tel, MetricsRoute: true})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: store}, tel, exp, logs
}

// scrape fetches /metrics as the admin.
func scrape(t *testing.T, e *env, headers ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+"/metrics", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// metricNames are metric families a scrape must show after a few requests
// (store errors appear with the first error: deploy's test checks them).
var metricNames = []string{
	"brokerfinder_http_requests_total", "brokerfinder_http_request_duration_seconds",
	"brokerfinder_match_candidates", "brokerfinder_match_results", "brokerfinder_search_results",
	"brokerfinder_store_call_duration_seconds",
	"brokerfinder_index_writes_total", "brokerfinder_index_rebuilds_total",
	"brokerfinder_ready", "brokerfinder_catalogue_providers", "brokerfinder_changelog_position",
	"brokerfinder_changelog_behind", "brokerfinder_changelog_lag_seconds",
	"go_goroutines", "process_resident_memory_bytes",
}

func TestMetricsScrape(t *testing.T) {
	e, _, _, _ := newObservedEnv(t)
	if code, _ := scrape(t, e); code != http.StatusUnauthorized {
		t.Fatalf("/metrics without a token: %d, want 401", code)
	}
	p := e.create(storetest.Provider("Metric Works"))
	_, before := scrape(t, e, auth...)
	const read = `brokerfinder_http_requests_total{method="GET",route="/v1/providers/:id",status="200"}`
	if strings.Contains(before, read) {
		t.Fatalf("scrape counts a read before any was made")
	}
	e.do("GET", "/v1/providers/"+p.ID, nil)
	e.do("GET", "/v1/providers/no-such-id", nil)
	e.do("POST", "/v1/match", map[string]any{"location": map[string]any{"postcode": "LS6 2BS"}, "needs": map[string]any{"in_work_support": true}})
	code, body := scrape(t, e, auth...)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, name := range metricNames {
		if !regexp.MustCompile(`(?m)^` + name + `(\{|_bucket|_count| )`).MatchString(body) {
			t.Errorf("scrape lacks %s", name)
		}
	}
	for _, want := range []string{
		read + ` 1`,
		`brokerfinder_http_requests_total{method="GET",route="/v1/providers/:id",status="404"} 1`,
		`brokerfinder_http_requests_total{method="POST",route="/v1/providers",status="201"} 1`,
		`brokerfinder_match_results_count 1`,
		`brokerfinder_catalogue_providers 1`,
		`brokerfinder_index_writes_total 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if !regexp.MustCompile(`brokerfinder_store_call_duration_seconds_count\{collection="providers",operation="\w+"\} [1-9]`).MatchString(body) {
		t.Error("no store call to providers counted")
	}
	// Raw paths and ids never become labels.
	for _, leak := range []string{p.ID, "no-such-id", "LS6"} {
		if strings.Contains(body, leak) {
			t.Errorf("scrape carries %q", leak)
		}
	}
}

func TestMatchSpanTree(t *testing.T) {
	e, _, exp, _ := newObservedEnv(t)
	e.create(storetest.Provider("Traced Works"))
	exp.Reset()
	const parentTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	r := e.do("POST", "/v1/match", map[string]any{
		"location": map[string]any{"postcode": "LS6 2BS"},
		"needs":    map[string]any{"health_conditions": []string{"mental_health"}},
	}, "traceparent", "00-"+parentTrace+"-00f067aa0ba902b7-01")
	if r.status != http.StatusOK {
		t.Fatalf("match: %d %s", r.status, r.body)
	}
	spans := exp.GetSpans()
	byName := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		byName[s.Name] = s
	}
	server, ok := byName["POST /v1/match"]
	if !ok {
		t.Fatalf("no server span; spans: %v", names(spans))
	}
	if got := server.SpanContext.TraceID().String(); got != parentTrace {
		t.Errorf("server span trace %s, want the traceparent's %s", got, parentTrace)
	}
	if got := server.Parent.SpanID().String(); got != "00f067aa0ba902b7" {
		t.Errorf("server span parent %s, want the caller's span", got)
	}
	m, ok := byName["match"]
	if !ok {
		t.Fatalf("no match span; spans: %v", names(spans))
	}
	if m.Parent.SpanID() != server.SpanContext.SpanID() {
		t.Error("match span is not a child of the request's span")
	}
	// Attributes are counts and route patterns, never needs or places.
	for _, s := range spans {
		for _, a := range s.Attributes {
			if v := a.Value.String(); strings.Contains(v, "mental_health") || strings.Contains(strings.ToUpper(v), "LS6") {
				t.Errorf("span %s attribute %s carries client data: %q", s.Name, a.Key, v)
			}
		}
	}
}

func TestStoreCallSpansAreChildrenOfTheRequest(t *testing.T) {
	e, _, exp, _ := newObservedEnv(t)
	exp.Reset()
	e.create(storetest.Provider("Stored Works"))
	var server tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name == "POST /v1/providers" {
			server = s
		}
	}
	if !server.SpanContext.IsValid() {
		t.Fatalf("no server span; spans: %v", names(exp.GetSpans()))
	}
	n := 0
	for _, s := range exp.GetSpans() {
		if strings.HasPrefix(s.Name, "store.") && s.Parent.SpanID() == server.SpanContext.SpanID() {
			n++
		}
	}
	if n == 0 {
		t.Errorf("no store span under the create request; spans: %v", names(exp.GetSpans()))
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

func TestRequestID(t *testing.T) {
	e, _, _, logs := newObservedEnv(t)
	r := e.do("GET", "/v1/vocabularies", nil, "X-Request-ID", "abc-123.XYZ_9")
	if got := r.header.Get("X-Request-ID"); got != "abc-123.XYZ_9" {
		t.Errorf("well-formed id returned as %q", got)
	}
	if !strings.Contains(logs.String(), "request_id=abc-123.XYZ_9") {
		t.Errorf("log line lacks the request id:\n%s", logs.String())
	}
	for _, bad := range []string{"has space", "semi;colon", strings.Repeat("a", 65), "<script>"} {
		r := e.do("GET", "/v1/vocabularies", nil, "X-Request-ID", bad)
		got := r.header.Get("X-Request-ID")
		if got == bad || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(got) {
			t.Errorf("id %q: returned %q, want a new one", bad, got)
		}
		if strings.Contains(logs.String(), bad) {
			t.Errorf("id %q reached the log", bad)
		}
	}
	r = e.do("GET", "/v1/vocabularies", nil)
	id := r.header.Get("X-Request-ID")
	if id == "" || !strings.Contains(logs.String(), "request_id="+id) {
		t.Errorf("generated id %q missing from response or log", id)
	}
}
