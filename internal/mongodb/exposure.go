package mongodb

import (
	"context"
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// The fairness counters are append-only delta documents, summed in Go on
// read. $inc upserts were the first choice, but FerretDB v1.24 applies $inc
// as a read then a write, and the conformance suite showed it losing 5 of 8
// concurrent increments. An insert is atomic everywhere. The API's recorder
// batches deltas (one document per area and provider per flush), so the
// collections grow with flushes, not with matches; a periodic compaction
// (sum, insert one total, delete the parts) can bound them later.
const (
	exposureCollection  = "exposure"
	unmetNeedCollection = "unmet_need"
)

// exposureDoc and unmetNeedDoc are the stored deltas, under the names the
// domain types' json tags gave them before they had stored types
// (testdata/exposure-v1.json, unmet-need-v1.json). They have no _id field:
// the driver gives each inserted delta an ObjectID, as it always has.
type exposureDoc struct {
	Area       string `bson:"area"`
	ProviderID string `bson:"provider_id"`
	Shown      int64  `bson:"shown"`
	Top3       int64  `bson:"top3"`
	Chosen     int64  `bson:"chosen"`
}

type unmetNeedDoc struct {
	Area  string `bson:"area"`
	Need  string `bson:"need"`
	Count int64  `bson:"count"`
}

func toExposureDoc(c *directory.ExposureCount) exposureDoc {
	return exposureDoc{Area: c.Area, ProviderID: c.ProviderID, Shown: c.Shown, Top3: c.Top3, Chosen: c.Chosen}
}

func fromExposureDoc(d *exposureDoc) directory.ExposureCount {
	return directory.ExposureCount{Area: d.Area, ProviderID: d.ProviderID, Shown: d.Shown, Top3: d.Top3, Chosen: d.Chosen}
}

func toUnmetNeedDoc(c *directory.UnmetNeedCount) unmetNeedDoc {
	return unmetNeedDoc{Area: c.Area, Need: c.Need, Count: c.Count}
}

func fromUnmetNeedDoc(d *unmetNeedDoc) directory.UnmetNeedCount {
	return directory.UnmetNeedCount{Area: d.Area, Need: d.Need, Count: d.Count}
}

// AddExposure implements directory.ExposureStore.
func (s *Store) AddExposure(ctx context.Context, counts []directory.ExposureCount) error {
	if len(counts) == 0 {
		return nil
	}
	docs := make([]any, len(counts))
	for i := range counts {
		docs[i] = toExposureDoc(&counts[i])
	}
	if _, err := s.exposure.InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("mongodb: counting exposure: %w", translate(err))
	}
	return nil
}

// AddUnmetNeed implements directory.ExposureStore.
func (s *Store) AddUnmetNeed(ctx context.Context, counts []directory.UnmetNeedCount) error {
	if len(counts) == 0 {
		return nil
	}
	docs := make([]any, len(counts))
	for i := range counts {
		docs[i] = toUnmetNeedDoc(&counts[i])
	}
	if _, err := s.unmetNeed.InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("mongodb: counting unmet need: %w", translate(err))
	}
	return nil
}

// Exposure implements directory.ExposureStore.
func (s *Store) Exposure(ctx context.Context, area string) ([]directory.ExposureCount, error) {
	var docs []exposureDoc
	if err := findArea(ctx, s.exposure, area, &docs); err != nil {
		return nil, fmt.Errorf("mongodb: reading exposure: %w", err)
	}
	sums := directory.ExposureSums{}
	for i := range docs {
		sums.Add(fromExposureDoc(&docs[i]))
	}
	res := sums.List()
	sort.Slice(res, func(i, j int) bool {
		if res[i].Area != res[j].Area {
			return res[i].Area < res[j].Area
		}
		return res[i].ProviderID < res[j].ProviderID
	})
	return res, nil
}

// UnmetNeed implements directory.ExposureStore.
func (s *Store) UnmetNeed(ctx context.Context, area string) ([]directory.UnmetNeedCount, error) {
	var docs []unmetNeedDoc
	if err := findArea(ctx, s.unmetNeed, area, &docs); err != nil {
		return nil, fmt.Errorf("mongodb: reading unmet need: %w", err)
	}
	sums := map[[2]string]int64{}
	for i := range docs {
		d := fromUnmetNeedDoc(&docs[i])
		sums[[2]string{d.Area, d.Need}] += d.Count
	}
	out := make([]directory.UnmetNeedCount, 0, len(sums))
	for k, n := range sums {
		out = append(out, directory.UnmetNeedCount{Area: k[0], Need: k[1], Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Area != out[j].Area {
			return out[i].Area < out[j].Area
		}
		return out[i].Need < out[j].Need
	})
	return out, nil
}

func findArea(ctx context.Context, coll *mongo.Collection, area string, out any) error {
	filter := bson.D{}
	if area != "" {
		filter = append(filter, bson.E{Key: "area", Value: area})
	}
	cur, err := coll.Find(ctx, filter)
	if err != nil {
		return translate(err)
	}
	return translate(cur.All(ctx, out))
}
