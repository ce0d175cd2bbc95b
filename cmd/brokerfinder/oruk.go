package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// Limits on what import reads.
const (
	maxFeedBytes = hsds.MaxFeedBytes // what Import accepts
	fetchTimeout = 60 * time.Second
)

// Formats import and export understand: Open Referral UK (the directory
// only, for exchange) and backup (everything the store holds; see
// backup.go).
const (
	formatORUK   = "oruk"
	formatBackup = "backup"
)

// exchangeFlags parses the shared configuration, --format and one argument.
func exchangeFlags(name string, args []string, getenv func(string) string, stderr io.Writer) (*config, string, string, error) {
	fs := newFlagSet(name, stderr)
	c, err := newConfig(fs, getenv)
	if err != nil {
		return nil, "", "", err
	}
	format := fs.String("format", "", "format (required): oruk (an Open Referral UK / HSDS-UK 3.0 JSON feed of the directory) or backup (every collection of the store, for restoring into an empty store)")
	if err := fs.Parse(args); err != nil {
		return nil, "", "", err
	}
	if fs.NArg() != 1 {
		return nil, "", "", fmt.Errorf("%s: give exactly one FILE (see brokerfinder help)", name)
	}
	switch *format {
	case formatORUK, formatBackup:
	case "":
		return nil, "", "", fmt.Errorf("%s: --format is required (oruk or backup)", name)
	default:
		return nil, "", "", fmt.Errorf("%s: unknown format %q (known: oruk, backup)", name, *format)
	}
	return c, *format, fs.Arg(0), nil
}

// exportCmd writes the whole directory, drafts included (as "inactive"), to
// FILE ("-" for standard output) as {"services": [...]}.
func exportCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, format, file, err := exchangeFlags("export", args, getenv, stderr)
	if err != nil {
		return err
	}
	if format == formatBackup {
		return backupExport(ctx, c, file, stdout, stderr)
	}
	store, closeStore, err := openStoreFor(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	var ps []directory.Provider
	if err := store.EachProvider(ctx, func(p *directory.Provider) error {
		ps = append(ps, *p)
		return nil
	}); err != nil {
		return err
	}
	slices.SortFunc(ps, func(a, b directory.Provider) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	var body []byte
	switch format {
	case formatORUK:
		feed := hsds.Feed{Services: make([]hsds.Service, len(ps))}
		for i := range ps {
			feed.Services[i] = hsds.FromProvider(&ps[i])
		}
		if body, err = json.MarshalIndent(feed, "", "  "); err != nil {
			return err
		}
		body = append(body, '\n')
	}
	if file == "-" {
		_, err = stdout.Write(body)
		return err
	}
	if err := writeFileAtomic(file, body); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "export: %d providers written to %s\n", len(ps), file)
	return nil
}

// writeFileAtomic writes through a temporary file and a rename, so a reader
// never sees half a feed.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// importCmd reads a feed from FILE or an http(s) URL, checks every record
// and, only if all are valid, writes them: new ids are created, changed
// records replaced and unchanged ones left alone, so importing the same feed
// twice changes nothing.
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, format, src, err := exchangeFlags("import", args, getenv, stderr)
	if err != nil {
		return err
	}
	if format == formatBackup {
		return backupImport(ctx, c, src, stdout, stderr)
	}
	data, err := readFeed(ctx, src)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	im, err := hsds.Import(data)
	if err != nil {
		return fmt.Errorf("import %s: %w", src, err)
	}
	for _, n := range im.FeedNotes {
		fmt.Fprintf(stderr, "import: note: %s\n", n)
	}
	for i, p := range im.Providers {
		for _, n := range im.Notes[i] {
			fmt.Fprintf(stderr, "import: note: record %d (id %s) %s\n", i, p.ID, n)
		}
	}
	store, closeStore, err := openStoreFor(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	if err := keepStatuses(ctx, store, im, stderr); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	// Every record was validated above; the service writes them. A store
	// failure part-way leaves the records written so far (the store has no
	// transactions); running the import again completes it. The server's
	// search copies follow the store's change log.
	svc := service.New(service.Config{Store: store})
	rep, err := svc.ImportProviders(service.Tool(ctx, "brokerfinder import"), im.Providers, service.ImportOptions{Overwrite: true, Action: "provider.import"})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(stdout, "import %s: %d created, %d updated, %d unchanged\n", src, rep.Created, rep.Updated, rep.Unchanged)
	return nil
}

// keepStatuses gives each imported record whose status import chose (the
// feed gave none it knows, or defaults made it a draft) the status of the
// record already stored under its id: only a feed may change a record's
// status, so a published record never silently becomes a draft.
func keepStatuses(ctx context.Context, store directory.ProviderStore, im *hsds.Imported, stderr io.Writer) error {
	for i := range im.Providers {
		p := &im.Providers[i]
		if !im.StatusChosen[i] {
			continue
		}
		cur, err := store.Provider(ctx, p.ID)
		if errors.Is(err, directory.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if cur.Status != p.Status {
			fmt.Fprintf(stderr, "import: note: record %d (id %s) keeps its status %s: the feed does not set one\n", i, p.ID, cur.Status)
			p.Status = cur.Status
		}
	}
	return nil
}

// readFeed reads a local file or fetches an http(s) URL, at most
// maxFeedBytes either way.
func readFeed(ctx context.Context, src string) ([]byte, error) {
	var r io.Reader
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetching %s: %s", src, res.Status)
		}
		r = res.Body
		return readCapped(r, src)
	}
	if strings.Contains(src, "://") {
		return nil, fmt.Errorf("%s: only http:// and https:// URLs, or a file", src)
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCapped(f, src)
}

func readCapped(r io.Reader, src string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFeedBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", src, err)
	}
	if len(data) > maxFeedBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB", src, maxFeedBytes>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New(src + " is empty")
	}
	return data, nil
}
