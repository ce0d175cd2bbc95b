package staff

import (
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// choice is one checkbox or radio of a need.
type choice struct{ Value, Label, Hint string }

// needGroup is one question of the interview: a need field, in plain words.
// Picker groups (languages, access needs) are long lists the script makes
// filterable; without it they are plain checkboxes.
type needGroup struct {
	Field, Legend, Hint string
	Multi, Picker       bool
	Choices             []choice
}

// section is a heading over some questions.
type section struct {
	Heading string
	Groups  []needGroup
}

func vocab(name string, none string) []choice {
	v := directory.MustVocabulary(name)
	out := make([]choice, 0, len(v.Terms)+1)
	for _, t := range v.Terms {
		out = append(out, choice{t.Code, t.Label, t.Description})
	}
	if none != "" {
		out = append(out, choice{"", none, ""})
	}
	return out
}

// Yes-or-no needs, as ticks with their own values.
const (
	flagSevere       = "severe"
	flagUnsure       = "unsure"
	flagNotJobcentre = "not_jobcentre"
	flagNoGroups     = "no_groups"
	flagInWork       = "in_work"
)

// travelMiles are the distances offered for "how far can they travel".
var travelMiles = []choice{{"", "Any distance", ""}, {"3", "Up to 3 miles", ""}, {"5", "Up to 5 miles", ""},
	{"10", "Up to 10 miles", ""}, {"20", "Up to 20 miles", ""}, {"40", "Up to 40 miles", ""}}

const kmPerMile = 1.609344

// sections are every need the matcher knows (directory.Needs), grouped as
// an adviser would ask about them.
var sections = []section{
	{"Health", []needGroup{
		{Field: "health_conditions", Legend: "Health conditions", Hint: "Only what the client is happy to share", Multi: true, Choices: vocab(directory.VocabSpecialisms, "")},
		{Field: "flags", Legend: "About the condition", Multi: true, Choices: []choice{{flagSevere, "Severe, long-lasting or goes up and down", "A fluctuating condition, or one that has lasted a long time"}}},
	}},
	{"Work", []needGroup{
		{Field: "distance_from_work", Legend: "How close do they feel to working?", Choices: vocab(directory.VocabDistanceFromWork, "Not asked")},
		{Field: "job_search_stage", Legend: "Where are they with looking for work?", Choices: vocab(directory.VocabJobSearchStages, "Not asked")},
		{Field: "hours", Legend: "Hours they want", Choices: vocab(directory.VocabHours, "Not sure yet")},
		{Field: "work_kind", Legend: "Kinds of work", Multi: true, Choices: vocab(directory.VocabWorkKinds, "")},
		{Field: "flags", Legend: "Their goal", Multi: true, Choices: []choice{{flagUnsure, "Not sure what work to aim for", "Or cannot go back to their old kind of work"}}},
		{Field: "employer_may_know", Legend: "May an employer be told about their condition?", Choices: []choice{{"yes", "Yes", ""}, {"no", "No, they do not want the employer told", ""}, {"", "Not asked", ""}}},
	}},
	{"Help they want", []needGroup{
		{Field: "support", Legend: "Support", Multi: true, Choices: vocab(directory.VocabServices, "")},
		{Field: "money_help", Legend: "Money worries", Multi: true, Choices: vocab(directory.VocabMoneyHelp, "")},
		{Field: "flags", Legend: "Once in work", Multi: true, Choices: []choice{{flagInWork, "Support after starting a job", ""}}},
	}},
	{"Meeting and travel", []needGroup{
		{Field: "contact_preferences", Legend: "How they would like to meet", Multi: true, Choices: vocab(directory.VocabDeliveryModes, "")},
		{Field: "flags", Legend: "What they want to avoid", Multi: true, Choices: []choice{
			{flagNotJobcentre, "Meeting at the Jobcentre", ""}, {flagNoGroups, "Group sessions", ""}}},
		{Field: "travel", Legend: "How they get about", Choices: vocab(directory.VocabTravel, "Not asked")},
		{Field: "max_travel", Legend: "How far they can travel to meet", Choices: travelMiles},
	}},
	{"Languages and access", []needGroup{
		{Field: "languages", Legend: "Languages they would like to speak", Hint: "Leave blank for English", Multi: true, Picker: true, Choices: vocab(directory.VocabLanguages, "")},
		{Field: "accessibility", Legend: "Access needs", Multi: true, Picker: true, Choices: vocab(directory.VocabAccessibility, "")},
	}},
}

// groupsByField gathers the allowed values of each form field.
var allowed = func() map[string][]string {
	m := map[string][]string{}
	for _, s := range sections {
		for _, g := range s.Groups {
			for _, c := range g.Choices {
				m[g.Field] = append(m[g.Field], c.Value)
			}
		}
	}
	return m
}()

// multiFields are the fields that take several values.
var multiFields = []string{"health_conditions", "flags", "work_kind", "support", "money_help", "contact_preferences", "languages", "accessibility"}

// singleFields take one.
var singleFields = []string{"distance_from_work", "job_search_stage", "hours", "employer_may_know", "travel", "max_travel"}

// interview is the client's answers as posted. It lives only in the
// request: it goes back to the browser inside POST forms, never in a URL,
// the session or a log.
type interview struct {
	Where  string
	Values map[string][]string
	// Compare are the providers ticked to compare.
	Compare []string
}

// Has reports whether field has value, for the templates.
func (iv interview) Has(field, value string) bool {
	vs, ok := iv.Values[field]
	if !ok && value == "" && !slices.Contains(multiFields, field) {
		return true // the "not asked" choice of an unanswered question
	}
	return slices.Contains(vs, value)
}

// Ticked reports whether provider id is ticked to compare.
func (iv interview) Ticked(id string) bool { return slices.Contains(iv.Compare, id) }

// Hidden lists the answers as name/value pairs, for hidden fields.
func (iv interview) Hidden() [][2]string {
	out := [][2]string{{"where", iv.Where}}
	for _, f := range append(append([]string{}, multiFields...), singleFields...) {
		for _, v := range iv.Values[f] {
			out = append(out, [2]string{f, v})
		}
	}
	for _, id := range iv.Compare {
		out = append(out, [2]string{"compare", id})
	}
	return out
}

// Count is how many needs were stated.
func (iv interview) Count() int {
	n := 0
	for _, vs := range iv.Values {
		for _, v := range vs {
			if v != "" {
				n++
			}
		}
	}
	return n
}

const maxWhere = 100

// readInterview reads the posted answers; unknown values are errors (the
// form offers only known ones).
func readInterview(c *gin.Context, needWhere bool) (interview, []fieldError) {
	iv := interview{Where: strings.TrimSpace(c.PostForm("where")), Values: map[string][]string{}}
	var errs []fieldError
	switch {
	case iv.Where == "" && needWhere:
		errs = append(errs, fieldError{"where", "Enter the client's postcode or town"})
	case len(iv.Where) > maxWhere:
		errs = append(errs, fieldError{"where", "Postcode or town must be 100 characters or fewer"})
	}
	for _, f := range multiFields {
		vs := dedupe(c.PostFormArray(f))
		for _, v := range vs {
			if !slices.Contains(allowed[f], v) {
				errs = append(errs, fieldError{f, "Choose from the list"})
				break
			}
		}
		if len(vs) > 0 {
			iv.Values[f] = vs
		}
	}
	for _, f := range singleFields {
		v, ok := c.GetPostForm(f)
		if !ok {
			continue
		}
		if !slices.Contains(allowed[f], v) {
			errs = append(errs, fieldError{f, "Choose from the list"})
			continue
		}
		if v != "" {
			iv.Values[f] = []string{v}
		}
	}
	for _, id := range dedupe(c.PostFormArray("compare")) {
		if directory.ValidID(id) && len(iv.Compare) < 50 {
			iv.Compare = append(iv.Compare, id)
		}
	}
	return iv, errs
}

// needs turns the answers into the matcher's terms.
func (iv interview) needs() directory.Needs {
	one := func(f string) string {
		if vs := iv.Values[f]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	flags := iv.Values["flags"]
	n := directory.Needs{
		HealthConditions:    iv.Values["health_conditions"],
		SevereOrFluctuating: slices.Contains(flags, flagSevere),
		DistanceFromWork:    one("distance_from_work"),
		UnsureOfWorkGoal:    slices.Contains(flags, flagUnsure),
		JobSearchStage:      one("job_search_stage"),
		Support:             iv.Values["support"],
		ContactPreferences:  iv.Values["contact_preferences"],
		AvoidJobcentre:      slices.Contains(flags, flagNotJobcentre),
		AvoidGroups:         slices.Contains(flags, flagNoGroups),
		Hours:               one("hours"),
		WorkKind:            iv.Values["work_kind"],
		MoneyHelp:           iv.Values["money_help"],
		InWorkSupport:       slices.Contains(flags, flagInWork),
		Languages:           iv.Values["languages"],
		Accessibility:       iv.Values["accessibility"],
		Travel:              one("travel"),
	}
	switch one("employer_may_know") {
	case "yes":
		t := true
		n.EmployerMayKnow = &t
	case "no":
		f := false
		n.EmployerMayKnow = &f
	}
	if m, err := strconv.Atoi(one("max_travel")); err == nil {
		n.MaxTravelKm = float64(m) * kmPerMile
	}
	return n
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) > 100 {
		out = out[:100]
	}
	return out
}

// maxFormBytes caps a staff form's body: answers and a few ticks.
const maxFormBytes = 64 << 10

// formBody admits only a form's own encoding within maxFormBytes and parses
// it before the handler runs.
func (s *server) formBody(c *gin.Context) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		c.Abort()
		s.render(c, http.StatusUnsupportedMediaType, "problem", "The form could not be read", problem{"Go back to the page and send the form again."})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
	if err := c.Request.ParseForm(); err != nil {
		c.Header("Connection", "close")
		c.Abort()
		s.render(c, http.StatusRequestEntityTooLarge, "problem", "The form could not be read", problem{"What was sent was larger than this service's forms send. Go back and try again."})
		return
	}
	c.Next()
}
