package web

import (
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TestFormSaysNeedsInTheVocabularysWords: a need ticked on the form is
// named on the results in the same words ("Building confidence", not
// "Building my confidence" on one and "Confidence and motivation" on the
// other), because both come from one vocabulary.
func TestFormSaysNeedsInTheVocabularysWords(t *testing.T) {
	services := directory.MustVocabulary(directory.VocabServices)
	for _, o := range helpOptions {
		var n directory.Needs
		o.apply(&n)
		for _, code := range n.Support {
			if want := services.Label(code); o.Label != want {
				t.Errorf("form option %q is labelled %q; the explanations say %q", o.Value, o.Label, want)
			}
		}
	}
}

// TestFormStatesTheNewNeeds: the full form lets a client state each need
// issue 17 added, and each option sets exactly that need.
func TestFormStatesTheNewNeeds(t *testing.T) {
	a := answers{Where: "Leeds", Hours: directory.HoursSchool}
	for _, o := range aboutOptions {
		a.About = append(a.About, o.Value)
	}
	got := a.needs()
	want := directory.Needs{
		NamedAdviser: true, RegularContact: true, JobSearchStage: directory.StageInWork, EmployerMediation: true,
		CaringResponsibilities: true, Age50Plus: true, EmployerIncentives: true, Hours: directory.HoursSchool,
	}
	if got.NamedAdviser != want.NamedAdviser || got.RegularContact != want.RegularContact || got.JobSearchStage != want.JobSearchStage ||
		got.EmployerMediation != want.EmployerMediation || got.CaringResponsibilities != want.CaringResponsibilities ||
		got.Age50Plus != want.Age50Plus || got.EmployerIncentives != want.EmployerIncentives || got.Hours != want.Hours {
		t.Errorf("needs %+v\nwant %+v", got, want)
	}
	if err := got.Validate("needs"); err != nil {
		t.Error(err)
	}
}
