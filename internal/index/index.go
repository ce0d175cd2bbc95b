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
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
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
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
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
	b    bleve.Index
	path string
	refs atomic.Pointer[refCache] // for the latest snapshot searched
	kept sync.Pool                // *docsQuery, reused by SearchIn
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
	// Ref is the hit's number from SearchIn's scope (0 without one), so a
	// caller need not look the id up again.
	Ref int32
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
	hits, err := ix.SearchIn(ctx, text, nil, nil)
	if len(hits) > limit {
		hits = hits[:max(limit, 0)]
	}
	return hits, err
}

// Scope tells SearchIn which providers to score. Resolve gives the number
// (not negative) the caller knows a provider by, false if none, and
// Generation changes whenever Resolve's answers may; SearchIn remembers the
// answers for each document of an index snapshot, so a search reads no
// stored ids and looks nothing up for the thousands of documents it passes
// over. Keep reports whether the provider with a number should be scored.
type Scope struct {
	Resolve    func(id string) (ref int32, ok bool)
	Generation func() uint64
	Keep       func(ref int32) bool
}

// SearchIn is Search limited to the providers filed under at least one of
// the place keys (all providers, when places is nil) that scope keeps (all,
// when scope is nil), without a limit. A hit's Ref is its number from
// scope.Resolve.
//
// It works in two passes over one snapshot of the index. The first finds
// which documents hold the words and the place unscored, which Bleve does
// by merging postings bitmaps, and asks scope about each; the second scores
// only the documents kept. In a city the place keys hold ten thousand
// providers and a word several thousand of them, while the providers that
// really cover the client and pass the filters are a few hundred: scoring
// everything filed under the place was most of a text search's time at
// 100,000 providers. Scores are those of one scored query over the words
// (tested against Bleve's own collector).
func (ix *Index) SearchIn(ctx context.Context, text string, places []string, scope *Scope) ([]Hit, error) {
	if places != nil && len(places) == 0 {
		return []Hit{}, nil
	}
	words, err := ix.words(text)
	if err != nil {
		return nil, err
	}
	adv, err := ix.b.Advanced()
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("index: opening a reader: %w", err)
	}
	defer r.Close()
	m := ix.b.Mapping()

	refs := &refCache{} // without a scope, nothing is remembered
	if scope != nil {
		refs = ix.refCacheFor(r, scope.Generation())
	}
	kept, _ := ix.kept.Get().(*docsQuery)
	if kept == nil {
		kept = new(docsQuery)
	}
	defer func() {
		kept.ids, kept.ends = kept.ids[:0], kept.ends[:0]
		ix.kept.Put(kept)
	}()
	var keptRefs []int32
	var where []query.Query // unscored pass: the places' bitmaps merge with the words'
	if places != nil {
		where = append(where, placesQuery(places))
	}
	err = each(ctx, r, textQuery(words, where...), m, search.SearcherOptions{Score: "none"}, func(dm *search.DocumentMatch) error {
		if scope == nil {
			kept.add(dm.IndexInternalID)
			keptRefs = append(keptRefs, 0)
			return nil
		}
		ref, ok, err := refs.resolve(r, dm.IndexInternalID, scope)
		if err != nil {
			return err
		}
		if ok && scope.Keep(ref) {
			kept.add(dm.IndexInternalID)
			keptRefs = append(keptRefs, ref)
		}
		return nil
	})
	if err != nil || len(keptRefs) == 0 {
		return []Hit{}, err
	}

	hits := make([]Hit, 0, len(keptRefs))
	err = each(ctx, r, textQuery(words, filterQuery{kept}), m, search.SearcherOptions{}, func(dm *search.DocumentMatch) error {
		// Every kept document holds the words, so the scored pass
		// returns them all, in the same (index) order.
		i := len(hits)
		if i >= len(keptRefs) || !bytes.Equal(dm.IndexInternalID, kept.id(i)) {
			return fmt.Errorf("index: scored pass out of step with the first at hit %d", i)
		}
		id, err := refs.externalID(r, dm.IndexInternalID)
		if err != nil {
			return err
		}
		hits = append(hits, Hit{ID: id, Score: dm.Score, Ref: keptRefs[i]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(hits) != len(keptRefs) {
		return nil, fmt.Errorf("index: scored pass found %d of %d documents", len(hits), len(keptRefs))
	}
	// Best first; equal scores keep the index's order, as Bleve's
	// collector does.
	slices.SortStableFunc(hits, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	return hits, nil
}

// each runs q on r and calls fn with every match, in index order.
func each(ctx context.Context, r bindex.IndexReader, q query.Query, m mapping.IndexMapping, o search.SearcherOptions, fn func(*search.DocumentMatch) error) (err error) {
	s, err := q.Searcher(ctx, r, m, o)
	if err != nil {
		return fmt.Errorf("index: searching: %w", err)
	}
	defer func() {
		if cerr := s.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	sc := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: r}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		dm, err := s.Next(sc)
		if err != nil {
			return fmt.Errorf("index: searching: %w", err)
		}
		if dm == nil {
			return nil
		}
		if err := fn(dm); err != nil {
			return err
		}
		sc.DocumentMatchPool.Put(dm)
	}
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

// textQuery matches documents holding every word in any text field, with
// the fields' boosts, and matching each of also.
func textQuery(words []string, also ...query.Query) query.Query {
	conj := make([]query.Query, 0, len(words)+len(also))
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
	return bleve.NewConjunctionQuery(append(conj, also...)...)
}

// placesQuery matches documents filed under any of the places. In a scored
// query it must be a filterQuery, so being filed under a place does not
// change relevance.
func placesQuery(places []string) query.Query {
	disj := make([]query.Query, len(places))
	for i, key := range places {
		q := bleve.NewTermQuery(key)
		q.SetField(placesField)
		disj[i] = q
	}
	return bleve.NewDisjunctionQuery(disj...)
}

// filterQuery narrows a conjunction without taking part in its scores.
// Its searcher is built unscored, which lets Bleve merge a disjunction of
// terms into one bitmap (its "unadorned" optimisation) instead of walking
// every term's postings beside the words'. Weight and scores are zero, so
// relevance is what the words alone give (TestSearchInKeepsToThePlaces
// compares with an unfiltered search).
type filterQuery struct{ q query.Query }

func (f filterQuery) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	o.Score, o.Explain, o.IncludeTermVectors = "none", false, false
	s, err := f.q.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	return filterSearcher{s}, nil
}

type filterSearcher struct{ search.Searcher }

func (filterSearcher) Weight() float64      { return 0 }
func (filterSearcher) SetQueryNorm(float64) {}

func (f filterSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return unscored(f.Searcher.Next(ctx))
}

func (f filterSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	return unscored(f.Searcher.Advance(ctx, id))
}

func unscored(dm *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	if dm != nil {
		dm.Score = 0
	}
	return dm, err
}

// docsQuery matches exactly the given documents of one index snapshot,
// added in index order. Their ids are held end to end in one slice, not
// one allocation each.
type docsQuery struct {
	ids  []byte
	ends []int
}

func (d *docsQuery) add(id bindex.IndexInternalID) {
	d.ids = append(d.ids, id...)
	d.ends = append(d.ends, len(d.ids))
}

func (d *docsQuery) id(i int) bindex.IndexInternalID {
	from := 0
	if i > 0 {
		from = d.ends[i-1]
	}
	return d.ids[from:d.ends[i]]
}

func (d *docsQuery) Searcher(context.Context, bindex.IndexReader, mapping.IndexMapping, search.SearcherOptions) (search.Searcher, error) {
	return &docsSearcher{docs: d}, nil
}

type docsSearcher struct {
	docs *docsQuery
	next int
}

func (d *docsSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if d.next >= len(d.docs.ends) {
		return nil, nil
	}
	dm := ctx.DocumentMatchPool.Get()
	dm.IndexInternalID = append(dm.IndexInternalID[:0], d.docs.id(d.next)...)
	d.next++
	return dm, nil
}

func (d *docsSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	for d.next < len(d.docs.ends) && d.docs.id(d.next).Compare(id) < 0 {
		d.next++
	}
	return d.Next(ctx)
}

func (d *docsSearcher) Close() error               { return nil }
func (d *docsSearcher) Weight() float64            { return 0 }
func (d *docsSearcher) SetQueryNorm(float64)       {}
func (d *docsSearcher) Count() uint64              { return uint64(len(d.docs.ends)) }
func (d *docsSearcher) Min() int                   { return 0 }
func (d *docsSearcher) Size() int                  { return 64 + len(d.docs.ids) + 8*len(d.docs.ends) }
func (d *docsSearcher) DocumentMatchPoolSize() int { return 1 }

// refCache remembers Scope.Resolve's answers for the documents of one index
// snapshot, at one generation of the caller's numbering. Only the latest is
// kept: a new snapshot (after a write, or when Bleve persists or merges
// segments) or generation starts a new one, about 1.6 MB at 100,000
// documents, filled as searches ask.
type refCache struct {
	snap bindex.IndexReader
	gen  uint64
	refs []atomic.Int64 // by document number: 0 not asked yet, -1 none, else ref+1
	ids  []atomic.Pointer[string]
}

// refCacheFor returns the cache for r at generation gen, starting a new one
// (and dropping the old) when either has changed.
func (ix *Index) refCacheFor(r bindex.IndexReader, gen uint64) *refCache {
	if c := ix.refs.Load(); c != nil && c.snap == r && c.gen == gen {
		return c
	}
	c := &refCache{snap: r, gen: gen}
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

// resolve returns the reference of the document with internal id doc. A
// snapshot's internal ids are 8-byte document numbers; any other form is
// resolved afresh every time. An answer is remembered only if the
// generation is still the cache's once it is given, so an answer from after
// a write is never kept under the generation before it.
func (c *refCache) resolve(r bindex.IndexReader, doc bindex.IndexInternalID, scope *Scope) (int32, bool, error) {
	var slot *atomic.Int64
	if len(doc) == 8 {
		if n := binary.BigEndian.Uint64(doc); n < uint64(len(c.refs)) {
			slot = &c.refs[n]
			switch v := slot.Load(); {
			case v > 0:
				return int32(v - 1), true, nil
			case v < 0:
				return 0, false, nil
			}
		}
	}
	id, err := c.externalID(r, doc)
	if err != nil {
		return 0, false, err
	}
	ref, ok := scope.Resolve(id)
	if slot != nil && ref >= 0 && scope.Generation() == c.gen {
		if ok {
			slot.Store(int64(ref) + 1)
		} else {
			slot.Store(-1)
		}
	}
	return ref, ok, nil
}

// externalID returns the id of the document with internal id doc, read
// from the index once per snapshot.
func (c *refCache) externalID(r bindex.IndexReader, doc bindex.IndexInternalID) (string, error) {
	var slot *atomic.Pointer[string]
	if len(doc) == 8 {
		if n := binary.BigEndian.Uint64(doc); n < uint64(len(c.ids)) {
			slot = &c.ids[n]
			if id := slot.Load(); id != nil {
				return *id, nil
			}
		}
	}
	id, err := r.ExternalID(doc)
	if err == nil && slot != nil {
		slot.Store(&id)
	}
	return id, err
}
