package mongodb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // FerretDB's own SQLite driver, already linked in
)

// FerretDB v1.24's SQLite backend answers a find, update or delete whose
// filter is exactly {_id: <string or ObjectID>} with
//
//	SELECT _ferretdb_sjson FROM "<table>" WHERE _ferretdb_sjson->'$._id' = ?
//
// but the unique _id index it creates is on _ferretdb_sjson->"_id". SQLite
// matches index expressions by their syntax, so it does not use that index
// for the query and reads the whole table: at 100,000 providers one lookup
// by id took about 9 s. indexIDLookups adds an index on exactly the
// expression FerretDB queries with, which turns those reads into lookups.
//
// The index is invisible to FerretDB (its metadata does not list it, so
// listIndexes and dropIndexes ignore it); SQLite drops it with its table.

// sqliteIDExpr must be byte-for-byte FerretDB's metadata.IDColumn (an
// internal package, so it cannot be imported).
const sqliteIDExpr = `_ferretdb_sjson->'$._id'`

// sqliteMetadataTable is where FerretDB v1.24 maps collection names to table
// names (metadata.metadataTableName, "_ferretdb_collections").
const sqliteMetadataTable = "_ferretdb_collections"

// sqliteIDIndexPrefix names our indexes. FerretDB names its own
// "<table>_<index name>", and its tables "<collection>_<8 hex digits>", so
// no FerretDB index can start with this.
const sqliteIDIndexPrefix = "brokerfinder_id_"

// sqliteFile is where FerretDB keeps database dbName under dir (its
// SQLiteURL directory).
func sqliteFile(dir, dbName string) string {
	return filepath.Join(dir, dbName+".sqlite")
}

// openSQLite opens FerretDB's file for database dbName in dir, beside
// FerretDB's own connections. It never creates the file.
func openSQLite(dir, dbName string) (*sql.DB, error) {
	path := sqliteFile(dir, dbName)
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	// FerretDB uses WAL with a 10 s busy timeout; wait as long for its
	// writers rather than fail with SQLITE_BUSY.
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// indexIDLookups creates the _id lookup index on every table of FerretDB's
// database dbName in dir, if it is missing, and returns how many it created.
// It is idempotent. An error means the file or FerretDB's metadata is not
// laid out as expected; the store still works, only slower.
func indexIDLookups(ctx context.Context, dir, dbName string) (int, error) {
	db, err := openSQLite(dir, dbName)
	if err != nil {
		return 0, err
	}
	defer db.Close()

	tables, err := ferretTables(ctx, db)
	if err != nil {
		return 0, err
	}
	created := 0
	for _, table := range tables {
		var exists int
		err := db.QueryRowContext(ctx,
			`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`,
			sqliteIDIndexPrefix+table).Scan(&exists)
		if err != nil {
			return created, fmt.Errorf("looking for the index on %s: %w", table, err)
		}
		if exists > 0 {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, sqliteIDIndexPrefix+table, table, sqliteIDExpr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return created, fmt.Errorf("indexing %s: %w", table, err)
		}
		created++
	}
	return created, nil
}

// ferretTables returns the tables FerretDB's metadata maps collections to,
// checking each exists and has FerretDB's document column.
func ferretTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT table_name FROM %q`, sqliteMetadataTable))
	if err != nil {
		return nil, fmt.Errorf("reading FerretDB's metadata table %s: %w", sqliteMetadataTable, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range tables {
		if err := checkSJSONColumn(ctx, db, t); err != nil {
			return nil, err
		}
	}
	return tables, nil
}

// checkSJSONColumn checks table has FerretDB's document column.
func checkSJSONColumn(ctx context.Context, db *sql.DB, table string) error {
	var n int
	err := db.QueryRowContext(ctx,
		`SELECT count(*) FROM pragma_table_info(?) WHERE name = '_ferretdb_sjson'`, table).Scan(&n)
	if err != nil {
		return fmt.Errorf("inspecting table %s: %w", table, err)
	}
	if n != 1 {
		return errors.New("table " + table + " has no _ferretdb_sjson column")
	}
	return nil
}
