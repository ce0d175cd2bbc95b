package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/index"
)

// reindexCmd rebuilds the data directory's search index from the store,
// offline: a server holding the index is left alone.
func reindexCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, fs, err := parseConfig("reindex", args, getenv, stderr)
	if err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("reindex: takes no arguments (see brokerfinder help)")
	}
	logger, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	dir := indexDir(cfg)
	if err := refuseIfServed("reindex", dir); err != nil {
		return err
	}
	limitMemory(getenv)
	start := time.Now()
	store, closeStore, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	f, err := finder.Open(ctx, finder.Config{Store: store, IndexDir: dir, Logger: logger, Rebuild: true})
	if errors.Is(err, index.ErrInUse) {
		return fmt.Errorf("reindex: %w", err)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h, err := f.Held(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reindex: %d providers indexed in %.1f s\n", h.Count, time.Since(start).Seconds())
	return nil
}

// indexDir is where serve keeps the search index.
func indexDir(cfg *config) string { return filepath.Join(cfg.DataDir, "index") }

// refuseIfServed fails when another process (a running server) holds the
// index in dir. It must run before the store is opened: with the embedded
// store, a second one started on a served data directory would take over
// the server's socket.
func refuseIfServed(cmd, dir string) error {
	ix, err := index.OpenExisting(dir)
	switch {
	case errors.Is(err, index.ErrInUse):
		return fmt.Errorf("%s: the search index in %s is held by another process: stop the server on this data directory first (or, for a running server, use brokerfinder check --url)", cmd, dir)
	case err == nil:
		return ix.Close()
	}
	return nil // none there, or unusable: the caller decides
}
