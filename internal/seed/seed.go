// Package seed loads the seed directory: JSON files of providers that fill an
// empty store on first start and that `brokerfinder seed` reloads.
//
// Loading validates every record in every file and reports all problems, each
// with its file and field, before anything is written.
package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

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
