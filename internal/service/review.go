package service

import (
	"context"
	"errors"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Review actions, as the audit log names them. Their target type is
// "pending_change"; an approval also makes a provider version audited as
// ActionChangeApproved.
const (
	ActionChangeProposed = "provider.change_proposed"
	ActionChangeApproved = "provider.change_approved"
	ActionChangeRejected = "provider.change_rejected"
	// ActionChangeWithdrawn is a proposal taken back by its provider.
	ActionChangeWithdrawn = "provider.change_withdrawn"
)

const targetPendingChange = "pending_change"

// Edit is the outcome of an edit of a provider record.
type Edit struct {
	// Provider is the live record after the edit.
	Provider *directory.Provider
	// Changed reports whether a new version was written.
	Changed bool
	// Held is the change held for an admin's review, nil when nothing was.
	Held *directory.PendingChange
}

// EditProvider replaces the record p.ID, which must still be at version,
// with p, as ReplaceProvider does, except that a provider editor's change
// to reviewed fields (directory.ReviewedFields) is not written: the rest
// goes live as a new version (when anything else changed), and the whole
// proposed record is kept as the provider's pending change for an admin to
// approve, replacing any pending change it had. Admin and tool writes are
// never held. Errors: as ReplaceProvider.
func (s *Service) EditProvider(ctx context.Context, p *directory.Provider, version int64) (*Edit, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	cur, err := s.store.Provider(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if cur.Version != version {
		return nil, directory.ErrVersionMismatch
	}
	a, _ := directory.ActorFrom(ctx)
	var held []string
	proposed := *p
	if a.Role == directory.RoleProviderEditor {
		if err := editorRules(p, cur); err != nil {
			return nil, err
		}
		proposed = *p
		var live directory.Provider
		live, held = directory.SplitReviewed(p, cur)
		*p = live
		if len(held) > 0 {
			// The live part is the proposal with the held fields set back,
			// which can break a rule that ties fields together.
			p.Normalize()
			if err := p.Validate(); err != nil {
				return nil, err
			}
		}
	}
	edit := &Edit{Provider: p}
	if directory.SameContent(p, cur) {
		*p = *cur
	} else {
		if err := s.updateProvider(ctx, ActionUpdate, p, version); err != nil {
			return nil, err
		}
		s.indexWrite(p)
		edit.Changed = true
	}
	if len(held) == 0 {
		return edit, nil
	}
	c := &directory.PendingChange{ProviderID: p.ID, BaseVersion: version, Fields: held, Proposed: proposed, ProposedBy: a}
	superseded, err := s.store.ProposeChange(ctx, c)
	if err != nil {
		// The live part stands; a client that reads the record again
		// sees it, and no pending change.
		return nil, err
	}
	if superseded != "" {
		s.logger.InfoContext(ctx, "a new proposal replaced a pending change", "provider", p.ID, "superseded", superseded)
	}
	s.audit(ctx, ActionChangeProposed, targetPendingChange, c.ID, version)
	edit.Held = c
	return edit, nil
}

// ApproveChange makes the pending change id live: its held fields are
// applied onto the provider's current record (which may have moved on
// since the proposal: editors' direct writes never touch held fields) and
// stored as a new version through the normal write. Only an admin may
// decide. Errors: ErrNotFound; a *directory.RuleError (forbidden, or
// conflict when the change is no longer pending); a
// *directory.ValidationError when the result would be invalid.
func (s *Service) ApproveChange(ctx context.Context, id string) (*directory.PendingChange, *directory.Provider, error) {
	c, err := s.decidable(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	// Claim the decision first, so that two admins cannot both decide.
	a, _ := directory.ActorFrom(ctx)
	at := s.now().UTC()
	c.Status, c.DecidedBy, c.DecidedAt = directory.ChangeApproved, &a, &at
	if err := s.store.UpdateChangeStatus(ctx, c, directory.ChangePending); err != nil {
		return nil, nil, decideError(err)
	}
	p, err := s.applyChange(ctx, c)
	if err != nil {
		// Give the change back to the queue: nothing of it is live.
		back := *c
		back.Status, back.DecidedBy, back.DecidedAt = directory.ChangePending, nil, nil
		if uerr := s.store.UpdateChangeStatus(ctx, &back, directory.ChangeApproved); uerr != nil {
			s.logger.ErrorContext(ctx, "returning a change to pending after a failed approval", "change", c.ID, "err", uerr)
		}
		return nil, nil, err
	}
	c.AppliedVersion = p.Version
	if err := s.store.UpdateChangeStatus(ctx, c, directory.ChangeApproved); err != nil {
		s.logger.ErrorContext(ctx, "recording the version an approved change made", "change", c.ID, "err", err)
	}
	s.audit(ctx, ActionChangeApproved, targetPendingChange, c.ID, p.Version)
	return c, p, nil
}

// applyChange writes c's held fields onto the current record, reading it
// again if another write overtakes this one.
func (s *Service) applyChange(ctx context.Context, c *directory.PendingChange) (*directory.Provider, error) {
	for range 5 {
		cur, err := s.store.Provider(ctx, c.ProviderID)
		if err != nil {
			return nil, err
		}
		next := *cur
		directory.ApplyReviewed(&next, &c.Proposed, c.Fields)
		next.Normalize()
		if err := next.Validate(); err != nil {
			return nil, err
		}
		if directory.SameContent(&next, cur) {
			return cur, nil
		}
		err = s.updateProvider(ctx, ActionChangeApproved, &next, cur.Version)
		if errors.Is(err, directory.ErrVersionMismatch) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.indexWrite(&next)
		return &next, nil
	}
	return nil, directory.ErrVersionMismatch
}

// RejectChange rejects the pending change id for reason, which the editor
// sees. Only an admin may decide. Errors: as ApproveChange; a
// *directory.ValidationError when reason is empty.
func (s *Service) RejectChange(ctx context.Context, id, reason string) (*directory.PendingChange, error) {
	if reason == "" {
		return nil, directory.Invalid("reason", "is required: say why, so the provider can put it right")
	}
	c, err := s.decidable(ctx, id)
	if err != nil {
		return nil, err
	}
	a, _ := directory.ActorFrom(ctx)
	at := s.now().UTC()
	c.Status, c.Reason, c.DecidedBy, c.DecidedAt = directory.ChangeRejected, reason, &a, &at
	if err := s.store.UpdateChangeStatus(ctx, c, directory.ChangePending); err != nil {
		return nil, decideError(err)
	}
	s.audit(ctx, ActionChangeRejected, targetPendingChange, c.ID, 0)
	return c, nil
}

// decidable returns the change id if the actor may decide it and it is
// still pending.
func (s *Service) decidable(ctx context.Context, id string) (*directory.PendingChange, error) {
	if a, _ := directory.ActorFrom(ctx); a.Role != directory.RoleAdmin {
		return nil, directory.Forbidden("Only an admin can approve or reject a change held for review.")
	}
	c, err := s.store.PendingChange(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != directory.ChangePending {
		return nil, directory.Conflict("This change was already " + c.Status + ".")
	}
	return c, nil
}

func decideError(err error) error {
	if errors.Is(err, directory.ErrConflict) {
		return directory.Conflict("Someone decided this change (or the provider proposed a newer one) at the same moment.")
	}
	return err
}

// WithdrawChange takes back the change of provider id held for review,
// before an admin decides it (the caller has checked the actor may act for
// the provider). ErrNotFound when none is held; a *directory.RuleError
// (conflict) when an admin decided it at the same moment.
func (s *Service) WithdrawChange(ctx context.Context, providerID string) (*directory.PendingChange, error) {
	c, err := s.ProviderPendingChange(ctx, providerID)
	if err != nil {
		return nil, err
	}
	a, _ := directory.ActorFrom(ctx)
	at := s.now().UTC()
	c.Status, c.DecidedBy, c.DecidedAt = directory.ChangeWithdrawn, &a, &at
	if err := s.store.UpdateChangeStatus(ctx, c, directory.ChangePending); err != nil {
		return nil, decideError(err)
	}
	s.audit(ctx, ActionChangeWithdrawn, targetPendingChange, c.ID, 0)
	return c, nil
}

// ProviderPendingChange returns the change of provider id now held for
// review. ErrNotFound when there is none.
func (s *Service) ProviderPendingChange(ctx context.Context, id string) (*directory.PendingChange, error) {
	cs, _, err := s.store.PendingChanges(ctx, directory.PendingChangeFilter{Status: directory.ChangePending, ProviderID: id, PerPage: 1})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, directory.ErrNotFound
	}
	return &cs[0], nil
}
