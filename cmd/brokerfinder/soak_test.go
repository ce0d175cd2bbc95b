package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/load"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
)

// soakSkip is the message of a skipped soak test: how to run it.
const soakSkip = "soak test off: run it with BROKERFINDER_SOAK=10m go test -run Soak -timeout 30m ./cmd/brokerfinder/"

// Soak figures.
const (
	soakProviders   = 2000
	soakReadsPerPut = 50
	soakWorkers     = 4 // the machine has two cores, shared
	soakMaxRSSGrow  = 0.10
)

// TestSoak runs two serve replicas (the real binary) on one embedded store
// holding a generated 2,000-provider directory, under mixed load for
// BROKERFINDER_SOAK: match and search reads alternating between replicas,
// and one PUT (If-Match, retried on 412) per 50 reads. It asserts no errors,
// RSS growth under 10% from the end of a warm-up (a minute, or half a
// shorter run) to the end, and a clean `brokerfinder check` of both
// replicas afterwards.
func TestSoak(t *testing.T) {
	v := os.Getenv("BROKERFINDER_SOAK")
	if v == "" {
		t.Skip(soakSkip)
	}
	duration, err := time.ParseDuration(v)
	if err != nil || duration < 10*time.Second {
		t.Fatalf("BROKERFINDER_SOAK=%q: want a duration of at least 10s, such as 10m", v)
	}
	warmUp := min(time.Minute, duration/2)
	// BROKERFINDER_SOAK_PROVIDERS sizes the directory: CI's short soak on
	// FerretDB over PostgreSQL, which loads a directory slowly, uses fewer.
	providers := soakProviders
	if v := os.Getenv("BROKERFINDER_SOAK_PROVIDERS"); v != "" {
		if providers, err = strconv.Atoi(v); err != nil || providers < 100 {
			t.Fatalf("BROKERFINDER_SOAK_PROVIDERS=%q: want a whole number, 100 or more", v)
		}
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "brokerfinder")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	directoryDir := filepath.Join(dir, "directory")
	if out, err := exec.Command(bin, "gen", "--providers", strconv.Itoa(providers), "--seed", "7",
		"--out", directoryDir, "--seed-dir", "../../seed").CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	// The replicas share the store named by BROKERFINDER_TEST_MONGODB_URI
	// (a database of their own), else an embedded one.
	uri, db := externalStore(t, "soak")
	if uri == "" {
		e, err := mongodb.StartEmbedded(ctx, filepath.Join(dir, "store"), slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		uri, db = e.URI(), "brokerfinder"
	}

	// A first, so that it alone seeds the empty store; then B.
	var replicas []*soakReplica
	for _, name := range []string{"A", "B"} {
		replicas = append(replicas, startReplica(t, bin, name, uri, db, directoryDir))
	}
	t.Logf("replicas: A %s (pid %d), B %s (pid %d)", replicas[0].url, replicas[0].pid, replicas[1].url, replicas[1].pid)

	// The ids to write to, from the store itself: listing 2,000 providers
	// through the API is slow on the embedded store (it sorts in Go).
	store, err := mongodb.Open(ctx, uri, db)
	if err != nil {
		t.Fatal(err)
	}
	visible, err := finder.StoreVersions(ctx, store)
	_ = store.Close(ctx)
	if err != nil || len(visible) < providers/2 {
		t.Fatalf("%d visible providers in the store (%v), want most of %d", len(visible), err, providers)
	}
	var ids []string
	for id := range visible {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	districts, err := genDistricts("", "../../seed")
	if err != nil {
		t.Fatal(err)
	}
	type builders struct {
		match, search func(int, *rand.Rand) (*http.Request, error)
	}
	var reqs []builders
	for _, r := range replicas {
		cfg := load.Config{BaseURL: r.url, Districts: districts}
		m, err1 := load.Requests("match", cfg)
		s, err2 := load.Requests("search", cfg)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		reqs = append(reqs, builders{m, s})
	}

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: soakWorkers}}
	var (
		next, reads, writes, retried412 atomic.Int64
		errMu                           sync.Mutex
		errs                            []string
		errCount                        int
	)
	fail := func(s string) {
		errMu.Lock()
		defer errMu.Unlock()
		errCount++
		if len(errs) < 10 {
			errs = append(errs, s)
		}
	}
	loadCtx, stopLoad := context.WithTimeout(ctx, duration)
	defer stopLoad()
	var wg sync.WaitGroup
	for w := range soakWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 2024))
			for loadCtx.Err() == nil {
				i := int(next.Add(1) - 1)
				r := i % 2 // alternate replicas
				if i%(soakReadsPerPut+1) == soakReadsPerPut {
					n, err := soakPut(loadCtx, client, replicas[r].url, ids[rnd.IntN(len(ids))], i)
					retried412.Add(int64(n))
					if err != nil && loadCtx.Err() == nil {
						fail(err.Error())
					}
					writes.Add(1)
					continue
				}
				build := reqs[r].match
				if (i/2)%2 == 1 {
					build = reqs[r].search
				}
				req, err := build(i, rnd)
				if err != nil {
					fail(err.Error())
					continue
				}
				res, err := client.Do(req.WithContext(loadCtx))
				if err != nil {
					if loadCtx.Err() == nil {
						fail(err.Error())
					}
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					fail(fmt.Sprintf("%s %s on %s: %d", req.Method, req.URL.Path, replicas[r].name, res.StatusCode))
				}
				reads.Add(1)
			}
		}()
	}

	select {
	case <-time.After(warmUp):
	case <-loadCtx.Done():
	}
	startRSS := make([]int64, len(replicas))
	for i, r := range replicas {
		startRSS[i] = rssKB(t, r.pid)
	}
	wg.Wait()
	endRSS := make([]int64, len(replicas))
	for i, r := range replicas {
		endRSS[i] = rssKB(t, r.pid)
	}

	time.Sleep(2 * time.Second) // followers poll every second
	var checkOut bytes.Buffer
	checkEnv := map[string]string{"BROKERFINDER_ADMIN_TOKEN": testToken, "BROKERFINDER_MONGODB_URI": uri, "BROKERFINDER_MONGODB_DATABASE": db}
	checkErr := run(ctx, []string{"check", "--url", replicas[0].url, "--url", replicas[1].url},
		func(k string) string { return checkEnv[k] }, &checkOut, io.Discard)

	t.Logf("soak %s (warm-up %s): %d requests (%d reads, %d writes, %d retries after 412), %d errors",
		duration, warmUp, reads.Load()+writes.Load(), reads.Load(), writes.Load(), retried412.Load(), errCount)
	for i, r := range replicas {
		t.Logf("replica %s RSS: %d MiB after warm-up, %d MiB at the end (%+.1f%%)",
			r.name, startRSS[i]>>10, endRSS[i]>>10, 100*float64(endRSS[i]-startRSS[i])/float64(startRSS[i]))
	}
	t.Logf("check: %v\n%s", checkErr, checkOut.String())

	if errCount > 0 {
		t.Errorf("%d errors; first ones:\n%s", errCount, strings.Join(errs, "\n"))
	}
	if writes.Load() == 0 || reads.Load() < soakReadsPerPut {
		t.Errorf("too little load to mean anything: %d reads, %d writes", reads.Load(), writes.Load())
	}
	for i, r := range replicas {
		if grow := float64(endRSS[i]-startRSS[i]) / float64(startRSS[i]); grow >= soakMaxRSSGrow {
			t.Errorf("replica %s RSS grew %.1f%% (%d to %d KiB), want under %.0f%%", r.name, 100*grow, startRSS[i], endRSS[i], 100*soakMaxRSSGrow)
		}
	}
	if checkErr != nil {
		t.Errorf("check after the soak: %v", checkErr)
	}
}

type soakReplica struct {
	name, url string
	pid       int
}

// startReplica starts `brokerfinder serve` as a subprocess on the shared
// store, with its own data directory, and waits until it listens.
func startReplica(t *testing.T, bin, name, uri, db, seedDir string) *soakReplica {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(),
		"BROKERFINDER_DATA_DIR="+t.TempDir(), "BROKERFINDER_SEED_DIR="+seedDir,
		"BROKERFINDER_MONGODB_URI="+uri, "BROKERFINDER_MONGODB_DATABASE="+db, "BROKERFINDER_ADMIN_TOKEN="+testToken,
		"BROKERFINDER_RATE_LIMIT=0", "BROKERFINDER_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The replica's log, for reading when something fails.
	logFile, err := os.Create(filepath.Join(os.TempDir(), fmt.Sprintf("ops-soak-replica-%s-%d.log", name, os.Getpid())))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("replica %s logs to %s", name, logFile.Name())
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	t.Cleanup(func() {
		defer logFile.Close()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-errc:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	return &soakReplica{name: name, url: waitForURL(t, io.TeeReader(stderr, logFile), errc), pid: cmd.Process.Pid}
}

// soakPut changes one provider's summary through base: read, PUT with
// If-Match, and on 412 (another writer got there first) read and try again.
// It returns how many 412s it retried.
func soakPut(ctx context.Context, client *http.Client, base, id string, i int) (int, error) {
	for attempt := 0; attempt < 20; attempt++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/providers/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		res, err := client.Do(req)
		if err != nil {
			return attempt, err
		}
		var p directory.Provider
		err = json.NewDecoder(res.Body).Decode(&p)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || err != nil {
			return attempt, fmt.Errorf("GET %s: %d %v", id, res.StatusCode, err)
		}
		p.Summary = fmt.Sprintf("Changed by the soak test, write %d.", i)
		body, _ := json.Marshal(p)
		req, _ = http.NewRequestWithContext(ctx, http.MethodPut, base+"/v1/providers/"+id, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", res.Header.Get("ETag"))
		res, err = client.Do(req)
		if err != nil {
			return attempt, err
		}
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusOK:
			return attempt, nil
		case http.StatusPreconditionFailed:
			continue
		}
		return attempt, fmt.Errorf("PUT %s: %d %s", id, res.StatusCode, msg)
	}
	return 20, fmt.Errorf("PUT %s: 412 twenty times running", id)
}

// rssKB reads a process's resident set size from /proc.
func rssKB(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("reading RSS: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmRSS %q: %v", rest, err)
			}
			return n
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}
