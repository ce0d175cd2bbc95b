package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// testBulkCreate creates more providers than one batch holds.
func testBulkCreate(t *testing.T, s directory.Store) {
	ctx := context.Background()
	const n = 2500
	ps := make([]*directory.Provider, n)
	for i := range ps {
		ps[i] = ptr(Provider(fmt.Sprintf("Bulk %04d", i)))
		if i%2 == 0 {
			ps[i].ID = fmt.Sprintf("bulk-%04d", i) // the rest get generated ids
		}
	}
	if err := s.CreateProviders(ctx, ps); err != nil {
		t.Fatalf("CreateProviders: %v", err)
	}
	ids := map[string]bool{}
	for i, p := range ps {
		if !directory.ValidID(p.ID) || p.Version != 1 || p.CreatedAt.IsZero() || !p.CreatedAt.Equal(p.UpdatedAt) {
			t.Fatalf("provider %d after bulk create: id %q version %d created %v updated %v", i, p.ID, p.Version, p.CreatedAt, p.UpdatedAt)
		}
		ids[p.ID] = true
	}
	if len(ids) != n {
		t.Fatalf("%d distinct ids, want %d", len(ids), n)
	}
	if count, err := s.CountProviders(ctx); err != nil || count != n {
		t.Fatalf("CountProviders = %d, %v; want %d", count, err, n)
	}
	seen := map[string]bool{}
	err := s.EachProvider(ctx, func(p *directory.Provider) error {
		if !ids[p.ID] || seen[p.ID] {
			return fmt.Errorf("unexpected or repeated provider %s", p.ID)
		}
		seen[p.ID] = true
		return nil
	})
	if err != nil || len(seen) != n {
		t.Fatalf("EachProvider saw %d, %v; want %d", len(seen), err, n)
	}
	got, err := s.Provider(ctx, ps[1234].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := equal(got, ps[1234]); err != nil {
		t.Fatal(err)
	}
	logged := changesOf(t, s, 0, 2*n)
	if len(logged) != n {
		t.Fatalf("%d changes logged, want %d", len(logged), n)
	}
	for i, c := range logged {
		if c.Seq != int64(i+1) || c.Version != 1 || !ids[c.ProviderID] {
			t.Fatalf("change %d = %+v", i, c)
		}
	}
}

// testBulkConflict: the providers whose ids were free are created; the
// taken ones (already stored, or repeated in the batch) are named in a
// ConflictError and left alone.
func testBulkConflict(t *testing.T, s directory.Store) {
	ctx := context.Background()
	first := Provider("Already here")
	first.ID = "taken"
	if err := s.CreateProvider(ctx, &first); err != nil {
		t.Fatal(err)
	}
	mk := func(id, name string) *directory.Provider {
		p := Provider(name)
		p.ID = id
		return &p
	}
	ps := []*directory.Provider{mk("free-1", "Free one"), mk("taken", "Usurper"), mk("free-2", "Free two"), mk("free-1", "Repeat")}
	err := s.CreateProviders(ctx, ps)
	var ce *directory.ConflictError
	if !errors.Is(err, directory.ErrConflict) || !errors.As(err, &ce) {
		t.Fatalf("CreateProviders with taken ids: %v; want a ConflictError", err)
	}
	sort.Strings(ce.IDs)
	if fmt.Sprint(ce.IDs) != "[free-1 taken]" {
		t.Fatalf("ConflictError names %v; want [free-1 taken]", ce.IDs)
	}
	for _, id := range []string{"free-1", "free-2"} {
		if got, err := s.Provider(ctx, id); err != nil || got.Version != 1 {
			t.Fatalf("%s: %v, %v; want it created", id, got, err)
		}
	}
	if got, _ := s.Provider(ctx, "free-1"); got.Name != "Free one" {
		t.Fatalf("free-1 is %q; the first of a repeated id wins", got.Name)
	}
	if got, _ := s.Provider(ctx, "taken"); got.Name != "Already here" {
		t.Fatalf("taken is %q; want it unchanged", got.Name)
	}
	if ps[1].Version != 0 || ps[3].Version != 0 || ps[0].Version != 1 || ps[2].Version != 1 {
		t.Fatalf("versions after partial create: %d %d %d %d; want only created ones set", ps[0].Version, ps[1].Version, ps[2].Version, ps[3].Version)
	}
	if n, err := s.CountProviders(ctx); err != nil || n != 3 {
		t.Fatalf("CountProviders = %d, %v; want 3", n, err)
	}
	if n, err := s.LastChange(ctx); err != nil || n != 3 {
		t.Fatalf("LastChange = %d, %v; want 3 (taken ids log nothing)", n, err)
	}
}

// testBulkConflictLarge: as testBulkConflict, in a batch large enough for
// a store to send it in parts, with taken and repeated ids early and late.
func testBulkConflictLarge(t *testing.T, s directory.Store) {
	ctx := context.Background()
	const n = 900
	ps := make([]*directory.Provider, n)
	for i := range ps {
		p := Provider(fmt.Sprintf("Large %03d", i))
		p.ID = fmt.Sprintf("large-%03d", i)
		ps[i] = &p
	}
	wantTaken := map[int]bool{}
	for _, i := range []int{3, 450, 899} { // already stored
		old := Provider(fmt.Sprintf("Old %03d", i))
		old.ID = ps[i].ID
		if err := s.CreateProvider(ctx, &old); err != nil {
			t.Fatal(err)
		}
		wantTaken[i] = true
	}
	for _, r := range [][2]int{{10, 11}, {20, 800}, {3, 600}} { // r[1] repeats r[0]'s id
		ps[r[1]].ID = ps[r[0]].ID
		wantTaken[r[1]] = true
	}
	err := s.CreateProviders(ctx, ps)
	var ce *directory.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("CreateProviders with taken ids: %v; want a ConflictError", err)
	}
	var want []string
	for i := range wantTaken {
		want = append(want, ps[i].ID)
	}
	sort.Strings(want)
	sort.Strings(ce.IDs)
	if fmt.Sprint(ce.IDs) != fmt.Sprint(want) {
		t.Fatalf("ConflictError names %v; want %v", ce.IDs, want)
	}
	for i, p := range ps {
		if wantTaken[i] != (p.Version == 0) {
			t.Fatalf("provider %d (%s) has version %d; taken: %v", i, p.ID, p.Version, wantTaken[i])
		}
		if wantTaken[i] {
			continue
		}
		got, err := s.Provider(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != p.Name {
			t.Fatalf("%s is %q, want %q", p.ID, got.Name, p.Name)
		}
	}
	for _, i := range []int{3, 450, 899} {
		if got, _ := s.Provider(ctx, ps[i].ID); got.Name != fmt.Sprintf("Old %03d", i) {
			t.Fatalf("%s is %q; want it unchanged", ps[i].ID, got.Name)
		}
	}
	created := n - len(wantTaken)
	if c, err := s.CountProviders(ctx); err != nil || c != int64(created+3) {
		t.Fatalf("CountProviders = %d, %v; want %d", c, err, created+3)
	}
	if last, err := s.LastChange(ctx); err != nil || last != int64(created+3) {
		t.Fatalf("LastChange = %d, %v; want %d (taken ids log nothing)", last, err, created+3)
	}
}

func testProviderVersions(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := Provider("A"), Provider("B")
	for _, p := range []*directory.Provider{&a, &b} {
		if err := s.CreateProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpdateProvider(ctx, &b, 1); err != nil {
		t.Fatal(err)
	}
	got, err := s.ProviderVersions(ctx, []string{a.ID, "missing", b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := Diff(map[string]int64{a.ID: 1, b.ID: 2}, got); diff != "" {
		t.Fatalf("ProviderVersions (-want +got):\n%s", diff)
	}
	if got, err := s.ProviderVersions(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("ProviderVersions(nil) = %v, %v", got, err)
	}
}
