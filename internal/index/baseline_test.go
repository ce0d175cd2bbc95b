package index

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// GeoBaseline is matching done the way DESIGN.md measured to be slow: every
// provider a Bleve document with a geo point and keyword fields, eligibility
// as a GeoDistanceQuery (or national, or a covered district) and fit as
// Bleve-scored should-clauses. It exists only so benchmarks can show, in the
// same run and on the same data, what the in-memory matcher gains. It lives
// in a test file, in package index so the external benchmarks can reach it,
// so that no production binary carries it.
type GeoBaseline struct {
	b bleve.Index
}

type baselineDoc struct {
	Loc         string   `json:"loc,omitempty"` // "lat,lon"
	National    string   `json:"national"`
	Districts   []string `json:"districts"`
	Areas       []string `json:"areas"`
	Specialisms []string `json:"specialisms"`
	Services    []string `json:"services"`
	Modes       []string `json:"modes"`
	Access      []string `json:"access"`
	InWork      string   `json:"in_work"`
}

// NewGeoBaseline indexes ps in a new index in dir, in batches of 1,000.
// Each provider's first located site is its point.
func NewGeoBaseline(dir string, ps []directory.Provider) (*GeoBaseline, error) {
	kw := bleve.NewTextFieldMapping()
	kw.Analyzer = keyword.Name
	kw.Store, kw.IncludeInAll, kw.DocValues = false, false, false
	geo := bleve.NewGeoPointFieldMapping()
	geo.Store = false
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("loc", geo)
	for _, f := range []string{"national", "districts", "areas", "specialisms", "services", "modes", "access", "in_work"} {
		dm.AddFieldMappingsAt(f, kw)
	}
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	b, err := bleve.New(dir, im)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	batch := b.NewBatch()
	for i := range ps {
		p := &ps[i]
		if p.Status != directory.StatusPublished {
			continue
		}
		d := baselineDoc{
			National: strconv.FormatBool(p.Coverage.National), Districts: p.Coverage.PostcodeDistricts,
			Specialisms: p.Specialisms, Modes: p.DeliveryModes, Access: p.Accessibility,
			InWork: strconv.FormatBool(p.InWorkSupport.Offered),
		}
		for _, a := range p.Coverage.Areas {
			d.Areas = append(d.Areas, strings.ToLower(a))
		}
		for _, s := range p.Services {
			d.Services = append(d.Services, s.Code)
		}
		for _, s := range p.Sites {
			if s.Location != nil {
				d.Loc = strconv.FormatFloat(s.Location.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(s.Location.Lon, 'f', -1, 64)
				break
			}
		}
		if err := batch.Index(p.ID, d); err != nil {
			return nil, err
		}
		if batch.Size() >= 1000 {
			if err := b.Batch(batch); err != nil {
				return nil, err
			}
			batch = b.NewBatch()
		}
	}
	if err := b.Batch(batch); err != nil {
		return nil, err
	}
	return &GeoBaseline{b: b}, nil
}

// Close closes the index.
func (g *GeoBaseline) Close() error { return g.b.Close() }

// Match returns the total eligible and the ids of the size best by Bleve's
// score.
func (g *GeoBaseline) Match(ctx context.Context, at directory.LatLon, km float64, district, town string, n directory.Needs, size int) (uint64, []string, error) {
	term := func(field, v string) query.Query {
		q := bleve.NewTermQuery(v)
		q.SetField(field)
		return q
	}
	near := bleve.NewGeoDistanceQuery(at.Lon, at.Lat, strconv.FormatFloat(km, 'f', -1, 64)+"km")
	near.SetField("loc")
	eligible := bleve.NewDisjunctionQuery(near, term("national", "true"), term("districts", district), term("areas", strings.ToLower(town)))
	q := bleve.NewBooleanQuery()
	q.AddMust(eligible)
	for _, c := range n.HealthConditions {
		q.AddShould(term("specialisms", c))
	}
	for _, s := range n.Support {
		q.AddShould(term("services", s))
	}
	for _, m := range n.ContactPreferences {
		q.AddShould(term("modes", m))
	}
	for _, a := range n.Accessibility {
		q.AddShould(term("access", a))
	}
	if n.InWorkSupport {
		q.AddShould(term("in_work", "true"))
	}
	res, err := g.b.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, size, 0, false))
	if err != nil {
		return 0, nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return res.Total, ids, nil
}
