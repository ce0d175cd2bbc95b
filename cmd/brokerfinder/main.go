// Command brokerfinder runs the provider directory and choice-matching
// service, and its maintenance commands.
//
//	brokerfinder [serve]                  run the service (default)
//	brokerfinder seed [--overwrite]       load the seed directory into the store
//	brokerfinder export --format oruk FILE    write the directory as an ORUK feed ("-": stdout)
//	brokerfinder import --format oruk FILE|URL read an ORUK feed (all or nothing)
//	brokerfinder export --format backup FILE  write everything the store holds ("-": stdout)
//	brokerfinder import --format backup FILE  restore a backup into an empty store
//	brokerfinder reindex                  rebuild the search index from the store (offline)
//	brokerfinder check [--url U ...]      compare the store with the search copies
//	brokerfinder token create --name N    create an admin API token (printed once)
//	brokerfinder token list               list tokens (never their secrets)
//	brokerfinder token revoke ID          revoke a token
//	brokerfinder gen --providers N --out DIR   write a synthetic directory
//	brokerfinder load [--url U] [-c 8]    measure a running server
//	brokerfinder version                  print the version
//
// Configuration comes from BROKERFINDER_* environment variables, overridden
// by flags; see the README.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "brokerfinder:", err)
		os.Exit(1)
	}
}

// run is the whole program, with its environment passed in so tests can run
// it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "seed":
		return seedCmd(ctx, args, getenv, stdout, stderr)
	case "export":
		return exportCmd(ctx, args, getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, args, getenv, stdout, stderr)
	case "reindex":
		return reindexCmd(ctx, args, getenv, stdout, stderr)
	case "check":
		return checkCmd(ctx, args, getenv, stdout, stderr)
	case "token":
		return tokenCmd(ctx, args, getenv, stdout, stderr)
	case "load":
		return loadCmd(ctx, args, getenv, stdout, stderr)
	case "gen":
		return genCmd(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "brokerfinder", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage: brokerfinder [serve|seed|reindex|check|export|import|token|gen|load|version] [flags]
  serve                 run the service (default)
  seed [--overwrite]    load the seed directory into the store
  export --format oruk FILE       write the directory as an ORUK feed (FILE "-" is stdout)
  import --format oruk FILE|URL   read an ORUK feed: all records valid, or nothing written
  export --format backup FILE     write every collection of the store (FILE "-" is stdout)
  import --format backup FILE     restore a backup into an EMPTY store (refused otherwise)
  reindex               rebuild the data directory's search index from the store (server stopped)
  check                 compare the store with the data directory's search index (server stopped)
  check --url URL [--url URL ...]  compare the store with each running replica's copies
                        (needs BROKERFINDER_ADMIN_TOKEN); non-zero exit on any difference
  token create --name N [--role admin]
  token list
  token revoke ID
  gen --providers N --seed S --out DIR [--districts CSV] [--force]
  load [--url URL] [-c 8] [--duration 10s | -n N] [--phases floor,match,search] [--json]
  version
Run "brokerfinder COMMAND -h" for a command's flags.`
