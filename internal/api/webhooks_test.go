package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
)

// TestWebhookRoutes: admins register for any provider or all; an editor
// only for their own provider, and sees only their own provider's
// webhooks; the secret is shown once; bad input is a 400 naming the
// field; advisers and strangers are refused.
func TestWebhookRoutes(t *testing.T) {
	w := newWorkflowEnv(t)
	const public = "https://93.184.215.14/hooks" // a public address: no lookup needed
	body := func(url, provider string, events ...string) map[string]any {
		return map[string]any{"url": url, "events": events, "provider_id": provider}
	}
	created := func(role string, b map[string]any) api.WebhookCreated {
		t.Helper()
		r := w.as(role, "POST", "/v1/admin/webhooks", b)
		if r.status != http.StatusCreated {
			t.Fatalf("%s registering: %d %s", role, r.status, r.body)
		}
		var c api.WebhookCreated
		r.json(t, &c)
		if !strings.HasPrefix(c.Secret, "whsec_") || c.ID == "" {
			t.Fatalf("created %+v", c)
		}
		return c
	}
	all := created(admin, body(public, "", "provider.changed"))
	own := created(editorA, body(public, w.a.ID, "referral.created", "referral.status_changed"))

	for _, c := range []struct {
		role   string
		body   map[string]any
		status int
		field  string
	}{
		{editorA, body(public, w.b.ID, "referral.created"), http.StatusForbidden, ""},
		{editorA, body(public, "", "referral.created"), http.StatusBadRequest, "provider_id"},
		{adviser, body(public, w.a.ID, "referral.created"), http.StatusForbidden, ""},
		{none, body(public, w.a.ID, "referral.created"), http.StatusUnauthorized, ""},
		{admin, body("", w.a.ID, "referral.created"), http.StatusBadRequest, "url"},
		{admin, body("http://93.184.215.14/", w.a.ID, "referral.created"), http.StatusBadRequest, "url"},
		{admin, body("https://127.0.0.1:8443/", w.a.ID, "referral.created"), http.StatusBadRequest, "url"},
		{admin, body("https://169.254.169.254/", w.a.ID, "referral.created"), http.StatusBadRequest, "url"},
		{admin, body(public, w.a.ID, "referral.created", "referral.nope"), http.StatusBadRequest, "events[1]"},
		{admin, body(public, w.a.ID), http.StatusBadRequest, "events"},
		{admin, body(public, w.a.ID, slices.Repeat([]string{"referral.created"}, 50000)...), http.StatusBadRequest, "events"},
		{admin, body(public, w.a.ID, "referral.created", "referral.created"), http.StatusBadRequest, "events[1]"},
		{admin, map[string]any{"url": public, "events": []string{"referral.created"}, "secret": "mine"}, http.StatusBadRequest, "secret"},
	} {
		r := w.as(c.role, "POST", "/v1/admin/webhooks", c.body)
		if r.status != c.status {
			t.Errorf("%s %v: %d %s, want %d", c.role, c.body, r.status, r.body, c.status)
			continue
		}
		if c.field != "" && !slices.Contains(r.errFields(t), c.field) {
			t.Errorf("%s %v: fields %v, want %s", c.role, c.body, r.errFields(t), c.field)
		}
	}

	var list api.WebhookList
	w.as(admin, "GET", "/v1/admin/webhooks", nil).json(t, &list)
	if len(list.Items) != 2 {
		t.Errorf("admin sees %d webhooks, want 2", len(list.Items))
	}
	if r := w.as(admin, "GET", "/v1/admin/webhooks", nil); strings.Contains(string(r.body), "whsec_") {
		t.Error("the list shows a secret")
	}
	w.as(editorA, "GET", "/v1/admin/webhooks", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != own.ID {
		t.Errorf("editor A sees %+v, want only their own", list.Items)
	}
	w.as(editorB, "GET", "/v1/admin/webhooks", nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("editor B sees %+v", list.Items)
	}
	for _, path := range []string{"/v1/admin/webhooks/" + own.ID, "/v1/admin/webhooks/" + own.ID + "/deliveries"} {
		if r := w.as(editorA, "GET", path, nil); r.status != http.StatusOK {
			t.Errorf("editor A GET %s: %d %s", path, r.status, r.body)
		}
		if r := w.as(editorB, "GET", path, nil); r.status != http.StatusNotFound {
			t.Errorf("editor B GET %s: %d, want 404", path, r.status)
		}
	}
	if r := w.as(editorA, "GET", "/v1/admin/webhooks/"+all.ID, nil); r.status != http.StatusNotFound {
		t.Errorf("editor A sees the all-providers webhook: %d", r.status)
	}
	if r := w.as(editorB, "DELETE", "/v1/admin/webhooks/"+own.ID, nil); r.status != http.StatusNotFound {
		t.Errorf("editor B deleting A's webhook: %d", r.status)
	}
	// A referral to A is owed to A's webhook: it shows in the delivery
	// log once sent; here it is queued, and the delete drops it.
	w.refer()
	if r := w.as(editorA, "DELETE", "/v1/admin/webhooks/"+own.ID, nil); r.status != http.StatusOK {
		t.Errorf("editor A deleting their webhook: %d %s", r.status, r.body)
	}
	if r := w.as(admin, "GET", "/v1/admin/webhooks/"+own.ID, nil); r.status != http.StatusNotFound {
		t.Errorf("deleted webhook still there: %d", r.status)
	}
}
