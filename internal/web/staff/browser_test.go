package staff_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// need skips a test whose tool is missing, or fails it in CI, where a
// skipped browser test would hide a broken page.
func need(t *testing.T, ok bool, msg string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func browser(t *testing.T) (context.Context, string) {
	t.Helper()
	exe := os.Getenv("BROKERFINDER_CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	_, err := os.Stat(exe)
	need(t, err == nil, "browser tests need Chromium: apt-get install -y chromium")
	axe, err := os.ReadFile("../../../node_modules/axe-core/axe.min.js")
	need(t, err == nil, "browser tests need axe-core: run npm ci")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("hide-scrollbars", false),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return bctx, string(axe)
}

func tab(t *testing.T, bctx context.Context, noJS bool) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 9*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	if noJS {
		if err := chromedp.Run(ctx, emulation.SetScriptExecutionDisabled(true)); err != nil {
			t.Fatal(err)
		}
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

type violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// checkPage runs axe-core's WCAG 2.0-2.2 A and AA rules on the page and
// checks it does not scroll sideways at 768 px (a tablet) or 1280 px.
func checkPage(t *testing.T, ctx context.Context, axe, name string) {
	t.Helper()
	var vs []violation
	run(t, ctx,
		chromedp.Evaluate(axe, nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a","wcag2aa","wcag21a","wcag21aa","wcag22aa"]}})
			.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" "))})))`,
			&vs, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	for _, v := range vs {
		t.Errorf("%s: axe: %s (%s): %s\n\t%s", name, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n\t"))
	}
	for _, w := range []int64{768, 1280} {
		var fits bool
		run(t, ctx, chromedp.EmulateViewport(w, 1000), chromedp.Sleep(50*time.Millisecond),
			chromedp.Evaluate(`document.documentElement.scrollWidth <= window.innerWidth`, &fits))
		if !fits {
			t.Errorf("%s scrolls sideways at %d px", name, w)
		}
	}
}

// screenshot saves the page's top at 1280 px under artifacts/screenshots,
// and also to docs/ (the README's pictures) when
// BROKERFINDER_UPDATE_SCREENSHOTS is set, so a test run leaves the
// committed tree as it was.
func screenshot(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	var buf []byte
	run(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Sleep(50*time.Millisecond), chromedp.CaptureScreenshot(&buf))
	root := filepath.Join("..", "..", "..")
	dirs := []string{filepath.Join(root, "artifacts", "screenshots")}
	if os.Getenv("BROKERFINDER_UPDATE_SCREENSHOTS") != "" {
		dirs = append(dirs, filepath.Join(root, "docs"))
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, file), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	var u string
	run(t, ctx, chromedp.Location(&u))
	return u
}

// tick ticks a need's checkbox (or radio) by keyboard: focus it, press
// space.
func tick(name, value string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		sel := `input[name="` + name + `"][value="` + value + `"]`
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll('details').forEach(d => d.open = true)`, nil)); err != nil {
			return err
		}
		return chromedp.Run(ctx, chromedp.Focus(sel, chromedp.ByQuery), chromedp.KeyEvent(" "))
	})
}

// press focuses a button and presses Enter, as a keyboard user would.
func press(sel string) chromedp.Action {
	return chromedp.Tasks{chromedp.Focus(sel, chromedp.ByQuery), chromedp.KeyEvent(kb.Enter)}
}

// TestAdviserFlowInBrowser is the whole interview in Chromium by keyboard:
// sign in with an access key, five needs for a seeded postcode, compare
// three, save, open the client's page and the public page its QR code
// holds, refer with consent, find it in the list, sign out, and find the
// session gone from the store. axe-core checks every page.
func TestAdviserFlowInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	bctx, axe := browser(t)
	e := newEnv(t, nil)
	ctx := tab(t, bctx, false)
	base := e.srv.URL

	run(t, ctx, chromedp.Navigate(base+"/staff/"), chromedp.WaitVisible("#access_key", chromedp.ByQuery))
	if !strings.Contains(location(t, ctx), "/staff/sign-in") {
		t.Fatalf("signed out, /staff/ went to %s", location(t, ctx))
	}
	checkPage(t, ctx, axe, "sign-in")
	run(t, ctx, chromedp.SendKeys("#access_key", e.adviser+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/staff/interview"].govuk-button`, chromedp.ByQuery))
	checkPage(t, ctx, axe, "home")
	var cookies []*network.Cookie
	run(t, ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		cookies, err = network.GetCookies().Do(ctx)
		return err
	}))
	var secret string
	for _, c := range cookies {
		if c.Name == "bf_staff" {
			secret = c.Value
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax {
				t.Errorf("session cookie HttpOnly=%v SameSite=%v", c.HTTPOnly, c.SameSite)
			}
		}
		if strings.Contains(c.Value, e.adviser) {
			t.Errorf("cookie %s holds the access key", c.Name)
		}
	}
	if secret == "" {
		t.Fatal("no session cookie after sign-in")
	}

	run(t, ctx, press(`a[href="/staff/interview"].govuk-button`), chromedp.WaitVisible("#where", chromedp.ByQuery))
	checkPage(t, ctx, axe, "interview (empty)")
	run(t, ctx,
		chromedp.SendKeys("#where", seededPostcode, chromedp.ByQuery),
		tick("health_conditions", "mental_health"),
		tick("support", "confidence_building"),
		tick("support", "cv_applications"),
		tick("contact_preferences", "office"),
		tick("hours", "part_time"),
		press("#update"),
		chromedp.WaitVisible("ol.app-results", chromedp.ByQuery),
	)
	if u := location(t, ctx); strings.Contains(u, "mental") || strings.Contains(u, "LS6") || strings.Contains(u, "?") {
		t.Errorf("the interview's URL %s holds answers", u)
	}
	heading := text(t, ctx, "#results h2")
	if !strings.Contains(heading, "for LS6") {
		t.Fatalf("results heading %q", heading)
	}
	var rows int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll('li.app-result').length`, &rows))
	if rows < 3 {
		t.Fatalf("%d providers listed, need 3 to compare", rows)
	}
	checkPage(t, ctx, axe, "interview (results)")
	screenshot(t, ctx, "staff-interview.png")

	var ids []string
	run(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll('input[name=compare]')].slice(0,3).map(i => i.value)`, &ids))
	for _, id := range ids {
		run(t, ctx, chromedp.Focus(`#compare-`+id, chromedp.ByQuery), chromedp.KeyEvent(" "))
	}
	run(t, ctx, press(`button[formaction="/staff/compare"]`), chromedp.WaitVisible("table.app-compare", chromedp.ByQuery))
	var cols int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll('table.app-compare thead th').length - 1`, &cols))
	if cols != 3 {
		t.Errorf("compare shows %d providers, want 3", cols)
	}
	checkPage(t, ctx, axe, "compare")
	run(t, ctx, press(`form[action="/staff/interview"] button`), chromedp.WaitVisible("ol.app-results", chromedp.ByQuery))
	var kept int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll('input[name=compare]:checked').length`, &kept))
	if kept != 3 {
		t.Errorf("back from compare, %d ticks kept, want 3", kept)
	}

	run(t, ctx,
		chromedp.Focus(`#chosen-`+ids[0], chromedp.ByQuery), chromedp.KeyEvent(" "),
		chromedp.SendKeys("#note", "Ring them this week.", chromedp.ByQuery),
		press("#save"),
		chromedp.WaitVisible("#saved-code", chromedp.ByQuery),
	)
	code := strings.TrimSpace(text(t, ctx, "#saved-code"))
	if !directory.ValidShortlistCode(code) {
		t.Fatalf("saved code %q", code)
	}
	checkPage(t, ctx, axe, "interview (saved)")

	// Refer the client to the first provider, with consent.
	run(t, ctx, press(`button[name="refer"][value="`+ids[0]+`"]`), chromedp.WaitVisible("#statement", chromedp.ByQuery))
	checkPage(t, ctx, axe, "refer")
	var givenAt string
	run(t, ctx, chromedp.Value("#given_at", &givenAt, chromedp.ByQuery))
	if givenAt == "" {
		t.Error("when consent was given is not filled in with now")
	}
	run(t, ctx,
		chromedp.SendKeys("#client_name", "Sam", chromedp.ByQuery),
		chromedp.SendKeys("#client_phone", "07700 900123", chromedp.ByQuery),
		chromedp.Focus("#shares-needs", chromedp.ByQuery), chromedp.KeyEvent(" "),
	)
	var notTaking bool
	run(t, ctx, chromedp.Evaluate(`!!document.querySelector('#confirm_not_taking')`, &notTaking))
	if notTaking {
		// Refused until the adviser confirms the client still wants it.
		run(t, ctx, press("#send"), chromedp.WaitVisible(".govuk-error-summary", chromedp.ByQuery))
		checkPage(t, ctx, axe, "refer (refused)")
		run(t, ctx, chromedp.Focus("#confirm_not_taking", chromedp.ByQuery), chromedp.KeyEvent(" "))
	}
	run(t, ctx, press(`button[value="preview"]`), chromedp.WaitVisible("#preview", chromedp.ByQuery))
	if body := text(t, ctx, "main"); !strings.Contains(body, "Mental health") || !strings.Contains(body, "Sam") {
		t.Errorf("the preview does not show the shared name and needs")
	}
	checkPage(t, ctx, axe, "refer (preview)")
	run(t, ctx, press("#send"), chromedp.WaitVisible(".govuk-panel__title", chromedp.ByQuery))
	if h := text(t, ctx, ".govuk-panel__title"); h != "Referral sent" {
		t.Fatalf("after sending: %q", h)
	}
	checkPage(t, ctx, axe, "referral")

	run(t, ctx, chromedp.Navigate(base+"/staff/referrals"), chromedp.WaitVisible("table", chromedp.ByQuery))
	if body := text(t, ctx, "table"); !strings.Contains(body, "Sam") || !strings.Contains(body, "Sent") {
		t.Errorf("the referral is not in my list: %q", body)
	}
	checkPage(t, ctx, axe, "referrals")

	// The client's page, as the banner's link opens it.
	ctx2 := ctx
	run(t, ctx2, chromedp.Navigate(base+"/staff/shortlists/"+code), chromedp.WaitVisible("#qr", chromedp.ByQuery))
	checkPage(t, ctx2, axe, "client's page")
	screenshot(t, ctx2, "staff-shortlist.png")
	var public, qrSrc string
	var telLinks int
	run(t, ctx2,
		chromedp.AttributeValue("#public-url", "href", &public, nil, chromedp.ByQuery),
		chromedp.AttributeValue("#qr", "src", &qrSrc, nil, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('a[href^="tel:"]').length`, &telLinks))
	if public != base+"/shortlists/"+code {
		t.Errorf("public address %q, want %q", public, base+"/shortlists/"+code)
	}
	if telLinks == 0 {
		t.Error("no tap-to-call numbers on the client's page")
	}
	// The QR code is the public address: the same library encoding it
	// gives the same image.
	want, err := qrcode.Encode(public, qrcode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(qrSrc, "data:image/png;base64,"))
	if err != nil || !bytes.Equal(got, want) {
		t.Error("the QR code does not encode the public shortlist address")
	}
	run(t, ctx2, chromedp.Navigate(public), chromedp.WaitReady("main", chromedp.ByQuery))
	if body := text(t, ctx2, "main"); !strings.Contains(body, code) {
		t.Errorf("the public shortlist page does not show the code %s", code)
	}

	run(t, ctx, chromedp.Navigate(base+"/staff/"), chromedp.WaitVisible(`form[action="/staff/sign-out"] button`, chromedp.ByQuery),
		press(`form[action="/staff/sign-out"] button`), chromedp.WaitVisible("#access_key", chromedp.ByQuery))
	if _, err := e.store.Session(context.Background(), api.HashToken(secret)); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("after signing out the session is still in the store: %v", err)
	}
	run(t, ctx, chromedp.Navigate(base+"/staff/referrals"), chromedp.WaitVisible("#access_key", chromedp.ByQuery))
}

// TestInterviewWithoutJavaScript: with scripts off, the interview, the list
// and saving all work by posting the form.
func TestInterviewWithoutJavaScript(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	bctx, _ := browser(t)
	e := newEnv(t, nil)
	ctx := tab(t, bctx, true)
	run(t, ctx, chromedp.Navigate(e.srv.URL+"/staff/sign-in"), chromedp.WaitVisible("#access_key", chromedp.ByQuery),
		chromedp.SendKeys("#access_key", e.adviser, chromedp.ByQuery), chromedp.Submit("#access_key", chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/staff/interview"].govuk-button`, chromedp.ByQuery),
		chromedp.Navigate(e.srv.URL+"/staff/interview"), chromedp.WaitVisible("#where", chromedp.ByQuery),
		chromedp.SendKeys("#where", seededPostcode, chromedp.ByQuery),
		chromedp.Click("#update", chromedp.ByQuery), chromedp.WaitVisible("ol.app-results", chromedp.ByQuery),
		chromedp.Click("#save", chromedp.ByQuery), chromedp.WaitVisible("#saved-code", chromedp.ByQuery),
	)
}
