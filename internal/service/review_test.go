package service_test

import (
	"context"
	"errors"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestProposalsSupersedeAndOnlyAdminsDecide: an editor's second proposal
// replaces the first (one pending change per provider), a change is decided
// by an admin only, and an approval applies only the held fields.
func TestProposalsSupersedeAndOnlyAdminsDecide(t *testing.T) {
	st := mongotest.Store(t)
	svc := service.New(service.Config{Store: st, Logger: quiet()})
	p := storetest.Provider("Proposer")
	if err := svc.CreateProvider(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	ed := directory.WithActor(context.Background(), directory.Actor{ID: "e1", Name: "Editor", Role: directory.RoleProviderEditor})
	admin := directory.WithActor(context.Background(), directory.Actor{ID: "a1", Name: "Admin", Role: directory.RoleAdmin})

	next := p
	next.Coverage.National = true
	first, err := svc.EditProvider(ed, &next, 1)
	if err != nil || first.Held == nil || first.Changed {
		t.Fatalf("first proposal: %+v, %v", first, err)
	}
	next = p
	next.Performance = &directory.Performance{PeriodStart: "2025-04-01", PeriodEnd: "2026-03-31", Registrations: 100, JobEntries: 99, SustainedJobs: 90, SustainedWeeks: 13}
	second, err := svc.EditProvider(ed, &next, 1)
	if err != nil || second.Held == nil {
		t.Fatalf("second proposal: %+v, %v", second, err)
	}
	old, err := st.PendingChange(context.Background(), first.Held.ID)
	if err != nil || old.Status != directory.ChangeSuperseded {
		t.Fatalf("first proposal after the second: %+v, %v", old, err)
	}
	if c, err := svc.ProviderPendingChange(context.Background(), p.ID); err != nil || c.ID != second.Held.ID {
		t.Fatalf("the provider's pending change: %+v, %v", c, err)
	}
	if _, _, err := svc.ApproveChange(admin, first.Held.ID); !errors.Is(err, directory.ErrConflict) {
		t.Fatalf("approving a superseded change: %v, want conflict", err)
	}
	if _, _, err := svc.ApproveChange(ed, second.Held.ID); !errors.Is(err, directory.ErrForbidden) {
		t.Fatalf("an editor approving: %v, want forbidden", err)
	}
	if _, err := svc.RejectChange(ed, second.Held.ID, "no"); !errors.Is(err, directory.ErrForbidden) {
		t.Fatalf("an editor rejecting: %v, want forbidden", err)
	}
	_, got, err := svc.ApproveChange(admin, second.Held.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Coverage.National || got.Performance.JobEntries != 99 || got.Version != 2 {
		t.Fatalf("approved record: national %v (superseded, must not apply), job entries %d, version %d",
			got.Coverage.National, got.Performance.JobEntries, got.Version)
	}
}

// TestEditorWithdrawsAProposal: an editor can take back what is held before
// an admin decides it; the listing stays as it is, nothing is then held, a
// withdrawn change cannot be approved, and a new proposal can follow.
func TestEditorWithdrawsAProposal(t *testing.T) {
	st := mongotest.Store(t)
	svc := service.New(service.Config{Store: st, Logger: quiet()})
	p := storetest.Provider("Withdrawer")
	if err := svc.CreateProvider(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	ed := directory.WithActor(context.Background(), directory.Actor{ID: "e1", Name: "Editor", Role: directory.RoleProviderEditor})
	admin := directory.WithActor(context.Background(), directory.Actor{ID: "a1", Name: "Admin", Role: directory.RoleAdmin})
	if _, err := svc.WithdrawChange(ed, p.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("withdrawing with nothing held: %v, want not found", err)
	}
	next := p
	next.Coverage.National = true
	edit, err := svc.EditProvider(ed, &next, 1)
	if err != nil || edit.Held == nil {
		t.Fatalf("proposal: %+v, %v", edit, err)
	}
	c, err := svc.WithdrawChange(ed, p.ID)
	if err != nil || c.Status != directory.ChangeWithdrawn || c.ID != edit.Held.ID {
		t.Fatalf("withdraw: %+v, %v", c, err)
	}
	if _, err := svc.ProviderPendingChange(context.Background(), p.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("after withdrawing, still held: %v", err)
	}
	if _, _, err := svc.ApproveChange(admin, c.ID); !errors.Is(err, directory.ErrConflict) {
		t.Errorf("approving a withdrawn change: %v, want conflict", err)
	}
	cur, err := st.Provider(context.Background(), p.ID)
	if err != nil || cur.Coverage.National || cur.Version != 1 {
		t.Fatalf("listing after withdrawing: national %v version %d, %v", cur.Coverage.National, cur.Version, err)
	}
	next = p
	next.Coverage.National = true
	again, err := svc.EditProvider(ed, &next, 1)
	if err != nil || again.Held == nil {
		t.Fatalf("a new proposal after withdrawing: %+v, %v", again, err)
	}
	entries, _, err := st.AuditEntries(context.Background(), directory.AuditFilter{TargetID: c.ID, Page: 1, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	var withdrawn bool
	for _, e := range entries {
		withdrawn = withdrawn || (e.Action == service.ActionChangeWithdrawn && e.Actor.Name == "Editor")
	}
	if !withdrawn {
		t.Errorf("no audit entry of the withdrawal: %+v", entries)
	}
}
