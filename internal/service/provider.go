package service

import (
	"context"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Provider write actions, as the audit log names them.
const (
	ActionCreate = "provider.create"
	ActionUpdate = "provider.update"
	ActionEnd    = "provider.end"
	ActionVerify = "provider.verify"
	ActionRevert = "provider.revert"
)

// CreateProvider normalises and validates p and stores it as a new record,
// setting its id (when empty), version and timestamps. Errors: a
// *directory.ValidationError; ErrConflict if the id is taken.
func (s *Service) CreateProvider(ctx context.Context, p *directory.Provider) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	if p.ID == "" {
		p.ID = directory.NewID() // the event needs it before the write
	}
	if err := s.enqueue(ctx, providerChanged(p.ID, 1)); err != nil {
		return err
	}
	if err := s.store.CreateProvider(directory.WithAction(ctx, ActionCreate), p); err != nil {
		return err
	}
	s.indexWrite(p)
	return nil
}

// ReplaceProvider replaces the record p.ID, which must still be at version,
// with p, and reports whether anything changed: a replacement whose content
// equals the stored record makes no new version (p is then set to the
// stored record). A provider editor (the actor in ctx) may not change the
// status or contract status, and the record's freshness is kept: it changes
// only through VerifyProvider. Errors: a *directory.ValidationError;
// ErrNotFound; ErrVersionMismatch; a *directory.RuleError (forbidden).
// A provider editor's changes to reviewed fields are held (see
// EditProvider, which also says what was held).
func (s *Service) ReplaceProvider(ctx context.Context, p *directory.Provider, version int64) (bool, error) {
	edit, err := s.EditProvider(ctx, p, version)
	if err != nil {
		return false, err
	}
	return edit.Changed, nil
}

// editorRules applies the self-service rules to a provider editor's
// replacement of their listing. They may change what they offer, where and
// how, and their capacity; they may not publish, suspend or end the listing
// (status) or change its contract status (those are admin decisions: a
// draft is checked before the public sees it), and last_verified changes
// only through VerifyProvider, so it keeps meaning "someone confirmed it".
func editorRules(next, cur *directory.Provider) error {
	if next.Status != cur.Status {
		return directory.Forbidden("Only an admin can change a listing's status (publish, suspend or end it). Send the current status.")
	}
	if next.Organisation.ContractStatus != cur.Organisation.ContractStatus {
		return directory.Forbidden("Only an admin can change a listing's contract status.")
	}
	next.Freshness = cur.Freshness
	return nil
}

// ChangeProvider reads id, checks it is at version, applies change and
// stores the result as the next version, audited as action. Errors:
// ErrNotFound; ErrVersionMismatch; whatever change returns.
func (s *Service) ChangeProvider(ctx context.Context, id string, version int64, action string, change func(*directory.Provider) error) (*directory.Provider, error) {
	p, err := s.store.Provider(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Version != version {
		return nil, directory.ErrVersionMismatch
	}
	if err := change(p); err != nil {
		return nil, err
	}
	if err := s.updateProvider(ctx, action, p, version); err != nil {
		return nil, err
	}
	s.indexWrite(p)
	return p, nil
}

// EndProvider marks id ended (status and contract); nothing is deleted.
func (s *Service) EndProvider(ctx context.Context, id string, version int64) (*directory.Provider, error) {
	return s.ChangeProvider(ctx, id, version, ActionEnd, func(p *directory.Provider) error {
		p.Status = directory.StatusEnded
		p.Organisation.ContractStatus = directory.ContractEnded
		return nil
	})
}

// VerifyProvider records that the actor in ctx confirmed id is accurate
// today, as a new version.
func (s *Service) VerifyProvider(ctx context.Context, id string, version int64) (*directory.Provider, error) {
	a, _ := directory.ActorFrom(ctx)
	return s.ChangeProvider(ctx, id, version, ActionVerify, func(p *directory.Provider) error {
		// The kind of confirmer, never the token's name, which public
		// records show; the store's audit entry for this write names the
		// actor.
		p.Freshness = directory.Freshness{LastVerified: directory.DateOf(s.now()), VerifiedBy: directory.VerifierOf(a.Role)}
		return nil
	})
}

// RevertProvider stores an earlier version of id, to, as its next version.
// The record must still be at version. Errors: ErrNotFound;
// ErrVersionMismatch; a *directory.ValidationError naming "version" when
// to is not an earlier version.
func (s *Service) RevertProvider(ctx context.Context, id string, version, to int64) (*directory.Provider, error) {
	cur, err := s.store.Provider(ctx, id)
	if err != nil {
		return nil, err
	}
	if cur.Version != version {
		return nil, directory.ErrVersionMismatch
	}
	revs, err := s.store.ProviderHistory(ctx, cur.ID)
	if err != nil {
		return nil, err
	}
	var old *directory.Provider
	for i := range revs {
		if revs[i].Version == to {
			old = &revs[i].Provider
		}
	}
	if old == nil || to == cur.Version {
		return nil, directory.Invalid("version", "must be an earlier version of this provider (see its history)")
	}
	next := *old
	if err := s.updateProvider(ctx, ActionRevert, &next, version); err != nil {
		return nil, err
	}
	s.indexWrite(&next)
	return &next, nil
}
