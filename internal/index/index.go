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
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Internal keys stored alongside the documents.
var (
	keyMapping     = []byte("brokerfinder.mapping_version")
	keyFingerprint = []byte("brokerfinder.fingerprint")
)

// Index is an open full-text index.
type Index struct {
	b         bleve.Index
	path      string
	refs      atomic.Pointer[refCache]  // for the latest snapshot searched
	wordsSeen atomic.Pointer[wordCache] // for the latest snapshot searched
	sets      sync.Pool                 // *[]uint64, SearchIn's document sets
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
// (each word in any field, stemmed), best match first, at most limit (none
// when limit is 0). ErrNoWords if text holds no words.
func (ix *Index) Search(ctx context.Context, text string, limit int) ([]Hit, error) {
	var hits []Hit
	if err := ix.search(ctx, text, nil, nil, func(h Hit) { hits = append(hits, h) }); err != nil {
		return nil, err
	}
	// Best first; equal scores keep the index's order, as Bleve's
	// collector does.
	slices.SortStableFunc(hits, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	if len(hits) > limit {
		hits = hits[:max(limit, 0)]
	}
	return hits, nil
}

// Scope limits SearchIn to the providers its owner could show, and collects
// them. The owner knows each provider by a number of its own choosing
// (never negative), which SearchIn hands back so the owner need not look
// an id up again; SearchIn remembers each document's number for the
// index snapshot, so a search reads no stored ids and asks nothing about
// the thousands of documents it has met before.
type Scope interface {
	// Numbering names the numbers Number gives: it must change whenever
	// any of Number's answers may, and differ between owners numbering
	// differently. Answers are remembered only under the numbering in
	// force both before and after they were given; 0 means never
	// remember them.
	Numbering() uint64
	// Number returns the owner's number for the provider with an id,
	// false if the owner does not hold it.
	Number(id string) (n int32, ok bool)
	// Keep reports whether the provider numbered n should be returned.
	Keep(n int32) bool
	// Add is given each provider kept, with its relevance.
	Add(id string, score float64, n int32)
}

// SearchIn is Search limited to the providers filed under at least one of
// the place keys (all providers, when places is nil) that scope keeps,
// without a limit: it gives scope every hit, in index order rather than by
// relevance, so no slice of thousands is allocated for them.
//
// Each word's documents and relevance are worked out once per index
// snapshot (see wordDocs); a search intersects its words' sets and the
// places' a machine word at a time, asks scope about each document left,
// and adds up the relevance of those kept. In a city the place keys hold
// ten thousand providers and a word several thousand of them, while the
// providers that really cover the client and pass the filters are a few
// hundred: only those are looked up.
func (ix *Index) SearchIn(ctx context.Context, text string, places []string, scope Scope) error {
	if scope == nil {
		return errors.New("index: SearchIn without a scope")
	}
	return ix.search(ctx, text, places, scope, nil)
}

// search is SearchIn, giving every hit to fn when scope is nil.
func (ix *Index) search(ctx context.Context, text string, places []string, scope Scope, fn func(Hit)) error {
	if places != nil && len(places) == 0 {
		return nil
	}
	words, err := ix.words(text)
	if err != nil {
		return err
	}
	adv, err := ix.b.Advanced()
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("index: opening a reader: %w", err)
	}
	defer r.Close()
	wc, err := ix.wordCacheFor(r)
	if err != nil {
		return err
	}
	found := make([]*wordDocs, len(words))
	var weight float64
	for i, w := range words {
		if found[i], err = wc.word(ctx, ix.b.Mapping(), w); err != nil {
			return err
		}
		if found[i].bits == nil {
			return nil // a word found nowhere: nothing holds every word
		}
		weight += found[i].weight
	}
	norm := 1 / math.Sqrt(weight)

	// The documents holding every word, filed under a place.
	sp, _ := ix.sets.Get().(*[]uint64)
	if sp == nil {
		sp = new([]uint64)
	}
	defer ix.sets.Put(sp)
	set := *sp
	if n := len(found[0].bits); cap(set) < n {
		set = make([]uint64, n)
		*sp = set
	} else {
		set = set[:n]
	}
	if places != nil {
		clear(set)
		if err := wc.filed(ctx, places, set); err != nil {
			return err
		}
		for i, b := range found[0].bits {
			set[i] &= b
		}
	} else {
		copy(set, found[0].bits)
	}
	for _, w := range found[1:] {
		for i, b := range w.bits {
			set[i] &= b
		}
	}

	refs := &refCache{} // without a numbering, nothing is remembered
	if scope != nil {
		if n := scope.Numbering(); n != 0 {
			refs = ix.refCacheFor(r, n)
		}
	}
	for i, b := range set {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for ; b != 0; b &= b - 1 {
			doc := uint64(i*64 + bits.TrailingZeros64(b))
			var ref int32
			if scope != nil {
				var ok bool
				ref, ok, err = refs.resolve(r, doc, scope)
				if err != nil {
					return err
				}
				if !ok || !scope.Keep(ref) {
					continue
				}
			}
			id, err := refs.externalID(r, doc)
			if err != nil {
				return err
			}
			var score float64
			for _, w := range found {
				score += w.score(doc)
			}
			if scope != nil {
				scope.Add(id, score*norm, ref)
			} else {
				fn(Hit{ID: id, Score: score * norm})
			}
		}
	}
	return nil
}

// words returns the words of text the analyser keeps: words it drops (stop
// words such as "after" or "the") would match nothing and sink the whole
// query. ErrNoWords if none is left.
func (ix *Index) words(text string) ([]string, error) {
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
	return words, nil
}

// refCache remembers Scope.Number's answers for the documents of one index
// snapshot, under one numbering. Only the latest is kept: a new snapshot
// (after a write, or when Bleve persists or merges segments) or numbering
// starts a new one, filled as searches ask.
type refCache struct {
	snap bindex.IndexReader
	num  uint64
	refs []atomic.Int64 // by document number: 0 not asked yet, -1 none, else ref+1
	ids  []atomic.Pointer[string]
}

// refCacheFor returns the cache for r under numbering num, starting a new
// one (and dropping the old) when either has changed.
func (ix *Index) refCacheFor(r bindex.IndexReader, num uint64) *refCache {
	if c := ix.refs.Load(); c != nil && c.snap == r && c.num == num {
		return c
	}
	c := &refCache{snap: r, num: num}
	if is, ok := r.(*scorch.IndexSnapshot); ok {
		var n int64
		for _, s := range is.Segments() {
			n += s.FullSize()
		}
		c.refs = make([]atomic.Int64, n)
		c.ids = make([]atomic.Pointer[string], n)
	}
	ix.refs.Store(c)
	return c
}

// resolve returns the scope's number for the document numbered doc. An
// answer is remembered only if the numbering is still the cache's once it
// is given, so an answer from after a write is never kept under the
// numbering before it.
func (c *refCache) resolve(r bindex.IndexReader, doc uint64, scope Scope) (int32, bool, error) {
	var slot *atomic.Int64
	if doc < uint64(len(c.refs)) {
		slot = &c.refs[doc]
		switch v := slot.Load(); {
		case v > 0:
			return int32(v - 1), true, nil
		case v < 0:
			return 0, false, nil
		}
	}
	id, err := c.externalID(r, doc)
	if err != nil {
		return 0, false, err
	}
	ref, ok := scope.Number(id)
	if slot != nil && ref >= 0 && c.num != 0 && scope.Numbering() == c.num {
		if ok {
			slot.Store(int64(ref) + 1)
		} else {
			slot.Store(-1)
		}
	}
	return ref, ok, nil
}

// externalID returns the id of the document numbered doc, read from the
// index once per snapshot.
func (c *refCache) externalID(r bindex.IndexReader, doc uint64) (string, error) {
	var slot *atomic.Pointer[string]
	if doc < uint64(len(c.ids)) {
		slot = &c.ids[doc]
		if id := slot.Load(); id != nil {
			return *id, nil
		}
	}
	var buf [8]byte
	id, err := r.ExternalID(bindex.NewIndexInternalID(buf[:], doc))
	if err == nil && slot != nil {
		slot.Store(&id)
	}
	return id, err
}
