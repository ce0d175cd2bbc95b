// Package seed loads the seed directory: JSON files of providers that fill an
// empty store on first start and that `brokerfinder seed` reloads.
//
// Loading validates every record in every file and reports all problems, each
// with its file and field, before anything is written.
package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Problem is one thing wrong with one record in one seed file.
type Problem struct {
	File    string
	Record  int // index in the file's array; -1 for the whole file
	Field   string
	Message string
}

func (p Problem) String() string {
	where := p.File
	if p.Record >= 0 {
		where += fmt.Sprintf(" record %d", p.Record)
	}
	if p.Field != "" {
		where += " " + p.Field
	}
	return where + ": " + p.Message
}

// Error lists every problem found in a seed directory.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("seed: %d problem(s):\n  %s", len(e.Problems), strings.Join(lines, "\n  "))
}

// Is makes errors.Is(err, directory.ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == directory.ErrInvalid }

// Load reads every *.json file under fsys (each a JSON array of providers),
// normalises and validates every record, and returns them in file order. Every
// record must carry an id so reloading is idempotent, and no id may repeat.
func Load(fsys fs.FS) ([]directory.Provider, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && path.Ext(p) == ".json" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed: reading directory: %w", err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, &Error{Problems: []Problem{{File: ".", Record: -1, Message: "no .json files found"}}}
	}

	var (
		all      []directory.Provider
		problems []Problem
		seen     = map[string]string{}
	)
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		recs, err := decode(data)
		if err != nil {
			problems = append(problems, Problem{File: file, Record: -1, Message: err.Error()})
			continue
		}
		for i := range recs {
			p := &recs[i]
			p.Normalize()
			if p.ID == "" {
				problems = append(problems, Problem{File: file, Record: i, Field: "id", Message: "seed records need an id so reloading is idempotent"})
			} else if other, dup := seen[p.ID]; dup {
				problems = append(problems, Problem{File: file, Record: i, Field: "id", Message: fmt.Sprintf("%s is also used in %s", p.ID, other)})
			} else {
				seen[p.ID] = fmt.Sprintf("%s record %d", file, i)
			}
			var ve *directory.ValidationError
			if err := p.Validate(); errors.As(err, &ve) {
				for _, fp := range ve.Problems {
					problems = append(problems, Problem{File: file, Record: i, Field: fp.Field, Message: fp.Message})
				}
			}
		}
		all = append(all, recs...)
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return all, nil
}

// decode parses one file strictly: unknown fields are errors, and syntax
// errors name the line.
func decode(data []byte) ([]directory.Provider, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var recs []directory.Provider
	if err := dec.Decode(&recs); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := bytes.Count(data[:se.Offset], []byte("\n")) + 1
			return nil, fmt.Errorf("line %d: %v", line, se)
		}
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("extra data after the JSON array")
	}
	return recs, nil
}

// Report counts what Apply did.
type Report struct {
	Created   int
	Updated   int
	Unchanged int
	// Kept counts records that differ from the seed but were left alone
	// because overwrite was off: they were edited after seeding.
	Kept int
}

func (r Report) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged, %d kept (edited since seeding)", r.Created, r.Updated, r.Unchanged, r.Kept)
}

// Apply writes providers into the store: missing ones are created; existing
// ones are left alone unless overwrite is set, when those that differ are
// replaced (through the normal versioned update). Applying the same seed twice
// changes nothing the second time.
//
// Which records exist is looked up for the whole seed before anything is
// written, in batches, and missing records are created in bulk, so a large
// seed costs a few round trips per thousand records rather than several per
// record. Existing records are compared (and updated) one by one.
func Apply(ctx context.Context, store directory.ProviderStore, providers []directory.Provider, overwrite bool) (Report, error) {
	var r Report
	versions := make(map[string]int64, len(providers))
	for start := 0; start < len(providers); start += lookupBatch {
		ids := make([]string, 0, lookupBatch)
		for _, p := range providers[start:min(start+lookupBatch, len(providers))] {
			ids = append(ids, p.ID)
		}
		vs, err := store.ProviderVersions(ctx, ids)
		if err != nil {
			return r, fmt.Errorf("seed: reading versions: %w", err)
		}
		maps.Copy(versions, vs)
	}

	var missing []*directory.Provider
	for i := range providers {
		p := providers[i] // the caller's slice is left as it was
		if _, ok := versions[p.ID]; !ok {
			missing = append(missing, &p)
		}
	}
	for start := 0; start < len(missing); start += createBatch {
		batch := missing[start:min(start+createBatch, len(missing))]
		if err := store.CreateProviders(ctx, batch); err != nil {
			var ce *directory.ConflictError
			if errors.As(err, &ce) {
				r.Created += len(batch) - len(ce.IDs)
			}
			return r, fmt.Errorf("seed: creating providers: %w", err)
		}
		r.Created += len(batch)
	}

	for i := range providers {
		p := providers[i]
		if _, ok := versions[p.ID]; !ok {
			continue
		}
		cur, err := store.Provider(ctx, p.ID)
		if err != nil {
			return r, fmt.Errorf("seed: reading %s: %w", p.ID, err)
		}
		if sameContent(cur, &p) {
			r.Unchanged++
			continue
		}
		if !overwrite {
			r.Kept++
			continue
		}
		if err := store.UpdateProvider(ctx, &p, cur.Version); err != nil {
			return r, fmt.Errorf("seed: updating %s: %w", p.ID, err)
		}
		r.Updated++
	}
	return r, nil
}

// Batch sizes for Apply. Looking up versions may cost a scan of the store
// (FerretDB answers an id list by reading every record), so it is done in
// few, large batches; creates are batched again inside the store.
const (
	lookupBatch = 10000
	createBatch = 10000
)

// sameContent compares two providers ignoring the fields the store sets.
func sameContent(a, b *directory.Provider) bool {
	return reflect.DeepEqual(contentOf(*a), contentOf(*b))
}

// contentOf returns p without the store's fields, as generic JSON values, so
// that nil and empty slices (stores may return either) compare equal.
func contentOf(p directory.Provider) any {
	p.Version = 0
	p.CreatedAt, p.UpdatedAt = time.Time{}, time.Time{}
	b, _ := json.Marshal(p)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}
