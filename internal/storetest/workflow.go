package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// runWorkflow runs the suite for the workflow stores: referrals, shortlists,
// history, audit and the fairness counters.
func runWorkflow(t *testing.T, newStore NewStore) {
	t.Run("ReferralLifecycle", func(t *testing.T) { testReferralLifecycle(t, newStore(t)) })
	t.Run("ReferralConcurrentUpdatesOneWins", func(t *testing.T) { testReferralConcurrent(t, newStore(t)) })
	t.Run("ReferralList", func(t *testing.T) { testReferralList(t, newStore(t)) })
	t.Run("Shortlists", func(t *testing.T) { testShortlists(t, newStore(t)) })
	t.Run("ProviderHistory", func(t *testing.T) { testProviderHistory(t, newStore(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, newStore(t)) })
	t.Run("ExposureCounters", func(t *testing.T) { testExposure(t, newStore(t)) })
	t.Run("PendingChanges", func(t *testing.T) { testPendingChanges(t, newStore(t)) })
}

var (
	adviser = directory.Actor{ID: "tok-adviser", Name: "Adviser A", Role: directory.RoleAdviser}
	editor  = directory.Actor{ID: "tok-editor", Name: "Editor", Role: directory.RoleProviderEditor}
)

// Referral returns a valid new referral to providerID, made with consent.
func Referral(providerID string) directory.Referral {
	r := directory.Referral{
		ProviderID: providerID,
		Client:     directory.ClientDetails{Name: "Sam", Phone: "0113 496 0000", Needs: &directory.Needs{Support: []string{"job_search"}}},
		Consent: directory.Consent{GivenBy: "client", GivenAt: time.Now().Add(-time.Minute).UTC().Truncate(time.Millisecond),
			Shares: []string{"name", "contact", "needs"}, ProviderID: providerID},
		Note:      "Prefers mornings",
		CreatedBy: adviser.ID, CreatedByName: adviser.Name,
	}
	r.Normalize()
	return r
}

func testReferralLifecycle(t *testing.T, s directory.Store) {
	ctx := directory.WithActor(context.Background(), adviser)
	r := Referral(directory.NewID())
	if err := s.CreateReferral(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if r.ID == "" || r.Version != 1 || r.Status != directory.ReferralSent || len(r.Events) != 1 || r.Events[0].By != adviser {
		t.Fatalf("after create: %+v", r)
	}
	ectx := directory.WithActor(context.Background(), editor)
	got, err := s.UpdateReferral(ectx, r.ID, directory.ReferralEvent{Version: 2, Status: directory.ReferralAcknowledged, By: editor})
	if err != nil || got.Status != directory.ReferralAcknowledged || got.Version != 2 {
		t.Fatalf("acknowledge: %+v, %v", got, err)
	}
	if _, err := s.UpdateReferral(ectx, r.ID, directory.ReferralEvent{Version: 3, Status: directory.ReferralSustained}); !errors.Is(err, directory.ErrConflict) {
		t.Fatalf("acknowledged -> sustained: %v, want ErrConflict", err)
	}
	if _, err := s.UpdateReferral(ectx, r.ID, directory.ReferralEvent{Version: 2, Status: directory.ReferralAccepted}); !errors.Is(err, directory.ErrVersionMismatch) {
		t.Fatalf("stale version: %v, want ErrVersionMismatch", err)
	}
	if _, err := s.UpdateReferral(ectx, "missing", directory.ReferralEvent{Version: 2, Status: directory.ReferralAccepted}); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("missing: %v, want ErrNotFound", err)
	}
	// Withdrawing consent erases the details in the store itself.
	got, err = s.UpdateReferral(ctx, r.ID, directory.ReferralEvent{Version: 3, Erase: true, By: adviser})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.Referral(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.Client.Empty() || stored.Note != "" || stored.ErasedAt == nil || stored.Status != directory.ReferralWithdrawn ||
		stored.ProviderID != r.ProviderID || len(stored.Events) != 3 || stored.Version != 3 {
		t.Fatalf("after erasure: %+v", stored)
	}
	if got.ErasedAt == nil {
		t.Fatal("UpdateReferral did not return the erased record")
	}
}

func testReferralConcurrent(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := Referral(directory.NewID())
	if err := s.CreateReferral(ctx, &r); err != nil {
		t.Fatal(err)
	}
	var (
		wg           sync.WaitGroup
		mu           sync.Mutex
		wins, losses int
		other        []error
	)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateReferral(ctx, r.ID, directory.ReferralEvent{Version: 2, Status: directory.ReferralAcknowledged})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, directory.ErrVersionMismatch):
				losses++
			default:
				other = append(other, err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || losses != 5 || len(other) > 0 {
		t.Fatalf("6 writers from version 1: %d won, %d lost, errors %v", wins, losses, other)
	}
	got, err := s.Referral(ctx, r.ID)
	if err != nil || got.Version != 2 || len(got.Events) != 2 {
		t.Fatalf("after race: %+v, %v", got, err)
	}
}

func testReferralList(t *testing.T, s directory.Store) {
	ctx := context.Background()
	pa, pb := directory.NewID(), directory.NewID()
	for i, p := range []string{pa, pa, pb} {
		r := Referral(p)
		if i == 2 {
			r.CreatedBy = "someone-else"
		}
		if err := s.CreateReferral(ctx, &r); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	for _, tc := range []struct {
		f    directory.ReferralFilter
		want int64
	}{
		{directory.ReferralFilter{PerPage: 10}, 3},
		{directory.ReferralFilter{ProviderID: pa, PerPage: 10}, 2},
		{directory.ReferralFilter{CreatedBy: adviser.ID, PerPage: 10}, 2},
		{directory.ReferralFilter{ProviderID: pb, CreatedBy: adviser.ID, PerPage: 10}, 0},
		{directory.ReferralFilter{Status: directory.ReferralSent, PerPage: 1}, 3},
	} {
		list, total, err := s.ListReferrals(ctx, tc.f)
		if err != nil || total != tc.want || int64(len(list)) != min(tc.want, int64(tc.f.PerPage)) {
			t.Fatalf("%+v: %d items, total %d, %v; want total %d", tc.f, len(list), total, err, tc.want)
		}
	}
	list, _, _ := s.ListReferrals(ctx, directory.ReferralFilter{PerPage: 10})
	if list[0].ProviderID != pb {
		t.Fatal("referrals not listed newest first")
	}
}

func testShortlists(t *testing.T, s directory.Store) {
	ctx := context.Background()
	sl := directory.Shortlist{District: "LS6", Total: 2, CreatedBy: adviser.ID, ChosenProviderID: "p2", Note: "near the bus",
		Items: []directory.ShortlistItem{{ProviderID: "p1", Name: "One", Rank: 1, Flags: []string{"stale"}}, {ProviderID: "p2", Name: "Two", Rank: 2}}}
	if err := s.CreateShortlist(ctx, &sl); err != nil {
		t.Fatal(err)
	}
	if !directory.ValidShortlistCode(sl.Code) || sl.ExpiresAt.Sub(sl.CreatedAt) != directory.ShortlistLifetime {
		t.Fatalf("after create: code %q, lifetime %v", sl.Code, sl.ExpiresAt.Sub(sl.CreatedAt))
	}
	got, err := s.Shortlist(ctx, sl.Code)
	if err != nil {
		t.Fatal(err)
	}
	if got.Items[0].Name != "One" || got.Items[1].ProviderID != "p2" || got.ChosenProviderID != "p2" || got.CreatedBy != adviser.ID || !got.ExpiresAt.Equal(sl.ExpiresAt) {
		t.Fatalf("stored shortlist %+v", got)
	}
	other := directory.Shortlist{District: "LS6"}
	if err := s.CreateShortlist(ctx, &other); err != nil || other.Code == sl.Code {
		t.Fatalf("second shortlist: %q, %v", other.Code, err)
	}
	if _, err := s.Shortlist(ctx, "AAAAAAAA"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("missing code: %v", err)
	}
	// The sweep deletes expired shortlists and leaves live ones.
	if n, err := s.DeleteExpiredShortlists(ctx, sl.ExpiresAt.Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("sweep before expiry deleted %d: %v", n, err)
	}
	if _, err := s.Shortlist(ctx, sl.Code); err != nil {
		t.Fatalf("live shortlist after a sweep: %v", err)
	}
	if n, err := s.DeleteExpiredShortlists(ctx, other.ExpiresAt.Add(time.Second)); err != nil || n != 2 {
		t.Fatalf("sweep after expiry deleted %d, want 2: %v", n, err)
	}
	for _, code := range []string{sl.Code, other.Code} {
		if _, err := s.Shortlist(ctx, code); !errors.Is(err, directory.ErrNotFound) {
			t.Fatalf("expired shortlist %s after the sweep: %v", code, err)
		}
	}
}

func testProviderHistory(t *testing.T, s directory.Store) {
	ctx := context.Background()
	if _, err := s.ProviderHistory(ctx, "none"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("history of nothing: %v", err)
	}
	p := Provider("Historic")
	if err := s.CreateProvider(ctx, &p); err != nil { // a tool: no actor
		t.Fatal(err)
	}
	p.Capacity.TakingNewClients = false
	if err := s.UpdateProvider(directory.WithActor(ctx, editor), &p, 1); err != nil {
		t.Fatal(err)
	}
	h, err := s.ProviderHistory(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Version != 1 || h[1].Version != 2 || h[0].ChangedBy != nil || h[1].ChangedBy == nil || *h[1].ChangedBy != editor {
		t.Fatalf("history %+v", h)
	}
	if !h[0].Provider.Capacity.TakingNewClients || h[1].Provider.Capacity.TakingNewClients {
		t.Fatal("history does not hold each version's content")
	}
}

func testAudit(t *testing.T, s directory.Store) {
	ctx := context.Background()
	for i := range 5 {
		e := directory.AuditEntry{Actor: adviser, Action: "shortlist.create", TargetType: "shortlist", TargetID: fmt.Sprint("code", i%2)}
		if err := s.AppendAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
		if e.ID == "" || e.At.IsZero() {
			t.Fatal("AppendAudit did not set id and time")
		}
		time.Sleep(2 * time.Millisecond)
	}
	all, total, err := s.AuditEntries(ctx, directory.AuditFilter{PerPage: 2})
	if err != nil || total != 5 || len(all) != 2 || all[0].TargetID != "code0" || !all[0].At.After(all[1].At) {
		t.Fatalf("first page: %+v total %d, %v", all, total, err)
	}
	some, total, err := s.AuditEntries(ctx, directory.AuditFilter{TargetType: "shortlist", TargetID: "code1", PerPage: 10})
	if err != nil || total != 2 || len(some) != 2 || some[0].Actor != adviser {
		t.Fatalf("by target: %+v total %d, %v", some, total, err)
	}
}

// testExposure increments the same new counters from several goroutines at
// once: no increment may be lost, and the first upserts must not fail.
func testExposure(t *testing.T, s directory.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.AddExposure(ctx, []directory.ExposureCount{
				{Area: "LS6", ProviderID: "p1", Shown: 1, Top3: 1},
				{Area: "LS6", ProviderID: "p2", Shown: 2, Chosen: 1},
				{Area: "BS1", ProviderID: "p1", Shown: 1},
			})
			errs <- s.AddUnmetNeed(ctx, []directory.UnmetNeedCount{{Area: "LS6", Need: "money_help:debt", Count: 1}})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Exposure(ctx, "LS6")
	if err != nil {
		t.Fatal(err)
	}
	want := []directory.ExposureCount{{Area: "LS6", ProviderID: "p1", Shown: 8, Top3: 8}, {Area: "LS6", ProviderID: "p2", Shown: 16, Chosen: 8}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("exposure LS6 = %+v, want %+v", got, want)
	}
	all, err := s.Exposure(ctx, "")
	if err != nil || len(all) != 3 || all[0].Area != "BS1" {
		t.Fatalf("all exposure = %+v, %v", all, err)
	}
	un, err := s.UnmetNeed(ctx, "")
	if err != nil || len(un) != 1 || un[0].Count != 8 {
		t.Fatalf("unmet need = %+v, %v", un, err)
	}
}
