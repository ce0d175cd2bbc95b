package mongodb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Bulk creates keep the guarantees of single writes (each id claimed by a
// unique revision insert; every created provider has its change; an
// acknowledged provider survives a crash; a half-done write is rolled
// forward by Recover) with a handful of round trips per batch instead of
// several per record.
//
// Marking each revision applied, as single writes do, would cost one update
// per record, and FerretDB runs every updated document in its own SQLite
// transaction (and scans the collection for an $in filter), so a batch is
// covered instead by one intent document:
//
//  1. insert the intent {ids, after: a Seq at or before the batch's changes};
//  2. insert the revisions, already marked applied and tagged with the
//     intent (unordered; a duplicate _id means the id is taken, and so
//     does an id repeated in the batch, which is not sent again);
//  3. insert the providers whose revisions went in;
//  4. append their changes;
//  5. delete the intent.
//
// Steps 2 and 3 each send their documents as a few concurrent unordered
// inserts (see insertUnordered), which is no different from one unordered
// insert: no order among them is promised. Each step still starts only
// after every insert of the step before it has answered.
//
// While the intent exists its revisions count as unfinished: Recover
// re-inserts any missing provider and appends any change missing from the
// log after the intent's Seq. Recover leaves an intent younger than
// bulkIntentExpiry in place after rolling it forward, because its writer
// may be another replica still between steps 1 and 2.

const bulksCollection = "bulk_creates"

// bulkBatch is how many providers one round of inserts carries.
const bulkBatch = 1000

// bulkIntentExpiry is how old an intent must be before Recover assumes its
// writer is gone. A batch takes seconds.
const bulkIntentExpiry = 10 * time.Minute

// bulkDoc is the intent of one bulk create batch.
type bulkDoc struct {
	ID    string    `bson:"_id"`
	IDs   []string  `bson:"ids"`
	After int64     `bson:"after"`
	At    time.Time `bson:"at"`
}

// CreateProviders implements directory.ProviderStore: the ones whose ids were
// free are created, and the error names the taken ones.
func (s *Store) CreateProviders(ctx context.Context, ps []*directory.Provider) error {
	var taken []string
	for start := 0; start < len(ps); start += bulkBatch {
		t, err := s.createBatch(ctx, ps[start:min(start+bulkBatch, len(ps))])
		if err != nil {
			return fmt.Errorf("mongodb: creating providers: %w", err)
		}
		taken = append(taken, t...)
	}
	if len(taken) > 0 {
		return &directory.ConflictError{IDs: taken}
	}
	return nil
}

// createBatch creates ps and returns the ids that were taken.
func (s *Store) createBatch(ctx context.Context, ps []*directory.Provider) ([]string, error) {
	now := s.now()
	intent := bulkDoc{ID: directory.NewID(), IDs: make([]string, len(ps)), After: s.seenSeq.Load(), At: now}
	next := make([]directory.Provider, len(ps))
	revs := make([]revisionDoc, len(ps))
	// claimed marks a repeated id: its first occurrence claims it, or finds
	// it taken, before this one could, so it is taken either way.
	claimed := make(map[int]bool)
	seen := make(map[string]bool, len(ps))
	for i, p := range ps {
		if p.ID == "" {
			p.ID = directory.NewID()
		}
		n := *p
		n.Version, n.CreatedAt, n.UpdatedAt = 1, now, now
		next[i] = n
		intent.IDs[i] = n.ID
		revs[i] = revisionDoc{
			ID: revisionID(n.ID, 1), ProviderID: n.ID, Version: 1, At: now,
			Applied: true, Bulk: intent.ID, Provider: toProviderRecord(&n),
		}
		stampRevision(ctx, &revs[i])
		if seen[n.ID] {
			claimed[i] = true
		}
		seen[n.ID] = true
	}
	if _, err := s.bulks.InsertOne(ctx, intent); err != nil {
		return nil, translate(err)
	}

	taken, err := insertUnordered(ctx, s.revisions, revs, claimed)
	if err != nil {
		return nil, err
	}
	docs := make([]*providerDoc, 0, len(ps))
	cs := make([]directory.Change, 0, len(ps))
	created := make([]*revisionDoc, 0, len(ps))
	for i := range next {
		if !taken[i] {
			docs = append(docs, &providerDoc{ID: next[i].ID, Record: revs[i].Provider, AreaKeys: next[i].AreaKeys()})
			cs = append(cs, directory.Change{ProviderID: next[i].ID, Version: 1, At: now})
			created = append(created, &revs[i])
		}
	}
	// A duplicate here means another writer already rolled our revision
	// forward (the same record), so it is not an error.
	if _, err := insertUnordered(ctx, s.providers, docs, nil); err != nil {
		return nil, err
	}
	if err := s.appendChanges(ctx, cs); err != nil {
		return nil, err
	}
	if err := s.appendRevisionAudits(ctx, created); err != nil {
		return nil, err
	}
	if _, err := s.bulks.DeleteOne(ctx, bson.D{{Key: "_id", Value: intent.ID}}); err != nil {
		return nil, translate(err)
	}

	var out []string
	for i := range next {
		if taken[i] {
			out = append(out, next[i].ID)
			continue
		}
		*ps[i] = next[i]
	}
	// Like CreateProvider, finish a taken id's write if its writer died,
	// so readers see the record that holds the id.
	for _, id := range out {
		if err := s.rollForward(ctx, id, 1, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recoverBulks rolls forward the bulk creates whose writers did not finish
// and returns how many providers it inserted or logged.
func (s *Store) recoverBulks(ctx context.Context) (int, error) {
	cur, err := s.bulks.Find(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("mongodb: finding unfinished bulk creates: %w", translate(err))
	}
	var intents []bulkDoc
	if err := cur.All(ctx, &intents); err != nil {
		return 0, fmt.Errorf("mongodb: finding unfinished bulk creates: %w", translate(err))
	}
	n := 0
	for _, in := range intents {
		k, err := s.recoverBulk(ctx, &in)
		n += k
		if err != nil {
			return n, fmt.Errorf("mongodb: recovering bulk create %s: %w", in.ID, err)
		}
	}
	return n, nil
}

func (s *Store) recoverBulk(ctx context.Context, in *bulkDoc) (int, error) {
	logged, err := s.loggedSince(ctx, in.After)
	if err != nil {
		return 0, err
	}
	fixed := map[string]bool{}
	var cs []directory.Change
	var ours []*revisionDoc
	for _, id := range in.IDs {
		var rev revisionDoc
		err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: revisionID(id, 1)}}).Decode(&rev)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // never claimed: not created
		}
		if err != nil {
			return len(fixed), translate(err)
		}
		if rev.Bulk != in.ID {
			continue // taken by another writer, who finishes it
		}
		ours = append(ours, &rev)
		inserted, err := s.insertIfMissing(ctx, &rev)
		if err != nil {
			return len(fixed), err
		}
		if inserted {
			fixed[id] = true
		}
		if !logged[id] {
			cs = append(cs, directory.Change{ProviderID: id, Version: 1, At: rev.At})
			logged[id] = true // a repeated id in the batch
			fixed[id] = true
		}
	}
	if err := s.appendChanges(ctx, cs); err != nil {
		return len(fixed), err
	}
	if err := s.appendRevisionAudits(ctx, ours); err != nil {
		return len(fixed), err
	}
	if s.now().Sub(in.At) > bulkIntentExpiry {
		if _, err := s.bulks.DeleteOne(ctx, bson.D{{Key: "_id", Value: in.ID}}); err != nil {
			return len(fixed), translate(err)
		}
	}
	return len(fixed), nil
}

// loggedSince returns the providers whose version 1 is in the log after
// Seq after. Usually few changes follow an intent's Seq, so it reads them by
// _id one at a time; only after a long outage does it filter the log, which
// FerretDB does by scanning it.
func (s *Store) loggedSince(ctx context.Context, after int64) (map[string]bool, error) {
	recent, complete, err := s.changesAfter(ctx, after, maxLoggedLookups)
	if err != nil {
		return nil, err
	}
	if complete {
		out := make(map[string]bool, len(recent))
		for _, c := range recent {
			if c.Version == 1 {
				out[c.ProviderID] = true
			}
		}
		return out, nil
	}
	cur, err := s.changes.Find(ctx, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$gt", Value: seqKey(after)}}},
		{Key: "version", Value: 1},
	}, options.Find().SetProjection(bson.D{{Key: "provider_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("reading changes: %w", translate(err))
	}
	var docs []struct {
		ProviderID string `bson:"provider_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("reading changes: %w", translate(err))
	}
	out := make(map[string]bool, len(docs))
	for _, d := range docs {
		out[d.ProviderID] = true
	}
	return out, nil
}

// versionsBatch is how many ids one ProviderVersions query carries. It is
// large because FerretDB answers an $in by reading the whole collection.
const versionsBatch = 10000

// ProviderVersions implements directory.ProviderStore.
func (s *Store) ProviderVersions(ctx context.Context, ids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(ids))
	for start := 0; start < len(ids); start += versionsBatch {
		chunk := ids[start:min(start+versionsBatch, len(ids))]
		cur, err := s.providers.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: chunk}}}},
			options.Find().SetProjection(bson.D{{Key: "version", Value: 1}}))
		if err != nil {
			return nil, fmt.Errorf("mongodb: reading provider versions: %w", translate(err))
		}
		var docs []struct {
			ID      string `bson:"_id"`
			Version int64  `bson:"version"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return nil, fmt.Errorf("mongodb: reading provider versions: %w", translate(err))
		}
		for _, d := range docs {
			out[d.ID] = d.Version
		}
	}
	return out, nil
}

// bulkParts is how many inserts of one step of a batch run at once. FerretDB
// serves each connection in its own goroutine and does much of an insert
// (decoding, validating and encoding documents) outside SQLite's write
// lock, so a second insert uses the second core; SQLite still takes their
// writes one transaction at a time.
const bulkParts = 2

// minBulkPart is the smallest part worth its own insert: FerretDB writes
// documents 100 to a transaction.
const minBulkPart = 100

// insertUnordered inserts the docs not in skip, unordered, as up to
// bulkParts concurrent insertMany calls of consecutive docs, and returns the
// positions in docs that were refused as duplicates, plus those in skip.
// Any other error is returned once every part has finished; the parts that
// did not fail may have been inserted in whole or in part, as with one
// unordered insertMany.
func insertUnordered[T any](ctx context.Context, coll *mongo.Collection, docs []T, skip map[int]bool) (map[int]bool, error) {
	taken := make(map[int]bool, len(skip))
	var pos []int // positions of the docs to insert
	var ins []T
	for i := range docs {
		if skip[i] {
			taken[i] = true
			continue
		}
		pos = append(pos, i)
		ins = append(ins, docs[i])
	}
	if len(ins) == 0 {
		return taken, nil
	}
	parts := max(1, min(bulkParts, len(ins)/minBulkPart))
	size := (len(ins) + parts - 1) / parts
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for start := 0; start < len(ins); start += size {
		part := ins[start:min(start+size, len(ins))]
		wg.Go(func() {
			_, err := coll.InsertMany(ctx, part, options.InsertMany().SetOrdered(false))
			if err == nil {
				return
			}
			dup, ok := duplicateIndexes(err)
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				errs = append(errs, translate(err))
				return
			}
			for i := range dup {
				taken[pos[start+i]] = true
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return taken, nil
}
