package mongodb

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// A backup is one stream of raw BSON documents, each self-delimiting (its
// first four bytes are its length), so it can be written and read without
// holding a collection in memory:
//
//  1. a header: {format: "brokerfinder-backup", version: 1, database,
//     created, collections: [names]};
//  2. for each collection, in the header's order, a section marker
//     {section: name} followed by the collection's documents exactly as
//     stored, in _id order;
//  3. a trailer {end: true, documents: total, counts: {name: n}}, so a
//     truncated backup is refused rather than half restored.
//
// Markers are told from documents by their first key: MongoDB always puts
// _id first in a stored document. Raw BSON keeps every value's type
// (dates, int32 against int64, binary), which extended JSON could only
// spell out. Every collection of the database is included, by listing them,
// so a collection added later is backed up without changing this code.
//
// The store has no transactions, so a backup taken while the service writes
// is not one instant: stop writers (or accept that writes made during the
// backup may be partly in it).

// Backup format identification.
const (
	BackupFormat  = "brokerfinder-backup"
	BackupVersion = 1
)

// maxBSONDocument bounds one document read from a backup: MongoDB's 16 MiB
// limit plus room for its framing.
const maxBSONDocument = 16<<20 + 16<<10

// restoreBatch bounds one insertMany of a restore, by documents and bytes.
const (
	restoreBatchDocs  = 1000
	restoreBatchBytes = 8 << 20
)

// BackupReport says what a backup or restore held: documents by collection.
type BackupReport struct {
	Counts map[string]int
}

// Documents returns the total number of documents.
func (r BackupReport) Documents() int {
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}

type backupHeader struct {
	Format      string    `bson:"format"`
	Version     int       `bson:"version"`
	Database    string    `bson:"database"`
	Created     time.Time `bson:"created"`
	Collections []string  `bson:"collections"`
}

type backupSection struct {
	Section string `bson:"section"`
}

type backupTrailer struct {
	End       bool           `bson:"end"`
	Documents int            `bson:"documents"`
	Counts    map[string]int `bson:"counts"`
}

// collectionNames lists the database's collections, system ones left out,
// sorted.
func (s *Store) collectionNames(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("mongodb: listing collections: %w", translate(err))
	}
	names = slices.DeleteFunc(names, func(n string) bool { return strings.HasPrefix(n, "system.") })
	slices.Sort(names)
	return names, nil
}

// Backup writes every collection of the store's database to w.
func (s *Store) Backup(ctx context.Context, w io.Writer) (BackupReport, error) {
	rep := BackupReport{Counts: map[string]int{}}
	names, err := s.collectionNames(ctx)
	if err != nil {
		return rep, err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	write := func(v any) error {
		b, err := bson.Marshal(v)
		if err != nil {
			return err
		}
		_, err = bw.Write(b)
		return err
	}
	if err := write(backupHeader{Format: BackupFormat, Version: BackupVersion, Database: s.db.Name(),
		Created: s.now(), Collections: names}); err != nil {
		return rep, fmt.Errorf("mongodb: writing backup: %w", err)
	}
	for _, name := range names {
		if err := write(backupSection{Section: name}); err != nil {
			return rep, fmt.Errorf("mongodb: writing backup: %w", err)
		}
		// In _id order, so backing up the same data twice gives the same
		// bytes (natural order differs between a store and its restore).
		cur, err := s.db.Collection(name).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			return rep, fmt.Errorf("mongodb: reading %s: %w", name, translate(err))
		}
		n := 0
		for cur.Next(ctx) {
			if _, err := bw.Write(cur.Current); err != nil {
				_ = cur.Close(ctx)
				return rep, fmt.Errorf("mongodb: writing backup: %w", err)
			}
			n++
		}
		err = cur.Err()
		_ = cur.Close(ctx)
		if err != nil {
			return rep, fmt.Errorf("mongodb: reading %s: %w", name, translate(err))
		}
		rep.Counts[name] = n
	}
	// Counts in name order (not a map's), so the same data gives the same
	// bytes.
	counts := bson.D{}
	for _, name := range names {
		counts = append(counts, bson.E{Key: name, Value: rep.Counts[name]})
	}
	trailer := bson.D{{Key: "end", Value: true}, {Key: "documents", Value: rep.Documents()}, {Key: "counts", Value: counts}}
	if err := write(trailer); err != nil {
		return rep, fmt.Errorf("mongodb: writing backup: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return rep, fmt.Errorf("mongodb: writing backup: %w", err)
	}
	return rep, nil
}

// ErrNotEmpty means a restore was refused because the store holds data.
var ErrNotEmpty = fmt.Errorf("%w: the store is not empty; restore only into an empty store", directory.ErrConflict)

// Restore reads a backup written by Backup into the store, which must be
// empty (ErrNotEmpty otherwise: nothing is written), then creates the
// store's indexes. The backup is checked as it is read; a malformed or
// truncated one fails with directory.ErrInvalid, and what was restored
// before the fault is left (drop the database and restore again).
func (s *Store) Restore(ctx context.Context, r io.Reader) (BackupReport, error) {
	rep := BackupReport{Counts: map[string]int{}}
	// A new store already holds one bookkeeping document (the record that
	// Recover's one-off scan was done); it is not data. Drop it, so the
	// emptiness check below sees only data and the backup's own copy, if
	// it has one, restores without a duplicate. At worst Recover scans the
	// revisions once more.
	if _, err := s.pending.DeleteOne(ctx, bson.D{{Key: "_id", Value: legacyScanDoneID}}); err != nil {
		return rep, fmt.Errorf("mongodb: preparing to restore: %w", translate(err))
	}
	existing, err := s.collectionNames(ctx)
	if err != nil {
		return rep, err
	}
	for _, name := range existing {
		n, err := s.db.Collection(name).CountDocuments(ctx, bson.D{}, options.Count().SetLimit(1))
		if err != nil {
			return rep, fmt.Errorf("mongodb: counting %s: %w", name, translate(err))
		}
		if n > 0 {
			return rep, fmt.Errorf("%w (collection %s has documents)", ErrNotEmpty, name)
		}
	}
	br := bufio.NewReaderSize(r, 1<<20)
	raw, err := readBSON(br)
	if errors.Is(err, io.EOF) {
		return rep, fmt.Errorf("%w: the backup is empty", directory.ErrInvalid)
	}
	if err != nil {
		return rep, err
	}
	var h backupHeader
	if err := bson.Unmarshal(raw, &h); err != nil || h.Format != BackupFormat {
		return rep, fmt.Errorf("%w: not a %s stream", directory.ErrInvalid, BackupFormat)
	}
	if h.Version != BackupVersion {
		return rep, fmt.Errorf("%w: backup format version %d; this program reads version %d", directory.ErrInvalid, h.Version, BackupVersion)
	}
	for _, name := range h.Collections {
		if !slices.Contains(existing, name) {
			// So an empty collection is restored too.
			if err := s.db.CreateCollection(ctx, name); err != nil {
				return rep, fmt.Errorf("mongodb: creating %s: %w", name, translate(err))
			}
		}
	}

	var (
		coll    string
		batch   []any
		size    int
		trailer *backupTrailer
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := s.db.Collection(coll).InsertMany(ctx, batch); err != nil {
			return fmt.Errorf("mongodb: restoring %s: %w", coll, translate(err))
		}
		batch, size = batch[:0], 0
		return nil
	}
	for trailer == nil {
		raw, err := readBSON(br)
		if errors.Is(err, io.EOF) {
			return rep, fmt.Errorf("%w: backup ends without its trailer (truncated?)", directory.ErrInvalid)
		}
		if err != nil {
			return rep, err
		}
		first, err := raw.IndexErr(0)
		if err != nil {
			return rep, fmt.Errorf("%w: empty document in backup", directory.ErrInvalid)
		}
		switch first.Key() {
		case "_id":
			if coll == "" {
				return rep, fmt.Errorf("%w: document before any section", directory.ErrInvalid)
			}
			batch = append(batch, raw)
			size += len(raw)
			rep.Counts[coll]++
			if len(batch) >= restoreBatchDocs || size >= restoreBatchBytes {
				if err := flush(); err != nil {
					return rep, err
				}
			}
		case "section":
			if err := flush(); err != nil {
				return rep, err
			}
			var sec backupSection
			if err := bson.Unmarshal(raw, &sec); err != nil || !slices.Contains(h.Collections, sec.Section) {
				return rep, fmt.Errorf("%w: section %q not named in the header", directory.ErrInvalid, sec.Section)
			}
			coll = sec.Section
			rep.Counts[coll] += 0
		case "end":
			if err := flush(); err != nil {
				return rep, err
			}
			trailer = &backupTrailer{}
			if err := bson.Unmarshal(raw, trailer); err != nil {
				return rep, fmt.Errorf("%w: trailer: %v", directory.ErrInvalid, err)
			}
		default:
			return rep, fmt.Errorf("%w: unexpected document starting with %q", directory.ErrInvalid, first.Key())
		}
	}
	for _, name := range h.Collections {
		if rep.Counts[name] != trailer.Counts[name] {
			return rep, fmt.Errorf("%w: %s: restored %d documents, the backup's trailer says %d", directory.ErrInvalid, name, rep.Counts[name], trailer.Counts[name])
		}
	}
	if _, err := readBSON(br); !errors.Is(err, io.EOF) {
		return rep, fmt.Errorf("%w: data after the backup's trailer", directory.ErrInvalid)
	}
	if err := s.ensureIndexes(ctx); err != nil {
		return rep, err
	}
	// The change log now ends where the backup's did.
	if _, err := s.LastChange(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

// readBSON reads one length-prefixed BSON document; io.EOF at a clean end.
func readBSON(r *bufio.Reader) (bson.Raw, error) {
	var lb [4]byte
	if _, err := io.ReadFull(r, lb[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%w: backup truncated", directory.ErrInvalid)
	}
	n := int(binary.LittleEndian.Uint32(lb[:]))
	if n < 5 || n > maxBSONDocument {
		return nil, fmt.Errorf("%w: document of %d bytes in backup", directory.ErrInvalid, n)
	}
	buf := make([]byte, n)
	copy(buf, lb[:])
	if _, err := io.ReadFull(r, buf[4:]); err != nil {
		return nil, fmt.Errorf("%w: backup truncated", directory.ErrInvalid)
	}
	raw := bson.Raw(buf)
	if err := raw.Validate(); err != nil {
		return nil, fmt.Errorf("%w: malformed document in backup: %v", directory.ErrInvalid, err)
	}
	return raw, nil
}
