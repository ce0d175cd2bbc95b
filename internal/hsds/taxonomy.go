package hsds

import (
	"slices"
	"sync"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// FieldsTaxonomy names the taxonomy whose terms are directory fields that
// hold values rather than codes (a number, a flag, a name). An attribute with
// one of its terms carries the value in Attribute.Value.
const FieldsTaxonomy = "brokerfinder_fields"

// fieldTerms are the terms of FieldsTaxonomy: a field's path in a provider
// record and a plain-English label.
var fieldTerms = []directory.Term{
	{Code: "id", Label: "Record id", Description: "The directory's own id for the record, kept when it is not a UUID."},
	{Code: "organisation.jobcentre_plus_run", Label: "Run by Jobcentre Plus", Description: "Jobcentre Plus itself runs this provider."},
	{Code: "organisation.partnership_members", Label: "Partnership member", Description: "An organisation in the partnership that runs this provider."},
	{Code: "coverage.radius_km", Label: "Covers people living within (km)", Description: "Covers people who live within this many kilometres of one of its sites."},
	{Code: "coverage.travels_to_clients", Label: "Staff travel to clients", Description: "Staff come to people, for example at home."},
	{Code: "coverage.travel_radius_km", Label: "Staff travel up to (km)", Description: "How far from a site staff travel to meet people."},
	{Code: "severe_conditions", Label: "Works with severe and enduring conditions", Description: "Works with people who have severe and enduring health conditions."},
	{Code: "in_work_support.offered", Label: "In-work support offered", Description: "Helps people after they start work."},
	{Code: "in_work_support.weeks", Label: "Weeks of in-work support", Description: "How many weeks in-work support lasts."},
	{Code: "in_work_support.employer_mediation", Label: "Talks to your employer", Description: "Will talk to the employer about adjustments or problems."},
	{Code: "capacity.taking_new_clients", Label: "Taking new clients", Description: "Can take new people now."},
	{Code: "capacity.weeks_to_first_appointment", Label: "Weeks to a first appointment", Description: "Typical wait for a first appointment, in weeks."},
	{Code: "staffing.contact_frequency_days", Label: "Days between contacts", Description: "How often, in days, an adviser is typically in touch."},
	{Code: "staffing.caseload_per_adviser", Label: "People per adviser", Description: "Typical caseload of one adviser."},
	{Code: "contact.freephone", Label: "Freephone", Description: "The phone number is free to call."},
	{Code: "contact.registration_by_post", Label: "Registration by post", Description: "Registration is done by post."},
	{Code: "freshness.verified_by", Label: "Checked by", Description: "Who last checked the information."},
	{Code: "performance.period_start", Label: "Performance period start", Description: "First day of the period the figures cover."},
	{Code: "performance.period_end", Label: "Performance period end", Description: "Last day of the period the figures cover."},
	{Code: "performance.registrations", Label: "Registrations", Description: "People registered in the period."},
	{Code: "performance.job_entries", Label: "Job entries", Description: "People who started work in the period."},
	{Code: "performance.sustained_jobs", Label: "Sustained jobs", Description: "People still in work after the sustained period."},
	{Code: "performance.sustained_weeks", Label: "Weeks counted as sustained", Description: "What sustained meant for the period: 13 or 26 weeks."},
	{Code: "performance.long_term_claimant_percent", Label: "Long-term claimants (%)", Description: "Share of registrations who had claimed for over two years."},
	{Code: "performance.note", Label: "Performance note", Description: "Context for the figures."},
}

// TaxonomyID returns the stable id of the named taxonomy.
func TaxonomyID(name string) string { return UUID5("brokerfinder:" + name) }

// TermID returns the stable id of a term: a UUIDv5 over
// "brokerfinder:<taxonomy>:<code>", so ids never change while codes do not.
func TermID(taxonomy, code string) string { return UUID5("brokerfinder:" + taxonomy + ":" + code) }

// taxonomyVocabularies returns the directory's vocabularies and the fields
// taxonomy, in a fixed order.
func taxonomyVocabularies() []directory.Vocabulary {
	return append(directory.Vocabularies(), directory.Vocabulary{
		Name:        FieldsTaxonomy,
		Description: "Fields of a brokerfinder provider record that hold a value rather than a code. An attribute with one of these terms carries the value in its value property.",
		Terms:       slices.Clone(fieldTerms),
	})
}

// Taxonomies returns every taxonomy brokerfinder publishes, each with its
// terms: one per controlled vocabulary, and the fields taxonomy.
func Taxonomies() []Taxonomy {
	vs := taxonomyVocabularies()
	out := make([]Taxonomy, len(vs))
	for i, v := range vs {
		t := Taxonomy{ID: TaxonomyID(v.Name), Name: v.Name, Description: v.Description, Version: "1"}
		for _, term := range v.Terms {
			t.TaxonomyTerms = append(t.TaxonomyTerms, taxonomyTerm(v.Name, term))
		}
		out[i] = t
	}
	return out
}

// TaxonomyTerms returns every term of every published taxonomy.
func TaxonomyTerms() []TaxonomyTerm {
	var out []TaxonomyTerm
	for _, t := range Taxonomies() {
		out = append(out, t.TaxonomyTerms...)
	}
	return out
}

func taxonomyTerm(vocab string, t directory.Term) TaxonomyTerm {
	desc := t.Description
	if desc == "" {
		desc = t.Label
	}
	return TaxonomyTerm{
		ID: TermID(vocab, t.Code), Name: t.Label, Description: desc,
		Taxonomy: vocab, TaxonomyID: TaxonomyID(vocab), Term: t.Code,
	}
}

// termRef is a vocabulary and code.
type termRef struct{ vocab, code string }

// termsByID indexes every published term by its id.
var termsByID = func() map[string]termRef {
	m := map[string]termRef{}
	for _, v := range taxonomyVocabularies() {
		for _, t := range v.Terms {
			m[TermID(v.Name, t.Code)] = termRef{v.Name, t.Code}
		}
	}
	return m
}()

// term returns the published term for a code; the code must be in the
// vocabulary (callers pass codes from validated records or constants).
func term(vocab, code string) *TaxonomyTerm {
	// A term's ids are name-based UUIDs (a SHA-1 each); building a record
	// asks for dozens of terms, so known ones are worked out once.
	k := vocab + "\x00" + code
	if t, ok := knownTerms.Load(k); ok {
		tt := t.(TaxonomyTerm)
		return &tt
	}
	t, known := buildTerm(vocab, code)
	if known {
		knownTerms.Store(k, *t)
	}
	return t
}

// knownTerms caches the terms of the (fixed) vocabularies by vocabulary and
// code.
var knownTerms sync.Map

// buildTerm builds a term and reports whether its code is in the vocabulary.
func buildTerm(vocab, code string) (*TaxonomyTerm, bool) {
	var v directory.Vocabulary
	if vocab == FieldsTaxonomy {
		v = directory.Vocabulary{Name: FieldsTaxonomy, Terms: fieldTerms}
	} else {
		v = directory.MustVocabulary(vocab)
	}
	for _, t := range v.Terms {
		if t.Code == code {
			tt := taxonomyTerm(vocab, t)
			return &tt, true
		}
	}
	// A code outside the vocabulary: still give a stable term so nothing is
	// lost, labelled with the code itself.
	tt := taxonomyTerm(vocab, directory.Term{Code: code, Label: code})
	return &tt, false
}
