package mongodb

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/synth/synthtest"
)

// The fast paths of a large directory: a start reads every provider from
// FerretDB's SQLite file (EachProvider), and a seed or import creates them
// in bulk (CreateProviders). These benchmarks keep the cost of the stored
// document types in sight.

// benchStore returns an embedded store holding n generated providers.
func benchStore(b *testing.B, n int) (*Store, []directory.Provider) {
	b.Helper()
	s := openBenchStore(b)
	ps := synthtest.Directory(b, n)
	batch := make([]*directory.Provider, len(ps))
	for i := range ps {
		batch[i] = &ps[i]
	}
	if err := s.CreateProviders(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	return s, ps
}

// openBenchStore is openTestStore for benchmarks.
func openBenchStore(b *testing.B) *Store {
	b.Helper()
	ctx := context.Background()
	s, err := openOn(ctx, embeddedURI, fmt.Sprintf("bfbench_%d", dbSeq.Add(1)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = s.db.Drop(ctx)
		_ = s.Close(ctx)
	})
	return s
}

func BenchmarkEachProviderSQLite(b *testing.B) {
	s, ps := benchStore(b, 2000)
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if err := s.eachProviderSQLite(context.Background(), func(*directory.Provider) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != len(ps) {
			b.Fatalf("read %d providers, want %d", n, len(ps))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ps)), "ns/provider")
}

// BenchmarkDecodeProviderRow is the per-row work of EachProvider's direct
// read, without SQLite.
func BenchmarkDecodeProviderRow(b *testing.B) {
	s, _ := benchStore(b, 200)
	db, err := openSQLite(embedded.dbDir, s.db.Name())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	table, err := sqliteTable(ctx, db, providersCollection)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q`, table))
	if err != nil {
		b.Fatal(err)
	}
	var raw [][]byte
	for rows.Next() {
		var r []byte
		if err := rows.Scan(&r); err != nil {
			b.Fatal(err)
		}
		raw = append(raw, r)
	}
	rows.Close()
	buf := make([]byte, 0, 1<<16)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		buf = append(buf[:0], raw[i%len(raw)]...) // decoding rewrites the row
		if _, err := s.decodeProviderRow(ctx, buf); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkMarshalProviderDoc is the per-record encoding of a write.
func BenchmarkMarshalProviderDoc(b *testing.B) {
	ps := synthtest.Directory(b, 200)
	// As the store's client encodes: json tags followed where there are
	// no bson tags.
	buf := new(bytes.Buffer)
	enc := bson.NewEncoder(bson.NewDocumentWriter(buf))
	enc.UseJSONStructTags()
	i := 0
	for b.Loop() {
		buf.Reset()
		if err := enc.Encode(toProviderDoc(&ps[i%len(ps)])); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCreateProviders(b *testing.B) {
	const n = 1000
	s := openBenchStore(b)
	ps := synthtest.Directory(b, n)
	b.ResetTimer()
	for b.Loop() {
		batch := make([]*directory.Provider, n)
		for i := range ps {
			p := ps[i]
			p.ID = ""
			batch[i] = &p
		}
		if err := s.CreateProviders(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/provider")
}
