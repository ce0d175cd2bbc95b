// Package mongotest gives tests a fresh store: on an embedded server of the
// test's own, or on the real MongoDB named by BROKERFINDER_TEST_MONGODB_URI.
package mongotest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/mongodb"
)

var seq atomic.Int64

// Store returns an empty store that is dropped and closed when t ends. With
// BROKERFINDER_TEST_MONGODB_URI set it uses a new database on that server;
// otherwise it starts an embedded server in t.TempDir().
func Store(t testing.TB) *mongodb.Store {
	t.Helper()
	return StoreWith(t, mongodb.Options{})
}

// StoreWith is Store opened with options (an observer); their SQLiteDir is
// the embedded server's.
func StoreWith(t testing.TB, o mongodb.Options) *mongodb.Store {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("bftest_%d_%d", os.Getpid(), seq.Add(1))
	var s *mongodb.Store
	var err error
	if uri := os.Getenv("BROKERFINDER_TEST_MONGODB_URI"); uri != "" {
		s, err = mongodb.OpenWith(ctx, uri, name, o)
	} else {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		e, startErr := mongodb.StartEmbedded(ctx, t.TempDir(), quiet)
		if startErr != nil {
			t.Fatalf("starting embedded store: %v", startErr)
		}
		t.Cleanup(func() { _ = e.Close() })
		if o.Logger == nil {
			o.Logger = quiet
		}
		s, err = e.OpenWith(ctx, name, o)
	}
	if err != nil {
		t.Fatalf("opening store: %v", err)
	}
	t.Cleanup(func() {
		_ = s.DropDatabase(ctx)
		_ = s.Close(ctx)
	})
	return s
}
