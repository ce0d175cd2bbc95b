package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// The admin socket lets "brokerfinder token" work while the server runs:
// the embedded store's directory is then locked by the server, so the
// command asks the server instead. It is a Unix socket in the data
// directory, mode 0600: only the account that runs the server (and could
// open the store itself) can use it, so it needs no token of its own. It
// offers only the token commands, and every write goes through the
// service, audited as the command.

const adminSocketName = "admin.sock"

func adminSocketPath(c *config) string { return filepath.Join(c.DataDir, adminSocketName) }

// tokenRequest is a token to create over the socket.
type tokenRequest struct {
	Name       string `json:"name"`
	Role       string `json:"role"`
	ProviderID string `json:"provider_id,omitempty"`
}

// tokenCreated is the answer: the secret, shown once.
type tokenCreated struct {
	Secret string          `json:"secret"`
	Token  directory.Token `json:"token"`
}

type socketError struct {
	Message string `json:"message"`
}

// serveAdminSocket listens on the admin socket until stop is called.
func serveAdminSocket(path string, svc *service.Service, store directory.TokenStore, logger *slog.Logger) (stop func(), err error) {
	// A socket left by a server that died: the store's lock, held by now,
	// says no other server is using it.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	mux := http.NewServeMux()
	tool := func(r *http.Request) context.Context {
		return service.Tool(r.Context(), "brokerfinder token (via the running server)")
	}
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(w http.ResponseWriter, err error) {
		status := http.StatusInternalServerError
		var ve *directory.ValidationError
		switch {
		case errors.As(err, &ve):
			status = http.StatusBadRequest
		case errors.Is(err, directory.ErrNotFound):
			status = http.StatusNotFound
		}
		reply(w, status, socketError{err.Error()})
	}
	mux.HandleFunc("POST /tokens", func(w http.ResponseWriter, r *http.Request) {
		var req tokenRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
			reply(w, http.StatusBadRequest, socketError{"unreadable request"})
			return
		}
		t := directory.Token{Name: req.Name, Role: directory.Role(req.Role), ProviderID: req.ProviderID}
		secret := api.NewTokenSecret()
		t.Hash = api.HashToken(secret)
		if err := svc.CreateToken(tool(r), &t); err != nil {
			fail(w, err)
			return
		}
		reply(w, http.StatusCreated, tokenCreated{Secret: secret, Token: t})
	})
	mux.HandleFunc("GET /tokens", func(w http.ResponseWriter, r *http.Request) {
		list, err := store.Tokens(r.Context())
		if err != nil {
			fail(w, err)
			return
		}
		reply(w, http.StatusOK, list)
	})
	mux.HandleFunc("DELETE /tokens/{id}", func(w http.ResponseWriter, r *http.Request) {
		if err := svc.RevokeToken(tool(r), r.PathValue("id")); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("admin socket listening", "path", path)
	return func() { _ = srv.Close(); _ = os.Remove(path) }, nil
}

// adminClient talks to a running server's admin socket.
type adminClient struct{ http *http.Client }

func newAdminClient(path string) *adminClient {
	return &adminClient{http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}}
}

func (a *adminClient) do(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://admin"+path, r)
	if err != nil {
		return err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("talking to the running server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e socketError
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("the running server refused: %s", e.Message)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}
