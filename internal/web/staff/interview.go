package staff

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/match"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// oldAfter is when a listing's information counts as old for advisers:
// they are told to check anything not confirmed for six months.
const oldAfter = 183 * 24 * time.Hour

// row is one provider in the ranked list, as the adviser reads it.
type row struct {
	Rank               int
	ID, Name, Summary  string
	Met, Partly, Not   []string
	Stated             int
	Miles              string
	How                []string
	Flags              []match.Flag
	TelephoneOnly      bool
	National           bool
	NotTaking          bool
	Old                bool
	Discretionary      bool
	Phone, Email, Site string
	Textphone, Checked string
	OtherProvision     bool
	provider           *directory.Provider
}

// results is the ranked list with the counts the adviser must not miss.
type results struct {
	Area                    string
	Total                   int
	TelephoneOnly, National int
	NoGoodFit               bool
	Rows, Other             []row
	Excluded                match.Excluded
}

func (s *server) toRow(r match.Ranked, other bool) row {
	p := r.Provider
	out := row{Rank: r.Rank, ID: p.ID, Name: p.Name, Summary: p.Summary, Flags: r.Flags, OtherProvision: other,
		Met: r.Explanation.Met, Partly: r.Explanation.PartlyMet, Not: r.Explanation.NotMet,
		National: p.Coverage.National, Phone: p.Contact.Phone, Email: p.Contact.Email, Textphone: p.Contact.Textphone,
		Site: p.Organisation.Website, provider: p}
	out.Stated = len(out.Met) + len(out.Partly) + len(out.Not)
	if r.DistanceKm != nil {
		out.Miles = fmt.Sprintf("%.1f", *r.DistanceKm/kmPerMile)
	}
	modes := directory.MustVocabulary(directory.VocabDeliveryModes)
	for _, m := range p.DeliveryModes {
		out.How = append(out.How, modes.Label(m))
	}
	for _, f := range r.Flags {
		switch f.Code {
		case "telephone_only":
			out.TelephoneOnly = true
		case "not_taking_new_clients":
			out.NotTaking = true
		case "incentives_discretionary":
			out.Discretionary = true
		}
	}
	if t, ok := p.Freshness.LastVerified.Time(); ok {
		out.Checked = t.Format("2 January 2006")
		out.Old = s.now().Sub(t) > oldAfter
	} else {
		out.Old = true
	}
	return out
}

func (s *server) toResults(res match.Result, area string) results {
	out := results{Area: area, Total: res.Total, NoGoodFit: res.NoGoodFit, Excluded: res.Excluded}
	for _, r := range res.Results {
		rw := s.toRow(r, false)
		if rw.TelephoneOnly {
			out.TelephoneOnly++
		}
		if rw.National {
			out.National++
		}
		out.Rows = append(out.Rows, rw)
	}
	for _, r := range res.OtherProvision {
		out.Other = append(out.Other, s.toRow(r, true))
	}
	return out
}

func (iv interview) query() finder.MatchQuery {
	q := finder.MatchQuery{Needs: iv.needs()}
	if looksLikePostcode(iv.Where) {
		q.Location.Postcode = iv.Where
	} else {
		q.Location.Town = iv.Where
	}
	return q
}

// looksLikePostcode tells a postcode from a town: a postcode has a digit
// in its first part; no UK town name has one.
func looksLikePostcode(s string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return strings.ContainsAny(first, "0123456789")
}

// matchErrors turns a match's refusal into errors on the form, or returns
// the error when it is not about the answers.
func matchErrors(err error) ([]fieldError, error) {
	var pe *directory.PlaceError
	var ve *directory.ValidationError
	switch {
	case errors.As(err, &pe):
		return []fieldError{{"where", pe.Message}}, nil
	case errors.As(err, &ve):
		var out []fieldError
		for _, p := range ve.Problems {
			field := "where"
			if f, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(p.Field, "query."), "needs."), "["); allowed[f] != nil {
				field = f
			}
			out = append(out, fieldError{field, "Check this answer: " + p.Message})
		}
		return out, nil
	}
	return nil, err
}

type interviewData struct {
	Interview interview
	Sections  []section
	Results   *results
	Note      string
	Chosen    string
	// Saved is the shortlist just saved, if any.
	Saved *directory.Shortlist
}

func (s *server) interviewGet(c *gin.Context) error {
	s.render(c, http.StatusOK, "interview", "Interview", interviewData{Interview: interview{Values: map[string][]string{}}, Sections: sections})
	return nil
}

// interviewPost matches the answers (through the service, which records
// what was shown) and shows the whole ranked list. With the script, only
// the list part is swapped in (the same page, asked for by fetch).
func (s *server) interviewPost(c *gin.Context) error {
	iv, errs := readInterview(c, true)
	data := interviewData{Interview: iv, Sections: sections, Note: c.PostForm("note"), Chosen: c.PostForm("chosen")}
	if len(errs) > 0 {
		s.render(c, http.StatusBadRequest, "interview", "Interview", data, errs...)
		return nil
	}
	res, err := s.match(c.Request.Context(), iv)
	if err != nil {
		fe, err := matchErrors(err)
		if err != nil {
			return err
		}
		s.render(c, http.StatusBadRequest, "interview", "Interview", data, fe...)
		return nil
	}
	data.Results = &res
	s.render(c, http.StatusOK, "interview", "Interview", data)
	return nil
}

func (s *server) match(ctx context.Context, iv interview) (results, error) {
	res, place, err := s.svc.MatchAll(ctx, iv.query())
	if err != nil {
		return results{}, err
	}
	return s.toResults(res, service.Area(place)), nil
}

type compareData struct {
	Interview interview
	Needs     []string
	Rows      []row
	Cells     [][]string
}

// compare shows 2 to 4 ticked providers side by side: the client's needs
// as rows, the providers as columns.
func (s *server) compare(c *gin.Context) error {
	iv, errs := readInterview(c, true)
	if len(errs) == 0 && (len(iv.Compare) < 2 || len(iv.Compare) > 4) {
		errs = append(errs, fieldError{"compare", "Tick between 2 and 4 providers to compare"})
	}
	back := interviewData{Interview: iv, Sections: sections}
	if len(errs) > 0 {
		if res, err := s.match(c.Request.Context(), iv); err == nil {
			back.Results = &res
		}
		s.render(c, http.StatusBadRequest, "interview", "Interview", back, errs...)
		return nil
	}
	res, err := s.match(c.Request.Context(), iv)
	if err != nil {
		fe, err := matchErrors(err)
		if err != nil {
			return err
		}
		s.render(c, http.StatusBadRequest, "interview", "Interview", back, fe...)
		return nil
	}
	var cols []row
	for _, id := range iv.Compare {
		for _, r := range append(slices.Clone(res.Rows), res.Other...) {
			if r.ID == id {
				cols = append(cols, r)
				break
			}
		}
	}
	if len(cols) < 2 {
		back.Results = &res
		s.render(c, http.StatusBadRequest, "interview", "Interview", back, fieldError{"compare", "Tick between 2 and 4 providers from the list to compare"})
		return nil
	}
	// Rows are every need any column was judged on, in first-seen order.
	var needs []string
	for _, r := range cols {
		for _, list := range [][]string{r.Met, r.Partly, r.Not} {
			for _, n := range list {
				if !slices.Contains(needs, n) {
					needs = append(needs, n)
				}
			}
		}
	}
	cells := make([][]string, len(needs))
	for i, n := range needs {
		for _, r := range cols {
			v := "not"
			switch {
			case slices.Contains(r.Met, n):
				v = "met"
			case slices.Contains(r.Partly, n):
				v = "partly"
			}
			cells[i] = append(cells[i], v)
		}
	}
	s.render(c, http.StatusOK, "compare", "Compare providers", compareData{Interview: iv, Needs: needs, Rows: cols, Cells: cells})
	return nil
}

// saveShortlist saves what the match shows, with the client's choice and
// the adviser's note, through the service (which audits it under the
// adviser's name), then shows the code and the client's page.
func (s *server) saveShortlist(c *gin.Context) error {
	iv, errs := readInterview(c, true)
	note := strings.TrimSpace(c.PostForm("note"))
	chosen := c.PostForm("chosen")
	data := interviewData{Interview: iv, Sections: sections, Note: note, Chosen: chosen}
	if len(note) > directory.MaxNote {
		errs = append(errs, fieldError{"note", fmt.Sprintf("The note must be %d characters or fewer", directory.MaxNote)})
	}
	if chosen != "" && !directory.ValidID(chosen) {
		errs = append(errs, fieldError{"chosen", "Choose a provider from the list"})
	}
	if len(errs) > 0 {
		s.render(c, http.StatusBadRequest, "interview", "Interview", data, errs...)
		return nil
	}
	sl, err := s.svc.SaveShortlist(c.Request.Context(), service.ShortlistRequest{Query: iv.query(), ChosenProviderID: chosen, Note: note})
	if err != nil {
		fe, err := matchErrors(err)
		if err != nil {
			return err
		}
		if res, err := s.match(c.Request.Context(), iv); err == nil {
			data.Results = &res
		}
		s.render(c, http.StatusBadRequest, "interview", "Interview", data, fe...)
		return nil
	}
	// The interview stays on screen (the answers are still in the form),
	// so the adviser can go on to refer; the client's page opens from the
	// banner.
	res, err := s.match(c.Request.Context(), iv)
	if err != nil {
		return err
	}
	data.Results, data.Saved = &res, sl
	s.render(c, http.StatusOK, "interview", "Interview", data)
	return nil
}

type savedData struct {
	Shortlist *directory.Shortlist
	PublicURL string
	// QR is a data: URL of a PNG we made, so safe as an img src.
	QR     template.URL
	Rows   []row
	Chosen *row
}

// savedShortlist is the shortlist's printable page for the client: what
// each provider offers, how to reach them, the public page's address and a
// QR code of it. Only the adviser who saved it sees it here.
func (s *server) savedShortlist(c *gin.Context) error {
	code := strings.ToUpper(strings.TrimSpace(c.Param("code")))
	if !directory.ValidShortlistCode(code) {
		return directory.ErrNotFound
	}
	sl, err := s.store.Shortlist(c.Request.Context(), code)
	if err != nil {
		return err
	}
	if sl.CreatedBy != PersonFrom(c).Token.ID {
		return directory.ErrNotFound
	}
	public := baseURL(c) + "/shortlists/" + sl.Code
	png, err := qrcode.Encode(public, qrcode.Medium, 256)
	if err != nil {
		return err
	}
	data := savedData{Shortlist: sl, PublicURL: public, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
	for _, it := range sl.Items {
		p, ok := s.svc.Finder().Provider(it.ProviderID)
		if !ok {
			continue
		}
		r := s.toRow(match.Ranked{Provider: p, Rank: it.Rank}, it.OtherProvision)
		data.Rows = append(data.Rows, r)
	}
	for i := range data.Rows {
		if data.Rows[i].ID == sl.ChosenProviderID {
			data.Chosen = &data.Rows[i]
		}
	}
	s.render(c, http.StatusOK, "saved", "Shortlist "+sl.Code, data)
	return nil
}

// baseURL is the service's own address as the browser reached it. The
// Host header is the browser's; a proxy in front sets it to the public
// name.
func baseURL(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

type homeData struct {
	Shortlists []directory.Shortlist
	Referrals  []directory.Referral
}

func (s *server) home(c *gin.Context) error {
	ctx := c.Request.Context()
	p := PersonFrom(c)
	var data homeData
	if s.shortlist != nil {
		sls, err := s.shortlist.ShortlistsBy(ctx, p.Token.ID, 5)
		if err != nil {
			return err
		}
		data.Shortlists = sls
	}
	refs, err := s.myReferrals(ctx, p, "", 1, 5)
	if err != nil {
		return err
	}
	data.Referrals = refs.Items
	s.render(c, http.StatusOK, "home", "Adviser workspace", data)
	return nil
}
