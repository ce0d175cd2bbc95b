// Package index is brokerfinder's full-text index over Bleve: the only
// package that imports Bleve. It holds what the free text of a search is
// matched against (names, summaries, service and condition labels, places)
// and returns provider ids with relevance scores; records themselves come
// from the store or the in-memory catalogue.
//
// The index is a cache: it can always be rebuilt from the store. It records
// a mapping version and a fingerprint of what it holds, so a service that
// starts on an index of an older mapping, or one that missed writes (a crash
// between store and index), rebuilds it.
package index

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Internal keys stored alongside the documents.
var (
	keyMapping     = []byte("brokerfinder.mapping_version")
	keyFingerprint = []byte("brokerfinder.fingerprint")
)

// Index is an open full-text index.
type Index struct {
	b    bleve.Index
	path string
}

// Limits on free text, so no query can be made expensive.
const (
	MaxQueryWords = 8
	maxWordLen    = 40
)

// Open opens the index in dir, creating it when missing. An index of another
// mapping version, or one that cannot be opened (corrupt, half-written), is
// removed and created afresh; fresh reports that it is empty and must be
// filled.
func Open(dir string) (ix *Index, fresh bool, err error) {
	ix, err = OpenExisting(dir)
	if err == nil || errors.Is(err, ErrInUse) {
		return ix, false, err
	}
	ix, err = Recreate(dir)
	return ix, err == nil, err
}

// ErrUnusable means there is no index in the directory, or one of another
// mapping version, or one that cannot be opened.
var ErrUnusable = errors.New("index: missing, of another mapping version, or unreadable")

// OpenExisting opens the index in dir as it is, never creating, removing
// or rebuilding it: for looking at what an index holds. ErrInUse if another
// process holds it; ErrUnusable if there is no usable index.
func OpenExisting(dir string) (*Index, error) {
	path := filepath.Join(dir, "bleve")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnusable, path, err)
	}
	// Bleve waits for ever for a lock another process holds; wait a little
	// and say so instead, and never mistake a locked index for a corrupt
	// one (which Open would remove).
	b, err := bleve.OpenUsing(path, map[string]any{"bolt_timeout": "3s"})
	if err != nil && strings.Contains(err.Error(), "timeout") {
		return nil, fmt.Errorf("%w: %s", ErrInUse, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnusable, path, err)
	}
	v, err := b.GetInternal(keyMapping)
	if err != nil || string(v) != mappingVersion {
		_ = b.Close()
		return nil, fmt.Errorf("%w: %s has mapping version %q, want %q", ErrUnusable, path, v, mappingVersion)
	}
	return &Index{b: b, path: path}, nil
}

// Recreate replaces whatever index is in dir with a new, empty one.
func Recreate(dir string) (*Index, error) {
	path := filepath.Join(dir, "bleve")
	if err := os.RemoveAll(path); err != nil {
		return nil, fmt.Errorf("index: removing old index: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	b, err := bleve.New(path, newMapping())
	if err != nil {
		return nil, fmt.Errorf("index: creating: %w", err)
	}
	if err := b.SetInternal(keyMapping, []byte(mappingVersion)); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("index: %w", err)
	}
	return &Index{b: b, path: path}, nil
}

// Close closes the index.
func (ix *Index) Close() error { return ix.b.Close() }

// Fingerprint returns the fingerprint stored with the last write, 0 for a
// new index.
func (ix *Index) Fingerprint() (uint64, error) {
	v, err := ix.b.GetInternal(keyFingerprint)
	if err != nil {
		return 0, fmt.Errorf("index: reading fingerprint: %w", err)
	}
	if len(v) != 8 {
		return 0, nil
	}
	return binary.BigEndian.Uint64(v), nil
}

// Count returns how many documents the index holds.
func (ix *Index) Count() (uint64, error) { return ix.b.DocCount() }

// Batch is a set of writes applied together with a new fingerprint.
type Batch struct {
	b *bleve.Batch
}

// NewBatch starts a batch.
func (ix *Index) NewBatch() *Batch { return &Batch{b: ix.b.NewBatch()} }

// Put adds or replaces a provider, filed under the given place keys (see
// SearchIn; a provider filed under none is found only by searches
// everywhere, so the keys are a required argument). Drafts are deleted
// instead: free text must never find what the public cannot see.
func (b *Batch) Put(p *directory.Provider, places []string) error {
	if !p.Visible() {
		b.b.Delete(p.ID)
		return nil
	}
	d := toDoc(p)
	d.Where = places
	return b.b.Index(p.ID, d)
}

// Delete removes a provider.
func (b *Batch) Delete(id string) { b.b.Delete(id) }

// Size returns how many writes the batch holds.
func (b *Batch) Size() int { return b.b.Size() }

// Apply writes the batch and records fingerprint with it, atomically.
func (ix *Index) Apply(b *Batch, fingerprint uint64) error {
	var fp [8]byte
	binary.BigEndian.PutUint64(fp[:], fingerprint)
	b.b.SetInternal(keyFingerprint, fp[:])
	if err := ix.b.Batch(b.b); err != nil {
		return fmt.Errorf("index: writing batch: %w", err)
	}
	return nil
}

// Compact merges the index into one segment. A search looks each of its
// terms up in every segment's dictionary, and a rebuild leaves one segment
// per batch.
func (ix *Index) Compact(ctx context.Context) error {
	adv, err := ix.b.Advanced()
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	if err := sc.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
		return fmt.Errorf("index: merging segments: %w", err)
	}
	return nil
}

// ErrInUse means another process (a running server) has the index open.
var ErrInUse = errors.New("index: in use by another process (is a server running on this data directory?)")

// IDs returns the id of every document in the index.
func (ix *Index) IDs(ctx context.Context) ([]string, error) {
	vs, err := ix.Versions(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(vs))
	for id := range vs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// Versions returns the provider version each document was indexed at, by
// id.
func (ix *Index) Versions(ctx context.Context) (map[string]int64, error) {
	n, err := ix.b.DocCount()
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), int(n)+1, 0, false)
	req.Score = "none"
	req.Fields = []string{versionField}
	res, err := ix.b.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: listing documents: %w", err)
	}
	out := make(map[string]int64, len(res.Hits))
	for _, h := range res.Hits {
		// Bleve gives stored numbers back as float64; versions are far
		// below 2^53.
		v, _ := h.Fields[versionField].(float64)
		out[h.ID] = int64(v)
	}
	return out, nil
}

// Hit is one provider matching the text, with its relevance.
type Hit struct {
	ID    string
	Score float64
}

// ErrNoWords means the text held nothing to search for.
var ErrNoWords = errors.New("no words to search for")

// Words splits free text into at most MaxQueryWords plain words (letters and
// digits), lower-cased. Everything else, including any query syntax a user
// types ("+", "-", quotes, field:value, wildcards), is a separator, so user
// text is never interpreted as a query language.
func Words(text string) []string {
	fields := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var out []string
	for _, f := range fields {
		if len(out) == MaxQueryWords {
			break
		}
		f = strings.ToLower(f)
		if len([]rune(f)) > maxWordLen {
			f = string([]rune(f)[:maxWordLen])
		}
		out = append(out, f)
	}
	return out
}

// Search returns every provider whose text holds all the words of text
// (each word in any field, stemmed), best match first, at most limit.
// ErrNoWords if text holds no words.
func (ix *Index) Search(ctx context.Context, text string, limit int) ([]Hit, error) {
	return ix.SearchIn(ctx, text, nil, limit)
}

// SearchIn is Search limited to the providers filed under at least one of
// the place keys (all providers, when places is nil). Limiting first spares
// Bleve scoring documents a filter would throw away: a search near a place
// scores only the providers filed under it. The limit costs a few term
// lookups; an earlier version passed the ids of the providers covering the
// place, and Bleve's lookup of each id in each segment was most of the
// search's time at 100,000 providers.
func (ix *Index) SearchIn(ctx context.Context, text string, places []string, limit int) ([]Hit, error) {
	if places != nil && len(places) == 0 {
		return []Hit{}, nil
	}
	q, err := ix.textQuery(text, places)
	if err != nil {
		return nil, err
	}
	// Every hit is wanted, so collect them straight from the searcher
	// rather than through Bleve's top-N collector: asked for 100,000
	// results it pre-allocated a thousand matches, kept a heap and loaded
	// stored fields for every hit, which was most of what a text search
	// allocated. Scores are the searcher's own, so they equal what
	// SearchInContext returns (tested).
	var hits []Hit
	collect := func(sc *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		return func(dm *search.DocumentMatch) error {
			if dm == nil {
				return nil
			}
			id, err := sc.IndexReader.ExternalID(dm.IndexInternalID)
			if err != nil {
				return err
			}
			hits = append(hits, Hit{ID: id, Score: dm.Score})
			sc.DocumentMatchPool.Put(dm)
			return nil
		}, false, nil
	}
	ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(collect))
	req := bleve.NewSearchRequestOptions(q, 1, 0, false)
	if _, err := ix.b.SearchInContext(ctx, req); err != nil {
		return nil, fmt.Errorf("index: searching: %w", err)
	}
	// Best first; equal scores keep the index's order, as Bleve's
	// collector does.
	slices.SortStableFunc(hits, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	if len(hits) > limit {
		hits = hits[:max(limit, 0)]
	}
	return hits, nil
}

// textQuery is SearchIn's query: every word in any text field, and (when
// places is not nil) filed under one of the places.
func (ix *Index) textQuery(text string, places []string) (query.Query, error) {
	// Words the analyser drops (stop words such as "after" or "the")
	// would match nothing and sink the whole query: leave them out.
	an := ix.b.Mapping().AnalyzerNamed(en.AnalyzerName)
	var words []string
	for _, w := range Words(text) {
		if an == nil || len(an.Analyze([]byte(w))) > 0 {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil, ErrNoWords
	}
	conj := make([]query.Query, 0, len(words))
	for _, w := range words {
		disj := make([]query.Query, 0, len(textFields))
		for _, f := range textFields {
			q := bleve.NewMatchQuery(w)
			q.SetField(f.name)
			q.SetBoost(f.boost)
			disj = append(disj, q)
		}
		conj = append(conj, bleve.NewDisjunctionQuery(disj...))
	}
	if places != nil {
		// Boost 0: being filed under a place must not change relevance.
		disj := make([]query.Query, len(places))
		for i, key := range places {
			q := bleve.NewTermQuery(key)
			q.SetField(placesField)
			q.SetBoost(0)
			disj[i] = q
		}
		where := bleve.NewDisjunctionQuery(disj...)
		where.SetBoost(0)
		conj = append(conj, where)
	}
	return bleve.NewConjunctionQuery(conj...), nil
}
