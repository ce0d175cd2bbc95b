package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// formData is the search form: the person's answers and the choices.
type formData struct {
	Answers answers
	Options formOptions
	// ErrorFor holds one message per field id, for inline errors.
	ErrorFor map[string]string
}

func newFormData(a answers, errs []fieldError) formData {
	f := formData{Answers: a, Options: options, ErrorFor: map[string]string{}}
	for _, e := range errs {
		if _, ok := f.ErrorFor[e.Field]; !ok {
			f.ErrorFor[e.Field] = e.Message
		}
	}
	return f
}

func (s *server) home(c *gin.Context) error {
	s.render(c, http.StatusOK, "home", "Find help to get into work", newFormData(answers{}, nil))
	return nil
}

// resultsGet sends someone who reloads or bookmarks /results back to the
// form: results exist only as the answer to a POST.
func (s *server) resultsGet(c *gin.Context) error {
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

// resultsPerPage is how many providers one results page shows: enough to
// compare, few enough to read with a screen reader.
const resultsPerPage = 10

// resultsData is the results page.
type resultsData struct {
	Form     formData
	Place    string
	Total    int // every eligible provider
	Shown    int // after the filters
	Results  []resultView
	Excluded match.Excluded
	// NoGoodFit is set when nothing meets at least half of the answers.
	NoGoodFit bool
	// CapacityNote says when the best fits are not taking new clients.
	CapacityNote string
	// Notice says plainly why the list is what it is, when that is unusual
	// (a postcode of an area we do not know yet: national providers only).
	Notice   string
	Other    []resultView
	Page     int
	Pages    []int
	PrevPage int
	NextPage int
	Filtered bool
	// PhoneOnly and National count the eligible providers that work only
	// by telephone or online, and those that cover the whole country, so
	// the count says what kind of list it is.
	PhoneOnly, National int
	// ChosenElsewhere are ticked providers not on this page, kept as
	// hidden fields so paging and filtering do not lose them.
	ChosenElsewhere []string
}

type resultView struct {
	match.Ranked
	View providerView
	Card cardView
	// Chosen is set when the person has ticked it.
	Chosen bool
}

// results answers the search form. The POST changes nothing on the server
// (it only reads), so it needs no CSRF token: a forged post could at most
// show a page of results to the person's own browser. The answers are in
// the body only; the response is the page itself, never a redirect that
// would put them in a URL.
func (s *server) results(c *gin.Context) error {
	a, errs := readAnswers(c)
	if len(errs) > 0 {
		s.render(c, http.StatusBadRequest, "home", "Find help to get into work", newFormData(a, errs), errs...)
		return nil
	}
	return s.showResults(c, a)
}

// showResults matches answers already read and checked, and shows them.
func (s *server) showResults(c *gin.Context, a answers) error {
	var errs []fieldError
	all, place, err := s.matchAll(c, a)
	var ve *directory.ValidationError
	var pe *directory.PlaceError
	switch {
	case errors.As(err, &pe):
		errs = []fieldError{{"where", pe.Message}}
		s.render(c, http.StatusUnprocessableEntity, "home", "Find help to get into work", newFormData(a, errs), errs...)
		return nil
	case errors.As(err, &ve):
		// The matcher's messages name API fields; say it in the form's terms.
		errs = []fieldError{{"where", "Enter a real postcode, such as LS6 2BS, or the name of your town"}}
		s.render(c, http.StatusBadRequest, "home", "Find help to get into work", newFormData(a, errs), errs...)
		return nil
	case err != nil:
		return err
	}
	// Keep results private to this browser. "no-store" would make the Back
	// button from a provider page fail ("confirm form resubmission"), so
	// the browser may keep this page for its history, but no shared cache
	// may (private) and it is never reused without asking (max-age=0).
	c.Header("Cache-Control", "private, max-age=0")

	now := s.now()
	kept := all.Results[:0:0]
	for _, r := range all.Results {
		if a.FaceToFace && r.Provider.TelephoneOnly() ||
			a.TakingNew && slices.ContainsFunc(r.Flags, func(f match.Flag) bool { return f.Code == "not_taking_new_clients" }) {
			continue
		}
		kept = append(kept, r)
	}
	d := resultsData{
		Form: newFormData(a, nil), Place: placeName(place), Total: all.Total, Shown: len(kept),
		Excluded: all.Excluded, NoGoodFit: all.NoGoodFit, CapacityNote: all.CapacityNote, Filtered: a.TakingNew || a.FaceToFace,
	}
	for _, r := range all.Results {
		if r.Provider.TelephoneOnly() {
			d.PhoneOnly++
		}
		if r.Provider.Coverage.National {
			d.National++
		}
	}
	if place.Source == geo.SourceUnknownArea {
		d.Notice = finder.UnknownAreaMessage
	}
	pages := max(1, (len(kept)+resultsPerPage-1)/resultsPerPage)
	d.Page = min(a.Page, pages)
	for i := 1; i <= pages; i++ {
		d.Pages = append(d.Pages, i)
	}
	if d.Page > 1 {
		d.PrevPage = d.Page - 1
	}
	if d.Page < pages {
		d.NextPage = d.Page + 1
	}
	from := (d.Page - 1) * resultsPerPage
	for _, r := range kept[from:min(from+resultsPerPage, len(kept))] {
		v := newProviderView(r.Provider, now)
		d.Results = append(d.Results, resultView{Ranked: r, View: v, Card: newCardView(r, v, place), Chosen: a.IsChosen(r.Provider.ID)})
	}
	for _, id := range a.Chosen {
		if !slices.ContainsFunc(d.Results, func(r resultView) bool { return r.Provider.ID == id }) {
			d.ChosenElsewhere = append(d.ChosenElsewhere, id)
		}
	}
	for _, r := range all.OtherProvision {
		d.Other = append(d.Other, resultView{Ranked: r, View: newProviderView(r.Provider, now)})
	}
	title := "Providers who can help you"
	if a.Other {
		title = "Other kinds of help"
	}
	s.render(c, http.StatusOK, "results", title, d)
	return nil
}

// matchAll ranks every eligible provider, through the service (which
// records what the page shows), so the page can filter and page them
// without asking again.
func (s *server) matchAll(c *gin.Context, a answers) (match.Result, geo.Place, error) {
	q := finder.MatchQuery{Location: finder.ParseNear(a.Where), Needs: a.needs()}
	if a.Other {
		q.Types = otherTypes
	}
	return s.svc.MatchAll(c.Request.Context(), q)
}

// placeName says where we searched, as the person would recognise it.
func placeName(p geo.Place) string {
	switch {
	case p.Postcode != "" && p.Town != "":
		return p.Postcode + ", " + p.Town
	case p.Postcode != "":
		return p.Postcode
	case p.District != "" && p.Town != "":
		return p.District + ", " + p.Town
	case p.Town != "":
		return p.Town
	case p.District != "":
		return p.District
	}
	return "where you live"
}

func (s *server) provider(c *gin.Context) error {
	slug := c.Param("slug")
	p, ok := s.lookupSlug(slug)
	if !ok {
		return notFound{}
	}
	if want := providerURL(p); "/providers/"+slug != want {
		c.Redirect(http.StatusMovedPermanently, want)
		return nil
	}
	s.render(c, http.StatusOK, "provider", p.Name, newProviderView(p, s.now()))
	return nil
}

// chooseData is a page of chosen providers (compare, shortlist), or the
// reason the choice cannot be shown.
type chooseData struct {
	Providers []providerView
	IDs       []string
	Problem   string
	Today     string
	// Saved is set on a shortlist an adviser saved: its note, the provider
	// chosen and until when the code works.
	Saved *savedView
	// Fits, on a comparison made from results, are each provider's fit to
	// what the person asked, in the order of Providers; Answers are the
	// answers, carried back (in a POST) to the results.
	Fits    []compareFit
	Answers *answers
}

// compareFit is how one compared provider fits the person's answers.
type compareFit struct {
	Card        cardView
	Explanation match.Explanation
	// Listed is false when the provider is no longer in the person's
	// results (its listing changed since), so there is no fit to show.
	Listed bool
}

type savedView struct {
	Code, Note, Chosen, Expires string
}

// savedShortlist shows, printable, a shortlist an adviser saved with the
// client: the providers in the order shown, with contact details, the
// provider chosen and the adviser's note. The code is the only key; the
// shortlist holds no client data. Providers no longer listed are left out.
func (s *server) savedShortlist(c *gin.Context) error {
	code := strings.ToUpper(strings.TrimSpace(c.Param("code")))
	if !directory.ValidShortlistCode(code) {
		return notFound{}
	}
	sl, err := s.shortlists.Shortlist(c.Request.Context(), code)
	if errors.Is(err, directory.ErrNotFound) {
		return notFound{}
	}
	if err != nil {
		return err
	}
	if !s.now().Before(sl.ExpiresAt) {
		s.render(c, http.StatusGone, "choose", "This list has expired", chooseData{Problem: "This list was kept for 30 days and has now expired. Ask your adviser for a new one, or search again."})
		return nil
	}
	now := s.now()
	d := chooseData{Today: sl.CreatedAt.Format("2 January 2006"), Saved: &savedView{Code: sl.Code, Note: sl.Note, Expires: sl.ExpiresAt.Format("2 January 2006")}}
	for _, it := range sl.Items {
		p, ok := s.finder.Provider(it.ProviderID)
		if !ok {
			continue
		}
		if it.ProviderID == sl.ChosenProviderID {
			d.Saved.Chosen = p.Name
		}
		d.Providers = append(d.Providers, newProviderView(p, now))
	}
	s.render(c, http.StatusOK, "shortlist", "Your list of providers", d)
	return nil
}

// chosen reads the ids in the query (provider ids only: no client data ever
// travels in these URLs) and looks each up.
func (s *server) chosen(c *gin.Context, lo, hi int) ([]providerView, string) {
	ids := dedupe(c.QueryArray("id"))
	if len(ids) < lo || len(ids) > hi {
		return nil, ""
	}
	now := s.now()
	out := make([]providerView, 0, len(ids))
	for _, id := range ids {
		p, ok := s.finder.Provider(id)
		if !directory.ValidID(id) || !ok {
			return nil, "One of the providers you chose is no longer listed. Go back and choose again."
		}
		out = append(out, newProviderView(p, now))
	}
	return out, ""
}

func (s *server) compare(c *gin.Context) error {
	ps, problem := s.chosen(c, 2, 4)
	if ps == nil {
		if problem == "" {
			problem = "Choose 2, 3 or 4 providers to compare. Go back to your results and tick the box under each one you want to compare."
		}
		s.render(c, http.StatusBadRequest, "choose", "Compare providers", chooseData{Problem: problem})
		return nil
	}
	d := chooseData{Providers: ps}
	for _, p := range ps {
		d.IDs = append(d.IDs, p.P.ID)
	}
	s.render(c, http.StatusOK, "compare", "Compare providers", d)
	return nil
}

// compareResults compares the providers ticked on the results, with how
// each fits the answers posted alongside. It answers a POST, like the
// results, so the answers never reach a URL; it matches again through the
// service rather than trusting anything posted about the providers.
func (s *server) compareResults(c *gin.Context) error {
	a, errs := readAnswers(c)
	if len(errs) > 0 || len(a.Chosen) < 2 || len(a.Chosen) > 4 {
		s.render(c, http.StatusBadRequest, "choose", "Compare providers", chooseData{Problem: "Choose 2, 3 or 4 providers to compare. Go back to your results and tick the box under each one you want to compare.", Answers: &a})
		return nil
	}
	all, place, err := s.matchAll(c, a)
	if err != nil {
		// The answers were good enough for results a moment ago; a place
		// that no longer resolves is the person's to fix on the form.
		s.render(c, http.StatusUnprocessableEntity, "choose", "Compare providers", chooseData{Problem: "We could not compare these providers. Go back to your results and try again.", Answers: &a})
		return nil
	}
	c.Header("Cache-Control", "private, max-age=0")
	now := s.now()
	d := chooseData{Answers: &a}
	for _, id := range a.Chosen {
		p, ok := s.finder.Provider(id)
		if !ok {
			s.render(c, http.StatusBadRequest, "choose", "Compare providers", chooseData{Problem: "One of the providers you chose is no longer listed. Go back and choose again.", Answers: &a})
			return nil
		}
		v := newProviderView(p, now)
		f := compareFit{}
		for _, r := range slices.Concat(all.Results, all.OtherProvision) {
			if r.Provider.ID == id {
				f = compareFit{Card: newCardView(r, v, place), Explanation: r.Explanation, Listed: true}
				break
			}
		}
		d.Providers = append(d.Providers, v)
		d.Fits = append(d.Fits, f)
		d.IDs = append(d.IDs, id)
	}
	s.render(c, http.StatusOK, "compare", "Compare providers", d)
	return nil
}

// shortlistResults turns the ticks on the results into a list to keep. The
// list holds no answers, so it is a plain address with provider ids only:
// redirect there, dropping everything else that was posted.
func (s *server) shortlistResults(c *gin.Context) error {
	a, _ := readAnswers(c)
	q := url.Values{"id": a.Chosen}
	c.Redirect(http.StatusSeeOther, "/shortlist?"+q.Encode())
	return nil
}

// maxShortlist is the most providers a take-away list holds.
const maxShortlist = 10

func (s *server) shortlist(c *gin.Context) error {
	ps, problem := s.chosen(c, 1, maxShortlist)
	if ps == nil {
		if problem == "" {
			problem = "Choose between 1 and 10 providers for your list. Go back to your results and tick the box under each one you want."
		}
		s.render(c, http.StatusBadRequest, "choose", "Your list of providers", chooseData{Problem: problem})
		return nil
	}
	s.render(c, http.StatusOK, "shortlist", "Your list of providers", chooseData{Providers: ps, Today: today(s.now)})
	return nil
}

// static serves a page that is the same for everyone.
func (s *server) static(name, title string) func(*gin.Context) error {
	return func(c *gin.Context) error {
		s.render(c, http.StatusOK, name, title, nil)
		return nil
	}
}
