package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// PolygonProvider returns a valid provider whose coverage is a polygon round
// Leeds with a hole in it. GeoJSON rings are arrays nested three deep, which
// some MongoDB-compatible servers cannot store as they are.
func PolygonProvider(name string) directory.Provider {
	p := Provider(name)
	p.Coverage = directory.Coverage{Polygons: []directory.Polygon{{
		Type: "Polygon",
		Coordinates: [][][2]float64{
			{{-1.70, 53.70}, {-1.40, 53.70}, {-1.40, 53.90}, {-1.70, 53.90}, {-1.70, 53.70}},
			{{-1.56, 53.79}, {-1.54, 53.79}, {-1.54, 53.81}, {-1.56, 53.79}},
		},
	}, {
		Type:        "Polygon",
		Coordinates: [][][2]float64{{{-1.10, 53.95}, {-1.00, 53.95}, {-1.05, 54.00}, {-1.10, 53.95}}},
	}}}
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("storetest: polygon fixture invalid: %v", err))
	}
	return p
}

// testPolygons follows a provider with coverage polygons through every way
// the store keeps or reads a record: create, read, update, list, read all,
// history and the change log.
func testPolygons(t *testing.T, s directory.Store) {
	ctx := context.Background()
	p := PolygonProvider("Polygon Works")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatalf("CreateProvider with polygons: %v", err)
	}
	got, err := s.Provider(ctx, p.ID)
	if err != nil {
		t.Fatalf("Provider: %v", err)
	}
	if err := equal(got, &p); err != nil {
		t.Fatal(err)
	}
	v1 := p

	// A moved vertex, a dropped hole and a dropped polygon.
	p.Coverage.Polygons = []directory.Polygon{{Type: "Polygon", Coordinates: [][][2]float64{
		{{-1.80, 53.70}, {-1.40, 53.70}, {-1.40, 53.90}, {-1.80, 53.90}, {-1.80, 53.70}},
	}}}
	if err := s.UpdateProvider(ctx, &p, 1); err != nil {
		t.Fatalf("UpdateProvider with polygons: %v", err)
	}
	if got, err = s.Provider(ctx, p.ID); err != nil {
		t.Fatalf("Provider after update: %v", err)
	}
	if err := equal(got, &p); err != nil {
		t.Fatal(err)
	}

	list, n, err := s.ListProviders(ctx, directory.ProviderFilter{Page: 1, PerPage: 10})
	if err != nil || n != 1 || len(list) != 1 {
		t.Fatalf("ListProviders = %d of %d, %v; want the one provider", len(list), n, err)
	}
	if err := equal(&list[0], &p); err != nil {
		t.Fatalf("listed: %v", err)
	}

	var all []directory.Provider
	if err := s.EachProvider(ctx, func(q *directory.Provider) error { all = append(all, *q); return nil }); err != nil {
		t.Fatalf("EachProvider: %v", err)
	}
	if len(all) != 1 {
		t.Fatalf("EachProvider gave %d providers, want 1", len(all))
	}
	if err := equal(&all[0], &p); err != nil {
		t.Fatalf("EachProvider: %v", err)
	}

	h, err := s.ProviderHistory(ctx, p.ID)
	if err != nil || len(h) != 2 {
		t.Fatalf("ProviderHistory = %d revisions, %v; want 2", len(h), err)
	}
	for i, want := range []*directory.Provider{&v1, &p} {
		if err := equal(&h[i].Provider, want); err != nil {
			t.Errorf("history version %d: %v", i+1, err)
		}
	}

	want := []change{{1, p.ID, 1}, {2, p.ID, 2}}
	if diff := Diff(want, changesOf(t, s, 0, 10)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

// testBulkPolygons checks that the bulk path (seed and import) stores
// polygons too.
func testBulkPolygons(t *testing.T, s directory.Store) {
	ctx := context.Background()
	var ps []*directory.Provider
	for i := range 3 {
		p := PolygonProvider(fmt.Sprintf("Bulk Polygon %d", i))
		ps = append(ps, &p)
	}
	plain := Provider("Bulk Plain")
	ps = append(ps, &plain)
	if err := s.CreateProviders(ctx, ps); err != nil {
		t.Fatalf("CreateProviders with polygons: %v", err)
	}
	for _, p := range ps {
		got, err := s.Provider(ctx, p.ID)
		if err != nil {
			t.Fatalf("Provider(%s): %v", p.Name, err)
		}
		if err := equal(got, p); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
	read := 0
	err := s.EachProvider(ctx, func(q *directory.Provider) error {
		read++
		for _, p := range ps {
			if p.ID == q.ID {
				if err := equal(q, p); err != nil {
					t.Errorf("EachProvider %s: %v", p.Name, err)
				}
			}
		}
		return nil
	})
	if err != nil || read != len(ps) {
		t.Fatalf("EachProvider read %d, %v; want %d", read, err, len(ps))
	}
	if got := changesOf(t, s, 0, 10); len(got) != len(ps) {
		t.Errorf("change log holds %d changes, want %d", len(got), len(ps))
	}
}
