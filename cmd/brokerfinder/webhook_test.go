package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
	var (
		up         atomic.Bool
		mu         sync.Mutex
		got        = map[string]int{}
		inFlight   = map[string]int{}
		concurrent []string
	)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		id := r.Header.Get("webhook-id")
		mu.Lock()
		inFlight[id]++
		if inFlight[id] > 1 {
			concurrent = append(concurrent, id)
		}
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		inFlight[id]--
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got[id]++
	}))
	defer rec.Close()

	dir := t.TempDir()
	bin := filepath.Join(dir, "brokerfinder")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(),
			"BROKERFINDER_DATA_DIR="+data, "BROKERFINDER_SEED_DIR="+filepath.Join(dir, "no-seed"),
			"BROKERFINDER_ADMIN_TOKEN="+testToken, "BROKERFINDER_MONGODB_URI=", "BROKERFINDER_RATE_LIMIT=0",
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
	post := func(base, path string, body any) (*http.Response, error) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testToken)
		return http.DefaultClient.Do(req)
	}
	cmd, base := start()
	res, err := post(base, "/v1/admin/webhooks", map[string]any{"url": rec.URL + "/hooks", "events": []string{directory.EventProviderChanged}})
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("registering: %v %v", res, err)
	}
	res.Body.Close()

	acked := make(chan string, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			res, err := post(base, "/v1/providers", storetest.Provider(fmt.Sprintf("Hooked %03d", i)))
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

	up.Store(true)
	start()
	want := map[string]bool{}
	for id := range acked {
		want[directory.WebhookEventID(directory.EventProviderChanged, id, "1")] = true
	}
	wait := time.After(90 * time.Second)
	for {
		mu.Lock()
		missing := 0
		for id := range want {
			if got[id] == 0 {
				missing++
			}
		}
		mu.Unlock()
		if missing == 0 {
			break
		}
		select {
		case <-wait:
			t.Fatalf("%d of %d acknowledged writes' events never arrived", missing, len(want))
		case <-time.After(100 * time.Millisecond):
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(concurrent) > 0 {
		t.Errorf("events received twice at once: %v", concurrent)
	}
	t.Logf("%d acknowledged writes, %d events received", len(want), len(got))
}
