package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// step is one question of "Answer a few questions": the GOV.UK
// one-question-per-page pattern, for people the whole form would put off.
// Each step is one field of the full form, so both ways of answering give
// the matcher the same answers; a need added to the form's options shows
// up here too.
type step struct {
	Field    string
	Question string
	Hint     string
	// Kind is how it is asked: "text", "checkboxes", "radios" or "yesno".
	Kind    string
	Options []option
	// Required steps cannot be skipped (the search needs a place).
	Required bool
}

var steps = []step{
	{Field: "where", Question: "Where do you live?", Hint: "Your postcode, such as LS6 2BS, or your town. We use it only to find providers near you.", Kind: "text", Required: true},
	{Field: "help", Question: "What help would you like?", Hint: "Choose all that you want. You can change your mind later.", Kind: "checkboxes", Options: helpOptions},
	{Field: "meet", Question: "How would you like to meet them?", Hint: "Choose all that suit you.", Kind: "checkboxes", Options: meetOptions},
	{Field: "conditions", Question: "Is there a health condition you would like help with?", Hint: "Only if you want to say. Some providers have staff with experience of a condition. We do not keep your answers.", Kind: "checkboxes", Options: conditionOptions},
	{Field: "severe", Question: "Is it long-term, serious, or does it change a lot from day to day?", Hint: "Some providers have more experience of this.", Kind: "yesno"},
	{Field: "hours", Question: "How many hours would you like to work?", Hint: "You can change this later.", Kind: "radios", Options: hoursOptions},
	{Field: "about", Question: "Would any of these matter to you?", Hint: "Choose any that do, or skip this question.", Kind: "checkboxes", Options: aboutOptions},
	{Field: "extras", Question: "Is there anything you would rather avoid, or want once in work?", Hint: "Choose any that do. You can say more, such as languages or access needs, on the page with all the questions.", Kind: "checkboxes", Options: extraOptions},
}

// questionData is one question page.
type questionData struct {
	Step    step
	Number  int // from 1
	Of      int
	Answers answers
	// Carry are the other answers, as hidden fields (POST only).
	Carry    []hiddenField
	ErrorFor map[string]string
}

type hiddenField struct{ Name, Value string }

// carry lists every answer except field's as hidden fields.
func (a answers) carry(field string) []hiddenField {
	var out []hiddenField
	add := func(name string, vs ...string) {
		if name == field {
			return
		}
		for _, v := range vs {
			if v != "" {
				out = append(out, hiddenField{name, v})
			}
		}
	}
	add("where", a.Where)
	add("help", a.Help...)
	add("meet", a.Meet...)
	add("conditions", a.Conditions...)
	if a.Severe {
		add("severe", "yes")
	}
	add("hours", a.Hours)
	add("languages", a.Languages...)
	add("access", a.Access...)
	add("travel", a.Travel)
	add("about", a.About...)
	add("extras", a.Extras...)
	return out
}

// clear forgets the answer to field (the person skipped it).
func (a *answers) clear(field string) {
	switch field {
	case "where":
		a.Where = ""
	case "help":
		a.Help = nil
	case "meet":
		a.Meet = nil
	case "conditions":
		a.Conditions = nil
	case "severe":
		a.Severe = false
	case "hours":
		a.Hours = ""
	case "about":
		a.About = nil
	case "extras":
		a.Extras = nil
	}
}

func (s *server) renderStep(c *gin.Context, status, i int, a answers, errs []fieldError) {
	d := questionData{Step: steps[i], Number: i + 1, Of: len(steps), Answers: a, Carry: a.carry(steps[i].Field), ErrorFor: map[string]string{}}
	for _, e := range errs {
		d.ErrorFor[e.Field] = e.Message
	}
	s.render(c, status, "question", steps[i].Question, d, errs...)
}

// questionsStart is the first question.
func (s *server) questionsStart(c *gin.Context) error {
	s.renderStep(c, http.StatusOK, 0, answers{}, nil)
	return nil
}

// questions takes the answer to one question (in "step", from 1) and asks
// the next, or shows the results after the last. Everything answered so
// far travels in the POST body, never in the address.
func (s *server) questions(c *gin.Context) error {
	a, errs := readAnswers(c)
	n, err := strconv.Atoi(c.PostForm("step"))
	if err != nil || n < 1 || n > len(steps) {
		s.renderStep(c, http.StatusOK, 0, answers{}, nil)
		return nil
	}
	cur := steps[n-1]
	if c.PostForm("skip") == "yes" && !cur.Required {
		a.clear(cur.Field)
	}
	// An answer not yet asked is not an error yet ("where" is empty
	// until its own question).
	for _, e := range errs {
		for i := range n {
			if steps[i].Field == e.Field {
				s.renderStep(c, http.StatusBadRequest, i, a, []fieldError{e})
				return nil
			}
		}
	}
	if n == len(steps) {
		return s.showResults(c, a)
	}
	s.renderStep(c, http.StatusOK, n, a, nil)
	return nil
}
