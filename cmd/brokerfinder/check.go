package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/index"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
)

// checkAttempts is how often an online check looks again before reporting
// differences: a write in flight shows as a difference until every replica
// has followed it (within a second or two).
const (
	checkAttempts = 3
	checkPause    = 2 * time.Second
)

// checkCmd compares the store's visible providers with the search copies:
// offline, the index of a data directory; online (--url, repeatable), what
// each running replica's index and catalogue hold. It prints every
// difference and fails if there is any.
func checkCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", stderr)
	c, err := newConfig(fs, getenv)
	if err != nil {
		return err
	}
	var urls []string
	fs.Func("url", "base URL of a running replica (repeat for each); needs BROKERFINDER_ADMIN_TOKEN. Without --url, checks the index of --data-dir offline", func(s string) error {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q is not an http(s) URL", s)
		}
		urls = append(urls, strings.TrimRight(s, "/"))
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("check: takes no arguments (see brokerfinder help)")
	}
	var n int
	if len(urls) == 0 {
		n, err = checkOffline(ctx, c, stdout, stderr)
	} else {
		n, err = checkOnline(ctx, c, urls, stdout)
	}
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("check: %d differences between the store and the search copies", n)
	}
	fmt.Fprintln(stdout, "check: no differences")
	return nil
}

// checkOffline compares the data directory's index (opened as it is, never
// rebuilt) with the store.
func checkOffline(ctx context.Context, c *config, stdout, stderr io.Writer) (int, error) {
	logger, err := c.logger(stderr)
	if err != nil {
		return 0, err
	}
	dir := indexDir(c)
	if err := refuseIfServed("check", dir); err != nil {
		return 0, err
	}
	store, closeStore, err := openStore(ctx, c, logger)
	if err != nil {
		return 0, err
	}
	defer closeStore()
	want, err := finder.StoreVersions(ctx, store)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(stdout, "store: %d visible providers\n", len(want))
	f, err := finder.Open(ctx, finder.Config{Store: store, IndexDir: dir, Logger: logger, Inspect: true})
	if errors.Is(err, index.ErrUnusable) {
		fmt.Fprintf(stdout, "index %s: none usable (%v); brokerfinder reindex builds one\n", dir, err)
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h, err := f.Held(ctx)
	if err != nil {
		return 0, err
	}
	return report(stdout, "index "+dir, h, finder.Compare(want, h)), nil
}

// checkOnline compares each replica's copies with the store: read directly
// when a MongoDB URI is configured (as the replicas' is), otherwise through
// the first replica's public listing (visible providers, straight from the
// store, but a page at a time). Replicas with differences are looked at
// again, up to checkAttempts times, so writes still being followed are not
// reported.
func checkOnline(ctx context.Context, c *config, urls []string, stdout io.Writer) (int, error) {
	if c.AdminToken == "" {
		return 0, errors.New("check: --url needs BROKERFINDER_ADMIN_TOKEN (GET /v1/admin/index is admin only)")
	}
	client := &http.Client{Timeout: 60 * time.Second}
	storeName := "through " + urls[0]
	readStore := func() (map[string]int64, error) { return listVisible(ctx, client, urls[0]) }
	if c.MongoURI != "" {
		// Opened directly, not through openStore: a check must not finish
		// other writers' unfinished writes (Recover).
		store, err := mongodb.Open(ctx, string(c.MongoURI), c.Database)
		if err != nil {
			return 0, err
		}
		defer store.Close(context.Background())
		storeName = maskURI(string(c.MongoURI)) + " database " + c.Database
		readStore = func() (map[string]int64, error) { return finder.StoreVersions(ctx, store) }
	}
	total := 0
	for _, u := range urls {
		var want map[string]int64
		var h finder.Held
		var diffs []string
		for attempt := 1; ; attempt++ {
			var err error
			want, err = readStore()
			if err != nil {
				err = fmt.Errorf("check: reading the store (%s): %w", storeName, err)
			} else if h, err = replicaHeld(ctx, client, u, c.AdminToken); err != nil {
				err = fmt.Errorf("check: %s: %w", u, err)
			} else {
				diffs = finder.Compare(want, h)
			}
			if err != nil && attempt == checkAttempts {
				return 0, err
			}
			if err == nil && (len(diffs) == 0 || attempt == checkAttempts) {
				break
			}
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(checkPause):
			}
		}
		fmt.Fprintf(stdout, "store (%s): %d visible providers\n", storeName, len(want))
		total += report(stdout, "replica "+u, h, diffs)
	}
	return total, nil
}

// report prints one copy's summary and differences, and returns how many.
func report(w io.Writer, name string, h finder.Held, diffs []string) int {
	fmt.Fprintf(w, "%s: change %d applied, %d documents, fingerprint %016x: ", name, h.Seq, h.Count, h.Fingerprint)
	if len(diffs) == 0 {
		fmt.Fprintln(w, "in step with the store")
		return 0
	}
	fmt.Fprintf(w, "%d differences\n", len(diffs))
	for _, d := range diffs {
		fmt.Fprintln(w, "  "+d)
	}
	return len(diffs)
}

// replicaHeld reads GET /v1/admin/index.
func replicaHeld(ctx context.Context, client *http.Client, base, token string) (finder.Held, error) {
	var st api.IndexState
	if err := getAPI(ctx, client, base+"/v1/admin/index", token, &st); err != nil {
		return finder.Held{}, err
	}
	fp, err := strconv.ParseUint(st.Fingerprint, 16, 64)
	if err != nil {
		return finder.Held{}, fmt.Errorf("fingerprint %q: %w", st.Fingerprint, err)
	}
	return finder.Held{Seq: st.Seq, Count: st.Count, Fingerprint: fp, Index: st.Versions, Catalogue: st.Catalogue}, nil
}

// listVisible reads every visible provider's version from GET /v1/providers
// (without a token it lists exactly the visible ones).
func listVisible(ctx context.Context, client *http.Client, base string) (map[string]int64, error) {
	out := map[string]int64{}
	for page := 1; ; page++ {
		var pg struct {
			Items []directory.Provider `json:"items"`
			Total int                  `json:"total"`
		}
		if err := getAPI(ctx, client, fmt.Sprintf("%s/v1/providers?per_page=100&page=%d", base, page), "", &pg); err != nil {
			return nil, err
		}
		for _, p := range pg.Items {
			out[p.ID] = p.Version
		}
		if len(pg.Items) < 100 {
			if len(out) != pg.Total {
				return nil, fmt.Errorf("listed %d providers of %d (written to while listing?)", len(out), pg.Total)
			}
			return out, nil
		}
	}
}

func getAPI(ctx context.Context, client *http.Client, u, token string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("GET %s: %s %s", u, res.Status, strings.TrimSpace(string(body)))
	}
	return json.NewDecoder(res.Body).Decode(v)
}
