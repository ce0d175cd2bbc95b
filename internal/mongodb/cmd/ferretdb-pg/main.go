// Command ferretdb-pg serves the MongoDB wire protocol over PostgreSQL with
// FerretDB's library (github.com/FerretDB/FerretDB/ferretdb, Handler
// "postgresql"): the networked store CI tests against and a small
// deployment can run (scripts/ferretdb-postgres.sh starts both). FerretDB's
// own command cannot be built from the module (it panics at start without
// its build's version file), hence this one.
//
// Usage:
//
//	ferretdb-pg -listen 127.0.0.1:27017 -postgresql-url postgres://user:pass@127.0.0.1:5432/db
//
// The URL may come from FERRETDB_POSTGRESQL_URL instead, keeping a password
// out of process listings. It runs until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if err := run(os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-pg:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet("ferretdb-pg", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:27017", "TCP address to serve the MongoDB wire protocol on")
	pgURL := fs.String("postgresql-url", getenv("FERRETDB_POSTGRESQL_URL"), "PostgreSQL connection URL (or FERRETDB_POSTGRESQL_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pgURL == "" {
		return errors.New("no PostgreSQL URL: set -postgresql-url or FERRETDB_POSTGRESQL_URL")
	}
	// Warnings and errors only: at debug FerretDB logs every document.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
		Logger:        logger,
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintln(os.Stderr, "ferretdb-pg: serving", f.MongoDBURI())
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}
