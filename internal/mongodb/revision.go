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

// Writes go through a revision log, because a conditional replace
// ({_id, version} filter) is not atomic on every MongoDB-compatible server:
// FerretDB reads the matching document and writes it in two steps, so two
// writers from the same version could both "win". Inserting a document with
// a unique _id is atomic everywhere, so each new version is first claimed by
// inserting its revision ("<id>@<version>"); only the writer whose insert
// succeeds goes on to apply it to the providers collection. The revision
// holds the whole record, so a claim whose writer died before applying it is
// rolled forward by the next writer or at start-up (Recover), and the log is
// the record's history.

const revisionsCollection = "revisions"

// finishTimeout bounds how long a write, once started, may take to finish.
const finishTimeout = 30 * time.Second

// revisionDoc is one version of one provider.
type revisionDoc struct {
	ID         string    `bson:"_id"`
	ProviderID string    `bson:"provider_id"`
	Version    int64     `bson:"version"`
	At         time.Time `bson:"at"`
	Applied    bool      `bson:"applied"`
	// Bulk names the bulk create that inserted this revision (already
	// marked applied, see bulk.go); empty for single writes.
	Bulk     string         `bson:"bulk,omitempty"`
	Provider providerRecord `bson:"provider"`
	// ChangedBy is who made the change (from the context: see
	// directory.WithActor); nil for tools with no token.
	ChangedBy *actorDoc `bson:"changed_by,omitempty"`
	// Action is the audit action of the change (directory.WithAction);
	// empty in revisions written before it was kept.
	Action string `bson:"action,omitempty"`
}

func revisionID(providerID string, version int64) string {
	return fmt.Sprintf("%s@%d", providerID, version)
}

// write claims p.Version for p.ID and applies it. ErrVersionMismatch when
// another writer claimed that version first. The pending marker goes in
// before the claim and comes out after the revision is marked applied, so
// Recover finds every unfinished claim by reading the markers alone.
func (s *Store) write(reqCtx context.Context, p *directory.Provider) error {
	if err := s.markPending(reqCtx, p.ID, p.Version); err != nil {
		return err
	}
	// From here the write is finished whatever happens to the request: a
	// request that timed out after the record was applied but before its
	// change was logged would leave every replica following the log out of
	// step until a restart (the soak test found it). So the rest runs on a
	// context the request cannot cancel, bounded by its own deadline.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqCtx), finishTimeout)
	defer cancel()
	if err := s.reached(stepMarked); err != nil {
		return err
	}
	rev := revisionDoc{
		ID: revisionID(p.ID, p.Version), ProviderID: p.ID, Version: p.Version,
		At: p.UpdatedAt, Provider: toProviderRecord(p),
	}
	stampRevision(ctx, &rev)
	if _, err := s.revisions.InsertOne(ctx, rev); err != nil {
		err = translate(err)
		if errors.Is(err, directory.ErrConflict) {
			// Someone else holds this version: finish their write if they
			// have not (they may have died), so readers see it. Then the
			// revision is marked applied and our marker can go.
			if err := s.rollForward(ctx, p.ID, p.Version, nil); err != nil {
				return err
			}
			if err := s.unmarkPending(ctx, revisionID(p.ID, p.Version)); err != nil {
				return err
			}
			return directory.ErrVersionMismatch
		}
		return err
	}
	if err := s.reached(stepClaimed); err != nil {
		return err
	}
	return s.rollForward(ctx, p.ID, p.Version, nil)
}

// rollForward makes the providers collection hold the newest revision of id,
// starting from the claimed revision at version. It then follows the chain
// (version+1, version+2, ...) by _id, which every server looks up directly,
// because on servers without atomic replace a slower writer may put back an
// older revision after a newer one landed; re-applying the newest makes the
// record converge. Last it finishes every revision it visited that is not
// yet marked applied: it appends its change, then marks it (see change.go).
// With a logged function it first skips those whose change is already in
// the log (their writer died between the two steps); only Recover asks.
func (s *Store) rollForward(ctx context.Context, id string, version int64, logged loggedFunc) error {
	var rev revisionDoc
	if err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: revisionID(id, version)}}).Decode(&rev); err != nil {
		return fmt.Errorf("reading revision %d of %s: %w", version, id, translate(err))
	}
	var unfinished []*revisionDoc
	for range 1000 {
		if err := s.apply(ctx, &rev); err != nil {
			return err
		}
		if !rev.Applied {
			r := rev
			unfinished = append(unfinished, &r)
		}
		var next revisionDoc
		err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: revisionID(id, rev.Version+1)}}).Decode(&next)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return s.finish(ctx, unfinished, logged)
		}
		if err != nil {
			return fmt.Errorf("reading revision %d of %s: %w", rev.Version+1, id, translate(err))
		}
		rev = next
	}
	return fmt.Errorf("provider %s did not settle on its latest revision: %w", id, directory.ErrConflict)
}

// loggedFunc reports whether the change of version of id is in the log.
type loggedFunc func(ctx context.Context, id string, version int64) (bool, error)

// finish appends the changes of applied revisions, marks them applied and
// removes their pending markers, in that order, so a revision marked applied
// always has its change and an unfinished one always has its marker.
func (s *Store) finish(ctx context.Context, revs []*revisionDoc, logged loggedFunc) error {
	if err := s.reached(stepApplied); err != nil {
		return err
	}
	var cs []directory.Change
	for _, r := range revs {
		if logged != nil {
			ok, err := logged(ctx, r.ProviderID, r.Version)
			if err != nil {
				return err
			}
			if ok {
				continue
			}
		}
		cs = append(cs, directory.Change{ProviderID: r.ProviderID, Version: r.Version, At: r.At})
	}
	if err := s.appendChanges(ctx, cs); err != nil {
		return err
	}
	if err := s.appendRevisionAudits(ctx, revs); err != nil {
		return err
	}
	if err := s.reached(stepLogged); err != nil {
		return err
	}
	for _, r := range revs {
		_, err := s.revisions.UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: true}}}})
		if err := translate(err); err != nil {
			return err
		}
	}
	if err := s.reached(stepMarkedApplied); err != nil {
		return err
	}
	for _, r := range revs {
		if err := s.unmarkPending(ctx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// apply writes rev to the providers collection unless a newer version is
// already there.
func (s *Store) apply(ctx context.Context, rev *revisionDoc) error {
	if rev.Version == 1 {
		_, err := s.insertIfMissing(ctx, rev)
		return err
	}
	if s.sqlite != nil {
		return s.applyByID(ctx, rev)
	}
	res, err := s.providers.ReplaceOne(ctx,
		bson.D{{Key: "_id", Value: rev.ProviderID}, {Key: "version", Value: bson.D{{Key: "$lt", Value: rev.Version}}}},
		rev.providerDoc())
	if err := translate(err); err != nil {
		return err
	}
	if res.MatchedCount > 0 {
		return nil
	}
	// Either the record does not exist yet or it is already at this version
	// or newer. Inserting settles which: a duplicate means the latter.
	_, err = s.insertIfMissing(ctx, rev)
	return err
}

// applyByID is apply for servers that push down only an {_id: x} filter
// (FerretDB on SQLite, see ferretsqlite.go): there the conditional replace
// above decodes every provider, about 100 s per update at 100,000. It reads
// the stored version by _id and replaces by _id. FerretDB's own conditional
// replace is this same read then write, so nothing is lost: a slower writer
// may still put back an older version, and rollForward re-applies the
// newest, as it always did there.
func (s *Store) applyByID(ctx context.Context, rev *revisionDoc) error {
	for range 3 {
		var cur struct {
			Version int64 `bson:"version"`
		}
		err := s.providers.FindOne(ctx, bson.D{{Key: "_id", Value: rev.ProviderID}},
			options.FindOne().SetProjection(bson.D{{Key: "version", Value: 1}})).Decode(&cur)
		if errors.Is(err, mongo.ErrNoDocuments) {
			inserted, err := s.insertIfMissing(ctx, rev)
			if err != nil || inserted {
				return err
			}
			continue // inserted meanwhile by another writer: compare again
		}
		if err != nil {
			return translate(err)
		}
		if cur.Version >= rev.Version {
			return nil
		}
		res, err := s.providers.ReplaceOne(ctx, bson.D{{Key: "_id", Value: rev.ProviderID}}, rev.providerDoc())
		if err := translate(err); err != nil {
			return err
		}
		if res.MatchedCount > 0 {
			return nil
		}
	}
	return fmt.Errorf("applying revision %s: the record kept changing: %w", rev.ID, directory.ErrConflict)
}

// insertIfMissing inserts rev's provider and reports whether it did; false
// when a record with its id is already there.
func (s *Store) insertIfMissing(ctx context.Context, rev *revisionDoc) (bool, error) {
	_, err := s.providers.InsertOne(ctx, rev.providerDoc())
	if err = translate(err); err != nil {
		if errors.Is(err, directory.ErrConflict) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// providerDoc is the providers collection's document for rev's record.
func (rev *revisionDoc) providerDoc() *providerDoc {
	p := fromProviderRecord(&rev.Provider) // for its derived keys
	return &providerDoc{ID: p.ID, Record: rev.Provider, AreaKeys: p.AreaKeys()}
}
