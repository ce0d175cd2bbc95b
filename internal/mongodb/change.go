package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// The change log numbers every provider write store-wide, so that replicas
// sharing one MongoDB can keep their search indexes in step by polling it.
//
// Seq is allocated without transactions, counters or findOneAndUpdate
// (whose $inc is a read then a write on FerretDB, so two callers could get
// the same number): a change is inserted with its Seq as the unique _id, and
// inserting a unique _id is atomic on every MongoDB-compatible server. A
// writer that loses a Seq to another gets a duplicate-key error, finds the
// new end of the log and tries again. The writer always inserts at s only
// once s-1 exists (it saw it, or inserted it just before in the same ordered
// insertMany, which stops at the first failure), so the log is always the
// unbroken run 1..n: there are no gaps, even while writers are running or
// after one dies.
//
// The _id is the Seq as a zero-padded decimal string rather than a number,
// because FerretDB v1.24 on SQLite pushes only an equality on a string (or
// ObjectID) _id down to SQL; any other filter or sort makes it decode every
// document in Go. (Even that SQL does not use the _id index, whose
// expression differs from the query's, so SQLite still reads every row;
// cheaper than decoding them, but not a lookup.) So the end of the log is
// found by probing Seqs (galloping then bisecting) from the last Seq this
// process saw, and a writer first just tries the next Seq after it.
//
// A change is appended after its revision is applied and before the revision
// is marked applied (see revision.go), so a revision marked applied always
// has its change, and Recover appends the changes of the revisions it
// finishes. Two writers finishing the same revision at once may both append
// it; followers reload the provider, so a duplicate is harmless, a gap is not.

const changesCollection = "changes"

// changeDoc is one change as stored.
type changeDoc struct {
	ID         string    `bson:"_id"` // seqKey(Seq)
	Seq        int64     `bson:"seq"`
	ProviderID string    `bson:"provider_id"`
	Version    int64     `bson:"version"`
	At         time.Time `bson:"at"`
}

// seqKey is the _id of the change with seq; its string order is the
// numeric order.
func seqKey(seq int64) string { return fmt.Sprintf("%020d", seq) }

// maxAppendAttempts bounds how often one append retries after other writers
// took the Seqs it tried, so a fault cannot loop forever.
const maxAppendAttempts = 1000

// appendChanges records cs, in order, with the next free Seqs.
func (s *Store) appendChanges(ctx context.Context, cs []directory.Change) error {
	if len(cs) == 0 {
		return nil
	}
	// Writers in this process take turns, so they do not race each other for
	// the same Seqs; other processes are handled by the retry below.
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	// Try straight after the last Seq known to exist (so the rule "s only
	// once s-1 exists" holds) and look for the end only when that is taken:
	// on FerretDB every lookup by _id reads the whole log (see below).
	last := s.seenSeq.Load()
	for range maxAppendAttempts {
		docs := make([]changeDoc, len(cs))
		for i, c := range cs {
			seq := last + 1 + int64(i)
			docs[i] = changeDoc{ID: seqKey(seq), Seq: seq, ProviderID: c.ProviderID, Version: c.Version, At: c.At}
		}
		_, err := s.changes.InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
		if err == nil {
			s.saw(last + int64(len(cs)))
			return nil
		}
		failed, ok := duplicateIndexes(err)
		if !ok {
			return fmt.Errorf("mongodb: appending changes: %w", translate(err))
		}
		// Ordered: everything before the first failure went in, nothing
		// after it was tried. The failed Seq belongs to another writer.
		first := len(docs)
		for i := range failed {
			first = min(first, i)
		}
		taken := last + 1 + int64(first)
		s.saw(taken)
		cs = cs[first:]
		if last, err = s.lastSeq(ctx, taken); err != nil {
			return err
		}
	}
	return fmt.Errorf("mongodb: appending changes: gave up after %d attempts: %w", maxAppendAttempts, directory.ErrConflict)
}

// duplicateIndexes returns the positions of the documents an insertMany
// refused as duplicates, and false if any other error happened.
func duplicateIndexes(err error) (map[int]bool, bool) {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, false
	}
	out := make(map[int]bool, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return nil, false
		}
		out[we.Index] = true
	}
	return out, true
}

// saw notes that seq exists, so later searches for the end start there.
func (s *Store) saw(seq int64) {
	for {
		cur := s.seenSeq.Load()
		if seq <= cur || s.seenSeq.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// lastSeq returns the highest Seq recorded, given that known (or 0) exists.
// The log is always 1..n, so existence is monotone in Seq: gallop forward
// by point lookups until one is missing, then bisect.
func (s *Store) lastSeq(ctx context.Context, known int64) (int64, error) {
	lo, step := known, int64(1)
	hi := lo + step
	for {
		ok, err := s.changeExists(ctx, hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, step = hi, step*2
		hi = lo + step
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := s.changeExists(ctx, mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	s.saw(lo)
	return lo, nil
}

func (s *Store) changeExists(ctx context.Context, seq int64) (bool, error) {
	err := s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: seqKey(seq)}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mongodb: reading change %d: %w", seq, translate(err))
	}
	return true, nil
}

// changeRecorded reports whether the log holds a change for version of id.
// It is an indexed lookup on MongoDB but a scan of the log on FerretDB, so
// Recover asks it only in its one-off scan or after a long outage (see
// loggedAfter).
func (s *Store) changeRecorded(ctx context.Context, id string, version int64) (bool, error) {
	err := s.changes.FindOne(ctx, bson.D{{Key: "provider_id", Value: id}, {Key: "version", Value: version}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mongodb: looking up change of %s@%d: %w", id, version, translate(err))
	}
	return true, nil
}

// LastChange implements directory.ChangeLog.
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	return s.lastSeq(ctx, s.seenSeq.Load())
}

// Changes implements directory.ChangeLog. A follower that is up to date
// costs one point lookup (is there a change after+1?); only when there is
// does it read a range, which FerretDB serves by scanning the log.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	if limit <= 0 {
		return nil, nil
	}
	after = max(after, 0)
	if ok, err := s.changeExists(ctx, after+1); err != nil || !ok {
		return nil, err
	}
	cur, err := s.changes.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: seqKey(after)}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("mongodb: reading changes: %w", translate(err))
	}
	var docs []changeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongodb: reading changes: %w", translate(err))
	}
	out := make([]directory.Change, len(docs))
	for i, d := range docs {
		out[i] = directory.Change{Seq: d.Seq, ProviderID: d.ProviderID, Version: d.Version, At: d.At}
	}
	if len(out) > 0 {
		s.saw(out[len(out)-1].Seq)
	}
	return out, nil
}
