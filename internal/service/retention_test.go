package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestRetentionErasesClosedReferrals: with the clock moved past the
// retention period, a closed referral's details are erased as a consent
// withdrawal would erase them, audited as the tool; an open one and one
// closed too recently keep theirs.
func TestRetentionErasesClosedReferrals(t *testing.T) {
	ctx := context.Background()
	st := mongotest.Store(t)
	svc := service.New(service.Config{Store: st, Logger: quiet()})
	p := storetest.Provider("Retention Provider")
	if err := svc.CreateProvider(service.Tool(ctx, "test"), &p); err != nil {
		t.Fatal(err)
	}
	adviser := directory.WithActor(ctx, directory.Actor{ID: "tok-adviser", Name: "Adviser", Role: directory.RoleAdviser})
	editor := directory.WithActor(ctx, directory.Actor{ID: "tok-editor", Name: "Editor", Role: directory.RoleProviderEditor})
	refer := func(statuses ...directory.ReferralStatus) *directory.Referral {
		t.Helper()
		r := storetest.Referral(p.ID)
		if err := svc.CreateReferral(adviser, &r); err != nil {
			t.Fatal(err)
		}
		cur := &r
		for _, s := range statuses {
			tr := service.Transition{Status: s}
			if s == directory.ReferralDeclined {
				tr.Reason = "we cannot support psychosis"
			}
			next, err := svc.TransitionReferral(editor, cur, cur.Version, tr)
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			cur = next
		}
		return cur
	}
	closed := refer(directory.ReferralAcknowledged, directory.ReferralDeclined, directory.ReferralClosed)
	open := refer(directory.ReferralAcknowledged)

	sweep := func(later time.Time) int {
		t.Helper()
		s := service.New(service.Config{Store: st, Logger: quiet(), Now: func() time.Time { return later }})
		n, err := s.EraseExpiredReferrals(ctx, service.DefaultRetention)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := sweep(time.Now().AddDate(0, 11, 0)); n != 0 {
		t.Fatalf("11 months after closing: %d erased, want 0", n)
	}
	if n := sweep(time.Now().AddDate(0, 12, 1)); n != 1 {
		t.Fatalf("12 months and a day after closing: %d erased, want 1", n)
	}
	if n := sweep(time.Now().AddDate(0, 12, 2)); n != 0 {
		t.Fatalf("second sweep: %d erased, want 0", n)
	}

	got, err := st.Referral(ctx, closed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ErasedAt == nil || !got.Client.Empty() || got.Note != "" || got.Reason != "" || got.Status != directory.ReferralClosed {
		t.Errorf("closed referral after the sweep: %+v", got)
	}
	for _, ev := range got.Events {
		if ev.Reason != "" {
			t.Errorf("event %d kept its reason", ev.Version)
		}
	}
	if kept, _ := st.Referral(ctx, open.ID); kept == nil || kept.ErasedAt != nil || kept.Client.Empty() {
		t.Errorf("open referral lost its details: %+v", kept)
	}
	// The anonymous counts stay: the erased referral is still counted.
	if _, total, err := st.ListReferrals(ctx, directory.ReferralFilter{ProviderID: p.ID, Page: 1, PerPage: 10}); err != nil || total != 2 {
		t.Errorf("referrals counted after the sweep: %d, %v", total, err)
	}
	audit, _, err := st.AuditEntries(ctx, directory.AuditFilter{TargetType: "referral", TargetID: closed.ID, Page: 1, PerPage: 20})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range audit {
		if e.Action == "referral.retention_erase" {
			found = true
			if e.Actor.Role != directory.RoleTool || e.Actor.Name != "brokerfinder retention" || e.Version != got.Version {
				t.Errorf("retention audit entry: %+v", e)
			}
		}
	}
	if !found {
		t.Errorf("no referral.retention_erase audit entry among %+v", audit)
	}
}

func TestRetentionCutoff(t *testing.T) {
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		r    service.Retention
		want time.Time
	}{
		{"months", service.Retention{Months: 12}, time.Date(2025, 3, 31, 12, 0, 0, 0, time.UTC)},
		{"duration", service.Retention{Duration: 48 * time.Hour}, time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.r.Cutoff(now); !got.Equal(c.want) {
				t.Errorf("Cutoff = %v, want %v", got, c.want)
			}
		})
	}
}
