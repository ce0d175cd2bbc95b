package mongodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// On FerretDB v1.24 with SQLite (the embedded store) some reads through the
// server cost far more than on MongoDB, because FerretDB pushes no filter
// but an _id equality down to SQL. With Options.SQLiteDir set, and only
// then, the store works round that in these places, each explained where
// it is done:
//
//   - EachProvider reads FerretDB's SQLite table directly (sqliteread.go);
//   - every collection gets an index on the expression FerretDB's _id
//     lookups use (sqliteindex.go);
//   - only unique indexes are created (ensureIndexes);
//   - a write applies its revision by _id (applyByID).
//
// Everything else is the same store over the driver as on any MongoDB.

// ferretSQLite is where FerretDB keeps the store's database.
type ferretSQLite struct {
	dir, dbName string
	// fallbacks counts rows read through FerretDB because they did not
	// decode directly.
	fallbacks atomic.Int64
}

// indexIDLookups gives FerretDB's tables the index their _id lookups need.
// It is an optimisation: if it fails, logger gets a warning and the store
// works, only slower.
func (f *ferretSQLite) indexIDLookups(ctx context.Context, logger *slog.Logger) {
	n, err := indexIDLookups(ctx, f.dir, f.dbName)
	if err != nil {
		logger.Warn("embedded store: could not index _id lookups; lookups by id will read whole tables",
			"database", f.dbName, "err", err)
		return
	}
	if n > 0 {
		logger.Info("embedded store: indexed _id lookups", "database", f.dbName, "tables", n)
	}
}

// eachProviderFerret is EachProvider reading FerretDB's SQLite table
// directly, and through the driver if the table is not laid out as
// expected. Through FerretDB a full read costs about 1.1 ms a provider.
func (s *Store) eachProviderFerret(ctx context.Context, fn func(*directory.Provider) error) error {
	before := s.sqlite.fallbacks.Load()
	err := s.eachProviderSQLite(ctx, fn)
	if n := s.sqlite.fallbacks.Load() - before; n > 0 {
		// Each such row costs a lookup through FerretDB: a few
		// milliseconds, minutes if it is every row.
		s.logger.Warn("embedded store: some stored providers did not decode directly and were read through FerretDB",
			"providers", n)
	}
	if !errors.Is(err, errSQLiteLayout) {
		return err
	}
	s.logger.Warn("embedded store: reading providers through FerretDB, which is slow", "err", err)
	return s.eachProviderDriver(ctx, fn)
}

// checkpoint copies SQLite's write-ahead log into the database file and
// truncates it to nothing. An erasure overwrites a referral, but the old
// row stays in the WAL until a checkpoint, which SQLite otherwise runs only
// every 1,000 pages or at a clean close: after a kill -9 the client's
// details would still be on disk. (In the database file itself the old
// row's bytes are zeroed because FerretDB's connections run with
// secure_delete, see StartEmbedded.) A checkpoint waits for readers that
// still see the old rows, so it is tried a few times.
func (f *ferretSQLite) checkpoint(ctx context.Context) error {
	db, err := openSQLite(f.dir, f.dbName)
	if err != nil {
		return err
	}
	defer db.Close()
	for try := 0; ; try++ {
		var busy, logPages, moved int
		if err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &moved); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if busy == 0 {
			return nil
		}
		if try == 20 {
			return errors.New("checkpoint: the WAL is still in use")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
