package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTokenCommandsWhileServing: with the server running on the embedded
// store (whose directory it locks), token create, list and revoke go
// through its admin socket, which only the server's account can open, and
// the created token works against the running API at once.
func TestTokenCommandsWhileServing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	dir := t.TempDir()
	env := map[string]string{"BROKERFINDER_DATA_DIR": dir, "BROKERFINDER_SEED_DIR": "../../seed"}
	getenv := func(k string) string { return env[k] }
	base, stop := startRun(t, env)

	fi, err := os.Stat(filepath.Join(dir, adminSocketName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("admin socket mode %v, want a socket with 0600", fi.Mode())
	}

	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"token", "create", "--name", "Ada Adviser", "--role", "adviser"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("token create while serving: %v", err)
	}
	secret := strings.TrimSpace(out.String())
	if len(secret) < 20 || !strings.Contains(errOut.String(), "through the running server") {
		t.Fatalf("token create printed %q / %q", secret, errOut.String())
	}
	// The new token works at once: an adviser may list their referrals.
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/referrals", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the new token on the running API: %d, want 200", res.StatusCode)
	}

	out.Reset()
	if err := run(ctx, []string{"token", "list"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("token list while serving: %v", err)
	}
	var id string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "Ada Adviser") {
			id = strings.Fields(line)[0]
		}
	}
	if id == "" {
		t.Fatalf("token list does not show the new token:\n%s", out.String())
	}
	if err := run(ctx, []string{"token", "create", "--name", "x", "--role", "provider_editor", "--provider", "no-such-provider"}, getenv, io.Discard, io.Discard); err == nil {
		t.Error("a provider editor token for no provider: want an error")
	}
	if err := run(ctx, []string{"token", "revoke", id}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatalf("token revoke while serving: %v", err)
	}
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d, want 401", res.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, adminSocketName)); !os.IsNotExist(err) {
		t.Errorf("admin socket left after shutdown: %v", err)
	}
}
