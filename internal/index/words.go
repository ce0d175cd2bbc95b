package index

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
)

// wordDocs is what one word of free text finds in one index snapshot: the
// documents holding it in any text field and the part of each one's
// relevance the word gives. It is worked out once per snapshot from the
// word's postings in every text field; a search then combines its words'
// sets a machine word at a time and looks each document's relevance up,
// where walking and scoring the postings again, for every search, was most
// of a text search's time at 100,000 providers.
//
// The relevance is Bleve's (TF-IDF, as its term, disjunction and
// conjunction scorers compute it for the query textQuery describes) with the
// query norm left out, since that depends on the other words:
//
//	word(d)  = coord · Σ over fields f holding it: Σ over its terms t: tf·norm·idf · boost_f·idf
//	coord    = fields holding it / text fields (and, within a field of
//	           several terms, terms held / terms)
//	score(d) = Σ over words: word(d), times 1/√(Σ over words: weight)
//	weight   = Σ over fields and terms: (boost_f·idf)²
//
// TestSearchInScoresAsBleveDoes compares it with Bleve's own collector.
type wordDocs struct {
	bits   []uint64  // bit n set: document n holds the word; nil if none does
	ranks  []uint32  // ranks[i]: bits set in bits[:i]
	scores []float64 // the relevance of each document holding the word, in document order
	weight float64
}

// score returns the word's relevance for doc, which must hold it.
func (w *wordDocs) score(doc uint64) float64 {
	i := doc / 64
	return w.scores[w.ranks[i]+uint32(bits.OnesCount64(w.bits[i]&(1<<(doc%64)-1)))]
}

func (w *wordDocs) size() int { return 8*len(w.bits) + 4*len(w.ranks) + 8*cap(w.scores) + 64 }

// wordCacheBytes bounds what one snapshot's words may hold: a common word
// at 100,000 providers takes about half a megabyte.
const wordCacheBytes = 32 << 20

// wordCache holds the words searched in one index snapshot. When it is
// full it starts again, so the words searched most are soon back.
type wordCache struct {
	snap  bindex.IndexReader
	docs  uint64 // document numbers are below this
	total uint64 // documents, for the idf
	mu    sync.Mutex
	words map[string]*wordDocs
	bytes int
}

// wordCacheFor returns the cache for snapshot r, starting a new one (and
// dropping the old) when the snapshot has changed.
func (ix *Index) wordCacheFor(r bindex.IndexReader) (*wordCache, error) {
	if c := ix.wordsSeen.Load(); c != nil && c.snap == r {
		return c, nil
	}
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("index: a %T is not a scorch snapshot", r)
	}
	total, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	c := &wordCache{snap: r, total: total, words: map[string]*wordDocs{}}
	for _, s := range is.Segments() {
		c.docs += uint64(s.FullSize())
	}
	ix.wordsSeen.Store(c)
	return c, nil
}

// word returns what word finds, working it out if no search has asked
// since the snapshot was taken.
func (c *wordCache) word(ctx context.Context, m mapping.IndexMapping, word string) (*wordDocs, error) {
	c.mu.Lock()
	w := c.words[word]
	c.mu.Unlock()
	if w != nil {
		return w, nil
	}
	w, err := c.find(ctx, m, word)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if had := c.words[word]; had != nil { // another search found it meanwhile
		return had, nil
	}
	if c.bytes+w.size() > wordCacheBytes {
		c.words, c.bytes = map[string]*wordDocs{}, 0
	}
	c.words[word] = w
	c.bytes += w.size()
	return w, nil
}

// scratch holds find's sums and counts by document, reused: they are
// about 0.9 MB at 100,000 documents.
type scratch struct {
	sums, termSums []float64
	fields, terms  []uint8
}

var scratches sync.Pool // *scratch

// scratchFor returns cleared scratch for docs documents.
func scratchFor(docs uint64) *scratch {
	sc, _ := scratches.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	sc.sums, sc.fields = grow2(sc.sums, sc.fields, docs)
	return sc
}

// grow2 returns f and u of length n, cleared, reusing their arrays when
// large enough.
func grow2(f []float64, u []uint8, n uint64) ([]float64, []uint8) {
	if uint64(cap(f)) < n || uint64(cap(u)) < n {
		return make([]float64, n), make([]uint8, n)
	}
	f, u = f[:n], u[:n]
	clear(f)
	clear(u)
	return f, u
}

// find reads word's postings in every text field and works out wordDocs.
func (c *wordCache) find(ctx context.Context, m mapping.IndexMapping, word string) (*wordDocs, error) {
	sc := scratchFor(c.docs)
	defer scratches.Put(sc)
	sums := sc.sums     // Σ over fields, by document
	fields := sc.fields // fields holding the word, by document
	// For a field where the word analyses to several terms: Σ over terms,
	// terms held, and which documents have any.
	var termSums []float64
	var terms []uint8
	var touched []uint64
	w := &wordDocs{}
	postings := 0 // read, over all fields and terms
	for _, f := range textFields {
		tokens := m.AnalyzerNamed(m.AnalyzerNameForPath(f.name)).Analyze([]byte(word))
		// A field the word has no terms in matches nothing, but counts
		// among the text fields all the same (Bleve's match-none searcher
		// is one of the disjunction's).
		switch len(tokens) {
		case 0:
		case 1:
			err := c.postings(ctx, tokens[0].Term, f.name, f.boost, &w.weight, func(doc uint64, s float64) {
				sums[doc] += s
				fields[doc]++
				postings++
			})
			if err != nil {
				return nil, err
			}
		default:
			if termSums == nil {
				sc.termSums, sc.terms = grow2(sc.termSums, sc.terms, c.docs)
				termSums, terms = sc.termSums, sc.terms
			}
			for _, tok := range tokens {
				err := c.postings(ctx, tok.Term, f.name, f.boost, &w.weight, func(doc uint64, s float64) {
					if terms[doc] == 0 {
						touched = append(touched, doc)
					}
					termSums[doc] += s
					terms[doc]++
					postings++
				})
				if err != nil {
					return nil, err
				}
			}
			for _, doc := range touched {
				sums[doc] += termSums[doc] * (float64(terms[doc]) / float64(len(tokens)))
				fields[doc]++
				termSums[doc], terms[doc] = 0, 0
			}
			touched = touched[:0]
		}
	}
	if postings == 0 {
		return w, nil // found nowhere: no sets to keep
	}
	n := (c.docs + 63) / 64
	w.bits, w.ranks = make([]uint64, n), make([]uint32, n)
	held := 0 // documents holding the word
	for _, k := range fields {
		if k > 0 {
			held++
		}
	}
	w.scores = make([]float64, 0, held)
	for doc, k := range fields {
		if k > 0 {
			w.bits[doc/64] |= 1 << (doc % 64)
			w.scores = append(w.scores, sums[doc]*(float64(k)/float64(len(textFields))))
		}
	}
	rank := uint32(0)
	for i, b := range w.bits {
		w.ranks[i] = rank
		rank += uint32(bits.OnesCount64(b))
	}
	return w, nil
}

// postings calls fn with every document holding term in field and the
// term's score for it (before the query norm), and adds the term's weight
// to weight.
func (c *wordCache) postings(ctx context.Context, term []byte, field string, boost float64, weight *float64, fn func(doc uint64, score float64)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tfr, err := c.snap.TermFieldReader(ctx, term, field, true, true, false)
	if err != nil {
		return fmt.Errorf("index: reading postings: %w", err)
	}
	defer tfr.Close()
	idf := 1.0 + math.Log(float64(c.total)/float64(tfr.Count()+1.0))
	qw := boost * idf
	*weight += qw * qw
	var tfd bindex.TermFieldDoc
	for {
		d, err := tfr.Next(tfd.Reset())
		if err != nil {
			return fmt.Errorf("index: reading postings: %w", err)
		}
		if d == nil {
			return nil
		}
		doc := d.ID.Value()
		if doc >= c.docs {
			return fmt.Errorf("index: document number %d beyond the snapshot's %d", doc, c.docs)
		}
		fn(doc, math.Sqrt(float64(d.Freq))*d.Norm*idf*qw)
	}
}

// filed sets in set the documents filed under any of the place keys.
func (c *wordCache) filed(ctx context.Context, places []string, set []uint64) error {
	var tfd bindex.TermFieldDoc
	for _, key := range places {
		tfr, err := c.snap.TermFieldReader(ctx, []byte(key), placesField, false, false, false)
		if err != nil {
			return fmt.Errorf("index: reading places: %w", err)
		}
		for {
			d, err := tfr.Next(tfd.Reset())
			if err != nil || d == nil {
				_ = tfr.Close()
				if err != nil {
					return fmt.Errorf("index: reading places: %w", err)
				}
				break
			}
			if doc := d.ID.Value(); doc < c.docs {
				set[doc/64] |= 1 << (doc % 64)
			}
		}
	}
	return nil
}
