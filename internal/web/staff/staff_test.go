package staff_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
)

func sessionCookie(t *testing.T, e *env, c *http.Client) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "bf_staff" {
			return ck
		}
	}
	return nil
}

// TestAccessKeySignInAndOut: a key is exchanged for a session whose cookie
// is HttpOnly and SameSite=Lax and holds only a random secret; signing out
// deletes the session on the server, so the old cookie no longer works.
func TestAccessKeySignInAndOut(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t)

	p := e.get(t, c, "/staff/")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/staff/sign-in") {
		t.Fatalf("signed out: got %d %q, want a redirect to sign in", p.status, p.header.Get("Location"))
	}
	p = e.post(t, c, "/staff/sign-in", url.Values{"access_key": {"not-a-key"}})
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "That access key is not right") {
		t.Fatalf("bad key: got %d", p.status)
	}
	if sessionCookie(t, e, c) != nil {
		t.Fatal("a bad key set a session cookie")
	}

	p = e.post(t, c, "/staff/sign-in", url.Values{"access_key": {e.adviser}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", p.status)
	}
	set := p.header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(set, want) {
			t.Errorf("cookie %q lacks %s", set, want)
		}
	}
	if strings.Contains(set, e.adviser) {
		t.Error("the cookie holds the access key")
	}
	ck := sessionCookie(t, e, c)
	if ck == nil {
		t.Fatal("no session cookie")
	}
	id := api.HashToken(ck.Value)
	ss, err := e.store.Session(context.Background(), id)
	if err != nil || ss.Name != "Ada Adviser" || ss.Role != directory.RoleAdviser {
		t.Fatalf("stored session: %+v, %v", ss, err)
	}
	p = e.get(t, c, "/staff/")
	if p.status != http.StatusOK || !strings.Contains(p.body, "Ada Adviser") {
		t.Fatalf("home: %d", p.status)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", p.header.Get("Cache-Control"))
	}

	p = e.post(t, c, "/staff/sign-out", nil)
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", p.status)
	}
	if _, err := e.store.Session(context.Background(), id); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("after sign-out the session is still stored: %v", err)
	}
	// The old cookie, replayed, is refused.
	c2 := e.client(t)
	u, _ := url.Parse(e.srv.URL)
	c2.Jar.SetCookies(u, []*http.Cookie{{Name: "bf_staff", Value: ck.Value, Path: "/"}})
	if p := e.get(t, c2, "/staff/"); p.status != http.StatusSeeOther {
		t.Fatalf("old cookie after sign-out: %d, want a redirect to sign in", p.status)
	}
}

// TestSessionTimeouts: a session unused for the idle timeout ends, and one
// in constant use ends at the absolute timeout.
func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t)
	e.signIn(t, c, e.adviser)
	e.clock.add(29 * time.Minute)
	if p := e.get(t, c, "/staff/"); p.status != http.StatusOK {
		t.Fatalf("after 29 idle minutes: %d, want 200", p.status)
	}
	e.clock.add(31 * time.Minute)
	if p := e.get(t, c, "/staff/"); p.status != http.StatusSeeOther {
		t.Fatalf("after 31 idle minutes: %d, want a redirect to sign in", p.status)
	}

	e.signIn(t, c, e.adviser)
	for range 7 * 4 { // 7 hours in 15-minute steps
		e.clock.add(15 * time.Minute)
		if p := e.get(t, c, "/staff/"); p.status != http.StatusOK {
			t.Fatalf("in use: %d, want 200", p.status)
		}
	}
	e.clock.add(61 * time.Minute)
	if p := e.get(t, c, "/staff/"); p.status != http.StatusSeeOther {
		t.Fatalf("after 8 hours: %d, want a redirect to sign in", p.status)
	}
}

// TestCrossSitePostRefused: a form posted from another site is refused
// before it does anything, signed in or not.
func TestCrossSitePostRefused(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t)
	e.signIn(t, c, e.adviser)
	for _, path := range []string{"/staff/sign-in", "/staff/shortlists", "/staff/sign-out"} {
		form := interviewForm()
		form.Set("access_key", e.adviser)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if p := do(t, c, req); p.status != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d, want 403", path, p.status)
		}
	}
	// Still signed in: the cross-site sign-out did nothing.
	if p := e.get(t, c, "/staff/"); p.status != http.StatusOK {
		t.Fatalf("after a cross-site sign-out: %d, want still signed in", p.status)
	}
}

// TestRolesAsTheAPI: a provider editor's key signs in, but the adviser's
// pages refuse them, as the API refuses them adviser endpoints.
func TestRolesAsTheAPI(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t)
	e.signIn(t, c, e.editor)
	if p := e.get(t, c, "/staff/interview"); p.status != http.StatusForbidden {
		t.Fatalf("provider editor on the interview: %d, want 403", p.status)
	}
	if p := e.post(t, c, "/staff/shortlists", interviewForm()); p.status != http.StatusForbidden {
		t.Fatalf("provider editor saving a shortlist: %d, want 403", p.status)
	}
}

var urlAttr = regexp.MustCompile(`(?i)\b(?:href|action|formaction|src)="([^"]*)"`)

// TestInterviewWithoutScript: the interview works by posting the form: the
// whole ranked list with its total, and no need in any URL on the page.
func TestInterviewWithoutScript(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t)
	e.signIn(t, c, e.adviser)
	p := e.post(t, c, "/staff/interview", interviewForm())
	if p.status != http.StatusOK {
		t.Fatalf("interview: %d\n%s", p.status, p.body)
	}
	total := regexp.MustCompile(`(\d+) providers? for LS6`).FindStringSubmatch(p.body)
	if total == nil {
		t.Fatalf("no total on the page")
	}
	rows := strings.Count(p.body, `class="app-result"`)
	if rows == 0 {
		t.Fatal("no providers listed")
	}
	if itoa(rows) != total[1] {
		t.Errorf("the list has %d rows but says %s: every eligible provider must be listed", rows, total[1])
	}
	for _, m := range urlAttr.FindAllStringSubmatch(p.body, -1) {
		for _, need := range []string{"mental_health", "confidence", "cv_applications", "part_time", "LS6"} {
			if strings.Contains(m[1], need) {
				t.Errorf("URL %q holds the need %q", m[1], need)
			}
		}
	}
	// A refusal names the field.
	bad := interviewForm()
	bad.Set("hours", "all_the_time")
	if p := e.post(t, c, "/staff/interview", bad); p.status != http.StatusBadRequest || !strings.Contains(p.body, `href="#hours"`) {
		t.Errorf("unknown hours: %d, want 400 linking to the field", p.status)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

var firstProvider = regexp.MustCompile(`name="refer" value="([^"]+)"`)

// TestReferWithConsent: the form comes prefilled with now; a preview shows
// what the provider will see; sending makes a referral through the service
// holding only what was ticked, audited with the adviser's name; withdrawing
// consent erases the details.
func TestReferWithConsent(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t)
	e.signIn(t, c, e.adviser)
	p := e.post(t, c, "/staff/interview", interviewForm())
	m := firstProvider.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("no Refer button")
	}
	form := interviewForm()
	form.Set("refer", m[1])
	p = e.post(t, c, "/staff/refer", form)
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="statement"`) {
		t.Fatalf("refer form: %d", p.status)
	}
	given := regexp.MustCompile(`id="given_at" name="given_at" type="datetime-local" value="([^"]+)"`).FindStringSubmatch(p.body)
	if given == nil {
		t.Fatal("consent time not prefilled")
	}
	form = interviewForm()
	form.Set("provider", m[1])
	form.Set("given_by", "client")
	form.Set("given_at", given[1])
	form["shares"] = []string{"contact"}
	form.Set("client_name", "Sam")
	form.Set("client_phone", "07700 900123")
	form.Set("contact", "phone")
	form.Set("action", "preview")
	// The seed's best match here is not taking new clients: refused until
	// the adviser confirms the client still wants it.
	p = e.post(t, c, "/staff/refer", form)
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `href="#confirm_not_taking"`) {
		t.Fatalf("a provider not taking new clients, unconfirmed: %d, want 400 naming the confirmation", p.status)
	}
	form.Del("action")
	if p := e.post(t, c, "/staff/referrals", form); p.status != http.StatusBadRequest {
		t.Fatalf("sending to a provider not taking new clients, unconfirmed: %d, want 400", p.status)
	}
	form.Set("action", "preview")
	form.Set("confirm_not_taking", "yes")
	p = e.post(t, c, "/staff/refer", form)
	if !strings.Contains(p.body, `id="preview"`) || !strings.Contains(p.body, "Not shared") {
		t.Fatalf("preview: %d, want the name shown as not shared\n%s", p.status, regexp.MustCompile(`(?s)govuk-error-summary__list">(.*?)</ul>`).FindString(p.body))
	}
	form.Del("action")
	p = e.post(t, c, "/staff/referrals", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", p.status, p.body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(p.header.Get("Location"), "/staff/referrals/"), "?made=1")
	r, err := e.store.Referral(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Client.Name != "" || r.Client.Needs != nil || r.Client.Phone != "07700 900123" || r.CreatedByName != "Ada Adviser" {
		t.Errorf("stored referral holds %+v by %q: want only the phone, by Ada Adviser", r.Client, r.CreatedByName)
	}
	entries, _, err := e.store.AuditEntries(context.Background(), directory.AuditFilter{TargetType: "referral", TargetID: id})
	if err != nil || len(entries) == 0 || entries[0].Actor.Name != "Ada Adviser" {
		t.Errorf("audit of the referral: %+v, %v", entries, err)
	}
	if p := e.get(t, c, "/staff/referrals?status=sent"); !strings.Contains(p.body, "/staff/referrals/"+id) {
		t.Errorf("the referral is not in my list of sent referrals: %d %s\n%.3000s", p.status, p.header.Get("Location"), p.body)
	}
	if p := e.get(t, c, "/staff/referrals?status=accepted"); strings.Contains(p.body, "/staff/referrals/"+id) {
		t.Error("the sent referral is listed as accepted")
	}
	if p := e.post(t, c, "/staff/referrals/"+id+"/withdraw-consent", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("withdraw consent: %d", p.status)
	}
	r, _ = e.store.Referral(context.Background(), id)
	if !r.Client.Empty() || r.ErasedAt == nil || r.Status != directory.ReferralWithdrawn {
		t.Errorf("after consent withdrawn: %+v erased %v status %s", r.Client, r.ErasedAt, r.Status)
	}
}
