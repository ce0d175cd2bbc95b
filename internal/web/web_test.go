package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

type page struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, base, path string) page {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func post(t *testing.T, base, path string, form url.Values) page {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(b)}
}

// searchForm is persona 2 (Bob: depression, unsure of direction, wary of
// full-time pressure) in Leeds, wanting face-to-face help away from the
// Jobcentre.
func searchForm() url.Values {
	return url.Values{
		"where":      {"LS6 2BS"},
		"help":       {"confidence", "careers"},
		"meet":       {"office", "notjobcentre"},
		"conditions": {"mental_health"},
		"severe":     {"yes"},
		"hours":      {"part_time"},
	}
}

var (
	scriptTag = regexp.MustCompile(`<script\b[^>]*>`)
	nonceAttr = regexp.MustCompile(`nonce="([^"]+)"`)
	cspNonce  = regexp.MustCompile(`'nonce-([^']+)'`)
	urlAttrs  = regexp.MustCompile(`(?i)\b(?:href|action|formaction|src)="([^"]*)"`)
)

func TestPages(t *testing.T) {
	srv := newServer(t)
	base := srv.URL
	hostileURL := "/providers/hostile-script-alert-1-script-img-src-x-onerror-alert-1-works-" + hostileID

	pages := []struct {
		name, path string
		form       url.Values
		status     int
		embed      bool
		contains   []string
	}{
		{"home", "/", nil, 200, false, []string{"Using these services is voluntary. It will not affect your benefits.", "You choose which provider to contact."}},
		{"results", "/results", searchForm(), 200, false, []string{"Why are they in this order?", "What they do not offer", "Aire Valley Work Partners", `href="tel:`, `href="mailto:`, " miles to ", "only by telephone or online", "How you meet them:"}},
		{"provider", aireValleyURL, nil, 200, false, []string{"Aire Valley Work Partners", "Not automatic", "Holbeck office"}},
		{"hostile provider", hostileURL, nil, 200, false, nil},
		{"compare", "/compare?id=" + aireValleyID + "&id=" + hostileID, nil, 200, false, []string{"Compare providers"}},
		{"shortlist", "/shortlist?id=" + aireValleyID + "&id=" + hostileID, nil, 200, false, []string{"What to do next"}},
		{"embed provider", "/embed/providers/" + hostileID, nil, 200, true, nil},
		{"embed area", "/embed/area?near=LS6", nil, 200, true, []string{"Job Brokers near"}},
		{"accessibility statement", "/accessibility", nil, 200, false, []string{"WCAG", "version 2.2", `href="/privacy"`, "Beta"}},
		{"privacy notice", "/privacy", nil, 200, false, []string{"We do not keep them", "30 days", `href="/accessibility"`}},
		{"unknown provider", "/providers/no-such-provider-0000", nil, 404, false, []string{"Page not found"}},
		{"unknown embed", "/embed/providers/nope", nil, 404, true, nil},
		{"compare one", "/compare?id=" + aireValleyID, nil, 400, false, []string{"Choose 2, 3 or 4 providers"}},
		{"compare five", "/compare?id=a&id=b&id=c&id=d&id=e", nil, 400, false, nil},
		{"shortlist none", "/shortlist", nil, 400, false, nil},
		{"no place", "/results", url.Values{"where": {""}}, 400, false, []string{"There is a problem", `href="#where"`, "Enter your postcode"}},
		{"unknown place", "/results", url.Values{"where": {"Zzyzxville"}, "help": {"cv"}}, 422, false, []string{"We could not find that town", `value="Zzyzxville"`, `value="cv" checked`}},
		{"unknown area", "/results", url.Values{"where": {"zz9 9zz"}}, 200, false, []string{"We do not have this area yet", "ZZ9 9ZZ", "Longwire Employment Support Ltd"}},
		{"place outside the seed areas", "/results", url.Values{"where": {"Penzance"}}, 200, false, []string{"Penzance", "Longwire Employment Support Ltd"}},
		{"unknown option", "/results", url.Values{"where": {"LS6"}, "hours": {"forever"}}, 400, false, []string{`href="#hours"`}},
		{"new needs, miles, at a glance", "/results", url.Values{"where": {"LS6"}, "about": {"sameadviser", "regular", "caring"}, "hours": {"school_hours"}}, 200, false,
			[]string{"One named adviser stays with you throughout", "Helps find part-time jobs that fit around school hours", " miles to ",
				"Who you deal with", "Once you are in work", `name="about" value="sameadviser"`}},
		{"unknown about option", "/results", url.Values{"where": {"LS6"}, "about": {"rich"}}, 400, false, []string{`href="#about"`}},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			var r page
			if p.form != nil {
				r = post(t, base, p.path, p.form)
			} else {
				r = get(t, base, p.path)
			}
			if r.status != p.status {
				t.Fatalf("status %d, want %d\n%s", r.status, p.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, want := range p.contains {
				if !strings.Contains(r.body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			// Escaping: the hostile text never appears raw.
			for _, raw := range []string{hostileScript, `<img src=x`, `href="javascript`} {
				if strings.Contains(r.body, raw) {
					t.Errorf("page contains unescaped %q", raw)
				}
			}
			checkHeaders(t, r, p.embed)
		})
	}

	t.Run("hostile text shown escaped", func(t *testing.T) {
		for _, path := range []string{hostileURL, "/compare?id=" + aireValleyID + "&id=" + hostileID, "/shortlist?id=" + hostileID, "/embed/providers/" + hostileID} {
			r := get(t, base, path)
			if !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(r.body, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") {
				t.Errorf("%s: hostile text not shown escaped", path)
			}
		}
		r := post(t, base, "/results", url.Values{"where": {"LS11"}, "help": {"cv"}})
		if !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("results: hostile provider not listed escaped")
		}
	})

	t.Run("results keep health details out of URLs", func(t *testing.T) {
		r := post(t, base, "/results", searchForm())
		if r.status != 200 || r.header.Get("Location") != "" {
			t.Fatalf("results must be rendered in the POST response: %d %q", r.status, r.header.Get("Location"))
		}
		for _, m := range urlAttrs.FindAllStringSubmatch(r.body, -1) {
			u := strings.ToLower(m[1])
			for _, secret := range []string{"mental", "severe", "ls6", "2bs", "part_time", "conditions", "where="} {
				if strings.Contains(u, secret) {
					t.Errorf("URL %q carries %q", m[1], secret)
				}
			}
		}
		// Paging and refining re-post: every form carrying answers is POST.
		forms := regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`).FindAllStringSubmatch(r.body, -1)
		if len(forms) < 2 {
			t.Fatalf("%d forms on the results page", len(forms))
		}
		for _, f := range forms {
			if strings.Contains(f[2], `name="conditions"`) && !strings.Contains(f[1], `method="post"`) {
				t.Errorf("a form with health details is not POST: %s", f[1])
			}
		}
		// Ticks, paging, filters, compare and list all submit that one
		// POST form; none may switch it to GET.
		if strings.Contains(strings.ToLower(r.body), "formmethod") {
			t.Error("a button changes a form's method")
		}
		if !strings.Contains(r.body, `name="conditions" value="mental_health"`) {
			t.Error("answers are not carried in the re-post forms")
		}
		if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Errorf("results Cache-Control %q, want private", cc)
		}
	})

	t.Run("GET results goes back to the form", func(t *testing.T) {
		r := get(t, base, "/results?where=LS6")
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Errorf("GET /results: %d %q", r.status, r.header.Get("Location"))
		}
	})

	t.Run("slug redirects to the canonical name", func(t *testing.T) {
		r := get(t, base, "/providers/old-name-"+aireValleyID)
		if r.status != http.StatusMovedPermanently || r.header.Get("Location") != aireValleyURL {
			t.Errorf("%d %q", r.status, r.header.Get("Location"))
		}
		if r := get(t, base, "/providers/"+aireValleyID); r.status != http.StatusMovedPermanently {
			t.Errorf("bare id: %d", r.status)
		}
	})

	t.Run("paging re-posts", func(t *testing.T) {
		f := url.Values{"where": {"Leeds"}, "page": {"2"}}
		r := post(t, base, "/results", f)
		if r.status != 200 || !strings.Contains(r.body, `aria-current="page"><span class="govuk-visually-hidden">Page </span>2`) {
			t.Errorf("page 2 not shown as current: %d", r.status)
		}
	})

	t.Run("assets", func(t *testing.T) {
		for path, ct := range map[string]string{"/assets/app.css": "text/css; charset=utf-8", "/assets/govuk-frontend.min.js": "text/javascript; charset=utf-8", "/embed.js": "text/javascript; charset=utf-8"} {
			r := get(t, base, path)
			if r.status != 200 || r.header.Get("Content-Type") != ct || r.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: %d %q", path, r.status, r.header.Get("Content-Type"))
			}
		}
		if r := get(t, base, "/embed.js"); r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Error("embed.js lacks CORS")
		}
		home := get(t, base, "/")
		css := regexp.MustCompile(`href="(/assets/app.css\?v=[0-9a-f]+)"`).FindStringSubmatch(home.body)
		if css == nil {
			t.Fatal("no versioned stylesheet link")
		}
		if r := get(t, base, css[1]); !strings.Contains(r.header.Get("Cache-Control"), "max-age=31536000") {
			t.Errorf("versioned asset Cache-Control %q", r.header.Get("Cache-Control"))
		}
		if r := get(t, base, "/assets/nope.css"); r.status != 404 {
			t.Errorf("missing asset: %d", r.status)
		}
	})
}

// checkHeaders checks the CSP (its nonce on every script tag, no other
// origins) and framing: embeds may be framed anywhere, other pages nowhere.
func checkHeaders(t *testing.T, r page, embed bool) {
	t.Helper()
	policy := r.header.Get("Content-Security-Policy")
	m := cspNonce.FindStringSubmatch(policy)
	if m == nil {
		t.Fatalf("no nonce in CSP %q", policy)
	}
	if strings.Contains(policy, "http") || strings.Contains(policy, "unsafe") {
		t.Errorf("CSP allows other origins or unsafe sources: %q", policy)
	}
	for _, tag := range scriptTag.FindAllString(r.body, -1) {
		n := nonceAttr.FindStringSubmatch(tag)
		if n == nil || n[1] != m[1] {
			t.Errorf("script tag without the response's nonce: %s", tag)
		}
	}
	if strings.Contains(r.body, " style=") {
		t.Error("inline style attribute (blocked by the CSP)")
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("missing nosniff or referrer policy")
	}
	if embed {
		if !strings.Contains(policy, "frame-ancestors *") || r.header.Get("X-Frame-Options") != "" {
			t.Errorf("embed must allow framing: %q %q", policy, r.header.Get("X-Frame-Options"))
		}
	} else if !strings.Contains(policy, "frame-ancestors 'none'") || r.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("page must deny framing: %q %q", policy, r.header.Get("X-Frame-Options"))
	}
}

// TestSavedShortlist: the code an adviser gives a client opens a printable
// list with the providers in order, the choice and the note, for 30 days.
func TestSavedShortlist(t *testing.T) {
	srv := newServer(t)
	r := get(t, srv.URL, "/shortlists/"+strings.ToLower(saved.Code))
	if r.status != 200 {
		t.Fatalf("saved shortlist: %d", r.status)
	}
	for _, want := range []string{"Aire Valley Work Partners", "You chose", "ask about the Tuesday group", saved.Code} {
		if !strings.Contains(r.body, want) {
			t.Errorf("saved shortlist page lacks %q", want)
		}
	}
	if strings.Contains(r.body, hostileScript) {
		t.Error("hostile provider text is not escaped on the saved shortlist")
	}
	checkHeaders(t, r, false)
	later := newServerAt(t, func() time.Time { return time.Now().Add(31 * 24 * time.Hour) })
	if r := get(t, later.URL, "/shortlists/"+saved.Code); r.status != http.StatusGone || !strings.Contains(r.body, "expired") {
		t.Errorf("shortlist after 31 days: %d", r.status)
	}
	for _, code := range []string{"ZZZZZZZZ", "not-a-code", "%3Cscript%3E"} {
		if r := get(t, srv.URL, "/shortlists/"+code); r.status != http.StatusNotFound {
			t.Errorf("/shortlists/%s: %d, want 404", code, r.status)
		}
	}
}

// TestCheckDueFlag: a listing nobody has confirmed for six months says so on
// its page; a fresh one does not.
func TestCheckDueFlag(t *testing.T) {
	at := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	srv := newServerAt(t, func() time.Time { return at })
	old := get(t, srv.URL, "/providers/hyde-park-supported-employment-cic-fd08e849-e7ad-46ba-a459-8f8035b22997") // checked 2026-07-25
	fresh := get(t, srv.URL, aireValleyURL)                                                                      // checked 2026-11-08
	if old.status != 200 || fresh.status != 200 {
		t.Fatalf("pages: %d %d", old.status, fresh.status)
	}
	const flag = "Not confirmed for over 6 months"
	if strings.Contains(old.body, flag) {
		t.Fatal("a listing checked four months ago is flagged")
	}
	later := newServerAt(t, func() time.Time { return at.AddDate(0, 3, 0) })
	if r := get(t, later.URL, "/providers/hyde-park-supported-employment-cic-fd08e849-e7ad-46ba-a459-8f8035b22997"); !strings.Contains(r.body, flag) {
		t.Fatal("a listing checked seven months ago is not flagged")
	}
	if strings.Contains(fresh.body, flag) {
		t.Fatal("a fresh listing is flagged")
	}
}

// TestTicksKeptAcrossPages: a provider ticked on page 1 of the results is
// still ticked (as a hidden field) on page 2 and after a filter, and a
// comparison made from the results shows fit and miles without any answer
// reaching a URL.
func TestTicksKeptAcrossPages(t *testing.T) {
	srv := newServer(t)
	base := srv.URL
	first := post(t, base, "/results", url.Values{"where": {"Leeds"}, "help": {"cv"}})
	ids := regexp.MustCompile(`id="choose-([0-9a-f-]+)"`).FindAllStringSubmatch(first.body, -1)
	if len(ids) < 2 {
		t.Fatalf("%d providers on page 1", len(ids))
	}
	a := ids[0][1]
	f := url.Values{"where": {"Leeds"}, "help": {"cv"}, "id": {a}, "page": {"2"}}
	second := post(t, base, "/results", f)
	if !strings.Contains(second.body, `aria-current="page"><span class="govuk-visually-hidden">Page </span>2`) {
		t.Fatal("page 2 not shown")
	}
	if !strings.Contains(second.body, `<input type="hidden" name="id" value="`+a+`">`) {
		t.Error("the tick from page 1 is not carried on page 2")
	}
	b := regexp.MustCompile(`id="choose-([0-9a-f-]+)"`).FindStringSubmatch(second.body)[1]
	f.Set("face_to_face", "yes")
	f["id"] = []string{a, b}
	filtered := post(t, base, "/results", f)
	for _, id := range []string{a, b} {
		hidden := strings.Contains(filtered.body, `<input type="hidden" name="id" value="`+id+`">`)
		ticked := strings.Contains(filtered.body, `name="id" type="checkbox" value="`+id+`" checked>`)
		if !hidden && !ticked {
			t.Errorf("tick %s lost by the filter", id)
		}
	}

	f.Del("page")
	cmp := post(t, base, "/compare", f)
	if cmp.status != http.StatusOK || cmp.header.Get("Location") != "" {
		t.Fatalf("compare: %d %q", cmp.status, cmp.header.Get("Location"))
	}
	for _, want := range []string{"How well they fit what you asked", "Distance", "How you meet them", "What they do not offer", "Back to your results"} {
		if !strings.Contains(cmp.body, want) {
			t.Errorf("compare lacks %q", want)
		}
	}
	if strings.Index(cmp.body, "How well they fit") > strings.Index(cmp.body, "Kind of help") {
		t.Error("fit is not the first thing compared")
	}
	if n := strings.Count(cmp.body, `<th scope="col"`); n != 2 {
		t.Errorf("compare shows %d providers, want 2", n)
	}

	list := post(t, base, "/shortlist", f)
	loc := list.header.Get("Location")
	if list.status != http.StatusSeeOther || loc != "/shortlist?id="+a+"&id="+b {
		t.Errorf("shortlist: %d %q, want a redirect carrying the two ids only", list.status, loc)
	}

	one := post(t, base, "/compare", url.Values{"where": {"Leeds"}, "id": {a}})
	if one.status != http.StatusBadRequest || !strings.Contains(one.body, "Choose 2, 3 or 4 providers") || !strings.Contains(one.body, "Back to your results") {
		t.Errorf("compare with one: %d", one.status)
	}
	// Anything but a provider id in "id" is dropped, never echoed.
	odd := post(t, base, "/results", url.Values{"where": {"Leeds"}, "id": {`"><script>x</script>`, a}})
	if strings.Contains(odd.body, "<script>x") || strings.Contains(odd.body, "&lt;script&gt;x") {
		t.Error("a posted id that is not an id was echoed")
	}
}

// TestQuestionsOneAtATime walks "Answer a few questions": a place is
// required, every other question can be skipped (and skipping forgets a
// half-given answer), answers travel as hidden POST fields only, and the
// last question shows the results.
func TestQuestionsOneAtATime(t *testing.T) {
	srv := newServer(t)
	base := srv.URL
	hidden := regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)
	carried := func(body string) url.Values {
		v := url.Values{}
		for _, m := range hidden.FindAllStringSubmatch(body, -1) {
			v.Add(m[1], m[2])
		}
		return v
	}
	first := get(t, base, "/questions")
	if first.status != 200 || !strings.Contains(first.body, "Question 1 of 8") || strings.Contains(first.body, "Skip this question") {
		t.Fatalf("first question: %d, want the place asked, with no skip", first.status)
	}
	if r := post(t, base, "/questions", url.Values{"step": {"1"}, "where": {""}}); r.status != 400 || !strings.Contains(r.body, `href="#where"`) {
		t.Errorf("no place: %d", r.status)
	}
	r := post(t, base, "/questions", url.Values{"step": {"1"}, "where": {"LS6 2BS"}})
	if !strings.Contains(r.body, "Question 2 of 8") || !strings.Contains(r.body, "Skip this question") {
		t.Fatal("question 2 not asked")
	}
	// Answer help, skip meet (with a box ticked), answer conditions.
	f := carried(r.body)
	f["help"] = []string{"cv"}
	r = post(t, base, "/questions", f)
	f = carried(r.body)
	if f.Get("help") != "cv" || f.Get("where") != "LS6 2BS" || f.Get("step") != "3" {
		t.Fatalf("after question 2 carried %v", f)
	}
	f["meet"] = []string{"office"}
	f.Set("skip", "yes")
	r = post(t, base, "/questions", f)
	f = carried(r.body)
	if f.Has("meet") {
		t.Error("a skipped question's answer was kept")
	}
	f["conditions"] = []string{"mental_health"}
	r = post(t, base, "/questions", f)
	f = carried(r.body)
	if f.Get("conditions") != "mental_health" {
		t.Fatalf("conditions not carried: %v", f)
	}
	for _, m := range urlAttrs.FindAllStringSubmatch(r.body, -1) {
		if strings.Contains(strings.ToLower(m[1]), "mental") || strings.Contains(strings.ToLower(m[1]), "ls6") {
			t.Errorf("URL %q carries an answer", m[1])
		}
	}
	f.Set("severe", "no")
	r = post(t, base, "/questions", f) // to question 6
	if !strings.Contains(r.body, "Question 6 of 8") {
		t.Fatal("question 6 not asked")
	}
	f = carried(r.body)
	f.Set("skip", "yes")
	r = post(t, base, "/questions", f) // to question 7
	if !strings.Contains(r.body, "Question 7 of 8") {
		t.Fatal("question 7 not asked")
	}
	f = carried(r.body)
	f.Set("skip", "yes")
	r = post(t, base, "/questions", f) // to question 8
	if !strings.Contains(r.body, "Question 8 of 8") {
		t.Fatal("question 8 not asked")
	}
	f = carried(r.body)
	f["extras"] = []string{"nogroups"}
	res := post(t, base, "/questions", f)
	if res.status != 200 || !strings.Contains(res.body, "providers cover") || !strings.Contains(res.body, `class="app-result"`) {
		t.Fatalf("last question did not show results: %d", res.status)
	}
	if !strings.Contains(res.body, `name="conditions" value="mental_health"`) || !strings.Contains(res.body, `name="extras" value="nogroups"`) || strings.Contains(res.body, `name="meet" value="office"`) {
		t.Error("results do not hold the answers given (and only those)")
	}
	// A made-up step starts again rather than failing.
	if r := post(t, base, "/questions", url.Values{"step": {"99"}}); r.status != 200 || !strings.Contains(r.body, "Question 1 of 8") {
		t.Errorf("step 99: %d", r.status)
	}
}

// TestAllQuestionsReachTheMatcher: the full form asks for languages,
// access needs, group sessions and the employer, and each answer is used
// (it appears in what each provider does or does not offer).
func TestAllQuestionsReachTheMatcher(t *testing.T) {
	srv := newServer(t)
	home := get(t, srv.URL, "/")
	for _, want := range []string{`name="languages" type="checkbox" value="cy"`, `value="bsl"`, `value="step_free"`, `value="nogroups"`, `value="private"`, `value="online"`, `value="autism"`, `value="drugs_alcohol"`, `name="travel"`} {
		if !strings.Contains(home.body, want) {
			t.Errorf("the form does not ask %s", want)
		}
	}
	plain := post(t, srv.URL, "/results", url.Values{"where": {"Leeds"}})
	asked := post(t, srv.URL, "/results", url.Values{"where": {"Leeds"}, "languages": {"cy"}, "access": {"bsl"}, "extras": {"nogroups", "private"}})
	if asked.status != 200 {
		t.Fatalf("status %d", asked.status)
	}
	// Miles everywhere: the matcher's km never reach the page.
	if regexp.MustCompile(`\d km\b`).MatchString(plain.body) {
		t.Error("results show kilometres")
	}
	if strings.Count(asked.body, "<li>") <= strings.Count(plain.body, "<li>") {
		t.Error("the extra answers added nothing to what the results explain")
	}
	for _, want := range []string{"Welsh", "British Sign Language"} {
		if !strings.Contains(asked.body, want) {
			t.Errorf("results do not mention %q", want)
		}
	}
	if r := post(t, srv.URL, "/results", url.Values{"where": {"Leeds"}, "languages": {"xx"}}); r.status != 400 || !strings.Contains(r.body, `href="#languages"`) {
		t.Errorf("unknown language: %d", r.status)
	}
}

// TestPlaceFromPosition: "Use my location" gets a place name for the box,
// never coordinates, from a POST body; a bad position is a 400 naming
// the fields.
func TestPlaceFromPosition(t *testing.T) {
	srv := newServer(t)
	r := post(t, srv.URL, "/place", url.Values{"lat": {"53.819"}, "lon": {"-1.578"}})
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var got struct{ Where, Name string }
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Where, "LS") || !strings.Contains(got.Name, "Leeds") || strings.Contains(got.Where+got.Name, "53.") {
		t.Errorf("place %+v, want a Leeds district and no coordinates", got)
	}
	if r := post(t, srv.URL, "/place", url.Values{"lat": {"north"}, "lon": {"-1.5"}}); r.status != 400 || !strings.Contains(r.body, `"lat"`) {
		t.Errorf("bad position: %d %s", r.status, r.body)
	}
	if r := get(t, srv.URL, "/place?lat=53.8&lon=-1.5"); r.status != 404 && r.status != 405 {
		t.Errorf("GET /place answered %d: the position must travel in a body", r.status)
	}
}

// TestOtherKindsOfHelpLinked: the count of providers of other kinds of
// help is a button to list them (re-posting the answers), and from there
// one goes back to Job Brokers.
func TestOtherKindsOfHelpLinked(t *testing.T) {
	srv := newServer(t)
	f := url.Values{"where": {"Leeds"}, "help": {"cv"}}
	jb := post(t, srv.URL, "/results", f)
	if !regexp.MustCompile(`name="kinds" value="other"[^>]*>\d+ providers? of (another kind|other kinds) of help also covers? this area: show them</button>`).MatchString(jb.body) {
		t.Fatal("the other kinds of help are not offered as a link")
	}
	f.Set("kinds", "other")
	other := post(t, srv.URL, "/results", f)
	if other.status != 200 || !strings.Contains(other.body, "of other help cover") || !strings.Contains(other.body, `class="app-result"`) {
		t.Fatalf("other kinds not listed: %d", other.status)
	}
	if !strings.Contains(other.body, `<input type="hidden" name="kinds" value="other">`) || !strings.Contains(other.body, `value="job_brokers"`) {
		t.Error("the other list does not carry its kind or offer the way back")
	}
	f["kinds"] = []string{"other", "job_brokers"}
	back := post(t, srv.URL, "/results", f)
	if strings.Contains(back.body, "of other help cover") {
		t.Error("Back to Job Brokers still lists other kinds")
	}
}
