package finder

import (
	"reflect"
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// codes maps every vocabulary code to one shared copy of its string.
var codes = func() map[string]string {
	m := map[string]string{}
	for _, v := range directory.Vocabularies() {
		for _, t := range v.Terms {
			m[t.Code] = t.Code
		}
	}
	return m
}()

// compact makes every vocabulary code in p share one copy of its string
// (a decoded record holds a fresh copy of each), and moves every other
// string it holds into one shared allocation, the elements of its lists of
// strings into another, and every other list into a copy of exactly its
// length. A decoded record is some forty small objects, most of them
// strings; a catalogue of 100,000 records held about four million, and the
// garbage collector visits every one on every cycle. Values are unchanged;
// the lists' capacity is their length, so an append copies rather than
// writes into a shared block. compact writes only memory p owns, so p may
// be a shallow copy of a record still in use elsewhere. The catalogue and
// the index hold every record for as long as the service runs, which is
// why they are compacted here, on their way in.
func compact(p *directory.Provider) {
	var c compactor
	v := reflect.ValueOf(p).Elem()
	c.measure(v)
	c.text.Grow(c.textLen)
	c.lists = make([]string, 0, c.listLen)
	c.assign(v)
}

type compactor struct {
	textLen, listLen int
	text             strings.Builder // every string's copy, end to end
	lists            []string
}

var stringsType = reflect.TypeFor[[]string]()

// measure adds up the text and the list elements assign will copy, so each
// block is allocated once.
func (c *compactor) measure(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if _, ok := codes[v.String()]; !ok {
			c.textLen += v.Len()
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.measure(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			c.measure(v.Elem())
		}
	case reflect.Slice:
		if v.Type() == stringsType {
			c.listLen += v.Len()
		}
		for i := range v.Len() {
			c.measure(v.Index(i))
		}
	}
}

// assign points every string at its copy in the text block, and every list
// of strings at the shared list block. It writes only memory the record
// owns: a record is often a shallow copy of another, sharing its lists and
// what its pointers point at, so those are copied before any of their
// contents change.
func (c *compactor) assign(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(c.value(v.String()))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.assign(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			own := reflect.New(v.Type().Elem())
			own.Elem().Set(v.Elem())
			v.Set(own)
			c.assign(own.Elem())
		}
	case reflect.Slice:
		if v.Len() == 0 {
			return
		}
		if v.Type() == stringsType {
			from := len(c.lists)
			for i := range v.Len() {
				c.lists = append(c.lists, c.value(v.Index(i).String()))
			}
			v.Set(reflect.ValueOf(c.lists[from:len(c.lists):len(c.lists)]))
			return
		}
		// A copy of exactly the length: decoding grows lists by doubling.
		own := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(own, v)
		v.Set(own)
		for i := range v.Len() {
			c.assign(v.Index(i))
		}
	}
}

// value returns s as the record keeps it: the shared copy of a code, or its
// copy in the text block. A Builder never changes bytes it has handed out,
// so earlier strings stay valid as the block fills.
func (c *compactor) value(s string) string {
	if code, ok := codes[s]; ok {
		return code
	}
	if s == "" {
		return s
	}
	start := c.text.Len()
	c.text.WriteString(s)
	return c.text.String()[start:]
}
