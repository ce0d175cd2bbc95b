package telemetry_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/telemetry"
)

func scrape(t *testing.T, tel *telemetry.Telemetry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	tel.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestStoreCallErrorsCountedByOperation(t *testing.T) {
	tel := telemetry.New(nil)
	tel.StoreCallStarted(context.Background(), "find", "providers")(nil)
	tel.StoreCallStarted(context.Background(), "update", "providers")(errors.New("refused"))
	body := scrape(t, tel)
	for _, want := range []string{
		`brokerfinder_store_call_errors_total{collection="providers",operation="update"} 1`,
		`brokerfinder_store_call_duration_seconds_count{collection="providers",operation="find"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(body, `errors_total{collection="providers",operation="find"}`) {
		t.Error("a successful call was counted as an error")
	}
}

func TestNilTelemetryDoesNothing(t *testing.T) {
	var tel *telemetry.Telemetry
	ctx, end := tel.StartMatch(context.Background())
	end(3, 2, nil)
	_, endSearch := tel.StartSearch(ctx)
	endSearch(1, nil)
	tel.StartIndexWrite(ctx)(nil)
	tel.StoreCallStarted(ctx, "find", "providers")(nil)
	tel.ObserveRequest("/x", "GET", 200, 0)
	tel.Watch(telemetry.Sources{})
}

func TestRequestIDs(t *testing.T) {
	for id, ok := range map[string]bool{
		"abc": true, "A-b_c.9": true, strings.Repeat("x", 64): true,
		"": false, strings.Repeat("x", 65): false, "a b": false, "a\nb": false, "é": false, "a/b": false,
	} {
		if got := telemetry.ValidRequestID(id); got != ok {
			t.Errorf("ValidRequestID(%q) = %v", id, got)
		}
		if got := telemetry.RequestID(id); ok != (got == id) || !telemetry.ValidRequestID(got) {
			t.Errorf("RequestID(%q) = %q", id, got)
		}
	}
}

func TestTracingOffWithoutEndpoint(t *testing.T) {
	tp, stop, err := telemetry.TracerProvider(context.Background(), func(string) string { return "" })
	if err != nil || tp != nil {
		t.Fatalf("with no endpoint: provider %v, err %v; want none", tp, err)
	}
	if err := stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	tp, stop, err = telemetry.TracerProvider(context.Background(), func(k string) string {
		if k == "OTEL_EXPORTER_OTLP_ENDPOINT" {
			return "http://127.0.0.1:1"
		}
		return ""
	})
	if err != nil || tp == nil {
		t.Fatalf("with an endpoint: provider %v, err %v; want one", tp, err)
	}
	_ = stop(context.Background())
}
