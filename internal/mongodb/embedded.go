package mongodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is an in-process MongoDB-compatible server (FerretDB on SQLite).
type Embedded struct {
	uri    string
	dbDir  string // FerretDB's SQLite directory
	cancel context.CancelFunc
	done   chan struct{}
}

// ErrInUse means another process is serving the embedded store's data
// directory.
var ErrInUse = errors.New("data directory in use")

// StartEmbedded starts FerretDB with its SQLite files in dir/db, listening on
// a Unix socket in dir (or on a loopback TCP port when the socket path would be
// too long for the operating system). logger receives FerretDB's warnings
// and errors, never its traffic (see ferretlog.go).
func StartEmbedded(ctx context.Context, dir string, logger *slog.Logger) (*Embedded, error) {
	dbDir := filepath.Join(dir, "db")
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	abs, err := filepath.Abs(dbDir)
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	var listener ferretdb.ListenerConfig
	sock := filepath.Join(filepath.Dir(abs), "mongodb.sock")
	if len(sock) < 100 { // sun_path holds 108 bytes on Linux, 104 on macOS
		// A socket that answers belongs to a running server on this data
		// directory: starting a second store here would take it over. One
		// that does not answer was left behind by a killed process.
		if c, err := net.DialTimeout("unix", sock, time.Second); err == nil {
			_ = c.Close()
			return nil, fmt.Errorf("embedded store: %w: %s is in use by another process (is a server running on %s?)", ErrInUse, sock, dir)
		}
		_ = os.Remove(sock)
		listener.Unix = sock
	} else {
		listener.TCP = "127.0.0.1:0"
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: listener,
		Logger:   slog.New(safeFerretLogs(deferAttrs(logger.Handler()))),
		Handler:  "sqlite",
		// secure_delete makes SQLite zero what a write frees, so an
		// erased client's details do not linger in free space of the
		// database file (see ferretSQLite.checkpoint for the WAL).
		SQLiteURL: "file:" + abs + "/?_pragma=secure_delete(1)",
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Embedded{dbDir: abs, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(runCtx)
	}()

	// New has bound the listeners already, so the address is known.
	e.uri = f.MongoDBURI()
	if listener.Unix != "" {
		// The driver wants the socket path percent-encoded as the host.
		e.uri = "mongodb://" + escapeSocket(sock) + "/"
	}
	return e, nil
}

func escapeSocket(path string) string {
	out := make([]byte, 0, len(path)+16)
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '/':
			out = append(out, "%2F"...)
		case c == '%' || c == ':' || c == '@' || c == '?' || c == '#' || c == ' ':
			out = append(out, fmt.Sprintf("%%%02X", c)...)
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// URI returns the connection string for the embedded server.
func (e *Embedded) URI() string { return e.uri }

// Open opens the store in database dbName on the embedded server, as
// OpenWith does with the server's SQLite directory, so the store works
// round FerretDB's costs on SQLite (see ferretsqlite.go). logger receives
// the store's warnings.
func (e *Embedded) Open(ctx context.Context, dbName string, logger *slog.Logger) (*Store, error) {
	return e.OpenWith(ctx, dbName, Options{Logger: logger})
}

// OpenWith is Open with options; their SQLiteDir is the server's.
func (e *Embedded) OpenWith(ctx context.Context, dbName string, o Options) (*Store, error) {
	o.SQLiteDir = e.dbDir
	return OpenWith(ctx, e.uri, dbName, o)
}

// Close stops the server and waits for it to finish writing.
func (e *Embedded) Close() error {
	e.cancel()
	select {
	case <-e.done:
		return nil
	case <-time.After(15 * time.Second):
		return errors.New("embedded store: FerretDB did not stop within 15s")
	}
}

// FerretDB logs every SQL statement it runs as
//
//	l.With(slog.Any("args", args)).DebugContext(ctx, query)
//
// and slog's built-in handlers format With's attributes when With is called,
// whether or not the record is then logged. The args of an insert are the
// documents, so with a text handler that drops debug records FerretDB still
// quoted every document it wrote, twice: about a sixth of a bulk load's CPU
// time. deferAttrs wraps a handler so that With and WithGroup only note
// what to add, and the handler applies them to a record it logs.

// deferredHandler is a slog.Handler whose attributes and groups are applied
// to h only when a record is handled.
type deferredHandler struct {
	h   slog.Handler
	ops []func(slog.Handler) slog.Handler // With and WithGroup, in order
}

func deferAttrs(h slog.Handler) slog.Handler { return &deferredHandler{h: h} }

func (d *deferredHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return d.h.Enabled(ctx, level)
}

func (d *deferredHandler) Handle(ctx context.Context, r slog.Record) error {
	h := d.h
	for _, op := range d.ops {
		h = op(h)
	}
	return h.Handle(ctx, r)
}

func (d *deferredHandler) with(op func(slog.Handler) slog.Handler) *deferredHandler {
	return &deferredHandler{h: d.h, ops: append(d.ops[:len(d.ops):len(d.ops)], op)}
}

func (d *deferredHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return d
	}
	return d.with(func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) })
}

func (d *deferredHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return d
	}
	return d.with(func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
}
