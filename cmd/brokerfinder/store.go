package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/brokerfinder/brokerfinder/internal/mongodb"
)

// openStore connects to the configured MongoDB, or starts the embedded one in
// the data directory. The returned close function stops what was started, in
// reverse order.
func openStore(ctx context.Context, cfg *config, logger *slog.Logger) (*mongodb.Store, func(), error) {
	return openStoreWith(ctx, cfg, logger, mongodb.Options{})
}

// openStoreWith is openStore with the store's options (serve's observer).
func openStoreWith(ctx context.Context, cfg *config, logger *slog.Logger, o mongodb.Options) (*mongodb.Store, func(), error) {
	uri := string(cfg.MongoURI)
	var embedded *mongodb.Embedded
	if uri == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("data directory: %w", err)
		}
		// StartEmbedded passes on only FerretDB's warnings and errors, and
		// never a message body, at any level: at debug FerretDB would log
		// every document, client details and token hashes included.
		var err error
		embedded, err = mongodb.StartEmbedded(ctx, cfg.DataDir, logger.With("component", "ferretdb"))
		if err != nil {
			return nil, nil, err
		}
		uri = embedded.URI()
		logger.Info("embedded store started", "dir", cfg.DataDir)
	}
	var store *mongodb.Store
	var err error
	if embedded != nil {
		o.Logger = logger
		store, err = embedded.OpenWith(ctx, cfg.Database, o)
	} else {
		store, err = mongodb.OpenWith(ctx, uri, cfg.Database, o)
	}
	if err != nil {
		if embedded != nil {
			_ = embedded.Close()
		}
		return nil, nil, err
	}
	if n, err := store.Recover(ctx); err != nil {
		logger.Warn("recovering unfinished writes", "err", err)
	} else if n > 0 {
		logger.Info("recovered unfinished writes", "providers", n)
	}
	closeAll := func() {
		_ = store.Close(context.Background())
		if embedded != nil {
			if err := embedded.Close(); err != nil {
				logger.Warn("stopping embedded store", "err", err)
			}
		}
	}
	return store, closeAll, nil
}

// openStoreFor opens the store for a command that logs only while opening
// it, to stderr at the configured level.
func openStoreFor(ctx context.Context, c *config, stderr io.Writer) (*mongodb.Store, func(), error) {
	logger, err := c.logger(stderr)
	if err != nil {
		return nil, nil, err
	}
	return openStore(ctx, c, logger)
}
