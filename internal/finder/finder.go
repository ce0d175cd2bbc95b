// Package finder answers searches and matches. It keeps two copies of the
// directory in step with the store, which stays the source of truth: the
// in-memory catalogue (package match) for location, filters, facets and
// ranking, and the Bleve full-text index (package index) for free text. It
// resolves clients' places with a geocoder.
package finder

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/index"
	"github.com/brokerfinder/brokerfinder/internal/match"
	"github.com/brokerfinder/brokerfinder/internal/telemetry"
)

// Config is what a Finder needs.
type Config struct {
	Store directory.ProviderStore
	// Changes, when set, is the store's change log: the finder follows it
	// every PollInterval so writes through other replicas show here too.
	Changes      directory.ChangeLog
	PollInterval time.Duration
	// IndexDir holds the full-text index.
	IndexDir string
	Geocoder geo.Geocoder
	Logger   *slog.Logger
	// Now is the clock freshness is judged by; nil means time.Now.
	Now func() time.Time
	// Rebuild rebuilds the index from the store even when it looks in step
	// (brokerfinder reindex).
	Rebuild bool
	// Telemetry, when set, traces and counts matches, searches and index
	// writes.
	Telemetry *telemetry.Telemetry
	// Inspect opens the index as it is and never rebuilds, recreates or
	// writes it, so what it holds can be compared with the store
	// (brokerfinder check). Open fails with index.ErrUnusable when there is
	// no usable index; Put fails; Changes are not followed.
	Inspect bool
}

// Finder is safe for concurrent use.
type Finder struct {
	store    directory.ProviderStore
	geo      geo.Geocoder
	logger   *slog.Logger
	now      func() time.Time
	cat      *match.Catalogue
	oruk     *orukView
	ix       *index.Index
	indexDir string
	rebuild  bool
	inspect  bool
	ready    atomic.Bool
	tel      *telemetry.Telemetry
	rebuilds atomic.Int64
	caughtUp atomic.Int64 // unix nanoseconds when the log was last read to its end

	changes    directory.ChangeLog
	seq        atomic.Int64 // the last change applied
	stop       context.CancelFunc
	followDone chan struct{}

	mu       sync.Mutex       // serialises writes to the copies
	versions map[string]int64 // the version each copy holds, by id
	visible  map[string]bool  // whether that version is in the index
	fp       uint64           // fingerprint of what the index holds
}

// Open loads the directory from the store into the catalogue, opens the
// full-text index and rebuilds it when it is new, of an old mapping, or out
// of step with the store (its fingerprint differs).
func Open(ctx context.Context, cfg Config) (*Finder, error) {
	f := &Finder{
		store: cfg.Store, changes: cfg.Changes, geo: cfg.Geocoder, logger: cfg.Logger, now: cfg.Now,
		cat:      match.NewCatalogue(),
		oruk:     newORUKView(),
		indexDir: cfg.IndexDir,
		rebuild:  cfg.Rebuild,
		inspect:  cfg.Inspect,
		tel:      cfg.Telemetry,
		versions: map[string]int64{},
		visible:  map[string]bool{},
	}
	if f.logger == nil {
		f.logger = slog.Default()
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.geo == nil {
		f.geo = geo.Builtin()
	}
	// Note where the change log ends before reading the directory: a write
	// landing during the read is then applied again by following, never
	// missed.
	if f.changes != nil {
		seq, err := f.changes.LastChange(ctx)
		if err != nil {
			return nil, fmt.Errorf("finder: reading the change log: %w", err)
		}
		f.seq.Store(seq)
	}
	var ix *index.Index
	var fresh bool
	var err error
	if cfg.Inspect {
		ix, err = index.OpenExisting(cfg.IndexDir)
	} else {
		ix, fresh, err = index.Open(cfg.IndexDir)
	}
	if err != nil {
		return nil, err
	}
	f.ix = ix
	if err := f.load(ctx, fresh); err != nil {
		_ = ix.Close()
		return nil, err
	}
	f.ready.Store(true)
	f.caughtUp.Store(time.Now().UnixNano())
	if f.changes != nil && cfg.PollInterval > 0 && !cfg.Inspect {
		fctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		f.stop, f.followDone = stop, make(chan struct{})
		go f.follow(fctx, cfg.PollInterval)
	}
	return f, nil
}

// Close stops following the change log and closes the index.
func (f *Finder) Close() error {
	if f.stop != nil {
		f.stop()
		<-f.followDone
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ix.Close()
}

// Seq returns the last change of the store's log this finder has applied.
func (f *Finder) Seq() int64 { return f.seq.Load() }

// Ready reports whether searches and matches can be answered.
func (f *Finder) Ready() bool { return f.ready.Load() }

// CaughtUp returns when this finder last read the store's change log to
// its end (or opened).
func (f *Finder) CaughtUp() time.Time { return time.Unix(0, f.caughtUp.Load()) }

// Rebuilds returns how many times the search index was rebuilt whole.
func (f *Finder) Rebuilds() int64 { return f.rebuilds.Load() }

// Catalogue returns the in-memory catalogue, for read-only use.
func (f *Finder) Catalogue() *match.Catalogue { return f.cat }

// load reads every provider from the store into the catalogue and checks
// the index against the store's fingerprint, rebuilding it if they differ.
func (f *Finder) load(ctx context.Context, fresh bool) error {
	start := time.Now()
	var all []*directory.Provider
	err := f.store.EachProvider(ctx, func(p *directory.Provider) error {
		cp := *p
		all = append(all, &cp)
		return nil
	})
	if err != nil {
		return fmt.Errorf("finder: loading providers: %w", err)
	}
	compactAll(all)
	match.SortForLocality(all)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range all {
		f.cat.Put(p)
		f.versions[p.ID] = p.Version
		if p.Visible() {
			f.visible[p.ID] = true
			f.fp ^= fingerprint(p.ID, p.Version)
		}
	}
	f.oruk.load(all)
	loaded := time.Since(start)
	have, err := f.ix.Fingerprint()
	if err != nil {
		return err
	}
	n, _ := f.ix.Count()
	if f.inspect {
		f.logger.Info("search index opened for inspection", "providers", len(all), "documents", n)
		return nil
	}
	if !fresh && !f.rebuild && have == f.fp && int(n) == len(f.visible) {
		f.logger.Info("search index in step with the store", "providers", len(all), "load", loaded.Round(time.Millisecond))
		return nil
	}
	f.logger.Info("rebuilding the search index", "providers", len(all), "fresh", fresh, "forced", f.rebuild)
	f.rebuilds.Add(1)
	if !fresh {
		// Start from an empty index rather than work out what differs:
		// a full rebuild is bounded and simple.
		_ = f.ix.Close()
		ix, err := index.Recreate(f.indexDir)
		if err != nil {
			return err
		}
		f.ix = ix
	}
	b := f.ix.NewBatch()
	for _, p := range all {
		if !p.Visible() {
			continue
		}
		if err := b.Put(p, f.cat.PlaceKeys(p.ID)); err != nil {
			return fmt.Errorf("finder: indexing %s: %w", p.ID, err)
		}
		if b.Size() >= rebuildBatch {
			if err := f.ix.Apply(b, 0); err != nil {
				return err
			}
			b = f.ix.NewBatch()
		}
	}
	// The real fingerprint goes with the last batch, so an interrupted
	// rebuild is detected and redone at the next start.
	if err := f.ix.Apply(b, f.fp); err != nil {
		return err
	}
	built := time.Since(start)
	if err := f.ix.Compact(ctx); err != nil {
		return err
	}
	f.logger.Info("search index rebuilt", "built", built.Round(time.Millisecond), "providers", len(f.visible), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// compactAll compacts every record (see compact), on every CPU: a large
// directory holds hundreds of thousands of small objects.
func compactAll(all []*directory.Provider) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(all); i += workers {
				compact(all[i])
			}
		})
	}
	wg.Wait()
}

// rebuildBatch is how many documents a rebuild writes to the index at once.
// Each batch becomes a segment the index merges later, so bigger batches
// build faster (100k: about 18 s in batches of 1,000, 11-14 s in batches of
// 5,000 to 20,000) at the cost of holding the batch's analysed documents.
const rebuildBatch = 5000

// Put brings both copies up to date with p after a write to the store. An
// older version than the one held is ignored, so a slow writer or a
// replayed change never puts back stale data.
func (f *Finder) Put(p *directory.Provider) (err error) {
	if f.inspect {
		return errInspecting
	}
	end := f.tel.StartIndexWrite(context.Background())
	defer func() { end(err) }()
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.versions[p.ID]; ok && v >= p.Version {
		return nil
	}
	cp := *p
	compact(&cp)
	fp := f.fp
	if f.visible[p.ID] {
		fp ^= fingerprint(p.ID, f.versions[p.ID])
	}
	if cp.Visible() {
		fp ^= fingerprint(cp.ID, cp.Version)
	}
	b := f.ix.NewBatch()
	if err := b.Put(&cp, match.PlaceKeys(&cp)); err != nil {
		return err
	}
	if err := f.ix.Apply(b, fp); err != nil {
		return err
	}
	old, _ := f.cat.Get(cp.ID)
	f.cat.Put(&cp)
	f.oruk.put(old, &cp)
	f.fp = fp
	f.versions[cp.ID] = cp.Version
	f.visible[cp.ID] = cp.Visible()
	return nil
}

// List returns one page of the visible providers passing f's filters,
// ordered by name then id, and how many pass: ListProviders from the
// catalogue. A store without indexes FerretDB can use (the embedded one)
// decodes every record to count and sort a listing: at 100,000 providers
// that took longer than any request may.
func (f *Finder) List(pf directory.ProviderFilter) ([]directory.Provider, int64) {
	page, total := f.cat.List(pf)
	out := make([]directory.Provider, len(page))
	for i, p := range page {
		out[i] = *p
	}
	return out, int64(total)
}

// Provider returns a visible provider from the catalogue: it answers even
// when the store cannot be reached.
func (f *Finder) Provider(id string) (*directory.Provider, bool) { return f.cat.Get(id) }

var errInspecting = errors.New("finder: opened for inspection only; nothing may be written")

func fingerprint(id string, version int64) uint64 {
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "%s@%d", id, version)
	return h.Sum64()
}
