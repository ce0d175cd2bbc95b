package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

func TestSelfServiceHistoryRevertAndAudit(t *testing.T) {
	w := newWorkflowEnv(t)
	pa := "/v1/providers/" + w.a.ID
	t.Run("editor updates capacity but not status", func(t *testing.T) {
		p := w.a
		p.Capacity = directory.Capacity{TakingNewClients: false, WeeksToFirstAppointment: 6}
		p.Freshness.LastVerified = "2030-01-01" // ignored: only verify sets it
		r := w.as(editorA, "PUT", pa, p, "If-Match", w.etagOf(pa))
		if r.status != http.StatusOK {
			t.Fatalf("editor update: %d %s", r.status, r.body)
		}
		var got directory.Provider
		r.json(t, &got)
		if got.Capacity.TakingNewClients || got.Freshness.LastVerified != w.a.Freshness.LastVerified {
			t.Fatalf("after editor update: capacity %+v freshness %+v", got.Capacity, got.Freshness)
		}
		got.Status = directory.StatusSuspended
		if r := w.as(editorA, "PUT", pa, got, "If-Match", w.etagOf(pa)); r.status != http.StatusForbidden {
			t.Fatalf("editor changing status: %d", r.status)
		}
	})
	t.Run("verify sets last_verified and verified_by", func(t *testing.T) {
		r := w.as(editorA, "POST", pa+"/verify", nil, "If-Match", w.etagOf(pa))
		var got struct {
			directory.Provider
			Overdue bool `json:"verification_overdue"`
		}
		r.json(t, &got)
		if r.status != http.StatusOK || got.Freshness.LastVerified != directory.DateOf(time.Now()) || got.Freshness.VerifiedBy != directory.VerifiedByProvider || got.Overdue {
			t.Fatalf("verify: %d %+v overdue %v", r.status, got.Freshness, got.Overdue)
		}
	})
	t.Run("history lists who changed what", func(t *testing.T) {
		var h api.History
		r := w.as(editorA, "GET", pa+"/history", nil)
		r.json(t, &h)
		if r.status != http.StatusOK || len(h.Versions) != 3 {
			t.Fatalf("history: %d %s", r.status, r.body)
		}
		v2 := h.Versions[1]
		if v2.ChangedBy == nil || v2.ChangedBy.Name != editorA || v2.ChangedBy.Role != directory.RoleProviderEditor {
			t.Fatalf("version 2 changed by %+v", v2.ChangedBy)
		}
		paths := map[string]bool{}
		for _, c := range v2.Changes {
			paths[c.Path] = true
		}
		if !paths["capacity.taking_new_clients"] || !paths["capacity.weeks_to_first_appointment"] || len(v2.Changes) != 2 {
			t.Fatalf("version 2 changes %+v", v2.Changes)
		}
		if h.Versions[0].ChangedBy == nil || h.Versions[0].ChangedBy.Role != directory.RoleAdmin || len(h.Versions[0].Changes) != 0 {
			t.Fatalf("version 1: %+v", h.Versions[0])
		}
	})
	t.Run("admin reverts as a new version", func(t *testing.T) {
		r := w.as(admin, "POST", pa+"/revert", map[string]int{"version": 1}, "If-Match", w.etagOf(pa))
		var got directory.Provider
		r.json(t, &got)
		if r.status != http.StatusOK || got.Version != 4 || !got.Capacity.TakingNewClients || got.Freshness != w.a.Freshness {
			t.Fatalf("revert: %d version %d capacity %+v", r.status, got.Version, got.Capacity)
		}
		var h api.History
		w.as(admin, "GET", pa+"/history", nil).json(t, &h)
		if len(h.Versions) != 4 || h.Versions[3].ChangedBy.Role != directory.RoleAdmin {
			t.Fatalf("history after revert has %d versions", len(h.Versions))
		}
		if r := w.as(admin, "POST", pa+"/revert", map[string]int{"version": 99}, "If-Match", w.etagOf(pa)); r.status != http.StatusBadRequest {
			t.Fatalf("revert to a missing version: %d", r.status)
		}
		// The search copies were told: the match sees the reverted capacity.
		if p, ok := w.findProvider(w.a.ID); !ok || !p.Capacity.TakingNewClients || p.Version != 4 {
			t.Fatalf("finder not told of the revert: %+v", p)
		}
	})
	t.Run("every write is audited", func(t *testing.T) {
		ref := w.refer()
		w.move(editorA, &ref, "acknowledged")
		w.as(adviser, "POST", "/v1/referrals/"+ref.ID+"/withdraw-consent", nil)
		w.as(adviser, "POST", "/v1/shortlists", map[string]any{"query": matchQuery})
		w.as(admin, "DELETE", "/v1/admin/tokens/"+w.ids[adviser2], nil)
		var log api.AuditList
		w.as(admin, "GET", "/v1/admin/audit?per_page=100", nil).json(t, &log)
		count := map[string]int{}
		for _, e := range log.Items {
			count[e.Action]++
			if e.Actor.Role == "" || e.TargetID == "" || e.At.IsZero() {
				t.Errorf("incomplete entry %+v", e)
			}
		}
		want := map[string]int{
			"provider.create": 2, "token.create": 4, "provider.update": 1, "provider.verify": 1, "provider.revert": 1,
			"referral.create": 1, "referral.acknowledged": 1, "referral.withdraw_consent": 1, "shortlist.create": 1, "token.revoke": 1,
		}
		for a, n := range want {
			if count[a] != n {
				t.Errorf("%d %s entries, want %d (all: %v)", count[a], a, n, count)
			}
		}
		var byTarget api.AuditList
		w.as(admin, "GET", "/v1/admin/audit?target_type=referral&target_id="+ref.ID, nil).json(t, &byTarget)
		if byTarget.Total != 3 || byTarget.Items[0].Action != "referral.withdraw_consent" {
			t.Fatalf("audit of the referral: %+v", byTarget)
		}
	})
}

func (w *wfEnv) findProvider(id string) (directory.Provider, bool) {
	var res api.MatchResponse
	w.do("POST", "/v1/match", matchQuery).json(w.t, &res)
	for _, r := range res.Results {
		if r.Provider.ID == id {
			p, err := w.store.Provider(context.Background(), id)
			if err != nil {
				return directory.Provider{}, false
			}
			if r.Provider.Capacity != p.Capacity {
				return directory.Provider{}, false
			}
			return *p, true
		}
	}
	return directory.Provider{}, false
}

func TestShortlistsExposureUnmetNeedAndStale(t *testing.T) {
	w := newWorkflowEnv(t)
	t.Run("shortlist records what was shown, no client data", func(t *testing.T) {
		q := map[string]any{"query": map[string]any{"location": map[string]any{"postcode": "LS1 5AB"},
			"needs": map[string]any{"health_conditions": []string{"mental_health"}, "support": []string{"job_search"}}},
			"chosen_provider_id": w.b.ID, "note": "Bus route suits"}
		r := w.as(adviser, "POST", "/v1/shortlists", q)
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		var sl directory.Shortlist
		r.json(t, &sl)
		if len(sl.Items) != 2 || sl.District != "LS1" || sl.ChosenProviderID != w.b.ID || sl.Items[0].Rank != 1 {
			t.Fatalf("shortlist %+v", sl)
		}
		if strings.Contains(string(r.body), "mental_health") || strings.Contains(string(r.body), "5AB") {
			t.Fatalf("shortlist holds the client's needs or postcode: %s", r.body)
		}
		pub := w.do("GET", "/v1/shortlists/"+strings.ToLower(sl.Code), nil)
		if pub.status != http.StatusOK {
			t.Fatalf("public open: %d", pub.status)
		}
		w.skew.Store(int64(31 * 24 * 60 * 60))
		if r := w.do("GET", "/v1/shortlists/"+sl.Code, nil); r.status != http.StatusGone {
			t.Fatalf("after 31 days: %d", r.status)
		}
		w.skew.Store(0)
		if r := w.do("GET", "/v1/shortlists/AAAAAAAA", nil); r.status != http.StatusNotFound {
			t.Fatalf("unknown code: %d", r.status)
		}
		bad := map[string]any{"query": matchQuery, "chosen_provider_id": directory.NewID()}
		if r := w.as(adviser, "POST", "/v1/shortlists", bad); r.status != http.StatusBadRequest {
			t.Fatalf("chosen provider not shown: %d", r.status)
		}
	})
	t.Run("exposure counts shown, top three and chosen", func(t *testing.T) {
		for range 3 {
			w.do("POST", "/v1/match", matchQuery)
		}
		var rep api.ExposureReport
		w.as(admin, "GET", "/v1/admin/exposure?area=ls1", nil).json(t, &rep)
		got := map[string]directory.ExposureCount{}
		for _, it := range rep.Items {
			got[it.ProviderID] = it.ExposureCount
		}
		// One shortlist (which chose B) and three matches, each showing
		// both, all from this test's one address: each counts once a day.
		a, b := got[w.a.ID], got[w.b.ID]
		if a.Shown != 1 || a.Top3 != 1 || a.Chosen != 0 || b.Shown != 1 || b.Chosen != 1 {
			t.Fatalf("exposure A %+v, B %+v (report %+v)", a, b, rep)
		}
	})
	t.Run("unmet need by area and need", func(t *testing.T) {
		q := map[string]any{"location": map[string]any{"postcode": "LS1 5AB"},
			"needs": map[string]any{"money_help": []string{"debt"}, "languages": []string{"cy"}, "accessibility": []string{"bsl"}}}
		var res api.MatchResponse
		w.do("POST", "/v1/match", q).json(t, &res)
		if !res.NoGoodFit {
			t.Skip("fixture providers fit this query; no unmet need to count")
		}
		var rep api.UnmetNeedReport
		w.as(admin, "GET", "/v1/admin/unmet-need?area=LS1", nil).json(t, &rep)
		got := map[string]int64{}
		for _, it := range rep.Items {
			got[it.Need] = it.Count
		}
		if got[directory.UnmetNeedMatches] != 1 || got["money_help:debt"] != 1 {
			t.Fatalf("unmet need %+v", rep.Items)
		}
	})
	t.Run("stale listings flagged and listed oldest first", func(t *testing.T) {
		old := storetest.Provider("Old Listing")
		old.Freshness.LastVerified = directory.DateOf(time.Now().AddDate(-2, 0, 0))
		older := storetest.Provider("Older Listing")
		older.Freshness.LastVerified = directory.DateOf(time.Now().AddDate(-3, 0, 0))
		o1, o2 := w.create(old), w.create(older)
		var list api.StaleList
		w.as(admin, "GET", "/v1/admin/stale", nil).json(t, &list)
		var ids []string
		for _, it := range list.Items {
			ids = append(ids, it.ID)
		}
		if len(ids) < 2 || ids[0] != o2.ID || ids[1] != o1.ID || *list.Items[0].DaysSinceVerified < 3*365 {
			t.Fatalf("stale list %+v", list)
		}
		var view struct {
			Overdue bool `json:"verification_overdue"`
		}
		w.do("GET", "/v1/providers/"+o1.ID, nil).json(t, &view)
		if !view.Overdue {
			t.Fatal("an old listing is not flagged verification_overdue")
		}
		if r := w.as(admin, "GET", "/v1/admin/stale?months=0", nil); r.status != http.StatusBadRequest {
			t.Fatalf("months=0: %d", r.status)
		}
	})
}

// TestWorkflowPersistsAcrossRestart writes through one server, closes the
// store, opens it again on the same data and reads it all back through a
// new server.
func TestWorkflowPersistsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db := fmt.Sprintf("bftest_restart_%d_%d", os.Getpid(), time.Now().UnixNano())
	uri, stop := embeddedAt(t, dir)
	s1, err := mongodb.Open(ctx, uri, db)
	if err != nil {
		t.Fatal(err)
	}
	w1 := startWorkflowEnv(t, s1, true)
	ref := w1.refer()
	w1.move(editorA, &ref, "acknowledged")
	var sl directory.Shortlist
	w1.as(adviser, "POST", "/v1/shortlists", map[string]any{"query": matchQuery, "chosen_provider_id": w1.a.ID}).json(t, &sl)
	w1.as(editorA, "POST", "/v1/providers/"+w1.a.ID+"/verify", nil, "If-Match", w1.etagOf("/v1/providers/"+w1.a.ID))
	w1.as(admin, "GET", "/v1/admin/exposure", nil) // flushes the recorder
	w1.srv.Close()
	_ = s1.Close(ctx)
	stop()

	uri, _ = embeddedAt(t, dir)
	s2, err := mongodb.Open(ctx, uri, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.DropDatabase(ctx); _ = s2.Close(ctx) })
	w2 := startWorkflowEnv(t, s2, false)
	w2.tokens, w2.ids, w2.a = w1.tokens, w1.ids, w1.a
	var got directory.Referral
	if r := w2.as(adviser, "GET", "/v1/referrals/"+ref.ID, nil); r.status != http.StatusOK {
		t.Fatalf("referral after restart (and the adviser's token): %d %s", r.status, r.body)
	} else {
		r.json(t, &got)
	}
	if got.Status != directory.ReferralAcknowledged || got.Client.Name != "Sam" || len(got.Events) != 2 {
		t.Fatalf("referral after restart: %+v", got)
	}
	if r := w2.do("GET", "/v1/shortlists/"+sl.Code, nil); r.status != http.StatusOK {
		t.Fatalf("shortlist after restart: %d", r.status)
	}
	var h api.History
	w2.as(editorA, "GET", "/v1/providers/"+w1.a.ID+"/history", nil).json(t, &h)
	if len(h.Versions) != 2 || h.Versions[1].ChangedBy == nil || h.Versions[1].ChangedBy.Name != editorA {
		t.Fatalf("history after restart: %+v", h)
	}
	var log api.AuditList
	w2.as(admin, "GET", "/v1/admin/audit", nil).json(t, &log)
	if log.Total < 8 {
		t.Fatalf("audit after restart: %d entries", log.Total)
	}
	var rep api.ExposureReport
	w2.as(admin, "GET", "/v1/admin/exposure", nil).json(t, &rep)
	chosen := int64(0)
	for _, it := range rep.Items {
		chosen += it.Chosen
	}
	if chosen != 1 {
		t.Fatalf("exposure after restart: %+v", rep.Items)
	}
}

// embeddedAt starts an embedded server on dir and returns its URI and a
// stop function; with BROKERFINDER_TEST_MONGODB_URI set it returns that
// (a real MongoDB keeps data across reconnects) and stop does nothing.
func embeddedAt(t *testing.T, dir string) (string, func()) {
	t.Helper()
	if uri := os.Getenv("BROKERFINDER_TEST_MONGODB_URI"); uri != "" {
		return uri, func() {}
	}
	e, err := mongodb.StartEmbedded(context.Background(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { _ = e.Close() }) }
	t.Cleanup(stop)
	return e.URI(), stop
}
