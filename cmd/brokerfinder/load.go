package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/load"
)

// loadCmd drives a running server with the load generator and prints what
// it measured: a phase per kind of request, each against the HTTP floor.
func loadCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("load", stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the running server (this machine only)")
	conns := fs.Int("c", 8, "concurrent connections")
	dur := fs.Duration("duration", 10*time.Second, "how long each phase runs")
	n := fs.Int("n", 0, "requests per phase instead of a duration")
	phases := fs.String("phases", "floor,match,search", "phases to run, in order: floor (GET /healthz), match (POST /v1/match), search (GET /v1/search), staff-interview (POST /staff/interview, signed in with BROKERFINDER_LOAD_ACCESS_KEY, an adviser token)")
	districtsCSV := fs.String("districts", "", "CSV of postcode districts to make requests from; default: the seed directory's (the server must know them: serve with BROKERFINDER_POSTCODES_FILE set to the same CSV)")
	seedDir := fs.String("seed-dir", envOr(getenv, "BROKERFINDER_SEED_DIR", "./seed"), "seed directory whose districts are used without --districts")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *conns < 1 || *conns > 1024 {
		return errors.New("load: -c must be from 1 to 1024")
	}
	districts, err := genDistricts(*districtsCSV, *seedDir)
	if err != nil {
		return err
	}
	results, err := load.Run(ctx, load.Config{
		BaseURL: strings.TrimRight(*base, "/"), Connections: *conns, Duration: *dur, Requests: *n,
		Districts: districts, Phases: strings.Split(*phases, ","), AccessKey: getenv("BROKERFINDER_LOAD_ACCESS_KEY"),
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "phase\trequests\terrors\treq/s\tp50 ms\tp90 ms\tp95 ms\tp99 ms\tmax ms\tp50 x floor\t")
	for _, r := range results {
		ratio := "-"
		if r.P50xFloor > 0 {
			ratio = fmt.Sprintf("%.1f", r.P50xFloor)
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t\n", r.Phase, r.Requests, r.Errors, r.Throughput, r.P50ms, r.P90ms, r.P95ms, r.P99ms, r.MaxMs, ratio)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		if r.Errors > 0 {
			return fmt.Errorf("load: %d errors in phase %s; first: %s", r.Errors, r.Phase, r.FirstError)
		}
	}
	return nil
}
