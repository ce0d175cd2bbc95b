package mongodb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// declinedReferral stores a referral declined with a reason naming a
// condition, and returns it.
func declinedReferral(t *testing.T, s *Store) *directory.Referral {
	t.Helper()
	ctx := context.Background()
	r := storetest.Referral(directory.NewID())
	if err := s.CreateReferral(ctx, &r); err != nil {
		t.Fatal(err)
	}
	for v, ev := range []directory.ReferralEvent{
		{Status: directory.ReferralAcknowledged, Reason: "spoke to Sam-xq1"},
		{Status: directory.ReferralDeclined, Reason: "we cannot support psychosis-xq2"},
	} {
		ev.Version = int64(v) + 2
		got, err := s.UpdateReferral(ctx, r.ID, ev)
		if err != nil {
			t.Fatal(err)
		}
		r = *got
	}
	return &r
}

// assertErased checks that nothing of the referral's free text is left in
// any collection of s's database, read through the driver.
func assertErased(t *testing.T, s *Store, id string, secrets ...string) {
	t.Helper()
	ctx := context.Background()
	r, err := s.Referral(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.ErasedAt == nil || !r.Client.Empty() || r.Note != "" || r.Reason != "" {
		t.Errorf("referral not erased: %+v", r)
	}
	names, err := s.collectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		cur, err := s.db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			for _, v := range secrets {
				if strings.Contains(string(d), v) {
					t.Errorf("%s still holds %q: %s", name, v, d)
				}
			}
			if strings.Contains(string(d), erasureMarkerPrefix) {
				t.Errorf("%s still holds an erasure marker: %s", name, d)
			}
		}
	}
}

var erasureSecrets = []string{"Sam", "0113 496 0000", "Prefers mornings", "spoke to Sam-xq1", "we cannot support psychosis-xq2"}

// TestErasureClearsEveryReason: consent withdrawn, no collection holds the
// client's details, the note or any reason.
func TestErasureClearsEveryReason(t *testing.T) {
	s := startedTestStore(t, embeddedURI)
	r := declinedReferral(t, s)
	if _, err := s.UpdateReferral(context.Background(), r.ID, directory.ReferralEvent{Version: r.Version + 1, Erase: true}); err != nil {
		t.Fatal(err)
	}
	assertErased(t, s, r.ID, erasureSecrets...)
}

// TestRecoverFinishesErasureCutShort: an erasure whose writer died after
// claiming its event, or after replacing the referral, is finished by the
// next start's Recover, and audited once.
func TestRecoverFinishesErasureCutShort(t *testing.T) {
	for _, step := range []string{stepErasureClaimed, stepErasureReplaced} {
		t.Run(step, func(t *testing.T) { testErasureCutShort(t, step) })
	}
}

func testErasureCutShort(t *testing.T, step string) {
	ctx := context.Background()
	w := startedTestStore(t, embeddedURI)
	r := declinedReferral(t, w)
	w.opts.step = crashAt(step)
	by := directory.Actor{ID: "tok-adviser", Name: "Adviser A", Role: directory.RoleAdviser}
	_, err := w.UpdateReferral(directory.WithAction(ctx, "referral.withdraw_consent"), r.ID,
		directory.ReferralEvent{Version: r.Version + 1, Erase: true, By: by})
	if !errors.Is(err, errCrashed) {
		t.Fatalf("erasure stopped after its claim: %v, want errCrashed", err)
	}
	if got, _ := w.Referral(ctx, r.ID); step == stepErasureClaimed && (got == nil || got.ErasedAt != nil || got.Client.Name == "") {
		t.Fatalf("the crash should have left the details: %+v", got)
	}

	rs := reopen(t, embeddedURI, w, time.Minute)
	if _, err := rs.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	assertErased(t, rs, r.ID, erasureSecrets...)
	audit, _, err := rs.AuditEntries(ctx, directory.AuditFilter{TargetType: "referral", TargetID: r.ID, Page: 1, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != "referral.withdraw_consent" || audit[0].Actor != by || audit[0].Version != r.Version+1 {
		t.Errorf("audit after recovery: %+v", audit)
	}
}

// TestRecoverMakesErasureNeverClaimed: a writer that died after marking an
// erasure but before claiming its event leaves the request to erase, which
// Recover carries out.
func TestRecoverMakesErasureNeverClaimed(t *testing.T) {
	ctx := context.Background()
	s := startedTestStore(t, embeddedURI)
	r := declinedReferral(t, s)
	by := directory.Actor{ID: "tool", Name: "retention sweep", Role: directory.RoleTool}
	if err := s.markErasure(directory.WithAction(ctx, "referral.retention_erase"), r.ID, by); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	assertErased(t, s, r.ID, erasureSecrets...)
	audit, _, _ := s.AuditEntries(ctx, directory.AuditFilter{TargetType: "referral", TargetID: r.ID, Page: 1, PerPage: 10})
	if len(audit) != 1 || audit[0].Action != "referral.retention_erase" || audit[0].Actor != by {
		t.Errorf("audit after recovery: %+v", audit)
	}
}
