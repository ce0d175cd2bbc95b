package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The browser tests drive Debian's chromium: accessibility (axe-core),
// layout at phone and desktop widths, the whole flow by keyboard alone and
// with JavaScript off, and an embed on a page from another origin.

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
	axe, err := os.ReadFile("../../node_modules/axe-core/axe.min.js")
	need(t, err == nil, "browser tests need axe-core: run npm ci")

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
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

// tab opens a new tab in the browser; cancel closes it.
func tab(t *testing.T, bctx context.Context, noJS bool) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
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

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

type violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// checkAxe runs axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules on the
// current page and fails on any violation.
func checkAxe(t *testing.T, ctx context.Context, axe string) {
	t.Helper()
	var vs []violation
	run(t, ctx,
		chromedp.Evaluate(axe, nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a","wcag2aa","wcag21a","wcag21aa","wcag22aa"]}})
			.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" "))})))`, &vs, awaitPromise),
	)
	for _, v := range vs {
		t.Errorf("axe: %s (%s): %s\n\t%s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n\t"))
	}
}

// checkLayout screenshots the page at a phone and a desktop width and fails
// if the page scrolls sideways at either.
func checkLayout(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := filepath.Join("..", "..", "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// 320 px is the narrowest WCAG reflow asks for; 390x844 a common phone;
	// 1280x800 a laptop.
	for _, size := range [][2]int64{{320, 900}, {390, 844}, {1280, 800}} {
		w := size[0]
		var buf, top []byte
		var fits bool
		var sw, iw int
		run(t, ctx,
			chromedp.EmulateViewport(w, size[1]),
			chromedp.Sleep(100*time.Millisecond),
			chromedp.Evaluate(`document.documentElement.scrollWidth <= window.innerWidth`, &fits),
			chromedp.Evaluate(`document.documentElement.scrollWidth`, &sw),
			chromedp.Evaluate(`window.innerWidth`, &iw),
			chromedp.FullScreenshot(&buf, 100),
			chromedp.CaptureScreenshot(&top),
		)
		// The first result card, where the page is busiest.
		var card []byte
		var hasCard bool
		run(t, ctx, chromedp.Evaluate(`!!document.querySelector(".app-result")`, &hasCard))
		if hasCard {
			run(t, ctx, chromedp.Evaluate(`document.querySelector(".app-result").scrollIntoView()`, nil), chromedp.CaptureScreenshot(&card), chromedp.Evaluate(`window.scrollTo(0, 0)`, nil))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d-card.png", name, w)), card, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// The whole page, and what first fills the screen (easier to look at).
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d-top.png", name, w)), top, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), buf, 0o644); err != nil {
			t.Fatal(err)
		}
		if !fits {
			t.Errorf("%s at %d px scrolls sideways: scrollWidth %d > innerWidth %d", name, w, sw, iw)
		}
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900))
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		// CI runs every test once in full; the short race run skips the
		// browser, which adds nothing under the race detector but minutes.
		t.Skip("browser tests skipped in -short mode")
	}
	bctx, axe := browser(t)
	srv := newServer(t)
	base := srv.URL

	t.Run("pages are accessible and fit", func(t *testing.T) {
		submitSearch := chromedp.Tasks{
			chromedp.Navigate(base + "/"),
			chromedp.SendKeys("#where", "LS6 2BS", chromedp.ByID),
			chromedp.Click("#help", chromedp.ByID),
			chromedp.Click("#conditions", chromedp.ByID),
			chromedp.Click(`form[action="/results"] button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(".app-result", chromedp.ByQuery),
		}
		pages := []struct {
			name string
			load chromedp.Action
		}{
			{"home", chromedp.Navigate(base + "/")},
			{"home-error", chromedp.Tasks{chromedp.Navigate(base + "/"), chromedp.Click(`form[action="/results"] button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(".govuk-error-summary", chromedp.ByQuery)}},
			{"results", submitSearch},
			{"results-other-kinds", chromedp.Tasks{submitSearch,
				chromedp.Evaluate(`document.querySelector("button[name=kinds][value=other]").click()`, nil),
				chromedp.WaitVisible(`//button[normalize-space()="Back to Job Brokers"]`, chromedp.BySearch)}},
			{"question-place", chromedp.Navigate(base + "/questions")},
			{"question-help", chromedp.Tasks{chromedp.Navigate(base + "/questions"), chromedp.SendKeys("#where", "LS6 2BS", chromedp.ByID),
				chromedp.Click(`//button[normalize-space()="Continue"]`, chromedp.BySearch), chromedp.WaitVisible(`//span[normalize-space()="Question 2 of 8"]`, chromedp.BySearch)}},
			{"question-error", chromedp.Tasks{chromedp.Navigate(base + "/questions"),
				chromedp.Click(`//button[normalize-space()="Continue"]`, chromedp.BySearch), chromedp.WaitVisible(".govuk-error-summary", chromedp.ByQuery)}},
			{"provider", chromedp.Navigate(base + aireValleyURL)},
			{"provider-hostile", chromedp.Navigate(base + "/providers/" + hostileID)},
			{"compare", chromedp.Navigate(base + "/compare?id=" + aireValleyID + "&id=" + hostileID + "&id=beedf58e-b4d5-4170-aa11-f8f99a6b0d9d")},
			{"compare-results", chromedp.Tasks{submitSearch,
				chromedp.Evaluate(`[...document.querySelectorAll("input[name=id]")].slice(0, 3).forEach(e => e.checked = true)`, nil),
				chromedp.Click(`//button[starts-with(normalize-space(), "Compare the providers")]`, chromedp.BySearch),
				chromedp.WaitVisible(".app-compare", chromedp.ByQuery)}},
			{"shortlist", chromedp.Navigate(base + "/shortlist?id=" + aireValleyID + "&id=" + hostileID)},
			{"saved-shortlist", chromedp.Navigate(base + "/shortlists/" + saved.Code)},
			{"notfound", chromedp.Navigate(base + "/providers/nope-0")},
			{"accessibility", chromedp.Navigate(base + "/accessibility")},
			{"privacy", chromedp.Navigate(base + "/privacy")},
			{"embed-provider", chromedp.Navigate(base + "/embed/providers/" + aireValleyID)},
			{"embed-area", chromedp.Navigate(base + "/embed/area?near=LS6")},
		}
		for _, p := range pages {
			t.Run(p.name, func(t *testing.T) {
				// A tab, and so a time limit, for each page: eleven pages
				// in one tab's minute timed out on a busy machine.
				ctx := tab(t, bctx, false)
				run(t, ctx, p.load, chromedp.WaitReady("body", chromedp.ByQuery))
				var alerted bool
				run(t, ctx, chromedp.Evaluate(`!!document.querySelector("img[src=x]")`, &alerted))
				if alerted {
					t.Error("hostile markup became an element")
				}
				checkAxe(t, ctx, axe)
				checkLayout(t, ctx, p.name)
			})
		}
	})

	t.Run("first result fits a phone's first screen", func(t *testing.T) {
		firstCardFits(t, tab(t, bctx, false), base)
	})

	t.Run("questions one at a time without JavaScript", func(t *testing.T) {
		questionsFlow(t, tab(t, bctx, true), base)
	})

	t.Run("compare across two result pages", func(t *testing.T) {
		compareAcrossPages(t, tab(t, bctx, true), base)
	})

	t.Run("use my location shows a place name", func(t *testing.T) {
		ctx := tab(t, bctx, false)
		var where, status string
		run(t, ctx,
			cdpbrowser.GrantPermissions([]cdpbrowser.PermissionType{cdpbrowser.PermissionTypeGeolocation}).WithOrigin(base),
			emulation.SetGeolocationOverride().WithLatitude(53.819).WithLongitude(-1.578).WithAccuracy(50),
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible("#use-location", chromedp.ByID),
			chromedp.Click("#use-location", chromedp.ByID),
			chromedp.WaitVisible(`//p[@id="use-location-status"][starts-with(., "We found you near")]`, chromedp.BySearch),
			chromedp.Value("#where", &where, chromedp.ByID),
			chromedp.Text("#use-location-status", &status, chromedp.ByID),
		)
		if !strings.HasPrefix(where, "LS") || strings.Contains(where, ",") || !strings.Contains(status, "Leeds") {
			t.Errorf("box %q, status %q: want a Leeds district, not coordinates", where, status)
		}
	})

	t.Run("keyboard only", func(t *testing.T) {
		keyboardFlow(t, tab(t, bctx, false), base)
	})

	t.Run("without JavaScript", func(t *testing.T) {
		noJSFlow(t, tab(t, bctx, true), base)
	})

	t.Run("embed on another origin", func(t *testing.T) {
		embedFlow(t, tab(t, bctx, false), base)
	})
}

// focus describes document.activeElement.
type focus struct {
	ID      string `json:"id"`
	Tag     string `json:"tag"`
	Text    string `json:"text"`
	Href    string `json:"href"`
	Type    string `json:"type"`
	Visible bool   `json:"visible"`
}

const focusJS = `(() => {
	const e = document.activeElement, s = getComputedStyle(e);
	// GOV.UK's focus style: a yellow outline or background, or a box shadow.
	const visible = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) ||
		s.boxShadow !== "none" || s.backgroundColor === "rgb(255, 221, 0)";
	let visibleHere = visible;
	if (!visible && e.matches("input[type=checkbox], input[type=radio]")) {
		// The input is hidden under its label's styled box; GOV.UK draws
		// the focus ring on the label's ::before.
		const l = document.querySelector("label[for='" + e.id + "']");
		visibleHere = !!l && getComputedStyle(l, "::before").boxShadow !== "none";
	}
	return {id: e.id, tag: e.tagName.toLowerCase(), text: (e.textContent || "").trim(), href: e.getAttribute("href") || "", type: e.type || "", visible: visibleHere};
})()`

// tabTo presses Tab until match accepts the focused element, checking
// every focused element shows a visible focus style.
func tabTo(t *testing.T, ctx context.Context, what string, match func(focus) bool) focus {
	t.Helper()
	for range 150 {
		var f focus
		run(t, ctx, chromedp.KeyEvent(kb.Tab), chromedp.Evaluate(focusJS, &f))
		if f.Tag != "body" && !f.Visible {
			t.Errorf("focus not visible on %s#%s %q", f.Tag, f.ID, f.Text)
		}
		if match(f) {
			return f
		}
	}
	t.Fatalf("could not tab to %s", what)
	return focus{}
}

func waitPath(t *testing.T, ctx context.Context, prefix string) string {
	t.Helper()
	var path string
	for range 100 {
		run(t, ctx, chromedp.Evaluate(`document.readyState === "complete" ? location.pathname + location.search : ""`, &path))
		if strings.HasPrefix(path, prefix) {
			return path
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("page %q, want %s", path, prefix)
	return ""
}

func keyboardFlow(t *testing.T, ctx context.Context, base string) {
	run(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitReady("#where", chromedp.ByID))
	skip := tabTo(t, ctx, "skip link", func(f focus) bool { return true })
	if skip.Text != "Skip to main content" {
		t.Errorf("first Tab reaches %q, want the skip link", skip.Text)
	}
	tabTo(t, ctx, "location field", func(f focus) bool { return f.ID == "where" })
	run(t, ctx, chromedp.KeyEvent("LS6 2BS"))
	tabTo(t, ctx, "first kind of help", func(f focus) bool { return f.ID == "help" })
	run(t, ctx, chromedp.KeyEvent(" "))
	tabTo(t, ctx, "Not at the Jobcentre", func(f focus) bool { return f.ID == "meet-4" })
	run(t, ctx, chromedp.KeyEvent(" "))
	tabTo(t, ctx, "mental health", func(f focus) bool { return f.ID == "conditions" })
	run(t, ctx, chromedp.KeyEvent(" "))
	var checked []bool
	run(t, ctx, chromedp.Evaluate(`["help","meet-4","conditions"].map(id => document.getElementById(id).checked)`, &checked))
	if strings.Contains(fmt.Sprint(checked), "false") {
		t.Fatalf("space did not tick the boxes: %v", checked)
	}
	tabTo(t, ctx, "submit button", func(f focus) bool { return f.Tag == "button" && f.Text == "Show providers" })
	run(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitPath(t, ctx, "/results")
	run(t, ctx, chromedp.WaitVisible(".app-result", chromedp.ByQuery))

	// Open the first provider with Enter, and come back.
	first := tabTo(t, ctx, "first result", func(f focus) bool { return strings.HasPrefix(f.Href, "/providers/") })
	run(t, ctx, chromedp.KeyEvent(kb.Enter))
	if got := waitPath(t, ctx, "/providers/"); got != first.Href {
		t.Errorf("opened %s, want %s", got, first.Href)
	}
	run(t, ctx, chromedp.NavigateBack())
	waitPath(t, ctx, "/results")
	var results int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll(".app-result").length`, &results))
	if results == 0 {
		t.Fatal("Back from a provider did not show the results again")
	}

	// Choose two providers and compare them.
	run(t, ctx, chromedp.Evaluate(`document.activeElement.blur(); window.scrollTo(0, 0)`, nil))
	for range 2 {
		tabTo(t, ctx, "a choose box", func(f focus) bool {
			return strings.HasPrefix(f.ID, "choose-")
		})
		run(t, ctx, chromedp.KeyEvent(" "))
	}
	tabTo(t, ctx, "compare button", func(f focus) bool { return strings.HasPrefix(f.Text, "Compare the providers") })
	run(t, ctx, chromedp.KeyEvent(kb.Enter))
	// The comparison answers a POST (it shows fit to the answers), so its
	// address carries nothing.
	if path := waitPath(t, ctx, "/compare"); path != "/compare" {
		t.Errorf("compare URL %q, want no query", path)
	}
	var cols int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll(".app-compare thead th").length`, &cols))
	if cols != 2 {
		t.Errorf("compare shows %d providers, want 2", cols)
	}
	tabTo(t, ctx, "shortlist button", func(f focus) bool { return strings.HasPrefix(f.Text, "Make a list") })
	run(t, ctx, chromedp.KeyEvent(kb.Enter))
	path := waitPath(t, ctx, "/shortlist")
	for _, secret := range []string{"ls6", "mental", "where", "help="} {
		if strings.Contains(strings.ToLower(path), secret) {
			t.Errorf("shortlist URL %q carries %q", path, secret)
		}
	}
	var cards int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll(".app-result").length`, &cards))
	if cards != 2 {
		t.Errorf("shortlist shows %d providers, want 2", cards)
	}
	// With JavaScript, the shortlist has a print button.
	tabTo(t, ctx, "print button", func(f focus) bool { return f.ID == "print-button" })
}

func noJSFlow(t *testing.T, ctx context.Context, base string) {
	var html string
	run(t, ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitReady("#where", chromedp.ByID),
		chromedp.SendKeys("#where", "Leeds", chromedp.ByID),
		chromedp.Click("#help-2", chromedp.ByID),
		chromedp.Click(`form[action="/results"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(".govuk-pagination", chromedp.ByQuery),
		chromedp.OuterHTML("html", &html, chromedp.ByQuery),
	)
	if strings.Contains(html, `<body class="govuk-template__body js-enabled`) {
		t.Fatal("JavaScript ran")
	}
	if !strings.Contains(html, `aria-current="page"><span class="govuk-visually-hidden">Page </span>1`) {
		t.Error("results do not start on page 1")
	}
	// Paging re-posts the answers.
	run(t, ctx,
		chromedp.Click(`.govuk-pagination__next button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.govuk-pagination__prev`, chromedp.ByQuery),
		chromedp.OuterHTML("html", &html, chromedp.ByQuery),
	)
	if !strings.Contains(html, `aria-current="page"><span class="govuk-visually-hidden">Page </span>2`) {
		t.Error("Next did not show page 2")
	}
	// A filter re-posts too.
	run(t, ctx,
		// The filters are folded away in a details element until opened.
		chromedp.Click(`//summary[normalize-space()="Filter the list"]`, chromedp.BySearch),
		chromedp.Click("#face_to_face", chromedp.ByID),
		chromedp.Click(`//button[normalize-space()="Apply filters"]`, chromedp.BySearch),
		// Wait for the new page: the box is ticked on the old one too.
		chromedp.WaitVisible(`//*[@role="status"][contains(., "after your filters")]`, chromedp.BySearch),
		chromedp.WaitVisible(`#face_to_face:checked`, chromedp.ByQuery),
		chromedp.OuterHTML("html", &html, chromedp.ByQuery),
	)
	if !strings.Contains(html, "after your filters") {
		t.Error("filter not applied")
	}
	// Choose two, compare, make a list, open a provider.
	var ids []string
	run(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll("input[name=id]")].slice(0, 2).map(e => e.value)`, &ids))
	if len(ids) != 2 {
		t.Fatalf("%d choose boxes", len(ids))
	}
	run(t, ctx,
		chromedp.Click("#choose-"+ids[0], chromedp.ByID),
		chromedp.Click("#choose-"+ids[1], chromedp.ByID),
		chromedp.Click(`//button[starts-with(normalize-space(), "Compare the providers")]`, chromedp.BySearch),
		chromedp.WaitVisible(".app-compare", chromedp.ByQuery),
		chromedp.Click(`//button[starts-with(normalize-space(), "Make a list")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//h1[normalize-space()="Providers you could contact"]`, chromedp.BySearch),
		chromedp.OuterHTML("html", &html, chromedp.ByQuery),
	)
	if strings.Count(html, `class="app-result"`) != 2 {
		t.Error("shortlist does not hold the two chosen")
	}
	if strings.Contains(html, `id="print-wrap"`) && !strings.Contains(html, `app-hidden" id="print-wrap"`) {
		t.Error("print button shown without JavaScript")
	}
	run(t, ctx,
		chromedp.Click(`//a[starts-with(normalize-space(), "More about")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//h2[normalize-space()="Help they give"]`, chromedp.BySearch),
	)
}

func embedFlow(t *testing.T, ctx context.Context, base string) {
	// The host page: another origin (another port), with hostile CSS.
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>A provider's website</title>
<style>div { color: red; font-size: 4px } a { color: lime !important; font-size: 40px !important } h2 { display: none }</style></head>
<body><main><h1>Our service</h1>
<div id="one" data-brokerfinder-provider="%s"></div>
<div id="area" data-brokerfinder-near="LS6"></div>
<iframe id="frame" title="Our listing" src="%s/embed/providers/%s"></iframe>
</main><script src="%s/embed.js" async></script></body></html>`, aireValleyID, base, aireValleyID, base)
	}))
	t.Cleanup(host.Close)

	type card struct {
		Href     string `json:"href"`
		Name     string `json:"name"`
		FontSize string `json:"fontSize"`
		Color    string `json:"color"`
		H2       string `json:"h2"`
		Areas    int    `json:"areas"`
	}
	var c card
	run(t, ctx, chromedp.Navigate(host.URL+"/"))
	for range 100 {
		run(t, ctx, chromedp.Evaluate(`(() => {
			const root = document.getElementById("one").shadowRoot;
			const a = root && root.querySelector(".card h2 a");
			const area = document.getElementById("area").shadowRoot;
			if (!a || !area) return {};
			const card = root.querySelector(".card");
			return {href: a.href, name: a.textContent, fontSize: getComputedStyle(card).fontSize, color: getComputedStyle(card).color,
				h2: getComputedStyle(root.querySelector("h2")).display, areas: area.querySelectorAll(".card").length};
		})()`, &c))
		if c.Href != "" && c.Areas > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if c.Href != base+aireValleyURL {
		t.Errorf("card links to %q, want %q", c.Href, base+aireValleyURL)
	}
	if !strings.HasPrefix(c.Name, "Aire Valley Work Partners") {
		t.Errorf("card name %q", c.Name)
	}
	if c.FontSize != "16px" || c.Color == "rgb(255, 0, 0)" || c.H2 == "none" {
		t.Errorf("host CSS reached the card: font-size %s, color %s, h2 display %s", c.FontSize, c.Color, c.H2)
	}
	if c.Areas == 0 {
		t.Error("area listing did not render")
	}
	// The framed listing loaded (frame-ancestors allows it): its document
	// is another origin's, so ask the browser's frame tree.
	var frameURL string
	for range 100 {
		run(t, ctx, chromedp.Evaluate(`(() => { const f = performance.getEntriesByType("resource").find(e => e.name.includes("/embed/providers/")); return f ? f.name : ""; })()`, &frameURL))
		if frameURL != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if frameURL == "" {
		t.Error("the iframe did not load the embed page")
	}
	_ = json.Valid
}

// postResults submits answers to /results from inside the page, as the
// form would (the answers travel in the POST body only).
func postResults(form url.Values) chromedp.Action {
	b, _ := json.Marshal(form)
	return chromedp.Evaluate(`(() => {
		const f = document.createElement("form");
		f.method = "post"; f.action = "/results";
		for (const [k, vs] of Object.entries(`+string(b)+`)) for (const v of vs) {
			const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v; f.appendChild(i);
		}
		document.body.appendChild(f); f.submit();
	})()`, nil)
}

// firstCardFits checks, for searches whose first result carries the most
// (flags, a long travel note, contact links), that the whole first card
// is on the first screen of a 390x844 phone and of a 1280x800 desktop,
// without scrolling.
func firstCardFits(t *testing.T, ctx context.Context, base string) {
	searches := map[string]url.Values{
		"Bob in Leeds":              searchForm(),
		"LS6 mental health at home": {"where": {"LS6"}, "conditions": {"mental_health"}, "meet": {"home"}, "severe": {"yes"}},
		"Leeds, nothing asked":      {"where": {"Leeds"}},
		"unknown area":              {"where": {"ZZ9 9ZZ"}, "help": {"cv"}},
	}
	for name, form := range searches {
		for _, size := range [][2]int64{{390, 844}, {1280, 800}} {
			type box struct {
				Top, Bottom, Height float64
				Cards               int
			}
			var b box
			run(t, ctx,
				chromedp.EmulateViewport(size[0], size[1]),
				chromedp.Navigate(base+"/"),
				postResults(form),
				chromedp.WaitVisible(".app-result", chromedp.ByQuery),
				chromedp.Evaluate(`window.scrollTo(0, 0)`, nil),
				chromedp.Evaluate(`(() => { const r = document.querySelector(".app-result").getBoundingClientRect();
					return {Top: r.top, Bottom: r.bottom, Height: window.innerHeight, Cards: document.querySelectorAll(".app-result").length}; })()`, &b),
			)
			if b.Top < 0 || b.Bottom > b.Height {
				t.Errorf("%s at %dx%d: first card from %.0f to %.0f px, screen %.0f px", name, size[0], size[1], b.Top, b.Bottom, b.Height)
			}
		}
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900))
}

// compareAcrossPages ticks a provider on page 1 of the results and another
// on page 2, without JavaScript, and compares them: both are compared, the
// comparison leads with fit and miles, its address carries nothing, and at
// phone width no provider's name is cut.
func compareAcrossPages(t *testing.T, ctx context.Context, base string) {
	var first, second string
	run(t, ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/"),
		chromedp.WaitReady("#where", chromedp.ByID),
		chromedp.SendKeys("#where", "Leeds", chromedp.ByID),
		chromedp.Click("#help-2", chromedp.ByID),
		chromedp.Click(`form[action="/results"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(".govuk-pagination", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("input[name=id]").value`, &first),
	)
	run(t, ctx,
		chromedp.Click("#choose-"+first, chromedp.ByID),
		chromedp.Click(`.govuk-pagination__next button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.govuk-pagination__prev`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("input[type=checkbox][name=id]").value`, &second),
	)
	if second == first {
		t.Fatal("page 2 starts with page 1's provider")
	}
	var names []string
	var fitFirst bool
	var cut []string
	run(t, ctx,
		chromedp.Click("#choose-"+second, chromedp.ByID),
		chromedp.Click(`//button[starts-with(normalize-space(), "Compare the providers")]`, chromedp.BySearch),
		chromedp.WaitVisible(".app-compare", chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll(".app-compare thead th a")].map(a => a.getAttribute("href"))`, &names),
		chromedp.Evaluate(`document.querySelector(".app-compare tbody th").textContent.startsWith("How well they fit")`, &fitFirst),
		chromedp.Evaluate(`[...document.querySelectorAll(".app-compare thead th, .app-compare tbody th")].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)`, &cut),
	)
	if path := waitPath(t, ctx, "/compare"); path != "/compare" {
		t.Errorf("compare address %q carries data", path)
	}
	if len(names) != 2 || !strings.HasSuffix(names[0], first) || !strings.HasSuffix(names[1], second) {
		t.Errorf("compared %v, want the providers ticked on pages 1 (%s) and 2 (%s)", names, first, second)
	}
	if !fitFirst {
		t.Error("the comparison does not lead with fit")
	}
	if len(cut) > 0 {
		t.Errorf("cut at 390 px: %q", cut)
	}
	// Back to the results keeps both ticks.
	var ticked int
	run(t, ctx,
		chromedp.Click(`//button[normalize-space()="Back to your results"]`, chromedp.BySearch),
		chromedp.WaitVisible(".app-result", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("input[name=id][type=hidden], input[name=id]:checked").length`, &ticked),
	)
	if ticked != 2 {
		t.Errorf("%d ticks after going back, want 2", ticked)
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900))
}

// questionsFlow answers "Answer a few questions" without JavaScript at
// phone size: the place, one kind of help, then every other question
// skipped, and checks the results come with the first card on screen and
// the answers never in an address.
func questionsFlow(t *testing.T, ctx context.Context, base string) {
	run(t, ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/"),
		chromedp.Click(`//a[starts-with(normalize-space(), "Answer a few questions")]`, chromedp.BySearch),
		chromedp.WaitVisible("#where", chromedp.ByID),
		chromedp.SendKeys("#where", "LS6 2BS", chromedp.ByID),
		chromedp.Click(`//button[normalize-space()="Continue"]`, chromedp.BySearch),
		chromedp.WaitVisible(`//span[normalize-space()="Question 2 of 8"]`, chromedp.BySearch),
		chromedp.Click("#help", chromedp.ByID),
		chromedp.Click(`//button[normalize-space()="Continue"]`, chromedp.BySearch),
	)
	for n := 3; n <= 8; n++ {
		run(t, ctx,
			chromedp.WaitVisible(fmt.Sprintf(`//span[normalize-space()="Question %d of 8"]`, n), chromedp.BySearch),
			chromedp.Click(`//button[normalize-space()="Skip this question"]`, chromedp.BySearch),
		)
	}
	var bottom, height float64
	run(t, ctx,
		chromedp.WaitVisible(".app-result", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector(".app-result").getBoundingClientRect().bottom`, &bottom),
		chromedp.Evaluate(`window.innerHeight`, &height),
	)
	if bottom > height {
		t.Errorf("first card ends at %.0f px, screen %.0f", bottom, height)
	}
	if path := waitPath(t, ctx, "/questions"); path != "/questions" {
		t.Errorf("address %q carries answers", path)
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900))
}
