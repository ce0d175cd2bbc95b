package api_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// farAway is a postcode far outside the test providers' Leeds coverage.
const farAway = "PL1 1AA"

// matches reports whether a match at postcode lists provider id.
func (w *wfEnv) matches(postcode, id string) bool {
	w.t.Helper()
	r := w.do("POST", "/v1/match", map[string]any{"location": map[string]any{"postcode": postcode}, "per_page": 100})
	if r.status != http.StatusOK {
		w.t.Fatalf("match at %s: %d %s", postcode, r.status, r.body)
	}
	var res api.MatchResponse
	r.json(w.t, &res)
	return slices.ContainsFunc(res.Results, func(m api.MatchResult) bool { return m.Provider.ID == id })
}

// public reads the public listing of id, with no token.
func (w *wfEnv) public(id string) directory.Provider {
	w.t.Helper()
	r := w.do("GET", "/v1/providers/"+id, nil)
	if r.status != http.StatusOK {
		w.t.Fatalf("GET %s: %d %s", id, r.status, r.body)
	}
	var p directory.Provider
	r.json(w.t, &p)
	return p
}

// patchAs sends a merge patch of provider id as role, from its current version.
func (w *wfEnv) patchAs(role, id string, patch any) (api.ProviderView, resp) {
	w.t.Helper()
	path := "/v1/providers/" + id
	r := w.as(role, "PATCH", path, patch, "If-Match", w.etagOf(path))
	var v api.ProviderView
	if r.status == http.StatusOK {
		r.json(w.t, &v)
	}
	return v, r
}

// auditOf returns the audit entries of a target, oldest first.
func (w *wfEnv) auditOf(targetType, id string) []directory.AuditEntry {
	w.t.Helper()
	var l api.AuditList
	w.do("GET", "/v1/admin/audit?per_page=100&target_type="+targetType+"&target_id="+id, nil, auth...).json(w.t, &l)
	slices.Reverse(l.Items)
	return l.Items
}

// TestEditorCoverageChangeIsHeldUntilApproved: an editor's PATCH making the
// listing national changes nothing the public sees but the summary sent
// with it, until an admin approves; the approval applies onto whatever the
// record became since, and the audit names both actors.
func TestEditorCoverageChangeIsHeldUntilApproved(t *testing.T) {
	w := newWorkflowEnv(t)
	id := w.a.ID
	if w.matches(farAway, id) || !w.matches("LS1 5AB", id) {
		t.Fatal("the Leeds provider should match in Leeds only")
	}

	v, r := w.patchAs(editorA, id, map[string]any{"coverage": map[string]any{"national": true}, "summary": "Now with evening sessions."})
	if r.status != http.StatusOK {
		t.Fatalf("editor's patch: %d %s", r.status, r.body)
	}
	if v.PendingReview == nil || !cmp.Equal(v.PendingReview.Fields, []string{"coverage"}) {
		t.Fatalf("pending_review %+v, want coverage held", v.PendingReview)
	}
	if v.Coverage.National || v.Summary != "Now with evening sessions." || v.Version != 2 {
		t.Fatalf("answer: national %v, summary %q, version %d", v.Coverage.National, v.Summary, v.Version)
	}
	if p := w.public(id); p.Coverage.National || p.Summary != "Now with evening sessions." {
		t.Fatalf("public listing: national %v, summary %q; want the summary live and coverage held", p.Coverage.National, p.Summary)
	}
	if w.matches(farAway, id) {
		t.Fatal("a held national coverage already reaches a far-away match")
	}

	var mine api.ChangeDetail
	if r := w.as(editorA, "GET", "/v1/providers/"+id+"/pending-change", nil); r.status != http.StatusOK {
		t.Fatalf("editor's own pending change: %d %s", r.status, r.body)
	} else {
		r.json(t, &mine)
	}
	if mine.Change.Status != directory.ChangePending || mine.Change.ProposedBy.Role != directory.RoleProviderEditor ||
		!slices.ContainsFunc(mine.Diff, func(c directory.FieldChange) bool { return c.Path == "coverage.national" && c.To == true }) {
		t.Fatalf("pending change %+v", mine)
	}
	for role, want := range map[string]int{editorB: 403, adviser: 403, none: 401} {
		if r := w.as(role, "GET", "/v1/providers/"+id+"/pending-change", nil); r.status != want {
			t.Errorf("%s reading A's pending change: %d, want %d", role, r.status, want)
		}
	}
	for _, role := range []string{editorA, adviser} {
		if r := w.as(role, "GET", "/v1/admin/changes", nil); r.status != http.StatusForbidden {
			t.Errorf("%s listing changes: %d, want 403", role, r.status)
		}
		if r := w.as(role, "POST", "/v1/admin/changes/"+mine.Change.ID+"/approve", nil); r.status != http.StatusForbidden {
			t.Errorf("%s approving: %d, want 403", role, r.status)
		}
	}

	// The editor changes something else meanwhile: it goes live, and the
	// held change stays as it was.
	if v, r := w.patchAs(editorA, id, map[string]any{"summary": "Evening sessions on Tuesdays."}); r.status != http.StatusOK || v.PendingReview != nil {
		t.Fatalf("unreviewed patch: %d, pending_review %+v", r.status, v.PendingReview)
	}
	var list api.ChangeList
	w.do("GET", "/v1/admin/changes?status=pending", nil, auth...).json(t, &list)
	if list.Total != 1 || list.Changes[0].ID != mine.Change.ID {
		t.Fatalf("pending changes %+v", list)
	}
	var detail api.ChangeDetail
	w.do("GET", "/v1/admin/changes/"+mine.Change.ID, nil, auth...).json(t, &detail)
	if detail.CurrentVersion != 3 || len(detail.Diff) != 1 || detail.Diff[0].Path != "coverage.national" {
		t.Fatalf("admin's view: version %d, diff %+v", detail.CurrentVersion, detail.Diff)
	}

	r = w.do("POST", "/v1/admin/changes/"+mine.Change.ID+"/approve", nil, auth...)
	if r.status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	var dec api.ChangeDecision
	r.json(t, &dec)
	if dec.Change.Status != directory.ChangeApproved || dec.Provider == nil || dec.Provider.Version != 4 || dec.Change.AppliedVersion != 4 {
		t.Fatalf("decision %+v", dec)
	}
	p := w.public(id)
	if !p.Coverage.National || p.Summary != "Evening sessions on Tuesdays." {
		t.Fatalf("after approval: national %v, summary %q", p.Coverage.National, p.Summary)
	}
	if !w.matches(farAway, id) {
		t.Fatal("an approved national coverage does not reach a far-away match")
	}
	if r := w.do("POST", "/v1/admin/changes/"+mine.Change.ID+"/approve", nil, auth...); r.status != http.StatusConflict {
		t.Fatalf("approving twice: %d, want 409", r.status)
	}

	var got []string
	for _, e := range w.auditOf("pending_change", mine.Change.ID) {
		got = append(got, e.Action+" by "+string(e.Actor.Role))
	}
	if want := []string{"provider.change_proposed by provider_editor", "provider.change_approved by admin"}; !cmp.Equal(got, want) {
		t.Fatalf("audit of the change %v, want %v", got, want)
	}
	versions := w.auditOf("provider", id)
	if last := versions[len(versions)-1]; last.Action != "provider.change_approved" || last.Version != 4 || last.Actor.Role != directory.RoleAdmin {
		t.Fatalf("audit of the approved version %+v", last)
	}
}

// TestRejectedClaimsStayOut: performance figures and jobcentre_plus_run
// are held too, and a rejection (with its reason) leaves the listing as
// it was.
func TestRejectedClaimsStayOut(t *testing.T) {
	w := newWorkflowEnv(t)
	id := w.a.ID
	before := w.public(id)
	v, r := w.patchAs(editorA, id, map[string]any{
		"performance":  map[string]any{"registrations": 100, "job_entries": 99, "sustained_jobs": 95},
		"organisation": map[string]any{"jobcentre_plus_run": true},
	})
	if r.status != http.StatusOK {
		t.Fatalf("editor's patch: %d %s", r.status, r.body)
	}
	if v.PendingReview == nil || !cmp.Equal(v.PendingReview.Fields, []string{"performance", "organisation.jobcentre_plus_run"}) {
		t.Fatalf("pending_review %+v", v.PendingReview)
	}
	if v.Version != before.Version {
		t.Fatalf("nothing else changed, yet version %d (was %d)", v.Version, before.Version)
	}
	after := w.public(id)
	if after.Performance.JobEntries != before.Performance.JobEntries || after.Organisation.JobcentrePlusRun {
		t.Fatalf("held claims are live: %+v, jobcentre_plus_run %v", after.Performance, after.Organisation.JobcentrePlusRun)
	}
	path := "/v1/admin/changes/" + v.PendingReview.ChangeID + "/reject"
	if r := w.do("POST", path, map[string]any{}, auth...); r.status != http.StatusBadRequest {
		t.Fatalf("rejecting without a reason: %d, want 400", r.status)
	}
	if r := w.do("POST", path, map[string]any{"reason": "Figures need DWP's confirmation."}, auth...); r.status != http.StatusOK {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	if d := cmp.Diff(before, w.public(id)); d != "" {
		t.Fatalf("a rejected change altered the listing:\n%s", d)
	}
	if r := w.as(editorA, "GET", "/v1/providers/"+id+"/pending-change", nil); r.status != http.StatusNotFound {
		t.Fatalf("pending change after rejection: %d, want 404", r.status)
	}
	var detail api.ChangeDetail
	w.do("GET", "/v1/admin/changes/"+v.PendingReview.ChangeID, nil, auth...).json(t, &detail)
	if detail.Change.Status != directory.ChangeRejected || detail.Change.Reason != "Figures need DWP's confirmation." ||
		detail.Change.DecidedBy == nil || detail.Change.DecidedBy.Role != directory.RoleAdmin {
		t.Fatalf("rejected change %+v", detail.Change)
	}
	if r := w.do("POST", "/v1/admin/changes/"+v.PendingReview.ChangeID+"/approve", nil, auth...); r.status != http.StatusConflict {
		t.Fatalf("approving a rejected change: %d, want 409", r.status)
	}
	if r := w.do("GET", "/v1/admin/changes?status=maybe", nil, auth...); r.status != http.StatusBadRequest {
		t.Fatalf("bad status filter: %d, want 400", r.status)
	}
}

// TestAdminWritesAreNotHeld: an admin's own PUT goes live at once.
func TestAdminWritesAreNotHeld(t *testing.T) {
	w := newWorkflowEnv(t)
	p := w.public(w.a.ID)
	p.Coverage = directory.Coverage{National: true}
	p.Organisation.JobcentrePlusRun = true
	r := w.do("PUT", "/v1/providers/"+p.ID, p, withAuth("If-Match", w.etagOf("/v1/providers/"+p.ID))...)
	if r.status != http.StatusOK {
		t.Fatalf("admin's PUT: %d %s", r.status, r.body)
	}
	var v api.ProviderView
	r.json(t, &v)
	if v.PendingReview != nil || !v.Coverage.National || !v.Organisation.JobcentrePlusRun {
		t.Fatalf("admin's write held: %+v", v.PendingReview)
	}
	if !w.matches(farAway, p.ID) {
		t.Fatal("an admin's national coverage does not reach a far-away match")
	}
	var list api.ChangeList
	w.do("GET", "/v1/admin/changes", nil, auth...).json(t, &list)
	if list.Total != 0 {
		t.Fatalf("an admin's write made %d pending changes", list.Total)
	}
}
