// Package hsdstest validates JSON against the Open Referral UK profile's
// schemas, as the ORUK validator does, for tests. The schemas are read from
// the copy of the profile committed in internal/hsds/testdata/oruk (with its
// licence and source), so tests need nothing beside the project; their
// $refs to the profile's published URLs resolve to those local files.
package hsdstest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// BaseURL is where the profile publishes its schemas; openapi30.json refers
// to them there.
const BaseURL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"

// Dir returns the directory holding the committed copy of the profile,
// found by walking up from the working directory to go.mod.
func Dir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(d, "internal", "hsds", "testdata", "oruk")
			if st, err := os.Stat(filepath.Join(p, "schema")); err != nil || !st.IsDir() {
				t.Fatalf("the ORUK profile's schemas are not in %s: %v", p, err)
			}
			return p
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", wd)
		}
	}
}

// Schemas is the profile's schemas, compiled.
type Schemas struct {
	c        *jsonschema.Compiler
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

// Load reads every schema under dir/schema and registers it under its
// published URL, with format assertions on (uuid, uri, email, date-time), as
// the ORUK validator checks them.
func Load(t testing.TB, dir string) *Schemas {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	root := filepath.Join(dir, "schema")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		return c.AddResource(BaseURL+filepath.ToSlash(rel), doc)
	})
	if err != nil {
		t.Fatalf("loading ORUK schemas: %v", err)
	}
	return &Schemas{c: c, compiled: map[string]*jsonschema.Schema{}}
}

// Validate checks body against the schema at rel (such as
// "compiled/service.json") and fails the test with every error.
func (s *Schemas) Validate(t testing.TB, rel string, body []byte) {
	t.Helper()
	if err := s.Check(rel, body); err != nil {
		t.Errorf("does not validate against %s: %v\n%.600s", rel, err, body)
	}
}

// Check returns the validation error of body against the schema at rel.
func (s *Schemas) Check(rel string, body []byte) error {
	s.mu.Lock()
	sch, ok := s.compiled[rel]
	if !ok {
		var err error
		sch, err = s.c.Compile(BaseURL + rel)
		if err != nil {
			s.mu.Unlock()
			return err
		}
		s.compiled[rel] = sch
	}
	s.mu.Unlock()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}
