package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// CreateReferral stores a new referral made by the adviser in ctx, after
// checking its consent record and that the provider is published.
func (s *Service) CreateReferral(ctx context.Context, r *directory.Referral) error {
	r.Normalize()
	if err := r.ValidateNew(s.now()); err != nil {
		return err
	}
	p, err := s.store.Provider(ctx, r.ProviderID)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && p.Status != directory.StatusPublished) {
		return directory.Invalid("provider_id", "no published provider has that id")
	} else if err != nil {
		return err
	}
	if r.ID == "" {
		r.ID = directory.NewID() // the event needs it before the write
	}
	if err := s.enqueue(ctx, referralEvent(directory.EventReferralCreated, r, 1)); err != nil {
		return err
	}
	if err := s.store.CreateReferral(ctx, r); err != nil {
		return err
	}
	s.audit(ctx, "referral.create", "referral", r.ID, r.Version)
	return nil
}

// Transition is a move of a referral along its lifecycle.
type Transition struct {
	Status directory.ReferralStatus
	Reason string
	// At is when it happened, if not now.
	At *time.Time
}

// TransitionReferral moves referral id, which must still be at version, on
// by t, for the actor in ctx: the receiving provider's editors record how
// it is going; the referring adviser may only withdraw it (the caller has
// checked that the actor is one of the two parties). Errors: a
// *directory.ValidationError; ErrNotFound; ErrVersionMismatch; a
// *directory.RuleError (forbidden, or conflict for a move the lifecycle
// does not allow).
func (s *Service) TransitionReferral(ctx context.Context, r *directory.Referral, version int64, t Transition) (*directory.Referral, error) {
	t.Reason = strings.TrimSpace(t.Reason)
	switch {
	case !t.Status.Valid() || t.Status == directory.ReferralSent:
		return nil, directory.Invalid("status", "must be one of acknowledged, accepted, declined, started, job_entry, sustained, closed, withdrawn")
	case t.Status == directory.ReferralDeclined && t.Reason == "":
		return nil, directory.Invalid("reason", "say why the referral is declined, so the adviser can find a better fit")
	case len(t.Reason) > directory.MaxReason:
		return nil, directory.Invalid("reason", "must be at most %d characters", directory.MaxReason)
	case t.At != nil && t.At.After(s.now().Add(5*time.Minute)):
		return nil, directory.Invalid("at", "cannot be in the future")
	}
	a, _ := directory.ActorFrom(ctx)
	if t.Status != directory.ReferralWithdrawn && a.Role != directory.RoleProviderEditor {
		return nil, directory.Forbidden("Only the receiving provider records how a referral is going; the adviser may withdraw it.")
	}
	if r.Version != version {
		return nil, directory.ErrVersionMismatch
	}
	ev := directory.ReferralEvent{Version: version + 1, Status: t.Status, By: a, Reason: t.Reason}
	if t.At != nil {
		if t.At.Before(r.CreatedAt) {
			return nil, directory.Invalid("at", "cannot be before the referral was made")
		}
		ev.At = t.At.UTC()
	}
	if err := s.enqueue(ctx, referralEvent(directory.EventReferralStatusChanged, r, ev.Version)); err != nil {
		return nil, err
	}
	next, err := s.store.UpdateReferral(ctx, r.ID, ev)
	var te *directory.TransitionError
	if errors.As(err, &te) {
		return nil, directory.Conflict(te.Message)
	}
	if err != nil {
		return nil, err
	}
	s.audit(ctx, "referral."+string(t.Status), "referral", r.ID, next.Version)
	return next, nil
}

// WithdrawConsent erases the client's details from referral id at once and
// withdraws it if still open, for the actor in ctx (one of the two
// parties: the caller checks). Repeating it is harmless; it needs no
// version, because erasure must not fail because someone else wrote first.
func (s *Service) WithdrawConsent(ctx context.Context, id string) (*directory.Referral, error) {
	return s.erase(ctx, id, "referral.withdraw_consent")
}

// erase erases referral id's client details and every free text, for the
// actor in ctx, and audits it as action. The store records action with the
// erasure, so an erasure it finishes after a crash is audited the same.
func (s *Service) erase(ctx context.Context, id, action string) (*directory.Referral, error) {
	a, _ := directory.ActorFrom(ctx)
	ctx = directory.WithAction(ctx, action)
	for range 5 {
		r, err := s.store.Referral(ctx, id)
		if err != nil {
			return nil, err
		}
		if r.ErasedAt != nil {
			return r, nil
		}
		// An erasure must not wait on, or fail for, its notification: a
		// failure to enqueue is logged and the erasure goes on.
		if err := s.enqueueDetached(ctx, referralEvent(directory.EventReferralStatusChanged, r, r.Version+1)); err != nil {
			s.logger.Error("enqueuing an erasure's notification", "referral", r.ID, "err", err)
		}
		next, err := s.updateDetached(ctx, r.ID, directory.ReferralEvent{Version: r.Version + 1, Erase: true, By: a})
		if errors.Is(err, directory.ErrVersionMismatch) {
			continue // someone wrote first: read again and retry
		}
		if err != nil {
			return nil, err
		}
		s.audit(ctx, action, "referral", r.ID, next.Version)
		return next, nil
	}
	return nil, directory.ErrVersionMismatch
}

// enqueueDetached is enqueue not cut short when ctx ends, like
// updateDetached.
func (s *Service) enqueueDetached(ctx context.Context, ev directory.WebhookEvent) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return s.enqueue(ctx, ev)
}

// updateDetached is UpdateReferral not cut short when ctx ends (a request
// whose client went away, a shutdown): an erasure begun is finished now
// rather than left for the next start's Recover. It has a deadline of its
// own.
func (s *Service) updateDetached(ctx context.Context, id string, ev directory.ReferralEvent) (*directory.Referral, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return s.store.UpdateReferral(ctx, id, ev)
}

// CreateToken validates and stores t (whose Hash the caller set). A
// provider editor's token must name an existing provider.
func (s *Service) CreateToken(ctx context.Context, t *directory.Token) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if t.ProviderID != "" {
		if _, err := s.store.Provider(ctx, t.ProviderID); errors.Is(err, directory.ErrNotFound) {
			return directory.Invalid("provider_id", "no provider has that id")
		} else if err != nil {
			return err
		}
	}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return err
	}
	s.audit(ctx, "token.create", "token", t.ID, 0)
	return nil
}

// RevokeToken stops token id working at once. ErrNotFound if there is none.
func (s *Service) RevokeToken(ctx context.Context, id string) error {
	if err := s.store.RevokeToken(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, "token.revoke", "token", id, 0)
	return nil
}
