package staff

import (
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/web"
)

var funcs = template.FuncMap{
	"asset":  web.AssetURL,
	"status": statusText,
	"when":   func(t time.Time) string { return t.Local().Format("2 January 2006 at 3:04pm") },
	"day":    func(t time.Time) string { return t.Local().Format("2 January 2006") },
	"join":   strings.Join,
	"tel":    telURL,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	"safeURL": func(s string) bool {
		u, err := url.Parse(s)
		return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
	},
	"shareLabel": func(s string) string {
		switch s {
		case directory.ShareName:
			return "Their name"
		case directory.ShareContact:
			return "Their contact details"
		case directory.ShareNeeds:
			return "What they told you they need (from the interview)"
		}
		return s
	},
	"givenBy": func(s string) string {
		switch s {
		case "client":
			return "The client"
		case "appointee":
			return "Their appointee"
		case "advocate":
			return "Their advocate"
		}
		return s
	},
	"add": func(a, b int) int { return a + b },
	"statusTag": func(st directory.ReferralStatus) string {
		switch st {
		case "declined", "withdrawn", "closed":
			return "govuk-tag--grey"
		case "accepted", "started", "job_entry", "sustained":
			return "govuk-tag--green"
		}
		return "govuk-tag--blue"
	},
}

// telURL is a tap-to-call link: the number's digits and a leading +.
func telURL(phone string) template.URL {
	var b strings.Builder
	for i, r := range phone {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return template.URL("tel:" + b.String())
}

// rowArgs is what the "resultrow" template gets.
type rowArgs struct {
	R      row
	IV     interview
	Chosen string
}

func init() {
	funcs["dict2"] = func(r row, iv interview, chosen string) rowArgs { return rowArgs{r, iv, chosen} }
}

func init() {
	funcs["list3"] = func(a, b, c string) []string { return []string{a, b, c} }
}
