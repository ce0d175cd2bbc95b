package finder

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Held is what a finder's two copies hold, for comparing with the store
// (brokerfinder check, GET /v1/admin/index).
type Held struct {
	// Seq is the last change of the store's log applied.
	Seq int64
	// Count is how many documents the index holds.
	Count uint64
	// Fingerprint is the one the index recorded with its last write.
	Fingerprint uint64
	// Catalogue is the version of each visible provider in the catalogue.
	Catalogue map[string]int64
	// Index is the provider version each index document was made from.
	Index map[string]int64
}

// Held returns a consistent view of what the copies hold: writes wait
// while it is taken.
func (f *Finder) Held(ctx context.Context) (Held, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := Held{Seq: f.seq.Load(), Catalogue: make(map[string]int64, len(f.visible))}
	for id, vis := range f.visible {
		if vis {
			h.Catalogue[id] = f.versions[id]
		}
	}
	var err error
	if h.Count, err = f.ix.Count(); err != nil {
		return Held{}, fmt.Errorf("finder: counting the index: %w", err)
	}
	if h.Fingerprint, err = f.ix.Fingerprint(); err != nil {
		return Held{}, err
	}
	if h.Index, err = f.ix.Versions(ctx); err != nil {
		return Held{}, err
	}
	return h, nil
}

// StoreVersions returns the version of every visible provider in the store
// (those the copies must hold), by id.
func StoreVersions(ctx context.Context, store directory.ProviderStore) (map[string]int64, error) {
	out := map[string]int64{}
	err := store.EachProvider(ctx, func(p *directory.Provider) error {
		if p.Visible() {
			out[p.ID] = p.Version
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finder: reading the store: %w", err)
	}
	return out, nil
}

// Fingerprint returns the fingerprint an index holding exactly versions
// records.
func Fingerprint(versions map[string]int64) uint64 {
	var fp uint64
	for id, v := range versions {
		fp ^= fingerprint(id, v)
	}
	return fp
}

// Compare lists, in plain words, every way h differs from the store's
// visible providers (as StoreVersions gives them): providers missing from a
// copy, extra in it, or held at another version; an index count or
// fingerprint that does not fit. None means the copies are in step.
func Compare(store map[string]int64, h Held) []string {
	var out []string
	for _, c := range []struct {
		name string
		held map[string]int64
	}{{"catalogue", h.Catalogue}, {"index", h.Index}} {
		out = append(out, compareCopy(c.name, store, c.held)...)
	}
	if h.Count != uint64(len(store)) {
		out = append(out, fmt.Sprintf("index: holds %d documents, the store has %d visible providers", h.Count, len(store)))
	}
	if want := Fingerprint(store); h.Fingerprint != want {
		out = append(out, fmt.Sprintf("index: fingerprint %016x recorded, the store's visible providers give %016x", h.Fingerprint, want))
	}
	return out
}

func compareCopy(name string, store, held map[string]int64) []string {
	type diff struct {
		id, text string
	}
	var ds []diff
	for id, v := range store {
		hv, ok := held[id]
		switch {
		case !ok:
			ds = append(ds, diff{id, fmt.Sprintf("%s: missing %s (the store has version %d)", name, id, v)})
		case hv != v:
			ds = append(ds, diff{id, fmt.Sprintf("%s: %s at version %d, the store has version %d", name, id, hv, v)})
		}
	}
	for id, hv := range held {
		if _, ok := store[id]; !ok {
			ds = append(ds, diff{id, fmt.Sprintf("%s: extra %s at version %d (not a visible provider in the store)", name, id, hv)})
		}
	}
	slices.SortFunc(ds, func(a, b diff) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.text, b.text)) })
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.text
	}
	return out
}
