package directory_test

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TestVocabTagsMatchValidation holds the `vocab` struct tags (from which
// tools/oas3 writes each code field's enum into the OpenAPI document) to
// what Validate checks: every string field of the fixture provider is set
// to a code no vocabulary has, and the vocabulary Validate then names must
// be the field's tag, and a field Validate does not check against a
// vocabulary must have none.
func TestVocabTagsMatchValidation(t *testing.T) {
	vocabIn := regexp.MustCompile(`is not a code in vocabulary (\w+)`)
	checked := 0
	for _, f := range stringFields(reflect.TypeOf(directory.Provider{}), nil, "") {
		p := fixtureProvider()
		v, ok := walk(reflect.ValueOf(p).Elem(), f.path)
		if !ok {
			continue // an empty list or nil pointer in the fixture
		}
		if v.Kind() == reflect.String {
			v.SetString("zz-no-such-code")
		} else {
			v.Set(reflect.ValueOf([]string{"zz-no-such-code"}))
		}
		got := ""
		var ve *directory.ValidationError
		if err := p.Validate(); errors.As(err, &ve) {
			for _, pr := range ve.Problems {
				if m := vocabIn.FindStringSubmatch(pr.Message); m != nil && strings.HasPrefix(pr.Field, f.name) {
					got = m[1]
				}
			}
		}
		if got != f.vocab {
			t.Errorf("%s: tagged vocab %q, but Validate checks it against %q", f.name, f.vocab, got)
		}
		if got != "" {
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d code fields checked; the fixture should reach every one", checked)
	}
}

type stringField struct {
	name, vocab string
	path        []int // field indexes; -1 is "the list's first item"
}

func stringFields(t reflect.Type, path []int, prefix string) []stringField {
	var out []stringField
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" || name == "" {
			continue
		}
		p := append(append([]int{}, path...), i)
		ft := sf.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.String, ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
			out = append(out, stringField{name: prefix + name, vocab: sf.Tag.Get("vocab"), path: p})
		case ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath():
			out = append(out, stringFields(ft, p, prefix+name+".")...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && ft.Elem().PkgPath() == t.PkgPath():
			out = append(out, stringFields(ft.Elem(), append(p, -1), prefix+name+"[0].")...)
		}
	}
	return out
}

func walk(v reflect.Value, path []int) (reflect.Value, bool) {
	for i := 0; i < len(path); i++ {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		}
		v = v.Field(path[i])
		if i+1 < len(path) && path[i+1] == -1 {
			if v.Len() == 0 {
				return v, false
			}
			v = v.Index(0)
			i++
		}
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return v, false
		}
		v = v.Elem()
	}
	return v, true
}
