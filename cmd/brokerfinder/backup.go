package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// backupExport writes every collection of the store to file ("-" for
// standard output), through a temporary file and a rename so a reader never
// sees half a backup.
func backupExport(ctx context.Context, c *config, file string, stdout, stderr io.Writer) error {
	store, closeStore, err := openStoreFor(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	start := time.Now()
	if file == "-" {
		_, err := store.Backup(ctx, stdout)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".backup-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	rep, err := store.Backup(ctx, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "export: backup of %d documents in %d collections (%s) written to %s in %.1f s\n",
		rep.Documents(), len(rep.Counts), countsText(rep), file, time.Since(start).Seconds())
	return nil
}

// backupImport restores a backup into the configured store, which must be
// empty.
func backupImport(ctx context.Context, c *config, file string, stdout, stderr io.Writer) error {
	if strings.Contains(file, "://") {
		return fmt.Errorf("import: a backup is read from a file (or - for standard input), not %s", file)
	}
	var r io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r = f
	}
	store, closeStore, err := openStoreFor(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	start := time.Now()
	rep, err := store.Restore(ctx, r)
	if err != nil {
		return fmt.Errorf("import %s: %w", file, err)
	}
	// Versions restored from a backup taken before the store audited every
	// version get their entries now; then the restore itself is audited.
	if _, err := store.BackfillProviderAudit(ctx); err != nil {
		return fmt.Errorf("import %s: auditing restored versions: %w", file, err)
	}
	service.New(service.Config{Store: store}).Restored(service.Tool(ctx, "brokerfinder import --format backup"), c.Database)
	fmt.Fprintf(stdout, "import %s: restored %d documents in %d collections (%s) in %.1f s; the search index is rebuilt at the next start\n",
		file, rep.Documents(), len(rep.Counts), countsText(rep), time.Since(start).Seconds())
	return nil
}

// countsText lists documents by collection, in name order.
func countsText(rep mongodb.BackupReport) string {
	names := make([]string, 0, len(rep.Counts))
	for n := range rep.Counts {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, rep.Counts[n])
	}
	return strings.Join(parts, ", ")
}
