package main

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// privacyClient holds distinctive values of every free-text field that can
// carry client information, so a search for them finds nothing else.
var privacyClient = privacyValues{
	Name:      "Zephyrine",
	Phone:     "0113 496 0777",
	Email:     "zephyrine.q@example.org",
	Note:      "Quixotic-note: prefers afternoons after medication",
	Decline:   "we cannot support psychosis-xq7",
	Withdraw:  "client moved away-xq8",
	TokenHash: "tokhash-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
}

type privacyValues struct {
	Name, Phone, Email, Note, Decline, Withdraw, TokenHash string
}

// values are the client's values (not the token hash).
func (c privacyValues) values() []string {
	return []string{c.Name, c.Phone, c.Email, c.Note, c.Decline, c.Withdraw}
}

// privacyEnv is a store opened as serve opens it, at debug level, with a
// service over it and everything logged into logs.
type privacyEnv struct {
	cfg   *config
	logs  *syncBuffer
	store *mongodb.Store
	svc   *service.Service
	close func()
}

func openPrivacyEnv(t *testing.T, dataDir string, now func() time.Time) *privacyEnv {
	t.Helper()
	cfg := defaultConfig()
	cfg.DataDir = dataDir
	cfg.LogLevel = logLevel(slog.LevelDebug)
	e := &privacyEnv{cfg: &cfg, logs: &syncBuffer{}}
	logger, err := cfg.logger(e.logs)
	if err != nil {
		t.Fatal(err)
	}
	store, closeStore, err := openStore(context.Background(), &cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	e.store, e.close = store, closeStore
	e.svc = service.New(service.Config{Store: store, Logger: logger, Now: now})
	var once sync.Once
	t.Cleanup(func() { once.Do(closeStore) })
	e.close = func() { once.Do(closeStore) }
	return e
}

// referDeclineWithdraw makes a referral with privacyClient's details, has
// the provider decline it with a reason naming a health condition, and
// then withdraws consent. It returns the referral's id.
func (e *privacyEnv) referDeclineWithdraw(t *testing.T) string {
	t.Helper()
	return e.referDecline(t, true)
}

// referDecline is referDeclineWithdraw, closing the declined referral
// instead of withdrawing consent when withdraw is false.
func (e *privacyEnv) referDecline(t *testing.T, withdraw bool) string {
	t.Helper()
	ctx := context.Background()
	tool := service.Tool(ctx, "privacy test")
	p := storetest.Provider("Privacy Test Provider")
	if err := e.svc.CreateProvider(tool, &p); err != nil {
		t.Fatal(err)
	}
	// Unique per call (hashes are), and each holds privacyClient.TokenHash.
	tok := directory.Token{ID: directory.NewID(), Name: "Adviser Z", Role: directory.RoleAdviser}
	tok.Hash = privacyClient.TokenHash + "-" + tok.ID
	if err := e.svc.CreateToken(tool, &tok); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.TokenByHash(ctx, tok.Hash); err != nil {
		t.Fatal(err)
	}
	adviser := directory.WithActor(ctx, directory.ActorOf(&tok))
	editor := directory.WithActor(ctx, directory.Actor{ID: "tok-editor", Name: "Editor", Role: directory.RoleProviderEditor})
	r := directory.Referral{
		ProviderID: p.ID,
		Client: directory.ClientDetails{Name: privacyClient.Name, Phone: privacyClient.Phone, Email: privacyClient.Email,
			Needs: &directory.Needs{Support: []string{"job_search"}}},
		Consent: directory.Consent{GivenBy: "client", GivenAt: e.svc.Now().Add(-time.Minute).UTC().Truncate(time.Millisecond),
			Shares: []string{"name", "contact", "needs"}, ProviderID: p.ID},
		Note:      privacyClient.Note,
		CreatedBy: tok.ID, CreatedByName: tok.Name,
	}
	if err := e.svc.CreateReferral(adviser, &r); err != nil {
		t.Fatal(err)
	}
	cur := &r
	for _, tr := range []service.Transition{
		{Status: directory.ReferralAcknowledged},
		{Status: directory.ReferralDeclined, Reason: privacyClient.Decline},
	} {
		next, err := e.svc.TransitionReferral(editor, cur, cur.Version, tr)
		if err != nil {
			t.Fatalf("%s: %v", tr.Status, err)
		}
		cur = next
	}
	if got, _ := e.store.Referral(ctx, r.ID); got == nil || got.Client.Name != privacyClient.Name {
		t.Fatalf("referral not stored with its details: %+v", got)
	}
	if !withdraw {
		if _, err := e.svc.TransitionReferral(editor, cur, cur.Version, service.Transition{Status: directory.ReferralClosed}); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	if _, err := e.svc.WithdrawConsent(adviser, r.ID); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// TestDebugLogsHoldNoClientData: at debug level the embedded store logs
// neither a referral's client details nor a token hash, while the
// application's own debug logging still works.
func TestDebugLogsHoldNoClientData(t *testing.T) {
	e := openPrivacyEnv(t, t.TempDir(), nil)
	e.referDeclineWithdraw(t)
	e.close()
	logs := e.logs.String()
	if !strings.Contains(logs, "embedded store started") {
		t.Fatalf("nothing logged; the test would prove nothing:\n%s", logs)
	}
	for _, v := range append(privacyClient.values(), privacyClient.TokenHash) {
		if strings.Contains(logs, v) {
			t.Errorf("the debug log holds %q", v)
		}
	}
}

// TestWithdrawConsentLeavesNoTrace: once WithdrawConsent returns, no client
// detail nor the decline reason is in the referral, a backup (which reads
// every collection's documents through the driver), or any file of the
// data directory, SQLite's WAL included, with the store still open, as a
// kill -9 would leave it.
func TestWithdrawConsentLeavesNoTrace(t *testing.T) {
	dir := t.TempDir()
	e := openPrivacyEnv(t, dir, nil)
	id := e.referDeclineWithdraw(t)
	ctx := context.Background()

	r, err := e.store.Referral(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.ErasedAt == nil || !r.Client.Empty() || r.Note != "" || r.Reason != "" {
		t.Errorf("referral after withdrawal: %+v", r)
	}
	for _, ev := range r.Events {
		if ev.Reason != "" {
			t.Errorf("event %d kept its reason %q", ev.Version, ev.Reason)
		}
	}

	var backup bytes.Buffer
	if _, err := e.store.Backup(ctx, &backup); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(backup.Bytes(), []byte("Privacy Test Provider")) {
		t.Fatal("the backup lacks the provider; the search below would prove nothing")
	}
	for _, v := range privacyClient.values() {
		if bytes.Contains(backup.Bytes(), []byte(v)) {
			t.Errorf("the backup holds %q", v)
		}
	}

	files := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, v := range privacyClient.values() {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds %q", path, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("only %d files in the data directory", files)
	}
}

// TestRetentionSweepErases: serve's sweep, with the clock moved past the
// retention period, erases a closed referral's details and its decline
// reason, leaving none of them in the data directory's files.
func TestRetentionSweepErases(t *testing.T) {
	dir := t.TempDir()
	e := openPrivacyEnv(t, dir, nil)
	id := e.referDecline(t, false)
	later := service.New(service.Config{Store: e.store, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return time.Now().AddDate(1, 0, 1) }})
	stop := startRetention(context.Background(), later, service.DefaultRetention, 10*time.Millisecond, slog.New(slog.DiscardHandler))
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := e.store.Referral(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.ErasedAt != nil {
			if r.Reason != "" || r.Note != "" || !r.Client.Empty() || r.Status != directory.ReferralClosed {
				t.Errorf("after the sweep: %+v", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sweep did not erase the closed referral")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	var backup bytes.Buffer
	if _, err := e.store.Backup(context.Background(), &backup); err != nil {
		t.Fatal(err)
	}
	for _, v := range privacyClient.values() {
		if i := bytes.Index(backup.Bytes(), []byte(v)); i >= 0 {
			t.Errorf("the backup holds %q: %q", v, backup.Bytes()[max(0, i-300):i+40])
		}
	}
}

// TestPrivacyArtifacts writes, into the directory BROKERFINDER_PRIVACY_OUT
// names, the debug log of a run that refers clients, declines, withdraws
// consent and erases by retention (debug.log), a backup taken after the
// erasures (backup.bson) and the client values it used, one a line
// (values.txt), for scripts/check-no-client-data.sh (a step of .ci/run).
// Without the variable it is skipped: the tests above assert the same
// in-process.
func TestPrivacyArtifacts(t *testing.T) {
	out := os.Getenv("BROKERFINDER_PRIVACY_OUT")
	if out == "" {
		t.Skip("BROKERFINDER_PRIVACY_OUT is not set")
	}
	e := openPrivacyEnv(t, t.TempDir(), nil)
	e.referDeclineWithdraw(t)
	closed := e.referDecline(t, false)
	later := service.New(service.Config{Store: e.store, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return time.Now().AddDate(1, 0, 1) }})
	if n, err := later.EraseExpiredReferrals(context.Background(), service.DefaultRetention); err != nil || n != 1 {
		t.Fatalf("retention erased %d, %v; want the closed referral %s", n, err, closed)
	}
	var backup bytes.Buffer
	if _, err := e.store.Backup(context.Background(), &backup); err != nil {
		t.Fatal(err)
	}
	e.close()
	// Not the token hash: a backup holds it by design.
	values := privacyClient.values()
	for name, b := range map[string][]byte{
		"debug.log":   []byte(e.logs.String()),
		"backup.bson": backup.Bytes(),
		"values.txt":  []byte(strings.Join(values, "\n") + "\n"),
	} {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
