package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
)

//go:embed templates/*.html
var templateFS embed.FS

// view is what every page template gets: the page's own data in Data.
type view struct {
	Title string
	Nonce string
	// Errors, when any, are shown in an error summary and prefix the title.
	Errors []fieldError
	Data   any
}

// fieldError is one problem with an answer, linked from the error summary
// to the field (by its id).
type fieldError struct {
	Field   string
	Message string
}

// pageFiles are the templates of each page; each is parsed with the shared
// layout and partials so "content" and "before" are defined once per page.
var pageFiles = map[string][]string{
	"home":           {"layout.html", "parts.html", "form.html", "home.html"},
	"question":       {"layout.html", "parts.html", "question.html"},
	"results":        {"layout.html", "parts.html", "form.html", "results.html"},
	"provider":       {"layout.html", "parts.html", "provider.html"},
	"compare":        {"layout.html", "parts.html", "form.html", "compare.html"},
	"shortlist":      {"layout.html", "parts.html", "shortlist.html"},
	"notfound":       {"layout.html", "parts.html", "notfound.html"},
	"accessibility":  {"layout.html", "parts.html", "accessibility.html"},
	"privacy":        {"layout.html", "parts.html", "privacy.html"},
	"problem":        {"layout.html", "parts.html", "problem.html"},
	"choose":         {"layout.html", "parts.html", "form.html", "choose.html"},
	"embed-provider": {"embed-layout.html", "parts.html", "embed-provider.html"},
	"embed-area":     {"embed-layout.html", "parts.html", "embed-area.html"},
	"embed-problem":  {"embed-layout.html", "parts.html", "embed-problem.html"},
}

func parsePages(assets *assetSet) map[string]*template.Template {
	funcs := template.FuncMap{
		"asset":       assets.url,
		"label":       label,
		"labels":      labels,
		"describe":    func(vocab, code string) string { return directory.MustVocabulary(vocab).Describe(code) },
		"incentive":   incentiveText,
		"providerURL": providerURL,
		"date":        longDate,
		"join":        strings.Join,
		"plural":      plural,
		"group":       newCheckboxGroup,
		"row":         newRow,
		"miles":       miles,
		"tel":         telURL,
		"yesno":       yesno,
		"safeURL":     safeURL,
		"list":        func(s ...string) []string { return s },
	}
	out := make(map[string]*template.Template, len(pageFiles))
	for name, files := range pageFiles {
		paths := make([]string, len(files))
		for i, f := range files {
			paths[i] = "templates/" + f
		}
		out[name] = template.Must(template.New(files[0]).Funcs(funcs).ParseFS(templateFS, paths...))
	}
	return out
}

// render writes page name with status. It renders into a buffer first so a
// template error becomes a clean 500 rather than half a page.
func (s *server) render(c *gin.Context, status int, name, title string, data any, errs ...fieldError) {
	v := view{Title: title, Nonce: c.GetString(nonceKey), Errors: errs, Data: data}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.logger.ErrorContext(c.Request.Context(), "executing template", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Sorry, there is a problem with the service."))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// checkboxGroup is the data for the "checkboxes" template.
type checkboxGroup struct {
	ID, Legend, Hint string
	Answers          answers
	Err              map[string]string
	Options          []option
}

func newCheckboxGroup(id, legend, hint string, a answers, err map[string]string, opts []option) checkboxGroup {
	return checkboxGroup{ID: id, Legend: legend, Hint: hint, Answers: a, Err: err, Options: opts}
}

// rowData is one summary list row: Value is shown when Lines is empty.
type rowData struct {
	Key   string
	Value any
	Lines []string
}

func newRow(key string, value any) rowData {
	switch v := value.(type) {
	case []string:
		if len(v) == 0 {
			return rowData{Key: key}
		}
		return rowData{Key: key, Value: true, Lines: v}
	case string:
		if v == "" {
			return rowData{Key: key}
		}
	}
	return rowData{Key: key, Value: value}
}

func yesno(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// safeURL reports whether a provider's website can be a link: only http
// and https (html/template would neutralise anything else anyway).
func safeURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// apiIncentiveText is the API's wording for an incentive.
var apiIncentiveText = api.IncentiveText

func label(vocab, code string) string { return directory.MustVocabulary(vocab).Label(code) }

func labels(vocab string, codes []string) []string {
	v := directory.MustVocabulary(vocab)
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = v.Label(c)
	}
	return out
}

// longDate writes a date the GOV.UK way ("2 January 2006"), or "" when it is
// not a valid date.
func longDate(d directory.Date) string {
	t, ok := d.Time()
	if !ok {
		return ""
	}
	return t.Format("2 January 2006")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func today(now func() time.Time) string { return now().Format("2 January 2006") }
