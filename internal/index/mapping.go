package index

import (
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// mappingVersion changes whenever the mapping or the documents change; an
// index of another version is rebuilt from the store at start.
const mappingVersion = "5"

// textFields are the fields free text is matched against, with boosts: a
// word in the name or in what the provider offers counts for more than one
// in its summary.
var textFields = []struct {
	name  string
	boost float64
}{
	{"name", 3},
	{"offers", 2},
	{"conditions", 2},
	{"places", 1.5},
	{"summary", 1},
	{"kind", 1},
}

// placesField holds the place keys.
const placesField = "where"

// versionField is the stored field holding the indexed version.
const versionField = "version"

// doc is what the index holds for a provider: text only. Filters, facets,
// location and ranking run over the in-memory catalogue (package match),
// which DESIGN.md's measurements showed to be an order of magnitude faster
// than Bleve's geo and facet queries at national scale.
type doc struct {
	Name       string `json:"name"`
	Offers     string `json:"offers"`
	Conditions string `json:"conditions"`
	Places     string `json:"places"`
	Summary    string `json:"summary"`
	Kind       string `json:"kind"`
	// Where holds the place keys the provider is filed under (see
	// Index.SearchIn): exact terms, not stored.
	Where []string `json:"where"`
	// Version is the provider version indexed, stored and not searched,
	// so `brokerfinder check` can say which version the index holds.
	Version int64 `json:"version"`
}

func toDoc(p *directory.Provider) doc {
	var offers, places []string
	services := directory.MustVocabulary(directory.VocabServices)
	for _, s := range p.Services {
		offers = append(offers, services.Label(s.Code)+" "+services.Describe(s.Code))
	}
	modes := directory.MustVocabulary(directory.VocabDeliveryModes)
	for _, m := range p.DeliveryModes {
		offers = append(offers, modes.Label(m))
	}
	incentives := directory.MustVocabulary(directory.VocabIncentiveKinds)
	for _, in := range p.Incentives {
		offers = append(offers, incentives.Label(in.Kind))
	}
	langs := directory.MustVocabulary(directory.VocabLanguages)
	for _, l := range p.Languages {
		offers = append(offers, langs.Label(l))
	}
	specs := directory.MustVocabulary(directory.VocabSpecialisms)
	var conditions []string
	for _, s := range p.Specialisms {
		conditions = append(conditions, specs.Label(s)+" "+specs.Describe(s))
	}
	for _, s := range p.Sites {
		places = append(places, s.Name, s.Address.Town, s.Address.Postcode)
	}
	places = append(places, p.Coverage.Areas...)
	places = append(places, p.Coverage.PostcodeDistricts...)
	places = append(places, p.Organisation.PartnershipMembers...)
	return doc{
		Name:       p.Name,
		Offers:     strings.Join(offers, ". "),
		Conditions: strings.Join(conditions, ". "),
		Places:     strings.Join(places, ". "),
		Summary:    p.Summary,
		Kind:       directory.MustVocabulary(directory.VocabProviderTypes).Label(p.Type),
		Version:    p.Version,
	}
}

// newMapping is the one explicit mapping: English-analysed text fields, not
// stored, no dynamic fields, nothing in _all; place keys as exact terms;
// and the version, stored only.
func newMapping() mapping.IndexMapping {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = en.AnalyzerName
	text.Store = false
	text.IncludeInAll = false
	text.IncludeTermVectors = false
	text.DocValues = false

	dm := bleve.NewDocumentStaticMapping()
	for _, f := range textFields {
		dm.AddFieldMappingsAt(f.name, text)
	}
	where := bleve.NewKeywordFieldMapping()
	where.Store = false
	where.IncludeInAll = false
	where.IncludeTermVectors = false
	where.DocValues = false
	dm.AddFieldMappingsAt(placesField, where)
	version := bleve.NewNumericFieldMapping()
	version.Index = false
	version.Store = true
	version.IncludeInAll = false
	version.DocValues = false
	dm.AddFieldMappingsAt(versionField, version)
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = en.AnalyzerName
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	return im
}
