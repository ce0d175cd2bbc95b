package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

const testToken = "e2e-admin-token"

var listeningRE = regexp.MustCompile(`msg=listening url=(http://\S+)`)

// waitForURL reads log lines until the server says where it listens.
func waitForURL(t *testing.T, r io.Reader, errc <-chan error) string {
	t.Helper()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		found := false
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil && !found {
				found = true
				urlc <- m[1]
			}
		}
	}()
	select {
	case u := <-urlc:
		return u
	case err := <-errc:
		t.Fatalf("server stopped before listening: %v", err)
	case <-time.After(120 * time.Second):
		t.Fatal("server did not start listening within 120s")
	}
	return ""
}

// startRun starts run in-process and returns its base URL and a stop
// function that shuts it down gracefully and returns run's error.
func startRun(t *testing.T, env map[string]string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		errc <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, getenv, io.Discard, pw)
		pw.Close()
	}()
	url := waitForURL(t, pr, errc)
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("run did not return within 30s of cancel")
		}
	}
	t.Cleanup(func() { _ = stop() })
	return url, stop
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	return getJSONWith(t, url, "", v)
}

// getJSONAuth is getJSON with the admin token.
func getJSONAuth(t *testing.T, url string, v any) int {
	t.Helper()
	return getJSONWith(t, url, testToken, v)
}

func getJSONWith(t *testing.T, url, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return res.StatusCode
}

func postProvider(t *testing.T, base string, p directory.Provider) directory.Provider {
	t.Helper()
	b, _ := json.Marshal(p)
	req, _ := http.NewRequest("POST", base+"/v1/providers", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out directory.Provider
	if res.StatusCode != 201 {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return out
}

type page struct {
	Total int64                `json:"total"`
	Items []directory.Provider `json:"items"`
}

// TestServeSeedsAndKeepsWrites starts the whole service through run on the
// shipped seed, checks every seed record is listed, writes one more, shuts
// down gracefully and starts again on the same data directory.
func TestServeSeedsAndKeepsWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the full service twice and seeds the full directory")
	}
	want, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"BROKERFINDER_DATA_DIR":    t.TempDir(),
		"BROKERFINDER_SEED_DIR":    "../../seed",
		"BROKERFINDER_ADMIN_TOKEN": testToken,
		"BROKERFINDER_LOG_LEVEL":   "info",
	}
	base, stop := startRun(t, env)
	seen := map[string]bool{}
	for pg := 1; ; pg++ {
		var p page
		if st := getJSON(t, fmt.Sprintf("%s/v1/providers?per_page=100&page=%d", base, pg), &p); st != 200 {
			t.Fatalf("list: %d", st)
		}
		for _, it := range p.Items {
			seen[it.ID] = true
		}
		if p.Total != int64(len(want)) {
			t.Fatalf("total %d, want %d seed records", p.Total, len(want))
		}
		if len(p.Items) < 100 {
			break
		}
	}
	for _, p := range want {
		if !seen[p.ID] {
			t.Errorf("seed record %s (%s) not listed", p.ID, p.Name)
		}
	}
	added := postProvider(t, base, storetest.Provider("Written before restart"))
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}

	base, _ = startRun(t, env)
	var p page
	getJSON(t, base+"/v1/providers?per_page=1", &p)
	if p.Total != int64(len(want))+1 {
		t.Fatalf("after restart: %d providers, want %d (seed not loaded twice, write kept)", p.Total, len(want)+1)
	}
	var got directory.Provider
	if st := getJSON(t, base+"/v1/providers/"+added.ID, &got); st != 200 || got.Name != "Written before restart" {
		t.Fatalf("write lost across restart: %d %q", st, got.Name)
	}
}

// TestKillNineKeepsAcknowledgedWrites runs the real binary, writes, kills it
// with SIGKILL mid-stream and checks every acknowledged write survived.
func TestKillNineKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "brokerfinder")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	seedDir := filepath.Join(dir, "no-seed") // start empty: this test is about writes
	data := filepath.Join(dir, "data")
	// The embedded store in data, or the networked one CI names (the
	// server killed is brokerfinder's either way).
	uri, db := externalStore(t, "kill")
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(),
			"BROKERFINDER_DATA_DIR="+data, "BROKERFINDER_SEED_DIR="+seedDir,
			"BROKERFINDER_ADMIN_TOKEN="+testToken, "BROKERFINDER_MONGODB_URI="+uri, "BROKERFINDER_MONGODB_DATABASE="+db, "BROKERFINDER_RATE_LIMIT=0")
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
	cmd, base := start()

	// Write a stream of records; kill the process while requests are in
	// flight. Only writes acknowledged with 201 must survive.
	acked := make(chan string, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			p := storetest.Provider(fmt.Sprintf("Stream %03d", i))
			b, _ := json.Marshal(p)
			req, _ := http.NewRequest("POST", base+"/v1/providers", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+testToken)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return // the server is gone
			}
			var out directory.Provider
			_ = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if res.StatusCode == 201 {
				acked <- out.ID
			}
			if i%2 == 1 {
				// Every other record gets a second version too, so the
				// kill may land in an update as well as a create.
				req, _ := http.NewRequest("PATCH", base+"/v1/providers/"+out.ID, strings.NewReader(`{"summary":"Changed after creation."}`))
				req.Header.Set("Content-Type", "application/merge-patch+json")
				req.Header.Set("Authorization", "Bearer "+testToken)
				req.Header.Set("If-Match", `"1"`)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				res.Body.Close()
			}
		}
	}()
	deadline := time.After(60 * time.Second)
	for len(acked) < 20 {
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

	_, base = start()
	n := 0
	var ackedIDs []string
	for id := range acked {
		ackedIDs = append(ackedIDs, id)
		n++
		var got directory.Provider
		if st := getJSON(t, base+"/v1/providers/"+id, &got); st != 200 || !strings.HasPrefix(got.Name, "Stream ") {
			t.Errorf("acknowledged write %s lost after kill -9: status %d", id, st)
		}
	}
	if n < 20 {
		t.Fatalf("checked %d acknowledged writes, want at least 20", n)
	}
	// And every one is searchable: the index was caught up from the store.
	found := map[string]bool{}
	for pg := 1; ; pg++ {
		var res struct {
			Total int `json:"total"`
			Items []struct {
				Provider struct {
					ID string `json:"id"`
				} `json:"provider"`
			} `json:"items"`
		}
		if st := getJSON(t, fmt.Sprintf("%s/v1/search?q=stream&per_page=100&page=%d", base, pg), &res); st != 200 {
			t.Fatalf("search after restart: %d", st)
		}
		for _, it := range res.Items {
			found[it.Provider.ID] = true
		}
		if len(res.Items) < 100 {
			break
		}
	}
	for _, id := range ackedIDs {
		if !found[id] {
			t.Errorf("acknowledged write %s not in search results after kill -9", id)
		}
	}
	// Every version of every record, including those whose write the kill
	// cut short and the restart finished, has exactly one audit entry.
	var listed []directory.Provider
	for pg := 1; ; pg++ {
		var all struct {
			Items []directory.Provider `json:"items"`
		}
		if st := getJSONAuth(t, fmt.Sprintf("%s/v1/providers?per_page=100&page=%d", base, pg), &all); st != 200 {
			t.Fatalf("listing after restart: %d", st)
		}
		listed = append(listed, all.Items...)
		if len(all.Items) < 100 {
			break
		}
	}
	if len(listed) < n {
		t.Fatalf("listed %d providers after restart, want at least %d", len(listed), n)
	}
	for _, p := range listed {
		var hist struct {
			Versions []struct {
				Version int64 `json:"version"`
			} `json:"versions"`
		}
		if st := getJSONAuth(t, base+"/v1/providers/"+p.ID+"/history", &hist); st != 200 {
			t.Fatalf("history of %s: %d", p.ID, st)
		}
		var audit struct {
			Items []directory.AuditEntry `json:"items"`
		}
		if st := getJSONAuth(t, base+"/v1/admin/audit?target_type=provider&per_page=100&target_id="+p.ID, &audit); st != 200 {
			t.Fatalf("audit of %s: %d", p.ID, st)
		}
		per := map[int64]int{}
		for _, e := range audit.Items {
			per[e.Version]++
		}
		for _, v := range hist.Versions {
			if per[v.Version] != 1 {
				t.Errorf("version %d of %s has %d audit entries, want 1", v.Version, p.ID, per[v.Version])
			}
		}
		if len(audit.Items) != len(hist.Versions) {
			t.Errorf("%s: %d audit entries for %d versions", p.ID, len(audit.Items), len(hist.Versions))
		}
	}
}

func TestRunCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, func(string) string { return "" }, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "brokerfinder ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command: want an error")
	}
}

// TestTokenAndSeedCommands runs token create/list/revoke and seed against one
// embedded store and checks each through the next.
func TestTokenAndSeedCommands(t *testing.T) {
	env := map[string]string{"BROKERFINDER_DATA_DIR": t.TempDir(), "BROKERFINDER_SEED_DIR": "../../seed"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"token", "create", "--name", "ops"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("token create: %v", err)
	}
	secret := strings.TrimSpace(out.String())
	if !strings.HasPrefix(secret, "bf_") || len(secret) < 40 {
		t.Fatalf("token create printed %q", secret)
	}
	out.Reset()
	if err := run(ctx, []string{"token", "list"}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), secret) || !strings.Contains(out.String(), "ops") {
		t.Fatalf("token list must show the name but never the secret:\n%s", out.String())
	}
	id := strings.Fields(strings.Split(out.String(), "\n")[1])[0]
	out.Reset()
	if err := run(ctx, []string{"token", "revoke", id}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("token revoke: %v", err)
	}
	if err := run(ctx, []string{"token", "revoke", "no-such-token"}, getenv, io.Discard, io.Discard); err == nil {
		t.Fatal("revoking an unknown token: want an error")
	}
	if err := run(ctx, []string{"token", "create"}, getenv, io.Discard, io.Discard); err == nil {
		t.Fatal("token create without --name: want an error")
	}

	if testing.Short() {
		return
	}
	out.Reset()
	if err := run(ctx, []string{"seed"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("seed: %v", err)
	}
	if !strings.Contains(out.String(), "0 updated, 0 unchanged") || strings.Contains(out.String(), " 0 created") {
		t.Fatalf("first seed: %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"seed"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	if !strings.Contains(out.String(), ": 0 created, 0 updated") || !strings.Contains(out.String(), "0 kept") {
		t.Fatalf("second seed should change nothing: %s", out.String())
	}
}

func TestSeedRefusesInvalidDirectory(t *testing.T) {
	dir := t.TempDir()
	bad := `[{"id":"bad-1","name":"","type":"wizard","status":"published"}]`
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	env := map[string]string{"BROKERFINDER_DATA_DIR": data, "BROKERFINDER_SEED_DIR": dir}
	err := run(context.Background(), []string{"seed"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "bad.json record 0 name") || !strings.Contains(err.Error(), "bad.json record 0 type") {
		t.Fatalf("seed of an invalid file: %v; want every problem named with file and field", err)
	}
	if _, statErr := os.Stat(filepath.Join(data, "db")); statErr == nil {
		t.Fatal("the store was opened although the seed was invalid: nothing may be written")
	}
}

// externalStore returns the server named by BROKERFINDER_TEST_MONGODB_URI
// and a database of the test's own there, dropped when t ends; or "" and
// "brokerfinder" when it is unset (the embedded store).
func externalStore(t *testing.T, prefix string) (uri, db string) {
	t.Helper()
	uri = os.Getenv("BROKERFINDER_TEST_MONGODB_URI")
	if uri == "" {
		return "", "brokerfinder"
	}
	db = fmt.Sprintf("bf%s_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1e9)
	t.Cleanup(func() {
		ctx := context.Background()
		if s, err := mongodb.Open(ctx, uri, db); err == nil {
			_ = s.DropDatabase(ctx)
			_ = s.Close(ctx)
		}
	})
	return uri, db
}
