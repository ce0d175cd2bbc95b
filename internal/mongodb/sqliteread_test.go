package mongodb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
	"github.com/brokerfinder/brokerfinder/internal/synth/synthtest"
)

// readAll reads every provider with each, by id.
func readAll(t *testing.T, each func(context.Context, func(*directory.Provider) error) error) map[string]*directory.Provider {
	t.Helper()
	got := map[string]*directory.Provider{}
	err := each(context.Background(), func(p *directory.Provider) error {
		if got[p.ID] != nil {
			t.Errorf("provider %s read twice", p.ID)
		}
		got[p.ID] = p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestSQLiteReadMatchesDriver checks that reading FerretDB's table directly
// gives exactly the records the driver gives, on the seed, a generated
// directory and records with awkward text, after updates too.
func TestSQLiteReadMatchesDriver(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, embeddedURI)
	if s.sqlite == nil {
		t.Fatal("the embedded store does not read its SQLite file directly")
	}
	seeded, err := seed.Load(os.DirFS(filepath.Join("..", "..", "seed")))
	if err != nil {
		t.Fatal(err)
	}
	var ps []*directory.Provider
	for _, p := range append(seeded, synthtest.Directory(t, 1500)...) {
		ps = append(ps, &p)
	}
	odd := storetest.Provider(`Quotes " and \ backslashes {"$s":1}, é 雪 🙂`)
	odd.Summary = "A summary with }]{[ brackets, \"quotes\", a tab\t and a newline\n."
	ps = append(ps, &odd)
	poly := storetest.PolygonProvider("Polygons")
	ps = append(ps, &poly)
	if err := s.CreateProviders(ctx, ps); err != nil {
		t.Fatal(err)
	}
	// An update, so versions and timestamps differ between records.
	p, err := s.Provider(ctx, odd.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.Summary += " Updated."
	time.Sleep(5 * time.Millisecond)
	if err := s.UpdateProvider(ctx, p, p.Version); err != nil {
		t.Fatal(err)
	}

	want := readAll(t, s.eachProviderDriver)
	got := readAll(t, s.eachProviderSQLite)
	if len(want) != len(ps) {
		t.Fatalf("the driver read %d providers, want %d", len(want), len(ps))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("direct read differs from the driver's (-driver +direct):\n%s", diff)
	}
	// cmp compares times with Equal, which ignores the zone: check it too.
	for id, w := range want {
		g := got[id]
		if g == nil || g.CreatedAt.Location() != w.CreatedAt.Location() || g.UpdatedAt.Location() != w.UpdatedAt.Location() {
			t.Fatalf("%s: times in %v/%v, the driver's in %v/%v", id, g.CreatedAt.Location(), g.UpdatedAt.Location(), w.CreatedAt.Location(), w.UpdatedAt.Location())
		}
	}
	if n := s.sqlite.fallbacks.Load(); n != 0 {
		t.Errorf("%d rows were read through FerretDB; want every row decoded directly", n)
	}
	if got[odd.ID].Version != 2 || !got[odd.ID].UpdatedAt.After(got[odd.ID].CreatedAt) {
		t.Errorf("updated record read as version %d, created %v, updated %v", got[odd.ID].Version, got[odd.ID].CreatedAt, got[odd.ID].UpdatedAt)
	}
	// And EachProvider takes the direct path.
	all := readAll(t, s.EachProvider)
	if len(all) != len(ps) || s.sqlite.fallbacks.Load() != 0 {
		t.Errorf("EachProvider read %d (fallbacks %d), want %d", len(all), s.sqlite.fallbacks.Load(), len(ps))
	}
}

// TestSQLiteRowFallsBackToDriver checks that a row the direct reader does
// not understand is read through FerretDB instead.
func TestSQLiteRowFallsBackToDriver(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, embeddedURI)
	p := storetest.Provider("Fallback")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	row := []byte(`{"$s":{"p":{"_id":{"t":"string"},"created_at":{"t":"string"}},"$k":["_id","created_at"]},"_id":"` + p.ID + `","created_at":"not a date"}`)
	got, err := s.decodeProviderRow(ctx, row)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != p.ID || got.Name != "Fallback" || s.sqlite.fallbacks.Load() != 1 {
		t.Errorf("fallback read %q %q (fallbacks %d)", got.ID, got.Name, s.sqlite.fallbacks.Load())
	}
	if _, err := s.decodeProviderRow(ctx, []byte(`{"$s":{}}`)); err == nil || !strings.Contains(err.Error(), "_id") {
		t.Errorf("a row with no _id gave %v, want an error naming _id", err)
	}
}

func TestSJSONBody(t *testing.T) {
	for in, want := range map[string]string{
		`{"$s":{"p":{"a":{"t":"string"}},"$k":["a"]},"a":"x"}`: `{"a":"x"}`,
		`{"$s":{}}`: `{}`,
		`{"$s":{"p":{"a\"}":{"t":"string"}},"$k":["a\"}"]},"a\"}":"}"}`: `{"a\"}":"}"}`,
		`{"$s":{"p":{`: ``,
		`{"a":1}`:      ``,
	} {
		got, ok := sjsonBody([]byte(in))
		if string(got) != want || ok != (want != "") {
			t.Errorf("sjsonBody(%s) = %s, %v; want %s", in, got, ok, want)
		}
	}
}

// TestSQLiteReadStops: a cancelled context or an error from fn stops the
// direct read with that error, at any point, leaving nothing running.
func TestSQLiteReadStops(t *testing.T) {
	s := openTestStore(t, embeddedURI)
	var ps []*directory.Provider
	for _, p := range synthtest.Directory(t, 2000) {
		ps = append(ps, &p)
	}
	if err := s.CreateProviders(context.Background(), ps); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("enough")
	for _, after := range []int{0, 1, 255, 256, 1000, 1999} {
		n := 0
		err := s.eachProviderSQLite(context.Background(), func(*directory.Provider) error {
			if n++; n > after {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != after+1 {
			t.Errorf("fn failing after %d: %v after %d calls", after, err, n)
		}
		ctx, cancel := context.WithCancel(context.Background())
		n = 0
		err = s.eachProviderSQLite(ctx, func(*directory.Provider) error {
			if n++; n > after {
				cancel()
			}
			return nil
		})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %d: %v after %d calls", after, err, n)
		}
	}
	// And a whole read still works afterwards.
	if got := readAll(t, s.eachProviderSQLite); len(got) != len(ps) {
		t.Fatalf("read %d after the stops, want %d", len(got), len(ps))
	}
}
