package directory_test

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// vocabularyNames lists every Vocab* constant.
var vocabularyNames = []string{
	directory.VocabProviderTypes,
	directory.VocabSectors,
	directory.VocabScales,
	directory.VocabContractStatuses,
	directory.VocabStatuses,
	directory.VocabSiteKinds,
	directory.VocabDeliveryModes,
	directory.VocabServices,
	directory.VocabProvision,
	directory.VocabSpecialisms,
	directory.VocabServiceModels,
	directory.VocabRegistrationApproaches,
	directory.VocabOutOfScope,
	directory.VocabIncentiveKinds,
	directory.VocabIncentiveRecipients,
	directory.VocabInWorkSupportModels,
	directory.VocabDisclosurePolicies,
	directory.VocabAdviserModels,
	directory.VocabAccessibility,
	directory.VocabLanguages,
	directory.VocabDays,
	directory.VocabDistanceFromWork,
	directory.VocabJobSearchStages,
	directory.VocabHours,
	directory.VocabWorkKinds,
	directory.VocabMoneyHelp,
	directory.VocabTravel,
	directory.VocabYesNoNeeds,
}

var codePattern = regexp.MustCompile(`^[a-z0-9_]+$`)

func TestVocabulariesWellFormed(t *testing.T) {
	vocabs := directory.Vocabularies()
	if len(vocabs) == 0 {
		t.Fatal("Vocabularies() is empty")
	}
	names := make(map[string]bool)
	for i, v := range vocabs {
		t.Run(v.Name, func(t *testing.T) {
			if v.Name == "" {
				t.Fatalf("vocabulary %d has no name", i)
			}
			if !codePattern.MatchString(v.Name) {
				t.Errorf("name %q does not match %s", v.Name, codePattern)
			}
			if names[v.Name] {
				t.Errorf("name %q is used twice", v.Name)
			}
			names[v.Name] = true
			if strings.TrimSpace(v.Description) == "" {
				t.Error("description is empty")
			}
			if len(v.Terms) == 0 {
				t.Error("no terms")
			}
			codes := make(map[string]bool)
			for j, term := range v.Terms {
				if term.Code == "" {
					t.Errorf("term %d has an empty code", j)
				} else if !codePattern.MatchString(term.Code) {
					t.Errorf("term %d code %q does not match %s", j, term.Code, codePattern)
				}
				if codes[term.Code] {
					t.Errorf("code %q is listed twice", term.Code)
				}
				codes[term.Code] = true
				if strings.TrimSpace(term.Label) == "" {
					t.Errorf("code %q has an empty label", term.Code)
				}
				if term.Label != strings.TrimSpace(term.Label) || term.Description != strings.TrimSpace(term.Description) {
					t.Errorf("code %q has a label or description with surrounding space", term.Code)
				}
			}
		})
	}
}

func TestVocabularyConstants(t *testing.T) {
	listed := make(map[string]bool)
	for _, v := range directory.Vocabularies() {
		listed[v.Name] = true
	}
	for _, name := range vocabularyNames {
		if !listed[name] {
			t.Errorf("constant vocabulary %q is not returned by Vocabularies()", name)
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("vocabulary %q has no Vocab* constant", name)
	}
}

// TestCodeConstants checks that every code constant the package defines is a
// term of the vocabulary it belongs to.
func TestCodeConstants(t *testing.T) {
	tests := []struct {
		vocab string
		codes []string
	}{
		{directory.VocabProviderTypes, []string{directory.TypeJobBroker}},
		{directory.VocabStatuses, []string{directory.StatusDraft, directory.StatusPublished, directory.StatusSuspended, directory.StatusEnded}},
		{directory.VocabDeliveryModes, []string{
			directory.ModeOffice, directory.ModeJobcentre, directory.ModeHomeVisits, directory.ModeOutreach,
			directory.ModeTelephone, directory.ModeOnline, directory.ModeGroups, directory.ModeOneToOne,
		}},
		{directory.VocabSiteKinds, []string{directory.SiteOffice, directory.SiteJobcentre, directory.SiteCommunity, directory.SiteRemote}},
		{directory.VocabContractStatuses, []string{directory.ContractActive, directory.ContractNotRegistering, directory.ContractEnded}},
		{directory.VocabRegistrationApproaches, []string{
			directory.RegistrationAnyone, directory.RegistrationWorksBefore, directory.RegistrationJobReadyOnly,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.vocab, func(t *testing.T) {
			v := directory.MustVocabulary(tc.vocab)
			for _, c := range tc.codes {
				if !v.Has(c) {
					t.Errorf("%s does not hold constant code %q", tc.vocab, c)
				}
			}
		})
	}
}

func TestLookupVocabulary(t *testing.T) {
	tests := []struct {
		name      string
		wantOK    bool
		wantTerms int
	}{
		{directory.VocabDays, true, 7},
		{directory.VocabIncentiveRecipients, true, 2},
		{directory.VocabSectors, true, 3},
		{"no_such_vocabulary", false, 0},
		{"", false, 0},
		{"Days", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := directory.LookupVocabulary(tc.name)
			if ok != tc.wantOK {
				t.Fatalf("LookupVocabulary(%q) ok = %v, want %v", tc.name, ok, tc.wantOK)
			}
			if !ok {
				if diff := cmp.Diff(directory.Vocabulary{}, v); diff != "" {
					t.Errorf("LookupVocabulary(%q) for a missing name is not the zero value:\n%s", tc.name, diff)
				}
				return
			}
			if v.Name != tc.name {
				t.Errorf("LookupVocabulary(%q).Name = %q", tc.name, v.Name)
			}
			if len(v.Terms) != tc.wantTerms {
				t.Errorf("LookupVocabulary(%q) has %d terms, want %d", tc.name, len(v.Terms), tc.wantTerms)
			}
		})
	}
}

func TestLookupMatchesVocabularies(t *testing.T) {
	for _, want := range directory.Vocabularies() {
		got, ok := directory.LookupVocabulary(want.Name)
		if !ok {
			t.Errorf("LookupVocabulary(%q) not found", want.Name)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("LookupVocabulary(%q) differs from Vocabularies() (-list +lookup):\n%s", want.Name, diff)
		}
		if diff := cmp.Diff(want, directory.MustVocabulary(want.Name)); diff != "" {
			t.Errorf("MustVocabulary(%q) differs from Vocabularies() (-list +must):\n%s", want.Name, diff)
		}
	}
}

func TestMustVocabulary(t *testing.T) {
	if got := directory.MustVocabulary(directory.VocabScales).Name; got != directory.VocabScales {
		t.Errorf("MustVocabulary(%q).Name = %q", directory.VocabScales, got)
	}
	tests := []string{"no_such_vocabulary", ""}
	for _, name := range tests {
		t.Run("panics on "+name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("MustVocabulary(%q) did not panic", name)
				}
				msg, ok := r.(string)
				if !ok || !strings.Contains(msg, "no vocabulary "+name) {
					t.Errorf("MustVocabulary(%q) panicked with %v, want a message naming it", name, r)
				}
			}()
			directory.MustVocabulary(name)
		})
	}
}

func TestVocabularyHasAndLabel(t *testing.T) {
	days := directory.MustVocabulary(directory.VocabDays)
	modes := directory.MustVocabulary(directory.VocabDeliveryModes)
	tests := []struct {
		name      string
		vocab     directory.Vocabulary
		code      string
		wantHas   bool
		wantLabel string
	}{
		{"first day", days, "mon", true, "Monday"},
		{"last day", days, "sun", true, "Sunday"},
		{"delivery mode", modes, directory.ModeTelephone, true, "By telephone"},
		{"code of another vocabulary", days, directory.ModeTelephone, false, directory.ModeTelephone},
		{"label is not a code", days, "Monday", false, "Monday"},
		{"wrong case", days, "Mon", false, "Mon"},
		{"padded", days, " mon", false, " mon"},
		{"empty", days, "", false, ""},
		{"empty vocabulary", directory.Vocabulary{}, "mon", false, "mon"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.vocab.Has(tc.code); got != tc.wantHas {
				t.Errorf("Has(%q) = %v, want %v", tc.code, got, tc.wantHas)
			}
			if got := tc.vocab.Label(tc.code); got != tc.wantLabel {
				t.Errorf("Label(%q) = %q, want %q", tc.code, got, tc.wantLabel)
			}
		})
	}
}

func TestVocabulariesReturnsCopy(t *testing.T) {
	want := directory.Vocabularies()
	mutated := directory.Vocabularies()
	mutated[0].Name = "changed"
	mutated[0].Description = "changed"
	mutated[0].Terms[0].Code = "changed"
	mutated[0].Terms[0].Label = "changed"
	mutated[1].Terms = append(mutated[1].Terms[:0], directory.Term{Code: "x", Label: "X"})
	mutated[len(mutated)-1] = directory.Vocabulary{}

	if diff := cmp.Diff(want, directory.Vocabularies()); diff != "" {
		t.Errorf("changing one result of Vocabularies() changed a later one (-before +after):\n%s", diff)
	}
	for _, v := range want {
		got, ok := directory.LookupVocabulary(v.Name)
		if !ok {
			t.Errorf("LookupVocabulary(%q) no longer found", v.Name)
			continue
		}
		if diff := cmp.Diff(v, got); diff != "" {
			t.Errorf("changing Vocabularies() changed LookupVocabulary(%q) (-before +after):\n%s", v.Name, diff)
		}
	}
	if !directory.MustVocabulary(want[0].Name).Has(want[0].Terms[0].Code) {
		t.Errorf("changing Vocabularies() removed code %q from %q", want[0].Terms[0].Code, want[0].Name)
	}
}

// TestLowerFirst: the first letter is lowered, unless the first word is in
// capitals; text starting with a character of several bytes, or none
// with a lower case, stays valid and unchanged.
func TestLowerFirst(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"Job coaching":           "job coaching",
		"CV and applications":    "CV and applications",
		"£50 when you start":     "£50 when you start",
		"Étape suivante":         "étape suivante",
		"[Note] paid in arrears": "[Note] paid in arrears",
		"12 weeks in work":       "12 weeks in work",
		"A":                      "a",
		"\xff broken":            "\xff broken",
	} {
		if got := directory.LowerFirst(in); got != want {
			t.Errorf("LowerFirst(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestYesNoNeedsAreNeedsFields: every true-or-false field of Needs is in
// the yes_no_needs vocabulary under its JSON name, and nothing else is, so
// a client reading GET /v1/vocabularies can say every such need.
func TestYesNoNeedsAreNeedsFields(t *testing.T) {
	var want []string
	typ := reflect.TypeFor[directory.Needs]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Type.Kind() == reflect.Bool {
			want = append(want, strings.Split(f.Tag.Get("json"), ",")[0])
		}
	}
	got := directory.MustVocabulary(directory.VocabYesNoNeeds).Codes()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("yes_no_needs differs from the bool fields of Needs (-fields +vocabulary):\n%s", diff)
	}
}
