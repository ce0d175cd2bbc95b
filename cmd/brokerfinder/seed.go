package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/brokerfinder/brokerfinder/internal/seed"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// seedCmd loads the seed directory: every record is validated before anything
// is written; missing records are created, edited ones kept unless
// --overwrite.
func seedCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", stderr)
	c, err := newConfig(fs, getenv)
	if err != nil {
		return err
	}
	overwrite := fs.Bool("overwrite", false, "replace records that were edited since seeding with the seed's version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	providers, err := seed.Load(os.DirFS(c.SeedDir))
	if err != nil {
		return err
	}
	store, closeStore, err := openStoreFor(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	svc := service.New(service.Config{Store: store})
	rep, err := svc.ImportProviders(service.Tool(ctx, "brokerfinder seed"), providers, service.ImportOptions{Overwrite: *overwrite, Action: "provider.seed"})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed %s: %s\n", c.SeedDir, rep)
	return nil
}
