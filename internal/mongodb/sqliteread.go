package mongodb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Reading every provider through FerretDB costs about 1.1 ms a provider
// (110 s at 100,000), almost all of it inside FerretDB: it decodes each
// row's stored JSON into its own document type with a great deal of
// garbage, then encodes it as BSON for the reply. The rows themselves come
// out of SQLite at about 60,000 a second.
//
// So on the embedded store EachProvider reads FerretDB's table directly, in
// one SQL statement (one consistent read of the table, as SQLite's WAL
// gives every reader), and decodes the stored JSON itself. FerretDB v1.24
// stores a document as
//
//	{"$s": <schema: each field's BSON type>, "<key>": <value>, ...}
//
// with the values as plain JSON except that dates are milliseconds since
// 1970, binary data is base64 and object ids are hex strings. Provider
// records hold no binary data, object ids or special numbers, and their
// only dates are created_at and updated_at, so skipping "$s" and decoding
// the rest with encoding/json into sjsonProvider gives exactly the record
// the driver would (TestSQLiteReadMatchesDriver compares the two on the
// seed and on generated directories). A row that does not decode is read
// through FerretDB by its _id instead, so a record this reader does not
// understand costs time, never correctness.

// sjsonProvider is a provider row as FerretDB stores it, minus its schema
// (and minus _id and area_keys, which the decoder skips). Its fields shadow
// providerRecord's fields of the same JSON name.
type sjsonProvider struct {
	providerRecord
	CreatedAt sjsonDate `json:"created_at"`
	UpdatedAt sjsonDate `json:"updated_at"`
}

// sjsonDate is a BSON date as FerretDB stores it: milliseconds since 1970.
type sjsonDate time.Time

func (d *sjsonDate) UnmarshalJSON(b []byte) error {
	ms, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("date %s: %w", b, err)
	}
	*d = sjsonDate(time.UnixMilli(ms).UTC())
	return nil
}

// errSQLiteLayout means FerretDB's file is not laid out as this reader
// expects; the caller reads through FerretDB instead.
var errSQLiteLayout = errors.New("FerretDB's SQLite layout is not the expected one")

// sqliteTable returns the SQLite table FerretDB keeps collection in.
func sqliteTable(ctx context.Context, db *sql.DB, collection string) (string, error) {
	var table string
	err := db.QueryRowContext(ctx,
		fmt.Sprintf(`SELECT table_name FROM %q WHERE name = ?`, sqliteMetadataTable), collection).Scan(&table)
	if err != nil {
		return "", fmt.Errorf("%w: finding %s: %v", errSQLiteLayout, collection, err)
	}
	if err := checkSJSONColumn(ctx, db, table); err != nil {
		return "", fmt.Errorf("%w: %v", errSQLiteLayout, err)
	}
	return table, nil
}

// sqliteChunk is how many rows go to a decoder at once.
const sqliteChunk = 256

// eachProviderSQLite is EachProvider reading FerretDB's table directly. It
// returns an error wrapping errSQLiteLayout, having called fn for nothing,
// when the file is not as expected.
func (s *Store) eachProviderSQLite(ctx context.Context, fn func(*directory.Provider) error) error {
	db, err := openSQLite(s.sqlite.dir, s.sqlite.dbName)
	if err != nil {
		return fmt.Errorf("%w: %v", errSQLiteLayout, err)
	}
	defer db.Close()
	table, err := sqliteTable(ctx, db, providersCollection)
	if err != nil {
		return err
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q`, table))
	if err != nil {
		return fmt.Errorf("%w: reading %s: %v", errSQLiteLayout, table, err)
	}
	defer rows.Close()

	// One goroutine reads rows, decoders turn chunks of them into records,
	// and this goroutine calls fn, so fn is never called concurrently.
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	raw := make(chan [][]byte, workers)
	decoded := make(chan []*directory.Provider, workers)
	var readErr error
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer close(raw)
		chunk := make([][]byte, 0, sqliteChunk)
		for rows.Next() {
			var b []byte
			if readErr = rows.Scan(&b); readErr != nil {
				return
			}
			chunk = append(chunk, b)
			if len(chunk) == sqliteChunk {
				select {
				case raw <- chunk:
				case <-ctx.Done():
					return
				}
				chunk = make([][]byte, 0, sqliteChunk)
			}
		}
		if readErr = rows.Err(); readErr != nil {
			return
		}
		if len(chunk) > 0 {
			select {
			case raw <- chunk:
			case <-ctx.Done():
			}
		}
	}()
	var wg sync.WaitGroup
	var decodeErr error
	var errOnce sync.Once
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range raw {
				out := make([]*directory.Provider, 0, len(chunk))
				for _, row := range chunk {
					p, err := s.decodeProviderRow(ctx, row)
					if err != nil {
						errOnce.Do(func() { decodeErr = err; cancel() })
						return
					}
					out = append(out, p)
				}
				select {
				case decoded <- out:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(decoded) }()

	var fnErr error
	for ps := range decoded {
		if fnErr != nil {
			continue // drain, so the decoders finish
		}
		for _, p := range ps {
			if fnErr = fn(p); fnErr != nil {
				cancel()
				break
			}
		}
	}
	// Decoders may stop on cancellation before the reader does; wait for it
	// before reading readErr (and before rows and db are closed).
	cancel()
	<-readDone
	switch {
	case fnErr != nil:
		return fnErr
	case decodeErr != nil:
		return decodeErr
	case parent.Err() != nil:
		return fmt.Errorf("mongodb: reading providers: %w", parent.Err())
	case readErr != nil:
		return fmt.Errorf("mongodb: reading providers: %w", readErr)
	}
	return nil
}

// decodeProviderRow decodes one stored row, or reads the provider through
// FerretDB when the row is not as this reader expects.
func (s *Store) decodeProviderRow(ctx context.Context, row []byte) (*directory.Provider, error) {
	var doc sjsonProvider
	body, ok := sjsonBody(row)
	if ok && json.Unmarshal(body, &doc) == nil && doc.ID != "" {
		p := fromProviderRecord(&doc.providerRecord)
		p.CreatedAt, p.UpdatedAt = time.Time(doc.CreatedAt), time.Time(doc.UpdatedAt)
		return &p, nil
	}
	if ok {
		row = body // sjsonBody rewrote row in place
	}
	var id struct {
		ID string `json:"_id"`
	}
	if err := json.Unmarshal(row, &id); err != nil || id.ID == "" {
		return nil, fmt.Errorf("mongodb: a stored provider row has no readable _id: %v", err)
	}
	s.sqlite.fallbacks.Add(1)
	p, err := s.Provider(ctx, id.ID)
	if err != nil {
		return nil, fmt.Errorf("mongodb: reading provider %s: %w", id.ID, err)
	}
	return p, nil
}

// sjsonBody returns row without its leading "$s" schema, reusing row's
// memory: {"$s":{...},"k":v,...} becomes {"k":v,...}.
func sjsonBody(row []byte) ([]byte, bool) {
	const head = `{"$s":`
	if !bytes.HasPrefix(row, []byte(head)) {
		return nil, false
	}
	end := skipJSONValue(row, len(head))
	if end < 0 || end >= len(row) {
		return nil, false
	}
	switch row[end] {
	case '}':
		return []byte("{}"), true
	case ',':
		row[end] = '{'
		return row[end:], true
	}
	return nil, false
}

// skipJSONValue returns the offset just past the JSON object, array, string
// or scalar starting at b[i], or -1. It checks nesting and strings, not
// the whole grammar: json.Unmarshal checks the rest.
func skipJSONValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return -1
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return -1
			}
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
