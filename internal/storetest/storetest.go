// Package storetest is a conformance suite that every implementation of
// directory.Store must pass. Each implementation's tests call Run with a
// function that returns a fresh, empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// NewStore returns a fresh, empty store for one test and registers its
// clean-up with t.Cleanup.
type NewStore func(t *testing.T) directory.Store

// Run runs the whole suite.
func Run(t *testing.T, newStore NewStore) {
	t.Run("CreateAndGet", func(t *testing.T) { testCreateAndGet(t, newStore(t)) })
	t.Run("CreateDuplicateID", func(t *testing.T) { testCreateDuplicate(t, newStore(t)) })
	t.Run("GetMissing", func(t *testing.T) { testGetMissing(t, newStore(t)) })
	t.Run("UpdateVersions", func(t *testing.T) { testUpdateVersions(t, newStore(t)) })
	t.Run("ConcurrentUpdatesOneWins", func(t *testing.T) { testConcurrentUpdates(t, newStore(t)) })
	t.Run("ListFiltersAndPages", func(t *testing.T) { testList(t, newStore(t)) })
	t.Run("EachAndCount", func(t *testing.T) { testEach(t, newStore(t)) })
	t.Run("HasProviders", func(t *testing.T) { testHasProviders(t, newStore(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, newStore(t)) })
	t.Run("ChangeLog", func(t *testing.T) { testChangeLog(t, newStore(t)) })
	t.Run("ConcurrentChangeLog", func(t *testing.T) { testConcurrentChangeLog(t, newStore(t)) })
	t.Run("BulkCreate", func(t *testing.T) { testBulkCreate(t, newStore(t)) })
	t.Run("BulkConflict", func(t *testing.T) { testBulkConflict(t, newStore(t)) })
	t.Run("BulkConflictLarge", func(t *testing.T) { testBulkConflictLarge(t, newStore(t)) })
	t.Run("ProviderVersions", func(t *testing.T) { testProviderVersions(t, newStore(t)) })
	t.Run("Polygons", func(t *testing.T) { testPolygons(t, newStore(t)) })
	t.Run("BulkPolygons", func(t *testing.T) { testBulkPolygons(t, newStore(t)) })
	runWorkflow(t, newStore)
}

// Provider returns a valid published provider for tests; mutate the result to
// vary it.
func Provider(name string) directory.Provider {
	p := directory.Provider{
		Name:   name,
		Type:   directory.TypeJobBroker,
		Status: directory.StatusPublished,
		Organisation: directory.Organisation{
			Sector: "voluntary", Scale: "local", ContractStatus: directory.ContractActive,
		},
		Sites: []directory.Site{{
			ID: "site-1", Name: "City office", Kind: directory.SiteOffice,
			Address:  directory.Address{Lines: []string{"1 Park Row"}, Town: "Leeds", Postcode: "LS1 5AB"},
			Location: &directory.LatLon{Lat: 53.7997, Lon: -1.5492},
		}},
		Coverage:      directory.Coverage{Areas: []string{"Leeds"}, PostcodeDistricts: []string{"LS1", "LS2"}, RadiusKm: 15},
		DeliveryModes: []string{directory.ModeOffice, directory.ModeOneToOne},
		Services:      []directory.Service{{Code: "job_search", Provision: "in_house"}},
		Specialisms:   []string{"mental_health"},
		Capacity:      directory.Capacity{TakingNewClients: true, WeeksToFirstAppointment: 2},
		Incentives: []directory.Incentive{{
			Kind: "job_entry_payment", Recipient: "client", AmountPence: 10000,
			Trigger: "When you start a job of 16 hours or more", Discretionary: true,
		}},
		Performance: &directory.Performance{
			PeriodStart: "2025-04-01", PeriodEnd: "2026-03-31", Registrations: 120,
			JobEntries: 40, SustainedJobs: 30, SustainedWeeks: 13,
		},
		Freshness: directory.Freshness{LastVerified: "2026-09-01", VerifiedBy: "test"},
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("storetest: fixture invalid: %v", err))
	}
	return p
}

func testCreateAndGet(t *testing.T, s directory.Store) {
	ctx := context.Background()
	p := Provider("Aire Works")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatalf("CreateProvider: %v", err)
	}
	if p.ID == "" || !directory.ValidID(p.ID) {
		t.Fatalf("CreateProvider set ID %q, want a valid id", p.ID)
	}
	if p.Version != 1 || p.CreatedAt.IsZero() || !p.CreatedAt.Equal(p.UpdatedAt) {
		t.Fatalf("after create: version %d, created %v, updated %v", p.Version, p.CreatedAt, p.UpdatedAt)
	}
	got, err := s.Provider(ctx, p.ID)
	if err != nil {
		t.Fatalf("Provider: %v", err)
	}
	if err := equal(got, &p); err != nil {
		t.Fatal(err)
	}
}

func testCreateDuplicate(t *testing.T, s directory.Store) {
	ctx := context.Background()
	p := Provider("First")
	p.ID = "fixed-id"
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	q := Provider("Second")
	q.ID = "fixed-id"
	if err := s.CreateProvider(ctx, &q); !errors.Is(err, directory.ErrConflict) {
		t.Fatalf("second create with same id: got %v, want ErrConflict", err)
	}
	got, err := s.Provider(ctx, "fixed-id")
	if err != nil || got.Name != "First" {
		t.Fatalf("after conflict: got %v, %v; want the first record unchanged", got, err)
	}
}

func testGetMissing(t *testing.T, s directory.Store) {
	if _, err := s.Provider(context.Background(), "no-such-id"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	p := Provider("Ghost")
	p.ID = "no-such-id"
	if err := s.UpdateProvider(context.Background(), &p, 1); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("update missing: got %v, want ErrNotFound", err)
	}
}

func testUpdateVersions(t *testing.T, s directory.Store) {
	ctx := context.Background()
	p := Provider("Versioned")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	created := p.CreatedAt
	time.Sleep(5 * time.Millisecond)

	edit := p
	edit.Name = "Versioned Two"
	edit.CreatedAt = time.Time{} // the store keeps the original
	if err := s.UpdateProvider(ctx, &edit, 1); err != nil {
		t.Fatalf("update from version 1: %v", err)
	}
	if edit.Version != 2 || !edit.CreatedAt.Equal(created) || !edit.UpdatedAt.After(created) {
		t.Fatalf("after update: version %d created %v updated %v (created was %v)", edit.Version, edit.CreatedAt, edit.UpdatedAt, created)
	}
	stale := p
	stale.Name = "Stale edit"
	if err := s.UpdateProvider(ctx, &stale, 1); !errors.Is(err, directory.ErrVersionMismatch) {
		t.Fatalf("update from stale version: got %v, want ErrVersionMismatch", err)
	}
	got, err := s.Provider(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Versioned Two" || got.Version != 2 {
		t.Fatalf("stored %q version %d, want %q version 2", got.Name, got.Version, "Versioned Two")
	}
}

func testConcurrentUpdates(t *testing.T, s directory.Store) {
	ctx := context.Background()
	p := Provider("Contended")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		wins    []string
		losses  int
		unknown []error
	)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := p
			q.Name = fmt.Sprintf("Writer %d", i)
			err := s.UpdateProvider(ctx, &q, 1)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins = append(wins, q.Name)
			case errors.Is(err, directory.ErrVersionMismatch):
				losses++
			default:
				unknown = append(unknown, err)
			}
		}()
	}
	wg.Wait()
	if len(unknown) > 0 {
		t.Fatalf("unexpected errors: %v", unknown)
	}
	if len(wins) != 1 || losses != writers-1 {
		t.Fatalf("%d writers from version 1: %d won %v, %d lost; want exactly one winner", writers, len(wins), wins, losses)
	}
	got, err := s.Provider(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != wins[0] || got.Version != 2 {
		t.Fatalf("stored %q version %d; want the winner %q at version 2", got.Name, got.Version, wins[0])
	}
}

func testList(t *testing.T, s directory.Store) {
	ctx := context.Background()
	mk := func(name, typ, status, spec, area string) {
		p := Provider(name)
		p.Type, p.Status = typ, status
		p.Specialisms = []string{spec}
		p.Coverage.Areas = []string{area}
		p.Sites[0].Address.Town = area
		if err := s.CreateProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	mk("Charlie", "job_broker", "published", "sight", "Leeds")
	mk("Alpha", "job_broker", "published", "mental_health", "Leeds")
	mk("Bravo", "debt_advice", "published", "mental_health", "Bristol")
	mk("Delta", "job_broker", "draft", "sight", "Bristol")
	mk("Echo", "job_broker", "ended", "hearing", "Glasgow")

	names := func(ps []directory.Provider) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	cases := []struct {
		name      string
		f         directory.ProviderFilter
		want      []string
		wantTotal int64
	}{
		{"all, ordered by name", directory.ProviderFilter{PerPage: 10}, []string{"Alpha", "Bravo", "Charlie", "Delta", "Echo"}, 5},
		{"first page", directory.ProviderFilter{Page: 1, PerPage: 2}, []string{"Alpha", "Bravo"}, 5},
		{"last page", directory.ProviderFilter{Page: 3, PerPage: 2}, []string{"Echo"}, 5},
		{"past the end", directory.ProviderFilter{Page: 9, PerPage: 2}, []string{}, 5},
		{"type", directory.ProviderFilter{Type: "debt_advice", PerPage: 10}, []string{"Bravo"}, 1},
		{"statuses", directory.ProviderFilter{Statuses: []string{"published", "ended"}, PerPage: 10}, []string{"Alpha", "Bravo", "Charlie", "Echo"}, 4},
		{"specialism", directory.ProviderFilter{Specialism: "sight", PerPage: 10}, []string{"Charlie", "Delta"}, 2},
		{"area ignores case", directory.ProviderFilter{Area: "bRISTOL", PerPage: 10}, []string{"Bravo", "Delta"}, 2},
		{"area by district", directory.ProviderFilter{Area: "ls2", PerPage: 10}, []string{"Alpha", "Bravo", "Charlie", "Delta", "Echo"}, 5},
		{"combined", directory.ProviderFilter{Type: "job_broker", Statuses: []string{"published"}, Area: "leeds", PerPage: 10}, []string{"Alpha", "Charlie"}, 2},
		{"nothing", directory.ProviderFilter{Area: "Atlantis", PerPage: 10}, []string{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := s.ListProviders(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(names(got)) != fmt.Sprint(tc.want) || total != tc.wantTotal {
				t.Fatalf("got %v total %d, want %v total %d", names(got), total, tc.want, tc.wantTotal)
			}
		})
	}
}

func testHasProviders(t *testing.T, s directory.Store) {
	ctx := context.Background()
	if has, err := s.HasProviders(ctx); err != nil || has {
		t.Fatalf("HasProviders on an empty store = %v, %v; want false", has, err)
	}
	// A draft counts: the question is whether the store is empty.
	p := Provider("Only one")
	p.Status = directory.StatusDraft
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if has, err := s.HasProviders(ctx); err != nil || !has {
		t.Fatalf("HasProviders with one provider = %v, %v; want true", has, err)
	}
	if err := s.CreateProviders(ctx, []*directory.Provider{ptr(Provider("Two")), ptr(Provider("Three"))}); err != nil {
		t.Fatal(err)
	}
	if has, err := s.HasProviders(ctx); err != nil || !has {
		t.Fatalf("HasProviders with three providers = %v, %v; want true", has, err)
	}
}

func testEach(t *testing.T, s directory.Store) {
	ctx := context.Background()
	want := map[string]bool{}
	for i := range 25 {
		p := Provider(fmt.Sprintf("P%02d", i))
		if err := s.CreateProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
		want[p.ID] = true
	}
	seen := map[string]bool{}
	err := s.EachProvider(ctx, func(p *directory.Provider) error {
		if seen[p.ID] {
			return fmt.Errorf("%s seen twice", p.ID)
		}
		seen[p.ID] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(want) {
		t.Fatalf("EachProvider visited %d, want %d", len(seen), len(want))
	}
	n, err := s.CountProviders(ctx)
	if err != nil || n != 25 {
		t.Fatalf("CountProviders = %d, %v; want 25", n, err)
	}
	stop := errors.New("stop")
	calls := 0
	err = s.EachProvider(ctx, func(*directory.Provider) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("EachProvider after fn error: %v after %d calls; want stop after 1", err, calls)
	}
}

func testTokens(t *testing.T, s directory.Store) {
	ctx := context.Background()
	tok := directory.Token{Name: "ops", Role: directory.RoleAdmin, Hash: "hash-1"}
	if err := s.CreateToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	dup := directory.Token{Name: "dup", Role: directory.RoleAdmin, Hash: "hash-1"}
	if err := s.CreateToken(ctx, &dup); !errors.Is(err, directory.ErrConflict) {
		t.Fatalf("duplicate hash: got %v, want ErrConflict", err)
	}
	got, err := s.TokenByHash(ctx, "hash-1")
	if err != nil || got.ID != tok.ID || got.Name != "ops" || got.Role != directory.RoleAdmin {
		t.Fatalf("TokenByHash = %+v, %v", got, err)
	}
	if _, err := s.TokenByHash(ctx, "nope"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("unknown hash: %v, want ErrNotFound", err)
	}
	if err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByHash(ctx, "hash-1"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("revoked token still accepted: %v", err)
	}
	if err := s.RevokeToken(ctx, "missing"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("revoke missing: %v, want ErrNotFound", err)
	}
	list, err := s.Tokens(ctx)
	if err != nil || len(list) != 1 || list[0].RevokedAt == nil {
		t.Fatalf("Tokens = %+v, %v; want one revoked token", list, err)
	}
}

// equal compares two providers field by field through their JSON form, with
// times compared as instants.
func equal(got, want *directory.Provider) error {
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		return fmt.Errorf("times differ: got %v/%v want %v/%v", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	g, w := *got, *want
	g.CreatedAt, g.UpdatedAt, w.CreatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if diff := Diff(&w, &g); diff != "" {
		return fmt.Errorf("stored provider differs (-want +got):\n%s", diff)
	}
	return nil
}
