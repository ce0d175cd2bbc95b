package web

import (
	"errors"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// option is one checkbox or radio on the search form. Values are the form's
// own short keys, not directory codes, so the wording can change without
// breaking anything and the mapping to needs lives in one place (apply).
type option struct {
	Value string
	Label string
	Hint  string
	apply func(*directory.Needs)
}

func support(code string) func(*directory.Needs) {
	return func(n *directory.Needs) { n.Support = append(n.Support, code) }
}

func contact(mode string) func(*directory.Needs) {
	return func(n *directory.Needs) { n.ContactPreferences = append(n.ContactPreferences, mode) }
}

// labelled is an option whose label is the vocabulary's, so the form and
// the explanations on the results say a need in the same words.
func labelled(value, vocab, code, hint string, apply func(*directory.Needs)) option {
	return option{value, directory.MustVocabulary(vocab).Label(code), hint, apply}
}

// helpOptions are the kinds of help the research found people wanted most
// (report §3.3, §3.4.1, §5.3, §5.7).
var helpOptions = []option{
	labelled("confidence", directory.VocabServices, "confidence_building", "Courses, groups or one-to-one sessions", support("confidence_building")),
	labelled("careers", directory.VocabServices, "vocational_guidance", "Including if you cannot go back to your old kind of work", support("vocational_guidance")),
	labelled("cv", directory.VocabServices, "cv_applications", "", support("cv_applications")),
	labelled("interview", directory.VocabServices, "interview_practice", "", support("interview_practice")),
	labelled("jobsearch", directory.VocabServices, "job_search", "Finding jobs to apply for", support("job_search")),
	labelled("skills", directory.VocabServices, "basic_skills", "", support("basic_skills")),
	labelled("training", directory.VocabServices, "vocational_training", "Including funded courses", support("vocational_training")),
	labelled("placement", directory.VocabServices, "work_placement", "Trying out a job for a short time", support("work_placement")),
	labelled("willpay", directory.VocabMoneyHelp, directory.MoneyWillWorkPay, "Someone works out your money in work compared with benefits", func(n *directory.Needs) {
		n.MoneyHelp = append(n.MoneyHelp, directory.MoneyWillWorkPay)
	}),
	labelled("costs", directory.VocabMoneyHelp, directory.MoneyCosts, "Such as travel, clothes or tools", func(n *directory.Needs) {
		n.MoneyHelp = append(n.MoneyHelp, directory.MoneyCosts)
	}),
	labelled("selfemployed", directory.VocabWorkKinds, directory.WorkSelfEmployed, "Starting your own business", func(n *directory.Needs) {
		n.WorkKind = append(n.WorkKind, directory.WorkSelfEmployed)
	}),
	labelled("inwork", directory.VocabYesNoNeeds, "in_work_support", "Someone to help if things get difficult at work", func(n *directory.Needs) {
		n.InWorkSupport = true
	}),
}

// yesNo is an option setting one of the yes-or-no needs, labelled from
// its vocabulary.
func yesNo(value, code string, apply func(*directory.Needs)) option {
	v := directory.MustVocabulary(directory.VocabYesNoNeeds)
	return option{value, v.Label(code), v.Describe(code), apply}
}

// aboutOptions are what else the research found mattered to people
// choosing (report §3.4.2, §4.4.1, §4.4.3, §5.6.2, §5.2.2).
var aboutOptions = []option{
	yesNo("sameadviser", "named_adviser", func(n *directory.Needs) { n.NamedAdviser = true }),
	yesNo("regular", "regular_contact", func(n *directory.Needs) { n.RegularContact = true }),
	labelled("inworknow", directory.VocabJobSearchStages, directory.StageInWork, "You need help to keep your job, for example when your employer changes your hours", func(n *directory.Needs) {
		n.JobSearchStage = directory.StageInWork
	}),
	yesNo("employertalk", "employer_mediation", func(n *directory.Needs) { n.EmployerMediation = true }),
	yesNo("caring", "caring_responsibilities", func(n *directory.Needs) { n.CaringResponsibilities = true }),
	yesNo("over50", "age_50_plus", func(n *directory.Needs) { n.Age50Plus = true }),
	yesNo("employermoney", "employer_incentives", func(n *directory.Needs) { n.EmployerIncentives = true }),
}

// meetOptions are the ways of meeting people asked about (report §3.2.3:
// a client who wanted face-to-face help chose a telephone-only provider by
// accident).
var meetOptions = []option{
	{"office", "Face to face at their office", "", contact(directory.ModeOffice)},
	{"community", "Face to face somewhere local", "Such as a library or community centre", contact(directory.ModeOutreach)},
	{"home", "At my home", "Staff come to you", contact(directory.ModeHomeVisits)},
	{"phone", "By phone", "", contact(directory.ModeTelephone)},
	{"notjobcentre", "Not at the Jobcentre", "", func(n *directory.Needs) { n.AvoidJobcentre = true }},
	{"online", "Online, by video call", "", contact(directory.ModeOnline)},
}

// vocabOptions offers every term of a vocabulary but those left out, in
// its words, each applied to the needs by set: so a term added to the
// vocabulary is asked about with no change here.
func vocabOptions(vocab string, set func(*directory.Needs, string), leaveOut ...string) []option {
	v := directory.MustVocabulary(vocab)
	var out []option
	for _, t := range v.Terms {
		if slices.Contains(leaveOut, t.Code) {
			continue
		}
		code := t.Code
		out = append(out, option{Value: code, Label: t.Label, Hint: t.Description, apply: func(n *directory.Needs) { set(n, code) }})
	}
	return out
}

// languageOptions are the languages someone may want to speak; English is
// what every provider speaks, so it is not asked.
var languageOptions = vocabOptions(directory.VocabLanguages, func(n *directory.Needs, c string) { n.Languages = append(n.Languages, c) }, "en")

// accessOptions are access and communication needs (step-free, BSL...).
var accessOptions = vocabOptions(directory.VocabAccessibility, func(n *directory.Needs, c string) { n.Accessibility = append(n.Accessibility, c) })

// travelOptions are how someone gets about, with "not sure" for none.
var travelOptions = append(vocabOptions(directory.VocabTravel, func(n *directory.Needs, c string) { n.Travel = c }),
	option{Value: "", Label: "I would rather not say", apply: func(*directory.Needs) {}})

// extraOptions are the other things the matcher weighs, in plain words.
var extraOptions = []option{
	{"nogroups", "I would rather not be in group sessions", "", func(n *directory.Needs) { n.AvoidGroups = true }},
	{"private", "I do not want my employer told about my health", "", func(n *directory.Needs) { no := false; n.EmployerMayKnow = &no }},
	{"inwork", "Help once I am in work", "Such as someone to talk to, or to speak to your employer", func(n *directory.Needs) { n.InWorkSupport = true }},
}

// conditionOptions are the health condition categories providers specialise
// in, straight from the vocabulary.
var conditionOptions = func() []option {
	v := directory.MustVocabulary(directory.VocabSpecialisms)
	out := make([]option, len(v.Terms))
	for i, t := range v.Terms {
		code := t.Code
		out[i] = option{Value: code, Label: t.Label, Hint: t.Description, apply: func(n *directory.Needs) {
			n.HealthConditions = append(n.HealthConditions, code)
		}}
	}
	return out
}()

var hoursOptions = func() []option {
	v := directory.MustVocabulary(directory.VocabHours)
	out := make([]option, 0, len(v.Terms)+1)
	for _, t := range v.Terms {
		code := t.Code
		out = append(out, option{Value: code, Label: t.Label, Hint: t.Description, apply: func(n *directory.Needs) { n.Hours = code }})
	}
	return append(out, option{Value: "", Label: "Not sure yet", apply: func(*directory.Needs) {}})
}()

// formOptions are the choices the form template lists.
type formOptions struct {
	Help, Meet, About, Conditions, Hours, Languages, Access, Travel, Extras []option
}

var options = formOptions{Help: helpOptions, Meet: meetOptions, About: aboutOptions, Conditions: conditionOptions, Hours: hoursOptions,
	Languages: languageOptions, Access: accessOptions, Travel: travelOptions, Extras: extraOptions}

// answers are what the person told us. They live only in this request:
// nothing is stored, and they go back to the browser only inside the POST
// forms on the results page (hidden fields), never in a URL.
type answers struct {
	Where      string
	Help       []string
	Meet       []string
	About      []string
	Conditions []string
	Severe     bool
	Hours      string
	Languages  []string
	Access     []string
	Travel     string
	Extras     []string
	// Filters on the results.
	TakingNew  bool
	FaceToFace bool
	Page       int
	// Other is set to list the other kinds of help (condition management,
	// debt advice...) instead of Job Brokers.
	Other bool
	// Chosen are the provider ids ticked to compare or list, carried
	// from page to page of results (provider ids only: no client data).
	Chosen []string
}

// IsChosen reports whether the provider with id is ticked.
func (a answers) IsChosen(id string) bool { return slices.Contains(a.Chosen, id) }

// Checked reports whether value was chosen for field; for the templates.
func (a answers) Checked(field, value string) bool {
	switch field {
	case "help":
		return slices.Contains(a.Help, value)
	case "meet":
		return slices.Contains(a.Meet, value)
	case "about":
		return slices.Contains(a.About, value)
	case "conditions":
		return slices.Contains(a.Conditions, value)
	case "hours":
		return a.Hours == value
	case "languages":
		return slices.Contains(a.Languages, value)
	case "access":
		return slices.Contains(a.Access, value)
	case "travel":
		return a.Travel == value
	case "extras":
		return slices.Contains(a.Extras, value)
	}
	return false
}

// Told reports whether the person shared anything about a health condition,
// so the results can say it was used without repeating it.
func (a answers) Told() bool { return len(a.Conditions) > 0 || a.Severe }

const maxWhereLen = 100

// readAnswers reads the posted form and checks it. Unknown values are
// errors, not silently dropped: the form only offers known ones.
func readAnswers(c *gin.Context) (answers, []fieldError) {
	a := answers{
		Where:      strings.TrimSpace(c.PostForm("where")),
		Help:       dedupe(c.PostFormArray("help")),
		Meet:       dedupe(c.PostFormArray("meet")),
		About:      dedupe(c.PostFormArray("about")),
		Conditions: dedupe(c.PostFormArray("conditions")),
		Severe:     c.PostForm("severe") == "yes",
		Hours:      c.PostForm("hours"),
		Languages:  dedupe(c.PostFormArray("languages")),
		Access:     dedupe(c.PostFormArray("access")),
		Travel:     c.PostForm("travel"),
		Extras:     dedupe(c.PostFormArray("extras")),
		TakingNew:  c.PostForm("taking_new") == "yes",
		FaceToFace: c.PostForm("face_to_face") == "yes",
		Page:       1,
		Chosen:     chosenIDs(c.PostFormArray("id")),
	}
	// "kinds" is carried as a hidden field and sent by the button that
	// switches list; the switch back to Job Brokers wins over the carried one.
	kinds := c.PostFormArray("kinds")
	a.Other = slices.Contains(kinds, "other") && !slices.Contains(kinds, "job_brokers")
	var errs []fieldError
	switch {
	case a.Where == "":
		errs = append(errs, fieldError{"where", "Enter your postcode or the town where you live"})
	case len(a.Where) > maxWhereLen:
		errs = append(errs, fieldError{"where", "Postcode or town must be 100 characters or fewer"})
	}
	for _, f := range []struct {
		id     string
		chosen []string
		opts   []option
		msg    string
	}{
		{"help", a.Help, helpOptions, "Choose the help you want from the list"},
		{"meet", a.Meet, meetOptions, "Choose how you would like to meet from the list"},
		{"about", a.About, aboutOptions, "Choose what else matters to you from the list"},
		{"conditions", a.Conditions, conditionOptions, "Choose health conditions from the list"},
		{"hours", []string{a.Hours}, hoursOptions, "Choose the hours you want from the list"},
		{"languages", a.Languages, languageOptions, "Choose languages from the list"},
		{"access", a.Access, accessOptions, "Choose access needs from the list"},
		{"travel", []string{a.Travel}, travelOptions, "Choose how you get about from the list"},
		{"extras", a.Extras, extraOptions, "Choose from the list"},
	} {
		for _, v := range f.chosen {
			if find(f.opts, v) == nil {
				errs = append(errs, fieldError{f.id, f.msg})
				break
			}
		}
	}
	if p := c.PostForm("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1000 {
			errs = append(errs, fieldError{"page", "Page must be a whole number"})
		} else {
			a.Page = n
		}
	}
	return a, errs
}

// needs turns the answers into the matcher's terms.
func (a answers) needs() directory.Needs {
	var n directory.Needs
	for _, f := range []struct {
		chosen []string
		opts   []option
	}{{a.Help, helpOptions}, {a.Meet, meetOptions}, {a.About, aboutOptions}, {a.Conditions, conditionOptions}, {[]string{a.Hours}, hoursOptions},
		{a.Languages, languageOptions}, {a.Access, accessOptions}, {[]string{a.Travel}, travelOptions}, {a.Extras, extraOptions}} {
		for _, v := range f.chosen {
			if o := find(f.opts, v); o != nil {
				o.apply(&n)
			}
		}
	}
	n.SevereOrFluctuating = a.Severe
	return n
}

func find(opts []option, v string) *option {
	for i := range opts {
		if opts[i].Value == v {
			return &opts[i]
		}
	}
	return nil
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) > 50 {
		out = out[:50]
	}
	return out
}

// maxFormBytes caps the search form's body. The form is a few KiB at most
// (a postcode and some ticked boxes); anything larger is not our form.
const maxFormBytes = 64 << 10

// formBody admits only the search form's own encoding, within
// maxFormBytes, and parses it before the handler runs, so Gin's form
// reading (which would buffer a multipart body in memory and on disk, and
// silently ignores errors) finds it parsed. A body declared too large is
// refused unread; one that does not declare its length is read through a
// cap and refused at maxFormBytes.
func (s *server) formBody(c *gin.Context) {
	refuse := func(status int, title, problem string) {
		// Close the connection: the rest of the body is not read.
		c.Header("Connection", "close")
		s.render(c, status, "choose", title, chooseData{Problem: problem})
		c.Abort()
	}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		refuse(http.StatusUnsupportedMediaType, "The search could not be read",
			"The search was not sent as this service's search form sends it. Go back to the start and search again from the form.")
		return
	}
	const tooLarge = "The search sent was far larger than this service's search form sends. Go back to the start and search again from the form."
	if c.Request.ContentLength > maxFormBytes {
		refuse(http.StatusRequestEntityTooLarge, "The search was too large", tooLarge)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
	if err := c.Request.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			refuse(http.StatusRequestEntityTooLarge, "The search was too large", tooLarge)
			return
		}
		refuse(http.StatusBadRequest, "The search could not be read",
			"The search could not be read. Go back to the start and search again from the form.")
		return
	}
	c.Next()
}

// chosenIDs keeps the well-formed provider ids among those posted, once
// each, and at most maxShortlist of them: a tick box can only send an id,
// so anything else is not from our page and is dropped.
func chosenIDs(posted []string) []string {
	var out []string
	for _, id := range dedupe(posted) {
		if directory.ValidID(id) && len(out) < maxShortlist {
			out = append(out, id)
		}
	}
	return out
}

// otherTypes are every kind of provider but Job Brokers, for Other.
var otherTypes = func() []string {
	var out []string
	for _, t := range directory.MustVocabulary(directory.VocabProviderTypes).Terms {
		if t.Code != directory.TypeJobBroker {
			out = append(out, t.Code)
		}
	}
	return out
}()
