package mongodb

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestIDLookupsUseIndex checks, with SQLite's own planner, that the query
// FerretDB runs for a lookup by _id uses our index on every collection.
func TestIDLookupsUseIndex(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, embeddedURI)
	p := storetest.Provider("Indexed")
	if err := s.CreateProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}

	db, err := openSQLite(embedded.dbDir, s.db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT name, table_name FROM `+sqliteMetadataTable)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			t.Fatal(err)
		}
		tables[name] = table
	}
	rows.Close()

	for _, coll := range []string{providersCollection, tokensCollection, revisionsCollection, changesCollection, bulksCollection, pendingCollection} {
		table, ok := tables[coll]
		if !ok {
			t.Errorf("collection %s has no table after Open (have %v)", coll, tables)
			continue
		}
		// The statement FerretDB v1.24 prepares (backends/sqlite/collection.go
		// Query with a single {_id: string} filter).
		q := fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE %s = ?`, table, sqliteIDExpr)
		plan, err := db.QueryContext(ctx, q, `"`+p.ID+`"`)
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for plan.Next() {
			var id, parent, notused int
			var detail string
			if err := plan.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			details = append(details, detail)
		}
		plan.Close()
		t.Logf("%s: %v", coll, details)
		want := "USING INDEX " + sqliteIDIndexPrefix + table
		if got := strings.Join(details, "; "); !strings.Contains(got, want) {
			t.Errorf("%s: plan %q, want it %s", coll, got, want)
		}
	}

	// The lookup still finds the record through FerretDB.
	if got, err := s.Provider(ctx, p.ID); err != nil || got.Name != "Indexed" {
		t.Fatalf("Provider = %v, %v", got, err)
	}
	// Idempotent: a second run (the next start) creates nothing.
	if n, err := indexIDLookups(ctx, embedded.dbDir, s.db.Name()); err != nil || n != 0 {
		t.Fatalf("second indexIDLookups = %d, %v; want 0, nil", n, err)
	}
}

// TestIDLookupIndexFailureIsReported checks an unexpected layout is an error
// (which Embedded.Open logs) and not a panic or a created file.
func TestIDLookupIndexFailureIsReported(t *testing.T) {
	if _, err := indexIDLookups(context.Background(), t.TempDir(), "no_such_db"); err == nil {
		t.Fatal("indexIDLookups on a missing database file: no error")
	}
}
