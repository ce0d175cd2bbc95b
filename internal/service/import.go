package service

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// ImportOptions says how ImportProviders treats records that exist.
type ImportOptions struct {
	// Overwrite replaces existing records that differ (through the normal
	// versioned update); without it they are kept as they are.
	Overwrite bool
	// Action names the writes in the audit log ("provider.seed",
	// "provider.import"); empty means provider.create and provider.update.
	Action string
}

// ImportReport counts what ImportProviders did.
type ImportReport struct {
	Created, Updated, Unchanged, Kept int
}

func (r ImportReport) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged, %d kept (edited since seeding)", r.Created, r.Updated, r.Unchanged, r.Kept)
}

// Batch sizes for ImportProviders. Looking up versions may cost a scan of
// the store (FerretDB answers an id list by reading every record), so it
// is done in few, large batches; creates are batched again inside the
// store.
const (
	lookupBatch = 10000
	createBatch = 10000
)

// ImportProviders writes already validated providers (the seed directory,
// an ORUK feed, a generated directory): missing ones are created in bulk;
// existing ones are left alone unless opts.Overwrite, when those that
// differ are replaced. Importing the same records twice changes nothing
// the second time. Each version written gets its audit entry, and the
// search copies are told of each.
func (s *Service) ImportProviders(ctx context.Context, providers []directory.Provider, opts ImportOptions) (ImportReport, error) {
	var r ImportReport
	if opts.Action != "" {
		ctx = directory.WithAction(ctx, opts.Action)
	}
	versions := make(map[string]int64, len(providers))
	for start := 0; start < len(providers); start += lookupBatch {
		ids := make([]string, 0, lookupBatch)
		for _, p := range providers[start:min(start+lookupBatch, len(providers))] {
			ids = append(ids, p.ID)
		}
		vs, err := s.store.ProviderVersions(ctx, ids)
		if err != nil {
			return r, fmt.Errorf("import: reading versions: %w", err)
		}
		maps.Copy(versions, vs)
	}

	var missing []*directory.Provider
	for i := range providers {
		p := providers[i] // the caller's slice is left as it was
		if _, ok := versions[p.ID]; !ok {
			missing = append(missing, &p)
		}
	}
	for start := 0; start < len(missing); start += createBatch {
		batch := missing[start:min(start+createBatch, len(missing))]
		err := s.store.CreateProviders(ctx, batch)
		var ce *directory.ConflictError
		if err != nil && !errors.As(err, &ce) {
			return r, fmt.Errorf("import: creating providers: %w", err)
		}
		taken := map[string]bool{}
		if ce != nil {
			for _, id := range ce.IDs {
				taken[id] = true
			}
		}
		for _, p := range batch {
			if !taken[p.ID] {
				r.Created++
				s.indexWrite(p)
			}
		}
		if err != nil {
			return r, fmt.Errorf("import: creating providers: %w", err)
		}
	}

	for i := range providers {
		p := providers[i]
		if _, ok := versions[p.ID]; !ok {
			continue
		}
		cur, err := s.store.Provider(ctx, p.ID)
		if err != nil {
			return r, fmt.Errorf("import: reading %s: %w", p.ID, err)
		}
		if directory.SameContent(cur, &p) {
			r.Unchanged++
			continue
		}
		if !opts.Overwrite {
			r.Kept++
			continue
		}
		if err := s.store.UpdateProvider(ctx, &p, cur.Version); err != nil {
			return r, fmt.Errorf("import: updating %s: %w", p.ID, err)
		}
		s.indexWrite(&p)
		r.Updated++
	}
	return r, nil
}
