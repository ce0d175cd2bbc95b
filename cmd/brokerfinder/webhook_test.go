package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestWebhooksSurviveKillNine runs the real binary with a webhook whose
// receiver is down, writes a stream of providers, kills the server with
// SIGKILL mid-stream, starts it again and brings the receiver back: every
// acknowledged write's event arrives, and none is received twice at once.
func TestWebhooksSurviveKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	rec := newHookReceiver(t, 5*time.Millisecond)
	bin := buildBinary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	start := func() (*exec.Cmd, string) { return startHooked(t, bin, data, "") }
	cmd, base := start()
	registerHook(t, base, rec.srv.URL)
	want := map[string]bool{}
	for _, id := range writeUntilKilled(t, cmd, base) {
		want[directory.WebhookEventID(directory.EventProviderChanged, id, "1")] = true
	}
	rec.up.Store(true)
	start()
	rec.check(t, want)
}

// TestWebhooksTwoReplicasOneStore runs the real binary as two replicas on
// one store while one of them is killed mid-stream: every acknowledged
// write's event arrives (from whichever replica), and no event is ever
// received twice at once.
func TestWebhooksTwoReplicasOneStore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	e, err := mongodb.StartEmbedded(context.Background(), filepath.Join(t.TempDir(), "store"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	rec := newHookReceiver(t, 30*time.Millisecond) // slow, so sends overlap
	rec.up.Store(true)
	bin := buildBinary(t)
	cmdA, a := startHooked(t, bin, t.TempDir(), e.URI())
	_, b := startHooked(t, bin, t.TempDir(), e.URI())
	registerHook(t, a, rec.srv.URL)
	want := map[string]bool{}
	// Writes through B while A (sending too) is killed, then more through B.
	go func() {
		time.Sleep(2 * time.Second)
		_ = cmdA.Process.Signal(syscall.SIGKILL)
	}()
	for _, base := range []string{a, b} {
		for i := range 20 {
			res, err := postJSON(base, "/v1/providers", storetest.Provider(fmt.Sprintf("Replicated %03d", i)))
			if err != nil {
				continue // A is gone
			}
			var out directory.Provider
			_ = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if res.StatusCode == http.StatusCreated {
				want[directory.WebhookEventID(directory.EventProviderChanged, out.ID, "1")] = true
			}
		}
	}
	if len(want) < 20 {
		t.Fatalf("only %d writes acknowledged", len(want))
	}
	rec.check(t, want)
}

// hookReceiver is a local receiver that records deliveries by webhook-id,
// answers 503 until up, and notices one id being received twice at once.
type hookReceiver struct {
	srv        *httptest.Server
	up         atomic.Bool
	mu         sync.Mutex
	got        map[string]int
	inFlight   map[string]int
	concurrent []string
}

func newHookReceiver(t *testing.T, delay time.Duration) *hookReceiver {
	r := &hookReceiver{got: map[string]int{}, inFlight: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		id := req.Header.Get("webhook-id")
		r.mu.Lock()
		r.inFlight[id]++
		if r.inFlight[id] > 1 {
			r.concurrent = append(r.concurrent, id)
		}
		r.mu.Unlock()
		time.Sleep(delay)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.inFlight[id]--
		if !r.up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		r.got[id]++
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// check waits for every event in want, then checks none came twice at once.
func (r *hookReceiver) check(t *testing.T, want map[string]bool) {
	t.Helper()
	wait := time.After(90 * time.Second)
	for {
		r.mu.Lock()
		missing := 0
		for id := range want {
			if r.got[id] == 0 {
				missing++
			}
		}
		r.mu.Unlock()
		if missing == 0 {
			break
		}
		select {
		case <-wait:
			t.Fatalf("%d of %d acknowledged writes' events never arrived", missing, len(want))
		case <-time.After(100 * time.Millisecond):
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.concurrent) > 0 {
		t.Errorf("events received twice at once: %v", r.concurrent)
	}
	t.Logf("%d acknowledged writes, %d events received", len(want), len(r.got))
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "brokerfinder")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startHooked starts serve with webhooks allowed to 127.0.0.1 and quick
// retries, on data (and uri, when set, else the embedded store in data).
func startHooked(t *testing.T, bin, data, uri string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(),
		"BROKERFINDER_DATA_DIR="+data, "BROKERFINDER_SEED_DIR="+filepath.Join(data, "no-seed"),
		"BROKERFINDER_ADMIN_TOKEN="+testToken, "BROKERFINDER_MONGODB_URI="+uri, "BROKERFINDER_RATE_LIMIT=0",
		"BROKERFINDER_WEBHOOK_ALLOW_HOSTS=127.0.0.1", "BROKERFINDER_WEBHOOK_RETRY_BASE=100ms")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, waitForURL(t, stderr, errc)
}

func postJSON(base, path string, body any) (*http.Response, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	return http.DefaultClient.Do(req)
}

// registerHook registers an all-providers provider.changed webhook to url.
func registerHook(t *testing.T, base, url string) {
	t.Helper()
	res, err := postJSON(base, "/v1/admin/webhooks", map[string]any{"url": url + "/hooks", "events": []string{directory.EventProviderChanged}})
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("registering: %v %v", res, err)
	}
	res.Body.Close()
}

// writeUntilKilled creates providers through base until 15 are
// acknowledged, kills cmd with SIGKILL mid-stream and returns the
// acknowledged ids.
func writeUntilKilled(t *testing.T, cmd *exec.Cmd, base string) []string {
	t.Helper()
	acked := make(chan string, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			res, err := postJSON(base, "/v1/providers", storetest.Provider(fmt.Sprintf("Hooked %03d", i)))
			if err != nil {
				return // the server is gone
			}
			var out directory.Provider
			_ = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if res.StatusCode == http.StatusCreated {
				acked <- out.ID
			}
		}
	}()
	deadline := time.After(60 * time.Second)
	for len(acked) < 15 {
		select {
		case <-deadline:
			t.Fatalf("only %d writes acknowledged in 60s", len(acked))
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	close(acked)
	var ids []string
	for id := range acked {
		ids = append(ids, id)
	}
	return ids
}
