package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// testPendingChanges: a proposal is stored with its whole proposed record,
// a second one for the same provider supersedes it (one pending at a
// time), and a decision is made once only.
func testPendingChanges(t *testing.T, s directory.Store) {
	ctx := context.Background()
	p := PolygonProvider("Held Provider")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	proposed := p
	proposed.Coverage = directory.Coverage{National: true}
	proposed.Performance = &directory.Performance{PeriodStart: "2025-04-01", PeriodEnd: "2026-03-31", Registrations: 100, JobEntries: 99, SustainedJobs: 90, SustainedWeeks: 13}
	first := directory.PendingChange{ProviderID: p.ID, BaseVersion: 1, Fields: []string{"coverage", "performance"}, Proposed: proposed, ProposedBy: editor}
	if old, err := s.ProposeChange(ctx, &first); err != nil || old != "" {
		t.Fatalf("first proposal: superseded %q, %v", old, err)
	}
	if first.ID == "" || first.ProposedAt.IsZero() || first.Status != directory.ChangePending {
		t.Fatalf("ProposeChange did not set id, time and status: %+v", first)
	}
	got, err := s.PendingChange(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(first, *got); d != "" {
		t.Fatalf("stored change differs (-want +got):\n%s", d)
	}
	if _, err := s.PendingChange(ctx, "no-such-change"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("missing change: %v, want ErrNotFound", err)
	}

	time.Sleep(2 * time.Millisecond)
	second := directory.PendingChange{ProviderID: p.ID, BaseVersion: 1, Fields: []string{"type"}, Proposed: proposed, ProposedBy: editor}
	old, err := s.ProposeChange(ctx, &second)
	if err != nil || old != first.ID {
		t.Fatalf("second proposal: superseded %q, %v; want %q", old, err, first.ID)
	}
	pending, total, err := s.PendingChanges(ctx, directory.PendingChangeFilter{Status: directory.ChangePending, PerPage: 10})
	if err != nil || total != 1 || len(pending) != 1 || pending[0].ID != second.ID {
		t.Fatalf("pending after a second proposal: %+v total %d, %v", pending, total, err)
	}
	all, total, err := s.PendingChanges(ctx, directory.PendingChangeFilter{ProviderID: p.ID, PerPage: 10})
	if err != nil || total != 2 || len(all) != 2 || all[0].ID != second.ID || all[1].Status != directory.ChangeSuperseded {
		t.Fatalf("all of the provider's changes, newest first: %+v total %d, %v", all, total, err)
	}

	// Deciding: once only; a superseded change cannot be decided.
	at := time.Now().UTC().Truncate(time.Millisecond)
	admin := directory.Actor{ID: "tok-admin", Name: "Admin", Role: directory.RoleAdmin}
	dec := second
	dec.Status, dec.Reason, dec.DecidedBy, dec.DecidedAt = directory.ChangeRejected, "not your contract", &admin, &at
	if err := s.UpdateChangeStatus(ctx, &dec, directory.ChangePending); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateChangeStatus(ctx, &dec, directory.ChangePending); !errors.Is(err, directory.ErrConflict) {
		t.Fatalf("deciding twice: %v, want ErrConflict", err)
	}
	stale := first
	stale.Status = directory.ChangeApproved
	if err := s.UpdateChangeStatus(ctx, &stale, directory.ChangePending); !errors.Is(err, directory.ErrConflict) {
		t.Fatalf("deciding a superseded change: %v, want ErrConflict", err)
	}
	missing := dec
	missing.ID = "no-such-change"
	if err := s.UpdateChangeStatus(ctx, &missing, directory.ChangePending); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("deciding a missing change: %v, want ErrNotFound", err)
	}
	got, err = s.PendingChange(ctx, second.ID)
	if err != nil || got.Status != directory.ChangeRejected || got.Reason != "not your contract" || got.DecidedBy == nil || *got.DecidedBy != admin || got.DecidedAt == nil || !got.DecidedAt.Equal(at) {
		t.Fatalf("rejected change: %+v, %v", got, err)
	}

	// With none pending, a new proposal supersedes nothing.
	third := directory.PendingChange{ProviderID: p.ID, BaseVersion: 1, Fields: []string{"coverage"}, Proposed: proposed, ProposedBy: editor}
	if old, err := s.ProposeChange(ctx, &third); err != nil || old != "" {
		t.Fatalf("proposal after a decision: superseded %q, %v", old, err)
	}
	if _, total, _ := s.PendingChanges(ctx, directory.PendingChangeFilter{Status: directory.ChangePending, PerPage: 10}); total != 1 {
		t.Fatalf("%d pending, want 1", total)
	}
}
