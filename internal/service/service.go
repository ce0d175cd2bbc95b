// Package service is the one path between brokerfinder's front ends (the
// API, the public and staff pages, the commands) and its engine (the store,
// the search copies, the audit log and the fairness recorder).
//
// Every write goes through a Service method, which checks the domain rules,
// writes the store (which writes the version's audit entry with it, see
// directory.WithAction), brings the search copies up to date and audits the
// writes the store does not. Every match goes through Match or MatchAll,
// which also record what was shown for the fairness reports. Front ends
// decode, authorise, call the service and render; none of them writes the
// store, the index or the audit log itself.
package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
)

// Config is what a Service needs.
type Config struct {
	Store directory.Store
	// Finder holds the search copies. Nil in commands run while the server
	// is stopped (seed, import): the copies are then brought up to date
	// from the store when the server next opens them.
	Finder *finder.Finder
	// Recorder counts what matches showed. Nil means one made here on Store
	// when there is a Finder (without one there are no matches), whose
	// pending counts are lost at exit.
	Recorder *Recorder
	Logger   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Webhooks is how change notifications are sent (webhook.go).
	Webhooks WebhookConfig
}

// Service is safe for concurrent use.
type Service struct {
	store    directory.Store
	finder   *finder.Finder
	recorder *Recorder
	logger   *slog.Logger
	now      func() time.Time
	webhooks *webhooks
}

// New returns a Service over cfg's engine.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, finder: cfg.Finder, recorder: cfg.Recorder, logger: cfg.Logger, now: cfg.Now, webhooks: newWebhooks(cfg.Webhooks)}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.recorder == nil && s.store != nil && s.finder != nil {
		s.recorder = NewRecorder(s.store, s.logger, 0)
	}
	return s
}

// Store returns the store, for reads.
func (s *Service) Store() directory.Store { return s.store }

// Finder returns the search copies, for reads; nil in offline commands.
func (s *Service) Finder() *finder.Finder { return s.finder }

// Now returns the service's time.
func (s *Service) Now() time.Time { return s.now() }

// Ready returns ErrUnavailable until the search copies are loaded.
func (s *Service) Ready() error {
	if s.finder == nil || !s.finder.Ready() {
		return directory.ErrUnavailable
	}
	return nil
}

// indexWrite brings the search copies up to date after a store write. The
// write has succeeded whatever happens here; a failure is logged, and the
// copies are rebuilt from the store at the next start (their fingerprint
// no longer matches), and other replicas follow the store's change log.
func (s *Service) indexWrite(p *directory.Provider) {
	if s.finder == nil {
		return
	}
	if err := s.finder.Put(p); err != nil {
		s.logger.Error("updating the search index after a write", "provider", p.ID, "err", err)
	}
}

// audit appends one entry for a write that has succeeded and that the store
// does not audit itself (everything but provider versions). The write
// stands whatever happens here: a failed append is logged (with no client
// data) rather than turning a done write into an error the caller would
// retry.
func (s *Service) audit(ctx context.Context, action, targetType, targetID string, version int64) {
	a, _ := directory.ActorFrom(ctx)
	e := directory.AuditEntry{Actor: a, Action: action, TargetType: targetType, TargetID: targetID, Version: version}
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "appending to the audit log", "action", action, "target_type", targetType, "target_id", targetID, "err", err)
	}
}

// Tool returns ctx acting as a command with no token ("brokerfinder seed"),
// so its writes are attributed in histories and the audit log.
func Tool(ctx context.Context, name string) context.Context {
	return directory.WithActor(ctx, directory.Actor{ID: "tool", Name: name, Role: directory.RoleTool})
}

// Restored audits a restore of a backup into database, which the store
// did itself (a restore copies documents, never records).
func (s *Service) Restored(ctx context.Context, database string) {
	s.audit(ctx, "store.restore", "store", database, 0)
}
